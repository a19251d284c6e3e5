"""Helpers shared by the SDK tests: the base campaign, deterministic addresses, CSV writing."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eth_utils import keccak, to_checksum_address

SECRET = b"merit-test-secret-0123456789abcdef"

BASE_CAMPAIGN: dict[str, Any] = {
    "name": "palace-solar-terms-2022",
    "title": {"zh": "故宫节气徽章 2022", "en": "Palace Solar Terms 2022"},
    "timezone": "Asia/Shanghai",
    "series": {
        "name": "Palace Solar Terms 2022",
        "symbol": "MERITST22",
        "description": {"zh": "二十四节气学习徽章", "en": "Learning badges for the solar terms"},
        "recovery_delay_hours": 72,
    },
    "randomness": "vrf",
    "channels": [
        {
            "id": "new-users",
            "name": {"zh": "新注册用户", "en": "New registrations with a bank wallet"},
            "share": 0.30,
            "rules": {"registered_from": "2022-06-01", "min_wallet_tier": 2},
        },
        {
            "id": "learners",
            "name": {"zh": "课程学习者", "en": "Course learners"},
            "share": 0.70,
            "rules": {"min_course_points": 120},
        },
    ],
    "editions": [
        {
            "id": "xiazhi",
            "name": {"zh": "夏至", "en": "Summer Solstice"},
            "released_on": "2022-06-21",
            "supply": 400,
            "entrants": "entrants/xiazhi.csv",
            "artwork": "artwork/xiazhi.svg",
        },
        {
            "id": "xiaoshu",
            "name": {"zh": "小暑", "en": "Minor Heat"},
            "released_on": "2022-07-07",
            "supply": 400,
            "entrants": "entrants/xiaoshu.csv",
            "artwork": "artwork/xiaoshu.svg",
        },
    ],
    "planned_designs": 16,
    "blocked_addresses": "blocked.txt",
    "privacy": {"secret_env": "MERIT_HMAC_SECRET"},
}

ENTRANT_HEADER = ("user_ref", "address", "channel", "registered_at", "wallet_tier", "course_points")


def make_address(seed: int) -> str:
    """Return a deterministic EIP-55 address derived from `seed`."""
    return str(to_checksum_address(keccak(seed.to_bytes(32, "big"))[12:]))


def write_entrants(
    path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = ENTRANT_HEADER
) -> Path:
    """Write an entrant CSV file with LF line ends and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path
