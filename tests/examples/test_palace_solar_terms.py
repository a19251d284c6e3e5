"""The Palace Solar Terms 2022 example: reproducible files, a valid campaign, realistic entrants.

Expected ranges come from the generator's parameters (row plans and rejection rates), never from
counts copied out of the committed files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from merit.addresses import is_checksum_address, parse_address
from merit.campaign import Campaign
from merit.entrants import EntrantList
from merit.hashing import keccak256

EDITION_IDS = ["xiazhi", "dashu", "liqiu", "bailu", "qiufen", "shuangjiang", "lidong", "daxue"]
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"

# How far a count may stray from its expectation: the draws are fixed by the seed, so this only
# has to cover the spread of one realisation around the mean.
SPREAD = 3


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def committed_files(example_dir: Path) -> dict[str, bytes]:
    """Return the generated files that the repository holds, by path relative to the example."""
    paths = [example_dir / "blocked.txt"]
    paths += sorted((example_dir / "entrants").glob("*"))
    paths += sorted((example_dir / "artwork").glob("*"))
    return {path.relative_to(example_dir).as_posix(): path.read_bytes() for path in paths}


def planned_rows(generator: ModuleType) -> tuple[int, int]:
    """Return the planned new-user and learner rows over all editions."""
    return (
        sum(plan.new_user_rows for plan in generator.EDITIONS),
        sum(plan.learner_rows for plan in generator.EDITIONS),
    )


def expected_extra_rows(generator: ModuleType, new_rows: int, all_rows: int) -> float:
    """Return the expected number of rows added as rejection cases on top of the plan."""
    return (
        new_rows * (generator.PRE_CAMPAIGN_ROW_RATE + generator.KEEN_NEW_USER_SHARE)
        + all_rows * generator.DUPLICATE_ROW_RATE
    )


def learner_rejection_rate(generator: ModuleType) -> float:
    """Return the expected share of planned learner rows that the rules reject."""
    return float(
        generator.LOW_POINTS_SHARE
        + generator.BLOCKED_STAFF / generator.EXISTING_USERS
        + generator.DUPLICATE_ROW_RATE
    )


# -- the generator -----------------------------------------------------------------------------


@pytest.mark.slow
def test_generator_reproduces_committed_files(example_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(example_dir / "generate.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    fresh = {
        path.relative_to(tmp_path).as_posix(): path.read_bytes()
        for path in sorted(tmp_path.rglob("*"))
        if path.is_file()
    }
    committed = committed_files(example_dir)

    assert sorted(fresh) == sorted(committed)
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == [], f"regenerate with generate.py and commit: {changed}"
    assert "total" in result.stdout


def test_generator_in_memory_matches_committed_files(generated: Any, example_dir: Path) -> None:
    committed = committed_files(example_dir)

    assert sorted(generated.files) == sorted(committed)
    for name, text in generated.files.items():
        assert text.encode("utf-8") == committed[name], name


@pytest.mark.parametrize("name", ["blocked.txt", "entrants/xiazhi.csv", "artwork/daxue.svg"])
def test_generated_file_uses_lf_and_utf8(example_dir: Path, name: str) -> None:
    data = (example_dir / name).read_bytes()

    assert b"\r" not in data
    assert data.endswith(b"\n")
    assert not data.startswith(b"\xef\xbb\xbf")
    data.decode("utf-8")


def test_eip55_module_matches_sdk_keccak(eip55: ModuleType) -> None:
    for size in (0, 1, 135, 136, 137, 400):
        message = hashlib.sha256(size.to_bytes(2, "big")).digest() * (size // 32 + 1)
        assert eip55.keccak256(message[:size]) == keccak256(message[:size]), size


# -- the campaign file -------------------------------------------------------------------------


def test_campaign_loads_with_both_languages(campaign: Campaign) -> None:
    assert campaign.name == "palace-solar-terms-2022"
    assert campaign.series.name == "Palace Solar Terms 2022"
    assert campaign.randomness == "vrf"
    assert campaign.planned_designs == 16
    assert campaign.languages == ["zh", "en"]
    assert set(campaign.title) == {"zh", "en"}
    assert set(campaign.series.description) == {"zh", "en"}
    assert [edition.id for edition in campaign.editions] == EDITION_IDS


def test_campaign_channels_match_generator(campaign: Campaign, generator: ModuleType) -> None:
    new_users, learners = campaign.channels

    assert tuple(channel.id for channel in campaign.channels) == generator.CHANNELS
    assert new_users.share == pytest.approx(0.30)
    assert learners.share == pytest.approx(0.70)
    assert new_users.rules.registered_from == generator.CAMPAIGN_START
    assert new_users.rules.min_wallet_tier == generator.MIN_WALLET_TIER
    assert learners.rules.min_course_points == generator.MIN_COURSE_POINTS


def test_campaign_editions_match_generator(
    campaign: Campaign, generator: ModuleType, designs: ModuleType
) -> None:
    windows = generator.entry_windows()
    for edition, plan, (opens, closes), design_id in zip(
        campaign.editions, generator.EDITIONS, windows, EDITION_IDS, strict=True
    ):
        design = designs.DESIGNS[design_id]
        assert edition.id == plan.id
        assert edition.released_on == plan.released_on
        assert campaign.window(edition.id).opens == opens
        assert campaign.window(edition.id).closes == closes
        assert edition.name == {"zh": design.zh, "en": design.en}
        assert edition.entrants.as_posix() == f"entrants/{edition.id}.csv"
        assert edition.artwork.as_posix() == f"artwork/{edition.id}.svg"


@pytest.mark.parametrize("edition_id", EDITION_IDS)
def test_edition_supply_fits_entrants(
    campaign: Campaign, entrant_lists: dict[str, EntrantList], edition_id: str
) -> None:
    supply = campaign.edition(edition_id).supply
    counts = entrant_lists[edition_id].counts()
    quotas = campaign.plan_quotas(edition_id, counts)

    assert 200 <= supply <= 1000, "a few hundred badges per edition"
    assert sum(quotas.values()) == supply
    assert quotas["new-users"] == supply * 3 // 10
    for channel_id, quota in quotas.items():
        assert counts[channel_id] > 3 * quota, f"{channel_id}: a draw, not a hand-out"


# -- entrant files -----------------------------------------------------------------------------


@pytest.mark.parametrize("edition_id", EDITION_IDS)
def test_entrants_rejected_rows_are_the_planned_cases(
    entrant_lists: dict[str, EntrantList], generated: Any, edition_id: str
) -> None:
    entrants = entrant_lists[edition_id]
    rows = generated.rows[edition_id]
    planned = {position + 2 for position, row in enumerate(rows) if row.faults}

    assert entrants.row_count == len(rows)
    assert {rejection.line for rejection in entrants.rejections} == planned
    for rejection in entrants.rejections:
        assert rejection.reasons, f"line {rejection.line} has no reason"
        assert all(reason.strip() for reason in rejection.reasons), rejection.line


@pytest.mark.parametrize("edition_id", EDITION_IDS)
def test_entrants_accepted_counts_near_plan(
    entrant_lists: dict[str, EntrantList], generator: ModuleType, edition_id: str
) -> None:
    plan = next(plan for plan in generator.EDITIONS if plan.id == edition_id)
    counts = entrant_lists[edition_id].counts()
    new_user_loss = SPREAD * float(generator.TIER_1_SHARE + generator.DUPLICATE_ROW_RATE)
    learner_spread = SPREAD * learner_rejection_rate(generator)

    # Rows added as rejection cases are all rejected, so planned rows bound the accepted ones.
    assert plan.new_user_rows * (1 - new_user_loss) <= counts["new-users"] <= plan.new_user_rows
    assert (
        plan.learner_rows * (1 - learner_spread)
        <= counts["learners"]
        <= plan.learner_rows * (1 + learner_spread)
    )


@pytest.mark.parametrize("edition_id", EDITION_IDS)
def test_entrants_new_user_share_near_plan(
    entrant_lists: dict[str, EntrantList], generator: ModuleType, edition_id: str
) -> None:
    plan = next(plan for plan in generator.EDITIONS if plan.id == edition_id)
    counts = entrant_lists[edition_id].counts()
    intended = plan.new_user_rows / (plan.new_user_rows + plan.learner_rows)

    assert counts["new-users"] / sum(counts.values()) == pytest.approx(intended, abs=0.01)


def test_entrants_total_rows_near_plan(
    entrant_lists: dict[str, EntrantList], generator: ModuleType, example_dir: Path
) -> None:
    new_rows, learner_rows = planned_rows(generator)
    rows = [
        row
        for edition_id in EDITION_IDS
        for row in read_rows(example_dir / f"entrants/{edition_id}.csv")
    ]
    new_user_rows = sum(row["channel"] == "new-users" for row in rows)
    extra = expected_extra_rows(generator, new_rows, new_rows + learner_rows)

    assert 19_000 <= new_rows + learner_rows <= 21_000, "about 20,000 entries"
    assert 6_500 <= new_rows <= 7_500, "about 7,000 new registrations"
    assert new_rows + learner_rows <= len(rows) <= new_rows + learner_rows + SPREAD * extra
    assert new_rows <= new_user_rows <= new_rows * (1 + SPREAD * generator.PRE_CAMPAIGN_ROW_RATE)
    assert sum(entrants.row_count for entrants in entrant_lists.values()) == len(rows)


def test_entrants_rejected_share_near_rates(
    entrant_lists: dict[str, EntrantList], generator: ModuleType
) -> None:
    new_rows, learner_rows = planned_rows(generator)
    all_rows = new_rows + learner_rows
    expected = (
        new_rows
        * float(
            generator.TIER_1_SHARE + generator.PRE_CAMPAIGN_ROW_RATE + generator.KEEN_NEW_USER_SHARE
        )
        + learner_rows * float(generator.LOW_POINTS_SHARE)
        + learner_rows * generator.BLOCKED_STAFF / generator.EXISTING_USERS
        + all_rows * float(generator.DUPLICATE_ROW_RATE)
    )
    rejected = sum(len(entrants.rejections) for entrants in entrant_lists.values())

    assert 0.005 <= expected / all_rows <= 0.02, "about 1% of rows rejected"
    assert expected / 2 <= rejected <= expected * 2


def test_entrants_show_every_rejection_case(generated: Any) -> None:
    faults = {fault for rows in generated.rows.values() for row in rows for fault in row.faults}

    assert faults == {
        "blocked address",
        "course points below 120",
        "duplicate row",
        "listed in both channels",
        "registered before the campaign",
        "wallet tier below 2",
    }


def test_entrants_addresses_valid_and_partly_lower_case(
    generator: ModuleType, example_dir: Path
) -> None:
    rows = [
        row
        for edition_id in EDITION_IDS
        for row in read_rows(example_dir / f"entrants/{edition_id}.csv")
    ]
    lower = [row["address"] for row in rows if row["address"] == row["address"].lower()]

    for row in rows:
        address = row["address"]
        assert address == address.lower() or is_checksum_address(address), address
    assert len(lower) / len(rows) == pytest.approx(float(generator.LOWER_CASE_ROW_RATE), abs=0.02)


def test_entrants_people_recur_with_stable_data(example_dir: Path) -> None:
    seen: dict[str, tuple[str, str]] = {}
    points: dict[str, list[int]] = defaultdict(list)
    editions_by_user: dict[str, set[str]] = defaultdict(set)
    for edition_id in EDITION_IDS:
        for row in read_rows(example_dir / f"entrants/{edition_id}.csv"):
            identity = (parse_address(row["address"]), row["registered_at"])
            assert seen.setdefault(row["user_ref"], identity) == identity, row["user_ref"]
            if edition_id not in editions_by_user[row["user_ref"]]:
                points[row["user_ref"]].append(int(row["course_points"]))
            editions_by_user[row["user_ref"]].add(edition_id)

    assert all(ref.startswith("PM-") and len(ref) == 9 for ref in seen)
    assert len({address for address, _ in seen.values()}) == len(seen), "one address per user"
    assert sum(len(editions) >= 3 for editions in editions_by_user.values()) > len(seen) // 10
    assert all(series == sorted(series) for series in points.values()), "points never fall"


def test_entrants_registered_before_window_closes(generator: ModuleType, example_dir: Path) -> None:
    for plan, (_, closes) in zip(generator.EDITIONS, generator.entry_windows(), strict=True):
        for row in read_rows(example_dir / f"entrants/{plan.id}.csv"):
            registered_at = dt.datetime.fromisoformat(row["registered_at"])
            assert registered_at < closes, (plan.id, row["user_ref"])


def test_blocked_list_loads_and_catches_staff(
    campaign: Campaign, generator: ModuleType, generated: Any
) -> None:
    blocked = campaign.load_blocked_addresses()
    staff = {person.address for person in generated.people if person.blocked}

    assert len(blocked) == generator.BLOCKED_STAFF + generator.BLOCKED_TEST_WALLETS
    assert staff <= blocked
    assert len(staff) == generator.BLOCKED_STAFF


# -- artwork -----------------------------------------------------------------------------------


@pytest.mark.parametrize("edition_id", EDITION_IDS)
def test_artwork_self_contained_with_names(
    campaign: Campaign, example_dir: Path, edition_id: str
) -> None:
    path = example_dir / f"artwork/{edition_id}.svg"
    text = path.read_text(encoding="utf-8")
    root = ElementTree.fromstring(text)
    name = campaign.edition(edition_id).name
    texts = [element.text for element in root.iter(f"{SVG_NAMESPACE}text")]
    fonts = {element.get("font-family") for element in root.iter() if element.get("font-family")}
    links = [element.get("href") for element in root.iter() if element.get("href") is not None]

    assert root.tag == f"{SVG_NAMESPACE}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        "512",
        "512",
        "0 0 512 512",
    )
    assert path.stat().st_size < 8_000
    assert texts == [name["zh"], name["en"].upper(), "2022"]
    assert fonts <= {"serif", "sans-serif"}
    assert all(link.startswith("#") for link in links), links
    assert not list(root.iter(f"{SVG_NAMESPACE}image"))
    assert "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "@import" not in text
    assert "@font-face" not in text


def test_artwork_palettes_and_motifs_differ(designs: ModuleType) -> None:
    palettes = [(design.ring, design.ground) for design in designs.DESIGNS.values()]
    motifs = [design.draw() for design in designs.DESIGNS.values()]

    assert len(set(palettes)) == len(palettes)
    assert len(set(motifs)) == len(motifs)
