"""Committing a round: the manifest, the serial reservation, every rejected manifest, the
randomness-source allow-list and the roles that guard them."""

from __future__ import annotations

import ape
import pytest
from draw_support import (
    ALGORITHM_FEISTEL,
    DAY,
    DRAW_ADMIN_DELAY,
    HOUR,
    ZERO_ADDRESS,
    ZERO_BYTES32,
    RoundState,
    commitment_of,
    entrants_sha256,
    make_pool,
    round_manifest,
)

pytestmark = pytest.mark.chain

MAX_POOLS = 8


@pytest.fixture
def pools():
    """Three channels of different sizes."""
    return (make_pool(30, 2, "school"), make_pool(20, 3, "museum"), make_pool(10, 4, "online"))


@pytest.fixture
def edition(create_edition):
    """An edition with room for 20 badges; returns its id, which is also the round id."""
    return create_edition(cap=20)


@pytest.fixture
def close_time(chain) -> int:
    return chain.pending_timestamp + HOUR


def test_commit_stores_manifest(draw, series, issuer, vrf_source, pools, edition, close_time):
    manifest = round_manifest(pools, vrf_source, close_time, uri="ipfs://entrants-xiazhi")

    receipt = draw.commitRound(edition, manifest, sender=issuer)

    committed = receipt.events.filter(draw.RoundCommitted)
    assert len(committed) == 1
    event = committed[0]
    assert event.roundId == edition
    assert event.closeTime == close_time
    assert event.algorithm == ALGORITHM_FEISTEL
    assert event.entrantsSha256 == entrants_sha256(pools)
    assert event.entrantsURI == "ipfs://entrants-xiazhi"
    assert event.randomnessSource == vrf_source.address
    assert event.commitment == ZERO_BYTES32
    assert event.poolCount == 3
    assert event.firstSerial == 1
    assert event.winners == 9

    stored = draw.getRound(edition)
    assert stored.state == RoundState.COMMITTED
    assert stored.closeTime == close_time
    assert stored.algorithm == ALGORITHM_FEISTEL
    assert stored.poolCount == 3
    assert stored.firstSerial == 1
    assert stored.winners == 9
    assert stored.entrantsSha256 == entrants_sha256(pools)
    assert stored.entrantsURI == "ipfs://entrants-xiazhi"
    assert stored.randomnessSource == vrf_source.address
    assert stored.attempts == 0
    assert list(stored.requestIds) == [0, 0]
    assert stored.permutationKey == 0
    assert draw.roundState(edition) == RoundState.COMMITTED


def test_commit_reserves_serials_on_series(draw, series, issuer, vrf_source, pools, edition, close_time):
    receipt = draw.commitRound(edition, round_manifest(pools, vrf_source, close_time), sender=issuer)

    reserved = receipt.events.filter(series.SerialsReserved)
    assert len(reserved) == 1
    assert reserved[0].editionId == edition
    assert reserved[0].minter == draw.address
    assert reserved[0].firstSerial == 1
    assert reserved[0].count == 9
    assert series.edition(edition).allocated == 9


def test_commit_gives_pools_consecutive_serials(draw, series, issuer, learners, vrf_source, pools, edition, close_time):
    # One direct issue first, so the round's block starts at serial 2.
    series.issue(edition, learners[0], sender=issuer)

    receipt = draw.commitRound(edition, round_manifest(pools, vrf_source, close_time), sender=issuer)

    events = receipt.events.filter(draw.PoolCommitted)
    assert [event.pool for event in events] == [0, 1, 2]
    assert [event.firstSerial for event in events] == [2, 4, 7]
    for pool_number, pool in enumerate(pools):
        assert events[pool_number].root == pool.tree.root
        assert events[pool_number].entrants == pool.entrants
        assert events[pool_number].winners == pool.winners
        stored = draw.getPool(edition, pool_number)
        assert stored.root == pool.tree.root
        assert stored.entrants == pool.entrants
        assert stored.winners == pool.winners
        assert stored.firstSerial == events[pool_number].firstSerial


