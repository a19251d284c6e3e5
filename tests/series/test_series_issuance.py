"""Direct issue, batches, drawn mints and serial reservations, with pausing."""

import ape
import pytest

pytestmark = pytest.mark.chain

DAY = 24 * 3600
ZERO = "0x0000000000000000000000000000000000000000"


def holders(count: int, start: int = 0x1000) -> list[str]:
    return [f"0x{start + i:040x}" for i in range(count)]


def test_issue_mints_locked_badge(series, issuer, create_edition, learners, token_id):
    edition_id = create_edition(cap=10)
    holder = learners[0]

    receipt = series.issue(edition_id, holder, sender=issuer)

    expected = token_id(edition_id, holder)
    transfer = receipt.events.filter(series.Transfer)[0]
    assert (transfer["from"], transfer.to, transfer.tokenId) == (ZERO, holder, expected)
    assert receipt.events.filter(series.Locked)[0].tokenId == expected
    issued = receipt.events.filter(series.BadgesIssued)[0]
    assert (issued.editionId, issued.firstSerial, issued.count) == (edition_id, 1, 1)
    assert series.ownerOf(expected) == holder
    assert series.balanceOf(holder) == 1
    assert series.holds(edition_id, holder) is True
    assert series.editionsOf(holder) == 1 << edition_id
    assert series.tokenIdOf(edition_id, holder) == expected
    stored = series.edition(edition_id)
    assert (stored.allocated, stored.issued, stored.revoked) == (1, 1, 0)


def test_issue_serials_follow_order(series, issuer, create_edition, learners):
    edition_id = create_edition(cap=10)
    serials = []
    for holder in learners[:3]:
        receipt = series.issue(edition_id, holder, sender=issuer)
        serials.append(receipt.events.filter(series.BadgesIssued)[0].firstSerial)
    assert serials == [1, 2, 3]


def test_balance_counts_editions(series, issuer, create_edition, learners):
    editions = [create_edition() for _ in range(3)]
    for edition_id in editions:
        series.issue(edition_id, learners[1], sender=issuer)
    assert series.balanceOf(learners[1]) == 3
    assert series.editionsOf(learners[1]) == 0b111


def test_balance_of_zero_address_rejected(series):
    with ape.reverts(series.BadgeInvalidHolder, holder=ZERO):
        series.balanceOf(ZERO)


def test_issue_rejects_second_badge(series, issuer, create_edition, learners):
    edition_id = create_edition()
    series.issue(edition_id, learners[0], sender=issuer)
    with ape.reverts(series.BadgeAlreadyIssued, editionId=edition_id, holder=learners[0]):
        series.issue(edition_id, learners[0], sender=issuer)
    assert series.edition(edition_id).issued == 1


def test_issue_rejects_zero_address(series, issuer, create_edition):
    edition_id = create_edition()
    with ape.reverts(series.BadgeInvalidHolder, holder=ZERO):
        series.issue(edition_id, ZERO, sender=issuer)
    assert series.edition(edition_id).issued == 0


def test_issue_rejects_unknown_edition(series, issuer, learners, create_edition):
    create_edition()
    with ape.reverts(series.EditionUnknown, editionId=7, editionCount=1):
        series.issue(7, learners[0], sender=issuer)


def test_issue_rejects_before_window(series, issuer, create_edition, learners, chain):
    opens = chain.pending_timestamp + DAY
    edition_id = create_edition(opens_at=opens, closes_at=opens + DAY)
    with ape.reverts(series.EditionNotOpen, editionId=edition_id, opensAt=opens, closesAt=opens + DAY):
        series.issue(edition_id, learners[0], sender=issuer)
    assert series.balanceOf(learners[0]) == 0


def test_issue_rejects_after_window(series, issuer, create_edition, learners, chain):
    now = chain.pending_timestamp
    edition_id = create_edition(opens_at=now, closes_at=now + DAY)
    chain.pending_timestamp = now + DAY + 1
    with ape.reverts(series.EditionNotOpen, editionId=edition_id):
        series.issue(edition_id, learners[0], sender=issuer)
    assert series.balanceOf(learners[0]) == 0


def test_issue_rejects_beyond_cap(series, issuer, create_edition, learners):
    edition_id = create_edition(cap=2)
    series.issue(edition_id, learners[0], sender=issuer)
    series.issue(edition_id, learners[1], sender=issuer)
    with ape.reverts(series.EditionCapExceeded, editionId=edition_id, cap=2, allocated=2, requested=1):
        series.issue(edition_id, learners[2], sender=issuer)
    assert series.edition(edition_id).issued == 2


def test_issue_batch_mints_in_order(series, issuer, create_edition, token_id):
    edition_id = create_edition(cap=50)
    batch = holders(20)

    receipt = series.issueBatch(edition_id, batch, sender=issuer)

    minted = [event.tokenId for event in receipt.events.filter(series.Transfer)]
    assert minted == [token_id(edition_id, holder) for holder in batch]
    assert len(receipt.events.filter(series.Locked)) == 20
    issued = receipt.events.filter(series.BadgesIssued)[0]
    assert (issued.firstSerial, issued.count) == (1, 20)
    assert all(series.balanceOf(holder) == 1 for holder in batch)
    assert series.edition(edition_id).issued == 20


