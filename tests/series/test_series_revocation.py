"""Revocation burns a badge, leaves a record and blocks the holder from the edition."""

import ape
import pytest

pytestmark = pytest.mark.chain

ZERO = "0x0000000000000000000000000000000000000000"
REASON_FRAUD = 3


@pytest.fixture
def issued(series, issuer, create_edition, learners, token_id):
    """Edition id and token id of a badge held by learners[0]."""
    edition_id = create_edition(cap=10)
    series.issue(edition_id, learners[0], sender=issuer)
    return edition_id, token_id(edition_id, learners[0])


def test_revoke_burns_and_records(series, issuer, issued, learners):
    edition_id, badge = issued
    receipt = series.revoke(badge, REASON_FRAUD, sender=issuer)

    transfer = receipt.events.filter(series.Transfer)[0]
    assert (transfer["from"], transfer.to, transfer.tokenId) == (learners[0], ZERO, badge)
    revoked = receipt.events.filter(series.BadgeRevoked)[0]
    assert (revoked.tokenId, revoked.editionId, revoked.holder, revoked.reason) == (
        badge,
        edition_id,
        learners[0],
        REASON_FRAUD,
    )
    assert series.revokedEditionsOf(learners[0]) == 1 << edition_id
    assert series.balanceOf(learners[0]) == 0
    assert series.holds(edition_id, learners[0]) is False
    stored = series.edition(edition_id)
    assert (stored.issued, stored.revoked) == (1, 1)
    with ape.reverts(series.BadgeNonexistent, tokenId=badge):
        series.ownerOf(badge)


def test_revoked_holder_cannot_receive_again(series, issuer, minter, issued, learners):
    edition_id, badge = issued
    series.revoke(badge, REASON_FRAUD, sender=issuer)

    with ape.reverts(series.BadgeHolderRevoked, editionId=edition_id, holder=learners[0]):
        series.issue(edition_id, learners[0], sender=issuer)
    series.reserveSerials(edition_id, 1, sender=minter)
    assert series.mintDrawn.call(edition_id, learners[0], 2, sender=minter) is False
    assert series.balanceOf(learners[0]) == 0


def test_revoke_twice_rejected(series, issuer, issued):
    _, badge = issued
    series.revoke(badge, REASON_FRAUD, sender=issuer)
    with ape.reverts(series.BadgeNonexistent, tokenId=badge):
        series.revoke(badge, REASON_FRAUD, sender=issuer)
    assert series.edition(0).revoked == 1


def test_revoke_missing_badge_rejected(series, issuer, issued, stranger, token_id):
    edition_id, _ = issued
    missing = token_id(edition_id, stranger)
    with ape.reverts(series.BadgeNonexistent, tokenId=missing):
        series.revoke(missing, REASON_FRAUD, sender=issuer)


def test_revoke_keeps_other_editions(series, issuer, issued, create_edition, learners, token_id):
    edition_id, badge = issued
    other = create_edition()
    series.issue(other, learners[0], sender=issuer)

    series.revoke(badge, REASON_FRAUD, sender=issuer)

    assert series.balanceOf(learners[0]) == 1
    assert series.ownerOf(token_id(other, learners[0])) == learners[0]
