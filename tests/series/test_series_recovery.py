"""Lost-wallet recovery: proposal, veto, cancellation, delay and the move itself."""

import ape
import pytest

pytestmark = pytest.mark.chain

ZERO = "0x0000000000000000000000000000000000000000"
RECOVERY_DELAY = 2 * 24 * 3600


@pytest.fixture
def lost(learners):
    """The wallet whose key the learner lost."""
    return learners[0]


@pytest.fixture
def fresh(learners):
    """The learner's new wallet."""
    return learners[1]


@pytest.fixture
def holding(series, issuer, create_edition, lost):
    """Three editions, all issued to the lost wallet; returns their ids."""
    editions = [create_edition(cap=10) for _ in range(3)]
    for edition_id in editions:
        series.issue(edition_id, lost, sender=issuer)
    return editions


def wait_out_delay(chain) -> None:
    chain.pending_timestamp += RECOVERY_DELAY


def test_propose_records_pending(series, recoverer, lost, fresh, chain):
    now = chain.pending_timestamp
    receipt = series.proposeRecovery(lost, fresh, sender=recoverer)

    event = receipt.events.filter(series.RecoveryProposed)[0]
    assert (event.holder, event.successor) == (lost, fresh)
    assert event.executableAt == receipt.timestamp + RECOVERY_DELAY
    successor, executable_at = series.pendingRecovery(lost)
    assert successor == fresh
    assert executable_at >= now + RECOVERY_DELAY


def test_execute_moves_every_badge(series, recoverer, holding, lost, fresh, stranger, chain, token_id):
    series.proposeRecovery(lost, fresh, sender=recoverer)
    wait_out_delay(chain)

    receipt = series.executeRecovery(lost, sender=stranger)

    links = [(event.oldTokenId, event.newTokenId) for event in receipt.events.filter(series.BadgeRecovered)]
    assert links == [(token_id(e, lost), token_id(e, fresh)) for e in holding]
    transfers = [(t["from"], t.to, t.tokenId) for t in receipt.events.filter(series.Transfer)]
    for edition_id in holding:
        assert (lost, ZERO, token_id(edition_id, lost)) in transfers
        assert (ZERO, fresh, token_id(edition_id, fresh)) in transfers
    assert [event.tokenId for event in receipt.events.filter(series.Locked)] == [token_id(e, fresh) for e in holding]
    moved = receipt.events.filter(series.HolderRecovered)[0]
    assert moved.editionMask == 0b111

    assert series.balanceOf(lost) == 0
    assert series.balanceOf(fresh) == 3
    for edition_id in holding:
        assert series.ownerOf(token_id(edition_id, fresh)) == fresh
        with ape.reverts(series.BadgeNonexistent):
            series.ownerOf(token_id(edition_id, lost))
    assert series.successorOf(lost) == fresh
    assert series.pendingRecovery(lost)[0] == ZERO
    # Counters describe badges, not holders: a move changes none of them.
    assert all(series.edition(e).issued == 1 and series.edition(e).revoked == 0 for e in holding)


def test_execute_before_delay_rejected(series, recoverer, holding, lost, fresh, chain):
    receipt = series.proposeRecovery(lost, fresh, sender=recoverer)
    executable_at = receipt.events.filter(series.RecoveryProposed)[0].executableAt
    with ape.reverts(series.RecoveryNotReady, holder=lost, executableAt=executable_at):
        series.executeRecovery(lost, sender=recoverer)
    assert series.balanceOf(lost) == 3


def test_execute_without_proposal_rejected(series, lost):
    with ape.reverts(series.RecoveryNotPending, holder=lost):
        series.executeRecovery(lost, sender=lost)


def test_holder_vetoes(series, recoverer, holding, lost, fresh, chain):
    series.proposeRecovery(lost, fresh, sender=recoverer)
    receipt = series.vetoRecovery(sender=lost)
    event = receipt.events.filter(series.RecoveryVetoed)[0]
    assert (event.holder, event.successor) == (lost, fresh)

    wait_out_delay(chain)
    with ape.reverts(series.RecoveryNotPending, holder=lost):
        series.executeRecovery(lost, sender=recoverer)
    assert series.balanceOf(lost) == 3


def test_veto_without_proposal_rejected(series, stranger):
    with ape.reverts(series.RecoveryNotPending, holder=stranger):
        series.vetoRecovery(sender=stranger)


def test_recovery_role_cancels(series, recoverer, lost, fresh):
    series.proposeRecovery(lost, fresh, sender=recoverer)
    receipt = series.cancelRecovery(lost, sender=recoverer)
    assert receipt.events.filter(series.RecoveryCancelled)[0].successor == fresh
    assert series.pendingRecovery(lost) == (ZERO, 0)