def test_issue_batch_after_single_continues_serials(series, issuer, create_edition, learners):
    edition_id = create_edition(cap=50)
    series.issue(edition_id, learners[0], sender=issuer)
    receipt = series.issueBatch(edition_id, holders(5), sender=issuer)
    assert receipt.events.filter(series.BadgesIssued)[0].firstSerial == 2


def test_issue_batch_rejects_duplicate(series, issuer, create_edition):
    edition_id = create_edition(cap=50)
    batch = holders(3) + holders(1)
    with ape.reverts(series.BadgeAlreadyIssued, editionId=edition_id, holder=batch[0]):
        series.issueBatch(edition_id, batch, sender=issuer)
    assert series.edition(edition_id).issued == 0
    assert series.balanceOf(batch[1]) == 0


def test_issue_batch_rejects_zero_address(series, issuer, create_edition):
    edition_id = create_edition(cap=50)
    with ape.reverts(series.BadgeInvalidHolder, holder=ZERO):
        series.issueBatch(edition_id, holders(2) + [ZERO], sender=issuer)
    assert series.edition(edition_id).issued == 0


def test_issue_batch_rejects_beyond_cap(series, issuer, create_edition):
    edition_id = create_edition(cap=4)
    with ape.reverts(series.EditionCapExceeded, editionId=edition_id, cap=4, allocated=0, requested=5):
        series.issueBatch(edition_id, holders(5), sender=issuer)
    assert series.edition(edition_id).issued == 0


def test_issue_batch_rejects_empty(series, issuer, create_edition):
    edition_id = create_edition()
    with ape.reverts(series.BatchEmpty):
        series.issueBatch(edition_id, [], sender=issuer)


def test_pause_stops_issuance_only(series, issuer, pauser, create_edition, learners, token_id):
    edition_id = create_edition()
    series.issue(edition_id, learners[0], sender=issuer)

    series.pause(sender=pauser)
    assert series.paused() is True
    with ape.reverts(series.EnforcedPause):
        series.issue(edition_id, learners[1], sender=issuer)
    with ape.reverts(series.EnforcedPause):
        series.issueBatch(edition_id, holders(2), sender=issuer)

    # Views and revocation keep working while paused.
    badge = token_id(edition_id, learners[0])
    assert series.ownerOf(badge) == learners[0]
    series.revoke(badge, 1, sender=issuer)

    series.unpause(sender=pauser)
    series.issue(edition_id, learners[1], sender=issuer)
    assert series.balanceOf(learners[1]) == 1


def test_edition_created_while_paused_is_paused(series, issuer, pauser, create_edition, learners):
    series.pause(sender=pauser)
    edition_id = create_edition()
    with ape.reverts(series.EnforcedPause):
        series.issue(edition_id, learners[0], sender=issuer)
    series.unpause(sender=pauser)
    series.issue(edition_id, learners[0], sender=issuer)
    assert series.holds(edition_id, learners[0]) is True


def test_reserve_serials_allocates_block(series, minter, create_edition):
    edition_id = create_edition(cap=100)
    receipt = series.reserveSerials(edition_id, 30, sender=minter)
    event = receipt.events.filter(series.SerialsReserved)[0]
    assert (event.editionId, event.minter, event.firstSerial, event.count) == (edition_id, minter, 1, 30)

    receipt = series.reserveSerials(edition_id, 70, sender=minter)
    assert receipt.events.filter(series.SerialsReserved)[0].firstSerial == 31
    stored = series.edition(edition_id)
    assert (stored.allocated, stored.issued) == (100, 0)


def test_reserve_serials_rejects_beyond_cap(series, minter, create_edition):
    edition_id = create_edition(cap=10)
    series.reserveSerials(edition_id, 6, sender=minter)
    with ape.reverts(series.EditionCapExceeded, editionId=edition_id, cap=10, allocated=6, requested=5):
        series.reserveSerials(edition_id, 5, sender=minter)
    assert series.edition(edition_id).allocated == 6


def test_reserve_serials_rejects_zero(series, minter, create_edition):
    edition_id = create_edition()
    with ape.reverts(series.BatchEmpty):
        series.reserveSerials(edition_id, 0, sender=minter)


def test_reserved_serials_block_direct_issue(series, issuer, minter, create_edition, learners):
    edition_id = create_edition(cap=3)
    series.reserveSerials(edition_id, 2, sender=minter)
    receipt = series.issue(edition_id, learners[0], sender=issuer)
    assert receipt.events.filter(series.BadgesIssued)[0].firstSerial == 3
    with ape.reverts(series.EditionCapExceeded):
        series.issue(edition_id, learners[1], sender=issuer)


