"""Campaign files: loading, every validation rule with its located message, and quota planning."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from merit.campaign import (
    Campaign,
    Channel,
    load_blocked_addresses,
    load_campaign,
    plan_quotas,
)
from merit.errors import (
    CampaignFileError,
    CampaignLookupError,
    DrawParameterError,
    MeritError,
    PrivacySecretError,
)
from sdk_support import make_address

SHANGHAI = ZoneInfo("Asia/Shanghai")

WriteCampaign = Callable[[dict[str, Any]], Path]


def problems_of(path: Path) -> list[tuple[str, int | None, str]]:
    with pytest.raises(CampaignFileError) as caught:
        load_campaign(path)
    return [(p.key_path, p.line, p.message) for p in caught.value.problems]


def assert_problem(path: Path, key_path: str, fragment: str) -> None:
    problems = problems_of(path)
    matching = [p for p in problems if p[0] == key_path and fragment in p[2]]
    assert matching, f"no problem at {key_path!r} containing {fragment!r} in {problems}"


# -- loading a valid campaign -------------------------------------------------------------------


def test_load_campaign_reads_base_campaign(campaign_file: Path) -> None:
    campaign = load_campaign(campaign_file)

    assert campaign.name == "palace-solar-terms-2022"
    assert [channel.id for channel in campaign.channels] == ["new-users", "learners"]
    assert [edition.id for edition in campaign.editions] == ["xiazhi", "xiaoshu"]
    assert campaign.channels[0].rules.min_wallet_tier == 2
    assert campaign.channels[0].rules.registered_from == dt.date(2022, 6, 1)
    assert campaign.base_dir == campaign_file.parent
    assert (
        campaign.resolve(Path("entrants/xiazhi.csv"))
        == campaign_file.parent / "entrants/xiazhi.csv"
    )
    assert campaign.output_dir(Path("out")) == Path("out/palace-solar-terms-2022")


def test_window_defaults_follow_next_edition(campaign_file: Path) -> None:
    campaign = load_campaign(campaign_file)

    first = campaign.window("xiazhi")
    last = campaign.window("xiaoshu")

    assert first.opens == dt.datetime(2022, 6, 21, tzinfo=SHANGHAI)
    assert first.closes == dt.datetime(2022, 7, 7, tzinfo=SHANGHAI)
    assert last.opens == dt.datetime(2022, 7, 7, tzinfo=SHANGHAI)
    assert last.closes == dt.datetime(2022, 7, 22, tzinfo=SHANGHAI)


def test_window_naive_times_use_campaign_timezone(
    campaign_data: dict[str, Any], write_campaign: WriteCampaign
) -> None:
    campaign_data["editions"][0]["window"] = {"opens": "2022-06-21T09:00:00"}
    campaign_data["editions"][1]["window"] = {
        "opens": "2022-07-07T00:00:00Z",
        "closes": "2022-07-20T12:00:00+08:00",
    }

    campaign = load_campaign(write_campaign(campaign_data))

    assert campaign.window("xiazhi").opens == dt.datetime(2022, 6, 21, 9, tzinfo=SHANGHAI)
    assert campaign.window("xiazhi").closes == dt.datetime(2022, 7, 7, tzinfo=dt.UTC)
    assert campaign.window("xiaoshu").closes == dt.datetime(2022, 7, 20, 4, tzinfo=dt.UTC)


def test_lookup_unknown_ids_raise(campaign_file: Path) -> None:
    campaign = load_campaign(campaign_file)

    with pytest.raises(CampaignLookupError, match="no edition 'lichun'"):
        campaign.edition("lichun")
    with pytest.raises(CampaignLookupError, match="no channel 'staff'"):
        campaign.channel("staff")


def test_campaign_error_is_value_error(
    campaign_data: dict[str, Any], write_campaign: WriteCampaign
) -> None:
    campaign_data["editions"][0]["supply"] = 0

    with pytest.raises(ValueError) as caught:
        load_campaign(write_campaign(campaign_data))

    assert isinstance(caught.value, MeritError)
    assert "editions[0].supply" in str(caught.value)


# -- validation rules ---------------------------------------------------------------------------


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _delete(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target = document
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return change


def _duplicate_channel(document: dict[str, Any]) -> None:
    document["channels"][1]["id"] = "new-users"


def _swap_release_days(document: dict[str, Any]) -> None:
    document["editions"][1]["released_on"] = "2022-06-20"


def _many_editions(document: dict[str, Any]) -> None:
    template = document["editions"][0]
    start = dt.date(2022, 1, 1)
    document["editions"] = [
        {
            **template,
            "id": f"e{number}",
            "released_on": (start + dt.timedelta(days=number)).isoformat(),
            "entrants": f"entrants/e{number}.csv",
        }
        for number in range(257)
    ]


INVALID_CAMPAIGNS = [
    ("unknown top-level key", _set(["colour"], "red"), "colour", "Unknown key 'colour'"),
    (
        "misspelt rule",
        _set(["channels", 1, "rules", "min_course_point"], 120),
        "channels[1].rules.min_course_point",
        "Allowed keys here: registered_from, registered_before, min_wallet_tier, min_course_points",
    ),
    (
        "missing supply",
        _delete(["editions", 0, "supply"]),
        "editions[0].supply",
        "Missing required key",
    ),
    ("missing series", _delete(["series"]), "series", "Missing required key 'series'"),
    ("shares above one", _set(["channels", 0, "share"], 0.31), "channels", "add up to 1.01"),
    ("shares below one", _set(["channels", 1, "share"], 0.6), "channels", "add up to 0.9"),
    ("zero share", _set(["channels", 0, "share"], 0), "channels[0].share", "greater than 0"),
    ("duplicate channel id", _duplicate_channel, "channels[1].id", "already used by channels[0]"),
    (
        "duplicate edition id",
        _set(["editions", 1, "id"], "xiazhi"),
        "editions[1].id",
        "already used by editions[0]",
    ),
    ("zero supply", _set(["editions", 0, "supply"], 0), "editions[0].supply", "got 0"),
    ("text supply", _set(["editions", 0, "supply"], "many"), "editions[0].supply", "valid integer"),
    (
        "editions out of order",
        _swap_release_days,
        "editions[1].released_on",
        "not after edition xiazhi",
    ),
    (
        "inverted window",
        _set(
            ["editions", 0, "window"],
            {"opens": "2022-06-25T00:00:00", "closes": "2022-06-22T00:00:00"},
        ),
        "editions[0].window",
        "not after it opens",
    ),
    (
        "overlapping windows",
        _set(["editions", 0, "window"], {"closes": "2022-07-10T00:00:00"}),
        "editions[1].window",
        "Windows must not overlap",
    ),
    ("too many editions", _many_editions, "editions", "more than 256"),
    (
        "missing language",
        _delete(["channels", 0, "name", "en"]),
        "channels[0].name",
        "Missing text in en",
    ),
    ("undeclared language", _set(["title", "fr"], "Termes solaires"), "title", "Text in fr"),
    (
        "empty text",
        _set(["editions", 1, "name", "zh"], "  "),
        "editions[1].name.zh",
        "at least 1 character",
    ),
    (
        "unknown timezone",
        _set(["timezone"], "Mars/Olympus"),
        "timezone",
        "Unknown time zone 'Mars/Olympus'",
    ),
    (
        "invalid slug",
        _set(["editions", 0, "id"], "Xia Zhi"),
        "editions[0].id",
        "'Xia Zhi' is not a valid id",
    ),
    ("unknown randomness", _set(["randomness"], "dice"), "randomness", "'vrf' or 'commit-reveal'"),
    (
        "registration range inverted",
        _set(["channels", 0, "rules", "registered_before"], "2022-05-01"),
        "channels[0].rules",
        "is not before registered_before",
    ),
    (
        "too few planned designs",
        _set(["planned_designs"], 1),
        "planned_designs",
        "fewer than the 2",
    ),
    (
        "lower-case secret variable",
        _set(["privacy", "secret_env"], "secret"),
        "privacy.secret_env",
        "'secret' is not an environment variable name",
    ),
    ("nine channels", _set(["channels"], [{}] * 9), "channels", "at most 8 items"),
]


@pytest.mark.parametrize(
    ("change", "key_path", "fragment"),
    [case[1:] for case in INVALID_CAMPAIGNS],
    ids=[case[0] for case in INVALID_CAMPAIGNS],
)
def test_load_campaign_rejects_invalid_campaign(
    campaign_data: dict[str, Any],
    write_campaign: WriteCampaign,
    change: Callable[[dict[str, Any]], None],
    key_path: str,
    fragment: str,
) -> None:
    change(campaign_data)

    assert_problem(write_campaign(campaign_data), key_path, fragment)


def test_load_campaign_reports_missing_files(campaign_file: Path) -> None:
    (campaign_file.parent / "artwork/xiaoshu.svg").unlink()
    (campaign_file.parent / "blocked.txt").unlink()

    problems = problems_of(campaign_file)

    keys = {problem[0] for problem in problems}
    assert keys == {"editions[1].artwork", "blocked_addresses"}
    assert any("'artwork/xiaoshu.svg' not found" in problem[2] for problem in problems)


def test_load_campaign_lists_every_problem(
    campaign_data: dict[str, Any], write_campaign: WriteCampaign
) -> None:
    campaign_data["editions"][0]["supply"] = 0
    campaign_data["editions"][1]["supply"] = -5
    campaign_data["colour"] = "red"

    problems = problems_of(write_campaign(campaign_data))

    assert {problem[0] for problem in problems} == {
        "editions[0].supply",
        "editions[1].supply",
        "colour",
    }


# -- YAML syntax and line numbers ---------------------------------------------------------------

LOCATED_YAML = """\
name: palace-solar-terms-2022
title: {zh: 节气, en: Solar terms}
timezone: Asia/Shanghai
series:
  name: Palace Solar Terms
  symbol: MERITST22
  description: {zh: 徽章, en: Badges}
  recovery_delay_hours: 72
