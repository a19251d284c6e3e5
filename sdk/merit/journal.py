"""The campaign journal: a SQLite file that makes every campaign step resumable.

The journal records what a campaign run did and intends to do: the entrants of each edition,
rejected rows, published rounds and their pools, every transaction intent, and issued badges.
It lives in the campaign's output folder (``out/<name>/journal.sqlite``).

Each public write runs in one SQLite transaction, so a crash or an exception leaves either all of
its rows or none. Callers can group several writes with `Journal.transaction`.

Transactions on chain follow a write-ahead protocol, so a crashed run never sends twice:

1. `begin_intent` records the transaction (step, idempotency key, chain, sender, target,
   calldata hash, nonce) *before* it is sent, and reports whether this call created it. Only
   then may the step send. An intent that already exists is returned as it is, and the step
   reads its state instead of sending again.
2. `mark_sent` records the transaction hash once the node accepted the transaction.
3. `mark_mined` records the receipt (status, block, gas used).

An intent in state `prepared` or `sent` is unresolved: the transaction may or may not be on
chain. Before sending anything else, the step must reconcile it, for example by fetching the
receipt of a known hash or by comparing the sender's nonce with the intent's nonce. If the
transaction never went out, `abandon_intent` lets the step begin it again.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from merit.campaign import Campaign
from merit.entrants import Entrant, EntrantList, Rejection
from merit.errors import JournalError
from merit.publish import PublishedRound

__all__ = [
    "JOURNAL_NAME",
    "SCHEMA_VERSION",
    "Intent",
    "IntentState",
    "IssuedBadge",
    "Journal",
    "PoolRecord",
    "RoundRecord",
]

logger = logging.getLogger(__name__)

JOURNAL_NAME = "journal.sqlite"
"""File name of the journal inside the campaign's output folder."""

SCHEMA_VERSION = 1
"""Version of the journal's tables, stored in SQLite's `user_version`."""

_SCHEMA = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE entrant_imports (
    edition TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    row_count INTEGER NOT NULL CHECK (row_count >= 0),
    imported_at TEXT NOT NULL
);

CREATE TABLE entrants (
    edition TEXT NOT NULL REFERENCES entrant_imports (edition) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    idx INTEGER NOT NULL CHECK (idx >= 0),
    address TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    PRIMARY KEY (edition, channel, idx),
    UNIQUE (edition, address),
    UNIQUE (edition, user_hash)
);

CREATE TABLE rejections (
    edition TEXT NOT NULL REFERENCES entrant_imports (edition) ON DELETE CASCADE,
    source_line INTEGER NOT NULL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    reasons TEXT NOT NULL,
    PRIMARY KEY (edition, source_line)
);

