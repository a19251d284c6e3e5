"""Reading the logs of a badge series, its draw and the draw's randomness sources, and folding the
series' logs into badges with their serials.

The series does not store serials (see `IBadgeSeries`), so they come from events. A direct issue
states the first serial of its call in `BadgesIssued`, and the call's mints follow in log order. A
draw states each claimed badge's serial in `BadgeClaimed`. A recovery keeps the serial of the
badge it moves (`BadgeRecovered`). `SeriesLedger` applies these rules to logs in chain order and
rebuilds every badge, its serial and what happened to it since.

Logs are read in block ranges of at most `LogReader.block_range` blocks, because providers reject
`eth_getLogs` over wide ranges, with a progress bar on a terminal.
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ape.contracts import ContractInstance
from ape.exceptions import ApeException
from ape.types import LogFilter
from ape.utils import ManagerAccessMixin
from eth_utils import encode_hex, keccak, to_checksum_address
from ethpm_types.abi import EventABI
from tqdm import tqdm

from merit.chain.contracts import ContractName, contract_type, instance_at
from merit.errors import ChainError

__all__ = [
    "DEFAULT_BLOCK_RANGE",
    "ZERO_ADDRESS",
    "BadgeOrigin",
    "BadgeRecord",
    "BadgeStatus",
    "ChainEvent",
    "ClaimRecord",
    "EditionLog",
    "LedgerProblem",
    "LogQuery",
    "LogReader",
    "SeriesLedger",
    "bind_contract",
    "edition_of",
    "event_abis",
    "holder_of",
    "token_id_of",
]

logger = logging.getLogger(__name__)

DEFAULT_BLOCK_RANGE = 2_000
"""Blocks per `eth_getLogs` request. Hosted providers cap the range or the result size of one
request; lower it when a provider rejects a request as too large."""

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

SERIES_EVENTS = (
    "EditionCreated",
    "SerialsReserved",
    "BadgesIssued",
    "Transfer",
    "Locked",
    "BadgeRevoked",
    "BadgeRecovered",
    "HolderRecovered",
)
"""Events of `BadgeSeries` that `SeriesLedger` folds."""

DRAW_EVENTS = (
    "RoundCommitted",
    "PoolCommitted",
    "RandomnessRequested",
    "SeedDelivered",
    "SeedIgnored",
    "RoundFailed",
    "BadgeClaimed",
    "ClaimSkipped",
)
"""Events of `BadgeDraw` that an audit reads."""


def token_id_of(edition_id: int, holder: str) -> int:
    """Return the token id of `holder`'s badge of `edition_id`: ``editionId << 160 | holder``."""
    return (edition_id << 160) | int(holder, 16)


def edition_of(token_id: int) -> int:
    """Return the edition id that a token id carries."""
    return token_id >> 160


def holder_of(token_id: int) -> str:
    """Return the holder address that a token id carries, EIP-55."""
    return to_checksum_address((token_id & ((1 << 160) - 1)).to_bytes(20, "big"))


def bind_contract(name: ContractName, contract: str | ContractInstance) -> ContractInstance:
    """Return contract `name` at the address of `contract` (an address or an ape instance),
    bound to the SDK's packaged ABI."""
    address = contract.address if isinstance(contract, ContractInstance) else contract
    return instance_at(name, to_checksum_address(str(address)))


