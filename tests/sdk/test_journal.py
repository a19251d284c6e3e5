"""The campaign journal on real SQLite files: atomic steps, reopening and the intent protocol."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from merit.campaign import Campaign, load_campaign
from merit.entrants import Entrant, EntrantList, read_entrants
from merit.errors import JournalError
from merit.journal import (
    JOURNAL_NAME,
    SCHEMA_VERSION,
    Intent,
    IntentState,
    IssuedBadge,
    Journal,
)
from merit.publish import PoolInput, PublishedRound, publish_entrants, write_round
from sdk_support import SECRET, make_address, write_entrants

CAMPAIGN = "palace-solar-terms-2022"
DRAW = make_address(5000)
ISSUER = make_address(5001)


@pytest.fixture
def campaign(campaign_file: Path) -> Campaign:
    """The base campaign with a xiazhi entrant file of 3 new users and 4 learners."""
    loaded = load_campaign(campaign_file)
    rows = [[f"n-{n}", make_address(n), "new-users", "2022-06-05", "3", ""] for n in range(3)]
    rows += [[f"l-{n}", make_address(100 + n), "learners", "", "", "200"] for n in range(4)]
    write_entrants(loaded.resolve(loaded.edition("xiazhi").entrants), rows)
    return loaded


@pytest.fixture
def entrants(campaign: Campaign) -> EntrantList:
    """The accepted entrants of xiazhi."""
    return read_entrants(campaign, "xiazhi", SECRET)


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    """Where the journal file lives."""
    return tmp_path / "out" / CAMPAIGN / JOURNAL_NAME


@pytest.fixture
def journal(journal_path: Path) -> Iterator[Journal]:
    """An open journal, closed after the test."""
    with Journal.open(journal_path, CAMPAIGN) as opened:
        yield opened


@pytest.fixture
def published(campaign: Campaign, entrants: EntrantList, tmp_path: Path) -> PublishedRound:
    """The xiazhi round published from the entrants."""
    return publish_entrants(campaign, "xiazhi", entrants, tmp_path / "out")


def reopen(path: Path) -> Journal:
    return Journal.open(path, CAMPAIGN)


# -- opening ------------------------------------------------------------------------------------


def test_open_creates_schema(journal: Journal, journal_path: Path) -> None:
    connection = sqlite3.connect(journal_path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    finally:
        connection.close()

    assert {"entrants", "rejections", "rounds", "pools", "tx_intents", "badges"} <= tables


def test_open_enables_foreign_keys(journal: Journal) -> None:
    badge = IssuedBadge("xiazhi", 0, 0, make_address(1), 1, "0x" + "ab" * 32)

    with pytest.raises(JournalError, match="Record the round first"):
        journal.record_badges([badge])


def test_for_campaign_uses_output_folder(campaign: Campaign, tmp_path: Path) -> None:
    with Journal.for_campaign(campaign, tmp_path / "out") as opened:
        assert opened.path == tmp_path / "out" / CAMPAIGN / JOURNAL_NAME
    assert opened.path.is_file()


def test_open_rejects_other_campaign(journal: Journal, journal_path: Path) -> None:
    journal.close()

    with pytest.raises(JournalError, match=f"belongs to {CAMPAIGN}, not to campaign other"):
        Journal.open(journal_path, "other")


def test_open_rejects_newer_schema(journal: Journal, journal_path: Path) -> None:
    journal.close()
    connection = sqlite3.connect(journal_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()

    with pytest.raises(JournalError, match="Upgrade the merit SDK"):
        reopen(journal_path)


def test_open_rejects_foreign_database(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()

    with pytest.raises(JournalError, match="not a merit journal"):
        reopen(path)


def test_open_rejects_non_database(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"this is not a database" * 100)

    with pytest.raises(JournalError, match="is not a usable journal"):
        reopen(path)


# -- entrants and rounds ------------------------------------------------------------------------


def test_entrants_survive_reopening(
    journal: Journal, journal_path: Path, entrants: EntrantList
) -> None:
    journal.record_entrants("xiazhi", entrants)
    journal.close()

    with reopen(journal_path) as again:
        assert again.entrants("xiazhi", "learners") == list(entrants.pools["learners"])
        assert again.entrants("xiazhi", "new-users") == list(entrants.pools["new-users"])
        assert again.rejections("xiazhi") == []


def test_rejections_are_recorded(campaign: Campaign, journal: Journal) -> None:
    path = campaign.resolve(campaign.edition("xiaoshu").entrants)
    write_entrants(
        path,
        [
            ["l-1", make_address(1), "learners", "", "", "200"],
            ["l-2", "0x12", "learners", "", "", "200"],
        ],
    )
    result = read_entrants(campaign, "xiaoshu", SECRET, allow_rejections=True)

    journal.record_entrants("xiaoshu", result)

    assert journal.rejections("xiaoshu") == list(result.rejections)


def test_record_entrants_replaces_earlier(journal: Journal, entrants: EntrantList) -> None:
    journal.record_entrants("xiazhi", entrants)
    smaller = EntrantList(
        entrants.path, {"new-users": (), "learners": entrants.pools["learners"][:1]}, (), 1
    )

    journal.record_entrants("xiazhi", smaller)

    assert journal.entrants("xiazhi", "new-users") == []
    assert len(journal.entrants("xiazhi", "learners")) == 1


def test_failed_entrant_write_keeps_previous(
    journal: Journal, journal_path: Path, entrants: EntrantList
) -> None:
    journal.record_entrants("xiazhi", entrants)
    first = entrants.pools["learners"][0]
    clash = Entrant(index=1, address=first.address, user_hash="ff" * 32, line=99)
    broken = EntrantList(entrants.path, {"learners": (first, clash)}, (), 2)

    with pytest.raises(JournalError, match="an address or user appears twice"):
        journal.record_entrants("xiazhi", broken)
    journal.close()

    with reopen(journal_path) as again:
        assert again.entrants("xiazhi", "learners") == list(entrants.pools["learners"])
        assert len(again.entrants("xiazhi", "new-users")) == 3


def test_exception_in_transaction_writes_nothing(
    journal: Journal, journal_path: Path, entrants: EntrantList
) -> None:
    with pytest.raises(RuntimeError, match="crash"), journal.transaction():
        journal.record_entrants("xiazhi", entrants)
        journal.begin_intent(
            step="commit",
            key="commit/xiazhi",
            chain_id=1,
            sender=ISSUER,
            target=DRAW,
            calldata=b"\x01",
            nonce=0,
        )
        assert len(journal.entrants("xiazhi", "learners")) == 4
        raise RuntimeError("crash")
    journal.close()

    with reopen(journal_path) as again:
        assert again.entrants("xiazhi", "learners") == []
        assert again.intent("commit/xiazhi") is None


def test_nested_transaction_rolls_back_alone(journal: Journal, entrants: EntrantList) -> None:
    with journal.transaction():
        journal.record_entrants("xiazhi", entrants)
        with pytest.raises(JournalError), journal.transaction():
            journal.begin_intent(
                step="s", key="k", chain_id=1, sender=ISSUER, target=DRAW, calldata=b"", nonce=0
            )
            journal.begin_intent(
                step="s", key="k", chain_id=2, sender=ISSUER, target=DRAW, calldata=b"", nonce=0
            )

    assert journal.intent("k") is None
    assert len(journal.entrants("xiazhi", "learners")) == 4


def test_killed_process_leaves_no_partial_write(journal_path: Path, entrants: EntrantList) -> None:
    with reopen(journal_path) as journal:
        journal.record_entrants("xiazhi", entrants)
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from merit.journal import Journal

        journal = Journal.open(Path({str(journal_path)!r}), {CAMPAIGN!r})
        journal.begin_intent(step="commit", key="kept", chain_id=1, sender="{ISSUER}",
                             target="{DRAW}", calldata=b"kept", nonce=0)
        with journal.transaction():
            journal.begin_intent(step="claim", key="lost", chain_id=1, sender="{ISSUER}",
                                 target="{DRAW}", calldata=b"lost", nonce=1)
            journal.mark_sent("lost", "0x" + "11" * 32)
            os._exit(9)
        """
    )

    completed = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, timeout=60
    )

    assert completed.returncode == 9, completed.stderr.decode()
    with reopen(journal_path) as again:
        kept = again.intent("kept")
        assert kept is not None and kept.state is IntentState.PREPARED
        assert again.intent("lost") is None
        assert len(again.entrants("xiazhi", "learners")) == 4


