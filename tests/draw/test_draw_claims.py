"""Claims: single claims with every rejection, batches that skip instead of failing, multiproof
batches, and the series' rules (recovery, revocation, pause, window) seen through the draw."""

from __future__ import annotations

import ape
import pytest
from draw_support import (
    HOUR,
    ZERO_ADDRESS,
    Pool,
    RoundState,
    SkipReason,
    make_accounts,
    make_pool,
)
from merit.merkle import EntrantTree

pytestmark = pytest.mark.chain

RECOVERY_DELAY = 2 * 24 * 3600


@pytest.fixture
def drawn(commit_round, seed_with_vrf):
    """A seeded round: pool 0 has 40 entrants and 5 winners, pool 1 has 8 entrants who all win."""
    round_ = commit_round((make_pool(40, 5, "claims-a"), make_pool(8, 8, "claims-b")))
    seed_with_vrf(round_)
    return round_


def claim_args(round_, pool: int, index: int) -> tuple:
    """The arguments of `claim` for entrant `index` of pool `pool`, with its true proof."""
    entrant_pool = round_.pools[pool]
    return (round_.round_id, pool, index, entrant_pool.accounts[index], entrant_pool.proof(index))


def batch_item(round_, pool: int, index: int) -> tuple:
    entrant_pool = round_.pools[pool]
    return (pool, index, entrant_pool.accounts[index], entrant_pool.proof(index))


def skips(receipt, draw) -> list[tuple[int, int, int]]:
    """(pool, index, reason) of every ClaimSkipped event."""
    return [(event.pool, event.index, event.reason) for event in receipt.events.filter(draw.ClaimSkipped)]


def claims(receipt, draw) -> list[tuple[int, int, int]]:
    """(pool, index, serial) of every BadgeClaimed event."""
    return [(event.pool, event.index, event.serial) for event in receipt.events.filter(draw.BadgeClaimed)]


def test_claim_issues_badge(draw, series, drawn, winners_of, stranger, token_id):
    index = winners_of(drawn, 0)[2]
    account = drawn.pools[0].accounts[index]
    serial = drawn.first_serial + 2

    receipt = draw.claim(*claim_args(drawn, 0, index), sender=stranger)

    claimed = receipt.events.filter(draw.BadgeClaimed)
    assert len(claimed) == 1
    assert claimed[0].roundId == drawn.round_id
    assert claimed[0].pool == 0
    assert claimed[0].index == index
    assert claimed[0].account == account
    assert claimed[0].serial == serial
    assert claimed[0].tokenId == token_id(drawn.round_id, account)
    transfer = receipt.events.filter(series.Transfer)[0]
    assert (transfer["from"], transfer.to, transfer.tokenId) == (ZERO_ADDRESS, account, token_id(drawn.round_id, account))
    assert series.ownerOf(token_id(drawn.round_id, account)) == account
    assert series.edition(drawn.round_id).issued == 1
    assert draw.serialOf(drawn.round_id, 0, index) == serial


def test_claim_serials_follow_pool_and_rank(draw, drawn, winners_of, stranger):
    pool_b_first = drawn.first_serial + drawn.pools[0].winners
    index = winners_of(drawn, 1)[6]

    receipt = draw.claim(*claim_args(drawn, 1, index), sender=stranger)

    assert claims(receipt, draw) == [(1, index, pool_b_first + 6)]


def test_claim_rejects_loser(draw, series, drawn, loser_of, stranger):
    index = loser_of(drawn, 0)
    _, rank = draw.isWinner(drawn.round_id, 0, index)

    with ape.reverts(draw.DrawNotWinner, roundId=drawn.round_id, pool=0, index=index, rank=rank, winners=5):
        draw.claim(*claim_args(drawn, 0, index), sender=stranger)
    assert series.edition(drawn.round_id).issued == 0


