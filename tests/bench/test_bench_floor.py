"""The physical floor: calldata, log and new-slot costs, on hand-made traces and a real issue."""

import pytest

from bench.floor import (
    LogShape,
    calldata_gas,
    call_floor,
    frame_addresses,
    frame_logs,
    log_gas,
    new_slots,
    transaction_floor,
)

SERIES = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
DRAW = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"
SLOT_A = "0x" + "0a" * 32
SLOT_B = "0x" + "0b" * 32
SLOT_C = "0x" + "0c" * 32
ONE = "0x" + "00" * 31 + "01"
TWO = "0x" + "00" * 31 + "02"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", 0),
        (b"\x00" * 10, 40),
        (b"\x01" * 10, 160),
        (bytes.fromhex("b696a6ad") + bytes(32) + bytes(12) + b"\xab" * 20, 4 * 16 + 44 * 4 + 20 * 16),
    ],
)
def test_calldata_gas_counts_zero_and_nonzero_bytes(data, expected):
    assert calldata_gas(data) == expected


@pytest.mark.parametrize(
    ("topics", "data_bytes", "expected"),
    [
        (4, 0, 1_875),  # ERC-721 Transfer: signature, from, to, tokenId
        (1, 32, 1_006),  # ERC-5192 Locked(uint256)
        (2, 64, 1_637),  # BadgesIssued(editionId indexed, firstSerial, count)
        (0, 0, 375),
    ],
)
def test_log_gas_follows_the_schedule(topics, data_bytes, expected):
    assert log_gas(LogShape(topics=topics, data_bytes=data_bytes)) == expected


def test_new_slots_counts_zero_to_nonzero_only():
    diff = {
        "pre": {SERIES: {"storage": {SLOT_B: ONE, SLOT_C: ONE}}},
        "post": {SERIES: {"storage": {SLOT_A: ONE, SLOT_B: TWO}}},
    }

    # SLOT_A is new, SLOT_B changed from non-zero, SLOT_C was cleared (absent from post).
    assert new_slots(diff) == 1


def test_new_slots_zero_pre_value_is_new():
    diff = {
        "pre": {SERIES: {"storage": {SLOT_A: "0x" + "00" * 32}}},
        "post": {SERIES: {"storage": {SLOT_A: ONE}}},
    }

    assert new_slots(diff) == 1


def test_new_slots_ignores_accounts_without_storage():
    diff = {"pre": {SERIES: {"balance": "0x0"}}, "post": {SERIES: {"balance": "0x1", "nonce": 2}}}

    assert new_slots(diff) == 0


def test_new_slots_filters_accounts_in_any_case():
    diff = {
        "pre": {},
        "post": {SERIES.lower(): {"storage": {SLOT_A: ONE}}, DRAW: {"storage": {SLOT_A: ONE, SLOT_B: ONE}}},
    }

    assert new_slots(diff, [SERIES.upper().replace("0X", "0x")]) == 1
    assert new_slots(diff, [DRAW]) == 2
    assert new_slots(diff) == 3


def test_frame_logs_include_sub_calls():
    frame = {
        "to": SERIES,
        "type": "CALL",
        "logs": [{"topics": ["0x01", "0x02"], "data": "0x" + "00" * 64}],
        "calls": [{"to": DRAW, "type": "CALL", "logs": [{"topics": ["0x03"], "data": "0x"}], "calls": []}],
    }

    assert frame_logs(frame) == [LogShape(topics=2, data_bytes=64), LogShape(topics=1, data_bytes=0)]


def test_frame_addresses_leave_out_delegatecall_targets():
    library = "0x" + "11" * 20
    frame = {
        "to": SERIES,
        "type": "CALL",
        "calls": [
            {"to": library, "type": "DELEGATECALL"},
            {"to": DRAW.upper().replace("0X", "0x"), "type": "STATICCALL", "calls": []},
        ],
    }

    assert frame_addresses(frame) == {SERIES.lower(), DRAW.lower()}


def test_transaction_floor_adds_its_parts():
    logs = [LogShape(topics=4, data_bytes=0), LogShape(topics=1, data_bytes=32)]

    floor = transaction_floor(b"\x01\x00", logs, 2)

    assert floor.base == 21_000
    assert floor.calldata == 20
    assert floor.storage == 44_200
    assert floor.logs == 2_881
    assert floor.log_count == 2
    assert floor.total == 21_000 + 20 + 44_200 + 2_881


def test_call_floor_has_no_base_or_calldata():
    floor = call_floor([LogShape(topics=2, data_bytes=64)], 0)

    assert floor.base == 0
    assert floor.calldata == 0
    assert floor.total == 1_637


@pytest.mark.chain
def test_issue_receipt_stays_above_its_floor(series, issuer, create_edition):
    edition = create_edition(cap=5)
    holder = "0x" + "ab" * 20

    receipt = series.issue(edition, holder, sender=issuer)

    logs = [LogShape(topics=len(log["topics"]), data_bytes=len(bytes(log["data"]))) for log in receipt.logs]
    # Transfer, Locked and BadgesIssued, as the series documents for `issue`.
    assert sorted(log.topics for log in logs) == [1, 2, 4]
    # One new slot: the holder's record of received editions.
    floor = transaction_floor(bytes(receipt.transaction.data), logs, 1)
    assert floor.logs == 1_875 + 1_006 + 1_637
    assert floor.total <= receipt.gas_used
