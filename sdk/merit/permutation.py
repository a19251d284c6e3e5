"""The winner permutation of a draw pool (algorithm id 1), scalar and vectorised.

The draw contract and this module implement the same keyed permutation P of [0, N) bit for bit.
Entrant i of pool p wins iff its rank P(i) is below the pool's winner count K, and the r-th winner
is entrant P^-1(r). The construction:

- key = low 128 bits of keccak256(abi.encode(uint256 seed)), where seed is the round's random word.
- round keys k[r] = low 64 bits of keccak256(abi.encode(uint256 key, uint256 p, uint256 r)) for
  r = 0..5, where p is the pool's 0-based number in the round.
- domain: b = max(2, bitLength(N - 1)), lo = floor(b / 2) and a = ((N - 1) >> lo) + 1, the
  smallest a with a * 2^lo >= N. The network permutes [0, a * 2^lo), which has fewer than
  N + 2^lo elements. A value x splits into a high part L = x >> lo, below a, and a low part
  R = x & lo_mask, where lo_mask = 2^lo - 1.
- round function F(r, v) = mix64(v ^ k[r]), where mix64 is the finalizer of SplitMix64
  (Sebastiano Vigna, public domain; arithmetic mod 2^64):
  z ^= z >> 30; z *= 0xbf58476d1ce4e5b9; z ^= z >> 27; z *= 0x94d049bb133111eb; z ^= z >> 31.
- encrypt(x): for r = 0..5, an even round sets L = (L + F(r, R)) mod a and an odd round sets
  R ^= F(r, L) & lo_mask; return L * 2^lo + R. decrypt runs r = 5..0, and its even rounds
  subtract: L = (L - F(r, R)) mod a.
- P(x) by cycle walking: y = encrypt(x), then y = encrypt(y) while y >= N. P^-1 walks decrypt.

Sources: the Feistel network with six rounds follows Luby and Rackoff, "How to Construct
Pseudorandom Permutations from Pseudorandom Functions", SIAM J. Computing 17(2), 1988. Each round
changes one part through a bijection (addition mod a, or XOR) keyed by the other part, so the
network is a permutation for any a. Cycle walking to restrict it to [0, N) follows Black and
Rogaway, "Ciphers with Arbitrary Finite Domains", CT-RSA 2002. A walk takes a * 2^lo / N passes on
average (1.04 for N = 100, at most 2 for any N), and it ends because the cycle of x under encrypt
contains x itself, which is below N.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from merit.errors import DrawParameterError
from merit.hashing import keccak256

__all__ = [
    "ALGORITHM_ID",
    "MAX_POOL_SIZE",
    "ROUNDS",
    "FeistelPermutation",
    "is_winner",
    "mix64",
    "permutation_key",
    "permute",
    "ranks",
    "round_keys",
    "unpermute",
    "winners",
]

ALGORITHM_ID = 1
"""Id of this construction in round manifests and on chain."""

ROUNDS = 6
"""Number of Feistel rounds."""

MAX_POOL_SIZE = 2**32 - 1
"""Largest pool size N; N < 2^32."""

_MASK64 = (1 << 64) - 1
_MASK128 = (1 << 128) - 1
_UINT256_LIMIT = 1 << 256
_MIX_MULTIPLIER_1 = 0xBF58476D1CE4E5B9
_MIX_MULTIPLIER_2 = 0x94D049BB133111EB

UIntArray = NDArray[np.uint64]


def mix64(z: int) -> int:
    """Return the SplitMix64 finalizer of a 64-bit integer."""
    z &= _MASK64
    z = ((z ^ (z >> 30)) * _MIX_MULTIPLIER_1) & _MASK64
    z = ((z ^ (z >> 27)) * _MIX_MULTIPLIER_2) & _MASK64
    return z ^ (z >> 31)


def _mix64_array(z: UIntArray) -> UIntArray:
    """Apply mix64 to every element, in place; numpy's uint64 arithmetic wraps mod 2^64."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(_MIX_MULTIPLIER_1)
    z ^= z >> np.uint64(27)
    z *= np.uint64(_MIX_MULTIPLIER_2)
    z ^= z >> np.uint64(31)
    return z


def _uint256_word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def permutation_key(seed: int) -> int:
    """Return the 128-bit permutation key: low 128 bits of keccak256(abi.encode(seed))."""
    _check_uint256("seed", seed)
    return int.from_bytes(keccak256(_uint256_word(seed)), "big") & _MASK128


