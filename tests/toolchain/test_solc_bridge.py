"""The solc-js bridge behaves like native solc for what ape-solidity, forge and slither call."""

import json
import re
import subprocess
from pathlib import Path

import pytest
import solcx

ROOT = Path(__file__).resolve().parents[2]
BRIDGE = ROOT / "tools" / "solc-bridge.js"


def run_bridge(*arguments: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BRIDGE), *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def standard_json(sources: dict[str, str], remappings: list[str] | None = None) -> str:
    return json.dumps(
        {
            "language": "Solidity",
            "sources": {name: {"content": content} for name, content in sources.items()},
            "settings": {
                "remappings": remappings or [],
                "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
            },
        }
    )


def test_version_in_native_form():
    result = run_bridge("--version")
    assert result.returncode == 0
    assert re.search(r"^Version: 0\.8\.28\+commit\.[0-9a-f]{8}\.Linux\.g\+\+$", result.stdout, re.MULTILINE)


def test_py_solc_x_finds_the_bridge():
    assert "0.8.28" in [str(version) for version in solcx.get_installed_solc_versions()]
    assert str(solcx.get_solc_version()) == "0.8.28"


def test_standard_json_compiles():
    source = "// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\ncontract Answer { function get() external pure returns (uint256) { return 42; } }\n"
    result = run_bridge("--standard-json", stdin=standard_json({"Answer.sol": source}))

    assert result.returncode == 0
    output = json.loads(result.stdout)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]
    contract = output["contracts"]["Answer.sol"]["Answer"]
    assert contract["abi"][0]["name"] == "get"
    assert len(contract["evm"]["bytecode"]["object"]) > 100


def test_imports_resolved_through_base_and_include_paths(tmp_path):
    base = tmp_path / "project"
    library = tmp_path / "libraries"
    (base / "src").mkdir(parents=True)
    (library / "shapes").mkdir(parents=True)
    (base / "src" / "Local.sol").write_text("// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\nlibrary Local { uint256 internal constant SIDES = 4; }\n")
    (library / "shapes" / "Square.sol").write_text("// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\nlibrary Square { function area(uint256 s) internal pure returns (uint256) { return s * s; } }\n")
    main = (
        "// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\n"
        'import {Local} from "src/Local.sol";\nimport {Square} from "shapes/Square.sol";\n'
        "contract Main { function f() external pure returns (uint256) { return Square.area(Local.SIDES); } }\n"
    )

    result = run_bridge(
        "--base-path", str(base), "--include-path", str(library), "--standard-json",
        stdin=standard_json({"Main.sol": main}),
    )

    output = json.loads(result.stdout)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"], output.get("errors")
    assert set(output["sources"]) == {"Main.sol", "src/Local.sol", "shapes/Square.sol"}


def test_import_outside_allowed_paths_rejected(tmp_path):
    base = tmp_path / "project"
    base.mkdir()
    outside = tmp_path / "secret.sol"
    outside.write_text("// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\nlibrary Secret {}\n")
    main = f'// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\nimport "{outside}";\ncontract Main {{}}\n'

    result = run_bridge("--base-path", str(base), "--standard-json", stdin=standard_json({"Main.sol": main}))

    errors = json.loads(result.stdout)["errors"]
    assert any("File outside of allowed directories" in e["message"] for e in errors)


def test_missing_import_reported_like_solc(tmp_path):
    main = '// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\nimport "lib/Missing.sol";\ncontract Main {}\n'
    result = run_bridge("--base-path", str(tmp_path), "--standard-json", stdin=standard_json({"Main.sol": main}))

    error = json.loads(result.stdout)["errors"][0]
    assert error["severity"] == "error"
    assert 'Source "lib/Missing.sol" not found: File not found.' in error["message"]


def test_syntax_error_reported_with_file_and_line():
    broken = "// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\ncontract Broken {\n    uint256 x = ;\n}\n"
    result = run_bridge("--standard-json", stdin=standard_json({"Broken.sol": broken}))

    # Native solc reports compile errors inside the JSON output and exits with 0; so does the bridge.
    assert result.returncode == 0
    error = json.loads(result.stdout)["errors"][0]
    assert error["type"] == "ParserError"
    assert error["sourceLocation"]["file"] == "Broken.sol"
    assert "Broken.sol:4:" in error["formattedMessage"]


def test_unknown_option_fails():
    result = run_bridge("--optimize-yul")
    assert result.returncode == 1
    assert "unrecognised option '--optimize-yul'" in result.stderr


@pytest.mark.slow
def test_ape_compile_reports_syntax_error(tmp_path):
    """A broken contract fails `ape compile` with the compiler's message, file and line."""
    project = tmp_path / "broken-project"
    (project / "contracts").mkdir(parents=True)
    (project / "ape-config.yaml").write_text("name: broken\nsolidity:\n  version: 0.8.28\n")
    (project / "contracts" / "Broken.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\ncontract Broken {\n    uint256 x = ;\n}\n"
    )
    ape = ROOT / ".venv" / "bin" / "ape"

    result = subprocess.run([str(ape), "compile"], cwd=project, capture_output=True, text=True, timeout=300, check=False)

    assert result.returncode != 0
    combined = result.stdout + result.stderr
    assert "ParserError" in combined
    assert "contracts/Broken.sol:4:" in combined
