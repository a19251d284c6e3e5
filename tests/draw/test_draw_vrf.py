"""The Chainlink VRF source against Chainlink's own coordinator mock: subscription, request,
fulfilment, the single retry after 25 hours, ignored fulfilments and the source's guards."""

from __future__ import annotations

import ape
import pytest
from draw_support import (
    HOUR,
    VRF_CALLBACK_GAS_LIMIT,
    VRF_CONFIRMATIONS,
    VRF_KEY_HASH,
    VRF_REQUEST_TIMEOUT,
    ZERO_BYTES32,
    RoundState,
    make_pool,
    round_manifest,
    vrf_config,
)
from eth_abi import encode
from eth_utils import keccak

pytestmark = pytest.mark.chain

# IChainlinkVrfSource.FulfilmentIgnoredReason
UNKNOWN_REQUEST = 0
REQUEST_LAPSED = 1


@pytest.fixture
def vrf_round(commit_round):
    """A committed two-pool round that takes its seed from the VRF source."""
    return commit_round((make_pool(12, 3, "vrf-a"), make_pool(9, 2, "vrf-b")))


def mock_word(request_id: int) -> int:
    """The word that the mock delivers without an override: keccak256(abi.encode(requestId, 0))."""
    return int.from_bytes(keccak(encode(["uint256", "uint256"], [request_id, 0])), "big")


def permutation_key(seed: int) -> int:
    return int.from_bytes(keccak(encode(["uint256"], [seed])), "big") & ((1 << 128) - 1)


def test_request_goes_to_coordinator(draw, vrf_coordinator, vrf_source, vrf_subscription, vrf_round, stranger, chain):
    chain.pending_timestamp = vrf_round.close_time

    receipt = draw.requestRandomness(vrf_round.round_id, sender=stranger)

    requested = receipt.events.filter(draw.RandomnessRequested)
    assert len(requested) == 1
    assert requested[0].roundId == vrf_round.round_id
    assert requested[0].source == vrf_source.address
    assert requested[0].attempt == 1
    request_id = requested[0].requestId
    words_requested = receipt.events.filter(vrf_coordinator.RandomWordsRequested)
    assert len(words_requested) == 1
    assert words_requested[0].requestId == request_id
    assert words_requested[0].keyHash == VRF_KEY_HASH
    assert words_requested[0].subId == vrf_subscription
    assert words_requested[0].minimumRequestConfirmations == VRF_CONFIRMATIONS
    assert words_requested[0].callbackGasLimit == VRF_CALLBACK_GAS_LIMIT
    assert words_requested[0].numWords == 1
    assert words_requested[0].sender == vrf_source.address
    assert receipt.events.filter(vrf_source.SeedRequested)[0].requestId == request_id

    stored = draw.getRound(vrf_round.round_id)
    assert stored.state == RoundState.REQUESTED
    assert stored.attempts == 1
    assert list(stored.requestIds) == [request_id, 0]
    round_id, requested_at, delivered = vrf_source.request(request_id)
    assert (round_id, requested_at, delivered) == (vrf_round.round_id, vrf_round.close_time, False)


def test_fulfilment_seeds_round(draw, vrf_source, vrf_round, request_randomness, fulfil_vrf):
    request_id = request_randomness(vrf_round)

    receipt = fulfil_vrf(request_id)

    delivered = receipt.events.filter(draw.SeedDelivered)
    assert len(delivered) == 1
    assert delivered[0].roundId == vrf_round.round_id
    assert delivered[0].requestId == request_id
    assert delivered[0].seed == mock_word(request_id)
    stored = draw.getRound(vrf_round.round_id)
    assert stored.state == RoundState.SEEDED
    assert stored.permutationKey == permutation_key(mock_word(request_id))
    assert vrf_source.request(request_id)[2] is True


def test_fulfilment_with_chosen_word(draw, vrf_round, request_randomness, fulfil_vrf):
    word = 2**256 - 1
    request_id = request_randomness(vrf_round)

    receipt = fulfil_vrf(request_id, [word])

    assert receipt.events.filter(draw.SeedDelivered)[0].seed == word
    assert draw.getRound(vrf_round.round_id).permutationKey == permutation_key(word)


def test_request_rejected_while_pending(draw, vrf_round, request_randomness, stranger, chain):
    request_id = request_randomness(vrf_round)
    chain.pending_timestamp += VRF_REQUEST_TIMEOUT - 10

    with ape.reverts(draw.DrawRequestPending, roundId=vrf_round.round_id, requestId=request_id):
        draw.requestRandomness(vrf_round.round_id, sender=stranger)


def test_request_rejected_after_seed(draw, vrf_round, seed_with_vrf, stranger):
    seed_with_vrf(vrf_round)

    with ape.reverts(draw.DrawRoundNotRequestable, roundId=vrf_round.round_id, state=RoundState.SEEDED):
        draw.requestRandomness(vrf_round.round_id, sender=stranger)


