// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @dev Number of Feistel rounds; file-level so that callers can size arrays of round keys.
uint256 constant FEISTEL_ROUNDS = 6;

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
/// Functions", SIAM J. Computing 17(2), 1988. Their security bounds weaken as the half width
/// shrinks, and here it is 1 to 16 bits, so the draw relies on the seed being unknown before
/// delivery rather than on those bounds. Cycle walking is from J. Black and P. Rogaway, "Ciphers with Arbitrary Finite Domains",
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
    uint256 internal constant ROUNDS = FEISTEL_ROUNDS;

    /// @dev Exclusive upper bound of the domain size.
    uint256 internal constant MAX_DOMAIN = 1 << 32;

    /// @notice Derives the 128-bit permutation key from a delivered random word (step 1).
    function permutationKey(uint256 seed) internal pure returns (uint128 key) {
        return uint128(uint256(keccak256(abi.encode(seed))));
    }

    /// @notice Derives the six round keys of pool `pool` from `key` (step 2):
    /// `k[r] = low 64 bits of keccak256(abi.encode(uint256(key), pool, r))`.
    /// @dev A batch that permutes many entrants of one pool derives them once.
    function roundKeys(uint128 key, uint256 pool) internal pure returns (uint256[FEISTEL_ROUNDS] memory keys) {
        // Widening in Solidity clears the bits above 128, which assembly would see as they are.
        uint256 keyWord = key;
        // Gas: the three-word hash input sits at the free memory pointer without being
        // allocated, above `keys`, which is allocated already; nothing else uses that memory
        // before the block ends.
        assembly ("memory-safe") {
            let input := mload(0x40)
            mstore(input, keyWord)
            mstore(add(input, 0x20), pool)
            for { let r := 0 } lt(r, 6) { r := add(r, 1) } {
                mstore(add(input, 0x40), r)
                mstore(add(keys, shl(5, r)), and(keccak256(input, 0x60), 0xffffffffffffffff))
            }
        }
    }

    /// @notice Returns `P(index)`, the rank of `index` in pool `pool` under `key`.
    /// @dev Requirements: `1 <= n < 2^32` and `index < n`.
    function permute(uint128 key, uint256 pool, uint256 n, uint256 index) internal pure returns (uint256) {
        return permuteWith(roundKeys(key, pool), n, index);
    }

    /// @notice Returns `P(index)` with round keys from {roundKeys}.
    /// @dev Requirements: `1 <= n < 2^32` and `index < n`.
    function permuteWith(uint256[FEISTEL_ROUNDS] memory keys, uint256 n, uint256 index) internal pure returns (uint256 rank) {
        _checkDomain(n, index);
        uint256 half = _halfWidth(n);

        // Gas: the claim runs this once per badge, so the six round keys sit on the stack and
        // the rounds are unrolled.
        assembly ("memory-safe") {
            // Step 5: F(r, v) = mix64(v ^ k[r]) & mask. `v ^ k` is below 2^64 (v < 2^16), and
            // every product of two values below 2^64 fits in 256 bits, so `and` with 2^64 - 1
            // after each multiplication gives arithmetic modulo 2^64.
            function f(v, k, mask) -> out {
                let z := xor(v, k)
                z := xor(z, shr(30, z))
                z := and(mul(z, 0xbf58476d1ce4e5b9), 0xffffffffffffffff)
                z := xor(z, shr(27, z))
                z := and(mul(z, 0x94d049bb133111eb), 0xffffffffffffffff)
                out := and(xor(z, shr(31, z)), mask)
            }

            let k0 := mload(keys)
            let k1 := mload(add(keys, 0x20))
            let k2 := mload(add(keys, 0x40))
            let k3 := mload(add(keys, 0x60))
            let k4 := mload(add(keys, 0x80))
            let k5 := mload(add(keys, 0xa0))

            // Steps 6 and 7: encrypt until the value falls below n.
            // slither-disable-next-line incorrect-shift (Yul's shl takes the shift first: this is 2^half - 1)
            let mask := sub(shl(half, 1), 1)
            rank := index
            for {} 1 {} {
                let l := shr(half, rank)
                let r := and(rank, mask)
                // Round i computes (L, R) = (R, L ^ F(i, R)). Instead of swapping, each line
                // XORs F into the half that becomes the new R, so `l` and `r` trade roles every
                // round and hold L and R again after the sixth.
                l := xor(l, f(r, k0, mask))
                r := xor(r, f(l, k1, mask))
                l := xor(l, f(r, k2, mask))
                r := xor(r, f(l, k3, mask))
                l := xor(l, f(r, k4, mask))
                r := xor(r, f(l, k5, mask))
                rank := or(shl(half, l), r)
                if lt(rank, n) { break }
            }
        }
    }

    /// @notice Returns `P^-1(rank)`, the index whose rank is `rank` in pool `pool` under `key`.
    /// @dev Requirements: `1 <= n < 2^32` and `rank < n`.
    function unpermute(uint128 key, uint256 pool, uint256 n, uint256 rank) internal pure returns (uint256 index) {
        _checkDomain(n, rank);
        uint256 half = _halfWidth(n);
        uint256[FEISTEL_ROUNDS] memory keys = roundKeys(key, pool);

        // Same layout as {permuteWith}; the rounds run backwards.
        assembly ("memory-safe") {
            function f(v, k, mask) -> out {
                let z := xor(v, k)
                z := xor(z, shr(30, z))
                z := and(mul(z, 0xbf58476d1ce4e5b9), 0xffffffffffffffff)
                z := xor(z, shr(27, z))
                z := and(mul(z, 0x94d049bb133111eb), 0xffffffffffffffff)
                out := and(xor(z, shr(31, z)), mask)
            }

            let k0 := mload(keys)
            let k1 := mload(add(keys, 0x20))
            let k2 := mload(add(keys, 0x40))
            let k3 := mload(add(keys, 0x60))
            let k4 := mload(add(keys, 0x80))
            let k5 := mload(add(keys, 0xa0))

            // slither-disable-next-line incorrect-shift (Yul's shl takes the shift first: this is 2^half - 1)
            let mask := sub(shl(half, 1), 1)
            index := rank
            for {} 1 {} {
                let l := shr(half, index)
                let r := and(index, mask)
                // Round i computes (L, R) = (R ^ F(i, L), L), for i = 5..0, in place as in
                // {permuteWith}: each line undoes the matching line there.
                r := xor(r, f(l, k5, mask))
                l := xor(l, f(r, k4, mask))
                r := xor(r, f(l, k3, mask))
                l := xor(l, f(r, k2, mask))
                r := xor(r, f(l, k1, mask))
                l := xor(l, f(r, k0, mask))
                index := or(shl(half, l), r)
                if lt(index, n) { break }
            }
        }
    }

    /// @dev Rejects domains outside `[1, 2^32)` and values outside `[0, n)`. Both checks are
    /// needed for termination: a value at or above `2^b` would never walk back below `n`.
    function _checkDomain(uint256 n, uint256 value) private pure {
        if (n == 0 || n >= MAX_DOMAIN) revert FeistelShuffleInvalidDomain(n);
        if (value >= n) revert FeistelShuffleOutOfDomain(value, n);
    }

    /// @dev Step 3: `h = b / 2`, where `b = max(2, bitLength(n - 1))` rounded up to an even
    /// number, so `h = max(1, ceil(bitLength(n - 1) / 2))`. Requires `n - 1 < 2^32`.
    function _halfWidth(uint256 n) private pure returns (uint256 half) {
        assembly ("memory-safe") {
            // Binary search for the bit length of v = n - 1, which has at most 32 bits.
            let v := sub(n, 1)
            let bits := 0
            if gt(v, 0xffff) {
                bits := 16
                v := shr(16, v)
            }
            if gt(v, 0xff) {
                bits := add(bits, 8)
                v := shr(8, v)
            }
            if gt(v, 0xf) {
                bits := add(bits, 4)
                v := shr(4, v)
            }
            if gt(v, 0x3) {
                bits := add(bits, 2)
                v := shr(2, v)
            }
            if gt(v, 0x1) {
                bits := add(bits, 1)
                v := shr(1, v)
            }
            // v is now 0 or 1: the top bit itself, or nothing when n - 1 = 0.
            bits := add(bits, v)
            half := shr(1, add(bits, 1))
            if iszero(half) { half := 1 }
        }
    }
}
