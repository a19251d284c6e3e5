"""Campaign reports for the renderer tests: the model case and edge cases.

`sample_report` is the solar-term campaign of the model case: eight editions of 2022, two
channels (new registrations with a bank wallet, about 30% of each edition, and course learners),
about 20,000 entries of which about 7,000 are new registrations. Figures come from a seeded
generator, so every run builds the same report.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from merit.report import (
    AuditResult,
    BadgeIssue,
    BilingualText,
    CampaignInfo,
    CampaignReport,
    ChannelInfo,
    ContractAddresses,
    EditionReport,
    GasStep,
    NetworkInfo,
    PoolFigures,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

EDITIONS_2022 = (
    ("xiazhi", "夏至", "Summer Solstice", dt.date(2022, 6, 21)),
    ("dashu", "大暑", "Major Heat", dt.date(2022, 7, 23)),
    ("liqiu", "立秋", "Start of Autumn", dt.date(2022, 8, 7)),
    ("bailu", "白露", "White Dew", dt.date(2022, 9, 7)),
    ("qiufen", "秋分", "Autumn Equinox", dt.date(2022, 9, 23)),
    ("shuangjiang", "霜降", "Frost's Descent", dt.date(2022, 10, 23)),
    ("lidong", "立冬", "Start of Winter", dt.date(2022, 11, 7)),
    ("daxue", "大雪", "Major Snow", dt.date(2022, 12, 7)),
)

CHANNELS = [
    ChannelInfo(
        id="new-users",
        name=BilingualText(zh="新注册用户", en="New registrations with a bank wallet"),
        planned_share=0.3,
    ),
    ChannelInfo(
        id="learners",
        name=BilingualText(zh="课程学习者", en="Course learners"),
        planned_share=0.7,
    ),
]

SUPPLY = 400
NEW_USER_QUOTA = 120
LEARNER_QUOTA = SUPPLY - NEW_USER_QUOTA


def _timeline(rng: random.Random, released_on: dt.date, counts: dict[str, int]) -> list[BadgeIssue]:
    """Build the issue times of an airdrop that starts two days after the release.

    Badges go out in batches of up to 60, one block each, 12 s apart. About 8% are claims
    instead, spread over the following four days.
    """
    airdrop_start = dt.datetime.combine(released_on, dt.time(10, 0), SHANGHAI) + dt.timedelta(
        days=2
    )
    issues = []
    block = 0
    for channel, count in counts.items():
        for position in range(count):
            if position % 60 == 0:
                block += 1
            at = airdrop_start + dt.timedelta(seconds=12 * block)
            if rng.random() < 0.08:
                at += dt.timedelta(hours=rng.uniform(2, 96))
            issues.append(BadgeIssue(at=at, channel=channel))
    return issues


def _seed(rng: random.Random) -> str:
    return "0x" + rng.randbytes(32).hex()


def sample_editions(rng: random.Random) -> list[EditionReport]:
    editions = []
    for number, (edition_id, zh, en, released_on) in enumerate(EDITIONS_2022, start=1):
        new_users = 800 + rng.randrange(160)
        learners = 1600 + rng.randrange(260)
        issued_new = NEW_USER_QUOTA
        issued_learners = LEARNER_QUOTA
        if edition_id == "daxue":
            # The last edition's claims are still running when the report is made.
            issued_new, issued_learners = 104, 251
        pools = [
            PoolFigures(
                pool=0,
                channel="new-users",
                entrants=new_users,
                winners=NEW_USER_QUOTA,
                issued=issued_new,
                rejected=rng.randrange(4, 30),
            ),
            PoolFigures(
                pool=1,
                channel="learners",
                entrants=learners,
                winners=LEARNER_QUOTA,
                issued=issued_learners,
                rejected=rng.randrange(2, 20),
            ),
        ]
        editions.append(
            EditionReport(
                id=edition_id,
                name=BilingualText(zh=zh, en=en),
                released_on=released_on,
                supply=SUPPLY,
                onchain_id=number,
                round_state="seeded",
                seed=_seed(rng),
                request_ids=[str(rng.getrandbits(256))],
                entrants_sha256=rng.randbytes(32).hex(),
                pools=pools,
                timeline=_timeline(
                    rng, released_on, {"new-users": issued_new, "learners": issued_learners}
                ),
            )
        )
    return editions


def base_fields(editions: list[EditionReport], **overrides: Any) -> dict[str, Any]:
    """Fields of a valid report around `editions`; `overrides` replace any of them."""
    fields: dict[str, Any] = {
        "campaign": CampaignInfo(
            id="palace-solar-terms-2022",
            title=BilingualText(zh="故宫节气徽章 2022", en="Palace Solar Terms 2022"),
        ),
        "network": NetworkInfo(name="ethereum:sepolia", chain_id=11155111),
        "contracts": ContractAddresses(
            series="0x5fbdb2315678afecb367f032d93f642f64180aa3",
            draw="0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
            randomness_source="0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
        ),
        "randomness": "vrf",
        "timezone": "Asia/Shanghai",
        "generated_at": dt.datetime(2022, 12, 20, 9, 30, tzinfo=SHANGHAI),
        "channels": CHANNELS,
        "new_users_channel": "new-users",
        "editions": editions,
        "gas": [
            GasStep(step="deploy", transactions=4, gas_used=7_412_338),
            GasStep(step="editions", transactions=8, gas_used=1_702_416),
            GasStep(step="commit", transactions=8, gas_used=2_310_880),
            GasStep(step="request", transactions=8, gas_used=1_180_064),
            GasStep(step="airdrop", transactions=54, gas_used=96_410_212),
        ],
        "audit": AuditResult(passed=True),
    }
    fields.update(overrides)
    return fields


def sample_report() -> CampaignReport:
    """The model case: eight editions, two channels, the last edition still being claimed."""
    rng = random.Random(2022)
    return CampaignReport(**base_fields(sample_editions(rng)))


def seeded_edition(
    number: int,
    *,
    entrants: tuple[int, int] = (30, 70),
    winners: tuple[int, int] = (3, 7),
    issued: tuple[int, int] = (3, 7),
    name: BilingualText | None = None,
    supply: int = 10,
) -> EditionReport:
    """A small seeded edition with both channels; its badges go out one per hour."""
    released_on = dt.date(2022, 1, 5) + dt.timedelta(days=15 * (number - 1))
    start = dt.datetime.combine(released_on, dt.time(12), SHANGHAI)
    timeline = [
        BadgeIssue(at=start + dt.timedelta(hours=position), channel=channel)
        for channel, count in (("new-users", issued[0]), ("learners", issued[1]))
        for position in range(count)
    ]
    return EditionReport(
        id=f"edition-{number}",
        name=name or BilingualText(zh=f"第{number}版", en=f"Edition {number}"),
        released_on=released_on,
        supply=supply,
        onchain_id=number,
        round_state="seeded",
        seed=f"0x{number:064x}",
        request_ids=[str(10**70 + number)],
        entrants_sha256=f"{number:064x}",
        pools=[
            PoolFigures(
                pool=0,
                channel="new-users",
                entrants=entrants[0],
                winners=winners[0],
                issued=issued[0],
                rejected=1,
            ),
            PoolFigures(
                pool=1,
                channel="learners",
                entrants=entrants[1],
                winners=winners[1],
                issued=issued[1],
                rejected=0,
            ),
        ],
        timeline=timeline,
    )


def zero_issued_report() -> CampaignReport:
    """Rounds seeded but nothing issued yet: every issued figure and the timeline are empty."""
    editions = [seeded_edition(number, issued=(0, 0)) for number in (1, 2)]
    return CampaignReport(**base_fields(editions, gas=[]))


def failed_round_report() -> CampaignReport:
    """One seeded edition and one whose VRF request lapsed twice; the audit flags it."""
    failed = seeded_edition(2, issued=(0, 0)).model_copy(
        update={"round_state": "failed", "seed": None, "request_ids": ["7", "8"]}
    )
    failed = EditionReport.model_validate(failed.model_dump())
    return CampaignReport(
        **base_fields(
            [seeded_edition(1), failed],
            audit=AuditResult(
                passed=False,
                discrepancies=[
                    (
                        "Round 2 failed: request 8 lapsed and no retry remains; its 10 badges "
                        "were never drawn."
                    ),
                    (
                        "Pool 1 of round 1: BadgeClaimed count 7 matches, but holder "
                        "0x0000000000000000000000000000000000000bad is not in pool-1-learners.csv."
                    ),
                ],
            ),
        )
    )


def one_edition_report() -> CampaignReport:
    """A single edition whose badges were all issued within one block."""
    edition = seeded_edition(1, entrants=(5, 5), winners=(1, 1), issued=(1, 1), supply=2)
    moment = dt.datetime(2022, 1, 7, 10, tzinfo=SHANGHAI)
    edition = EditionReport.model_validate(
        {
            **edition.model_dump(),
            "timeline": [
                {"at": moment, "channel": "new-users"},
                {"at": moment, "channel": "learners"},
            ],
        }
    )
    return CampaignReport(**base_fields([edition]))


def many_editions_report(count: int = 256) -> CampaignReport:
    """The maximum campaign: `count` editions, every round seeded and fully issued."""
    rng = random.Random(count)
    editions = []
    for number in range(1, count + 1):
        new_users, learners = rng.randrange(20, 90), rng.randrange(40, 200)
        editions.append(
            seeded_edition(
                number,
                entrants=(new_users, learners),
                winners=(3, 7),
                issued=(3, 7),
            )
        )
    return CampaignReport(**base_fields(editions))
