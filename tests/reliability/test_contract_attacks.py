"""Attacks through ape on the session's chain (the embedded chain, and anvil in `make test`'s
second pass): a hostile contract wallet winning through a multiproof, an inner node of the tree
presented as a multiproof leaf, a randomness source that seeds its round from inside the request,
batches re-sent after an edition is fully issued, and a reverting call through the journal.

The forge suite `tests/forge/ReliabilityAttacks.t.sol` covers the single-proof and batch forms of
the claim attacks; these tests use the SDK's trees, which match `@openzeppelin/merkle-tree`, and
its multiproofs.
"""

from __future__ import annotations

import ape
import pytest
from conftest import derived_accounts

from merit.chain.transactions import JournaledSender
from merit.journal import Journal
from merit.merkle import EntrantTree

pytestmark = pytest.mark.chain

ALREADY_ISSUED = 5
REQUESTED, SEEDED = 2, 3


def multiproof_call(tree: EntrantTree, indices: list[int]) -> tuple[list, list, bytes]:
    """Return the entrants, proof and packed flags of a multiproof of `indices`."""
    multiproof = tree.multiproof(indices)
    return [tuple(leaf) for leaf in multiproof.leaves], list(multiproof.proof), multiproof.packed_flags()


def test_hostile_receiver_gets_one_badge_by_multiproof(project, reliability_draw, series, all_win_round, stranger):
    draw = reliability_draw
    receiver = project.TestHostileReceiver.deploy(draw, sender=stranger)
    accounts = derived_accounts(8, "hostile")
    accounts[5] = receiver.address
    round_ = all_win_round(accounts)
    entrants, proof, flags = multiproof_call(round_.trees[0], [5, 2, 7])
    receiver.arm(draw.claimMultiProof.encode_input(round_.round_id, 0, entrants, proof, flags), sender=stranger)

    receipt = draw.claimMultiProof(round_.round_id, 0, entrants, proof, flags, sender=stranger)

    claimed = [int(log.index) for log in receipt.events.filter(draw.BadgeClaimed)]
    assert sorted(claimed) == [2, 5, 7]
    assert series.balanceOf(receiver) == 1
    assert series.holds(round_.round_id, receiver)
    assert receiver.hookCalls() == 0
    again = draw.claimMultiProof(round_.round_id, 0, entrants, proof, flags, sender=stranger)
    assert [int(log.reason) for log in again.events.filter(draw.ClaimSkipped)] == [ALREADY_ISSUED] * 3
    assert series.balanceOf(receiver) == 1


def test_inner_node_as_multiproof_leaf_rejected(reliability_draw, series, all_win_round, stranger):
    draw = reliability_draw
    round_ = all_win_round(derived_accounts(4, "inner"))
    nodes = round_.trees[0].nodes
    # Four leaves: node 1 has the leaves 3 and 4 as children, and node 2 is its sibling.
    low, high = sorted((bytes(nodes[3]), bytes(nodes[4])))
    disguised = (int.from_bytes(low, "big"), "0x" + high[-20:].hex())

    with ape.reverts(draw.DrawInvalidMultiProof, roundId=round_.round_id, pool=0, leafCount=1):
        draw.claimMultiProof(round_.round_id, 0, [disguised], [bytes(nodes[2])], b"\x00", sender=stranger)

    assert series.edition(round_.round_id).issued == 0


def test_source_delivering_request_zero_ignored(project, reliability_draw, admin, commit_round, stranger, chain):
    draw = reliability_draw
    source = project.TestReentrantRandomnessSource.deploy(draw, sender=admin)
    draw.allowRandomnessSource(source, sender=admin)
    round_id = commit_round([(EntrantTree.from_addresses(derived_accounts(4, "zero")), 2)], source=source)
    chain.pending_timestamp += 3600
    source.arm(draw.deliverSeed.encode_input(round_id, 0, 1234), sender=admin)

    draw.requestRandomness(round_id, sender=stranger)

    assert source.reentrySucceeded()
    assert int(draw.roundState(round_id)) == REQUESTED


@pytest.mark.parametrize("order", ["all-issued", "issued-after-last-serial"])
def test_batch_of_issued_winners_skipped_when_edition_full(reliability_draw, series, all_win_round, stranger, order):
    draw = reliability_draw
    accounts = derived_accounts(4, f"full-{order}")
    round_ = all_win_round(accounts)
    tree = round_.trees[0]

    def item(index: int) -> tuple:
        return (0, index, accounts[index], tree.proof(index))

    if order == "all-issued":
        draw.claimBatch(round_.round_id, [item(index) for index in range(4)], sender=stranger)
        rerun = [item(index) for index in range(4)]
    else:
        draw.claimBatch(round_.round_id, [item(index) for index in range(3)], sender=stranger)
        rerun = [item(3), item(0)]

    receipt = draw.claimBatch(round_.round_id, rerun, sender=stranger)

    assert [int(log.reason) for log in receipt.events.filter(draw.ClaimSkipped)] == [ALREADY_ISSUED] * (4 if order == "all-issued" else 1)
    assert series.edition(round_.round_id).issued == 4


def test_reverting_call_not_sent_through_journal(series, issuer, edition_config, tmp_path, chain):
    head = chain.blocks.head.number
    with Journal.open(tmp_path / "journal.sqlite", "reverting") as journal:
        sender = JournaledSender(journal, issuer)
        zero_cap = edition_config(cap=0)

        with pytest.raises(ape.exceptions.ContractLogicError):
            sender.send("commit", "edition/zero-cap", series.createEdition.as_transaction(zero_cap))

        assert chain.blocks.head.number == head
        assert journal.intents() == []