def test_commit_accepts_eight_pools(draw, issuer, vrf_source, edition, close_time):
    pools = tuple(make_pool(3, 1, f"channel-{number}") for number in range(MAX_POOLS))

    draw.commitRound(edition, round_manifest(pools, vrf_source, close_time), sender=issuer)

    assert draw.getRound(edition).poolCount == MAX_POOLS


def test_commit_accepts_commitment_for_commit_reveal(draw, issuer, commit_reveal_source, chain, pools, edition, close_time):
    commitment = commitment_of(chain.chain_id, draw.address, edition, b"\x07" * 32)

    draw.commitRound(edition, round_manifest(pools, commit_reveal_source, close_time, commitment), sender=issuer)

    assert draw.getRound(edition).commitment == commitment


def test_commit_rejects_existing_round(draw, issuer, vrf_source, pools, edition, close_time):
    manifest = round_manifest(pools, vrf_source, close_time)
    draw.commitRound(edition, manifest, sender=issuer)

    with ape.reverts(draw.DrawRoundExists, roundId=edition):
        draw.commitRound(edition, manifest, sender=issuer)


@pytest.mark.parametrize("pool_count", [0, MAX_POOLS + 1])
def test_commit_rejects_pool_count(draw, issuer, vrf_source, edition, close_time, pool_count):
    pools = tuple(make_pool(2, 1, f"channel-{number}") for number in range(pool_count))

    with ape.reverts(draw.DrawInvalidPoolCount, poolCount=pool_count, maxPools=MAX_POOLS):
        draw.commitRound(edition, round_manifest(pools, vrf_source, close_time), sender=issuer)


def test_commit_rejects_zero_root(draw, issuer, vrf_source, pools, edition, close_time):
    manifest = list(round_manifest(pools, vrf_source, close_time))
    manifest[6][1] = (ZERO_BYTES32, pools[1].entrants, pools[1].winners)

    with ape.reverts(draw.DrawZeroRoot, pool=1):
        draw.commitRound(edition, tuple(manifest), sender=issuer)


def test_commit_rejects_zero_entrants(draw, issuer, vrf_source, pools, edition, close_time):
    manifest = list(round_manifest(pools, vrf_source, close_time))
    manifest[6][2] = (pools[2].tree.root, 0, 0)

    with ape.reverts(draw.DrawInvalidEntrantCount, pool=2, entrants=0):
        draw.commitRound(edition, tuple(manifest), sender=issuer)


@pytest.mark.parametrize("winners", [0, 31])
def test_commit_rejects_winner_count(draw, issuer, vrf_source, pools, edition, close_time, winners):
    manifest = list(round_manifest(pools, vrf_source, close_time))
    manifest[6][0] = (pools[0].tree.root, 30, winners)

    with ape.reverts(draw.DrawInvalidWinnerCount, pool=0, winners=winners, entrants=30):
        draw.commitRound(edition, tuple(manifest), sender=issuer)


@pytest.mark.parametrize("algorithm", [0, 2])
def test_commit_rejects_unknown_algorithm(draw, issuer, vrf_source, pools, edition, close_time, algorithm):
    manifest = round_manifest(pools, vrf_source, close_time, algorithm=algorithm)

    with ape.reverts(draw.DrawUnknownAlgorithm, algorithm=algorithm):
        draw.commitRound(edition, manifest, sender=issuer)


def test_commit_rejects_missing_file_hash(draw, issuer, vrf_source, pools, edition, close_time):
    manifest = round_manifest(pools, vrf_source, close_time, sha256=ZERO_BYTES32)

    with ape.reverts(draw.DrawMissingEntrantsFile, entrantsSha256=ZERO_BYTES32):
        draw.commitRound(edition, manifest, sender=issuer)