def event_abis(name: ContractName, events: Iterable[str]) -> list[EventABI]:
    """Return the ABIs of `events` from the packaged artifact of contract `name`.

    Raises:
        ValueError: if the contract has no event of one of the names.
    """
    available = {abi.name: abi for abi in contract_type(name).events}
    missing = [event for event in events if event not in available]
    if missing:
        raise ValueError(f"{name} has no event {', '.join(missing)}; it has {', '.join(sorted(available))}.")
    return [available[event] for event in events]


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainEvent:
    """One decoded log.

    Attributes:
        source: What the emitting contract is to the reader, e.g. ``series`` or ``draw``.
        address: Address of the emitting contract, EIP-55.
        name: Event name.
        args: Decoded arguments: ints, EIP-55 address strings and bytes.
        block_number: Block of the log.
        transaction_index: Position of the transaction in its block.
        log_index: Position of the log in its block.
        transaction_hash: Hash of the transaction, 0x-prefixed hex.
    """

    source: str
    address: str
    name: str
    args: Mapping[str, Any]
    block_number: int
    transaction_index: int
    log_index: int
    transaction_hash: str

    @property
    def position(self) -> tuple[int, int]:
        """Chain order of the log: block number, then log index."""
        return (self.block_number, self.log_index)

    def __getitem__(self, key: str) -> Any:
        return self.args[key]


@dataclass(frozen=True)
class LogQuery:
    """The logs of some events of one contract, optionally narrowed by indexed arguments.

    Attributes:
        source: Label copied into each `ChainEvent.source`.
        address: The contract.
        events: ABIs of the events to read.
        topics: Values of indexed arguments, by name, that every log must have; only for a
            query of one event.
    """

    source: str
    address: str
    events: tuple[EventABI, ...]
    topics: Mapping[str, Any] = field(default_factory=dict)

    def log_filter(self, start_block: int, stop_block: int) -> LogFilter:
        """Return the ape log filter of this query over blocks `start_block..stop_block`."""
        if self.topics:
            if len(self.events) != 1:
                raise ValueError("Indexed-argument filters need a query of exactly one event.")
            return LogFilter.from_event(
                self.events[0],
                search_topics=dict(self.topics),
                addresses=[self.address],
                start_block=start_block,
                stop_block=stop_block,
            )
        selectors = [encode_hex(keccak(text=abi.selector)) for abi in self.events]
        return LogFilter(
            addresses=[self.address],
            events=list(self.events),
            topic_filter=[selectors],
            start_block=start_block,
            stop_block=stop_block,
        )


class LogReader(ManagerAccessMixin):
    """Reads logs from the connected network in block ranges.

    Args:
        block_range: Blocks per `eth_getLogs` request, at least 1.
        progress: Show a progress bar: True, False, or None to show it only on a terminal and
            only for scans of more than one range.
    """

    def __init__(self, *, block_range: int = DEFAULT_BLOCK_RANGE, progress: bool | None = None) -> None:
        if block_range < 1:
            raise ValueError(f"block_range must be at least 1, got {block_range}.")
        self.block_range = block_range
        self.progress = progress

    def head(self) -> int:
        """Return the number of the newest block."""
        return int(self.chain_manager.blocks.height)

    def read(self, queries: Sequence[LogQuery], start_block: int, stop_block: int | None = None) -> list[ChainEvent]:
        """Return the logs of all `queries` in blocks `start_block..stop_block`, in chain order.

        Args:
            queries: What to read; each range sends one request per query.
            start_block: First block, inclusive.
            stop_block: Last block, inclusive; default the newest block.

        Raises:
            ChainError: if the provider rejects a request; the message names the range.
        """
        stop = self.head() if stop_block is None else stop_block
        if start_block > stop or not queries:
            return []

        ranges = [(first, min(stop, first + self.block_range - 1)) for first in range(start_block, stop + 1, self.block_range)]
        if self.progress is None:
            # None lets tqdm hide the bar when stderr is not a terminal.
            disable: bool | None = None if len(ranges) > 1 else True
        else:
            disable = not self.progress
        events: list[ChainEvent] = []
        with tqdm(total=stop - start_block + 1, unit="block", desc="Reading logs", disable=disable, leave=False) as bar:
            for first, last in ranges:
                for query in queries:
                    events.extend(self._read_range(query, first, last))
                bar.update(last - first + 1)

        events.sort(key=lambda event: event.position)
        logger.debug(
            "Read %d logs of %d queries in blocks %d to %d.", len(events), len(queries), start_block, stop
        )
        return events

    def _read_range(self, query: LogQuery, first: int, last: int) -> Iterator[ChainEvent]:
        try:
            logs = list(self.provider.get_contract_logs(query.log_filter(first, last)))
        except (ApeException, ValueError) as error:
            raise ChainError(
                f"Reading the logs of {query.source} {query.address} in blocks {first} to {last} "
                f"failed: {error}. If the provider caps log ranges, pass a smaller block range "
                f"(now {self.block_range})."
            ) from error
        for log in logs:
            yield ChainEvent(
                source=query.source,
                address=to_checksum_address(log.contract_address),
                name=log.event_name,
                args={key: _plain(value) for key, value in log.event_arguments.items()},
                block_number=int(log.block_number or 0),
                transaction_index=int(log.transaction_index or 0),
                log_index=int(log.log_index or 0),
                transaction_hash=_hex(log.transaction_hash),
            )