def test_retry_after_timeout(draw, vrf_source, vrf_round, request_randomness, fulfil_vrf, stranger, chain):
    first = request_randomness(vrf_round)
    chain.pending_timestamp += VRF_REQUEST_TIMEOUT
    chain.mine()
    assert vrf_source.requestLapsed(first) is True
    assert draw.roundState(vrf_round.round_id) == RoundState.REQUESTED

    receipt = draw.requestRandomness(vrf_round.round_id, sender=stranger)

    requested = receipt.events.filter(draw.RandomnessRequested)[0]
    assert requested.attempt == 2
    second = requested.requestId
    assert second != first
    assert list(draw.getRound(vrf_round.round_id).requestIds) == [first, second]

    # The lapsed first request no longer counts: its late fulfilment is ignored by the source.
    late = fulfil_vrf(first)
    ignored = late.events.filter(vrf_source.VrfFulfilmentIgnored)
    assert [(event.requestId, event.reason) for event in ignored] == [(first, REQUEST_LAPSED)]
    assert late.events.filter(draw.SeedDelivered) == []
    assert draw.roundState(vrf_round.round_id) == RoundState.REQUESTED

    delivered = fulfil_vrf(second).events.filter(draw.SeedDelivered)
    assert [(event.requestId, event.seed) for event in delivered] == [(second, mock_word(second))]
    assert draw.roundState(vrf_round.round_id) == RoundState.SEEDED


def test_retry_keeps_manifest(draw, vrf_round, request_randomness, stranger, chain):
    before = draw.getRound(vrf_round.round_id)
    pools_before = [draw.getPool(vrf_round.round_id, pool) for pool in range(2)]
    request_randomness(vrf_round)
    chain.pending_timestamp += VRF_REQUEST_TIMEOUT
    draw.requestRandomness(vrf_round.round_id, sender=stranger)

    after = draw.getRound(vrf_round.round_id)
    for field in ("closeTime", "algorithm", "poolCount", "firstSerial", "winners", "entrantsSha256",
                  "entrantsURI", "randomnessSource", "commitment"):
        assert getattr(after, field) == getattr(before, field), field
    assert [draw.getPool(vrf_round.round_id, pool) for pool in range(2)] == pools_before


def test_second_lapse_fails_round(draw, vrf_round, request_randomness, fulfil_vrf, stranger, chain):
    request_randomness(vrf_round)
    chain.pending_timestamp += VRF_REQUEST_TIMEOUT
    second = draw.requestRandomness(vrf_round.round_id, sender=stranger).events.filter(draw.RandomnessRequested)[0]
    chain.pending_timestamp += VRF_REQUEST_TIMEOUT
    chain.mine()

    # Failed in the views before anyone calls expire.
    assert draw.roundState(vrf_round.round_id) == RoundState.FAILED
    assert draw.getRound(vrf_round.round_id).state == RoundState.FAILED
    with ape.reverts(draw.DrawNoRetryLeft, roundId=vrf_round.round_id, attempts=2):
        draw.requestRandomness(vrf_round.round_id, sender=stranger)

    receipt = draw.expire(vrf_round.round_id, sender=stranger)

    failed = receipt.events.filter(draw.RoundFailed)
    assert [(event.roundId, event.requestId) for event in failed] == [(vrf_round.round_id, second.requestId)]
    with ape.reverts(draw.DrawRoundNotRequestable, roundId=vrf_round.round_id, state=RoundState.FAILED):
        draw.requestRandomness(vrf_round.round_id, sender=stranger)
    with ape.reverts(draw.DrawRoundNotSeeded, roundId=vrf_round.round_id, state=RoundState.FAILED):
        draw.isWinner(vrf_round.round_id, 0, 0)

    # A fulfilment that still arrives changes nothing.
    late = fulfil_vrf(second.requestId)
    assert late.events.filter(draw.SeedDelivered) == []
    assert draw.roundState(vrf_round.round_id) == RoundState.FAILED


def test_expire_rejected_while_retry_remains(draw, vrf_round, request_randomness, stranger, chain):
    request_randomness(vrf_round)
    chain.pending_timestamp += VRF_REQUEST_TIMEOUT
    chain.mine()

    with ape.reverts(draw.DrawRoundNotExpirable, roundId=vrf_round.round_id, state=RoundState.REQUESTED, retryAvailable=True):
        draw.expire(vrf_round.round_id, sender=stranger)


def test_expire_rejected_while_pending(draw, vrf_round, request_randomness, stranger):
    request_id = request_randomness(vrf_round)

    with ape.reverts(draw.DrawRequestPending, roundId=vrf_round.round_id, requestId=request_id):
        draw.expire(vrf_round.round_id, sender=stranger)


def test_expire_rejected_for_seeded_round(draw, vrf_round, seed_with_vrf, stranger):
    seed_with_vrf(vrf_round)

    with ape.reverts(draw.DrawRoundNotExpirable, roundId=vrf_round.round_id, state=RoundState.SEEDED, retryAvailable=False):
        draw.expire(vrf_round.round_id, sender=stranger)


