"""A campaign process killed before, during and after each step finishes on the next run, and
issues every badge exactly once.

Each test crashes `ape run campaign run` (through `crash_driver.py`, with SIGKILL) at several
points of one step in turn, runs the campaign again to the end, and checks the chain and the
auditor with `verify_issuance`. The crash points of a transaction are:

- ``prepared``: signed and recorded as an intent, but not broadcast, and its hash not recorded;
- ``sent``: hash recorded, never broadcast. The next run waits for a receipt (3 s in these tests,
  30 s by default), then sends again on the same nonce;
- ``mined``: in a block, but the receipt is not recorded;
- ``recorded``: the receipt is recorded, but the step's own bookkeeping after it is not.

The campaign has one edition with 10 winners, airdropped in batches of 3: pool 0 (3 winners) in
one batch, pool 1 (7 winners) in three.
"""

from __future__ import annotations

import json

import pytest
from reliability_support import SIGKILL_STATUS, CampaignUnderTest, describe, verify_issuance

pytestmark = pytest.mark.slow

BATCH_SIZE = "3"

# Scenario name: the crashes, as (intent key pattern, crash point, occurrence), in the order they
# happen. The occurrence counts the matching transactions that the crashed run sends, from 1. Each
# crash must hit a transaction that the next run still sends: a step that finds its work done on
# chain (a round already committed) sends nothing, so a second crash there could never happen.
SCENARIOS: dict[str, list[tuple[str, str, int]]] = {
    "deploy": [
        ("deploy/BadgeSeries", "prepared", 1),
        ("deploy/BadgeDraw", "mined", 1),
        ("deploy/VrfCoordinatorMock", "sent", 1),
        ("deploy/ChainlinkVrfSource", "recorded", 1),
        ("deploy/draw-issuer_role", "recorded", 1),
    ],
    "commit": [
        ("edition/xiazhi", "prepared", 1),
        ("edition/xiazhi", "mined", 1),
        ("round/xiazhi", "recorded", 1),
    ],
    "request": [("request/xiazhi*", "prepared", 1), ("request/xiazhi*", "recorded", 1)],
    "request-mined": [("request/xiazhi*", "mined", 1)],
    "seed": [("fulfil/xiazhi/*", "prepared", 1), ("fulfil/xiazhi/*", "recorded", 1)],
    "seed-mined": [("fulfil/xiazhi/*", "mined", 1)],
    # Pool 0 has one batch of 3 winners, pool 1 three batches (3, 3 and 1 winners).
    "airdrop": [
        ("airdrop/xiazhi/pool-0/*", "prepared", 1),
        ("airdrop/xiazhi/pool-0/*", "recorded", 1),
        ("airdrop/xiazhi/pool-1/*", "mined", 1),
        ("airdrop/xiazhi/pool-1/*", "recorded", 2),
    ],
}

EXPECTED_STATE = {"prepared": "prepared", "sent": "sent", "mined": "sent", "recorded": "confirmed"}


def crash_and_check(campaign: CampaignUnderTest, key: str, point: str, occurrence: int = 1) -> None:
    """Crash a run at `point` of the transaction that `key` and `occurrence` pick, and check that
    the journal shows that point."""
    crashed = campaign.crash(key, point, "run", "--batch-size", BATCH_SIZE, occurrence=occurrence)
    assert crashed.returncode == SIGKILL_STATUS, f"the run was not killed at {key} ({point}): {describe(crashed)}"

    intent = campaign.intent(key)
    assert intent is not None, f"no intent {key} in the journal"
    assert intent["state"] == EXPECTED_STATE[point], f"{key} is {intent['state']} after a crash at {point}"
    if point == "prepared":
        assert intent["tx_hash"] is None
    if point == "sent":
        assert campaign.node.web3.eth.get_transaction_count(intent["sender"]) == intent["nonce"]
    if point == "mined":
        receipt = campaign.node.web3.eth.get_transaction_receipt(intent["tx_hash"])
        assert receipt["status"] == 1


def finish(campaign: CampaignUnderTest) -> None:
    """Run the campaign to its end and check that it reports every badge issued."""
    final = campaign.step("run", "--batch-size", BATCH_SIZE)
    assert final.returncode == 0, describe(final)
    assert "10 badges issued" in final.stdout


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_crashes_resume(campaign, scenario):
    nonces_of_unsent = {}
    for key, point, occurrence in SCENARIOS[scenario]:
        crash_and_check(campaign, key, point, occurrence)
        if point == "sent":
            nonces_of_unsent[key] = campaign.intent(key)["nonce"]

    finish(campaign)

    summary = verify_issuance(campaign)
    assert (summary.claims, summary.winners) == (10, 10)
    for key, nonce in nonces_of_unsent.items():
        # The transaction that never left went out again on the nonce recorded for it.
        intent = campaign.intent(key)
        assert intent["state"] == "confirmed"
        assert intent["nonce"] == nonce
        assert campaign.node.web3.eth.get_transaction(intent["tx_hash"])["nonce"] == nonce


def test_mined_intent_reconciled(campaign):
    crash_and_check(campaign, "round/xiazhi", "mined")

    finish(campaign)

    intent = campaign.intent("round/xiazhi")
    assert intent["state"] == "confirmed"
    assert intent["gas_used"] > 0


def test_second_run_after_finish_sends_nothing(campaign):
    finish(campaign)
    head = campaign.node.block_number
    intents = campaign.intents()

    again = campaign.step("run", "--batch-size", BATCH_SIZE)

    assert again.returncode == 0, describe(again)
    assert campaign.node.block_number == head
    assert campaign.intents() == intents


def report_inodes(report_dir):
    return {path.name: path.stat().st_ino for path in report_dir.glob("report*")}


@pytest.mark.parametrize(("step", "renames_before_crash"), [("run", 0), ("report", 2)])
def test_report_crash_rewritten(campaign, step, renames_before_crash):
    """The report step renames four finished files into report/; a crash between two renames
    leaves old and new files side by side, and the next run writes all four again."""
    if step == "report":
        finish(campaign)
    report_dir = campaign.output_dir / "report"
    extra = ("--batch-size", BATCH_SIZE) if step == "run" else ()
    inodes_before = report_inodes(report_dir)

    crashed = campaign.crash_report(renames_before_crash + 1, step, *extra)

    assert crashed.returncode == SIGKILL_STATUS, describe(crashed)
    # A rename puts a new inode in place; the files not renamed yet keep their old inode.
    inodes_after = report_inodes(report_dir)
    renamed = [name for name, inode in inodes_after.items() if inodes_before.get(name) != inode]
    assert len(renamed) == renames_before_crash
    assert set(inodes_after) >= set(inodes_before)
    written = campaign.step(step, *extra)
    assert written.returncode == 0, describe(written)
    names = sorted(path.name for path in report_dir.glob("report*"))
    assert names == ["report.csv", "report.en.html", "report.json", "report.zh-CN.html"]
    document = json.loads((report_dir / "report.json").read_text("utf-8"))
    assert sum(pool["issued"] for edition in document["editions"] for pool in edition["pools"]) == 10
    for name in names:
        assert (report_dir / name).stat().st_size > 0
    verify_issuance(campaign)