def _plain(value: Any) -> Any:
    """Convert a decoded argument to a plain int, str, bool, bytes or list of them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _hex(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    text = str(value)
    return text if text.startswith("0x") else f"0x{text}"


# ---------------------------------------------------------------------------------------------
# Folding the series' logs
# ---------------------------------------------------------------------------------------------


class BadgeOrigin(str, enum.Enum):
    """Origin of a badge: the call that minted it."""

    DIRECT = "direct"
    """Issued by the issuer with `issue` or `issueBatch`."""
    DRAW = "draw"
    """Minted for a winner's claim on the draw contract."""
    RECOVERY = "recovery"
    """Moved from a lost address by a recovery."""
    UNEXPLAINED = "unexplained"
    """Minted without any event that states its serial, e.g. by another minter."""


class BadgeStatus(str, enum.Enum):
    """Current status of a badge."""

    HELD = "held"
    REVOKED = "revoked"
    MOVED = "moved"
    """Moved to a successor address by a recovery; the successor's badge has a new token id."""


@dataclass(frozen=True)
class ClaimRecord:
    """The draw claim that minted a badge, from `BadgeClaimed`."""

    pool: int
    index: int
    account: str
    serial: int


@dataclass
class BadgeRecord:
    """A badge as the logs describe it.

    Attributes:
        token_id: ``edition << 160 | holder``.
        edition_id: The edition.
        holder: The address the badge was minted to.
        serial: Serial number, or None when no event states it.
        origin: How it was minted.
        transaction_hash: The minting transaction.
        block_number: The minting block.
        status: Held, revoked or moved.
        claim: The claim that minted it, or the badge it was recovered from, for drawn badges.
        recovered_from: Token id of the badge that a recovery moved here.
        moved_to: Token id of the badge that a recovery moved this one to.
        revoke_reason: Reason code of the revocation.
        locked: Whether an ERC-5192 `Locked` log followed the mint.
    """

    token_id: int
    edition_id: int
    holder: str
    serial: int | None
    origin: BadgeOrigin
    transaction_hash: str
    block_number: int
    status: BadgeStatus = BadgeStatus.HELD
    claim: ClaimRecord | None = None
    recovered_from: int | None = None
    moved_to: int | None = None
    revoke_reason: int | None = None
    locked: bool = False


@dataclass(frozen=True)
class SerialBlock:
    """Serials `first .. first + count - 1`, handed out by one event."""

    first: int
    count: int
    minter: str | None
    transaction_hash: str

    @property
    def last(self) -> int:
        """The block's last serial."""
        return self.first + self.count - 1


