"""A VRF request that is never fulfilled leaves the round visibly pending and issues nothing;
after the request lapses (25 hours, one more than the 24 after which Chainlink's oracles drop a
request), one retry is possible, a late fulfilment of the first request changes nothing, and a round
whose retry lapses too has failed for good.

Chainlink's oracle is played by `VRFCoordinatorV2_5Mock`, which the campaign deploys on a local
network: a request stays unanswered until someone calls the mock's `fulfillRandomWords`. The
clock moves with anvil's `evm_increaseTime`. The retries and late answers are sent from anvil's
sixth account, a stranger to the campaign, because anyone may request the seed.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak
from reliability_support import SIGKILL_STATUS, CampaignUnderTest, describe, verify_issuance
from web3.exceptions import ContractCustomError

pytestmark = pytest.mark.slow

BATCH_SIZE = "3"
HOUR = 3600
REQUEST_TIMEOUT = 25 * HOUR
STRANGER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"
"""anvil's sixth account."""

COMMITTED, REQUESTED, SEEDED, FAILED = 1, 2, 3, 4


def request_without_fulfilment(campaign: CampaignUnderTest) -> int:
    """Run the campaign until its seed is requested, and stop before the oracle fulfils the
    request; return the request id."""
    crashed = campaign.crash("fulfil/xiazhi/*", "prepared", "run", "--batch-size", BATCH_SIZE)
    assert crashed.returncode == SIGKILL_STATUS, describe(crashed)
    draw = campaign.contract("BadgeDraw")
    assert draw.functions.roundState(0).call() == REQUESTED
    return int(draw.functions.getRound(0).call()[11][0])


def custom_error(signature: str, *arguments: int) -> str:
    """Return the revert data of a custom error with uint256 arguments, as 0x-prefixed hex."""
    selector = keccak(text=signature)[:4]
    return "0x" + (selector + b"".join(argument.to_bytes(32, "big") for argument in arguments)).hex()


def advance_clock(campaign: CampaignUnderTest, seconds: int) -> None:
    campaign.node.rpc("evm_increaseTime", seconds)
    campaign.node.rpc("evm_mine")


def send(campaign: CampaignUnderTest, call: Any) -> dict:
    """Send `call` from the stranger and return its receipt.

    Waiting matters: anvil may mine an automined transaction after a later `evm_increaseTime`,
    which would stamp it with the advanced clock.
    """
    sent = call.transact({"from": STRANGER})
    return dict(campaign.node.web3.eth.wait_for_transaction_receipt(sent))


def fulfil(campaign: CampaignUnderTest, request_id: int) -> dict:
    """Fulfil `request_id` through the coordinator mock, as the oracle would; return the receipt."""
    coordinator = campaign.contract("VrfCoordinatorMock")
    source = campaign.record()["contracts"]["ChainlinkVrfSource"]["address"]
    return send(campaign, coordinator.functions.fulfillRandomWords(request_id, source))


def status_line(campaign: CampaignUnderTest) -> str:
    shown = campaign.step("status")
    assert shown.returncode == 0, describe(shown)
    return next(line for line in shown.stdout.splitlines() if line.startswith("xiazhi"))


def issued_count(campaign: CampaignUnderTest) -> int:
    return int(campaign.contract("BadgeSeries").functions.edition(0).call()[3])


def test_unfulfilled_request_stays_pending(campaign):
    request_without_fulfilment(campaign)

    for hours in (0, 24):
        advance_clock(campaign, hours * HOUR)
        assert "requested" in status_line(campaign).split()
        issued = campaign.step("issue", "--batch-size", BATCH_SIZE)
        assert issued.returncode == 0, describe(issued)
        assert "Issued 0 badges" in issued.stdout + issued.stderr

    assert issued_count(campaign) == 0
    assert list(campaign.contract("BadgeDraw").events.BadgeClaimed.get_logs(from_block=0)) == []


def test_retry_after_lapse_seeds_once(campaign):
    first = request_without_fulfilment(campaign)
    draw = campaign.contract("BadgeDraw")
    source = campaign.contract("ChainlinkVrfSource")
    advance_clock(campaign, REQUEST_TIMEOUT - HOUR)
    pending = custom_error("DrawRequestPending(uint256,uint256)", 0, first)
    with pytest.raises(ContractCustomError, match=pending):
        draw.functions.requestRandomness(0).transact({"from": STRANGER})

    advance_clock(campaign, HOUR + 1)
    assert source.functions.requestLapsed(first).call()
    send(campaign, draw.functions.requestRandomness(0))
    second = int(draw.functions.getRound(0).call()[11][1])
    assert second not in (0, first)
    late = fulfil(campaign, first)
    assert late["status"] == 1
    assert draw.functions.roundState(0).call() == REQUESTED
    fulfil(campaign, second)
    assert draw.functions.roundState(0).call() == SEEDED

    finished = campaign.step("run", "--batch-size", BATCH_SIZE)

    assert finished.returncode == 0, describe(finished)
    deliveries = draw.events.SeedDelivered.get_logs(from_block=0)
    assert [int(log.args.requestId) for log in deliveries] == [second]
    summary = verify_issuance(campaign)
    assert summary.claims == 10


def test_issuer_retries_lapsed_request(campaign):
    request_without_fulfilment(campaign)
    advance_clock(campaign, REQUEST_TIMEOUT + 1)

    finished = campaign.step("run", "--batch-size", BATCH_SIZE)

    assert finished.returncode == 0, describe(finished)
    assert "10 badges issued" in finished.stdout
    verify_issuance(campaign)


def test_round_failed_after_retry_lapses(campaign):
    request_without_fulfilment(campaign)
    draw = campaign.contract("BadgeDraw")
    advance_clock(campaign, REQUEST_TIMEOUT + 1)
    send(campaign, draw.functions.requestRandomness(0))
    advance_clock(campaign, REQUEST_TIMEOUT + 1)
    assert draw.functions.roundState(0).call() == FAILED
    head = campaign.node.block_number

    failed = campaign.step("run", "--batch-size", BATCH_SIZE)

    assert failed.returncode != 0
    assert "Round 0 (xiazhi) failed: its randomness request lapsed" in failed.stdout + failed.stderr, describe(failed)
    assert campaign.node.block_number == head
    assert "failed" in status_line(campaign).split()
    assert issued_count(campaign) == 0
    send(campaign, draw.functions.expire(0))
    assert len(draw.events.RoundFailed.get_logs(from_block=0)) == 1
