"""The winner permutation: bijection, inverse, winner counts, scalar against vectorised.

`reference_permute` below is a plain reimplementation of the construction, written from the
specification with eth_abi and eth_utils instead of the SDK's hashing, so that the SDK is compared
with something it does not share code with.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from merit.errors import DrawParameterError
from merit.permutation import (
    MAX_POOL_SIZE,
    FeistelPermutation,
    is_winner,
    permutation_key,
    permute,
    ranks,
    round_keys,
    unpermute,
    winners,
)

MASK64 = (1 << 64) - 1
SEED = 0x5EED0F7D4A7


def reference_mix64(z: int) -> int:
    z ^= z >> 30
    z = (z * 0xBF58476D1CE4E5B9) & MASK64
    z ^= z >> 27
    z = (z * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def reference_permute(seed: int, pool: int, n: int, x: int, inverse: bool = False) -> int:
    """P(x), or P^-1(x) if `inverse`, computed step by step from the specification."""
    key = int.from_bytes(keccak(encode(["uint256"], [seed])), "big") & ((1 << 128) - 1)
    keys = [
        int.from_bytes(keccak(encode(["uint256", "uint256", "uint256"], [key, pool, r])), "big")
        & MASK64
        for r in range(6)
    ]
    bits = max(2, (n - 1).bit_length())
    low = bits // 2
    low_mask = (1 << low) - 1
    high_size = -(-n // (1 << low))  # ceil(n / 2^low)

    def encrypt(value: int) -> int:
        left, right = divmod(value, 1 << low)
        for r in range(6):
            if r % 2 == 0:
                left = (left + reference_mix64(right ^ keys[r])) % high_size
            else:
                right ^= reference_mix64(left ^ keys[r]) & low_mask
        return left * (1 << low) + right

    def decrypt(value: int) -> int:
        left, right = divmod(value, 1 << low)
        for r in reversed(range(6)):
            if r % 2 == 0:
                left = (left - reference_mix64(right ^ keys[r])) % high_size
            else:
                right ^= reference_mix64(left ^ keys[r]) & low_mask
        return left * (1 << low) + right

    step = decrypt if inverse else encrypt
    result = step(x)
    while result >= n:
        result = step(result)
    return result


# Computed with reference_permute when the construction was fixed. They catch a change that
# alters the SDK and the reference alike, such as a different ABI encoding of the keys.
PINNED = [
    # (seed, pool, n, x, P(x), P^-1(x))
    (0, 0, 1, 0, 0, 0),
    (1, 0, 2, 1, 1, 1),
    (2**256 - 1, 7, 300, 123, 66, 164),
    (0xDEADBEEF, 1, 1_000_000, 999_999, 939329, 145160),
    (12345678901234567890, 0, 2**32 - 1, 2**32 - 2, 392076145, 192641932),
    (42, 3, 5, 4, 3, 3),
    (2**255, 2, 65537, 65536, 58179, 15153),
]


@pytest.mark.parametrize(("seed", "pool", "n", "x", "forward", "backward"), PINNED)
def test_pinned_values(seed: int, pool: int, n: int, x: int, forward: int, backward: int) -> None:
    assert reference_permute(seed, pool, n, x) == forward
    assert reference_permute(seed, pool, n, x, inverse=True) == backward
    assert permute(seed, pool, n, x) == forward
    assert unpermute(seed, pool, n, x) == backward


def test_keys_match_reference() -> None:
    key = int.from_bytes(keccak(encode(["uint256"], [SEED])), "big") & ((1 << 128) - 1)

    assert permutation_key(SEED) == key
    assert round_keys(SEED, 3) == tuple(
        int.from_bytes(keccak(encode(["uint256"] * 3, [key, 3, r])), "big") & MASK64
        for r in range(6)
    )


@pytest.mark.parametrize(
    ("n", "low_bits", "high_size"),
    [
        (1, 1, 1),
        (2, 1, 1),
        (3, 1, 2),
        (5, 1, 3),
        (16, 2, 4),
        (17, 2, 5),
        (100, 3, 13),
        (10_000, 7, 79),
        (2**31, 15, 2**16),
        (MAX_POOL_SIZE, 16, 2**16),
    ],
)
def test_domain_split(n: int, low_bits: int, high_size: int) -> None:
    permutation = FeistelPermutation(SEED, 0, n)

    assert permutation.low_bits == low_bits
    assert permutation.high_size == high_size
    assert n <= high_size << low_bits < n + (1 << low_bits)


def test_bijection_exhaustive_small_pools() -> None:
    for n in range(1, 301):
        permutation = FeistelPermutation(SEED, n % 8, n)
        forward = [permutation.permute(i) for i in range(n)]

        assert sorted(forward) == list(range(n)), f"N={n} is not a permutation"
        assert [permutation.unpermute(r) for r in forward] == list(range(n)), f"N={n} inverse"
        assert permutation.ranks().tolist() == forward, f"N={n} vectorised ranks"
        assert permutation.unpermute_array(np.arange(n)).tolist() == [
            permutation.unpermute(r) for r in range(n)
        ], f"N={n} vectorised inverse"


def test_small_pools_match_reference() -> None:
    for n in (1, 2, 3, 4, 5, 17, 64, 65, 255, 300):
        permutation = FeistelPermutation(SEED, 1, n)
        assert [permutation.permute(i) for i in range(n)] == [
            reference_permute(SEED, 1, n, i) for i in range(n)
        ], f"N={n}"


@pytest.mark.parametrize("n", [2**20, 2**20 + 1, 999_983, 1_000_000])
def test_bijection_full_large_pool(n: int) -> None:
    permutation = FeistelPermutation(SEED, 0, n)

    forward = permutation.ranks()

    assert forward.dtype == np.uint64
    assert np.array_equal(np.sort(forward), np.arange(n, dtype=np.uint64))
    assert np.array_equal(permutation.unpermute_array(forward), np.arange(n, dtype=np.uint64))


@pytest.mark.parametrize("n", [2**31, 2**31 + 12345, MAX_POOL_SIZE])
def test_sampled_huge_pool(n: int) -> None:
    rng = random.Random(n)
    sample = sorted({rng.randrange(n) for _ in range(3000)} | {0, n - 1})
    permutation = FeistelPermutation(SEED, 5, n)

    forward = permutation.permute_array(np.array(sample, dtype=np.uint64))

    assert int(forward.max()) < n
    assert len(set(forward.tolist())) == len(sample)
    assert permutation.unpermute_array(forward).tolist() == sample
    for index in sample[:20]:
        assert permutation.permute(index) == reference_permute(SEED, 5, n, index)


@pytest.mark.fuzz
@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**256 - 1),
    pool=st.integers(0, 7),
    n=st.integers(1, MAX_POOL_SIZE),
    data=st.data(),
)
def test_scalar_matches_vectorised_and_reference(
    seed: int, pool: int, n: int, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, n - 1))
    permutation = FeistelPermutation(seed, pool, n)

    rank = permutation.permute(index)

    assert rank == reference_permute(seed, pool, n, index)
    assert permutation.unpermute(rank) == index
    assert permutation.permute_array(np.array([index], dtype=np.uint64)).tolist() == [rank]
    assert permutation.unpermute_array(np.array([rank], dtype=np.uint64)).tolist() == [index]


# -- winners ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "k"), [(1, 0), (1, 1), (1, 5), (10, 3), (300, 299), (300, 300), (300, 1000), (4097, 1234)]
)
def test_winners_count_and_ranks(n: int, k: int) -> None:
    chosen = winners(SEED, 2, n, k)
    all_ranks = ranks(SEED, 2, n)

    assert len(chosen) == min(k, n)
    assert len(set(chosen.tolist())) == len(chosen)
    assert all_ranks[chosen].tolist() == list(range(min(k, n)))
    assert int(np.count_nonzero(all_ranks < k)) == min(k, n)


def test_is_winner_agrees_with_winners() -> None:
    n, k = 500, 120
    chosen = set(winners(SEED, 0, n, k).tolist())

    for index in range(n):
        won, rank = is_winner(SEED, 0, n, k, index)
        assert won == (index in chosen), f"index {index}"
        assert rank == permute(SEED, 0, n, index)


def test_winners_of_million_pool() -> None:
    n = 1_000_000
    for k in (1, 300_000, n):
        chosen = winners(SEED, 1, n, k)
        assert len(chosen) == k
        assert len(np.unique(chosen)) == k


def test_pools_and_seeds_give_different_orders() -> None:
    base = ranks(SEED, 0, 1000)

    assert not np.array_equal(base, ranks(SEED, 1, 1000))
    assert not np.array_equal(base, ranks(SEED + 1, 0, 1000))


def test_ranks_of_selected_indices() -> None:
    assert ranks(SEED, 4, 77, [5, 0, 76]).tolist() == [permute(SEED, 4, 77, i) for i in (5, 0, 76)]


# -- invalid parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: FeistelPermutation(SEED, 0, 0), "Pool size 0 is out of range"),
        (lambda: FeistelPermutation(SEED, 0, 2**32), "out of range"),
        (lambda: FeistelPermutation(-1, 0, 10), "seed -1 is not a uint256"),
        (lambda: FeistelPermutation(SEED, -1, 10), "pool -1 is not a uint256"),
        (lambda: permute(SEED, 0, 10, 10), "Index 10 is out of range"),
        (lambda: unpermute(SEED, 0, 10, -1), "Rank -1 is out of range"),
        (lambda: winners(SEED, 0, 10, -1), "Winner count -1 is negative"),
        (lambda: ranks(SEED, 0, 10, [3, 11]), "must lie in \\[0, 10\\)"),
        (
            lambda: FeistelPermutation(SEED, 0, 10).permute_array(np.array([0.5])),
            "must be integers",
        ),
    ],
    ids=[
        "empty pool",
        "pool too large",
        "negative seed",
        "negative pool",
        "index",
        "rank",
        "k",
        "array",
        "float array",
    ],
)
def test_invalid_parameters_are_rejected(call: object, fragment: str) -> None:
    assert callable(call)
    with pytest.raises(DrawParameterError, match=fragment):
        call()