@dataclass
class EditionLog:
    """An edition as the logs describe it.

    Attributes:
        edition_id: The edition.
        created: Arguments of `EditionCreated`, or None when the logs lack it.
        reserved: Serial blocks reserved by draw contracts (`SerialsReserved`).
        issued_directly: Serial blocks of direct issues (`BadgesIssued`).
        minted: Badges minted other than by recovery; the series' `issued` counter.
        revoked: Badges revoked; the series' `revoked` counter.
    """

    edition_id: int
    created: Mapping[str, Any] | None = None
    reserved: list[SerialBlock] = field(default_factory=list)
    issued_directly: list[SerialBlock] = field(default_factory=list)
    minted: int = 0
    revoked: int = 0

    @property
    def allocated(self) -> int:
        """Serials handed out according to the logs; the series' `allocated` counter."""
        return sum(block.count for block in self.reserved) + sum(block.count for block in self.issued_directly)

    @property
    def name(self) -> str:
        """The edition's display name, or an empty string when the logs lack its creation."""
        return str(self.created["name"]) if self.created else ""


@dataclass(frozen=True)
class LedgerProblem:
    """Logs that contradict the series' rules, found while folding them.

    Attributes:
        kind: Short code, as in `Discrepancy.kind` of the auditor.
        edition_id: The edition concerned.
        transaction_hash: The transaction whose logs contradict the rules.
        detail: What is wrong, with the values.
    """

    kind: str
    edition_id: int
    transaction_hash: str
    detail: str


