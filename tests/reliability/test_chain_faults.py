"""A campaign pointed at the wrong chain, or signed with a key that lacks a role, stops before it
sends anything, names the cause, and finishes once the cause is fixed.

Wrong chain: a deployment record or a journal written for another chain (Sepolia's id 11155111
stands in for any other chain), and a node restarted with another chain id under the same output
folder. Missing role: the campaign is deployed with `--issuer` set to another account, so the
signing account holds DEFAULT_ADMIN_ROLE but not ISSUER_ROLE.
"""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from reliability_support import AnvilNode, CampaignUnderTest, describe, verify_issuance

pytestmark = pytest.mark.slow

BATCH_SIZE = "3"
OTHER_CHAIN_ID = 11155111
SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
"""anvil's first account, which `ape run` signs with on a local network."""
OTHER_ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
"""anvil's second account."""


def finish(campaign: CampaignUnderTest, *extra: str) -> None:
    final = campaign.step("run", "--batch-size", BATCH_SIZE, *extra)
    assert final.returncode == 0, describe(final)
    assert "10 badges issued" in final.stdout


def assert_nothing_sent(campaign: CampaignUnderTest, head: int, intents: list[dict]) -> None:
    assert campaign.node.block_number == head, "a transaction was mined"
    assert campaign.intents() == intents, "the journal's intents changed"


def test_record_of_other_chain_rejected(campaign):
    finish(campaign)
    record = campaign.record()
    record["chain_id"] = OTHER_CHAIN_ID
    campaign.record_path.write_text(json.dumps(record), "utf-8")
    head, intents = campaign.node.block_number, campaign.intents()

    rejected = campaign.step("run", "--batch-size", BATCH_SIZE)

    assert rejected.returncode != 0
    output = rejected.stdout + rejected.stderr
    assert f"chain id is 31337, the record was made on chain {OTHER_CHAIN_ID}" in output, describe(rejected)
    assert "Check the network, or move the record away" in output
    assert_nothing_sent(campaign, head, intents)
    assert campaign.record() == record


def test_journal_of_other_chain_rejected(campaign):
    finish(campaign)
    with sqlite3.connect(campaign.journal_path) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = 'chain_id'", (str(OTHER_CHAIN_ID),))
        connection.execute("UPDATE meta SET value = 'ethereum:sepolia:node' WHERE key = 'network'")
    head, intents = campaign.node.block_number, campaign.intents()

    rejected = campaign.step("run", "--batch-size", BATCH_SIZE)

    assert rejected.returncode != 0
    output = rejected.stdout + rejected.stderr
    assert f"belongs to ethereum:sepolia:node (chain {OTHER_CHAIN_ID}" in output, describe(rejected)
    assert "Run with the network of that journal to continue it, or pass --fresh" in output
    assert_nothing_sent(campaign, head, intents)


def test_node_with_other_chain_id_rejected(campaign, tmp_path):
    finish(campaign)
    intents = campaign.intents()
    campaign.node.stop()
    (tmp_path / "other").mkdir()
    other = AnvilNode(tmp_path / "other", chain_id=1337)
    other.start()
    try:
        on_other = CampaignUnderTest(other, campaign.campaign_file, campaign.name, campaign.out, campaign.deployments)

        rejected = on_other.step("run", "--batch-size", BATCH_SIZE)

        assert rejected.returncode != 0
        output = rejected.stdout + rejected.stderr
        assert "(chain 31337," in output, describe(rejected)
        assert "(chain 1337," in output
        assert "pass --fresh" in output
        assert other.block_number == 0, "a transaction was sent to the other chain"
    finally:
        other.stop()

    # The journal stays in place for the first chain, and the campaign goes on there.
    assert campaign.intents() == intents
    campaign.node.start(load_state=True)
    finish(campaign)
    assert verify_issuance(campaign).claims == 10


def test_run_with_lost_output_folder_finishes(campaign):
    finish(campaign)
    shutil.rmtree(campaign.out)

    # The plan step writes the same round files again, because they depend only on the entrant
    # file and the HMAC secret. The airdrop then finds every badge issued on chain.
    finish(campaign)

    summary = verify_issuance(campaign)
    assert summary.claims == 10


def test_key_without_issuer_role_rejected(campaign):
    rejected = campaign.step("run", "--batch-size", BATCH_SIZE, "--issuer", OTHER_ISSUER)

    assert rejected.returncode != 0
    output = rejected.stdout + rejected.stderr
    assert f"Account {SIGNER} lacks ISSUER_ROLE" in output, describe(rejected)
    assert f"Ask the admin ({SIGNER}) to grant it" in output
    assert [row["step"] for row in campaign.intents()] == ["deploy"] * len(campaign.intents())

    # The admin grants the missing role; the same command then finishes the campaign.
    for name in ("BadgeSeries", "BadgeDraw"):
        contract = campaign.contract(name)
        role = contract.functions.ISSUER_ROLE().call()
        granted = contract.functions.grantRole(role, SIGNER).transact({"from": SIGNER})
        campaign.node.web3.eth.wait_for_transaction_receipt(granted)
    finish(campaign, "--issuer", OTHER_ISSUER)
    verify_issuance(campaign)
