// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title FeistelShuffle
/// @notice A keyed permutation of `[0, n)` for `1 <= n < 2^32`, evaluated in O(1) storage and a
/// handful of hashes, so that a draw can say whether entrant `i` won without touching the other
/// entrants. This is algorithm id 1 of merit's draws; the SDK implements the same construction
/// bit for bit, so every step is specified here.
///
/// Construction, for a pool `p` (0-based pool number inside the round) and a random word `seed`:
///
/// 1. Permutation key: `key = uint128(uint256(keccak256(abi.encode(seed))))`, the low 128 bits.
/// 2. Round keys, `r = 0..5`: `k[r] = uint64(uint256(keccak256(abi.encode(uint256(key), p, r))))`,
///    the low 64 bits, with `key`, `p` and `r` each encoded as one 32-byte word.
/// 3. Domain: `b = max(2, bitLength(n - 1))`, rounded up to an even number (`bitLength(0) = 0`);
///    `h = b / 2`; `mask = 2^h - 1`. The network permutes `[0, 2^b)`, and `2^b < 4n`.
/// 4. `mix64(z)`, arithmetic modulo 2^64, is the SplitMix64 finalizer (Sebastiano Vigna, public
///    domain): `z ^= z >> 30; z *= 0xbf58476d1ce4e5b9; z ^= z >> 27; z *= 0x94d049bb133111eb;
///    z ^= z >> 31`.
/// 5. Round function: `F(r, v) = mix64(v ^ k[r]) & mask`.
/// 6. `encrypt(x)` on `[0, 2^b)`: `L = x >> h`, `R = x & mask`; for `r = 0..5`:
///    `(L, R) = (R, L ^ F(r, R))`; the result is `(L << h) | R`.
///    `decrypt(y)`: `L = y >> h`, `R = y & mask`; for `r = 5..0`: `(L, R) = (R ^ F(r, L), L)`;
///    the result is `(L << h) | R`.
/// 7. Cycle walking for domains that are not a power of four: `P(x)`: `y = encrypt(x)`; while
///    `y >= n`: `y = encrypt(y)`. `P^-1(y)`: `z = decrypt(y)`; while `z >= n`: `z = decrypt(z)`.
///
/// Entrant `i` of pool `p` wins iff `P(i) < K`, the pool's winner count; the `r`-th winner is
/// entrant `P^-1(r)`.
///
/// Sources: the balanced Feistel network with independent round functions is the construction of
/// M. Luby and C. Rackoff, "How to Construct Pseudorandom Permutations from Pseudorandom
/// Functions", SIAM J. Computing 17(2), 1988, which proves 3 rounds pseudorandom and 4 rounds
/// strongly pseudorandom; 6 rounds leave a margin for the small half-widths used here (h >= 1).
/// Cycle walking is from J. Black and P. Rogaway, "Ciphers with Arbitrary Finite Domains",
/// CT-RSA 2002: restricting a permutation of `[0, 2^b)` to `[0, n)` by re-encrypting values that
/// fall outside keeps it a permutation. Each walk ends because the cycle of `x` under `encrypt`
/// contains `x` itself, which lies in `[0, n)`; since `2^b < 4n`, a walk takes fewer than 4 steps
/// on average.
///
/// NOTE: the permutation only needs to be unpredictable before the seed exists and fixed after
/// it; it is no cipher protecting secrets, and mix64 is no cryptographic hash. The seed itself
/// comes from a verifiable randomness source.
library FeistelShuffle {
    /// @notice The domain size `n` must satisfy `1 <= n < 2^32`.
    error FeistelShuffleInvalidDomain(uint256 n);

    /// @notice `value` (an index or a rank) must be smaller than the domain size `n`.
    error FeistelShuffleOutOfDomain(uint256 value, uint256 n);

    /// @dev Number of Feistel rounds.
    uint256 internal constant ROUNDS = 6;

    /// @dev Exclusive upper bound of the domain size.
    uint256 internal constant MAX_DOMAIN = 1 << 32;

    uint256 private constant MASK_64 = type(uint64).max;

    /// @notice Derives the 128-bit permutation key from a delivered random word (step 1).
    function permutationKey(uint256 seed) internal pure returns (uint128 key) {
        return uint128(uint256(keccak256(abi.encode(seed))));
    }

    /// @notice Returns `P(index)`, the rank of `index` in pool `pool` under `key`.
    /// @dev Requirements: `1 <= n < 2^32` and `index < n`.
    function permute(uint128 key, uint256 pool, uint256 n, uint256 index) internal pure returns (uint256 rank) {
        _checkDomain(n, index);
        (uint256 half, uint256 mask) = _halfWidth(n);
        uint256[ROUNDS] memory roundKeys = _roundKeys(key, pool);

        rank = _encrypt(roundKeys, half, mask, index);
        while (rank >= n) {
            rank = _encrypt(roundKeys, half, mask, rank);
        }
    }

    /// @notice Returns `P^-1(rank)`, the index whose rank is `rank` in pool `pool` under `key`.
    /// @dev Requirements: `1 <= n < 2^32` and `rank < n`.
    function unpermute(uint128 key, uint256 pool, uint256 n, uint256 rank) internal pure returns (uint256 index) {
        _checkDomain(n, rank);
        (uint256 half, uint256 mask) = _halfWidth(n);
        uint256[ROUNDS] memory roundKeys = _roundKeys(key, pool);

        index = _decrypt(roundKeys, half, mask, rank);
        while (index >= n) {
            index = _decrypt(roundKeys, half, mask, index);
        }
    }

    /// @dev Rejects domains outside `[1, 2^32)` and values outside `[0, n)`. Both checks are
    /// needed for termination: a value at or above `2^b` would never walk back below `n`.
    function _checkDomain(uint256 n, uint256 value) private pure {
        if (n == 0 || n >= MAX_DOMAIN) revert FeistelShuffleInvalidDomain(n);
        if (value >= n) revert FeistelShuffleOutOfDomain(value, n);
    }

    /// @dev Step 3: `h = b / 2` and `mask = 2^h - 1`, where `b = max(2, bitLength(n - 1))`
    /// rounded up to an even number. `n - 1 < 2^32`, so the loop runs at most 16 times.
    function _halfWidth(uint256 n) private pure returns (uint256 half, uint256 mask) {
        unchecked {
            // half = ceil(bitLength(n - 1) / 2), at least 1: grow the half width until both
            // halves together (2 * half bits) cover n - 1.
            half = 1;
            while ((n - 1) >> (2 * half) != 0) {
                ++half;
            }
            mask = (1 << half) - 1;
        }
    }

    /// @dev Step 2: the six 64-bit round keys of pool `pool`.
    function _roundKeys(uint128 key, uint256 pool) private pure returns (uint256[ROUNDS] memory roundKeys) {
        for (uint256 r = 0; r < ROUNDS; ) {
            roundKeys[r] = uint256(keccak256(abi.encode(uint256(key), pool, r))) & MASK_64;
            unchecked {
                ++r;
            }
        }
    }

    /// @dev Step 6, forward direction.
    function _encrypt(
        uint256[ROUNDS] memory roundKeys,
        uint256 half,
        uint256 mask,
        uint256 x
    ) private pure returns (uint256) {
        uint256 left = x >> half;
        uint256 right = x & mask;
        for (uint256 r = 0; r < ROUNDS; ) {
            (left, right) = (right, left ^ (_mix64(right ^ roundKeys[r]) & mask));
            unchecked {
                ++r;
            }
        }
        return (left << half) | right;
    }

    /// @dev Step 6, inverse direction: undoes the rounds of {_encrypt} in reverse order.
    function _decrypt(
        uint256[ROUNDS] memory roundKeys,
        uint256 half,
        uint256 mask,
        uint256 y
    ) private pure returns (uint256) {
        uint256 left = y >> half;
        uint256 right = y & mask;
        for (uint256 r = ROUNDS; r > 0; ) {
            unchecked {
                --r;
            }
            (left, right) = (right ^ (_mix64(left ^ roundKeys[r]) & mask), left);
        }
        return (left << half) | right;
    }

    /// @dev Step 4, the SplitMix64 finalizer. The input is below 2^64 (a half below 2^16 XOR a
    /// 64-bit round key), and each product of two values below 2^64 fits in 128 bits, so the
    /// unchecked multiplications cannot overflow; masking keeps the arithmetic modulo 2^64.
    function _mix64(uint256 z) private pure returns (uint256) {
        unchecked {
            z ^= z >> 30;
            z = (z * 0xbf58476d1ce4e5b9) & MASK_64;
            z ^= z >> 27;
            z = (z * 0x94d049bb133111eb) & MASK_64;
            z ^= z >> 31;
        }
        return z;
    }
}