def test_record_round_checks_entrants(
    journal: Journal, entrants: EntrantList, published: PublishedRound
) -> None:
    with pytest.raises(JournalError, match="No entrants are recorded"):
        journal.record_round(published)
    journal.record_entrants("xiazhi", entrants)

    record = journal.record_round(published)

    assert record.manifest_sha256 == published.manifest_sha256
    assert [(p.pool, p.channel, p.n, p.k) for p in record.pools] == [
        (0, "new-users", 3, 3),
        (1, "learners", 4, 4),
    ]
    assert journal.record_round(published) == record


def test_record_round_rejects_other_addresses(
    journal: Journal, entrants: EntrantList, tmp_path: Path
) -> None:
    journal.record_entrants("xiazhi", entrants)
    pools = [
        PoolInput("new-users", entrants.addresses("new-users"), 1),
        PoolInput("learners", entrants.addresses("learners")[::-1], 1),
    ]
    reordered = write_round(tmp_path / "other", CAMPAIGN, "xiazhi", pools)

    with pytest.raises(JournalError, match="lists other addresses than the recorded entrants"):
        journal.record_round(reordered)
    assert journal.round("xiazhi") is None


def test_recorded_round_is_final(
    journal: Journal, entrants: EntrantList, published: PublishedRound, tmp_path: Path
) -> None:
    journal.record_entrants("xiazhi", entrants)
    journal.record_round(published)
    pools = [
        PoolInput("new-users", entrants.addresses("new-users"), 1),
        PoolInput("learners", entrants.addresses("learners"), 1),
    ]
    other = write_round(tmp_path / "other", CAMPAIGN, "xiazhi", pools)

    with pytest.raises(JournalError, match="A recorded round is final"):
        journal.record_round(other)
    with pytest.raises(JournalError, match="its entrants are fixed"):
        journal.record_entrants("xiazhi", entrants)


