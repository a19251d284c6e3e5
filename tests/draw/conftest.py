"""Fixtures for the draw tests: a draw contract on the shared series, both randomness sources,
and builders for rounds and seeds.

Pools are real Merkle trees built with the SDK's `merit.merkle.EntrantTree`, which matches
`@openzeppelin/merkle-tree`; the VRF source runs against Chainlink's own `VRFCoordinatorV2_5Mock`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from draw_support import (
    DRAW_ADMIN_DELAY,
    HOUR,
    VRF_BASE_FEE,
    VRF_GAS_PRICE,
    VRF_SUBSCRIPTION_FUNDS,
    VRF_WEI_PER_UNIT_LINK,
    ZERO_BYTES32,
    Pool,
    Round,
    round_manifest,
    vrf_config,
)


@pytest.fixture(scope="session")
def draw(project, series, admin, issuer):
    """A draw contract with MINTER_ROLE on the series and ISSUER_ROLE granted to `issuer`."""
    contract = project.BadgeDraw.deploy(series, admin, DRAW_ADMIN_DELAY, sender=admin)
    contract.grantRole(contract.ISSUER_ROLE(), issuer, sender=admin)
    series.grantRole(series.MINTER_ROLE(), contract, sender=admin)
    return contract


@pytest.fixture(scope="session")
def vrf_coordinator(project, admin):
    """Chainlink's VRF v2.5 coordinator mock, deployed through the project's pass-through."""
    return project.VrfCoordinatorMock.deploy(VRF_BASE_FEE, VRF_GAS_PRICE, VRF_WEI_PER_UNIT_LINK, sender=admin)


@pytest.fixture(scope="session")
def vrf_subscription(vrf_coordinator, admin) -> int:
    """A subscription owned by `admin`, funded with native tokens; returns its id."""
    receipt = vrf_coordinator.createSubscription(sender=admin)
    subscription_id = int(receipt.events.filter(vrf_coordinator.SubscriptionCreated)[0].subId)
    vrf_coordinator.fundSubscriptionWithNative(subscription_id, value=VRF_SUBSCRIPTION_FUNDS, sender=admin)
    return subscription_id


@pytest.fixture(scope="session")
def vrf_source(project, draw, vrf_coordinator, vrf_subscription, admin):
    """A Chainlink VRF source owned by the draw, allow-listed and added as a consumer."""
    source = project.ChainlinkVrfSource.deploy(vrf_coordinator, draw, vrf_config(vrf_subscription), sender=admin)
    vrf_coordinator.addConsumer(vrf_subscription, source, sender=admin)
    draw.acceptSourceOwnership(source, sender=admin)
    draw.allowRandomnessSource(source, sender=admin)
    return source


@pytest.fixture(scope="session")
def commit_reveal_source(project, draw, admin):
    """A commit–reveal source, allow-listed on the draw."""
    source = project.CommitRevealSource.deploy(draw, sender=admin)
    draw.allowRandomnessSource(source, sender=admin)
    return source


@pytest.fixture
def commit_round(draw, issuer, create_edition, vrf_source, chain) -> Callable[..., Round]:
    """Creates an edition and commits a round for it; returns the round as published.

    The edition's cap defaults to the sum of the winners, and the close time to one hour ahead.
    """

    def commit(
        pools: tuple[Pool, ...],
        source: Any = None,
        commitment: bytes = ZERO_BYTES32,
        cap: int | None = None,
        close_delay: int = HOUR,
    ) -> Round:
        source = vrf_source if source is None else source
        round_id = create_edition(cap=sum(pool.winners for pool in pools) if cap is None else cap)
        close_time = chain.pending_timestamp + close_delay
        manifest = round_manifest(pools, source, close_time, commitment)
        receipt = draw.commitRound(round_id, manifest, sender=issuer)
        first_serial = int(receipt.events.filter(draw.RoundCommitted)[0].firstSerial)
        return Round(round_id, tuple(pools), close_time, source, commitment, first_serial)

    return commit


@pytest.fixture
def request_randomness(draw, stranger, chain) -> Callable[[Round], int]:
    """Moves time to the round's close and requests its seed; returns the request id, read
    from the draw's event."""

    def request(round_: Round) -> int:
        if chain.pending_timestamp < round_.close_time:
            chain.pending_timestamp = round_.close_time
        receipt = draw.requestRandomness(round_.round_id, sender=stranger)
        return int(receipt.events.filter(draw.RandomnessRequested)[0].requestId)

    return request


@pytest.fixture
def fulfil_vrf(draw, vrf_coordinator, vrf_source, stranger) -> Callable[..., Any]:
    """Has the coordinator mock fulfil a request and checks the mock's `success` flag, which the
    mock reports but does not enforce. Returns the receipt."""

    def fulfil(request_id: int, words: list[int] | None = None, consumer: Any = None) -> Any:
        consumer = vrf_source if consumer is None else consumer
        if words is None:
            receipt = vrf_coordinator.fulfillRandomWords(request_id, consumer, sender=stranger)
        else:
            receipt = vrf_coordinator.fulfillRandomWordsWithOverride(request_id, consumer, words, sender=stranger)
        fulfilled = receipt.events.filter(vrf_coordinator.RandomWordsFulfilled)
        assert len(fulfilled) == 1
        assert fulfilled[0].requestId == request_id
        # The mock reports whether the consumer's callback reverted but does not enforce it.
        assert fulfilled[0].success, f"the callback of request {request_id} reverted"
        return receipt

    return fulfil


@pytest.fixture
def seed_with_vrf(draw, request_randomness, fulfil_vrf) -> Callable[..., int]:
    """Requests and fulfils the seed of a VRF round; returns the seed from `SeedDelivered`."""

    def seed(round_: Round, word: int | None = None) -> int:
        request_id = request_randomness(round_)
        receipt = fulfil_vrf(request_id, None if word is None else [word])
        delivered = receipt.events.filter(draw.SeedDelivered)
        assert len(delivered) == 1
        assert delivered[0].roundId == round_.round_id
        assert delivered[0].requestId == request_id
        return int(delivered[0].seed)

    return seed


@pytest.fixture
def winners_of(draw) -> Callable[[Round, int], list[int]]:
    """Lists the winning entrant indices of a pool in rank order, through `nthWinner`."""

    def winners(round_: Round, pool: int) -> list[int]:
        return [draw.nthWinner(round_.round_id, pool, rank) for rank in range(round_.pools[pool].winners)]

    return winners


@pytest.fixture
def loser_of(draw) -> Callable[[Round, int], int]:
    """Returns the lowest entrant index of a pool that did not win."""

    def loser(round_: Round, pool: int) -> int:
        for index in range(round_.pools[pool].entrants):
            won, _ = draw.isWinner(round_.round_id, pool, index)
            if not won:
                return index
        raise AssertionError(f"Every entrant of pool {pool} won; give the pool more entrants than winners.")

    return loser
