"""The results file (`bench/results.json`): its schema, its required figures and the goals.

Figures sit in sections (`series`, `baseline`, `draw`, `sdk`, `campaign`), each a map from a
name to a number: gas in gas units, times in seconds, memory in MiB. `floor` contains the physical
floor of a gas figure under the same section and name. A full run must contain every figure of
`REQUIRED_FIGURES`; a quick run (`make bench-quick`) measures small sizes only and may lack some.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

__all__ = [
    "GOALS",
    "REQUIRED_FIGURES",
    "SECTIONS",
    "Goal",
    "GoalResult",
    "Results",
    "evaluate_goals",
]

SCHEMA_VERSION = 1

SECTIONS = ("series", "baseline", "draw", "sdk", "campaign")

REQUIRED_FIGURES = (
    "series.issue_single_tx_gas",
    "series.issue_batch200_per_badge_gas",
    "baseline.issue_batch200_per_badge_gas",
    "baseline.issue_single_tx_gas",
    "draw.claim_tx_gas_n100",
    "draw.claim_tx_gas_n10000",
    "draw.claim_tx_gas_n1000000",
    "draw.airdrop_per_badge_gas_n1000000",
    "draw.seed_callback_gas_n100",
    "draw.seed_callback_gas_n1000000",
    "draw.is_winner_gas",
    "sdk.tree_1000000_s",
    "sdk.ozjs_tree_1000000_s",
    "sdk.speedup_1000000",
    "sdk.tree_1000000_peak_mb",
    "sdk.winners_1000000_s",
    "campaign.anvil_s",
    "campaign.embedded_s",
    "campaign.total_gas",
)
"""Figures that every full run writes."""


class Goal(BaseModel):
    """A target that one figure should meet.

    `limit` is a number, or the name of another figure times `factor` (a relative goal such as
    "at most 0.6 of the baseline").
    """

    figure: str
    comparison: Literal["<=", "<", ">=", "=="]
    limit: float | None = None
    relative_to: str | None = None
    factor: float = 1.0
    text: str = Field(description="The goal as the results page states it.")

    @model_validator(mode="after")
    def _one_limit(self) -> Goal:
        if (self.limit is None) == (self.relative_to is None):
            raise ValueError(f"Goal on {self.figure} needs exactly one of limit and relative_to.")
        return self


class GoalResult(BaseModel):
    """A goal with the figure it was checked against."""

    goal: Goal
    value: float | None = Field(description="The figure, or None when the run did not measure it.")
    threshold: float | None = Field(description="The limit the figure was compared with.")
    met: bool | None = Field(description="Whether the goal is met; None when not measured.")


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    "==": operator.eq,
}

GOALS = (
    Goal(figure="series.issue_single_tx_gas", comparison="<=", limit=58_000, text="≤ 58,000 receipt gas"),
    Goal(figure="series.issue_batch200_per_badge_gas", comparison="<=", limit=27_000, text="≤ 27,000 per badge"),
    Goal(
        figure="series.issue_batch200_per_badge_gas",
        comparison="<=",
        relative_to="baseline.issue_batch200_per_badge_gas",
        factor=0.6,
        text="≤ 0.6 × the baseline's per-badge gas",
    ),
    Goal(figure="draw.claim_tx_gas_n1000000", comparison="<=", limit=80_000, text="≤ 80,000 receipt gas"),
    Goal(figure="draw.airdrop_per_badge_gas_n1000000", comparison="<=", limit=45_000, text="≤ 45,000 per badge"),
    Goal(figure="draw.seed_callback_gas_n100", comparison="<=", limit=50_000, text="≤ 50,000"),
    Goal(figure="draw.seed_callback_gas_n1000000", comparison="<=", limit=50_000, text="≤ 50,000"),
    Goal(
        figure="draw.seed_callback_gas_n1000000",
        comparison="==",
        relative_to="draw.seed_callback_gas_n100",
        text="the same as at N = 100",
    ),
    Goal(figure="draw.is_winner_gas", comparison="<=", limit=10_000, text="≤ 10,000 execution gas"),
    Goal(
        figure="sdk.speedup_1000000",
        comparison=">=",
        limit=10,
        text="SDK ≥ 10 × faster than @openzeppelin/merkle-tree",
    ),
    Goal(figure="sdk.tree_1000000_peak_mb", comparison="<", limit=2048, text="< 2 GB (2,048 MiB)"),
    Goal(figure="sdk.winners_1000000_s", comparison="<", limit=2, text="< 2 s"),
    Goal(figure="campaign.anvil_s", comparison="<", limit=60, text="< 60 s"),
    Goal(figure="campaign.embedded_s", comparison="<", limit=300, text="< 5 minutes"),
)
"""The goals the results page prints beside the figures."""


class Results(BaseModel):
    """The content of results.json."""

    schema_version: int = SCHEMA_VERSION
    mode: Literal["full", "quick"]
    meta: dict[str, Any] = Field(description="Command, date, commit, compiler, machine, tools and load.")
    series: dict[str, float] = Field(default_factory=dict)
    baseline: dict[str, float] = Field(default_factory=dict)
    draw: dict[str, float] = Field(default_factory=dict)
    sdk: dict[str, float] = Field(default_factory=dict)
    campaign: dict[str, float] = Field(default_factory=dict)
    floor: dict[str, dict[str, float]] = Field(default_factory=dict, description="Section -> name -> floor gas.")
    goals: list[GoalResult] = Field(default_factory=list)
    scaling: dict[str, list[dict[str, float | str]]] = Field(default_factory=dict, description="Rows behind each plot.")
    details: dict[str, Any] = Field(default_factory=dict, description="Per-run records: transactions, workers, campaigns.")

    @model_validator(mode="after")
    def _complete(self) -> Results:
        if self.mode == "full":
            missing = [key for key in REQUIRED_FIGURES if self.figure(key) is None]
            if missing:
                raise ValueError(f"A full run must measure {', '.join(missing)}.")
        return self

    def figure(self, key: str) -> float | None:
        """Return figure `key` ("section.name"), or None when it was not measured."""
        section, _, name = key.partition(".")
        if section not in SECTIONS:
            raise KeyError(f"{key!r} names no section; sections are {', '.join(SECTIONS)}.")
        values: dict[str, float] = getattr(self, section)
        return values.get(name)

    def floor_of(self, key: str) -> float | None:
        """Return the physical floor of gas figure `key`, or None when it has none."""
        section, _, name = key.partition(".")
        return self.floor.get(section, {}).get(name)


def evaluate_goals(results: Results) -> list[GoalResult]:
    """Check every goal against the figures of `results`."""
    evaluated = []
    for goal in GOALS:
        value = results.figure(goal.figure)
        threshold = goal.limit
        if goal.relative_to is not None:
            reference = results.figure(goal.relative_to)
            threshold = None if reference is None else reference * goal.factor
        met = None if value is None or threshold is None else _COMPARE[goal.comparison](value, threshold)
        evaluated.append(GoalResult(goal=goal, value=value, threshold=threshold, met=met))
    return evaluated