# -- transaction intents ------------------------------------------------------------------------


def begin(
    journal: Journal,
    key: str = "commit/xiazhi",
    calldata: bytes = b"\xaa\xbb",
    nonce: int = 7,
    chain_id: int = 31337,
) -> tuple[Intent, bool]:
    return journal.begin_intent(
        step="commit-round",
        key=key,
        chain_id=chain_id,
        sender=ISSUER,
        target=DRAW,
        calldata=calldata,
        nonce=nonce,
    )


def test_intent_lifecycle(journal: Journal) -> None:
    prepared, created = begin(journal)
    assert created
    assert prepared.state is IntentState.PREPARED
    assert prepared.is_unresolved
    assert not prepared.is_confirmed

    sent = journal.mark_sent("commit/xiazhi", "0x" + "01" * 32)
    assert sent.state is IntentState.SENT
    assert sent.tx_hash == "0x" + "01" * 32

    mined = journal.mark_mined(
        "commit/xiazhi", tx_hash="0x" + "01" * 32, status=1, block_number=12, gas_used=51000
    )
    assert mined.is_confirmed
    assert not mined.is_unresolved
    assert (mined.receipt_status, mined.block_number, mined.gas_used) == (1, 12, 51000)


def test_begin_intent_returns_existing(journal: Journal) -> None:
    first, _ = begin(journal)
    journal.mark_sent("commit/xiazhi", "0x" + "02" * 32)

    again, created = begin(journal, nonce=8)

    assert not created
    assert again.state is IntentState.SENT
    assert again.nonce == first.nonce
    assert len(journal.intents()) == 1


def test_begin_intent_rejects_reused_key(journal: Journal) -> None:
    begin(journal)

    with pytest.raises(JournalError, match="is recorded for another transaction"):
        begin(journal, calldata=b"\xcc")
    with pytest.raises(JournalError, match="is recorded for another transaction"):
        begin(journal, chain_id=1)


def test_sent_intent_survives_crash(journal: Journal, journal_path: Path) -> None:
    begin(journal)
    journal.mark_sent("commit/xiazhi", "0x" + "03" * 32)
    journal.close()

    with reopen(journal_path) as again:
        intent, created = begin(again)
        assert not created
        assert intent.state is IntentState.SENT
        assert intent.tx_hash == "0x" + "03" * 32
        assert [i.key for i in again.unresolved_intents()] == ["commit/xiazhi"]


def test_unresolved_intents_filter_by_chain(journal: Journal) -> None:
    begin(journal, key="a", chain_id=1)
    begin(journal, key="b", chain_id=2)
    begin(journal, key="c", chain_id=1)
    journal.mark_mined("c", tx_hash="0x" + "04" * 32, status=1, block_number=1, gas_used=1)

    assert [i.key for i in journal.unresolved_intents(chain_id=1)] == ["a"]
    assert [i.key for i in journal.unresolved_intents()] == ["a", "b"]
    assert [i.key for i in journal.intents(step="commit-round")] == ["a", "b", "c"]


