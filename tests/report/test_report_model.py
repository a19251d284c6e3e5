"""The report model: validation of contradictory figures, and totals derived from the figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from merit.report import (
    AuditResult,
    BilingualText,
    CampaignReport,
    EditionReport,
    GasStep,
    PoolFigures,
)
from pydantic import ValidationError
from report_samples import (
    EDITIONS_2022,
    LEARNER_QUOTA,
    NEW_USER_QUOTA,
    SUPPLY,
    base_fields,
    sample_report,
    seeded_edition,
)


def edition_with(**changes: Any) -> dict[str, Any]:
    """A valid seeded edition as a dict, with `changes` applied."""
    return {**seeded_edition(1).model_dump(), **changes}


def pool_dict(pool: int, channel: str, n: int, k: int, issued: int) -> dict[str, Any]:
    return {
        "pool": pool,
        "channel": channel,
        "entrants": n,
        "winners": k,
        "issued": issued,
        "rejected": 0,
    }


def test_sample_report_totals_match_the_figures() -> None:
    report = sample_report()

    assert len(report.editions) == len(EDITIONS_2022)
    assert report.total_supply == SUPPLY * len(EDITIONS_2022)
    assert report.total_winners == (NEW_USER_QUOTA + LEARNER_QUOTA) * len(EDITIONS_2022)
    assert report.total_entrants == sum(
        pool.entrants for edition in report.editions for pool in edition.pools
    )
    assert report.total_issued == sum(len(edition.timeline) for edition in report.editions)
    assert report.total_rejected == sum(
        pool.rejected for edition in report.editions for pool in edition.pools
    )
    assert report.total_gas_used == sum(step.gas_used for step in report.gas)
    assert report.total_transactions == sum(step.transactions for step in report.gas)


def test_channel_totals_add_up_to_the_campaign_totals() -> None:
    report = sample_report()
    totals = report.channel_totals

    assert [total.channel.id for total in totals] == ["new-users", "learners"]
    assert sum(total.entrants for total in totals) == report.total_entrants
    assert sum(total.winners for total in totals) == report.total_winners
    assert sum(total.issued for total in totals) == report.total_issued
    assert totals[0].winners == NEW_USER_QUOTA * len(EDITIONS_2022)


def test_new_user_shares_follow_the_pools() -> None:
    report = sample_report()
    new_users = report.channel_totals[0]

    assert report.new_users_share_of_winners == pytest.approx(
        new_users.winners / report.total_winners
    )
    assert report.new_users_share_of_issued == pytest.approx(new_users.issued / report.total_issued)
    last = report.editions[-1]
    pool = last.pool_for("new-users")
    assert pool is not None
    assert last.share_of_issued("new-users") == pytest.approx(pool.issued / last.issued)


def test_shares_are_none_without_denominator() -> None:
    edition = seeded_edition(1, issued=(0, 0))
    report = CampaignReport(**base_fields([edition], new_users_channel=None))

    assert edition.share_of_issued("new-users") is None
    assert edition.share_of_winners("new-users") == pytest.approx(3 / 10)
    assert report.new_users is None
    assert report.new_users_share_of_winners is None
    assert report.new_users_share_of_issued is None


def test_derived_totals_are_not_serialised() -> None:
    document = sample_report().model_dump(mode="json")

    assert "total_issued" not in document
    assert "entrants" not in document["editions"][0]
    assert "issue_rate" not in document["editions"][0]["pools"][0]


def test_report_model_is_frozen() -> None:
    report = sample_report()

    with pytest.raises(ValidationError):
        report.randomness = "commit-reveal"  # type: ignore[misc]


def test_addresses_are_checksummed() -> None:
    report = sample_report()

    assert report.contracts.series == "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def test_seed_and_request_id_accept_integers() -> None:
    seed = 2**255 + 7
    request_id = 2**256 - 1
    edition = EditionReport.model_validate(edition_with(seed=seed, request_ids=[request_id]))

    assert edition.seed == f"0x{seed:064x}"
    assert edition.request_ids == [str(request_id)]


InvalidCase = tuple[str, Callable[[], object], str]

INVALID_CASES: list[InvalidCase] = [
    (
        "winners above entrants",
        lambda: PoolFigures.model_validate(pool_dict(0, "new-users", 3, 4, 0)),
        "K must not exceed N",
    ),
    (
        "issued above winners",
        lambda: PoolFigures.model_validate(pool_dict(0, "new-users", 9, 4, 5)),
        "issued must not exceed K",
    ),
    (
        "negative count",
        lambda: PoolFigures.model_validate(pool_dict(0, "new-users", -1, 0, 0)),
        "greater than or equal to 0",
    ),
    (
        "winners above supply",
        lambda: EditionReport.model_validate(edition_with(supply=9)),
        "must not exceed the supply",
    ),
    (
        "missing English name",
        lambda: EditionReport.model_validate(edition_with(name={"zh": "夏至"})),
        "en",
    ),
    (
        "blank Chinese name",
        lambda: BilingualText(zh="   ", en="Summer Solstice"),
        "at least 1 character",
    ),
    (
        "seeded without seed",
        lambda: EditionReport.model_validate(edition_with(seed=None)),
        "seeded but has no seed",
    ),
    (
        "seed on failed round",
        lambda: EditionReport.model_validate(
            edition_with(
                round_state="failed",
                timeline=[],
                pools=[
                    pool_dict(0, "new-users", 30, 3, 0),
                    pool_dict(1, "learners", 70, 7, 0),
                ],
            )
        ),
        "only a seeded round has one",
    ),
    (
        "request ids on committed round",
        lambda: EditionReport.model_validate(
            edition_with(
                round_state="committed",
                seed=None,
                timeline=[],
                pools=[
                    pool_dict(0, "new-users", 30, 3, 0),
                    pool_dict(1, "learners", 70, 7, 0),
                ],
            )
        ),
        "has request ids",
    ),
    (
        "badges issued on failed round",
        lambda: EditionReport.model_validate(edition_with(round_state="failed", seed=None)),
        "only winners of a seeded round",
    ),
    (
        "three request ids",
        lambda: EditionReport.model_validate(edition_with(request_ids=["1", "2", "3"])),
        "at most 2 items",
    ),
    (
        "malformed seed",
        lambda: EditionReport.model_validate(edition_with(seed="0x1234")),
        "should match pattern",
    ),
    (
        "timeline shorter than issued",
        lambda: EditionReport.model_validate(
            edition_with(timeline=seeded_edition(1).model_dump()["timeline"][1:])
        ),
        "one entry per badge issued",
    ),
    (
        "timeline names unknown channel",
        lambda: EditionReport.model_validate(
            edition_with(
                timeline=[
                    *seeded_edition(1).model_dump()["timeline"],
                    {"at": dt.datetime(2022, 1, 9, tzinfo=dt.UTC), "channel": "vip"},
                ]
            )
        ),
        "which has no pool",
    ),
    (
        "timeline time without zone",
        lambda: EditionReport.model_validate(
            edition_with(timeline=[{"at": dt.datetime(2022, 1, 9), "channel": "learners"}])
        ),
        "timezone",
    ),
    (
        "pools out of order",
        lambda: EditionReport.model_validate(
            edition_with(
                pools=[pool_dict(1, "new-users", 30, 3, 3), pool_dict(0, "learners", 70, 7, 7)]
            )
        ),
        "Pool numbers must be 0, 1",
    ),
    (
        "channel with two pools",
        lambda: EditionReport.model_validate(
            edition_with(
                pools=[pool_dict(0, "learners", 30, 3, 3), pool_dict(1, "learners", 70, 7, 7)],
                timeline=[],
            )
        ),
        "has 2 pools",
    ),
    (
        "committed pool without winners",
        lambda: EditionReport.model_validate(
            edition_with(
                round_state="committed",
                seed=None,
                request_ids=[],
                timeline=[],
                pools=[pool_dict(0, "new-users", 30, 0, 0), pool_dict(1, "learners", 70, 7, 0)],
            )
        ),
        "needs N >= 1 and K >= 1",
    ),
    (
        "audit passed with discrepancies",
        lambda: AuditResult(passed=True, discrepancies=["Root of pool 0 differs."]),
        "set passed to false",
    ),
    (
        "audit failed without discrepancies",
        lambda: AuditResult(passed=False),
        "list what it found",
    ),
    (
        "gas without transactions",
        lambda: GasStep(step="deploy", transactions=0, gas_used=21000),
        "needs at least one transaction",
    ),
    (
        "duplicate edition ids",
        lambda: CampaignReport(
            **base_fields(
                [seeded_edition(1), seeded_edition(2).model_copy(update={"id": "edition-1"})]
            )
        ),
        "edition id 'edition-1' appears 2 times",
    ),
    (
        "duplicate on-chain ids",
        lambda: CampaignReport(
            **base_fields(
                [seeded_edition(1), seeded_edition(2).model_copy(update={"onchain_id": 1})]
            )
        ),
        "on-chain edition id 1 appears 2 times",
    ),
    (
        "pool of unknown channel",
        lambda: CampaignReport(
            **base_fields([seeded_edition(1)], channels=base_fields([])["channels"][:1])
        ),
        "channel 'learners', which is not in channels",
    ),
    (
        "unknown new-users channel",
        lambda: CampaignReport(**base_fields([seeded_edition(1)], new_users_channel="walk-ins")),
        "new_users_channel 'walk-ins' is not a channel",
    ),
    (
        "unknown time zone",
        lambda: CampaignReport(**base_fields([seeded_edition(1)], timezone="Mars/Olympus")),
        "not a known IANA time zone",
    ),
    (
        "no editions",
        lambda: CampaignReport(**base_fields([])),
        "at least 1 item",
    ),
    (
        "too many editions",
        lambda: CampaignReport(**base_fields([seeded_edition(1)] * 257)),
        "at most 256 items",
    ),
    (
        "bad address checksum",
        lambda: CampaignReport(
            **base_fields(
                [seeded_edition(1)],
                contracts={
                    "series": "0x5FbDB2315678afecb367f032d93F642f64180aA3",
                    "draw": "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
                    "randomness_source": "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
                },
            )
        ),
        "checksum",
    ),
    (
        "unknown field",
        lambda: CampaignReport(**base_fields([seeded_edition(1)], colour="red")),
        "Extra inputs are not permitted",
    ),
]


@pytest.mark.parametrize(
    ("build", "message"),
    [case[1:] for case in INVALID_CASES],
    ids=[case[0] for case in INVALID_CASES],
)
def test_invalid_report_rejected(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        build()

    assert message in str(raised.value)
