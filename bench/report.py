"""The results page (RESULTS.md) and its plots, rendered from a `Results`.

    python -m bench.report RESULTS_JSON OUT_DIR    # render again without measuring

The page states how the run was made: command, date, commit, compiler, machine and load. It
lists every figure with its goal and whether it is met, and the physical floor of each gas
figure with its formula. The PNG plots are written next to the page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.floor import FORMULA
from bench.results import GoalResult, Results

__all__ = ["CAMPAIGN_PLOT", "CLAIM_PLOT", "TREE_PLOT", "error_line", "render_page", "write_plots", "write_report"]

CLAIM_PLOT = "claim-gas-by-log2n.png"
CAMPAIGN_PLOT = "campaign-time-by-entrants.png"
TREE_PLOT = "tree-time-by-entrants.png"


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def format_gas(value: float | None) -> str:
    """Return gas with thousands separators, or an en dash when not measured."""
    return "–" if value is None else f"{value:,.0f}"


def format_seconds(value: float | None) -> str:
    """Return seconds with three significant digits (two decimals below 10 s)."""
    if value is None:
        return "–"
    if value < 10:
        return f"{value:.2f} s"
    return f"{value:,.0f} s" if value >= 100 else f"{value:.1f} s"


def format_count(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def format_value(key: str, value: float | None) -> str:
    """Return a figure in the unit its name states: _s seconds, _mb MiB, _ratio and speed-ups plain."""
    if value is None:
        return "–"
    if key.endswith("_s"):
        return format_seconds(value)
    if key.endswith("_mb"):
        return f"{value:,.0f} MiB"
    if "speedup" in key:
        return f"{value:,.0f} ×" if value >= 10 else f"{value:.1f} ×"
    if "ratio" in key:
        return f"{value:.2f}"
    return format_gas(value)


def _met(result: GoalResult) -> str:
    if result.met is None:
        return "not measured"
    return "met" if result.met else "**not met**"


def _threshold(result: GoalResult) -> str:
    if result.threshold is None:
        return ""
    return f" (limit {format_value(result.goal.figure, result.threshold)})" if result.goal.relative_to else ""


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

# (figure pattern, label; {n} is the pool size, baseline figure or None)
GAS_ROWS: tuple[tuple[str, str, str | None], ...] = (
    ("series.issue_single_tx_gas", "Issue one badge in its own transaction", "baseline.issue_single_tx_gas"),
    ("series.issue_batch200_per_badge_gas", "Batch issue to 200 new holders, per badge", "baseline.issue_batch200_per_badge_gas"),
    (r"draw.claim_tx_gas_n(\d+)", "Claim at N = {n} (proof in calldata)", None),
    (r"draw.airdrop_per_badge_gas_n(\d+)", "Airdrop by `claimMultiProof`, 200 winners, per badge, N = {n}", None),
    (r"draw.airdrop_claim_batch_per_badge_gas_n(\d+)", "Airdrop by `claimBatch`, 200 proofs, per badge, N = {n}", None),
    (r"draw.seed_callback_gas_n(\d+)", "Seed callback (VRF consumer frame), N = {n}", None),
    (r"draw.is_winner_gas_max_n(\d+)", "`isWinner` execution gas, max of 100 entrants, N = {n}", None),
    (r"draw.is_winner_gas_mean_n(\d+)", "`isWinner` execution gas, mean of 100 entrants, N = {n}", None),
    ("series.revoke_tx_gas", "Revoke one badge", None),
    ("series.recovery_propose_gas", "Propose a recovery", None),
    ("series.recover_1_badges_total_gas", "Recover a holder of 1 badge (propose + execute)", None),
    ("series.recover_8_badges_per_badge_gas", "Recover a holder of 8 badges, per badge (propose + execute)", None),
)


def _expand(results: Results, pattern: str) -> Iterator[tuple[str, str | None]]:
    """Yield (figure key, pool size) for each measured figure that matches `pattern`."""
    section, _, name_pattern = pattern.partition(".")
    names: dict[str, float] = getattr(results, section)
    matches = []
    for name in names:
        match = re.fullmatch(name_pattern, name)
        if match:
            matches.append((int(match.group(1)) if match.groups() else 0, name, match.group(1) if match.groups() else None))
    for _, name, size in sorted(matches):
        yield f"{section}.{name}", size


def _goal_text(results: Results, key: str) -> str:
    texts = [f"{result.goal.text}: {_met(result)}{_threshold(result)}" for result in results.goals if result.goal.figure == key]
    return "; ".join(texts)


def gas_table(results: Results) -> list[str]:
    lines = [
        "| Operation | merit | physical floor | above floor | baseline | baseline floor | goal |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for pattern, label, baseline_key in GAS_ROWS:
        for key, size in _expand(results, pattern):
            value = results.figure(key)
            floor = results.floor_of(key)
            above = "" if value is None or not floor else f"{value / floor - 1:+.0%}"
            baseline = results.figure(baseline_key) if baseline_key else None
            baseline_floor = results.floor_of(baseline_key) if baseline_key else None
            lines.append(
                f"| {label.format(n=f'{int(size):,}' if size else '')} | {format_gas(value)} | "
                f"{format_gas(floor) if floor else '–'} | {above} | {format_gas(baseline)} | "
                f"{format_gas(baseline_floor)} | {_goal_text(results, key)} |"
            )
    return lines


def goals_table(results: Results) -> list[str]:
    lines = ["| Figure | Measured | Goal | Result |", "|---|---:|---|---|"]
    for result in results.goals:
        lines.append(
            f"| `{result.goal.figure}` | {format_value(result.goal.figure, result.value)} | "
            f"{result.goal.text}{_threshold(result)} | {_met(result)} |"
        )
    return lines


def tree_table(results: Results) -> list[str]:
    lines = [
        "| Entrants | SDK tree + all proofs | SDK peak memory | @openzeppelin/merkle-tree tree + all proofs "
        "| of which tree | JS peak memory | SDK speed-up | roots and sample proofs | Load (1 min) at JS start, end |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    workers = {(run.get("implementation"), run.get("entrants")): run for run in results.details.get("offchain", [])}
    for key, size in _expand(results, r"sdk.tree_(\d+)_s"):
        n = int(size or 0)
        lines.append(
            f"| {n:,} | {format_seconds(results.figure(key))} | {format_value('_mb', results.figure(f'sdk.tree_{n}_peak_mb'))} | "
            f"{format_seconds(results.figure(f'sdk.ozjs_tree_{n}_s'))} | {format_seconds(results.figure(f'sdk.ozjs_tree_only_{n}_s'))} | "
            f"{format_value('_mb', results.figure(f'sdk.ozjs_tree_{n}_peak_mb'))} | "
            f"{format_value('speedup', results.figure(f'sdk.speedup_{n}'))} | identical | {_load(workers.get(('ozjs', n), {}))} |"
        )
    return lines


def error_line(output: str) -> str:
    """Return the last line of `output` that names an error (its last line when none does), fit for a table."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    named = [line for line in lines if "Error" in line or "ERROR" in line]
    chosen = (named or lines or ["no output"])[-1]
    return chosen.replace("|", "/")