def test_mint_drawn_mints_once(series, minter, create_edition, learners, token_id):
    edition_id = create_edition(cap=10)
    series.reserveSerials(edition_id, 5, sender=minter)

    assert series.mintDrawn.call(edition_id, learners[0], 3, sender=minter) is True
    receipt = series.mintDrawn(edition_id, learners[0], 3, sender=minter)
    assert receipt.events.filter(series.Locked)[0].tokenId == token_id(edition_id, learners[0])
    assert series.ownerOf(token_id(edition_id, learners[0])) == learners[0]

    # A second mint for the same holder returns false and changes nothing.
    assert series.mintDrawn.call(edition_id, learners[0], 4, sender=minter) is False
    receipt = series.mintDrawn(edition_id, learners[0], 4, sender=minter)
    assert len(receipt.events.filter(series.Transfer)) == 0
    assert series.edition(edition_id).issued == 1


@pytest.mark.parametrize("serial", [0, 11])
def test_mint_drawn_rejects_serial_outside_cap(series, minter, create_edition, learners, serial):
    edition_id = create_edition(cap=10)
    series.reserveSerials(edition_id, 10, sender=minter)
    with ape.reverts(series.EditionInvalidSerial, editionId=edition_id, serial=serial, cap=10):
        series.mintDrawn(edition_id, learners[0], serial, sender=minter)


def test_mint_drawn_rejects_more_than_reserved(series, minter, create_edition, learners):
    edition_id = create_edition(cap=10)
    series.reserveSerials(edition_id, 1, sender=minter)
    series.mintDrawn(edition_id, learners[0], 1, sender=minter)
    with ape.reverts(series.EditionCapExceeded, editionId=edition_id, cap=10, allocated=1, requested=1):
        series.mintDrawn(edition_id, learners[1], 1, sender=minter)
    assert series.edition(edition_id).issued == 1


def test_mint_drawn_rejects_zero_address(series, minter, create_edition):
    edition_id = create_edition(cap=10)
    series.reserveSerials(edition_id, 1, sender=minter)
    with ape.reverts(series.BadgeInvalidHolder, holder=ZERO):
        series.mintDrawn(edition_id, ZERO, 1, sender=minter)


def test_mint_drawn_respects_pause_and_window(series, minter, pauser, create_edition, learners, chain):
    now = chain.pending_timestamp
    edition_id = create_edition(cap=10, opens_at=now, closes_at=now + DAY)
    series.reserveSerials(edition_id, 2, sender=minter)

    series.pause(sender=pauser)
    with ape.reverts(series.EnforcedPause):
        series.mintDrawn(edition_id, learners[0], 1, sender=minter)
    series.unpause(sender=pauser)

    chain.pending_timestamp = now + DAY + 1
    with ape.reverts(series.EditionNotOpen, editionId=edition_id):
        series.mintDrawn(edition_id, learners[0], 1, sender=minter)
    assert series.edition(edition_id).issued == 0


def test_mint_drawn_batch_returns_mask(series, minter, create_edition, learners, token_id):
    edition_id = create_edition(cap=10)
    series.reserveSerials(edition_id, 6, sender=minter)
    series.mintDrawn(edition_id, learners[1], 1, sender=minter)
    batch = [learners[0], learners[1], learners[2]]

    assert series.mintDrawnBatch.call(edition_id, batch, [2, 3, 4], sender=minter) == 0b101
    receipt = series.mintDrawnBatch(edition_id, batch, [2, 3, 4], sender=minter)

    minted = [event.tokenId for event in receipt.events.filter(series.Transfer)]
    assert minted == [token_id(edition_id, learners[0]), token_id(edition_id, learners[2])]
    assert series.edition(edition_id).issued == 3


def test_mint_drawn_batch_rejects_bad_lengths(series, minter, create_edition, learners):
    edition_id = create_edition(cap=300)
    series.reserveSerials(edition_id, 300, sender=minter)
    with ape.reverts(series.BatchInvalidLength, holders=2, serials=1):
        series.mintDrawnBatch(edition_id, learners[:2], [1], sender=minter)
    with ape.reverts(series.BatchEmpty):
        series.mintDrawnBatch(edition_id, [], [], sender=minter)
    many = holders(257)
    with ape.reverts(series.BatchInvalidLength, holders=257, serials=257):
        series.mintDrawnBatch(edition_id, many, list(range(1, 258)), sender=minter)
    assert series.edition(edition_id).issued == 0


def test_mint_drawn_batch_stops_at_reserved(series, minter, create_edition):
    edition_id = create_edition(cap=10)
    series.reserveSerials(edition_id, 2, sender=minter)
    with ape.reverts(series.EditionCapExceeded, editionId=edition_id, cap=10, allocated=2, requested=3):
        series.mintDrawnBatch(edition_id, holders(3), [1, 2, 3], sender=minter)
    assert series.edition(edition_id).issued == 0