def test_commit_rejects_missing_file_uri(draw, issuer, vrf_source, pools, edition, close_time):
    manifest = round_manifest(pools, vrf_source, close_time, uri="")

    with ape.reverts(draw.DrawMissingEntrantsFile, uriLength=0):
        draw.commitRound(edition, manifest, sender=issuer)


def test_commit_rejects_unlisted_source(draw, issuer, stranger, pools, edition, close_time):
    with ape.reverts(draw.DrawSourceNotAllowed, source=stranger.address):
        draw.commitRound(edition, round_manifest(pools, stranger, close_time), sender=issuer)


def test_commit_rejects_disallowed_source(draw, admin, issuer, vrf_source, pools, edition, close_time):
    draw.disallowRandomnessSource(vrf_source, sender=admin)

    with ape.reverts(draw.DrawSourceNotAllowed, source=vrf_source.address):
        draw.commitRound(edition, round_manifest(pools, vrf_source, close_time), sender=issuer)


def test_commit_rejects_missing_commitment(draw, issuer, commit_reveal_source, pools, edition, close_time):
    with ape.reverts(draw.DrawMissingCommitment, source=commit_reveal_source.address):
        draw.commitRound(edition, round_manifest(pools, commit_reveal_source, close_time), sender=issuer)


def test_commit_rejects_commitment_for_vrf(draw, issuer, vrf_source, pools, edition, close_time):
    commitment = b"\x01" * 32

    with ape.reverts(draw.DrawUnexpectedCommitment, source=vrf_source.address, commitment=commitment):
        draw.commitRound(edition, round_manifest(pools, vrf_source, close_time, commitment), sender=issuer)


def test_commit_rejects_close_after_edition(draw, series, issuer, vrf_source, pools, edition):
    closes_at = series.edition(edition).closesAt
    manifest = round_manifest(pools, vrf_source, closes_at + 1)

    with ape.reverts(draw.DrawCloseAfterEdition, roundId=edition, closeTime=closes_at + 1, editionClosesAt=closes_at):
        draw.commitRound(edition, manifest, sender=issuer)


def test_commit_rejects_winners_above_supply(draw, series, issuer, vrf_source, create_edition, pools, close_time):
    edition = create_edition(cap=8)

    with ape.reverts(series.EditionCapExceeded, editionId=edition, cap=8, allocated=0, requested=9):
        draw.commitRound(edition, round_manifest(pools, vrf_source, close_time), sender=issuer)
    assert draw.roundState(edition) == RoundState.NONE


def test_commit_rejects_unknown_edition(draw, series, issuer, vrf_source, pools, close_time):
    with ape.reverts(series.EditionUnknown, editionId=3, editionCount=0):
        draw.commitRound(3, round_manifest(pools, vrf_source, close_time), sender=issuer)


def test_commit_requires_issuer_role(draw, admin, stranger, vrf_source, pools, edition, close_time):
    manifest = round_manifest(pools, vrf_source, close_time)
    for account in (admin, stranger):
        with ape.reverts(draw.AccessControlUnauthorizedAccount, account=account.address, neededRole=draw.ISSUER_ROLE()):
            draw.commitRound(edition, manifest, sender=account)


def test_allow_source_emits_and_lists(project, draw, admin):
    source = project.CommitRevealSource.deploy(draw, sender=admin)
    assert draw.isRandomnessSourceAllowed(source) is False

    receipt = draw.allowRandomnessSource(source, sender=admin)

    assert receipt.events.filter(draw.RandomnessSourceAllowed)[0].source == source.address
    assert draw.isRandomnessSourceAllowed(source) is True


def test_disallow_source_emits_and_unlists(draw, admin, vrf_source):
    receipt = draw.disallowRandomnessSource(vrf_source, sender=admin)

    assert receipt.events.filter(draw.RandomnessSourceDisallowed)[0].source == vrf_source.address
    assert draw.isRandomnessSourceAllowed(vrf_source) is False