def _load(record: dict[str, Any]) -> str:
    load = record.get("load_1min")
    return "–" if not load else f"{load[0]:.1f}, {load[1]:.1f}"


def campaign_table(results: Results) -> list[str]:
    lines = [
        "| Campaign | Network | Entrants | Badges | Transactions | Total gas | Wall time | Load (1 min) at start, end | Goal |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    goal_of = {"ethereum:local:foundry": "campaign.anvil_s", "ethereum:local:test": "campaign.embedded_s"}
    for run in results.details.get("campaigns", []):
        goal = _goal_text(results, goal_of[run["network"]]) if run["campaign"] == results.meta.get("example_campaign") else ""
        lines.append(
            f"| {run['campaign']} | {run['network']} | {run['entrants']:,} | {run['badges']:,} | {run['transactions']:,} | "
            f"{run['total_gas']:,} | {format_seconds(run['wall_s'])} | {_load(run)} | {goal} |"
        )
    for failure in results.details.get("campaign_failures", []):
        lines.append(f"| {failure['campaign']} | {failure['network']} | failed: {error_line(failure['error'])} | | | | | | |")
    return lines


# ---------------------------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------------------------


def claim_slope(rows: Sequence[dict[str, float]]) -> tuple[float, float] | None:
    """Return the least-squares line (gas per proof level, intercept) of claim gas on log2 N."""
    if len(rows) < 2:
        return None
    xs = [row["log2_n"] for row in rows]
    ys = [row["claim_gas"] for row in rows]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return slope, mean_y - slope * mean_x


def write_plots(results: Results, folder: Path) -> list[str]:
    """Write the PNG plots that the results have data for; return their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    claims = results.scaling.get("claim_gas_by_log2n", [])
    if claims:
        figure, axes = plt.subplots(figsize=(7, 4.2), dpi=110)
        xs = [row["log2_n"] for row in claims]
        axes.plot(xs, [row["claim_gas"] for row in claims], "o-", label="claim, receipt gas")
        axes.plot(xs, [row["floor"] for row in claims], "s--", label="physical floor")
        axes.axhline(80_000, color="grey", linewidth=0.8, linestyle=":", label="goal at N = 1,000,000")
        rounds = [(int(size or 1), results.figure(key)) for key, size in _expand(results, r"draw.claim_tx_gas_n(\d+)")]
        if rounds:
            axes.plot(
                [math.log2(n) for n, _ in rounds],
                [gas for _, gas in rounds],
                "D",
                color="tab:red",
                markersize=5,
                label="claim, N = " + ", ".join(f"{n:,}" for n, _ in rounds),
            )
        axes.set_xlabel("log2 N (entrants in the pool)")
        axes.set_ylabel("gas")
        axes.set_title("Claim gas against pool size")
        axes.legend(loc="center right")
        axes.grid(alpha=0.3)
        figure.tight_layout()
        figure.savefig(folder / CLAIM_PLOT)
        plt.close(figure)
        written.append(CLAIM_PLOT)

    campaigns = results.scaling.get("campaign_time_by_entrants", [])
    if campaigns:
        figure, axes = plt.subplots(figsize=(7, 4.2), dpi=110)
        for network, marker in (("ethereum:local:foundry", "o-"), ("ethereum:local:test", "s-")):
            points = sorted((row["entrants"], row["wall_s"]) for row in campaigns if row["network"] == network)
            if points:
                axes.plot([p[0] for p in points], [p[1] for p in points], marker, label=network)
        axes.set_xscale("log")
        axes.set_xlabel("entrants in the campaign")
        axes.set_ylabel("wall time, s")
        axes.set_title("Whole campaign (same editions and badges) against entrants")
        axes.legend()
        axes.grid(alpha=0.3, which="both")
        figure.tight_layout()
        figure.savefig(folder / CAMPAIGN_PLOT)
        plt.close(figure)
        written.append(CAMPAIGN_PLOT)

    trees = list(_expand(results, r"sdk.tree_(\d+)_s"))
    if trees:
        figure, axes = plt.subplots(figsize=(7, 4.2), dpi=110)
        sizes = [int(size or 0) for _, size in trees]
        axes.plot(sizes, [results.figure(f"sdk.tree_{n}_s") for n in sizes], "o-", label="merit SDK")
        axes.plot(sizes, [results.figure(f"sdk.ozjs_tree_{n}_s") for n in sizes], "s-", label="@openzeppelin/merkle-tree")
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("entrants")
        axes.set_ylabel("tree + all proofs, s")
        axes.set_title("Merkle tree with every proof")
        axes.legend()
        axes.grid(alpha=0.3, which="both")
        figure.tight_layout()
        figure.savefig(folder / TREE_PLOT)
        plt.close(figure)
        written.append(TREE_PLOT)
    return written


# ---------------------------------------------------------------------------------------------
# Page
# ---------------------------------------------------------------------------------------------


def _meta_lines(meta: dict[str, Any]) -> list[str]:
    compiler = meta["compiler"]
    machine = meta["machine"]
    git = meta["git"]
    dirty = ", ".join(f"`{path}`" for path in git["dirty_paths"]) or "none"
    load_start, load_end = (", ".join(f"{value:.2f}" for value in meta[key]) for key in ("load_average_start", "load_average_end"))
    tools = ", ".join(f"{name} {version}" for name, version in meta["tools"].items())
    optimizer = f"optimizer on, {compiler['optimizer_runs']:,} runs" if compiler["optimizer_enabled"] else "optimizer off"
    return [
        f"- **Command:** `{meta['command']}` (compiles afresh with `ape compile --force` first)",
        f"- **Date:** {meta['started_at']} to {meta['finished_at']} (UTC)",
        f"- **Commit:** `{git['commit']}` ({git['subject']}); files that differed from it outside bench/: {dirty}",
        f"- **Compiler:** {compiler['compiler']} {compiler['version']}, EVM {compiler['evm_version']}, {optimizer}, "
        f"via-IR {'on' if compiler['via_ir'] else 'off'} (from ape's build manifest)",
        f"- **Chains:** anvil {meta['tools'].get('anvil', '')}, hardfork {meta['anvil_hardfork']}. Gas is measured on an anvil "
        "that the benchmark starts on a free loopback port without `--steps-tracing`. Campaigns run on the anvil that "
        "ape's foundry provider starts for `--network ethereum:local:foundry` (through `.venv/bin/anvil`, which drops "
        "the `--steps-tracing` that the provider adds), and on ape's embedded chain `ethereum:local:test` (py-evm).",
        f"- **Machine:** {machine['cpu_model']}, {machine['logical_cpus']} logical CPUs, {machine['memory_gib']} GiB memory, "
        f"{machine['os']}, Python {machine['python']}",
        f"- **Load average** (1, 5, 15 min; the machine is shared): {load_start} at the start, {load_end} at the end",
        f"- **Tools:** {tools}",
    ]


def _duration_minutes(meta: dict[str, Any]) -> str:
    started = dt.datetime.fromisoformat(meta["started_at"])
    finished = dt.datetime.fromisoformat(meta["finished_at"])
    return f"{(finished - started).total_seconds() / 60:.0f} minutes"


def render_page(results: Results, plots: Sequence[str]) -> str:
    """Return the Markdown of the results page."""
    meta = results.meta
    lines = ["# merit benchmark results", ""]
    if results.mode == "quick":
        lines += ["> Quick run (`make bench-quick`): small sizes only, for iterating. The figures of record are in", "> bench/RESULTS.md, written by `make bench`.", ""]
    lines += [
        f"Rerun everything with one command: `make bench` (this run took {_duration_minutes(meta)}; `make bench-quick` "
        "takes a minute or two).",
        "Machine-readable figures: `results.json` next to this page (gas in gas units, times in seconds, memory in MiB).",
        "",
        *_meta_lines(meta),
        "",
        "## Goals",
        "",
        *goals_table(results),
        "",
        "## Gas",
        "",
        "Receipt gas of each transaction on anvil unless stated. Single issues and claims are the median of five,",
        "each to a fresh holder, so each creates the holder's storage slot as a learner's first badge does.",
        "The baseline is `contracts/benchmarks/BaselineSoulbound.sol` (OpenZeppelin ERC721 with the soulbound",
        "override and a per-edition counter), compiled in the same run.",
        "",
        *gas_table(results),
        "",
        "**Physical floor.** What the EVM charges for what a transaction leaves behind, whatever the design:",
        "",
        f"    {FORMULA}",
        "",
        "New slots are counted from anvil's `prestateTracer` in diff mode (zero before, non-zero after) and logs",
        "from the receipt; the floor leaves out computation, reads and writes to slots that were already non-zero.",
        "For the seed callback only its own logs and new slots count. `isWinner` is a view: its floor is zero.",
        "",
        "How the figures without a receipt are taken:",
        "",
        "- **Seed callback:** `VRFCoordinatorV2_5Mock.fulfillRandomWords` (Chainlink's mock) is traced with",
        "  anvil's `debug_traceTransaction` call tracer; the figure is `gasUsed` of the call frame into the",
        "  consumer (`ChainlinkVrfSource.rawFulfillRandomWords`, which calls `BadgeDraw.deliverSeed`), the gas",
        "  that counts against the request's callback gas limit.",
        "- **`isWinner`:** a transaction calls the view; the figure is its receipt gas minus the 21,000 base and",
        "  the calldata cost (16 per non-zero and 4 per zero byte), which leaves the execution gas. An entrant",
        "  whose first permuted value is N or more pays for another pass of the permutation (cycle walking), so",
        "  the figure of record is the maximum over 100 evenly spaced entrants of each pool (every entrant at",
        "  N = 100).",
        "- **Per badge:** the batch's receipt gas divided by the badges it issued or moved.",
        "",
        "## Off-chain speed",
        "",
        "Each implementation runs in its own process over the same leaves file (one synthetic address per line)",
        "and times only its work: the tree, then every proof, each proof computed and dropped. Peak memory is the",
        "process's maximum resident set from `wait4`, interpreter and input included. The run checks that both",
        "give the same root and the same proofs for six sample entrants.",
        "",
        *tree_table(results),
        "",
        f"Winners of a pool of 1,000,000 (`FeistelPermutation.winners(N)`, the winner order of every entrant, the "
        f"slowest case of `winners(K)`): {format_seconds(results.figure('sdk.winners_1000000_s'))}, "
        f"peak memory {format_value('_mb', results.figure('sdk.winners_1000000_peak_mb'))}.",
        "",
        "## Whole campaigns",
        "",
        "`ape run campaign run CAMPAIGN --allow-rejections --network NETWORK --out OUT` in a fresh output folder,",
        "timed from outside (ape start-up and, on anvil, starting the node included); total gas and transactions",
        "come from the run's journal. The campaigns are copies renamed with a `bench-` prefix: the example",
        "(examples/palace-solar-terms) and synthetic ones with the example's 8 editions and 2,800 badges but",
        "generated entrant files, every row valid. On anvil the run uses the node that ape's foundry provider",
        "starts, without `--steps-tracing` (`tools/anvil-wrapper.sh` drops it: kept, it records every EVM step",
        "of every transaction and grows the node by gigabytes over a campaign). A failed run is listed with the",
        "last line of its output.",
        "",
        *campaign_table(results),
        "",
    ]
    if plots:
        lines += ["## How cost grows", ""]
        slope = claim_slope(results.scaling.get("claim_gas_by_log2n", []))
        if slope is not None:
            lines += [
                f"Claim gas grows by about {slope[0]:,.0f} gas per doubling of N (one more proof hash: 32 bytes of",
                "calldata and one keccak256), by a least-squares fit over N = 2^k, where every proof has exactly k hashes.",
                "",
            ]
        lines += [f"![{name}]({name})" for name in plots]
        lines.append("")
    return "\n".join(lines)


def write_report(results: Results, folder: Path) -> Path:
    """Write the plots and RESULTS.md into `folder`; return the page's path."""
    folder.mkdir(parents=True, exist_ok=True)
    plots = write_plots(results, folder)
    page = folder / "RESULTS.md"
    page.write_text(render_page(results, plots), "utf-8")
    return page


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description="Render RESULTS.md and the plots from results.json.")
    parser.add_argument("results", type=Path, help="results.json of a run.")
    parser.add_argument("out", type=Path, help="Folder to write RESULTS.md and the PNGs into.")
    arguments = parser.parse_args(argv)
    results = Results.model_validate_json(arguments.results.read_text("utf-8"))
    print(write_report(results, arguments.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