def test_claim_rejects_proof_of_other_entrant(draw, series, drawn, winners_of, stranger):
    index, other = winners_of(drawn, 0)[:2]
    account = drawn.pools[0].accounts[index]

    with ape.reverts(draw.DrawInvalidProof, roundId=drawn.round_id, pool=0, index=index, account=account):
        draw.claim(drawn.round_id, 0, index, account, drawn.pools[0].proof(other), sender=stranger)
    assert series.edition(drawn.round_id).issued == 0


def test_claim_rejects_wrong_account(draw, drawn, winners_of, stranger):
    index = winners_of(drawn, 0)[0]

    with ape.reverts(draw.DrawInvalidProof, roundId=drawn.round_id, pool=0, index=index, account=stranger.address):
        draw.claim(drawn.round_id, 0, index, stranger, drawn.pools[0].proof(index), sender=stranger)


def test_claim_rejects_other_pools_proof(draw, drawn, stranger):
    # Every entrant of pool 1 wins, so only the proof can stop pool 0's entrant 3 there.
    account = drawn.pools[0].accounts[3]

    with ape.reverts(draw.DrawInvalidProof, roundId=drawn.round_id, pool=1, index=3, account=account):
        draw.claim(drawn.round_id, 1, 3, account, drawn.pools[0].proof(3), sender=stranger)


def test_claim_rejects_index_out_of_range(draw, drawn, stranger):
    with ape.reverts(draw.DrawIndexOutOfRange, roundId=drawn.round_id, pool=1, index=8, entrants=8):
        draw.claim(drawn.round_id, 1, 8, stranger, [], sender=stranger)


def test_claim_rejects_proven_leaf_beyond_count(draw, commit_round, seed_with_vrf, stranger):
    # A tree with a ninth leaf while the manifest commits eight entrants: the leaf proves, but
    # index 8 is not an entrant.
    accounts = make_accounts(9, "beyond")
    tree = EntrantTree.from_addresses(list(accounts))
    pool = Pool(accounts=accounts[:8], winners=8, tree=tree)
    round_ = commit_round((pool,))
    seed_with_vrf(round_)

    with ape.reverts(draw.DrawIndexOutOfRange, roundId=round_.round_id, pool=0, index=8, entrants=8):
        draw.claim(round_.round_id, 0, 8, accounts[8], tree.proof(8), sender=stranger)


def test_claim_rejects_unknown_pool(draw, drawn, stranger):
    with ape.reverts(draw.DrawPoolUnknown, roundId=drawn.round_id, pool=2, poolCount=2):
        draw.claim(drawn.round_id, 2, 0, stranger, [], sender=stranger)


def test_claim_rejects_second_claim(draw, series, drawn, winners_of, stranger):
    index = winners_of(drawn, 0)[0]
    draw.claim(*claim_args(drawn, 0, index), sender=stranger)

    with ape.reverts(draw.DrawAlreadyIssued, roundId=drawn.round_id, holder=drawn.pools[0].accounts[index]):
        draw.claim(*claim_args(drawn, 0, index), sender=stranger)
    assert series.edition(drawn.round_id).issued == 1


def test_claim_rejects_unseeded_round(draw, commit_round, request_randomness, stranger):
    round_ = commit_round((make_pool(5, 5, "unseeded"),))
    with ape.reverts(draw.DrawRoundNotSeeded, roundId=round_.round_id, state=RoundState.COMMITTED):
        draw.claim(*claim_args(round_, 0, 0), sender=stranger)

    request_randomness(round_)
    with ape.reverts(draw.DrawRoundNotSeeded, roundId=round_.round_id, state=RoundState.REQUESTED):
        draw.claim(*claim_args(round_, 0, 0), sender=stranger)


def test_claim_rejects_zero_account(draw, series, commit_round, seed_with_vrf, stranger):
    accounts = (ZERO_ADDRESS, *make_accounts(2, "zero"))
    round_ = commit_round((make_pool(3, 3, accounts=accounts),))
    seed_with_vrf(round_)

    with ape.reverts(series.BadgeInvalidHolder, holder=ZERO_ADDRESS):
        draw.claim(*claim_args(round_, 0, 0), sender=stranger)


