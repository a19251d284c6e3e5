"""The physical gas floor of a transaction: what the EVM charges for the state and logs it leaves.

Whatever the contract's design, a transaction pays at least

    floor = 21,000                                  (transaction base cost)
          + 16 * nonzero calldata bytes + 4 * zero calldata bytes
          + 22,100 * new storage slots              (SSTORE zero to non-zero on a cold slot:
                                                     20,000 + 2,100 for the cold access)
          + sum over logs of (375 + 375 * topics + 8 * data bytes)

where a new slot is one that was zero before the transaction and is non-zero after it, and the
logs are those the transaction emitted. The constants are those of the Ethereum gas schedule
(EIP-2028 calldata, EIP-2929 cold storage access, EIP-2200 SSTORE). The floor leaves out all
computation, every read, and every write to a slot that was already non-zero, so no transaction
that stores and emits the same can cost less. A refund for clearing a slot (4,800 gas under
EIP-3529) is smaller than the 5,000 that the clearing write itself costs, so refunds never take
a receipt below its floor.

NOTE: since Prague, EIP-7623 charges a transaction at least 10 gas per zero and 40 per non-zero
calldata byte on top of the base. A transaction that pays that instead would need another
floor; `bench.gas` checks every measured receipt for it.

For a call inside a transaction (the VRF callback), the floor counts only the logs and new slots
of that call and its sub-calls: the base cost and calldata belong to the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BASE_TX_GAS",
    "CALLDATA_NONZERO_GAS",
    "CALLDATA_ZERO_GAS",
    "LOG_DATA_BYTE_GAS",
    "LOG_GAS",
    "LOG_TOPIC_GAS",
    "NEW_SLOT_GAS",
    "Floor",
    "LogShape",
    "call_floor",
    "calldata_gas",
    "frame_addresses",
    "frame_logs",
    "log_gas",
    "new_slots",
    "transaction_floor",
]

BASE_TX_GAS = 21_000
CALLDATA_ZERO_GAS = 4
CALLDATA_NONZERO_GAS = 16
NEW_SLOT_GAS = 22_100
LOG_GAS = 375
LOG_TOPIC_GAS = 375
LOG_DATA_BYTE_GAS = 8

FORMULA = (
    "floor = 21,000 + 16 × non-zero calldata bytes + 4 × zero calldata bytes + 22,100 × new storage slots "
    "+ Σ over logs (375 + 375 × topics + 8 × data bytes)"
)
"""The formula as the results page states it."""


class LogShape(BaseModel):
    """The parts of a log that its gas depends on."""

    model_config = ConfigDict(frozen=True)

    topics: int = Field(ge=0, le=4, description="Number of topics, the event signature included.")
    data_bytes: int = Field(ge=0, description="Length of the data, in bytes.")


class Floor(BaseModel):
    """A floor and its parts, in gas."""

    model_config = ConfigDict(frozen=True)

    base: int = Field(description="21,000 for a transaction, 0 for a call inside one.")
    calldata: int = Field(description="Calldata cost of the transaction, 0 for a call inside one.")
    new_slots: int = Field(description="Number of storage slots that went from zero to non-zero.")
    storage: int = Field(description="22,100 per new slot.")
    logs: int = Field(description="Cost of the logs emitted.")
    log_count: int = Field(description="Number of logs emitted.")

    @property
    def total(self) -> int:
        """The floor in gas."""
        return self.base + self.calldata + self.storage + self.logs


def calldata_gas(data: bytes) -> int:
    """Return the calldata cost of `data`: 16 gas per non-zero byte, 4 per zero byte."""
    zeros = data.count(0)
    return CALLDATA_ZERO_GAS * zeros + CALLDATA_NONZERO_GAS * (len(data) - zeros)


def log_gas(log: LogShape) -> int:
    """Return the cost of one log: 375, plus 375 per topic, plus 8 per data byte."""
    return LOG_GAS + LOG_TOPIC_GAS * log.topics + LOG_DATA_BYTE_GAS * log.data_bytes


def new_slots(prestate_diff: Mapping[str, Any], accounts: Iterable[str] | None = None) -> int:
    """Count the storage slots that went from zero to non-zero in a transaction.

    Args:
        prestate_diff: Output of `debug_traceTransaction` with the `prestateTracer` in diff mode:
            ``{"pre": {address: {"storage": {slot: value}}}, "post": {...}}``. `pre` lists the
            earlier value of each changed slot that was non-zero, and `post` the later value of
            each changed slot that is non-zero.
        accounts: Count only the slots of these addresses (any case); default every address.
    """
    selected = None if accounts is None else {address.lower() for address in accounts}
    pre = {address.lower(): state for address, state in prestate_diff.get("pre", {}).items()}
    count = 0
    for address, state in prestate_diff.get("post", {}).items():
        address = address.lower()
        if selected is not None and address not in selected:
            continue
        before = pre.get(address, {}).get("storage", {})
        for slot, value in state.get("storage", {}).items():
            if int(value, 16) != 0 and int(before.get(slot, "0x0"), 16) == 0:
                count += 1
    return count


def frame_logs(frame: Mapping[str, Any]) -> list[LogShape]:
    """Return the logs of a `callTracer` frame (traced with `withLog`) and of all its sub-calls."""
    logs = [LogShape(topics=len(log.get("topics", [])), data_bytes=_hex_length(log.get("data", "0x"))) for log in frame.get("logs", [])]
    for call in frame.get("calls", []):
        logs.extend(frame_logs(call))
    return logs


def frame_addresses(frame: Mapping[str, Any]) -> set[str]:
    """Return the addresses whose code ran in a `callTracer` frame or its sub-calls.

    A DELEGATECALL runs in the caller's storage, so its target is left out.
    """
    addresses = set()
    if frame.get("type") != "DELEGATECALL" and frame.get("to"):
        addresses.add(str(frame["to"]).lower())
    for call in frame.get("calls", []):
        addresses |= frame_addresses(call)
    return addresses


def transaction_floor(calldata: bytes, logs: Sequence[LogShape], slots: int) -> Floor:
    """Return the floor of a transaction with `calldata` that emitted `logs` and created `slots`."""
    return Floor(
        base=BASE_TX_GAS,
        calldata=calldata_gas(calldata),
        new_slots=slots,
        storage=NEW_SLOT_GAS * slots,
        logs=sum(log_gas(log) for log in logs),
        log_count=len(logs),
    )


def call_floor(logs: Sequence[LogShape], slots: int) -> Floor:
    """Return the floor of a call inside a transaction: its logs and new slots only."""
    return Floor(
        base=0,
        calldata=0,
        new_slots=slots,
        storage=NEW_SLOT_GAS * slots,
        logs=sum(log_gas(log) for log in logs),
        log_count=len(logs),
    )


def _hex_length(text: str) -> int:
    digits = text[2:] if text.startswith("0x") else text
    return len(digits) // 2
