"""The commit–reveal source: commitment, target block, reveal window, the seed formula and the
visible failure of a round whose secret never came."""

from __future__ import annotations

import ape
import pytest
from draw_support import ZERO_BYTES32, RoundState, commitment_of, make_pool
from eth_abi import encode
from eth_utils import keccak

pytestmark = pytest.mark.chain

SECRET = keccak(text="issuer secret for the summer solstice draw")
BLOCKHASH_WINDOW = 256


@pytest.fixture
def cr_round(draw, chain, commit_round, commit_reveal_source, create_edition):
    """A committed round whose manifest carries the commitment to `SECRET`."""
    pools = (make_pool(15, 4, "cr-a"), make_pool(6, 6, "cr-b"))
    # The commitment names the round id, which is the id of the edition that commit_round
    # creates next; edition ids count from zero in each test.
    round_id = 0
    commitment = commitment_of(chain.chain_id, draw.address, round_id, SECRET)
    round_ = commit_round(pools, source=commit_reveal_source, commitment=commitment)
    assert round_.round_id == round_id
    return round_


@pytest.fixture
def requested(draw, commit_reveal_source, cr_round, chain, stranger):
    """Requests the seed of `cr_round`; returns (request id, target block)."""
    chain.pending_timestamp = cr_round.close_time
    receipt = draw.requestRandomness(cr_round.round_id, sender=stranger)
    request_id = int(receipt.events.filter(draw.RandomnessRequested)[0].requestId)
    target = int(receipt.events.filter(commit_reveal_source.CommitRevealRequested)[0].targetBlock)
    assert target == receipt.block_number + 1
    return request_id, target


def expected_seed(secret: bytes, block_hash: bytes) -> int:
    return int.from_bytes(keccak(encode(["bytes32", "bytes32"], [secret, block_hash])), "big")


def test_commitment_matches_off_chain_formula(draw, commit_reveal_source, chain):
    on_chain = commit_reveal_source.commitmentOf(4, SECRET)

    assert on_chain == commitment_of(chain.chain_id, draw.address, 4, SECRET)


def test_request_records_target(commit_reveal_source, cr_round, requested):
    request_id, target = requested

    stored = commit_reveal_source.request(request_id)

    assert stored.roundId == cr_round.round_id
    assert stored.targetBlock == target
    assert stored.revealed is False
    assert stored.commitment == cr_round.commitment


def test_reveal_delivers_seed(draw, commit_reveal_source, cr_round, requested, chain, stranger):
    request_id, target = requested
    chain.mine()

    receipt = commit_reveal_source.reveal(request_id, SECRET, sender=stranger)

    block_hash = bytes(chain.provider.get_block(target).hash)
    seed = expected_seed(SECRET, block_hash)
    revealed = receipt.events.filter(commit_reveal_source.SecretRevealed)
    assert len(revealed) == 1
    assert revealed[0].roundId == cr_round.round_id
    assert revealed[0].requestId == request_id
    assert revealed[0].secret == SECRET
    assert revealed[0].targetBlockHash == block_hash
    assert revealed[0].seed == seed
    delivered = receipt.events.filter(draw.SeedDelivered)
    assert [(event.roundId, event.requestId, event.seed) for event in delivered] == [(cr_round.round_id, request_id, seed)]
    assert draw.roundState(cr_round.round_id) == RoundState.SEEDED
    assert commit_reveal_source.request(request_id).revealed is True


def test_reveal_on_last_block_of_window(draw, commit_reveal_source, cr_round, requested, chain, stranger):
    request_id, target = requested
    # The reveal lands in block target + 256, the last whose view still has the target's hash.
    chain.mine(target + BLOCKHASH_WINDOW - 1 - chain.blocks.head.number)

    receipt = commit_reveal_source.reveal(request_id, SECRET, sender=stranger)

    assert receipt.block_number == target + BLOCKHASH_WINDOW
    assert draw.roundState(cr_round.round_id) == RoundState.SEEDED


def test_reveal_rejected_in_target_block(commit_reveal_source, requested, stranger):
    request_id, target = requested

    with ape.reverts(commit_reveal_source.CommitRevealTooEarly, requestId=request_id, targetBlock=target, currentBlock=target):
        commit_reveal_source.reveal(request_id, SECRET, sender=stranger)