def test_claim_rejected_while_series_paused(draw, series, pauser, drawn, winners_of, stranger):
    series.pause(sender=pauser)

    with ape.reverts(series.EnforcedPause):
        draw.claim(*claim_args(drawn, 0, winners_of(drawn, 0)[0]), sender=stranger)


def test_claim_rejected_after_edition_closes(draw, series, drawn, winners_of, stranger, chain):
    closes_at = series.edition(drawn.round_id).closesAt
    chain.pending_timestamp = closes_at + 1

    with ape.reverts(series.EditionNotOpen, editionId=drawn.round_id):
        draw.claim(*claim_args(drawn, 0, winners_of(drawn, 0)[0]), sender=stranger)


@pytest.fixture
def learner_round(commit_round, seed_with_vrf, learners):
    """A seeded round whose only pool lists the four learners, all of them winners."""
    accounts = tuple(learner.address for learner in learners)
    round_ = commit_round((make_pool(len(accounts), len(accounts), accounts=accounts),))
    seed_with_vrf(round_)
    return round_


def test_claim_follows_recovery(draw, series, recoverer, learner_round, learners, stranger, chain, token_id):
    lost, fresh = learners[0], learners[1]
    series.proposeRecovery(lost, fresh, sender=recoverer)
    chain.pending_timestamp += RECOVERY_DELAY
    series.executeRecovery(lost, sender=stranger)

    receipt = draw.claim(*claim_args(learner_round, 0, 0), sender=stranger)

    claimed = receipt.events.filter(draw.BadgeClaimed)[0]
    assert claimed.account == lost.address
    assert claimed.tokenId == token_id(learner_round.round_id, fresh)
    assert series.ownerOf(token_id(learner_round.round_id, fresh)) == fresh.address
    # The successor has the edition's badge now, so its own winning entry issues nothing more.
    with ape.reverts(draw.DrawAlreadyIssued, roundId=learner_round.round_id, holder=fresh.address):
        draw.claim(*claim_args(learner_round, 0, 1), sender=stranger)


def test_claim_after_recovery_of_claimed_badge(draw, series, recoverer, learner_round, learners, stranger, chain):
    lost, fresh = learners[0], learners[1]
    draw.claim(*claim_args(learner_round, 0, 0), sender=stranger)
    series.proposeRecovery(lost, fresh, sender=recoverer)
    chain.pending_timestamp += RECOVERY_DELAY
    series.executeRecovery(lost, sender=stranger)

    with ape.reverts(draw.DrawAlreadyIssued, roundId=learner_round.round_id, holder=fresh.address):
        draw.claim(*claim_args(learner_round, 0, 0), sender=stranger)
    assert series.edition(learner_round.round_id).issued == 1


def test_claim_rejects_revoked_holder(draw, series, issuer, learner_round, learners, stranger, token_id):
    holder = learners[2]
    draw.claim(*claim_args(learner_round, 0, 2), sender=stranger)
    series.revoke(token_id(learner_round.round_id, holder), 1, sender=issuer)

    with ape.reverts(draw.DrawHolderRevoked, roundId=learner_round.round_id, holder=holder.address):
        draw.claim(*claim_args(learner_round, 0, 2), sender=stranger)