def round_keys(seed: int, pool: int) -> tuple[int, ...]:
    """Return the six 64-bit round keys of a pool: low 64 bits of keccak256(key, pool, r)."""
    _check_uint256("pool", pool)
    key = _uint256_word(permutation_key(seed))
    return tuple(
        int.from_bytes(keccak256(key + _uint256_word(pool) + _uint256_word(r)), "big") & _MASK64
        for r in range(ROUNDS)
    )


def _check_uint256(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _UINT256_LIMIT:
        raise DrawParameterError(
            f"{name} {value!r} is not a uint256. Pass an integer in [0, 2**256)."
        )


class FeistelPermutation:
    """The permutation P of [0, N) for one pool of one round.

    Args:
        seed: The round's random word (uint256).
        pool: The pool's 0-based number in the round.
        n: Number of entrants N, 1 <= N < 2^32.

    Raises:
        DrawParameterError: if a parameter is out of range.
    """

    def __init__(self, seed: int, pool: int, n: int) -> None:
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_POOL_SIZE:
            raise DrawParameterError(
                f"Pool size {n!r} is out of range. A pool has 1 to {MAX_POOL_SIZE} entrants."
            )
        self.seed = seed
        self.pool = pool
        self.n = n
        self.keys = round_keys(seed, pool)

        self.bits = max(2, (n - 1).bit_length())
        self.low_bits = self.bits // 2
        self.low_mask = (1 << self.low_bits) - 1
        self.high_size = ((n - 1) >> self.low_bits) + 1
        self._array_keys = [np.uint64(key) for key in self.keys]

    def __repr__(self) -> str:
        return f"FeistelPermutation(seed={self.seed:#x}, pool={self.pool}, n={self.n})"

    # -- scalar ------------------------------------------------------------------------------

    def encrypt(self, x: int) -> int:
        """Apply the Feistel network to one value of [0, a * 2^lo)."""
        low_bits, low_mask, high_size = self.low_bits, self.low_mask, self.high_size
        left, right = x >> low_bits, x & low_mask
        for r, key in enumerate(self.keys):
            if r % 2 == 0:
                left = (left + mix64(right ^ key)) % high_size
            else:
                right ^= mix64(left ^ key) & low_mask
        return (left << low_bits) | right

    def decrypt(self, y: int) -> int:
        """Invert `encrypt` for one value of [0, a * 2^lo)."""
        low_bits, low_mask, high_size = self.low_bits, self.low_mask, self.high_size
        left, right = y >> low_bits, y & low_mask
        for r in reversed(range(ROUNDS)):
            if r % 2 == 0:
                left = (left - mix64(right ^ self.keys[r])) % high_size
            else:
                right ^= mix64(left ^ self.keys[r]) & low_mask
        return (left << low_bits) | right

    def permute(self, index: int) -> int:
        """Return P(index), the rank of entrant `index`."""
        self._check_element("index", index)
        rank = self.encrypt(index)
        while rank >= self.n:
            rank = self.encrypt(rank)
        return rank

    def unpermute(self, rank: int) -> int:
        """Return P^-1(rank), the entrant with rank `rank`."""
        self._check_element("rank", rank)
        index = self.decrypt(rank)
        while index >= self.n:
            index = self.decrypt(index)
        return index

    def _check_element(self, name: str, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < self.n:
            raise DrawParameterError(
                f"{name.capitalize()} {value!r} is out of range for a pool of {self.n} entrants. "
                f"Pass 0 to {self.n - 1}."
            )

    # -- vectorised --------------------------------------------------------------------------

    def encrypt_array(self, x: UIntArray) -> UIntArray:
        """Apply `encrypt` to every element of a uint64 array; returns a new array."""
        left, right = self._split_array(x)
        high_size = np.uint64(self.high_size)
        for r in range(ROUNDS):
            if r % 2 == 0:
                left += self._mix_array(r, right) % high_size
                left %= high_size
            else:
                right ^= self._mix_array(r, left) & np.uint64(self.low_mask)
        return self._join_array(left, right)

    def decrypt_array(self, y: UIntArray) -> UIntArray:
        """Apply `decrypt` to every element of a uint64 array; returns a new array."""
        left, right = self._split_array(y)
        high_size = np.uint64(self.high_size)
        for r in reversed(range(ROUNDS)):
            if r % 2 == 0:
                # L + a - (F mod a) stays non-negative in uint64 arithmetic, and is below 2a.
                left += high_size - self._mix_array(r, right) % high_size
                left %= high_size
            else:
                right ^= self._mix_array(r, left) & np.uint64(self.low_mask)
        return self._join_array(left, right)

    def _mix_array(self, r: int, values: UIntArray) -> UIntArray:
        """Return F(r, v) = mix64(v ^ k[r]) for every element, as a new array."""
        return _mix64_array(values ^ self._array_keys[r])

    def _split_array(self, values: UIntArray) -> tuple[UIntArray, UIntArray]:
        return values >> np.uint64(self.low_bits), values & np.uint64(self.low_mask)

    def _join_array(self, left: UIntArray, right: UIntArray) -> UIntArray:
        return (left << np.uint64(self.low_bits)) | right

    def permute_array(self, indices: ArrayLike) -> UIntArray:
        """Return P(i) for every element of `indices`, as a uint64 array."""
        values = self._as_elements("index", indices)
        return self._walk(self.encrypt_array, values)

    def unpermute_array(self, ranks: ArrayLike) -> UIntArray:
        """Return P^-1(r) for every element of `ranks`, as a uint64 array."""
        values = self._as_elements("rank", ranks)
        return self._walk(self.decrypt_array, values)

    def _walk(self, step: Callable[[UIntArray], UIntArray], values: UIntArray) -> UIntArray:
        """Apply `step` until every element is below N, re-stepping only those that are not."""
        result = step(values)
        limit = np.uint64(self.n)
        pending = np.flatnonzero(result >= limit)
        while pending.size:
            result[pending] = step(result[pending])
            pending = pending[result[pending] >= limit]
        return result

    def _as_elements(self, name: str, values: ArrayLike) -> UIntArray:
        array = np.asarray(values)
        if array.dtype.kind not in "iu":
            raise DrawParameterError(
                f"{name.capitalize()}s must be integers, got an array of {array.dtype}."
            )
        if array.size and (array.min() < 0 or array.max() >= self.n):
            raise DrawParameterError(
                f"{name.capitalize()}s must lie in [0, {self.n}), got values from {array.min()} "
                f"to {array.max()}."
            )
        return array.astype(np.uint64)

    # -- draw results ------------------------------------------------------------------------

    def ranks(self) -> UIntArray:
        """Return the rank P(i) of every entrant i, as a uint64 array of length N."""
        return self.permute_array(np.arange(self.n, dtype=np.uint64))

    def winners(self, k: int) -> UIntArray:
        """Return the winners' indices in rank order: P^-1(0), ..., P^-1(min(k, N) - 1)."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise DrawParameterError(f"Winner count {k!r} is negative. Pass K >= 0.")
        count = min(k, self.n)
        return self.unpermute_array(np.arange(count, dtype=np.uint64))

    def is_winner(self, index: int, k: int) -> tuple[bool, int]:
        """Return whether entrant `index` wins with K = `k`, and its rank P(index)."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise DrawParameterError(f"Winner count {k!r} is negative. Pass K >= 0.")
        rank = self.permute(index)
        return rank < k, rank


def permute(seed: int, pool: int, n: int, index: int) -> int:
    """Return P(index), the rank of entrant `index` in pool `pool` of N = `n` entrants."""
    return FeistelPermutation(seed, pool, n).permute(index)


def unpermute(seed: int, pool: int, n: int, rank: int) -> int:
    """Return P^-1(rank), the entrant of pool `pool` that has rank `rank`."""
    return FeistelPermutation(seed, pool, n).unpermute(rank)


def is_winner(seed: int, pool: int, n: int, k: int, index: int) -> tuple[bool, int]:
    """Return whether entrant `index` wins (rank < K) and its rank, like the draw's `isWinner`."""
    return FeistelPermutation(seed, pool, n).is_winner(index, k)


def winners(seed: int, pool: int, n: int, k: int) -> UIntArray:
    """Return the indices of a pool's min(K, N) winners in rank order, as a uint64 array."""
    return FeistelPermutation(seed, pool, n).winners(k)


def ranks(seed: int, pool: int, n: int, indices: Sequence[int] | None = None) -> UIntArray:
    """Return the rank of each entrant in `indices` (default: all N), as a uint64 array."""
    permutation = FeistelPermutation(seed, pool, n)
    if indices is None:
        return permutation.ranks()
    return permutation.permute_array(np.asarray(indices, dtype=np.int64))
