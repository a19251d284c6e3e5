"""A pool of a million entrants: depth-20 proofs, batches and multiproofs at the size the draw
is built for. The tests check outcomes only; they log the gas they used for the designer's
information (run with `-s --log-cli-level=INFO` to see it) and never assert it."""

from __future__ import annotations

import logging

import pytest
from draw_support import Pool, SkipReason
from eth_utils import to_checksum_address
from merit.merkle import EntrantTree

pytestmark = [pytest.mark.chain, pytest.mark.slow]

logger = logging.getLogger(__name__)

ENTRANTS = 1_000_000
WINNERS = 1_000
BATCH = 40


@pytest.fixture(scope="module")
def million_pool() -> Pool:
    """A million entrants with distinct addresses (0x…a000000000 + i) and a thousand winners."""
    accounts = tuple(f"0x{0xA000000000 + index:040x}" for index in range(ENTRANTS))
    return Pool(accounts=accounts, winners=WINNERS, tree=EntrantTree.from_addresses(list(accounts)))


@pytest.fixture
def million_round(commit_round, seed_with_vrf, million_pool):
    round_ = commit_round((million_pool,))
    seed_with_vrf(round_)
    return round_


def test_claim_with_depth_20_proof(draw, series, million_round, million_pool, stranger):
    index = draw.nthWinner(million_round.round_id, 0, 0)
    proof = million_pool.proof(index)
    assert len(proof) == 20

    receipt = draw.claim(
        million_round.round_id, 0, index, to_checksum_address(million_pool.accounts[index]), proof, sender=stranger
    )

    claimed = receipt.events.filter(draw.BadgeClaimed)
    assert [(event.index, event.serial) for event in claimed] == [(index, million_round.first_serial)]
    logger.info("claim at N = %d, proof depth %d: %d receipt gas", ENTRANTS, len(proof), receipt.gas_used)


def test_is_winner_at_a_million(draw, million_round, stranger):
    index = draw.nthWinner(million_round.round_id, 0, WINNERS - 1)

    assert draw.isWinner(million_round.round_id, 0, index) == (True, WINNERS - 1)
    gas = draw.isWinner.estimate_gas_cost(million_round.round_id, 0, index, sender=stranger)
    logger.info("isWinner at N = %d: %d gas including the 21,000 of a transaction", ENTRANTS, gas)


def test_batch_at_a_million(draw, series, million_round, million_pool, stranger):
    winners = [draw.nthWinner(million_round.round_id, 0, rank) for rank in range(BATCH)]
    items = [
        (0, index, to_checksum_address(million_pool.accounts[index]), million_pool.proof(index)) for index in winners
    ]

    receipt = draw.claimBatch(million_round.round_id, items, sender=stranger)

    assert len(receipt.events.filter(draw.BadgeClaimed)) == BATCH
    assert series.edition(million_round.round_id).issued == BATCH
    logger.info("claimBatch of %d at N = %d: %d gas, %d per badge", BATCH, ENTRANTS, receipt.gas_used, receipt.gas_used // BATCH)

    rerun = draw.claimBatch(million_round.round_id, items, sender=stranger)
    skipped = rerun.events.filter(draw.ClaimSkipped)
    assert [event.reason for event in skipped] == [SkipReason.ALREADY_ISSUED] * BATCH


def test_multiproof_at_a_million(draw, series, million_round, million_pool, stranger):
    winners = [draw.nthWinner(million_round.round_id, 0, rank) for rank in range(BATCH)]
    multiproof = million_pool.tree.multiproof(winners)
    leaves = [(index, to_checksum_address(account)) for index, account in multiproof.leaves]

    receipt = draw.claimMultiProof(
        million_round.round_id, 0, leaves, list(multiproof.proof), multiproof.packed_flags(), sender=stranger
    )

    assert len(receipt.events.filter(draw.BadgeClaimed)) == BATCH
    assert series.edition(million_round.round_id).issued == BATCH
    logger.info(
        "claimMultiProof of %d at N = %d (%d proof hashes): %d gas, %d per badge",
        BATCH,
        ENTRANTS,
        len(multiproof.proof),
        receipt.gas_used,
        receipt.gas_used // BATCH,
    )
