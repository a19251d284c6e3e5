"""Fixtures for the SDK tests: a campaign folder on disk.

The SDK tests need no chain. They read and write real files under pytest's tmp_path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from sdk_support import BASE_CAMPAIGN, ENTRANT_HEADER


@pytest.fixture
def campaign_data() -> dict[str, Any]:
    """A deep copy of the base campaign document, for a test to modify."""
    return copy.deepcopy(BASE_CAMPAIGN)


@pytest.fixture
def write_campaign(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write a campaign document and every file it references; return the campaign file."""

    def write(document: dict[str, Any]) -> Path:
        for edition in document.get("editions", []):
            for key in ("entrants", "artwork"):
                if isinstance(edition, dict) and isinstance(edition.get(key), str):
                    target = tmp_path / edition[key]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if not target.exists():
                        target.write_text(
                            "" if key == "artwork" else ",".join(ENTRANT_HEADER) + "\n"
                        )
        blocked = document.get("blocked_addresses")
        if isinstance(blocked, str) and not (tmp_path / blocked).exists():
            (tmp_path / blocked).write_text("# addresses that never enter\n")
        path = tmp_path / "campaign.yaml"
        path.write_text(
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return path

    return write


@pytest.fixture
def campaign_file(
    campaign_data: dict[str, Any], write_campaign: Callable[[dict[str, Any]], Path]
) -> Path:
    """The base campaign written to disk with empty entrant files and artwork."""
    return write_campaign(campaign_data)
