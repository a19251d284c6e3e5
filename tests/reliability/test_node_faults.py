"""The campaign survives a node that stops mid-airdrop or while a transaction is on its way, and
an airdrop transaction that the node leaves pending, then mines or drops: each badge is issued
exactly once, and a dropped transaction goes out again on its nonce.

The node is this test's own anvil. A stop with SIGTERM dumps its state (`--dump-state`), and the
restart loads it on the same port, as a node restarted from its disk would. Mining is switched
off with `evm_setAutomine`, so that a transaction stays pending until the test mines or drops it.
"""

from __future__ import annotations

import pytest
from reliability_support import SIGKILL_STATUS, CampaignUnderTest, describe, verify_issuance

pytestmark = pytest.mark.slow

BATCH_SIZE = "3"
FIRST_AIRDROP = "airdrop/xiazhi/pool-0/*"
"""The key pattern of the first airdrop transaction: pool 0 has one batch."""
POOL_1_AIRDROP = "airdrop/xiazhi/pool-1/*"


def finish(campaign: CampaignUnderTest) -> None:
    final = campaign.step("run", "--batch-size", BATCH_SIZE)
    assert final.returncode == 0, describe(final)
    assert "10 badges issued" in final.stdout


def test_node_restarted_mid_airdrop(campaign, tmp_path):
    node = campaign.node
    genesis = node.web3.eth.get_block(0)["hash"]
    hold = tmp_path / "hold"
    running = campaign.start_held(hold, POOL_1_AIRDROP, "recorded", "run", "--batch-size", BATCH_SIZE)
    head = node.block_number

    node.stop()
    hold.unlink()
    running.communicate(timeout=120)
    assert running.returncode != 0
    node.start(load_state=True)

    assert node.web3.eth.get_block(0)["hash"] == genesis
    assert node.block_number == head
    finish(campaign)
    summary = verify_issuance(campaign)
    assert summary.claims == 10


def test_node_down_at_broadcast(campaign, tmp_path):
    node = campaign.node
    hold = tmp_path / "hold"
    # The second batch of pool 1: its hash is recorded, and the node stops before it goes out.
    running = campaign.start_held(hold, POOL_1_AIRDROP, "sent", "run", "--batch-size", BATCH_SIZE, occurrence=2)
    held = campaign.intent(POOL_1_AIRDROP)
    key, nonce = held["idempotency_key"], held["nonce"]

    node.stop()
    hold.unlink()
    running.communicate(timeout=120)
    assert running.returncode != 0
    assert campaign.intent(key)["state"] == "sent"
    node.start(load_state=True)
    assert node.web3.eth.get_transaction_count(campaign.intent(key)["sender"]) == nonce

    finish(campaign)
    intent = campaign.intent(key)
    assert intent["nonce"] == nonce
    assert node.web3.eth.get_transaction(intent["tx_hash"])["nonce"] == nonce
    verify_issuance(campaign)


def stop_before_airdrop(campaign: CampaignUnderTest) -> None:
    """Run the campaign up to its first airdrop transaction, which is prepared but never sent."""
    crashed = campaign.crash(FIRST_AIRDROP, "prepared", "run", "--batch-size", BATCH_SIZE)
    assert crashed.returncode == SIGKILL_STATUS, describe(crashed)


def issue_without_mining(campaign: CampaignUnderTest) -> dict:
    """Run the issue step while the node mines nothing; return the first airdrop's pending
    transaction as the node's pool contains it.

    With mining off, ape does not wait for a receipt: it returns a placeholder receipt without a
    block. The sender then waits for a receipt from a block (3 s in these tests), finds none, and
    stops the step with the intent left `sent`.
    """
    node = campaign.node
    stop_before_airdrop(campaign)
    node.rpc("evm_setAutomine", False)

    issued = campaign.step("issue", "--batch-size", BATCH_SIZE)

    assert issued.returncode != 0, describe(issued)
    assert "was sent but not mined" in issued.stdout + issued.stderr, describe(issued)
    pool = node.rpc("txpool_content")["pending"]
    pending = [transaction for by_nonce in pool.values() for transaction in by_nonce.values()]
    assert len(pending) == 1
    return pending[0]


def test_unmined_airdrop_not_confirmed(campaign):
    pending = issue_without_mining(campaign)

    intent = campaign.intent(FIRST_AIRDROP)
    assert intent["tx_hash"] == pending["hash"]
    assert intent["state"] == "sent"
    assert campaign.journal_badges() == 0


def test_pending_airdrop_mined_later(campaign):
    pending = issue_without_mining(campaign)
    campaign.node.rpc("evm_mine")
    campaign.node.rpc("evm_setAutomine", True)

    finish(campaign)

    receipt = campaign.node.web3.eth.get_transaction_receipt(pending["hash"])
    assert receipt["status"] == 1
    verify_issuance(campaign)


def test_dropped_airdrop_resent_on_same_nonce(campaign):
    node = campaign.node
    pending = issue_without_mining(campaign)
    node.rpc("anvil_dropTransaction", pending["hash"])
    assert node.rpc("eth_getTransactionByHash", pending["hash"]) is None
    node.rpc("evm_setAutomine", True)

    finish(campaign)

    verify_issuance(campaign)
    resent = campaign.intent(FIRST_AIRDROP)
    assert resent["state"] == "confirmed"
    assert resent["nonce"] == int(pending["nonce"], 16)
    assert node.web3.eth.get_transaction(resent["tx_hash"])["nonce"] == int(pending["nonce"], 16)
