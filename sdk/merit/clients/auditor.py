"""The auditor: rebuild every draw and every badge of a series from chain logs and the published
entrant files, and list each place where they disagree.

`audit_round` checks one edition and `audit_series` all editions of a series. For each drawn
edition the audit checks:

- the published files: the sha256 of ``manifest.json`` equals the round's committed
  `entrantsSha256`. Each pool file has the committed N rows, its Merkle root equals the committed
  root, and the manifest gives the committed K;
- the serials: the pools' K add up to the block of serials that the draw reserved;
- the seed: it is for the round's last request, and the randomness source produced it. For
  commit–reveal, the revealed secret opens the committed commitment and
  ``keccak256(abi.encode(secret, blockhash(targetBlock)))`` with the block hash read from the chain
  gives the seed. For Chainlink VRF, the coordinator fulfilled that request successfully in the same
  transaction and the seed is ``keccak256(abi.encode(outputSeed, 0))``, the first word as
  VRFCoordinatorV2_5 derives it;
- the winners: computed with `merit.permutation`, they are exactly the entrants who received badges
  through the draw, each with serial ``firstSerial + rank`` and held by the file's address or the
  address that replaced it through recovery; no other badge of the edition exists;
- the state: every badge minted exists now unless revoked or moved by recovery, `ownerOf` and
  `balanceOf` agree with the logs, and the edition's `allocated`, `issued` and `revoked` counters
  equal what the logs and the round imply.

Winners who have not claimed yet are listed, not reported as discrepancies. Editions without a round
get the badge and counter checks only. The audit reads the chain as of one block (`stop_block`,
default the newest block when it starts), so that logs and contract views describe the same state.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape.contracts import ContractInstance
from ape.exceptions import ApeException
from ape.utils import ManagerAccessMixin
from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field

from merit.addresses import parse_address
from merit.chain.contracts import ContractName, instance_at
from merit.clients.events import (
    DRAW_EVENTS,
    SERIES_EVENTS,
    BadgeOrigin,
    BadgeRecord,
    BadgeStatus,
    ChainEvent,
    LogQuery,
    LogReader,
    SeriesLedger,
    bind_contract,
    event_abis,
    holder_of,
)
from merit.errors import PublishedFileError
from merit.merkle import EntrantTree
from merit.permutation import FeistelPermutation, permutation_key
from merit.publish import MANIFEST_NAME, POOL_FILE_HEADER, RoundManifest, load_round

__all__ = [
    "AuditResult",
    "AuditSummary",
    "Discrepancy",
    "DiscrepancyKind",
    "PoolAudit",
    "RoundAudit",
    "UnclaimedWinner",
    "audit_round",
    "audit_series",
    "find_published_rounds",
]

logger = logging.getLogger(__name__)

ROUND_STATES = ("none", "committed", "requested", "seeded", "failed")
"""Names of `IBadgeDraw.RoundState` values, by value."""


# ---------------------------------------------------------------------------------------------
# Result models
# ---------------------------------------------------------------------------------------------


class DiscrepancyKind(str, enum.Enum):
    """Kind of rule that a discrepancy breaks."""

    PUBLISHED_FILES_MISSING = "published-files-missing"
    """A committed round has no published folder or manifest."""
    PUBLISHED_FILES = "published-files"
    """The published folder fails its own checks: file hashes, format, counts, roots."""
    MANIFEST_HASH = "manifest-hash"
    """The sha256 of manifest.json differs from the round's committed `entrantsSha256`."""
    ROUND_MISSING = "round-missing"
    """Published files were given for an edition that has no committed round."""
    POOL_COUNT = "pool-count"
    """The manifest has another number of pools than the round committed."""
    POOL_SIZE = "pool-size"
    """A pool file or its manifest entry has another N than the round committed."""
    POOL_WINNERS = "pool-winners"
    """A pool's K in the manifest differs from the committed K."""
    POOL_ROOT = "pool-root"
    """The Merkle root of a pool file differs from the committed root."""
    SERIAL_BLOCK = "serial-block"
    """The reserved serials do not match the round: sum of K, first serial or minter."""
    ROUND_STATE = "round-state"
    """The draw contract's views disagree with its logs."""
    SEED_REQUEST = "seed-request"
    """The delivered seed is not for the round's last request, or more than one was delivered."""
    SEED_MISMATCH = "seed-mismatch"
    """The seed differs from what the randomness source's own records produce."""
    RANDOMNESS_SOURCE = "randomness-source"
    """The randomness source is unknown, or its records of the request are missing."""
    CLAIM_NOT_WINNER = "claim-not-winner"
    """A badge was claimed for an entrant whose rank is not below K."""
    CLAIM_SERIAL = "claim-serial"
    """A claimed badge has another serial than the pool's first serial plus the rank."""
    CLAIM_ACCOUNT = "claim-account"
    """A claim's account is not the published entrant of that index."""
    CLAIM_HOLDER = "claim-holder"
    """A claimed badge went to an address that is neither the account nor its successor."""
    CLAIM_DUPLICATE = "claim-duplicate"
    """One entrant or one serial was claimed twice."""
    BADGE_OUTSIDE_DRAW = "badge-outside-draw"
    """A drawn edition has a badge that no claim of its round minted."""
    BADGE_STATE = "badge-state"
    """`holds`/`ownerOf` disagree with the badge's history in the logs."""
    BALANCE = "balance"
    """`balanceOf` of a holder differs from the badges the logs leave it."""
    COUNTER_MISMATCH = "counter-mismatch"
    """An edition counter differs from what the logs or the round imply."""
    NOT_LOCKED = "not-locked"
    """A mint has no ERC-5192 `Locked` log."""
    UNEXPLAINED_MINT = "unexplained-mint"
    """A mint has no event that states its serial."""
    UNEXPLAINED_BURN = "unexplained-burn"
    """A burn has no `BadgeRevoked` or `BadgeRecovered` log."""
    DUPLICATE_MINT = "duplicate-mint"
    """A token was minted while it existed."""
    TRANSFER = "transfer"
    """A badge moved between two addresses, which soulbound badges never do."""
    ISSUE_COUNT = "issue-count"
    """`BadgesIssued` states another count than the mints before it."""
    CLAIM_WITHOUT_MINT = "claim-without-mint"
    """`BadgeClaimed` names a token that its transaction did not mint."""
    REVOKE_UNKNOWN_BADGE = "revoke-unknown-badge"
    """`BadgeRevoked` names a token that was not held."""
    RECOVERY_WITHOUT_MINT = "recovery-without-mint"
    """`BadgeRecovered` names a new token that its transaction did not mint."""
    RECOVERY_OF_MISSING_BADGE = "recovery-of-missing-badge"
    """`BadgeRecovered` moves a token that was not held."""
    CONFIGURATION = "configuration"
    """The draw contract serves another series, or an edition does not exist."""


class Discrepancy(BaseModel):
    """One place where the chain, its logs and the published files disagree."""

    model_config = ConfigDict(frozen=True)

    kind: DiscrepancyKind = Field(description="The rule broken.")
    edition: int = Field(description="Edition id (= round id).")
    pool: int | None = Field(default=None, description="Pool number, when one pool is concerned.")
    index: int | None = Field(default=None, description="Entrant index, when one entrant is concerned.")
    detail: str = Field(description="What differs, in words, with the values found and expected.")