class SeriesLedger:
    """Badges, serials, recoveries and counters rebuilt from the logs of a series and its draw.

    Feed it logs in chain order with `apply`, whole transactions at a time: the series emits a
    mint's `Transfer` before the event that states its serial, so the ledger pairs them within
    each transaction. Logs of the draw contract (`BadgeClaimed`) are needed for drawn badges.

    Args:
        draw_address: The draw contract whose `BadgeClaimed` logs explain drawn mints; None
            when no draw is audited.
    """

    def __init__(self, draw_address: str | None = None) -> None:
        self.draw_address = to_checksum_address(draw_address) if draw_address else None
        self.editions: dict[int, EditionLog] = {}
        self.badges: dict[int, BadgeRecord] = {}
        self.successors: dict[str, str] = {}
        self.problems: list[LedgerProblem] = []

    # -- queries -------------------------------------------------------------------------------

    def edition(self, edition_id: int) -> EditionLog:
        """Return the log record of an edition, empty when no log mentions it."""
        return self.editions.setdefault(edition_id, EditionLog(edition_id))

    def badges_of_edition(self, edition_id: int) -> list[BadgeRecord]:
        """Return the badges of an edition in minting order."""
        return [badge for badge in self.badges.values() if badge.edition_id == edition_id]

    def held_by(self, holder: str) -> list[BadgeRecord]:
        """Return the badges that `holder` holds according to the logs."""
        holder = to_checksum_address(holder)
        return [badge for badge in self.badges.values() if badge.holder == holder and badge.status is BadgeStatus.HELD]

    def current_address(self, account: str) -> str:
        """Follow recoveries from `account` to the address that replaced it last."""
        address: str = to_checksum_address(account)
        seen = {address}
        while address in self.successors:
            address = self.successors[address]
            if address in seen:
                # Cannot happen on the series, which never lets a retired address become a
                # successor; guards against looping on inconsistent logs.
                break
            seen.add(address)
        return address

    # -- folding -------------------------------------------------------------------------------

    def apply(self, events: Sequence[ChainEvent]) -> None:
        """Fold logs into the ledger; `events` must be in chain order and hold whole transactions."""
        by_transaction: dict[str, list[ChainEvent]] = defaultdict(list)
        order: list[str] = []
        for event in events:
            if event.transaction_hash not in by_transaction:
                order.append(event.transaction_hash)
            by_transaction[event.transaction_hash].append(event)
        for transaction_hash in order:
            self._apply_transaction(transaction_hash, by_transaction[transaction_hash])

    def _apply_transaction(self, transaction_hash: str, events: Sequence[ChainEvent]) -> None:
        pending_mints: list[BadgeRecord] = []
        pending_burns: dict[int, ChainEvent] = {}
        for event in events:
            if event.source == "draw":
                if event.name == "BadgeClaimed":
                    self._on_claimed(event, pending_mints)
            elif event.name == "Transfer":
                self._on_transfer(event, pending_mints, pending_burns)
            elif event.name == "BadgesIssued":
                self._on_issued(event, pending_mints)
            elif event.name == "BadgeRevoked":
                self._on_revoked(event, pending_burns)
            elif event.name == "BadgeRecovered":
                self._on_recovered(event, pending_mints, pending_burns)
            elif event.name == "EditionCreated":
                self.edition(int(event["editionId"])).created = dict(event.args)
            elif event.name == "SerialsReserved":
                block = SerialBlock(
                    int(event["firstSerial"]), int(event["count"]), str(event["minter"]), event.transaction_hash
                )
                self.edition(int(event["editionId"])).reserved.append(block)
            elif event.name == "HolderRecovered":
                self.successors[to_checksum_address(event["holder"])] = to_checksum_address(event["successor"])
            elif event.name == "Locked" and int(event["tokenId"]) in self.badges:
                self.badges[int(event["tokenId"])].locked = True

        for badge in pending_mints:
            badge.origin = BadgeOrigin.UNEXPLAINED
            self.edition(badge.edition_id).minted += 1
            self.problems.append(
                LedgerProblem(
                    "unexplained-mint",
                    badge.edition_id,
                    transaction_hash,
                    f"Token {badge.token_id:#x} was minted to {badge.holder} in transaction "
                    f"{transaction_hash}, and no BadgesIssued, BadgeClaimed of draw "
                    f"{self.draw_address} or BadgeRecovered log of that transaction states its serial.",
                )
            )
        for token_id, burn in pending_burns.items():
            self.problems.append(
                LedgerProblem(
                    "unexplained-burn",
                    edition_of(token_id),
                    transaction_hash,
                    f"Token {token_id:#x} of {burn['from']} was burned in transaction "
                    f"{transaction_hash} without a BadgeRevoked or BadgeRecovered log.",
                )
            )

    def _on_transfer(self, event: ChainEvent, pending: list[BadgeRecord], burns: dict[int, ChainEvent]) -> None:
        token_id = int(event["tokenId"])
        sender, receiver = str(event["from"]), str(event["to"])
        if sender == ZERO_ADDRESS:
            existing = self.badges.get(token_id)
            if existing is not None and existing.status is BadgeStatus.HELD:
                self.problems.append(
                    LedgerProblem(
                        "duplicate-mint",
                        edition_of(token_id),
                        event.transaction_hash,
                        f"Token {token_id:#x} was minted again in transaction {event.transaction_hash} "
                        f"while the one minted in {existing.transaction_hash} still exists.",
                    )
                )
            badge = BadgeRecord(
                token_id=token_id,
                edition_id=edition_of(token_id),
                holder=to_checksum_address(receiver),
                serial=None,
                origin=BadgeOrigin.UNEXPLAINED,
                transaction_hash=event.transaction_hash,
                block_number=event.block_number,
            )
            self.badges[token_id] = badge
            pending.append(badge)
        elif receiver == ZERO_ADDRESS:
            burns[token_id] = event
        else:
            self.problems.append(
                LedgerProblem(
                    "transfer",
                    edition_of(token_id),
                    event.transaction_hash,
                    f"Token {token_id:#x} was transferred from {sender} to {receiver} in transaction "
                    f"{event.transaction_hash}, but badges are soulbound.",
                )
            )

    def _on_issued(self, event: ChainEvent, pending: list[BadgeRecord]) -> None:
        edition_id = int(event["editionId"])
        first, count = int(event["firstSerial"]), int(event["count"])
        log = self.edition(edition_id)
        log.issued_directly.append(SerialBlock(first, count, None, event.transaction_hash))

        # The call's mints are the oldest unexplained mints of the edition in this transaction.
        mints = [badge for badge in pending if badge.edition_id == edition_id][:count]
        if len(mints) != count:
            self.problems.append(
                LedgerProblem(
                    "issue-count",
                    edition_id,
                    event.transaction_hash,
                    f"BadgesIssued states {count} badges from serial {first} in transaction "
                    f"{event.transaction_hash}, but {len(mints)} mints of edition {edition_id} precede it.",
                )
            )
        for offset, badge in enumerate(mints):
            badge.serial = first + offset
            badge.origin = BadgeOrigin.DIRECT
            pending.remove(badge)
            log.minted += 1

    def _on_claimed(self, event: ChainEvent, pending: list[BadgeRecord]) -> None:
        if self.draw_address is not None and event.address != self.draw_address:
            return
        token_id = int(event["tokenId"])
        claim = ClaimRecord(int(event["pool"]), int(event["index"]), str(event["account"]), int(event["serial"]))
        badge = next((badge for badge in pending if badge.token_id == token_id), None)
        if badge is None:
            self.problems.append(
                LedgerProblem(
                    "claim-without-mint",
                    int(event["roundId"]),
                    event.transaction_hash,
                    f"BadgeClaimed of pool {claim.pool} index {claim.index} states token {token_id:#x} "
                    f"with serial {claim.serial}, but transaction {event.transaction_hash} minted no such token.",
                )
            )
            return
        badge.serial = claim.serial
        badge.origin = BadgeOrigin.DRAW
        badge.claim = claim
        pending.remove(badge)
        self.edition(badge.edition_id).minted += 1

    def _on_revoked(self, event: ChainEvent, burns: dict[int, ChainEvent]) -> None:
        token_id = int(event["tokenId"])
        edition_id = int(event["editionId"])
        self.edition(edition_id).revoked += 1
        burns.pop(token_id, None)
        badge = self.badges.get(token_id)
        if badge is None or badge.status is not BadgeStatus.HELD:
            state = "unknown" if badge is None else badge.status.value
            self.problems.append(
                LedgerProblem(
                    "revoke-unknown-badge",
                    edition_id,
                    event.transaction_hash,
                    f"BadgeRevoked names token {token_id:#x}, which the logs show as {state}.",
                )
            )
            return
        badge.status = BadgeStatus.REVOKED
        badge.revoke_reason = int(event["reason"])

    def _on_recovered(self, event: ChainEvent, pending: list[BadgeRecord], burns: dict[int, ChainEvent]) -> None:
        old_id, new_id = int(event["oldTokenId"]), int(event["newTokenId"])
        burns.pop(old_id, None)
        new_badge = next((badge for badge in pending if badge.token_id == new_id), None)
        old_badge = self.badges.get(old_id)
        if new_badge is None:
            self.problems.append(
                LedgerProblem(
                    "recovery-without-mint",
                    edition_of(new_id),
                    event.transaction_hash,
                    f"BadgeRecovered moves token {old_id:#x} to {new_id:#x}, but transaction "
                    f"{event.transaction_hash} minted no token {new_id:#x}.",
                )
            )
            return

        pending.remove(new_badge)
        new_badge.origin = BadgeOrigin.RECOVERY
        new_badge.recovered_from = old_id
        if old_badge is None:
            # A reader that started after the old badge's mint cannot know its serial. The
            # integrator then follows `recovered_from` on its own.
            return
        if old_badge.status is not BadgeStatus.HELD:
            self.problems.append(
                LedgerProblem(
                    "recovery-of-missing-badge",
                    old_badge.edition_id,
                    event.transaction_hash,
                    f"BadgeRecovered moves token {old_id:#x}, which the logs show as {old_badge.status.value}.",
                )
            )

        new_badge.serial = old_badge.serial
        new_badge.claim = old_badge.claim
        old_badge.status = BadgeStatus.MOVED
        old_badge.moved_to = new_id