def test_reveal_rejected_after_window(draw, commit_reveal_source, cr_round, requested, chain, stranger):
    request_id, target = requested
    chain.mine(target + BLOCKHASH_WINDOW - chain.blocks.head.number)

    with ape.reverts(
        commit_reveal_source.CommitRevealTooLate,
        requestId=request_id,
        lastBlock=target + BLOCKHASH_WINDOW,
        currentBlock=target + BLOCKHASH_WINDOW + 1,
    ):
        commit_reveal_source.reveal(request_id, SECRET, sender=stranger)


def test_reveal_rejects_wrong_secret(commit_reveal_source, cr_round, requested, chain, stranger):
    request_id, _ = requested
    chain.mine()
    wrong = keccak(text="a guess")

    with ape.reverts(
        commit_reveal_source.CommitRevealWrongSecret,
        requestId=request_id,
        commitment=cr_round.commitment,
        computed=commit_reveal_source.commitmentOf(cr_round.round_id, wrong),
    ):
        commit_reveal_source.reveal(request_id, wrong, sender=stranger)


def test_reveal_rejects_second_reveal(commit_reveal_source, requested, chain, stranger):
    request_id, _ = requested
    chain.mine()
    commit_reveal_source.reveal(request_id, SECRET, sender=stranger)

    with ape.reverts(commit_reveal_source.CommitRevealAlreadyRevealed, requestId=request_id):
        commit_reveal_source.reveal(request_id, SECRET, sender=stranger)


def test_reveal_rejects_unknown_request(commit_reveal_source, stranger):
    with ape.reverts(commit_reveal_source.CommitRevealUnknownRequest, requestId=9):
        commit_reveal_source.reveal(9, SECRET, sender=stranger)


def test_missed_reveal_fails_round(draw, commit_reveal_source, cr_round, requested, chain, stranger):
    request_id, target = requested
    chain.mine(target + BLOCKHASH_WINDOW - 1 - chain.blocks.head.number)
    assert commit_reveal_source.requestLapsed(request_id) is False
    assert draw.roundState(cr_round.round_id) == RoundState.REQUESTED
    # Calls run in the context of the latest block: from block target + 257 on, no block can
    # reveal any more.
    chain.mine(2)

    # Visible at once, before anyone calls expire.
    assert commit_reveal_source.requestLapsed(request_id) is True
    assert draw.roundState(cr_round.round_id) == RoundState.FAILED
    with ape.reverts(draw.DrawNoRetryLeft, roundId=cr_round.round_id, attempts=1):
        draw.requestRandomness(cr_round.round_id, sender=stranger)

    receipt = draw.expire(cr_round.round_id, sender=stranger)

    failed = receipt.events.filter(draw.RoundFailed)
    assert [(event.roundId, event.requestId) for event in failed] == [(cr_round.round_id, request_id)]
    assert draw.getRound(cr_round.round_id).state == RoundState.FAILED
    with ape.reverts(draw.DrawRoundNotExpirable, roundId=cr_round.round_id, state=RoundState.FAILED, retryAvailable=False):
        draw.expire(cr_round.round_id, sender=stranger)


def test_expire_rejected_during_window(draw, cr_round, requested, stranger):
    request_id, _ = requested

    with ape.reverts(draw.DrawRequestPending, roundId=cr_round.round_id, requestId=request_id):
        draw.expire(cr_round.round_id, sender=stranger)


def test_request_seed_rejects_other_callers(commit_reveal_source, draw, stranger):
    with ape.reverts(commit_reveal_source.RandomnessSourceUnauthorizedCaller, caller=stranger.address, draw=draw.address):
        commit_reveal_source.requestSeed(0, ZERO_BYTES32, sender=stranger)


def test_deliver_seed_rejects_other_callers(draw, cr_round, requested, commit_reveal_source, stranger):
    request_id, _ = requested

    with ape.reverts(
        draw.DrawUnauthorizedSource,
        roundId=cr_round.round_id,
        caller=stranger.address,
        source=commit_reveal_source.address,
    ):
        draw.deliverSeed(cr_round.round_id, request_id, 12345, sender=stranger)


def test_source_properties(commit_reveal_source, draw):
    assert commit_reveal_source.draw() == draw.address
    assert commit_reveal_source.requiresCommitment() is True
    assert commit_reveal_source.allowsRetry() is False
    assert commit_reveal_source.BLOCKHASH_WINDOW() == BLOCKHASH_WINDOW


def test_source_rejects_draw_without_code(project, admin, stranger):
    with ape.reverts(project.CommitRevealSource.RandomnessSourceInvalidDraw, draw=stranger.address):
        project.CommitRevealSource.deploy(stranger, sender=admin)
