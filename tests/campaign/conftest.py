"""A small campaign written to a temporary folder, for tests of deployment and campaign steps."""

from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account import Account

from merit.campaign import Campaign, load_campaign

HMAC_SECRET = "test-secret-with-at-least-32-bytes-of-length"

CAMPAIGN_YAML = """\
name: {name}
title: {{zh: 测试活动, en: Test campaign}}
timezone: Asia/Shanghai
series:
  name: Test Solar Terms
  symbol: TESTST
  description: {{zh: 测试系列, en: Test series}}
  recovery_delay_hours: 72
randomness: {randomness}
channels:
  - id: new-users
    name: {{zh: 新注册用户, en: New registrations}}
    share: 0.3
    rules: {{registered_from: 2022-06-01, min_wallet_tier: 2}}
  - id: learners
    name: {{zh: 课程学习者, en: Course learners}}
    share: 0.7
    rules: {{min_course_points: 100}}
editions:
{editions}
planned_designs: 4
privacy: {{secret_env: MERIT_TEST_SECRET}}
"""

EDITION_YAML = """\
  - id: {id}
    name: {{zh: {zh}, en: {en}}}
    released_on: {date}
    supply: {supply}
    entrants: entrants/{id}.csv
    artwork: artwork/{id}.svg
"""

EDITIONS = [
    ("xiazhi", "夏至", "Summer Solstice", "2022-06-21"),
    ("dashu", "大暑", "Major Heat", "2022-07-23"),
    ("liqiu", "立秋", "Start of Autumn", "2022-08-07"),
]


def learner_address(number: int) -> str:
    return Account.from_key((number + 1).to_bytes(32, "big")).address


def write_campaign(
    folder: Path,
    *,
    name: str = "test-campaign",
    editions: int = 2,
    new_users: int = 12,
    learners: int = 30,
    supply: int = 20,
    randomness: str = "vrf",
) -> Path:
    """Write a campaign with `editions` editions and synthetic entrants; return the file."""
    (folder / "entrants").mkdir(parents=True, exist_ok=True)
    (folder / "artwork").mkdir(exist_ok=True)
    edition_blocks = []
    for position, (edition_id, zh, en, date) in enumerate(EDITIONS[:editions]):
        edition_blocks.append(EDITION_YAML.format(id=edition_id, zh=zh, en=en, date=date, supply=supply))
        rows = ["user_ref,address,channel,registered_at,wallet_tier,course_points"]
        for number in range(new_users):
            person = position * 1000 + number
            rows.append(f"N-{person},{learner_address(person)},new-users,2022-06-05,2,")
        for number in range(learners):
            person = 500 + position * 1000 + number
            rows.append(f"L-{person},{learner_address(person)},learners,,,{120 + number}")
        (folder / "entrants" / f"{edition_id}.csv").write_text("\n".join(rows) + "\n", "utf-8")
        (folder / "artwork" / f"{edition_id}.svg").write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><title>{en}</title></svg>\n', "utf-8"
        )
    path = folder / "campaign.yaml"
    path.write_text(
        CAMPAIGN_YAML.format(name=name, randomness=randomness, editions="".join(edition_blocks)), "utf-8"
    )
    return path


@pytest.fixture
def hmac_secret(monkeypatch) -> str:
    monkeypatch.setenv("MERIT_TEST_SECRET", HMAC_SECRET)
    return HMAC_SECRET


@pytest.fixture
def campaign_factory(tmp_path, hmac_secret) -> Callable[..., Campaign]:
    """Writes and loads a test campaign; keyword arguments as `write_campaign`."""

    def make(**options) -> Campaign:
        folder = tmp_path / options.get("name", "test-campaign")
        return load_campaign(write_campaign(folder, **options))

    return make