CREATE TABLE rounds (
    edition TEXT PRIMARY KEY REFERENCES entrant_imports (edition),
    directory TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE pools (
    edition TEXT NOT NULL REFERENCES rounds (edition) ON DELETE CASCADE,
    pool INTEGER NOT NULL CHECK (pool >= 0),
    channel TEXT NOT NULL,
    n INTEGER NOT NULL CHECK (n >= 1),
    k INTEGER NOT NULL CHECK (k >= 0 AND k <= n),
    root TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (edition, pool),
    UNIQUE (edition, channel)
);

CREATE TABLE tx_intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    step TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    chain_id INTEGER NOT NULL,
    sender TEXT NOT NULL,
    target TEXT NOT NULL,
    calldata_hash TEXT NOT NULL,
    nonce INTEGER NOT NULL CHECK (nonce >= 0),
    state TEXT NOT NULL
        CHECK (state IN ('prepared', 'sent', 'confirmed', 'reverted', 'abandoned')),
    tx_hash TEXT,
    receipt_status INTEGER,
    block_number INTEGER,
    gas_used INTEGER,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX tx_intents_by_state ON tx_intents (state);
CREATE INDEX tx_intents_by_hash ON tx_intents (tx_hash);

CREATE TABLE badges (
    edition TEXT NOT NULL,
    pool INTEGER NOT NULL,
    idx INTEGER NOT NULL CHECK (idx >= 0),
    address TEXT NOT NULL,
    serial INTEGER NOT NULL CHECK (serial >= 1),
    tx_hash TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (edition, pool, idx),
    UNIQUE (edition, serial),
    UNIQUE (edition, address),
    FOREIGN KEY (edition, pool) REFERENCES pools (edition, pool)
);
"""


class IntentState(enum.Enum):
    """Lifecycle state of a transaction intent."""

    PREPARED = "prepared"
    """Recorded before sending; the transaction may or may not have been sent."""
    SENT = "sent"
    """The node accepted the transaction; no receipt recorded yet."""
    CONFIRMED = "confirmed"
    """Mined with status 1."""
    REVERTED = "reverted"
    """Mined with status 0."""
    ABANDONED = "abandoned"
    """Reconciled as never mined; `begin_intent` may prepare it again."""


@dataclass(frozen=True)
class Intent:
    """A transaction intent as the journal records it.

    Attributes:
        step: Name of the campaign step that sends the transaction.
        key: Idempotency key, unique across the journal, e.g. ``commit-round/xiazhi``.
        chain_id: EIP-155 chain id.
        sender: Address that signs the transaction.
        target: Contract address that the transaction calls.
        calldata_hash: sha256 of the calldata, hex; identifies the call's content.
        nonce: Sender nonce that the transaction uses.
        state: Lifecycle state.
        tx_hash: Transaction hash, once sent.
        receipt_status: 1 or 0, once mined.
        block_number: Block of the receipt, once mined.
        gas_used: Gas used according to the receipt, once mined.
        note: Why the intent was abandoned, if it was.
    """

    step: str
    key: str
    chain_id: int
    sender: str
    target: str
    calldata_hash: str
    nonce: int
    state: IntentState
    tx_hash: str | None
    receipt_status: int | None
    block_number: int | None
    gas_used: int | None
    note: str | None

    @property
    def is_confirmed(self) -> bool:
        """Whether the transaction was mined successfully, so the step is done."""
        return self.state is IntentState.CONFIRMED

    @property
    def is_unresolved(self) -> bool:
        """Whether the transaction may be on chain or in a mempool without a recorded receipt."""
        return self.state in (IntentState.PREPARED, IntentState.SENT)


@dataclass(frozen=True)
class IssuedBadge:
    """A badge issued to a draw winner.

    Attributes:
        edition: Edition id.
        pool: Pool number.
        index: The winner's index in the pool.
        address: The holder's address.
        serial: Serial number of the badge within the edition.
        tx_hash: Transaction that minted the badge.
    """

    edition: str
    pool: int
    index: int
    address: str
    serial: int
    tx_hash: str


@dataclass(frozen=True)
class PoolRecord:
    """A published pool as the journal records it."""

    pool: int
    channel: str
    n: int
    k: int
    root: str
    file: str
    sha256: str


@dataclass(frozen=True)
class RoundRecord:
    """A published round as the journal records it."""

    edition: str
    directory: Path
    manifest_sha256: str
    pools: tuple[PoolRecord, ...]


def calldata_hash(calldata: bytes) -> str:
    """Return the sha256 of calldata as hex, the fingerprint stored with an intent."""
    return hashlib.sha256(calldata).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Journal:
    """An open campaign journal.

    Use `Journal.open` (or `Journal.for_campaign`) and close it, preferably with ``with``.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, campaign_name: str) -> None:
        self._connection = connection
        self._depth = 0
        self.path = path
        self.campaign_name = campaign_name

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, campaign_name: str) -> Journal:
        """Open the journal at `path`, creating it and its folder if needed.

        Raises:
            JournalError: if the file is not a journal, was written by a newer SDK, or belongs
                to another campaign.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=10.0)
        except sqlite3.Error as error:
            raise JournalError(f"Cannot open journal {path}: {error}.") from error

        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA journal_mode = WAL")
            # FULL: a transaction that returned is on disk, which the intent protocol needs.
            connection.execute("PRAGMA synchronous = FULL")
            journal = cls(connection, path, campaign_name)
            journal._prepare_schema()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise JournalError(
                f"{path} is not a usable journal: {error}. Move it away or pass another path."
            ) from error
        except JournalError:
            connection.close()
            raise
        logger.info("Opened journal %s for campaign %s.", path, campaign_name)
        return journal

    @classmethod
    def for_campaign(cls, campaign: Campaign, out_root: Path = Path("out")) -> Journal:
        """Open the journal in the campaign's output folder."""
        return cls.open(campaign.output_dir(out_root) / JOURNAL_NAME, campaign.name)

    def _prepare_schema(self) -> None:
        version = int(self._connection.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"Journal {self.path} has schema version {version}, newer than {SCHEMA_VERSION}. "
                "Upgrade the merit SDK."
            )
        if version == 0:
            tables = self._connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise JournalError(
                    f"{self.path} is an SQLite file but not a merit journal. Pass another path."
                )
            with self.transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._connection.execute(statement)
                self._connection.execute(
                    "INSERT INTO meta (key, value) VALUES ('campaign', ?), ('created_at', ?)",
                    (self.campaign_name, _now()),
                )
                self._connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return

        row = self._connection.execute("SELECT value FROM meta WHERE key = 'campaign'").fetchone()
        if row is None or row[0] != self.campaign_name:
            recorded = row[0] if row is not None else "no campaign"
            raise JournalError(
                f"Journal {self.path} belongs to {recorded}, not to campaign "
                f"{self.campaign_name}. Use the campaign's own output folder."
            )

    def close(self) -> None:
        """Close the connection; the journal is complete on disk after every transaction."""
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the enclosed writes atomically: all of them are kept, or none if it raises.

        Transactions nest; an inner block is a savepoint that rolls back on its own.
        """
        if self._depth == 0:
            # IMMEDIATE takes the write lock now, so two runs cannot interleave a step.
            begin, commit, rollback = ["BEGIN IMMEDIATE"], ["COMMIT"], ["ROLLBACK"]
        else:
            name = f"level_{self._depth}"
            begin, commit = [f"SAVEPOINT {name}"], [f"RELEASE {name}"]
            rollback = [f"ROLLBACK TO {name}", f"RELEASE {name}"]

        for statement in begin:
            self._connection.execute(statement)
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            for statement in rollback:
                self._connection.execute(statement)
            raise
        self._depth -= 1
        for statement in commit:
            self._connection.execute(statement)

    # -- entrants ----------------------------------------------------------------------------

    def record_entrants(self, edition: str, entrants: EntrantList) -> None:
        """Store an edition's accepted entrants and rejections, replacing earlier ones.

        Raises:
            JournalError: if the edition's round is already recorded, because its entrants are
                then fixed, or if the entrants break a uniqueness rule.
        """
        with self.transaction():
            if self.round(edition) is not None:
                raise JournalError(
                    f"Edition {edition} already has a published round, so its entrants are fixed. "
                    "Start a new journal only if that round was never committed on chain."
                )
            self._connection.execute("DELETE FROM entrant_imports WHERE edition = ?", (edition,))
            self._connection.execute(
                "INSERT INTO entrant_imports (edition, source, row_count, imported_at) "
                "VALUES (?, ?, ?, ?)",
                (edition, str(entrants.path), entrants.row_count, _now()),
            )
            try:
                self._connection.executemany(
                    "INSERT INTO entrants (edition, channel, idx, address, user_hash, source_line) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        (edition, channel, e.index, e.address, e.user_hash, e.line)
                        for channel, pool in entrants.pools.items()
                        for e in pool
                    ),
                )
            except sqlite3.IntegrityError as error:
                raise JournalError(
                    f"Entrants of edition {edition} break a journal rule ({error}): an address or "
                    "user appears twice. Read the file with merit.entrants, which rejects both."
                ) from error
            self._connection.executemany(
                "INSERT INTO rejections (edition, source_line, channel, address, reasons) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    (edition, r.line, r.channel, r.address, json.dumps(list(r.reasons)))
                    for r in entrants.rejections
                ),
            )
        logger.info(
            "Recorded %d entrants and %d rejections of edition %s.",
            sum(len(pool) for pool in entrants.pools.values()),
            len(entrants.rejections),
            edition,
        )

    def entrants(self, edition: str, channel: str) -> list[Entrant]:
        """Return a channel's recorded entrants of an edition, in index order."""
        rows = self._connection.execute(
            "SELECT idx, address, user_hash, source_line FROM entrants "
            "WHERE edition = ? AND channel = ? ORDER BY idx",
            (edition, channel),
        ).fetchall()
        return [Entrant(index=r[0], address=r[1], user_hash=r[2], line=r[3]) for r in rows]

    def rejections(self, edition: str) -> list[Rejection]:
        """Return the recorded rejections of an edition, in line order."""
        rows = self._connection.execute(
            "SELECT source_line, channel, address, reasons FROM rejections "
            "WHERE edition = ? ORDER BY source_line",
            (edition,),
        ).fetchall()
        return [Rejection(r[0], r[1], r[2], tuple(json.loads(r[3]))) for r in rows]

    # -- rounds ------------------------------------------------------------------------------

    def forget_plan(self, edition: str) -> None:
        """Delete an edition's recorded entrants, rejections and round, so that it can be planned
        again from a changed entrant file.

        Raises:
            JournalError: if a transaction intent of the edition's round exists, because the
                round may then be on chain with the recorded files.
        """
        with self.transaction():
            committed = self.intent(f"round/{edition}")
            if committed is not None and committed.state is not IntentState.ABANDONED:
                raise JournalError(
                    f"Edition {edition}'s round was sent to the chain ({committed.state.value}), so its "
                    "entrants are fixed. Restore the entrant file it was planned from."
                )
            self._connection.execute("DELETE FROM pools WHERE edition = ?", (edition,))
            self._connection.execute("DELETE FROM rounds WHERE edition = ?", (edition,))
            self._connection.execute("DELETE FROM entrant_imports WHERE edition = ?", (edition,))
        logger.info("Forgot the plan of edition %s.", edition)

    def record_round(self, published: PublishedRound) -> RoundRecord:
        """Store a published round after checking it against the recorded entrants.

        Recording the same manifest again is a no-op.

        Raises:
            JournalError: if the edition's entrants are not recorded, a pool's addresses differ
                from them, or the edition already has a different round.
        """
        manifest = published.manifest
        edition = manifest.edition
        if manifest.campaign != self.campaign_name:
            raise JournalError(
                f"The round belongs to campaign {manifest.campaign}, not {self.campaign_name}."
            )

        with self.transaction():
            existing = self.round(edition)
            if existing is not None:
                if existing.manifest_sha256 == published.manifest_sha256:
                    return existing
                raise JournalError(
                    f"Edition {edition} already has round {existing.manifest_sha256}, not "
                    f"{published.manifest_sha256}. A recorded round is final."
                )
            imported = self._connection.execute(
                "SELECT 1 FROM entrant_imports WHERE edition = ?", (edition,)
            ).fetchone()
            if imported is None:
                raise JournalError(
                    f"No entrants are recorded for edition {edition}. Call record_entrants first."
                )
            for pool in manifest.pools:
                recorded = [entrant.address for entrant in self.entrants(edition, pool.channel)]
                if list(published.addresses[pool.pool]) != recorded:
                    raise JournalError(
                        f"Pool {pool.pool} ({pool.channel}) of edition {edition} lists other "
                        "addresses than the recorded entrants. Publish the recorded entrants."
                    )

            self._connection.execute(
                "INSERT INTO rounds (edition, directory, manifest_sha256, recorded_at) "
                "VALUES (?, ?, ?, ?)",
                (edition, str(published.directory), published.manifest_sha256, _now()),
            )
            self._connection.executemany(
                "INSERT INTO pools (edition, pool, channel, n, k, root, file, sha256) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (edition, p.pool, p.channel, p.n, p.k, p.root, p.file, p.sha256)
                    for p in manifest.pools
                ),
            )
        logger.info(
            "Recorded round of edition %s, manifest %s.", edition, published.manifest_sha256
        )
        record = self.round(edition)
        assert record is not None
        return record

    def round(self, edition: str) -> RoundRecord | None:
        """Return the recorded round of an edition, or None."""
        row = self._connection.execute(
            "SELECT directory, manifest_sha256 FROM rounds WHERE edition = ?", (edition,)
        ).fetchone()
        if row is None:
            return None
        pools = self._connection.execute(
            "SELECT pool, channel, n, k, root, file, sha256 FROM pools "
            "WHERE edition = ? ORDER BY pool",
            (edition,),
        ).fetchall()
        return RoundRecord(
            edition=edition,
            directory=Path(row[0]),
            manifest_sha256=row[1],
            pools=tuple(PoolRecord(*pool) for pool in pools),
        )

    # -- settings ----------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """Return the value stored under `key` in the journal's settings, or None."""
        row = self._connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store `value` under `key` in the journal's settings, replacing an earlier value."""
        with self.transaction():
            self._connection.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- transaction intents -----------------------------------------------------------------

    def begin_intent(
        self,
        *,
        step: str,
        key: str,
        chain_id: int,
        sender: str,
        target: str,
        calldata: bytes,
        nonce: int,
    ) -> tuple[Intent, bool]:
        """Record a transaction before it is sent, or return the intent already recorded.

        Returns:
            The intent, and whether this call created it or prepared an abandoned intent again.
            Only then may the caller send the transaction. An intent that already existed may
            have been sent by a run that crashed, so it must be reconciled first (see the
            module documentation).

        NOTE: Inside a `transaction` block the intent reaches the disk only when the outermost
        block commits, so send only after that.

        Raises:
            JournalError: if `key` is recorded with another chain, sender, target or calldata,
                which means two different transactions share an idempotency key.
        """
        fingerprint = calldata_hash(calldata)
        with self.transaction():
            existing = self.intent(key)
            if existing is not None:
                recorded = (
                    existing.chain_id,
                    existing.sender,
                    existing.target,
                    existing.calldata_hash,
                )
                if recorded != (chain_id, sender, target, fingerprint):
                    raise JournalError(
                        f"Idempotency key {key!r} is recorded for another transaction (chain "
                        f"{existing.chain_id}, target {existing.target}, calldata sha256 "
                        f"{existing.calldata_hash}). Use a key that names this call."
                    )
                if existing.state is not IntentState.ABANDONED:
                    return existing, False
                self._connection.execute(
                    "UPDATE tx_intents SET state = 'prepared', nonce = ?, tx_hash = NULL, "
                    "note = NULL, updated_at = ? WHERE idempotency_key = ?",
                    (nonce, _now(), key),
                )
                logger.info("Prepared abandoned intent %s again with nonce %d.", key, nonce)
            else:
                now = _now()
                self._connection.execute(
                    "INSERT INTO tx_intents (step, idempotency_key, chain_id, sender, target, "
                    "calldata_hash, nonce, state, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'prepared', ?, ?)",
                    (step, key, chain_id, sender, target, fingerprint, nonce, now, now),
                )
                logger.info("Prepared intent %s (step %s, nonce %d).", key, step, nonce)
        return self._require_intent(key), True

    def mark_sent(self, key: str, tx_hash: str) -> Intent:
        """Record the hash of a sent transaction; a replacement may record a new hash.

        Raises:
            JournalError: if the intent is unknown or already mined or abandoned.
        """
        with self.transaction():
            intent = self._require_intent(key)
            if intent.state not in (IntentState.PREPARED, IntentState.SENT):
                raise JournalError(
                    f"Intent {key} is {intent.state.value}, so it cannot be marked as sent. "
                    "Begin a new intent if the step must send again."
                )
            self._connection.execute(
                "UPDATE tx_intents SET state = 'sent', tx_hash = ?, updated_at = ? "
                "WHERE idempotency_key = ?",
                (tx_hash, _now(), key),
            )
        logger.info("Intent %s sent as %s.", key, tx_hash)
        return self._require_intent(key)

    def mark_mined(
        self, key: str, *, tx_hash: str, status: int, block_number: int, gas_used: int
    ) -> Intent:
        """Record the receipt of an intent's transaction.

        Raises:
            JournalError: if the intent is unknown, abandoned, or already mined with another
                receipt.
        """
        if status not in (0, 1):
            raise JournalError(f"Receipt status {status} is not 0 or 1. Pass the receipt's status.")
        state = IntentState.CONFIRMED if status == 1 else IntentState.REVERTED
        with self.transaction():
            intent = self._require_intent(key)
            if intent.state in (IntentState.CONFIRMED, IntentState.REVERTED):
                if (intent.tx_hash, intent.receipt_status, intent.block_number) == (
                    tx_hash,
                    status,
                    block_number,
                ):
                    return intent
                raise JournalError(
                    f"Intent {key} already has a receipt ({intent.tx_hash} in block "
                    f"{intent.block_number}); a transaction is mined once."
                )
            if intent.state is IntentState.ABANDONED:
                raise JournalError(
                    f"Intent {key} was abandoned ({intent.note}), yet {tx_hash} was mined. "
                    "Reconcile the chain state by hand before continuing."
                )
            self._connection.execute(
                "UPDATE tx_intents SET state = ?, tx_hash = ?, receipt_status = ?, "
                "block_number = ?, gas_used = ?, updated_at = ? WHERE idempotency_key = ?",
                (state.value, tx_hash, status, block_number, gas_used, _now(), key),
            )
        if state is IntentState.REVERTED:
            logger.warning(
                "Intent %s reverted in transaction %s, block %d.", key, tx_hash, block_number
            )
        else:
            logger.info(
                "Intent %s confirmed in block %d, gas used %d.", key, block_number, gas_used
            )
        return self._require_intent(key)

    def abandon_intent(self, key: str, reason: str) -> Intent:
        """Mark an intent as never mined, after reconciling it with the chain.

        Raises:
            JournalError: if the intent is unknown or confirmed.
        """
        with self.transaction():
            intent = self._require_intent(key)
            if intent.state is IntentState.CONFIRMED:
                raise JournalError(f"Intent {key} is confirmed on chain and cannot be abandoned.")
            self._connection.execute(
                "UPDATE tx_intents SET state = 'abandoned', note = ?, updated_at = ? "
                "WHERE idempotency_key = ?",
                (reason, _now(), key),
            )
        logger.warning("Abandoned intent %s: %s", key, reason)
        return self._require_intent(key)

    def intent(self, key: str) -> Intent | None:
        """Return the intent with idempotency key `key`, or None if none was recorded."""
        row = self._connection.execute(
            f"SELECT {_INTENT_COLUMNS} FROM tx_intents WHERE idempotency_key = ?", (key,)
        ).fetchone()
        return _intent_from_row(row) if row is not None else None

    def unresolved_intents(self, chain_id: int | None = None) -> list[Intent]:
        """Return intents that are prepared or sent but have no receipt, oldest first."""
        query = f"SELECT {_INTENT_COLUMNS} FROM tx_intents WHERE state IN ('prepared', 'sent')"
        parameters: tuple[int, ...] = ()
        if chain_id is not None:
            query += " AND chain_id = ?"
            parameters = (chain_id,)
        rows = self._connection.execute(query + " ORDER BY id", parameters).fetchall()
        return [_intent_from_row(row) for row in rows]

    def intents(self, step: str | None = None) -> list[Intent]:
        """Return all intents, or those of one step, oldest first."""
        if step is None:
            rows = self._connection.execute(
                f"SELECT {_INTENT_COLUMNS} FROM tx_intents ORDER BY id"
            ).fetchall()
        else:
            rows = self._connection.execute(
                f"SELECT {_INTENT_COLUMNS} FROM tx_intents WHERE step = ? ORDER BY id", (step,)
            ).fetchall()
        return [_intent_from_row(row) for row in rows]

    def _require_intent(self, key: str) -> Intent:
        intent = self.intent(key)
        if intent is None:
            raise JournalError(f"No intent has idempotency key {key!r}. Call begin_intent first.")
        return intent

    # -- badges ------------------------------------------------------------------------------

    def record_badges(self, badges: Sequence[IssuedBadge]) -> int:
        """Store issued badges; badges already recorded identically are skipped.

        Returns:
            The number of badges newly recorded.

        Raises:
            JournalError: if a badge contradicts a recorded one (same winner, serial or holder
                with other values) or names a pool that no recorded round has. Nothing of the
                batch is stored then.
        """
        added = 0
        now = _now()
        with self.transaction():
            for badge in badges:
                existing = self._connection.execute(
                    "SELECT address, serial, tx_hash FROM badges "
                    "WHERE edition = ? AND pool = ? AND idx = ?",
                    (badge.edition, badge.pool, badge.index),
                ).fetchone()
                if existing is not None:
                    if tuple(existing) != (badge.address, badge.serial, badge.tx_hash):
                        raise JournalError(
                            f"Winner {badge.index} of pool {badge.pool}, edition {badge.edition}, "
                            f"is recorded with serial {existing[1]} in {existing[2]}, not serial "
                            f"{badge.serial} in {badge.tx_hash}. Reconcile with the chain's logs."
                        )
                    continue
                try:
                    self._connection.execute(
                        "INSERT INTO badges (edition, pool, idx, address, serial, tx_hash, "
                        "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            badge.edition,
                            badge.pool,
                            badge.index,
                            badge.address,
                            badge.serial,
                            badge.tx_hash,
                            now,
                        ),
                    )
                except sqlite3.IntegrityError as error:
                    raise JournalError(
                        f"Badge serial {badge.serial} for {badge.address} (edition "
                        f"{badge.edition}, pool {badge.pool}) conflicts with the journal: {error}. "
                        "Record the round first and reconcile serials with the chain's logs."
                    ) from error
                added += 1
        logger.info("Recorded %d new badges of %d.", added, len(badges))
        return added

    def badges(self, edition: str) -> list[IssuedBadge]:
        """Return an edition's recorded badges in serial order."""
        rows = self._connection.execute(
            "SELECT edition, pool, idx, address, serial, tx_hash FROM badges "
            "WHERE edition = ? ORDER BY serial",
            (edition,),
        ).fetchall()
        return [IssuedBadge(*row) for row in rows]

    def is_issued(self, edition: str, pool: int, index: int) -> bool:
        """Return whether the winner `index` of a pool has a recorded badge."""
        row = self._connection.execute(
            "SELECT 1 FROM badges WHERE edition = ? AND pool = ? AND idx = ?",
            (edition, pool, index),
        ).fetchone()
        return row is not None


_INTENT_COLUMNS = (
    "step, idempotency_key, chain_id, sender, target, calldata_hash, nonce, state, tx_hash, "
    "receipt_status, block_number, gas_used, note"
)


def _intent_from_row(row: tuple[Any, ...]) -> Intent:
    values = list(row)
    values[7] = IntentState(values[7])
    return Intent(*values)