def test_allow_source_rejects_other_draw(project, draw, series, admin):
    other_draw = project.BadgeDraw.deploy(series, admin, DRAW_ADMIN_DELAY, sender=admin)
    source = project.CommitRevealSource.deploy(other_draw, sender=admin)

    with ape.reverts(draw.DrawSourceNotBound, source=source.address, boundDraw=other_draw.address):
        draw.allowRandomnessSource(source, sender=admin)


def test_disallowed_source_keeps_committed_round(draw, admin, issuer, vrf_source, pools, edition, close_time, chain):
    draw.commitRound(edition, round_manifest(pools, vrf_source, close_time), sender=issuer)
    draw.disallowRandomnessSource(vrf_source, sender=admin)
    chain.pending_timestamp = close_time

    receipt = draw.requestRandomness(edition, sender=issuer)

    assert receipt.events.filter(draw.RandomnessRequested)[0].source == vrf_source.address


@pytest.mark.parametrize("function", ["allowRandomnessSource", "disallowRandomnessSource", "acceptSourceOwnership"])
def test_source_management_requires_admin(draw, issuer, stranger, vrf_source, function):
    for account in (issuer, stranger):
        with ape.reverts(draw.AccessControlUnauthorizedAccount, account=account.address, neededRole=ZERO_BYTES32):
            getattr(draw, function)(vrf_source, sender=account)


def test_draw_rejects_series_without_code(project, admin, stranger):
    with ape.reverts(project.BadgeDraw.DrawInvalidSeries, series=stranger.address):
        project.BadgeDraw.deploy(stranger, admin, DRAW_ADMIN_DELAY, sender=admin)


def test_draw_admin_handover_is_delayed(draw, admin, stranger, chain):
    assert draw.defaultAdmin() == admin.address
    assert draw.defaultAdminDelay() == DRAW_ADMIN_DELAY

    draw.beginDefaultAdminTransfer(stranger, sender=admin)
    with ape.reverts(draw.AccessControlEnforcedDefaultAdminDelay):
        draw.acceptDefaultAdminTransfer(sender=stranger)

    chain.pending_timestamp += DRAW_ADMIN_DELAY + 1
    draw.acceptDefaultAdminTransfer(sender=stranger)
    assert draw.defaultAdmin() == stranger.address
    assert draw.hasRole(ZERO_BYTES32, admin) is False


def test_draw_reports_series(draw, series):
    assert draw.series() == series.address
    assert draw.MAX_POOLS() == MAX_POOLS
    assert draw.ALGORITHM_FEISTEL() == ALGORITHM_FEISTEL


def test_round_views_of_unknown_round(draw):
    assert draw.roundState(7) == RoundState.NONE
    with ape.reverts(draw.DrawPoolUnknown, roundId=7, pool=0, poolCount=0):
        draw.getPool(7, 0)


def test_unknown_round_rejects_request(draw, stranger):
    with ape.reverts(draw.DrawRoundNotRequestable, roundId=7, state=RoundState.NONE):
        draw.requestRandomness(7, sender=stranger)


def test_round_cannot_request_before_close(draw, stranger, issuer, vrf_source, pools, edition, chain):
    close_time = chain.pending_timestamp + DAY
    draw.commitRound(edition, round_manifest(pools, vrf_source, close_time), sender=issuer)
    chain.pending_timestamp = close_time - 10

    with ape.reverts(draw.DrawRoundNotClosed, roundId=edition, closeTime=close_time, currentTime=close_time - 10):
        draw.requestRandomness(edition, sender=stranger)


def test_zero_address_is_not_a_source(draw, issuer, pools, edition, close_time):
    with ape.reverts(draw.DrawSourceNotAllowed, source=ZERO_ADDRESS):
        draw.commitRound(edition, round_manifest(pools, ZERO_ADDRESS, close_time), sender=issuer)
