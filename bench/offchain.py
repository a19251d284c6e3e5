"""Off-chain speed: Merkle trees with all proofs (SDK and `@openzeppelin/merkle-tree`) and winners.

Each measurement runs in its own process, so that its peak memory is its own:

    python -m bench.offchain tree LEAVES_FILE [SAMPLE_INDEX ...]    # the SDK's EntrantTree
    node bench/ozjs_tree.js LEAVES_FILE [SAMPLE_INDEX ...]          # OpenZeppelin's library
    python -m bench.offchain winners N                              # FeistelPermutation.winners

Both tree workers read the same leaves file, time only the work (not the interpreter start or
the file read), and print their root and the proofs of a few sample values, which the driver
compares. The driver (`measure_trees`, `measure_winners`) adds wall time and peak memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from bench.measure import Measured, run_measured

__all__ = [
    "TreeRun",
    "WinnersRun",
    "leaves_file",
    "measure_trees",
    "measure_winners",
    "sample_indices",
]

logger = logging.getLogger(__name__)

REPOSITORY = Path(__file__).resolve().parents[1]
OZJS_WORKER = REPOSITORY / "bench" / "ozjs_tree.js"

PROOF_CHUNK = 1 << 16
"""Values whose proof hashes the SDK worker gathers at once: 65,536 depth-20 proofs take 40 MiB."""

WINNERS_SEED = int.from_bytes(hashlib.sha256(b"merit bench winners seed").digest(), "big")
"""Seed of the permutation that the winners benchmark runs; any uint256 takes the same time."""

NODE_HEAP_MB = 8192
"""V8 heap limit given to the JavaScript worker, so that a million values fit whatever the default."""


class TreeRun(BaseModel):
    """One implementation building a tree and all its proofs in its own process."""

    implementation: str = Field(description="'sdk' or 'ozjs'.")
    entrants: int = Field(description="Number of values in the tree.")
    root: str = Field(description="Root as 0x-prefixed hex.")
    tree_s: float = Field(description="Seconds to build the tree, measured inside the worker.")
    proofs_s: float = Field(description="Seconds to compute every proof after the tree.")
    total_s: float = Field(description="tree_s + proofs_s: the figure compared between implementations.")
    process_s: float = Field(description="Wall time of the whole process, start-up and file read included.")
    peak_rss_mb: float = Field(description="Peak resident memory of the process, MiB.")
    proof_hashes: int = Field(description="Number of hashes in all proofs together.")
    samples: dict[int, list[str]] = Field(description="Proofs of the sample values, 0x hex.")
    load_1min: tuple[float, float] = Field(description="1-minute load average when the process started and ended.")


class WinnersRun(BaseModel):
    """The SDK computing the winner order of a whole pool in its own process."""

    entrants: int
    seconds: float = Field(description="Seconds for FeistelPermutation.winners(N), inside the worker.")
    process_s: float = Field(description="Wall time of the whole process.")
    peak_rss_mb: float = Field(description="Peak resident memory of the process, MiB.")
    load_1min: tuple[float, float] = Field(description="1-minute load average when the process started and ended.")


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


def entrant_address(index: int) -> str:
    """Return the synthetic address of entrant `index`: lower-case hex of sha256 bytes 0..19."""
    return "0x" + hashlib.sha256(b"merit bench entrant %d" % index).digest()[:20].hex()


def leaves_file(folder: Path, count: int) -> Path:
    """Write (once) and return the leaves file of `count` entrants, one address per line."""
    path = folder / f"leaves-{count}.txt"
    if path.exists() and sum(1 for _ in path.open("rb")) == count:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="ascii") as handle:
        for index in range(count):
            handle.write(entrant_address(index) + "\n")
    temporary.replace(path)
    return path


def sample_indices(count: int) -> list[int]:
    """Return the values whose proofs both implementations print: first, last and a spread."""
    return sorted({index for index in (0, 1, count // 3, count // 2, (2 * count) // 3, count - 1) if index < count})


# ---------------------------------------------------------------------------------------------
# Workers (run in a child process)
# ---------------------------------------------------------------------------------------------


def _sdk_tree_worker(leaves: Path, samples: Sequence[int]) -> dict[str, Any]:
    from merit.merkle import EntrantTree

    addresses = leaves.read_text("ascii").split()

    started = time.perf_counter()
    tree = EntrantTree.from_addresses(addresses)
    built = time.perf_counter()
    table = tree.all_proofs()
    proof_hashes = 0
    for start in range(0, len(addresses), PROOF_CHUNK):
        stop = min(start + PROOF_CHUNK, len(addresses))
        # Gathers the 32-byte hashes of each proof; the padding past a proof's length is zero.
        table.hashes(start, stop)
        proof_hashes += int(table.lengths[start:stop].sum())
    finished = time.perf_counter()

    return {
        "count": len(addresses),
        "root": tree.root_hex,
        "tree_s": built - started,
        "proofs_s": finished - built,
        "proof_hashes": proof_hashes,
        "samples": {index: ["0x" + node.hex() for node in tree.proof(index)] for index in samples},
    }


def _winners_worker(count: int) -> dict[str, Any]:
    from merit.permutation import FeistelPermutation

    started = time.perf_counter()
    order = FeistelPermutation(WINNERS_SEED, 0, count).winners(count)
    seconds = time.perf_counter() - started
    if len(order) != count:
        raise AssertionError(f"winners({count}) returned {len(order)} indices")
    return {"count": count, "seconds": seconds}


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def _tree_run(implementation: str, measured: Measured) -> TreeRun:
    measured.check()
    output = json.loads(measured.stdout)
    return TreeRun(
        implementation=implementation,
        entrants=output["count"],
        root=output["root"],
        tree_s=output["tree_s"],
        proofs_s=output["proofs_s"],
        total_s=output["tree_s"] + output["proofs_s"],
        process_s=measured.wall_s,
        peak_rss_mb=measured.peak_rss_mb,
        proof_hashes=output["proof_hashes"],
        samples={int(index): proof for index, proof in output["samples"].items()},
        load_1min=measured.load_1min,
    )


def measure_trees(leaves: Path, count: int, *, js_timeout_s: float) -> tuple[TreeRun, TreeRun]:
    """Build the tree of `leaves` with all proofs in the SDK and in OpenZeppelin's library.

    Raises:
        AssertionError: if the roots or the sample proofs differ, or a worker lost values.
        bench.measure.CommandFailed: if a worker fails or runs past its timeout.
    """
    samples = [str(index) for index in sample_indices(count)]
    sdk = _tree_run(
        "sdk",
        run_measured([sys.executable, "-m", "bench.offchain", "tree", str(leaves), *samples], timeout_s=600, cwd=REPOSITORY),
    )
    logger.info("SDK tree of %d entrants with all proofs: %.2f s, %.0f MiB.", count, sdk.total_s, sdk.peak_rss_mb)
    ozjs = _tree_run(
        "ozjs",
        run_measured(
            ["node", f"--max-old-space-size={NODE_HEAP_MB}", str(OZJS_WORKER), str(leaves), *samples],
            timeout_s=js_timeout_s,
            cwd=REPOSITORY,
        ),
    )
    logger.info("OZ JS tree of %d entrants with all proofs: %.2f s, %.0f MiB.", count, ozjs.total_s, ozjs.peak_rss_mb)

    for run in (sdk, ozjs):
        if run.entrants != count:
            raise AssertionError(f"The {run.implementation} worker read {run.entrants} values of {count}.")
    if sdk.root != ozjs.root:
        raise AssertionError(f"Roots differ at N = {count}: SDK {sdk.root}, @openzeppelin/merkle-tree {ozjs.root}.")
    if sdk.samples != ozjs.samples:
        raise AssertionError(f"Sample proofs differ at N = {count} although the roots match.")
    if sdk.proof_hashes != ozjs.proof_hashes:
        raise AssertionError(f"Proof sizes differ at N = {count}: SDK {sdk.proof_hashes}, JS {ozjs.proof_hashes} hashes.")
    return sdk, ozjs


def measure_winners(count: int) -> WinnersRun:
    """Compute the winner order of a pool of `count` entrants with the SDK, in its own process."""
    measured = run_measured(
        [sys.executable, "-m", "bench.offchain", "winners", str(count)], timeout_s=600, cwd=REPOSITORY
    ).check()
    output = json.loads(measured.stdout)
    return WinnersRun(
        entrants=count,
        seconds=output["seconds"],
        process_s=measured.wall_s,
        peak_rss_mb=measured.peak_rss_mb,
        load_1min=measured.load_1min,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.offchain", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    tree = commands.add_parser("tree", help="Build the SDK tree of a leaves file with all proofs.")
    tree.add_argument("leaves", type=Path, help="File with one address per line; line i is entrant i.")
    tree.add_argument("samples", type=int, nargs="*", help="Values whose proofs to print.")
    winners = commands.add_parser("winners", help="Compute winners(N) of a pool of N entrants.")
    winners.add_argument("count", type=int, help="Pool size N.")
    arguments = parser.parse_args(argv)

    if arguments.command == "tree":
        output = _sdk_tree_worker(arguments.leaves, arguments.samples)
    else:
        output = _winners_worker(arguments.count)
    sys.stdout.write(json.dumps(output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
