"""The results page: every goal with its verdict, the floor formula, the tables and the plots."""

import pytest

from bench.floor import FORMULA
from bench.report import (
    CAMPAIGN_PLOT,
    CLAIM_PLOT,
    TREE_PLOT,
    claim_slope,
    error_line,
    format_value,
    render_page,
    write_report,
)
from bench.results import GOALS, REQUIRED_FIGURES, Results, evaluate_goals

META = {
    "command": "make bench",
    "started_at": "2026-01-01T00:00:00+00:00",
    "finished_at": "2026-01-01T01:00:00+00:00",
    "git": {"commit": "0" * 40, "subject": "Test", "dirty_paths": ["contracts/BadgeDraw.sol"]},
    "compiler": {
        "compiler": "solidity",
        "version": "0.8.28",
        "evm_version": "cancun",
        "optimizer_enabled": True,
        "optimizer_runs": 10_000,
        "via_ir": False,
    },
    "machine": {"cpu_model": "Test CPU", "logical_cpus": 2, "memory_gib": 8.0, "os": "Linux", "python": "3.11"},
    "tools": {"anvil": "1.7.1"},
    "load_average_start": [1.0, 1.5, 2.0],
    "load_average_end": [0.5, 0.75, 1.0],
    "anvil_hardfork": "Prague",
    "example_campaign": "bench-example",
}


@pytest.fixture
def results() -> Results:
    sections: dict[str, dict[str, float]] = {}
    for key in REQUIRED_FIGURES:
        section, name = key.split(".")
        sections.setdefault(section, {})[name] = 1_000
    sections["draw"]["is_winner_gas"] = 15_485
    sections["draw"]["claim_tx_gas_n1000000"] = 84_000
    sections["campaign"]["anvil_s"] = 72.6
    sections["sdk"].update({"tree_10000_s": 0.03, "ozjs_tree_10000_s": 3.7, "speedup_10000": 123.0})
    results = Results(
        mode="full",
        meta=META,
        floor={"draw": {"claim_tx_gas_n1000000": 60_000}},
        scaling={
            "claim_gas_by_log2n": [
                {"log2_n": k, "entrants": 2**k, "claim_gas": 70_000 + 700 * k, "floor": 50_000 + 512 * k} for k in (4, 8, 12)
            ],
            "campaign_time_by_entrants": [
                {"network": "ethereum:local:foundry", "entrants": 10_000, "wall_s": 50.0},
                {"network": "ethereum:local:foundry", "entrants": 100_000, "wall_s": 80.0},
            ],
        },
        details={
            "campaigns": [
                {
                    "campaign": "bench-example",
                    "network": "ethereum:local:foundry",
                    "entrants": 19_859,
                    "badges": 2_800,
                    "transactions": 70,
                    "total_gas": 128_352_790,
                    "wall_s": 72.6,
                    "load_1min": [1.25, 2.5],
                }
            ]
        },
        **sections,
    )
    results.goals = evaluate_goals(results)
    return results


def test_page_lists_every_goal_with_its_verdict(results):
    page = render_page(results, [])

    for goal in GOALS:
        assert f"| `{goal.figure}` |" in page
        assert goal.text in page
    assert "| `draw.is_winner_gas` | 15,485 | ≤ 10,000 execution gas | **not met** |" in page


def test_page_states_how_the_run_was_made(results):
    page = render_page(results, [])

    assert "`make bench` (this run took 60 minutes" in page
    assert "0" * 40 in page
    assert "`contracts/BadgeDraw.sol`" in page
    assert "solidity 0.8.28, EVM cancun, optimizer on, 10,000 runs" in page
    assert "Test CPU, 2 logical CPUs, 8.0 GiB memory" in page
    assert "1.00, 1.50, 2.00 at the start" in page
    assert FORMULA in page


def test_gas_rows_show_floor_and_distance(results):
    page = render_page(results, [])

    assert "| Claim at N = 1,000,000 (proof in calldata) | 84,000 | 60,000 | +40% |" in page


def test_campaign_rows_carry_their_goal(results):
    page = render_page(results, [])

    assert "| bench-example | ethereum:local:foundry | 19,859 | 2,800 | 70 | 128,352,790 | 72.6 s | 1.2, 2.5 | < 60 s: **not met** |" in page


def test_claim_slope_fits_a_line_exactly():
    rows = [{"log2_n": k, "claim_gas": 70_000 + 700 * k} for k in (4, 8, 12, 16)]

    slope, intercept = claim_slope(rows)

    assert slope == pytest.approx(700)
    assert intercept == pytest.approx(70_000)
    assert claim_slope(rows[:1]) is None


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("draw.claim_tx_gas_n100", 76_949.0, "76,949"),
        ("sdk.tree_1000000_s", 4.567, "4.57 s"),
        ("sdk.ozjs_tree_1000000_s", 612.3, "612 s"),
        ("campaign.anvil_s", 72.61, "72.6 s"),
        ("sdk.tree_1000000_peak_mb", 812.4, "812 MiB"),
        ("sdk.speedup_1000000", 130.456, "130 ×"),
        ("sdk.speedup_10000", 9.46, "9.5 ×"),
        ("series.issue_batch200_baseline_ratio", 0.5356, "0.54"),
        ("draw.is_winner_gas", None, "–"),
    ],
)
def test_values_print_in_their_unit(key, value, text):
    assert format_value(key, value) == text


def test_report_writes_page_and_plots(tmp_path, results):
    page = write_report(results, tmp_path)

    for name in (CLAIM_PLOT, CAMPAIGN_PLOT, TREE_PLOT):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
        assert f"![{name}]({name})" in page.read_text()
    assert "about 700 gas per doubling of N" in page.read_text()


def test_error_line_prefers_the_error():
    output = "Traceback\n  File x\nERROR:    (TransactionNotFoundError) not in the chain after 20 seconds\nAirdrop daxue:  30%|███ | 144/480\n"

    assert error_line(output) == "ERROR:    (TransactionNotFoundError) not in the chain after 20 seconds"
    assert error_line("only | progress\n") == "only / progress"
    assert error_line("") == "no output"
