"""Fixtures of the reliability tests: a private anvil node and a small campaign run against it
for the fault tests, and a draw with a Chainlink VRF source on the session's chain for the
attack and bad-call tests."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak, to_checksum_address
from reliability_support import AnvilNode, CampaignUnderTest, write_campaign

from merit.merkle import EntrantTree


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


# ---------------------------------------------------------------------------------------------
# Contracts on the session's chain, for the attack and bad-call tests (marked `chain`)
# ---------------------------------------------------------------------------------------------

DRAW_ADMIN_DELAY = 3 * 24 * 3600
VRF_KEY_HASH = keccak(text="merit reliability gas lane")
ZERO_BYTES32 = b"\x00" * 32


@dataclass(frozen=True)
class SeededRound:
    """A round committed and seeded on the session's chain, with one tree per pool."""

    round_id: int
    trees: tuple[EntrantTree, ...]
    accounts: tuple[tuple[str, ...], ...]


@pytest.fixture(scope="session")
def reliability_draw(project, series, admin, issuer):
    """A draw contract of its own on the shared series, with ISSUER_ROLE granted to `issuer`."""
    draw = project.BadgeDraw.deploy(series, admin, DRAW_ADMIN_DELAY, sender=admin)
    draw.grantRole(draw.ISSUER_ROLE(), issuer, sender=admin)
    series.grantRole(series.MINTER_ROLE(), draw, sender=admin)
    return draw


@pytest.fixture(scope="session")
def reliability_coordinator(project, admin):
    """Chainlink's VRF v2.5 coordinator mock."""
    return project.VrfCoordinatorMock.deploy(10**15, 10**9, 4 * 10**15, sender=admin)


@pytest.fixture(scope="session")
def reliability_vrf_source(project, reliability_draw, reliability_coordinator, admin):
    """A Chainlink VRF source of `reliability_draw`, funded, owned by the draw and allow-listed."""
    coordinator = reliability_coordinator
    receipt = coordinator.createSubscription(sender=admin)
    subscription = int(receipt.events.filter(coordinator.SubscriptionCreated)[0].subId)
    coordinator.fundSubscriptionWithNative(subscription, value=100 * 10**18, sender=admin)
    config = (VRF_KEY_HASH, subscription, 3, 200_000, True)
    source = project.ChainlinkVrfSource.deploy(coordinator, reliability_draw, config, sender=admin)
    coordinator.addConsumer(subscription, source, sender=admin)
    reliability_draw.acceptSourceOwnership(source, sender=admin)
    reliability_draw.allowRandomnessSource(source, sender=admin)
    return source


@pytest.fixture
def commit_round(reliability_draw, reliability_vrf_source, create_edition, issuer, chain) -> Callable[..., int]:
    """Creates an edition and commits a round of `pools` ((tree, winners) pairs); returns its id."""

    def commit(pools: Sequence[tuple[EntrantTree, int]], cap: int | None = None, source: Any = None) -> int:
        round_id = create_edition(cap=sum(winners for _, winners in pools) if cap is None else cap)
        manifest = (
            chain.pending_timestamp + 3600,
            1,
            hashlib.sha256(b"entrant files").digest(),
            "ipfs://entrants",
            reliability_vrf_source if source is None else source,
            ZERO_BYTES32,
            [(tree.root, len(tree), winners) for tree, winners in pools],
        )
        reliability_draw.commitRound(round_id, manifest, sender=issuer)
        return round_id

    return commit


@pytest.fixture
def seed_round(reliability_draw, reliability_coordinator, reliability_vrf_source, stranger, chain) -> Callable[[int], None]:
    """Requests the seed of a committed VRF round after its close time and has the mock answer."""

    def seed(round_id: int) -> None:
        chain.pending_timestamp += 3600
        receipt = reliability_draw.requestRandomness(round_id, sender=stranger)
        request_id = int(receipt.events.filter(reliability_draw.RandomnessRequested)[0].requestId)
        reliability_coordinator.fulfillRandomWords(request_id, reliability_vrf_source, sender=stranger)
        assert int(reliability_draw.roundState(round_id)) == 3

    return seed


@pytest.fixture
def all_win_round(commit_round, seed_round) -> Callable[..., SeededRound]:
    """Commits and seeds a round whose pools have the given accounts, every entrant winning, so
    that only the proof decides a claim."""

    def make(*pools: Sequence[str]) -> SeededRound:
        trees = tuple(EntrantTree.from_addresses(list(accounts)) for accounts in pools)
        round_id = commit_round([(tree, len(tree)) for tree in trees])
        seed_round(round_id)
        return SeededRound(round_id, trees, tuple(tuple(accounts) for accounts in pools))

    return make


def derived_accounts(count: int, tag: str) -> list[str]:
    """Return `count` distinct checksummed addresses derived from `tag` (no known keys)."""
    return [to_checksum_address(keccak(text=f"{tag}:{index}")[-20:]) for index in range(count)]
