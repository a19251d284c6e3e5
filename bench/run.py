"""Run every benchmark and write results.json, RESULTS.md and the plots.

    python -m bench.run            # `make bench`: full sizes, writes into bench/
    python -m bench.run --quick    # `make bench-quick`: small sizes, writes into bench/work/quick/

Steps: compile afresh (`ape compile --force`, because ape compiles incrementally and does not
notice changed settings), measure gas on anvil (`bench.gas`), off-chain speed (`bench.offchain`),
and whole campaigns (`bench.campaigns`), then check the goals and render the page. A full run
writes nothing unless every required figure was measured, so a failed run never leaves a
half-updated results page behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import campaigns, environment, offchain
from bench.gas import GasOutput
from bench.measure import CommandFailed, run_measured
from bench.report import write_report
from bench.results import Results, evaluate_goals

__all__ = ["main"]

logger = logging.getLogger("bench")

REPOSITORY = Path(__file__).resolve().parents[1]
WORK = REPOSITORY / "bench" / "work"
PARTS = ("gas", "offchain", "campaigns")
ANVIL = "ethereum:local:foundry"
EMBEDDED = "ethereum:local:test"

REQUIRED_CONTRACTS = ("BadgeSeries", "BadgeDraw", "BaselineSoulbound", "ChainlinkVrfSource", "VrfCoordinatorMock")

GAS_TIMEOUT_S = 3600
CAMPAIGN_TIMEOUT_S = 1800
OZJS_TIMEOUT_S = 7200
"""The JavaScript library took about 11 minutes at a million entrants on the 2-core benchmark
machine; two hours leave room for a slower or busier one."""


class Run:
    """The figures of one run, gathered part by part."""

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.sections: dict[str, dict[str, float]] = {name: {} for name in ("series", "baseline", "draw", "sdk", "campaign")}
        self.floor: dict[str, dict[str, float]] = {}
        self.scaling: dict[str, list[dict[str, Any]]] = {}
        self.details: dict[str, Any] = {}
        self.meta: dict[str, Any] = {}

    def put(self, key: str, value: float) -> None:
        section, _, name = key.partition(".")
        self.sections[section][name] = value


def _environment() -> dict[str, str]:
    variables = dict(os.environ)
    variables["PATH"] = os.pathsep.join([str(REPOSITORY / "node_modules" / ".bin"), str(REPOSITORY / ".venv" / "bin"), variables.get("PATH", "")])
    variables["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), variables.get("PYTHONPATH", "")]))
    return variables


def compile_contracts(run: Run) -> None:
    """Compile every contract afresh and record the settings from the build manifest."""
    logger.info("Compiling the contracts afresh with `ape compile --force`.")
    measured = run_measured(
        [str(REPOSITORY / ".venv" / "bin" / "ape"), "compile", "--force"], timeout_s=1200, env=_environment(), cwd=REPOSITORY
    ).check()
    built = json.loads(environment.BUILD_MANIFEST.read_text("utf-8"))["contractTypes"]
    missing = [name for name in REQUIRED_CONTRACTS if name not in built]
    if missing:
        raise RuntimeError(f"`ape compile --force` did not build {', '.join(missing)}; see its output:\n{measured.stderr[-2000:]}")
    run.meta["compiler"] = environment.compiler_settings().model_dump()
    run.meta["compile_s"] = round(measured.wall_s, 1)


def measure_gas(run: Run) -> None:
    output_file = WORK / ("gas-quick.json" if run.quick else "gas.json")
    command = [sys.executable, "-m", "bench.gas", "--out", str(output_file)] + (["--quick"] if run.quick else [])
    logger.info("Measuring gas on anvil.")
    measured = run_measured(command, timeout_s=GAS_TIMEOUT_S, env=_environment(), cwd=REPOSITORY)
    (WORK / "gas.log").write_text(measured.stdout + measured.stderr, "utf-8")
    measured.check()
    output = GasOutput.model_validate_json(output_file.read_text("utf-8"))

    for section, figures in output.figures.items():
        run.sections[section].update(figures)
    run.floor = output.floors
    run.scaling["claim_gas_by_log2n"] = output.scaling
    run.details["transactions"] = [measurement.model_dump() for measurement in output.measurements]
    run.meta["anvil_hardfork"] = output.node.get("hardFork", "unknown")


def measure_offchain(run: Run) -> None:
    sizes = [10_000] if run.quick else [10_000, 100_000, 1_000_000]
    workers = []
    for count in sizes:
        leaves = offchain.leaves_file(WORK / "leaves", count)
        logger.info("Building trees of %d entrants with the SDK and with @openzeppelin/merkle-tree.", count)
        sdk, ozjs = offchain.measure_trees(leaves, count, js_timeout_s=OZJS_TIMEOUT_S)
        run.put(f"sdk.tree_{count}_s", sdk.total_s)
        run.put(f"sdk.tree_only_{count}_s", sdk.tree_s)
        run.put(f"sdk.tree_{count}_peak_mb", sdk.peak_rss_mb)
        run.put(f"sdk.ozjs_tree_{count}_s", ozjs.total_s)
        run.put(f"sdk.ozjs_tree_only_{count}_s", ozjs.tree_s)
        run.put(f"sdk.ozjs_tree_{count}_peak_mb", ozjs.peak_rss_mb)
        run.put(f"sdk.speedup_{count}", ozjs.total_s / sdk.total_s)
        workers += [sdk.model_dump(exclude={"samples"}), ozjs.model_dump(exclude={"samples"})]

    winners = offchain.measure_winners(1_000_000)
    run.put("sdk.winners_1000000_s", winners.seconds)
    run.put("sdk.winners_1000000_peak_mb", winners.peak_rss_mb)
    workers.append(winners.model_dump())
    run.details["offchain"] = workers


def measure_campaigns(run: Run) -> None:
    secret = os.environ.get("MERIT_HMAC_SECRET", campaigns.DEMO_SECRET)
    folder = WORK / "campaigns"
    plan: list[tuple[Path, str, str]] = []
    if run.quick:
        synthetic = campaigns.write_synthetic(folder, 1_000, editions=2, supply_scale=0.1)
        plan += [(synthetic, ANVIL, "synthetic_1000_anvil"), (synthetic, EMBEDDED, "synthetic_1000_embedded")]
    else:
        example = campaigns.prepare_example(folder)
        run.meta["example_campaign"] = _campaign_name(example)
        plan += [(example, ANVIL, "anvil"), (example, EMBEDDED, "embedded")]
        for count in (10_000, 100_000):
            synthetic = campaigns.write_synthetic(folder, count)
            plan += [(synthetic, ANVIL, f"synthetic_{count}_anvil"), (synthetic, EMBEDDED, f"synthetic_{count}_embedded")]

    records = []
    failures = []
    for campaign_file, network, label in plan:
        try:
            result = campaigns.run_campaign(
                campaign_file, network, folder / f"out-{label}", secret=secret, timeout_s=CAMPAIGN_TIMEOUT_S
            )
        except CommandFailed as error:
            if not label.startswith("synthetic"):
                raise
            # A scaling point that fails is a finding for the page, not a reason to lose the others.
            name = _campaign_name(campaign_file)
            logger.warning("Campaign %s on %s failed: %s", name, network, error)
            failures.append({"campaign": name, "network": network, "error": str(error)[-1500:]})
            continue
        records.append(result.model_dump())
        run.put(f"campaign.{label}_s", result.wall_s)
        if label == "anvil":
            run.put("campaign.total_gas", result.total_gas)
            run.put("campaign.transactions", result.transactions)
            run.put("campaign.badges", result.badges)
            run.put("campaign.entrants", result.entrants)
        elif label == "embedded":
            run.put("campaign.embedded_total_gas", result.total_gas)
        else:
            run.put(f"campaign.{label}_total_gas", result.total_gas)
    run.details["campaigns"] = records
    run.details["campaign_failures"] = failures
    run.scaling["campaign_time_by_entrants"] = [
        {"network": record["network"], "entrants": record["entrants"], "wall_s": record["wall_s"]} for record in records
    ]


def _campaign_name(campaign_file: Path) -> str:
    import yaml

    return str(yaml.safe_load(campaign_file.read_text("utf-8"))["name"])


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Small sizes only (a minute or two), written to bench/work/quick/.")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"Comma-separated parts to run, of {', '.join(PARTS)}; a full run needs all."
    )
    parser.add_argument("--out", type=Path, default=None, help="Folder for results.json, RESULTS.md and the plots.")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    parts = [part.strip() for part in arguments.parts.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    out = arguments.out or (WORK / "quick" if arguments.quick else REPOSITORY / "bench")
    WORK.mkdir(parents=True, exist_ok=True)

    run = Run(arguments.quick)
    run.meta.update(
        command="make bench-quick" if arguments.quick else "make bench",
        invocation=" ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        started_at=_now(),
        load_average_start=list(environment.load_average()),
        git=environment.git_state().model_dump(),
        machine=environment.machine().model_dump(),
        tools=environment.tool_versions(),
        anvil_hardfork="not measured",
    )
    compile_contracts(run)
    if "gas" in parts:
        measure_gas(run)
    if "offchain" in parts:
        measure_offchain(run)
    if "campaigns" in parts:
        measure_campaigns(run)
    run.meta.update(finished_at=_now(), load_average_end=list(environment.load_average()))

    results = Results(
        mode="quick" if arguments.quick else "full",
        meta=run.meta,
        floor=run.floor,
        scaling=run.scaling,
        details=run.details,
        **run.sections,
    )
    results.goals = evaluate_goals(results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n", "utf-8")
    page = write_report(results, out)
    logger.info("Wrote %s and %s.", out / "results.json", page)
    for goal in results.goals:
        logger.info("Goal %s %s: %s", goal.goal.figure, goal.goal.text, "not measured" if goal.met is None else ("met" if goal.met else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