class UnclaimedWinner(BaseModel):
    """A winner whose badge has not been claimed yet."""

    model_config = ConfigDict(frozen=True)

    pool: int
    index: int = Field(description="Entrant index in the pool file.")
    rank: int = Field(description="Rank P(index), below K.")
    serial: int = Field(description="Serial the badge receives when claimed.")
    account: str | None = Field(description="Address of the published entrant; None if the file lacks the row.")


class PoolAudit(BaseModel):
    """One pool of a round as committed, with its claim figures."""

    model_config = ConfigDict(frozen=True)

    pool: int
    channel: str | None = Field(description="Channel id from the manifest; None when unreadable.")
    entrants: int = Field(description="Committed N.")
    winners: int = Field(description="Committed K.")
    first_serial: int = Field(description="Serial of the rank-0 winner.")
    root: str = Field(description="Committed Merkle root, 0x-prefixed hex.")
    claimed: int = Field(description="Winners whose badge was claimed.")


class RoundAudit(BaseModel):
    """The audit of one edition and its round."""

    edition: int
    edition_name: str
    drawn: bool = Field(description="Whether the edition has a committed round.")
    state: str = Field(description="Round state from the logs: none, committed, requested, seeded or failed.")
    randomness_source: str | None = None
    randomness_kind: str | None = Field(default=None, description="'commit-reveal' or 'vrf'.")
    request_id: int | None = Field(default=None, description="Request that delivered the seed.")
    seed: str | None = Field(default=None, description="Seed as 0x-prefixed hex.")
    entrants_sha256: str | None = Field(default=None, description="Committed sha256 of manifest.json.")
    entrants_uri: str | None = None
    published_directory: str | None = None
    pools: list[PoolAudit] = Field(default_factory=list)
    badges_minted: int = Field(default=0, description="Badges minted, recoveries not counted.")
    badges_held: int = Field(default=0, description="Badges held now.")
    badges_revoked: int = 0
    badges_recovered: int = Field(default=0, description="Badges moved to a successor by recovery.")
    claimed: int = Field(default=0, description="Winners whose badge was claimed.")
    unclaimed: list[UnclaimedWinner] = Field(default_factory=list)
    discrepancies: list[Discrepancy] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """True when the audit found no discrepancy."""
        return not self.discrepancies


class AuditSummary(BaseModel):
    """Totals over all audited editions."""

    editions: int
    rounds: int = Field(description="Editions with a committed round.")
    seeded: int = Field(description="Rounds with a seed.")
    winners: int = Field(description="Sum of K over seeded rounds.")
    claimed: int
    unclaimed: int
    badges_minted: int
    badges_held: int
    badges_revoked: int
    badges_recovered: int
    discrepancies: int


class AuditResult(BaseModel):
    """The audit of a series: one `RoundAudit` per edition, and the verdict."""

    series: str
    draw: str
    chain_id: int
    start_block: int
    stop_block: int = Field(description="Block whose state the audit read.")
    audited_at: str = Field(description="UTC time of the audit, ISO 8601.")
    rounds: list[RoundAudit]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """True when no edition has a discrepancy."""
        return all(round_.passed for round_ in self.rounds)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def discrepancies(self) -> list[Discrepancy]:
        """Every discrepancy of every edition."""
        return [discrepancy for round_ in self.rounds for discrepancy in round_.discrepancies]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> AuditSummary:
        """Totals over all editions."""
        seeded = [round_ for round_ in self.rounds if round_.seed is not None]
        return AuditSummary(
            editions=len(self.rounds),
            rounds=sum(1 for round_ in self.rounds if round_.drawn),
            seeded=len(seeded),
            winners=sum(pool.winners for round_ in seeded for pool in round_.pools),
            claimed=sum(round_.claimed for round_ in self.rounds),
            unclaimed=sum(len(round_.unclaimed) for round_ in self.rounds),
            badges_minted=sum(round_.badges_minted for round_ in self.rounds),
            badges_held=sum(round_.badges_held for round_ in self.rounds),
            badges_revoked=sum(round_.badges_revoked for round_ in self.rounds),
            badges_recovered=sum(round_.badges_recovered for round_ in self.rounds),
            discrepancies=len(self.discrepancies),
        )

    def to_json(self) -> str:
        """Return the result as indented JSON: ``{"passed": ..., "discrepancies": [...], ...}``."""
        document = self.model_dump(mode="json")
        ordered = {key: document[key] for key in ("passed", "discrepancies", "summary")}
        ordered.update((key, value) for key, value in document.items() if key not in ordered)
        return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"

    def write_json(self, path: Path) -> None:
        """Write `to_json()` to `path` atomically, so a reader never sees half a report."""
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(self.to_json())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def audit_round(
    series: str | ContractInstance,
    draw: str | ContractInstance,
    edition_id: int,
    published_round_dir: Path | None,
    *,
    start_block: int = 0,
    stop_block: int | None = None,
    reader: LogReader | None = None,
) -> RoundAudit:
    """Audit one edition of a series and its round.

    Args:
        series: The BadgeSeries, as an address or an ape contract instance.
        draw: The BadgeDraw that mints the series' drawn badges.
        edition_id: The edition (= round id).
        published_round_dir: The round's published folder (with manifest.json); None for an
            edition without a round.
        start_block: First block to read logs from: the series' deployment block or earlier.
        stop_block: Block whose state to audit; default the newest block.
        reader: Reads the logs; default a `LogReader` with its default block range.

    Raises:
        ChainError: if the logs cannot be read.
    """
    auditor = _Auditor(series, draw, reader or LogReader(), start_block, stop_block)
    return auditor.audit_edition(edition_id, published_round_dir)


def audit_series(
    series: str | ContractInstance,
    draw: str | ContractInstance,
    published: Mapping[int, Path] | Path | None,
    *,
    edition_folders: Sequence[str] | None = None,
    start_block: int = 0,
    stop_block: int | None = None,
    reader: LogReader | None = None,
) -> AuditResult:
    """Audit every edition of a series and its round.

    Args:
        series: The BadgeSeries, as an address or an ape contract instance.
        draw: The BadgeDraw that mints the series' drawn badges.
        published: The rounds' published folders by edition id, or a folder that contains one
            round folder per edition (see `find_published_rounds`), or None.
        edition_folders: With a parent folder, the round folder names in edition id order, used
            for rounds whose committed hash matches no manifest (see `find_published_rounds`).
        start_block: First block to read logs from: the series' deployment block or earlier.
        stop_block: Block whose state to audit; default the newest block.
        reader: Reads the logs; default a `LogReader` with its default block range.

    Raises:
        ChainError: if the logs cannot be read.
    """
    auditor = _Auditor(series, draw, reader or LogReader(), start_block, stop_block)
    committed = {round_id: log.entrants_sha256 for round_id, log in auditor.rounds.items()}
    if isinstance(published, Path):
        folders = find_published_rounds(published, committed, edition_folders)
    else:
        folders = dict(published or {})

    edition_count = auditor.edition_count
    rounds = [auditor.audit_edition(edition_id, folders.get(edition_id)) for edition_id in range(edition_count)]
    for round_id in sorted(set(auditor.rounds) - set(range(edition_count))):
        rounds.append(auditor.audit_edition(round_id, folders.get(round_id)))

    result = AuditResult(
        series=auditor.series.address,
        draw=auditor.draw.address,
        chain_id=int(auditor.provider.chain_id),
        start_block=start_block,
        stop_block=auditor.block,
        audited_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        rounds=rounds,
    )
    logger.info(
        "Audited series %s with draw %s at block %d: %d editions, %d discrepancies.",
        result.series,
        result.draw,
        result.stop_block,
        len(rounds),
        len(result.discrepancies),
    )
    return result


