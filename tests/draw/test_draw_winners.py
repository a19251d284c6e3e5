"""The winner permutation through the draw's views: bijection, inverse, exactly K winners, parity
with the SDK's independent implementation, and the views' rejections."""

from __future__ import annotations

import random

import ape
import pytest
from draw_support import RoundState, make_pool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from merit import permutation

pytestmark = pytest.mark.chain

MAX_DOMAIN = 2**32
SEEDS = [0, 1, 2**256 - 1, int.from_bytes(b"merit".ljust(32, b"\x5a"), "big")]


@pytest.mark.parametrize("entrants", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 64, 100])
def test_permute_is_bijection(draw, entrants):
    seed, pool = SEEDS[3], entrants % 8

    ranks = [draw.permute(seed, pool, entrants, index) for index in range(entrants)]

    assert sorted(ranks) == list(range(entrants))
    for index, rank in enumerate(ranks):
        assert draw.unpermute(seed, pool, entrants, rank) == index


@pytest.mark.parametrize("entrants", [1000, 2**20 - 1, 2**20, 1_000_000, 123_456_789, MAX_DOMAIN - 1])
def test_permute_inverse_sampled(draw, entrants):
    rng = random.Random(entrants)
    seed = rng.getrandbits(256)
    indices = {0, entrants - 1, *(rng.randrange(entrants) for _ in range(12))}

    for index in sorted(indices):
        rank = draw.permute(seed, 3, entrants, index)
        assert 0 <= rank < entrants
        assert draw.unpermute(seed, 3, entrants, rank) == index


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("entrants", [1, 6, 1000, 1_000_000, MAX_DOMAIN - 1])
def test_permute_matches_sdk(draw, seed, entrants):
    rng = random.Random(seed ^ entrants)
    for pool in (0, 7):
        for index in {0, entrants - 1, rng.randrange(entrants)}:
            assert draw.permute(seed, pool, entrants, index) == permutation.permute(seed, pool, entrants, index)
            assert draw.unpermute(seed, pool, entrants, index) == permutation.unpermute(seed, pool, entrants, index)


@pytest.mark.fuzz
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(min_value=0, max_value=2**256 - 1),
    pool=st.integers(min_value=0, max_value=7),
    entrants=st.integers(min_value=1, max_value=MAX_DOMAIN - 1),
    data=st.data(),
)
def test_permute_matches_sdk_fuzzed(draw, seed, pool, entrants, data):
    index = data.draw(st.integers(min_value=0, max_value=entrants - 1))

    rank = draw.permute(seed, pool, entrants, index)

    assert rank == permutation.permute(seed, pool, entrants, index)
    assert draw.unpermute(seed, pool, entrants, rank) == index


@pytest.mark.parametrize("entrants", [0, MAX_DOMAIN, 2**256 - 1])
def test_permute_rejects_domain(draw, entrants):
    with ape.reverts(draw.FeistelShuffleInvalidDomain, n=entrants):
        draw.permute(1, 0, entrants, 0)
    with ape.reverts(draw.FeistelShuffleInvalidDomain, n=entrants):
        draw.unpermute(1, 0, entrants, 0)


def test_permute_rejects_value_outside_domain(draw):
    with ape.reverts(draw.FeistelShuffleOutOfDomain, value=10, n=10):
        draw.permute(1, 0, 10, 10)
    with ape.reverts(draw.FeistelShuffleOutOfDomain, value=11, n=10):
        draw.unpermute(1, 0, 10, 11)


@pytest.fixture
def views_round(commit_round, seed_with_vrf):
    """Pools where K < N, K = N and N = 1; returns (round, seed)."""
    pools = (make_pool(50, 7, "views-a"), make_pool(13, 13, "views-b"), make_pool(1, 1, "views-c"))
    round_ = commit_round(pools)
    return round_, seed_with_vrf(round_)


def test_exactly_k_entrants_win(draw, views_round):
    round_, seed = views_round
    for pool_number, pool in enumerate(round_.pools):
        results = [draw.isWinner(round_.round_id, pool_number, index) for index in range(pool.entrants)]
        winners = [index for index, (won, _) in enumerate(results) if won]

        assert len(winners) == min(pool.winners, pool.entrants)
        assert sorted(rank for _, rank in results) == list(range(pool.entrants))
        for index, (won, rank) in enumerate(results):
            assert won == (rank < pool.winners)
            assert (won, rank) == permutation.is_winner(seed, pool_number, pool.entrants, pool.winners, index)


def test_nth_winner_inverts_is_winner(draw, views_round):
    round_, seed = views_round
    pool_first = round_.first_serial
    for pool_number, pool in enumerate(round_.pools):
        listed = [draw.nthWinner(round_.round_id, pool_number, rank) for rank in range(pool.winners)]

        assert listed == [int(index) for index in permutation.winners(seed, pool_number, pool.entrants, pool.winners)]
        for rank, index in enumerate(listed):
            assert draw.isWinner(round_.round_id, pool_number, index) == (True, rank)
            assert draw.serialOf(round_.round_id, pool_number, index) == pool_first + rank
        pool_first += pool.winners


def test_views_reject_bad_positions(draw, views_round):
    round_, _ = views_round
    round_id = round_.round_id
    with ape.reverts(draw.DrawIndexOutOfRange, roundId=round_id, pool=0, index=50, entrants=50):
        draw.isWinner(round_id, 0, 50)
    with ape.reverts(draw.DrawIndexOutOfRange, roundId=round_id, pool=1, index=13, entrants=13):
        draw.serialOf(round_id, 1, 13)
    with ape.reverts(draw.DrawRankOutOfRange, roundId=round_id, pool=0, rank=7, winners=7):
        draw.nthWinner(round_id, 0, 7)
    with ape.reverts(draw.DrawPoolUnknown, roundId=round_id, pool=3, poolCount=3):
        draw.isWinner(round_id, 3, 0)
    with ape.reverts(draw.DrawPoolUnknown, roundId=round_id, pool=3, poolCount=3):
        draw.nthWinner(round_id, 3, 0)


def test_serial_of_rejects_loser(draw, views_round, loser_of):
    round_, _ = views_round
    index = loser_of(round_, 0)
    _, rank = draw.isWinner(round_.round_id, 0, index)

    with ape.reverts(draw.DrawNotWinner, roundId=round_.round_id, pool=0, index=index, rank=rank, winners=7):
        draw.serialOf(round_.round_id, 0, index)


def test_views_reject_unseeded_round(draw, commit_round):
    round_ = commit_round((make_pool(4, 2, "views-unseeded"),))

    with ape.reverts(draw.DrawRoundNotSeeded, roundId=round_.round_id, state=RoundState.COMMITTED):
        draw.isWinner(round_.round_id, 0, 0)
    with ape.reverts(draw.DrawRoundNotSeeded, roundId=round_.round_id, state=RoundState.COMMITTED):
        draw.nthWinner(round_.round_id, 0, 0)
    with ape.reverts(draw.DrawRoundNotSeeded, roundId=round_.round_id, state=RoundState.COMMITTED):
        draw.serialOf(round_.round_id, 0, 0)


def test_pools_draw_independently(draw, views_round):
    # The same seed gives different permutations to different pool numbers.
    _, seed = views_round
    ranks = {pool: [draw.permute(seed, pool, 64, index) for index in range(8)] for pool in range(4)}

    assert len({tuple(values) for values in ranks.values()}) == 4