def test_reverted_intent_is_recorded(journal: Journal) -> None:
    begin(journal)

    reverted = journal.mark_mined(
        "commit/xiazhi", tx_hash="0x" + "05" * 32, status=0, block_number=3, gas_used=30000
    )

    assert reverted.state is IntentState.REVERTED
    assert not reverted.is_unresolved


def test_mined_intent_is_final(journal: Journal) -> None:
    begin(journal)
    journal.mark_mined(
        "commit/xiazhi", tx_hash="0x" + "06" * 32, status=1, block_number=4, gas_used=1
    )

    same = journal.mark_mined(
        "commit/xiazhi", tx_hash="0x" + "06" * 32, status=1, block_number=4, gas_used=1
    )

    assert same.is_confirmed
    with pytest.raises(JournalError, match="a transaction is mined once"):
        journal.mark_mined(
            "commit/xiazhi", tx_hash="0x" + "07" * 32, status=1, block_number=5, gas_used=1
        )
    with pytest.raises(JournalError, match="cannot be marked as sent"):
        journal.mark_sent("commit/xiazhi", "0x" + "07" * 32)
    with pytest.raises(JournalError, match="cannot be abandoned"):
        journal.abandon_intent("commit/xiazhi", "test")


def test_abandoned_intent_can_begin_again(journal: Journal) -> None:
    begin(journal)
    journal.mark_sent("commit/xiazhi", "0x" + "08" * 32)

    abandoned = journal.abandon_intent("commit/xiazhi", "nonce 7 was used by another transaction")
    again, created = begin(journal, nonce=9)

    assert created
    assert abandoned.state is IntentState.ABANDONED
    assert abandoned.note == "nonce 7 was used by another transaction"
    assert again.state is IntentState.PREPARED
    assert (again.nonce, again.tx_hash, again.note) == (9, None, None)


def test_unknown_intent_and_bad_status_are_rejected(journal: Journal) -> None:
    with pytest.raises(JournalError, match="Call begin_intent first"):
        journal.mark_sent("missing", "0x")
    begin(journal)
    with pytest.raises(JournalError, match="Receipt status 2 is not 0 or 1"):
        journal.mark_mined("commit/xiazhi", tx_hash="0x", status=2, block_number=1, gas_used=1)


# -- badges -------------------------------------------------------------------------------------


@pytest.fixture
def recorded(journal: Journal, entrants: EntrantList, published: PublishedRound) -> Journal:
    """The journal with xiazhi's entrants and round recorded."""
    journal.record_entrants("xiazhi", entrants)
    journal.record_round(published)
    return journal


def badge(index: int, serial: int, pool: int = 1, tx: str = "0x" + "aa" * 32) -> IssuedBadge:
    return IssuedBadge("xiazhi", pool, index, make_address(100 + index), serial, tx)


def test_badges_are_recorded_once(recorded: Journal, journal_path: Path) -> None:
    assert recorded.record_badges([badge(2, 5), badge(0, 4)]) == 2
    assert recorded.record_badges([badge(2, 5), badge(1, 6)]) == 1
    recorded.close()

    with reopen(journal_path) as again:
        assert [b.serial for b in again.badges("xiazhi")] == [4, 5, 6]
        assert again.is_issued("xiazhi", 1, 2)
        assert not again.is_issued("xiazhi", 1, 3)


@pytest.mark.parametrize(
    ("conflict", "fragment"),
    [
        (badge(2, 9), "is recorded with serial 5"),
        (badge(3, 5), "conflicts with the journal"),
        (IssuedBadge("xiazhi", 1, 3, make_address(102), 9, "0x"), "conflicts with the journal"),
        (badge(0, 1, pool=5), "conflicts with the journal"),
    ],
    ids=["other serial", "serial taken", "holder taken", "unknown pool"],
)
def test_conflicting_badge_batch_writes_nothing(
    recorded: Journal, conflict: IssuedBadge, fragment: str
) -> None:
    recorded.record_badges([badge(2, 5)])

    with pytest.raises(JournalError, match=fragment):
        recorded.record_badges([badge(1, 7), conflict])

    assert [b.serial for b in recorded.badges("xiazhi")] == [5]