def find_published_rounds(
    root: Path, committed: Mapping[int, bytes], edition_folders: Sequence[str] | None = None
) -> dict[int, Path]:
    """Find the published folder of each committed round under `root`.

    A round's folder is the subfolder of `root` whose manifest.json has the sha256 that the round
    committed, because that is how the chain names the files. A round whose hash matches no
    manifest (its files changed after the commit) falls back to the folder named
    ``edition_folders[round_id]``, so that the audit can still show what changed, and otherwise
    gets no folder, which the audit reports.

    Args:
        root: Folder holding one round folder per edition, such as ``out/<campaign>``.
        committed: The committed sha256 of each round's manifest, by round id.
        edition_folders: Round folder names in edition id order, e.g. the campaign's edition ids
            when the issuer created the editions in campaign order.
    """
    by_hash: dict[bytes, Path] = {}
    for manifest in sorted(root.glob(f"*/{MANIFEST_NAME}")):
        by_hash.setdefault(hashlib.sha256(manifest.read_bytes()).digest(), manifest.parent)

    folders: dict[int, Path] = {}
    for round_id, digest in committed.items():
        if digest in by_hash:
            folders[round_id] = by_hash[digest]
        elif edition_folders is not None and round_id < len(edition_folders):
            candidate = root / edition_folders[round_id]
            if candidate.is_dir():
                logger.warning(
                    "No manifest under %s has the sha256 %s committed for round %d; auditing %s instead.",
                    root,
                    digest.hex(),
                    round_id,
                    candidate,
                )
                folders[round_id] = candidate
    return folders


# ---------------------------------------------------------------------------------------------
# Logs of the draw, by round
# ---------------------------------------------------------------------------------------------


@dataclass
class _RoundLog:
    """A round as the draw's logs describe it."""

    round_id: int
    committed: ChainEvent
    pools: list[ChainEvent] = field(default_factory=list)
    requests: list[ChainEvent] = field(default_factory=list)
    deliveries: list[ChainEvent] = field(default_factory=list)
    ignored: list[ChainEvent] = field(default_factory=list)
    failures: list[ChainEvent] = field(default_factory=list)
    claims: list[ChainEvent] = field(default_factory=list)

    @property
    def entrants_sha256(self) -> bytes:
        return bytes(self.committed["entrantsSha256"])

    @property
    def source(self) -> str:
        return to_checksum_address(self.committed["randomnessSource"])

    @property
    def state(self) -> str:
        if self.deliveries:
            return "seeded"
        if self.failures:
            return "failed"
        if self.requests:
            return "requested"
        return "committed"


