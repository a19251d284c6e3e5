"""The results schema: required figures, goal evaluation and the JSON round trip."""

import pytest
from pydantic import ValidationError

from bench.results import GOALS, REQUIRED_FIGURES, Goal, Results, evaluate_goals

META = {"command": "make bench"}


def full_sections(value: float = 1.0) -> dict[str, dict[str, float]]:
    """Every required figure set to `value`, by section."""
    sections: dict[str, dict[str, float]] = {}
    for key in REQUIRED_FIGURES:
        section, name = key.split(".")
        sections.setdefault(section, {})[name] = value
    return sections


def test_full_results_need_every_required_figure():
    sections = full_sections()
    del sections["draw"]["claim_tx_gas_n1000000"]

    with pytest.raises(ValidationError, match="draw.claim_tx_gas_n1000000"):
        Results(mode="full", meta=META, **sections)


def test_quick_results_may_lack_figures():
    results = Results(mode="quick", meta=META, series={"issue_single_tx_gas": 57_000})

    assert results.figure("series.issue_single_tx_gas") == 57_000
    assert results.figure("draw.claim_tx_gas_n1000000") is None


def test_figure_rejects_unknown_sections():
    results = Results(mode="quick", meta=META)

    with pytest.raises(KeyError, match="sections are"):
        results.figure("gas.issue")


def test_every_goal_names_a_required_figure():
    for goal in GOALS:
        assert goal.figure in REQUIRED_FIGURES
        if goal.relative_to is not None:
            assert goal.relative_to in REQUIRED_FIGURES


def test_goal_needs_exactly_one_limit():
    with pytest.raises(ValidationError, match="exactly one"):
        Goal(figure="draw.is_winner_gas", comparison="<=", text="no limit")
    with pytest.raises(ValidationError, match="exactly one"):
        Goal(figure="draw.is_winner_gas", comparison="<=", limit=1, relative_to="draw.claim_tx_gas_n100", text="both")


def test_goals_are_met_or_not_by_their_figures():
    sections = full_sections()
    sections["series"]["issue_single_tx_gas"] = 57_495
    sections["draw"]["is_winner_gas"] = 15_485
    results = Results(mode="full", meta=META, **sections)

    evaluated = {(result.goal.figure, result.goal.text): result for result in evaluate_goals(results)}

    single = evaluated[("series.issue_single_tx_gas", "≤ 58,000 receipt gas")]
    assert single.met is True
    assert single.value == 57_495
    assert evaluated[("draw.is_winner_gas", "≤ 10,000 execution gas")].met is False


def test_relative_goal_uses_the_other_figure():
    sections = full_sections()
    sections["baseline"]["issue_batch200_per_badge_gas"] = 48_963
    sections["series"]["issue_batch200_per_badge_gas"] = 26_222
    results = Results(mode="full", meta=META, **sections)

    relative = next(r for r in evaluate_goals(results) if r.goal.relative_to == "baseline.issue_batch200_per_badge_gas")

    assert relative.threshold == pytest.approx(0.6 * 48_963)
    assert relative.met is True


def test_seed_callback_goal_needs_equal_gas():
    sections = full_sections()
    sections["draw"]["seed_callback_gas_n100"] = 23_394
    sections["draw"]["seed_callback_gas_n1000000"] = 23_400
    results = Results(mode="full", meta=META, **sections)

    same = next(r for r in evaluate_goals(results) if r.goal.relative_to == "draw.seed_callback_gas_n100")

    assert same.met is False


def test_unmeasured_goal_is_neither_met_nor_failed():
    results = Results(mode="quick", meta=META)

    evaluated = evaluate_goals(results)

    assert [result.met for result in evaluated] == [None] * len(GOALS)


def test_results_survive_a_json_round_trip():
    sections = full_sections(2.5)
    results = Results(mode="full", meta=META, floor={"series": {"issue_single_tx_gas": 48_178}}, **sections)
    results.goals = evaluate_goals(results)

    again = Results.model_validate_json(results.model_dump_json())

    assert again == results
    assert again.floor_of("series.issue_single_tx_gas") == 48_178
    assert again.floor_of("draw.is_winner_gas") is None