def test_propose_twice_rejected(series, recoverer, lost, fresh, stranger):
    series.proposeRecovery(lost, fresh, sender=recoverer)
    with ape.reverts(series.RecoveryAlreadyPending, holder=lost, successor=fresh):
        series.proposeRecovery(lost, stranger, sender=recoverer)


@pytest.mark.parametrize("successor_kind", ["zero", "self"])
def test_propose_invalid_successor_rejected(series, recoverer, lost, successor_kind):
    successor = ZERO if successor_kind == "zero" else lost
    with ape.reverts(series.RecoveryInvalidSuccessor, holder=lost, successor=successor):
        series.proposeRecovery(lost, successor, sender=recoverer)


def test_retired_wallet_is_closed(series, issuer, recoverer, holding, create_edition, lost, fresh, stranger, chain):
    series.proposeRecovery(lost, fresh, sender=recoverer)
    wait_out_delay(chain)
    series.executeRecovery(lost, sender=recoverer)

    later = create_edition()
    with ape.reverts(series.BadgeHolderRetired, holder=lost, successor=fresh):
        series.issue(later, lost, sender=issuer)
    with ape.reverts(series.BadgeHolderRetired, holder=lost, successor=fresh):
        series.proposeRecovery(lost, stranger, sender=recoverer)
    with ape.reverts(series.RecoveryInvalidSuccessor, holder=stranger, successor=lost):
        series.proposeRecovery(stranger, lost, sender=recoverer)
    assert series.editionsOf(lost) == 0


def test_revocation_follows_the_person(series, issuer, recoverer, holding, lost, fresh, chain, token_id):
    revoked_edition = holding[1]
    series.revoke(token_id(revoked_edition, lost), 2, sender=issuer)
    series.proposeRecovery(lost, fresh, sender=recoverer)
    wait_out_delay(chain)

    receipt = series.executeRecovery(lost, sender=recoverer)

    assert receipt.events.filter(series.HolderRecovered)[0].editionMask == 0b101
    assert series.balanceOf(fresh) == 2
    assert series.revokedEditionsOf(fresh) == 1 << revoked_edition
    with ape.reverts(series.BadgeHolderRevoked, editionId=revoked_edition, holder=fresh):
        series.issue(revoked_edition, fresh, sender=issuer)


def test_conflicting_successor_rejected(series, issuer, recoverer, holding, lost, fresh, chain):
    series.issue(holding[2], fresh, sender=issuer)
    series.proposeRecovery(lost, fresh, sender=recoverer)
    wait_out_delay(chain)
    with ape.reverts(series.RecoveryConflict, holder=lost, successor=fresh, editionMask=1 << holding[2]):
        series.executeRecovery(lost, sender=recoverer)
    assert series.balanceOf(lost) == 3
    assert series.balanceOf(fresh) == 1


def test_successor_retired_meanwhile_rejected(series, recoverer, holding, lost, fresh, stranger, chain):
    series.proposeRecovery(lost, fresh, sender=recoverer)
    series.proposeRecovery(fresh, stranger, sender=recoverer)
    wait_out_delay(chain)
    series.executeRecovery(fresh, sender=recoverer)

    with ape.reverts(series.RecoveryInvalidSuccessor, holder=lost, successor=fresh):
        series.executeRecovery(lost, sender=recoverer)
    assert series.balanceOf(lost) == 3


def test_recovery_works_while_paused(series, recoverer, pauser, holding, lost, fresh, chain):
    series.pause(sender=pauser)
    series.proposeRecovery(lost, fresh, sender=recoverer)
    wait_out_delay(chain)
    series.executeRecovery(lost, sender=recoverer)
    assert series.balanceOf(fresh) == 3


def test_set_recovery_delay(series, admin, recoverer, lost, fresh):
    receipt = series.setRecoveryDelay(3600, sender=admin)
    event = receipt.events.filter(series.RecoveryDelayChanged)[0]
    assert (event.previousDelay, event.newDelay) == (RECOVERY_DELAY, 3600)
    assert series.recoveryDelay() == 3600

    receipt = series.proposeRecovery(lost, fresh, sender=recoverer)
    assert receipt.events.filter(series.RecoveryProposed)[0].executableAt == receipt.timestamp + 3600


@pytest.mark.parametrize("delay", [0, 3599, 90 * 24 * 3600 + 1])
def test_set_recovery_delay_out_of_range(series, admin, delay):
    with ape.reverts(series.RecoveryDelayOutOfRange, delay=delay, minDelay=3600, maxDelay=90 * 24 * 3600):
        series.setRecoveryDelay(delay, sender=admin)
    assert series.recoveryDelay() == RECOVERY_DELAY


def test_constructor_rejects_delay_out_of_range(project, admin):
    with ape.reverts(project.BadgeSeries.RecoveryDelayOutOfRange, delay=60):
        project.BadgeSeries.deploy("S", "S", "", admin, 0, 60, sender=admin)