@dataclass
class _Published:
    """A round folder as read, leniently: whatever could be read, and its problems."""

    directory: Path
    manifest_bytes: bytes
    manifest: RoundManifest | None = None
    addresses: dict[int, tuple[str, ...]] = field(default_factory=dict)
    roots: dict[int, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def address_at(self, pool: int, index: int) -> str | None:
        """Return the address of entrant `index` of `pool` in the files, or None."""
        addresses = self.addresses.get(pool, ())
        return addresses[index] if index < len(addresses) else None

    def entrant(self, address: str) -> tuple[int, int] | None:
        """Return (pool, index) of an address in the files, or None."""
        for pool, addresses in self.addresses.items():
            if address in addresses:
                return pool, addresses.index(address)
        return None


class _PoolDraw:
    """A committed pool with the permutation of the round's seed."""

    def __init__(self, event: ChainEvent, seed: int) -> None:
        self.pool = int(event["pool"])
        self.entrants = int(event["entrants"])
        self.winners = int(event["winners"])
        self.first_serial = int(event["firstSerial"])
        self.permutation = FeistelPermutation(seed, self.pool, self.entrants)


class _Findings:
    """Collects the discrepancies of one edition."""

    def __init__(self, edition_id: int) -> None:
        self.edition_id = edition_id
        self.items: list[Discrepancy] = []

    def add(self, kind: DiscrepancyKind, detail: str, *, pool: int | None = None, index: int | None = None) -> None:
        self.items.append(Discrepancy(kind=kind, edition=self.edition_id, pool=pool, index=index, detail=detail))
        logger.debug("Edition %d: %s: %s", self.edition_id, kind.value, detail)


VIEW_BATCH_SIZE = 500
"""`eth_call`s per JSON-RPC batch, half of geth's default limit of 1,000 requests per batch."""


class _ViewBatch:
    """Calls one view of a contract many times as of one block.

    The audit reads two or three views per badge. An ape contract call costs three requests (the
    code check, the chain id and the call itself), so these calls go out as plain `eth_call`s: in
    JSON-RPC batches where the provider sends batches, one by one where it does not (the
    embedded chain, which runs in this process and answers at once).
    """

    def __init__(self, web3: Any, address: str, block: int) -> None:
        self.web3 = web3
        self.address = address
        self.block = block

    def call(self, signature: str, output: str, arguments: Sequence[tuple[Any, ...]]) -> list[Any | None]:
        """Return the decoded result of `signature` for each tuple of `arguments`, or None where
        the call reverted.

        `signature` is the view's canonical signature, such as ``"holds(uint256,address)"``;
        `output` is the ABI type of its one return value.
        """
        parameters = signature[signature.index("(") + 1 : -1]
        types = parameters.split(",") if parameters else []
        selector = keccak(text=signature)[:4]
        requests = [{"to": self.address, "data": "0x" + (selector + encode(types, list(values))).hex()} for values in arguments]
        raw = self._send(requests)
        return [None if data is None else decode([output], data)[0] for data in raw]

    def _send(self, requests: list[dict[str, str]]) -> list[bytes | None]:
        block = hex(self.block)
        results: list[bytes | None] = []
        for start in range(0, len(requests), VIEW_BATCH_SIZE):
            chunk = requests[start : start + VIEW_BATCH_SIZE]
            answers = self._send_batch(chunk, block)
            if answers is None:
                answers = [self._send_one(request, block) for request in chunk]
            results.extend(answers)
        return results

    def _send_batch(self, chunk: list[dict[str, str]], block: str) -> list[bytes | None] | None:
        """Send `chunk` as one batch; None when the provider cannot, so the caller goes one by one."""
        send_batch = getattr(self.web3.provider, "make_batch_request", None)
        if send_batch is None:
            return None
        try:
            answers = send_batch([("eth_call", [request, block]) for request in chunk])
        except NotImplementedError:
            return None
        if not isinstance(answers, list) or len(answers) != len(chunk):
            # A node that rejects batches returns one error for the whole request.
            return None
        return [None if "error" in answer else bytes.fromhex(str(answer["result"])[2:]) for answer in answers]

    def _send_one(self, request: dict[str, str], block: str) -> bytes | None:
        try:
            return bytes(self.web3.eth.call(request, block))
        except Exception:  # noqa: BLE001 - any revert or node error means "no answer" for this view
            return None


# ---------------------------------------------------------------------------------------------
# The audit
# ---------------------------------------------------------------------------------------------


class _Auditor(ManagerAccessMixin):
    """Reads a series' history once and audits its editions against it."""

    def __init__(
        self,
        series: str | ContractInstance,
        draw: str | ContractInstance,
        reader: LogReader,
        start_block: int,
        stop_block: int | None,
    ) -> None:
        self.series = bind_contract("BadgeSeries", series)
        self.draw = bind_contract("BadgeDraw", draw)
        self.reader = reader
        self.start_block = start_block
        self.block = reader.head() if stop_block is None else stop_block
        self.edition_count = int(self.call(self.series.editionCount))
        self.served_series = to_checksum_address(self.call(self.draw.series))
        self._checked_holders: set[str] = set()
        self.views = _ViewBatch(self.provider.web3, self.series.address, self.block)

        queries = [
            LogQuery("series", self.series.address, tuple(event_abis("BadgeSeries", SERIES_EVENTS))),
            LogQuery("draw", self.draw.address, tuple(event_abis("BadgeDraw", DRAW_EVENTS))),
        ]
        logger.info(
            "Reading the logs of series %s and draw %s in blocks %d to %d.",
            self.series.address,
            self.draw.address,
            start_block,
            self.block,
        )
        events = reader.read(queries, start_block, self.block)
        self.ledger = SeriesLedger(self.draw.address)
        self.ledger.apply(events)
        self.rounds = _fold_rounds([event for event in events if event.source == "draw"])

    def call(self, method: Any, *args: Any) -> Any:
        """Call a view as of the audited block."""
        return method(*args, block_id=self.block)

    # -- one edition ---------------------------------------------------------------------------

    def audit_edition(self, edition_id: int, published_dir: Path | None) -> RoundAudit:
        findings = _Findings(edition_id)
        edition_log = self.ledger.edition(edition_id)
        round_log = self.rounds.get(edition_id)
        result = RoundAudit(
            edition=edition_id,
            edition_name=edition_log.name,
            drawn=round_log is not None,
            state=round_log.state if round_log else "none",
        )

        self._check_configuration(edition_id, findings)
        for problem in self.ledger.problems:
            if problem.edition_id == edition_id:
                findings.add(DiscrepancyKind(problem.kind), problem.detail)

        published: _Published | None = None
        if round_log is None:
            if published_dir is not None:
                findings.add(
                    DiscrepancyKind.ROUND_MISSING,
                    f"Published files {published_dir} were given for edition {edition_id}, but "
                    f"draw {self.draw.address} committed no round for it.",
                )
        else:
            published = self._audit_round(round_log, published_dir, result, findings)

        self._check_badges(edition_id, round_log, published, result, findings)
        self._check_counters(edition_id, round_log, findings)
        result.discrepancies = findings.items
        logger.info(
            "Edition %d (%s): %s, %d badges held, %d unclaimed winners, %d discrepancies.",
            edition_id,
            result.edition_name,
            result.state,
            result.badges_held,
            len(result.unclaimed),
            len(findings.items),
        )
        return result

    def _check_configuration(self, edition_id: int, findings: _Findings) -> None:
        if self.served_series != self.series.address:
            findings.add(
                DiscrepancyKind.CONFIGURATION,
                f"Draw {self.draw.address} serves series {self.served_series}, not {self.series.address}.",
            )
        if edition_id >= self.edition_count:
            findings.add(
                DiscrepancyKind.CONFIGURATION,
                f"Edition {edition_id} does not exist: the series has {self.edition_count} editions.",
            )

    # -- the round -----------------------------------------------------------------------------

    def _audit_round(
        self, round_log: _RoundLog, published_dir: Path | None, result: RoundAudit, findings: _Findings
    ) -> _Published | None:
        committed = round_log.committed
        result.randomness_source = round_log.source
        result.entrants_sha256 = round_log.entrants_sha256.hex()
        result.entrants_uri = str(committed["entrantsURI"])

        published = self._check_published(round_log, published_dir, findings)
        if published is not None:
            result.published_directory = str(published.directory)
        self._check_serial_block(round_log, findings)
        result.state = self._check_round_views(round_log, findings)

        seed = self._check_seed(round_log, result, findings)
        claimed_by_pool = self._check_claims(round_log, seed, published, result, findings)

        for event in round_log.pools:
            pool = int(event["pool"])
            channel = None
            if published is not None and published.manifest is not None and pool < len(published.manifest.pools):
                channel = published.manifest.pools[pool].channel
            result.pools.append(
                PoolAudit(
                    pool=pool,
                    channel=channel,
                    entrants=int(event["entrants"]),
                    winners=int(event["winners"]),
                    first_serial=int(event["firstSerial"]),
                    root="0x" + bytes(event["root"]).hex(),
                    claimed=claimed_by_pool.get(pool, 0),
                )
            )
        result.claimed = sum(claimed_by_pool.values())
        return published

    def _check_published(
        self, round_log: _RoundLog, directory: Path | None, findings: _Findings
    ) -> _Published | None:
        committed_hash = round_log.entrants_sha256
        if directory is None or not (directory / MANIFEST_NAME).is_file():
            where = f"in {directory}" if directory is not None else "given"
            findings.add(
                DiscrepancyKind.PUBLISHED_FILES_MISSING,
                f"Round {round_log.round_id} committed entrant files with sha256 {committed_hash.hex()} "
                f"at {round_log.committed['entrantsURI']}, but no manifest.json is {where}.",
            )
            return None

        published = _read_published(directory)
        for problem in published.problems:
            findings.add(DiscrepancyKind.PUBLISHED_FILES, problem)

        digest = hashlib.sha256(published.manifest_bytes).digest()
        if digest != committed_hash:
            findings.add(
                DiscrepancyKind.MANIFEST_HASH,
                f"{directory / MANIFEST_NAME} has sha256 {digest.hex()}, but round {round_log.round_id} "
                f"committed {committed_hash.hex()}.",
            )

        manifest_pools = published.manifest.pools if published.manifest is not None else []
        if published.manifest is not None and len(manifest_pools) != len(round_log.pools):
            findings.add(
                DiscrepancyKind.POOL_COUNT,
                f"The manifest lists {len(manifest_pools)} pools, the round committed {len(round_log.pools)}.",
            )
        for event in round_log.pools:
            self._check_pool_file(event, manifest_pools, published, findings)
        return published

    def _check_pool_file(
        self, event: ChainEvent, manifest_pools: Sequence[Any], published: _Published, findings: _Findings
    ) -> None:
        pool = int(event["pool"])
        entrants, winners, root = int(event["entrants"]), int(event["winners"]), bytes(event["root"])
        if pool < len(manifest_pools):
            entry = manifest_pools[pool]
            if entry.n != entrants:
                findings.add(
                    DiscrepancyKind.POOL_SIZE,
                    f"The manifest gives pool {pool} N = {entry.n}, the round committed N = {entrants}.",
                    pool=pool,
                )
            if entry.k != winners:
                findings.add(
                    DiscrepancyKind.POOL_WINNERS,
                    f"The manifest gives pool {pool} K = {entry.k}, the round committed K = {winners}.",
                    pool=pool,
                )

        addresses = published.addresses.get(pool)
        if addresses is None:
            # `_read_published` already reported why the file could not be read.
            return
        if len(addresses) != entrants:
            findings.add(
                DiscrepancyKind.POOL_SIZE,
                f"The file of pool {pool} has {len(addresses)} entrants, the round committed N = {entrants}.",
                pool=pool,
            )
        file_root = published.roots[pool]
        if file_root != root:
            findings.add(
                DiscrepancyKind.POOL_ROOT,
                f"The Merkle root of the file of pool {pool} is 0x{file_root.hex()}, the round committed "
                f"0x{root.hex()}.",
                pool=pool,
            )

    def _check_serial_block(self, round_log: _RoundLog, findings: _Findings) -> None:
        committed = round_log.committed
        first, winners = int(committed["firstSerial"]), int(committed["winners"])
        pool_sum = sum(int(event["winners"]) for event in round_log.pools)
        if pool_sum != winners:
            findings.add(
                DiscrepancyKind.SERIAL_BLOCK,
                f"The pools' K add up to {pool_sum}, but the round reserved {winners} serials.",
            )
        if len(round_log.pools) != int(committed["poolCount"]):
            findings.add(
                DiscrepancyKind.SERIAL_BLOCK,
                f"RoundCommitted states {committed['poolCount']} pools, and {len(round_log.pools)} "
                "PoolCommitted logs follow it.",
            )

        expected = first
        for event in sorted(round_log.pools, key=lambda event: int(event["pool"])):
            if int(event["firstSerial"]) != expected:
                findings.add(
                    DiscrepancyKind.SERIAL_BLOCK,
                    f"Pool {event['pool']} starts at serial {event['firstSerial']}, expected {expected} "
                    "right after the serials of the pools before it.",
                    pool=int(event["pool"]),
                )
            expected = int(event["firstSerial"]) + int(event["winners"])

        blocks = [
            block
            for block in self.ledger.edition(round_log.round_id).reserved
            if block.transaction_hash == round_log.committed.transaction_hash
        ]
        if len(blocks) != 1 or (blocks[0].first, blocks[0].count) != (first, winners):
            found = ", ".join(f"{block.first}..{block.last}" for block in blocks) or "none"
            findings.add(
                DiscrepancyKind.SERIAL_BLOCK,
                f"The round's commit reserved serials {found} on the series, expected exactly "
                f"{first}..{first + winners - 1}.",
            )
        elif to_checksum_address(blocks[0].minter or "") != self.draw.address:
            findings.add(
                DiscrepancyKind.SERIAL_BLOCK,
                f"Serials {first}..{first + winners - 1} were reserved by {blocks[0].minter}, not by "
                f"draw {self.draw.address}.",
            )

    def _check_round_views(self, round_log: _RoundLog, findings: _Findings) -> str:
        """Compare getRound and getPool with the draw's logs; return the round's state on chain."""
        round_id = round_log.round_id
        stored = self.call(self.draw.getRound, round_id)
        chain_state = ROUND_STATES[int(stored.state)]
        log_state = round_log.state
        # A request that lapsed with no retry left is Failed on chain before anyone calls expire.
        if chain_state != log_state and not (log_state == "requested" and chain_state == "failed"):
            findings.add(
                DiscrepancyKind.ROUND_STATE,
                f"getRound reports state {chain_state}, the draw's logs imply {log_state}.",
            )
        committed = round_log.committed
        pairs = [
            ("firstSerial", int(stored.firstSerial), int(committed["firstSerial"])),
            ("winners", int(stored.winners), int(committed["winners"])),
            ("poolCount", int(stored.poolCount), int(committed["poolCount"])),
            ("entrantsSha256", bytes(stored.entrantsSha256).hex(), round_log.entrants_sha256.hex()),
            ("randomnessSource", to_checksum_address(stored.randomnessSource), round_log.source),
            ("commitment", bytes(stored.commitment).hex(), bytes(committed["commitment"]).hex()),
        ]
        if round_log.deliveries:
            seed = int(round_log.deliveries[0]["seed"])
            pairs.append(("permutationKey", int(stored.permutationKey), permutation_key(seed)))
        for name, on_chain, from_logs in pairs:
            if on_chain != from_logs:
                findings.add(
                    DiscrepancyKind.ROUND_STATE,
                    f"getRound reports {name} {on_chain}, the draw's logs imply {from_logs}.",
                )

        for event in round_log.pools:
            pool = int(event["pool"])
            stored_pool = self.call(self.draw.getPool, round_id, pool)
            stored_values = (bytes(stored_pool.root), int(stored_pool.entrants), int(stored_pool.winners), int(stored_pool.firstSerial))
            logged = (bytes(event["root"]), int(event["entrants"]), int(event["winners"]), int(event["firstSerial"]))
            if stored_values != logged:
                findings.add(
                    DiscrepancyKind.ROUND_STATE,
                    f"getPool reports (root, N, K, first serial) = {_describe(stored_values)} for pool "
                    f"{pool}, PoolCommitted states {_describe(logged)}.",
                    pool=pool,
                )
        return chain_state

    # -- the seed ------------------------------------------------------------------------------

    def _check_seed(self, round_log: _RoundLog, result: RoundAudit, findings: _Findings) -> int | None:
        """Check the delivered seed against the round's requests and its source; return the seed."""
        if round_log.claims and not round_log.deliveries:
            findings.add(
                DiscrepancyKind.ROUND_STATE,
                f"{len(round_log.claims)} badges were claimed, but no seed was delivered to the round.",
            )
        if not round_log.deliveries:
            return None
        if len(round_log.deliveries) > 1:
            findings.add(
                DiscrepancyKind.SEED_REQUEST,
                f"The round received {len(round_log.deliveries)} seeds; a round takes one.",
            )

        delivery = round_log.deliveries[0]
        seed, request_id = int(delivery["seed"]), int(delivery["requestId"])
        result.seed = f"0x{seed:064x}"
        result.request_id = request_id

        before = [event for event in round_log.requests if event.position < delivery.position]
        request = before[-1] if before else None
        if request is None or int(request["requestId"]) != request_id:
            last = int(request["requestId"]) if request is not None else None
            findings.add(
                DiscrepancyKind.SEED_REQUEST,
                f"The seed is for request {request_id}, but the round's last request before it was {last}.",
            )
            return seed
        if to_checksum_address(request["source"]) != round_log.source:
            findings.add(
                DiscrepancyKind.SEED_REQUEST,
                f"Request {request_id} went to {request['source']}, the round committed source {round_log.source}.",
            )

        source = instance_at("CommitRevealSource", round_log.source)
        try:
            requires_commitment = bool(self.call(source.requiresCommitment))
        except ApeException as error:
            findings.add(
                DiscrepancyKind.RANDOMNESS_SOURCE,
                f"Calling requiresCommitment() on source {round_log.source} failed ({error}), so it is "
                "neither a commit–reveal nor a Chainlink VRF source.",
            )
            return seed
        if requires_commitment:
            result.randomness_kind = "commit-reveal"
            self._check_commit_reveal(round_log, request, delivery, findings)
        else:
            result.randomness_kind = "vrf"
            self._check_vrf(round_log, request, delivery, findings)
        return seed

    def _check_commit_reveal(
        self, round_log: _RoundLog, request: ChainEvent, delivery: ChainEvent, findings: _Findings
    ) -> None:
        round_id, request_id, seed = round_log.round_id, int(delivery["requestId"]), int(delivery["seed"])
        source = round_log.source
        topics = {"roundId": round_id, "requestId": request_id}
        requested = self._source_events(
            "CommitRevealSource", source, "CommitRevealRequested", topics, request.block_number
        )
        revealed = self._source_events("CommitRevealSource", source, "SecretRevealed", topics, delivery.block_number)
        requested = [event for event in requested if event.transaction_hash == request.transaction_hash]
        revealed = [event for event in revealed if event.transaction_hash == delivery.transaction_hash]
        if len(requested) != 1 or len(revealed) != 1:
            findings.add(
                DiscrepancyKind.RANDOMNESS_SOURCE,
                f"Commit–reveal source {source} logged {len(requested)} CommitRevealRequested in the "
                f"request's transaction and {len(revealed)} SecretRevealed in the seed's transaction "
                f"for request {request_id}; expected one of each.",
            )
            return

        target_block = int(requested[0]["targetBlock"])
        if target_block != request.block_number + 1:
            findings.add(
                DiscrepancyKind.SEED_MISMATCH,
                f"Request {request_id} in block {request.block_number} targets block {target_block}, "
                f"expected the next block, {request.block_number + 1}.",
            )
        reveal = revealed[0]
        secret = bytes(reveal["secret"])
        chain_id = int(self.provider.chain_id)
        commitment = keccak(encode(["uint256", "address", "uint256", "bytes32"], [chain_id, self.draw.address, round_id, secret]))
        committed = bytes(round_log.committed["commitment"])
        if commitment != committed:
            findings.add(
                DiscrepancyKind.SEED_MISMATCH,
                f"The revealed secret 0x{secret.hex()} gives commitment 0x{commitment.hex()}, the round "
                f"committed 0x{committed.hex()}.",
            )

        block_hash = _block_hash(self.chain_manager.blocks[target_block].hash)
        logged_hash = bytes(reveal["targetBlockHash"])
        if logged_hash != block_hash:
            findings.add(
                DiscrepancyKind.SEED_MISMATCH,
                f"SecretRevealed states hash 0x{logged_hash.hex()} for block {target_block}, whose hash "
                f"is 0x{block_hash.hex()}.",
            )
        expected = int.from_bytes(keccak(encode(["bytes32", "bytes32"], [secret, block_hash])), "big")
        if seed != expected or int(reveal["seed"]) != expected:
            findings.add(
                DiscrepancyKind.SEED_MISMATCH,
                f"keccak256(secret, blockhash({target_block})) is 0x{expected:064x}; the source logged "
                f"seed 0x{int(reveal['seed']):064x} and the draw received 0x{seed:064x}.",
            )

    def _check_vrf(self, round_log: _RoundLog, request: ChainEvent, delivery: ChainEvent, findings: _Findings) -> None:
        round_id, request_id, seed = round_log.round_id, int(delivery["requestId"]), int(delivery["seed"])
        source = instance_at("ChainlinkVrfSource", round_log.source)
        try:
            coordinator = to_checksum_address(self.call(source.s_vrfCoordinator))
        except ApeException as error:
            findings.add(
                DiscrepancyKind.RANDOMNESS_SOURCE,
                f"Source {source.address} needs no commitment but does not answer s_vrfCoordinator() "
                f"({error}); it is not a Chainlink VRF source.",
            )
            return

        seed_requested = self._source_events(
            "ChainlinkVrfSource",
            source.address,
            "SeedRequested",
            {"roundId": round_id, "requestId": request_id},
            request.block_number,
        )
        words_requested = [
            event
            for event in self._source_events(
                "VrfCoordinatorMock", coordinator, "RandomWordsRequested", {"sender": source.address}, request.block_number
            )
            if int(event["requestId"]) == request_id and event.transaction_hash == request.transaction_hash
        ]
        if not seed_requested or len(words_requested) != 1:
            findings.add(
                DiscrepancyKind.RANDOMNESS_SOURCE,
                f"The request's transaction has {len(seed_requested)} SeedRequested logs of source "
                f"{source.address} and {len(words_requested)} RandomWordsRequested logs of coordinator "
                f"{coordinator} for request {request_id}; expected one of each.",
            )

        fulfilled = [
            event
            for event in self._source_events(
                "VrfCoordinatorMock", coordinator, "RandomWordsFulfilled", {"requestId": request_id}, delivery.block_number
            )
            if event.transaction_hash == delivery.transaction_hash
        ]
        if len(fulfilled) != 1:
            findings.add(
                DiscrepancyKind.RANDOMNESS_SOURCE,
                f"Coordinator {coordinator} logged {len(fulfilled)} RandomWordsFulfilled for request "
                f"{request_id} in the seed's transaction {delivery.transaction_hash}; expected one.",
            )
            return
        fulfilment = fulfilled[0]
        if not bool(fulfilment["success"]):
            findings.add(
                DiscrepancyKind.SEED_MISMATCH,
                f"Coordinator {coordinator} reports that the callback of request {request_id} failed, "
                "yet the draw received a seed in that transaction.",
            )
        output_seed = int(fulfilment["outputSeed"])
        # VRFCoordinatorV2_5 derives word i as keccak256(abi.encode(randomness, i)) and logs the
        # randomness as outputSeed. Its mock does the same with the request id as randomness,
        # unless a test overrides the words.
        expected = int.from_bytes(keccak(encode(["uint256", "uint256"], [output_seed, 0])), "big")
        if seed != expected:
            findings.add(
                DiscrepancyKind.SEED_MISMATCH,
                f"The first word of output seed 0x{output_seed:064x} is 0x{expected:064x}, but the draw "
                f"received 0x{seed:064x}.",
            )

    def _source_events(
        self, contract: ContractName, address: str, event: str, topics: Mapping[str, Any], block: int
    ) -> list[ChainEvent]:
        """Read one event of a source or coordinator in one block, narrowed by indexed arguments."""
        query = LogQuery("source", address, tuple(event_abis(contract, [event])), topics)
        return self.reader.read([query], block, block)

    # -- claims and winners --------------------------------------------------------------------

    def _check_claims(
        self,
        round_log: _RoundLog,
        seed: int | None,
        published: _Published | None,
        result: RoundAudit,
        findings: _Findings,
    ) -> dict[int, int]:
        """Check every claim against the permutation and the files; list unclaimed winners.

        Returns the number of claimed winners per pool.
        """
        claimed_by_pool: dict[int, int] = {}
        if seed is None:
            return claimed_by_pool
        pools = {int(event["pool"]): _PoolDraw(event, seed) for event in round_log.pools}
        seen_entrants: dict[tuple[int, int], ChainEvent] = {}
        seen_serials: dict[int, ChainEvent] = {}

        for claim in round_log.claims:
            pool, index, serial = int(claim["pool"]), int(claim["index"]), int(claim["serial"])
            if pool not in pools:
                findings.add(
                    DiscrepancyKind.CLAIM_NOT_WINNER,
                    f"A badge was claimed in pool {pool}, which the round does not have.",
                    pool=pool,
                    index=index,
                )
                continue
            self._check_claim(claim, pools[pool], published, findings)

            key = (pool, index)
            if key in seen_entrants:
                findings.add(
                    DiscrepancyKind.CLAIM_DUPLICATE,
                    f"Entrant {index} of pool {pool} was claimed in {seen_entrants[key].transaction_hash} "
                    f"and again in {claim.transaction_hash}.",
                    pool=pool,
                    index=index,
                )
            elif serial in seen_serials:
                findings.add(
                    DiscrepancyKind.CLAIM_DUPLICATE,
                    f"Serial {serial} was assigned in {seen_serials[serial].transaction_hash} and again in "
                    f"{claim.transaction_hash}.",
                    pool=pool,
                    index=index,
                )
            else:
                claimed_by_pool[pool] = claimed_by_pool.get(pool, 0) + 1
            seen_entrants.setdefault(key, claim)
            seen_serials.setdefault(serial, claim)

        for pool_draw in pools.values():
            result.unclaimed.extend(_unclaimed_winners(pool_draw, set(seen_entrants), published))
        return claimed_by_pool

    def _check_claim(
        self, claim: ChainEvent, pool_draw: _PoolDraw, published: _Published | None, findings: _Findings
    ) -> None:
        """Check one claim: winner, serial, published account and holder."""
        pool, index, serial = pool_draw.pool, int(claim["index"]), int(claim["serial"])
        account = to_checksum_address(claim["account"])
        if index >= pool_draw.entrants:
            findings.add(
                DiscrepancyKind.CLAIM_NOT_WINNER,
                f"A badge was claimed for index {index} of pool {pool}, which has {pool_draw.entrants} entrants.",
                pool=pool,
                index=index,
            )
            return

        rank = pool_draw.permutation.permute(index)
        if rank >= pool_draw.winners:
            findings.add(
                DiscrepancyKind.CLAIM_NOT_WINNER,
                f"Entrant {index} of pool {pool} ({account}) received serial {serial}, but its rank is "
                f"{rank}, not below K = {pool_draw.winners}.",
                pool=pool,
                index=index,
            )
        elif serial != pool_draw.first_serial + rank:
            findings.add(
                DiscrepancyKind.CLAIM_SERIAL,
                f"Entrant {index} of pool {pool} has rank {rank} and should get serial "
                f"{pool_draw.first_serial + rank}, but received serial {serial}.",
                pool=pool,
                index=index,
            )

        if published is not None and pool in published.addresses:
            listed = published.address_at(pool, index)
            if listed != account:
                findings.add(
                    DiscrepancyKind.CLAIM_ACCOUNT,
                    f"The claim of entrant {index} of pool {pool} names {account}, the published file "
                    f"lists {listed}.",
                    pool=pool,
                    index=index,
                )

        holder = holder_of(int(claim["tokenId"]))
        if holder not in self._recovery_chain(account):
            findings.add(
                DiscrepancyKind.CLAIM_HOLDER,
                f"The badge of entrant {index} of pool {pool} went to {holder}, which is neither "
                f"{account} nor an address that replaced it through recovery.",
                pool=pool,
                index=index,
            )

    def _recovery_chain(self, account: str) -> list[str]:
        """Return `account` and every address that replaced it through recovery, in order."""
        chain = [account]
        while chain[-1] in self.ledger.successors and len(chain) <= len(self.ledger.successors):
            chain.append(self.ledger.successors[chain[-1]])
        return chain

    # -- badges and counters -------------------------------------------------------------------

    def _check_badges(
        self,
        edition_id: int,
        round_log: _RoundLog | None,
        published: _Published | None,
        result: RoundAudit,
        findings: _Findings,
    ) -> None:
        badges = self.ledger.badges_of_edition(edition_id)
        for badge in badges:
            if not badge.locked:
                findings.add(
                    DiscrepancyKind.NOT_LOCKED,
                    f"The mint of token {badge.token_id:#x} to {badge.holder} in {badge.transaction_hash} "
                    "has no Locked log.",
                )
            if round_log is not None and badge.origin is BadgeOrigin.DIRECT:
                findings.add(
                    DiscrepancyKind.BADGE_OUTSIDE_DRAW,
                    _describe_outside_badge(badge, round_log, published),
                    **_entrant_location(badge.holder, published),
                )
        self._check_badge_states(badges, findings)

        result.badges_minted = sum(1 for badge in badges if badge.origin is not BadgeOrigin.RECOVERY)
        result.badges_held = sum(1 for badge in badges if badge.status is BadgeStatus.HELD)
        result.badges_revoked = sum(1 for badge in badges if badge.status is BadgeStatus.REVOKED)
        result.badges_recovered = sum(1 for badge in badges if badge.status is BadgeStatus.MOVED)

        holders = sorted({badge.holder for badge in badges} - self._checked_holders)
        self._checked_holders.update(holders)
        balances = self.views.call("balanceOf(address)", "uint256", [(holder,) for holder in holders])
        for holder, balance in zip(holders, balances, strict=True):
            held = len(self.ledger.held_by(holder))
            if balance != held:
                findings.add(
                    DiscrepancyKind.BALANCE,
                    f"balanceOf({holder}) is {balance}, the logs leave it {held} badges.",
                )

    def _check_badge_states(self, badges: Sequence[BadgeRecord], findings: _Findings) -> None:
        """Compare `holds` and, for a held badge, `ownerOf` with the state that the logs record for each badge."""
        holds_on_chain = self.views.call("holds(uint256,address)", "bool", [(badge.edition_id, badge.holder) for badge in badges])
        held_badges = [badge for badge, on_chain in zip(badges, holds_on_chain, strict=True) if on_chain and badge.status is BadgeStatus.HELD]
        for badge, on_chain in zip(badges, holds_on_chain, strict=True):
            should_hold = badge.status is BadgeStatus.HELD
            if on_chain != should_hold:
                findings.add(
                    DiscrepancyKind.BADGE_STATE,
                    f"holds({badge.edition_id}, {badge.holder}) is {on_chain}, but the logs show the badge "
                    f"minted in {badge.transaction_hash} as {badge.status.value}.",
                )

        owners = self.views.call("ownerOf(uint256)", "address", [(badge.token_id,) for badge in held_badges])
        for badge, owner in zip(held_badges, owners, strict=True):
            owner = None if owner is None else to_checksum_address(owner)
            if owner != badge.holder:
                findings.add(
                    DiscrepancyKind.BADGE_STATE,
                    f"ownerOf({badge.token_id:#x}) is {owner}, the logs give {badge.holder}.",
                )

    def _check_counters(self, edition_id: int, round_log: _RoundLog | None, findings: _Findings) -> None:
        try:
            stored = self.call(self.series.edition, edition_id)
        except ApeException:
            # _check_configuration reported the missing edition.
            return
        log = self.ledger.edition(edition_id)
        for name, on_chain, from_logs in (
            ("allocated", int(stored.allocated), log.allocated),
            ("issued", int(stored.issued), log.minted),
            ("revoked", int(stored.revoked), log.revoked),
        ):
            if on_chain != from_logs:
                findings.add(
                    DiscrepancyKind.COUNTER_MISMATCH,
                    f"The edition's {name} counter is {on_chain}, the series' logs imply {from_logs}.",
                )
        if round_log is None:
            return

        reserved = int(round_log.committed["winners"])
        direct = sum(block.count for block in log.issued_directly)
        if int(stored.allocated) != reserved:
            findings.add(
                DiscrepancyKind.COUNTER_MISMATCH,
                f"The edition's allocated counter is {stored.allocated}, but its round reserved {reserved} "
                f"serials and a drawn edition allocates nothing else ({direct} by direct issue, "
                f"{log.allocated - direct - reserved} by other reservations).",
            )
        claims = len(round_log.claims)
        if int(stored.issued) != claims:
            findings.add(
                DiscrepancyKind.COUNTER_MISMATCH,
                f"The edition's issued counter is {stored.issued}, but the round's claims minted {claims} badges.",
            )


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _fold_rounds(events: Sequence[ChainEvent]) -> dict[int, _RoundLog]:
    """Group the draw's logs by round; logs of rounds never committed are dropped."""
    rounds: dict[int, _RoundLog] = {}
    for event in events:
        if event.name == "RoundCommitted":
            rounds.setdefault(int(event["roundId"]), _RoundLog(int(event["roundId"]), event))
            continue
        round_log = rounds.get(int(event["roundId"]))
        if round_log is None:
            continue
        target: Callable[[ChainEvent], None] | None = {
            "PoolCommitted": round_log.pools.append,
            "RandomnessRequested": round_log.requests.append,
            "SeedDelivered": round_log.deliveries.append,
            "SeedIgnored": round_log.ignored.append,
            "RoundFailed": round_log.failures.append,
            "BadgeClaimed": round_log.claims.append,
        }.get(event.name)
        if target is not None:
            target(event)
    return rounds


def _read_published(directory: Path) -> _Published:
    """Read a round folder as far as possible; verify it with `load_round` for the problems."""
    try:
        verified = load_round(directory)
    except PublishedFileError as error:
        problems = list(error.problems)
    else:
        # load_round checked each file's root against the manifest, so the manifest's roots are
        # the files' roots and the trees need not be built again.
        roots = {pool.pool: bytes.fromhex(pool.root[2:]) for pool in verified.manifest.pools}
        return _Published(directory, verified.manifest_bytes, verified.manifest, dict(verified.addresses), roots)

    # The files failed verification: read what is readable, so that the audit can still compare
    # them with the chain and report what changed.
    published = _Published(directory, (directory / MANIFEST_NAME).read_bytes(), problems=problems)
    try:
        published.manifest = RoundManifest.model_validate_json(published.manifest_bytes)
    except ValidationError:
        return published
    for entry in published.manifest.pools:
        addresses = _read_pool_rows(directory / entry.file)
        if addresses is None:
            published.problems.append(
                f"The file of pool {entry.pool}, {entry.file}, has no readable rows 'index,address' "
                "for indices 0 to N-1, so its entrants cannot be compared with the chain."
            )
        else:
            published.addresses[entry.pool] = addresses
            published.roots[entry.pool] = EntrantTree.from_addresses(addresses).root
    return published


def _read_pool_rows(path: Path) -> tuple[str, ...] | None:
    """Read a pool file leniently: rows ``index,address`` in any order and letter case."""
    try:
        lines = path.read_text("ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0].strip() != POOL_FILE_HEADER:
        return None
    by_index: dict[int, str] = {}
    for line in lines[1:]:
        index_text, _, address_text = line.strip().partition(",")
        try:
            index, address = int(index_text), parse_address(address_text)
        except ValueError:
            return None
        if index in by_index:
            return None
        by_index[index] = address
    if not by_index or sorted(by_index) != list(range(len(by_index))):
        return None
    return tuple(by_index[index] for index in range(len(by_index)))


def _unclaimed_winners(
    pool_draw: _PoolDraw, claimed: set[tuple[int, int]], published: _Published | None
) -> list[UnclaimedWinner]:
    """Return the pool's unclaimed winners in rank order."""
    unclaimed = []
    for rank, index in enumerate(pool_draw.permutation.winners(pool_draw.winners).tolist()):
        if (pool_draw.pool, index) in claimed:
            continue
        account = published.address_at(pool_draw.pool, index) if published is not None else None
        unclaimed.append(
            UnclaimedWinner(
                pool=pool_draw.pool, index=index, rank=rank, serial=pool_draw.first_serial + rank, account=account
            )
        )
    return unclaimed


def _block_hash(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return bytes.fromhex(str(value).removeprefix("0x"))


def _describe(values: Sequence[Any]) -> str:
    return "(" + ", ".join(f"0x{value.hex()}" if isinstance(value, bytes) else str(value) for value in values) + ")"


def _entrant_location(holder: str, published: _Published | None) -> dict[str, int]:
    location = published.entrant(holder) if published is not None else None
    return {"pool": location[0], "index": location[1]} if location else {}


def _describe_outside_badge(badge: BadgeRecord, round_log: _RoundLog, published: _Published | None) -> str:
    text = (
        f"Badge serial {badge.serial} of drawn edition {badge.edition_id} was issued directly to "
        f"{badge.holder} in {badge.transaction_hash}, not through a claim of its round."
    )
    location = published.entrant(badge.holder) if published is not None else None
    if location is None:
        return f"{text} {badge.holder} is not an entrant of any published pool."
    pool, index = location
    if not round_log.deliveries:
        return f"{text} {badge.holder} is entrant {index} of pool {pool}; the round has no seed yet."
    seed = int(round_log.deliveries[0]["seed"])
    pool_event = next((event for event in round_log.pools if int(event["pool"]) == pool), None)
    if pool_event is None or index >= int(pool_event["entrants"]):
        return f"{text} {badge.holder} is entrant {index} of pool {pool}, which the round did not commit."
    rank = FeistelPermutation(seed, pool, int(pool_event["entrants"])).permute(index)
    verdict = "a winner" if rank < int(pool_event["winners"]) else "not a winner"
    return (
        f"{text} {badge.holder} is entrant {index} of pool {pool} with rank {rank} and K = "
        f"{pool_event['winners']}, so {verdict}."
    )