def test_batch_issues_and_skips(draw, series, drawn, winners_of, loser_of, stranger):
    winners = winners_of(drawn, 0)
    loser = loser_of(drawn, 0)
    wrong_proof = (0, winners[1], drawn.pools[0].accounts[winners[1]], drawn.pools[0].proof(winners[0]))
    items = [
        batch_item(drawn, 0, winners[0]),
        batch_item(drawn, 0, loser),
        wrong_proof,
        (2, 0, drawn.pools[0].accounts[0], []),
        batch_item(drawn, 1, 4),
        batch_item(drawn, 0, winners[0]),
    ]

    receipt = draw.claimBatch(drawn.round_id, items, sender=stranger)

    pool_b_first = drawn.first_serial + 5
    rank_b = draw.isWinner(drawn.round_id, 1, 4)[1]
    assert claims(receipt, draw) == [(0, winners[0], drawn.first_serial), (1, 4, pool_b_first + rank_b)]
    assert skips(receipt, draw) == [
        (0, loser, SkipReason.NOT_WINNER),
        (0, winners[1], SkipReason.INVALID_PROOF),
        (2, 0, SkipReason.POOL_UNKNOWN),
        (0, winners[0], SkipReason.ALREADY_ISSUED),
    ]
    assert series.edition(drawn.round_id).issued == 2


def test_batch_rerun_issues_nothing(draw, series, drawn, winners_of, stranger):
    items = [batch_item(drawn, 0, index) for index in winners_of(drawn, 0)]
    draw.claimBatch(drawn.round_id, items, sender=stranger)
    assert series.edition(drawn.round_id).issued == 5

    receipt = draw.claimBatch(drawn.round_id, items, sender=stranger)

    assert claims(receipt, draw) == []
    assert skips(receipt, draw) == [(0, index, SkipReason.ALREADY_ISSUED) for index in winners_of(drawn, 0)]
    assert series.edition(drawn.round_id).issued == 5


def test_batch_skips_revoked_and_zero(draw, series, issuer, commit_round, seed_with_vrf, learners, stranger, token_id):
    accounts = (learners[0].address, ZERO_ADDRESS)
    round_ = commit_round((make_pool(2, 2, accounts=accounts),))
    seed_with_vrf(round_)
    draw.claim(*claim_args(round_, 0, 0), sender=stranger)
    series.revoke(token_id(round_.round_id, learners[0]), 3, sender=issuer)

    receipt = draw.claimBatch(round_.round_id, [batch_item(round_, 0, 0), batch_item(round_, 0, 1)], sender=stranger)

    # Items that fail the draw's checks are skipped before the series mints the rest.
    assert skips(receipt, draw) == [(0, 1, SkipReason.INVALID_ACCOUNT), (0, 0, SkipReason.HOLDER_REVOKED)]


def test_batch_skips_index_beyond_count(draw, commit_round, seed_with_vrf, stranger):
    accounts = make_accounts(5, "batch-beyond")
    tree = EntrantTree.from_addresses(list(accounts))
    round_ = commit_round((Pool(accounts=accounts[:4], winners=4, tree=tree),))
    seed_with_vrf(round_)

    receipt = draw.claimBatch(round_.round_id, [(0, 4, accounts[4], tree.proof(4))], sender=stranger)

    assert skips(receipt, draw) == [(0, 4, SkipReason.INDEX_OUT_OF_RANGE)]


def test_batch_rejects_empty(draw, drawn, stranger):
    with ape.reverts(draw.DrawEmptyBatch):
        draw.claimBatch(drawn.round_id, [], sender=stranger)


def test_batch_rejects_unseeded_round(draw, commit_round, stranger):
    round_ = commit_round((make_pool(4, 2, "batch-unseeded"),))

    with ape.reverts(draw.DrawRoundNotSeeded, roundId=round_.round_id, state=RoundState.COMMITTED):
        draw.claimBatch(round_.round_id, [batch_item(round_, 0, 0)], sender=stranger)


def multiproof_args(round_, pool: int, indices: list[int]) -> tuple:
    """Arguments of `claimMultiProof` for entrants `indices` of a pool, in the tree's order."""
    multiproof = round_.pools[pool].tree.multiproof(indices)
    return (round_.round_id, pool, list(multiproof.leaves), list(multiproof.proof), multiproof.packed_flags())