def test_unknown_request_is_ignored(project, draw, admin, issuer, vrf_coordinator, vrf_subscription, vrf_source, fulfil_vrf, commit_round, request_randomness):
    # A second source of the same draw and subscription requests a seed for its own round. The
    # mock then delivers that request to the first source, which never made it.
    other = project.ChainlinkVrfSource.deploy(vrf_coordinator, draw, vrf_config(vrf_subscription), sender=admin)
    vrf_coordinator.addConsumer(vrf_subscription, other, sender=admin)
    draw.acceptSourceOwnership(other, sender=admin)
    draw.allowRandomnessSource(other, sender=admin)
    other_round = commit_round((make_pool(6, 2, "other"),), source=other)
    foreign_request = request_randomness(other_round)
    assert vrf_source.request(foreign_request)[1] == 0

    receipt = fulfil_vrf(foreign_request, consumer=vrf_source)

    ignored = receipt.events.filter(vrf_source.VrfFulfilmentIgnored)
    assert [(event.requestId, event.reason) for event in ignored] == [(foreign_request, UNKNOWN_REQUEST)]
    assert receipt.events.filter(draw.SeedDelivered) == []
    assert draw.roundState(other_round.round_id) == RoundState.REQUESTED


def test_callback_rejects_other_callers(vrf_source, stranger):
    with ape.reverts(vrf_source.OnlyCoordinatorCanFulfill):
        vrf_source.rawFulfillRandomWords(1, [5], sender=stranger)


def test_request_seed_rejects_other_callers(vrf_source, draw, stranger):
    with ape.reverts(vrf_source.RandomnessSourceUnauthorizedCaller, caller=stranger.address, draw=draw.address):
        vrf_source.requestSeed(0, ZERO_BYTES32, sender=stranger)


def test_source_owned_by_draw(vrf_source, draw):
    assert vrf_source.owner() == draw.address
    assert vrf_source.draw() == draw.address
    assert vrf_source.requiresCommitment() is False
    assert vrf_source.allowsRetry() is True
    assert vrf_source.requestTimeout() == VRF_REQUEST_TIMEOUT


def test_deployer_cannot_replace_coordinator(vrf_source, admin, stranger):
    with ape.reverts(vrf_source.OnlyOwnerOrCoordinator):
        vrf_source.setCoordinator(stranger, sender=admin)


def test_source_reports_config(vrf_source, vrf_subscription):
    config = vrf_source.config()
    assert config.keyHash == VRF_KEY_HASH
    assert config.subscriptionId == vrf_subscription
    assert config.requestConfirmations == VRF_CONFIRMATIONS
    assert config.callbackGasLimit == VRF_CALLBACK_GAS_LIMIT
    assert config.nativePayment is True


def test_request_requires_draw_ownership(project, draw, admin, issuer, vrf_coordinator, vrf_subscription, create_edition, chain, stranger):
    source = project.ChainlinkVrfSource.deploy(vrf_coordinator, draw, vrf_config(vrf_subscription), sender=admin)
    vrf_coordinator.addConsumer(vrf_subscription, source, sender=admin)
    draw.allowRandomnessSource(source, sender=admin)
    assert source.owner() == admin.address
    edition = create_edition(cap=5)
    close_time = chain.pending_timestamp + HOUR
    draw.commitRound(edition, round_manifest((make_pool(5, 1, "own"),), source, close_time), sender=issuer)
    chain.pending_timestamp = close_time

    with ape.reverts(source.VrfSourceNotOwnedByDraw, owner=admin.address, draw=draw.address):
        draw.requestRandomness(edition, sender=stranger)

    draw.acceptSourceOwnership(source, sender=admin)
    draw.requestRandomness(edition, sender=stranger)
    assert draw.roundState(edition) == RoundState.REQUESTED


@pytest.mark.parametrize(
    "key_hash, subscription, gas_limit",
    [(ZERO_BYTES32, 1, VRF_CALLBACK_GAS_LIMIT), (VRF_KEY_HASH, 0, VRF_CALLBACK_GAS_LIMIT), (VRF_KEY_HASH, 1, 99_999)],
)
def test_source_rejects_bad_config(project, draw, admin, vrf_coordinator, key_hash, subscription, gas_limit):
    config = (key_hash, subscription, VRF_CONFIRMATIONS, gas_limit, True)

    with ape.reverts(project.ChainlinkVrfSource.VrfSourceInvalidConfig, keyHash=key_hash, subscriptionId=subscription, callbackGasLimit=gas_limit, minimumCallbackGasLimit=100_000):
        project.ChainlinkVrfSource.deploy(vrf_coordinator, draw, config, sender=admin)


def test_source_rejects_draw_without_code(project, admin, stranger, vrf_coordinator):
    with ape.reverts(project.ChainlinkVrfSource.RandomnessSourceInvalidDraw, draw=stranger.address):
        project.ChainlinkVrfSource.deploy(vrf_coordinator, stranger, vrf_config(1), sender=admin)
