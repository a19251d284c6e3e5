"""Copy the compiled contract types that the SDK deploys or talks to into the `merit` package.

Integrators and auditors install `merit` without this repository's contracts, so the package
carries the ABI and bytecode of each contract it uses. Run through `make artifacts`, which
compiles first; a test fails when the packaged copies differ from a fresh compile.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".build" / "__local__.json"
TARGET = ROOT / "sdk" / "merit" / "chain" / "artifacts"

# NOTE: VrfCoordinatorMock is Chainlink's VRFCoordinatorV2_5Mock; the SDK deploys it only on
# local networks, where no Chainlink coordinator exists.
PACKAGED = ("BadgeSeries", "BadgeDraw", "ChainlinkVrfSource", "CommitRevealSource", "VrfCoordinatorMock")
KEPT_FIELDS = ("contractName", "sourceId", "abi", "deploymentBytecode", "runtimeBytecode", "userdoc", "devdoc")


def main() -> int:
    if not MANIFEST.exists():
        print(f"{MANIFEST} not found: run `ape compile` first (or `make artifacts`).", file=sys.stderr)
        return 1
    manifest = json.loads(MANIFEST.read_text())
    compilers = manifest.get("compilers", [])
    TARGET.mkdir(parents=True, exist_ok=True)

    for name in PACKAGED:
        contract_type = manifest["contractTypes"].get(name)
        if contract_type is None:
            print(f"Contract {name} is missing from {MANIFEST}; compile the project again.", file=sys.stderr)
            return 1
        compiler = next(c for c in compilers if name in c["contractTypes"])
        settings = compiler["settings"]
        artifact = {field: contract_type[field] for field in KEPT_FIELDS if field in contract_type}
        artifact["compiler"] = {
            "name": compiler["name"],
            "version": compiler["version"],
            "evmVersion": settings.get("evmVersion"),
            "optimizer": settings.get("optimizer"),
            "viaIR": settings.get("viaIR", False),
        }
        path = TARGET / f"{name}.json"
        path.write_text(json.dumps(artifact, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
