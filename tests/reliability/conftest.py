"""Fixtures of the fault tests: a private anvil node and a small campaign run against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_support import AnvilNode, CampaignUnderTest, write_campaign


@pytest.fixture
def anvil(tmp_path: Path) -> Iterator[AnvilNode]:
    """An anvil node of this test alone, on a free loopback port, stopped after the test."""
    node = AnvilNode(tmp_path)
    node.start()
    yield node
    node.stop()


@pytest.fixture
def campaign_on(tmp_path: Path) -> Callable[..., CampaignUnderTest]:
    """Writes a campaign (keyword arguments as `write_campaign`) to run against a given node."""

    def make(node: AnvilNode, **options: object) -> CampaignUnderTest:
        name = str(options.setdefault("name", "reliability"))
        campaign_file = write_campaign(tmp_path / "campaign", **options)  # type: ignore[arg-type]
        return CampaignUnderTest(
            node=node,
            campaign_file=campaign_file,
            name=name,
            out=tmp_path / "out",
            deployments=tmp_path / "deployments",
        )

    return make


@pytest.fixture
def campaign(anvil: AnvilNode, campaign_on: Callable[..., CampaignUnderTest]) -> CampaignUnderTest:
    """The default campaign (one edition, 42 entrants, 10 winners) on this test's anvil."""
    return campaign_on(anvil)