randomness: commit-reveal
channels:
  - id: learners
    name: {zh: 学习者, en: Learners}
    share: 1
editions:
  - id: xiazhi
    name: {zh: 夏至, en: Summer Solstice}
    released_on: 2022-06-21
    supply: 0
    entrants: entrants/xiazhi.csv
    artwork: artwork/xiazhi.svg
    colour: red
planned_designs: 16
"""


def test_problems_carry_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "entrants").mkdir()
    (tmp_path / "artwork").mkdir()
    (tmp_path / "entrants/xiazhi.csv").write_text("user_ref,address,channel\n")
    (tmp_path / "artwork/xiazhi.svg").write_text("")
    path = tmp_path / "campaign.yaml"
    path.write_text(LOCATED_YAML, encoding="utf-8")

    problems = {key: line for key, line, _ in problems_of(path)}

    assert problems == {"editions[0].supply": 18, "editions[0].colour": 21}


def test_malformed_yaml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_text("name: demo\nchannels: [learners\neditions: []\n", encoding="utf-8")

    [(key, line, message)] = problems_of(path)

    assert key == ""
    assert line == 3
    assert "Invalid YAML" in message


def test_duplicate_yaml_key_is_reported(campaign_file: Path) -> None:
    text = campaign_file.read_text(encoding="utf-8")
    campaign_file.write_text(text + "planned_designs: 20\n", encoding="utf-8")

    problems = problems_of(campaign_file)

    assert ("planned_designs", len(text.splitlines()) + 1) in {(p[0], p[1]) for p in problems}
    assert any("appears twice" in p[2] for p in problems)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "The file is empty"), ("- a\n- b\n", "not a mapping"), ("just text\n", "not a mapping")],
    ids=["empty", "list", "scalar"],
)
def test_non_mapping_document_is_rejected(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")

    problems = problems_of(path)

    assert any(fragment in p[2] for p in problems), problems


def test_missing_campaign_file_is_reported(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nowhere.yaml")

    assert "not found" in problems[0][2]


# -- blocked addresses and the secret -----------------------------------------------------------


def test_blocked_addresses_are_normalised(tmp_path: Path) -> None:
    address = make_address(1)
    path = tmp_path / "blocked.txt"
    path.write_text(f"# fraud cases\n{address.lower()}\n\n{make_address(2)}  # chargeback\n")

    assert load_blocked_addresses(path) == {address, make_address(2)}


def test_blocked_addresses_reject_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "blocked.txt"
    path.write_text(f"{make_address(1)}\n0x1234\n")

    with pytest.raises(CampaignFileError) as caught:
        load_blocked_addresses(path)

    [problem] = caught.value.problems
    assert problem.line == 2
    assert "'0x1234' is not an address" in problem.message


def test_secret_is_read_from_environment(campaign_file: Path) -> None:
    campaign = load_campaign(campaign_file)
    secret = "x" * 40

    assert campaign.privacy.load_secret({"MERIT_HMAC_SECRET": secret}) == secret.encode()


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [({}, "is not set"), ({"MERIT_HMAC_SECRET": "short-secret"}, "contains 12 bytes")],
    ids=["unset", "short"],
)
def test_secret_errors_hide_value(
    campaign_file: Path, environ: dict[str, str], fragment: str
) -> None:
    campaign = load_campaign(campaign_file)

    with pytest.raises(PrivacySecretError) as caught:
        campaign.privacy.load_secret(environ)

    assert fragment in str(caught.value)
    assert "short-secret" not in str(caught.value)


# -- quota planning -----------------------------------------------------------------------------


def channels_with(*shares: float) -> list[Channel]:
    return [
        Channel(id=f"c{position}", name={"en": f"Channel {position}"}, share=share)
        for position, share in enumerate(shares)
    ]


QUOTA_CASES = [
    ("both channels full", (0.3, 0.7), 400, (1000, 1000), (120, 280)),
    ("short first channel", (0.3, 0.7), 400, (50, 1000), (50, 350)),
    ("short last channel", (0.3, 0.7), 400, (1000, 100), (300, 100)),
    ("both channels short", (0.3, 0.7), 400, (50, 100), (50, 100)),
    ("empty channel", (0.3, 0.7), 400, (0, 1000), (0, 400)),
    ("decimal share", (0.29, 0.71), 100, (100, 100), (29, 71)),
    ("remainder to last", (0.3333333333, 0.3333333333, 0.3333333334), 10, (10, 10, 10), (3, 3, 4)),
    ("surplus in channel order", (0.5, 0.25, 0.25), 8, (1, 9, 9), (1, 5, 2)),
    ("single channel", (1.0,), 7, (3,), (3,)),
]


@pytest.mark.parametrize(
    ("shares", "supply", "counts", "expected"),
    [case[1:] for case in QUOTA_CASES],
    ids=[case[0] for case in QUOTA_CASES],
)
def test_plan_quotas_table(
    shares: tuple[float, ...], supply: int, counts: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    channels = channels_with(*shares)
    entrant_counts = {channel.id: count for channel, count in zip(channels, counts)}

    quotas = plan_quotas(channels, supply, entrant_counts)

    assert tuple(quotas.values()) == expected
    assert list(quotas) == [channel.id for channel in channels]


def test_campaign_plan_quotas_uses_edition_supply(campaign_file: Path) -> None:
    campaign = load_campaign(campaign_file)

    assert campaign.plan_quotas("xiazhi", {"new-users": 10, "learners": 900}) == {
        "new-users": 10,
        "learners": 390,
    }


def test_plan_quotas_rejects_unknown_channel() -> None:
    channels = channels_with(0.5, 0.5)

    with pytest.raises(CampaignLookupError, match="missing \\['c1'\\], unknown \\['staff'\\]"):
        plan_quotas(channels, 10, {"c0": 5, "staff": 5})


def test_plan_quotas_rejects_negative_count() -> None:
    with pytest.raises(DrawParameterError, match="negative"):
        plan_quotas(channels_with(1.0), 10, {"c0": -1})


@st.composite
def quota_problems(draw: st.DrawFn) -> tuple[list[Channel], int, dict[str, int]]:
    weights = draw(st.lists(st.integers(1, 1000), min_size=1, max_size=8))
    total = sum(weights)
    shares = [weight / total for weight in weights[:-1]]
    shares.append(1 - math.fsum(shares))
    channels = channels_with(*shares)
    supply = draw(st.integers(0, 100_000))
    counts = {channel.id: draw(st.integers(0, 50_000)) for channel in channels}
    return channels, supply, counts


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(quota_problems())
def test_plan_quotas_invariants(problem: tuple[list[Channel], int, dict[str, int]]) -> None:
    channels, supply, counts = problem

    quotas = plan_quotas(channels, supply, counts)

    assert sum(quotas.values()) == min(supply, sum(counts.values()))
    for channel in channels:
        assert 0 <= quotas[channel.id] <= counts[channel.id]
    base = [math.floor(Decimal(repr(channel.share)) * supply) for channel in channels]
    base[-1] += supply - sum(base)
    if all(counts[channel.id] >= share for channel, share in zip(channels, base)):
        assert list(quotas.values()) == base


def test_campaign_model_validates_without_file(
    campaign_data: dict[str, Any], tmp_path: Path
) -> None:
    campaign_data.pop("blocked_addresses")
    for edition in campaign_data["editions"]:
        for key in ("entrants", "artwork"):
            target = tmp_path / edition[key]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("")

    campaign = Campaign.model_validate(campaign_data, context={"base_dir": tmp_path})

    assert campaign.base_dir == tmp_path
    assert campaign.load_blocked_addresses() == frozenset()


def test_window_problems_listed_with_others(
    campaign_data: dict[str, Any], write_campaign: WriteCampaign
) -> None:
    campaign_data["channels"][0]["share"] = 0.5
    campaign_data["editions"][0]["window"] = {"closes": "2022-06-20T00:00:00"}

    problems = problems_of(write_campaign(campaign_data))

    assert {problem[0] for problem in problems} == {"channels", "editions[0].window"}