def test_multiproof_issues_all_winners(draw, series, drawn, winners_of, stranger):
    winners = winners_of(drawn, 0)

    receipt = draw.claimMultiProof(*multiproof_args(drawn, 0, winners), sender=stranger)

    issued = sorted(claims(receipt, draw))
    assert issued == sorted((0, index, drawn.first_serial + rank) for rank, index in enumerate(winners))
    assert skips(receipt, draw) == []
    assert series.edition(drawn.round_id).issued == 5


def test_multiproof_rerun_and_loser_skipped(draw, series, drawn, winners_of, loser_of, stranger):
    winners = winners_of(drawn, 0)
    draw.claimMultiProof(*multiproof_args(drawn, 0, winners[:2]), sender=stranger)
    loser = loser_of(drawn, 0)

    receipt = draw.claimMultiProof(*multiproof_args(drawn, 0, [*winners, loser]), sender=stranger)

    assert sorted(index for _, index, _ in claims(receipt, draw)) == sorted(winners[2:])
    skipped = sorted(skips(receipt, draw))
    expected = sorted([(0, index, SkipReason.ALREADY_ISSUED) for index in winners[:2]] + [(0, loser, SkipReason.NOT_WINNER)])
    assert skipped == expected
    assert series.edition(drawn.round_id).issued == 5


def test_multiproof_rejects_tampered_proof(draw, series, drawn, winners_of, stranger):
    round_id, pool, leaves, proof, flags = multiproof_args(drawn, 0, winners_of(drawn, 0))
    proof[0] = bytes(32)

    with ape.reverts(draw.DrawInvalidMultiProof, roundId=round_id, pool=0, leafCount=len(leaves)):
        draw.claimMultiProof(round_id, pool, leaves, proof, flags, sender=stranger)
    assert series.edition(drawn.round_id).issued == 0


def test_multiproof_rejects_other_pool(draw, drawn, stranger):
    round_id, _, leaves, proof, flags = multiproof_args(drawn, 0, [0, 1])

    with ape.reverts(draw.DrawInvalidMultiProof, roundId=round_id, pool=1, leafCount=2):
        draw.claimMultiProof(round_id, 1, leaves, proof, flags, sender=stranger)


def test_multiproof_rejects_empty(draw, drawn, stranger):
    with ape.reverts(draw.DrawEmptyBatch):
        draw.claimMultiProof(drawn.round_id, 0, [], [drawn.pools[0].tree.root], b"", sender=stranger)


def test_multiproof_rejects_unknown_pool(draw, drawn, stranger):
    with ape.reverts(draw.DrawPoolUnknown, roundId=drawn.round_id, pool=5, poolCount=2):
        draw.claimMultiProof(*multiproof_args(drawn, 0, [0])[:1], 5, [(0, stranger.address)], [], b"", sender=stranger)


def test_multiproof_rejects_wrong_flag_length(draw, series, drawn, winners_of, stranger):
    round_id, pool, leaves, proof, flags = multiproof_args(drawn, 0, winners_of(drawn, 0))
    expected = (len(leaves) + len(proof) - 1 + 7) // 8

    with ape.reverts(draw.DrawInvalidProofFlags, length=expected + 1, expected=expected):
        draw.claimMultiProof(round_id, pool, leaves, proof, flags + b"\x00", sender=stranger)
    assert series.edition(drawn.round_id).issued == 0


def test_batch_rejects_more_than_256(draw, drawn, stranger):
    item = (0, 0, stranger.address, [])
    with ape.reverts(draw.DrawBatchTooLarge, items=257, maxItems=256):
        draw.claimBatch(drawn.round_id, [item] * 257, sender=stranger)


def test_claims_until_close_of_edition(draw, series, drawn, winners_of, stranger, chain):
    chain.pending_timestamp = series.edition(drawn.round_id).closesAt - HOUR

    receipt = draw.claim(*claim_args(drawn, 0, winners_of(drawn, 0)[4]), sender=stranger)

    assert len(claims(receipt, draw)) == 1
