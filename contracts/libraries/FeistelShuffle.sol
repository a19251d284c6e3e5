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
/// 3. Domain: `b = max(2, bitLength(n - 1))` (`bitLength(0) = 0`), `lo = floor(b / 2)` and
///    `a = ((n - 1) >> lo) + 1`, the smallest `a` with `a * 2^lo >= n`. The network permutes
///    `[0, a * 2^lo)`, which has fewer than `n + 2^lo` elements. A value `x` splits into a high
///    part `L = x >> lo`, which is below `a`, and a low part `R = x & loMask`, `loMask = 2^lo - 1`.
/// 4. `mix64(z)`, arithmetic modulo 2^64, is the SplitMix64 finalizer (Sebastiano Vigna, public
///    domain): `z ^= z >> 30; z *= 0xbf58476d1ce4e5b9; z ^= z >> 27; z *= 0x94d049bb133111eb;
///    z ^= z >> 31`.
/// 5. Round function: `F(r, v) = mix64(v ^ k[r])`, a 64-bit value.
/// 6. `encrypt(x)`: for `r = 0..5`, an even round sets `L = (L + F(r, R)) mod a` and an odd
///    round sets `R = R ^ (F(r, L) & loMask)`; the result is `L * 2^lo + R`.
///    `decrypt(y)`: for `r = 5..0`, an even round sets `L = (L - F(r, R)) mod a` (the
///    non-negative remainder) and an odd round the same `R ^= F(r, L) & loMask`.
/// 7. Cycle walking: `P(x)`: `y = encrypt(x)`; while `y >= n`: `y = encrypt(y)`.
///    `P^-1(y)`: `z = decrypt(y)`; while `z >= n`: `z = decrypt(z)`.
///
/// Entrant `i` of pool `p` wins iff `P(i) < K`, the pool's winner count; the `r`-th winner is
/// entrant `P^-1(r)`.
///
/// Sources: the Feistel network with independent round functions is the construction of
/// M. Luby and C. Rackoff, "How to Construct Pseudorandom Permutations from Pseudorandom
/// Functions", SIAM J. Computing 17(2), 1988. Each round changes one part by a value computed
/// from the other part alone, through a bijection of the changed part (addition modulo `a` or
/// XOR), so the network is a permutation for any round function and any `a`. The Feistel modes
/// FF1 and FF3 of NIST SP 800-38G likewise add modulo a radix power to encrypt non-binary
/// formats. The security bounds weaken as the parts shrink, and here they hold 1 to 16 bits, so
/// the draw relies on the seed being unknown before delivery rather than on those bounds.
///
/// Cycle walking is from J. Black and P. Rogaway, "Ciphers with Arbitrary Finite Domains",
/// CT-RSA 2002: restricting a permutation of `[0, a * 2^lo)` to `[0, n)` by re-encrypting values
/// that fall outside keeps it a permutation. Each walk ends because the cycle of `x` under
/// `encrypt` contains `x` itself, which lies in `[0, n)`, and it visits each of the fewer than
/// `2^lo` values outside `[0, n)` at most once. A walk takes `a * 2^lo / n` encryptions on
/// average: 1.04 for `n = 100`, 1.0112 for `n = 10,000`, and at most 2 for every `n`.
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
        // before the block ends. The six hashes are unrolled, because every claim and view
        // pays for them.
        assembly ("memory-safe") {
            let input := mload(0x40)
            let lastWord := add(input, 0x40)
            mstore(input, keyWord)
            mstore(add(input, 0x20), pool)
            mstore(lastWord, 0)
            mstore(keys, and(keccak256(input, 0x60), 0xffffffffffffffff))
            mstore(lastWord, 1)
            mstore(add(keys, 0x20), and(keccak256(input, 0x60), 0xffffffffffffffff))
            mstore(lastWord, 2)
            mstore(add(keys, 0x40), and(keccak256(input, 0x60), 0xffffffffffffffff))
            mstore(lastWord, 3)
            mstore(add(keys, 0x60), and(keccak256(input, 0x60), 0xffffffffffffffff))
            mstore(lastWord, 4)
            mstore(add(keys, 0x80), and(keccak256(input, 0x60), 0xffffffffffffffff))
            mstore(lastWord, 5)
            mstore(add(keys, 0xa0), and(keccak256(input, 0x60), 0xffffffffffffffff))
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
        (uint256 lo, uint256 highSize) = _split(n);

        // Gas: the claim runs this once per badge, so the six round keys sit on the stack and
        // the rounds are unrolled.
        assembly ("memory-safe") {
            // Step 5: mix64(v ^ k). `v ^ k` is below 2^64, and every product of two values below
            // 2^64 fits in 256 bits, so `and` with 2^64 - 1 after each multiplication gives
            // arithmetic modulo 2^64.
            function f(v, k) -> z {
                z := xor(v, k)
                z := and(mul(xor(z, shr(30, z)), 0xbf58476d1ce4e5b9), 0xffffffffffffffff)
                z := and(mul(xor(z, shr(27, z)), 0x94d049bb133111eb), 0xffffffffffffffff)
                z := xor(z, shr(31, z))
            }

            let k0 := mload(keys)
            let k1 := mload(add(keys, 0x20))
            let k2 := mload(add(keys, 0x40))
            let k3 := mload(add(keys, 0x60))
            let k4 := mload(add(keys, 0x80))
            let k5 := mload(add(keys, 0xa0))
            // slither-disable-next-line incorrect-shift (Yul's shl takes the shift first: this is 2^lo - 1)
            let lowMask := sub(shl(lo, 1), 1)

            // Steps 6 and 7: encrypt until the value falls below n. `addmod` cannot overflow.
            rank := index
            for {} 1 {} {
                let l := shr(lo, rank)
                let r := and(rank, lowMask)
                l := addmod(l, f(r, k0), highSize)
                r := xor(r, and(f(l, k1), lowMask))
                l := addmod(l, f(r, k2), highSize)
                r := xor(r, and(f(l, k3), lowMask))
                l := addmod(l, f(r, k4), highSize)
                r := xor(r, and(f(l, k5), lowMask))
                rank := or(shl(lo, l), r)
                if lt(rank, n) { break }
            }
        }
    }

    /// @notice Returns `P^-1(rank)`, the index whose rank is `rank` in pool `pool` under `key`.
    /// @dev Requirements: `1 <= n < 2^32` and `rank < n`.
    function unpermute(uint128 key, uint256 pool, uint256 n, uint256 rank) internal pure returns (uint256 index) {
        _checkDomain(n, rank);
        (uint256 lo, uint256 highSize) = _split(n);
        uint256[FEISTEL_ROUNDS] memory keys = roundKeys(key, pool);

        // Same layout as {permuteWith}, with the rounds in reverse order. An even round subtracts
        // F modulo a as L + (a - F mod a), which stays non-negative.
        assembly ("memory-safe") {
            function f(v, k) -> z {
                z := xor(v, k)
                z := and(mul(xor(z, shr(30, z)), 0xbf58476d1ce4e5b9), 0xffffffffffffffff)
                z := and(mul(xor(z, shr(27, z)), 0x94d049bb133111eb), 0xffffffffffffffff)
                z := xor(z, shr(31, z))
            }

            let k0 := mload(keys)
            let k1 := mload(add(keys, 0x20))
            let k2 := mload(add(keys, 0x40))
            let k3 := mload(add(keys, 0x60))
            let k4 := mload(add(keys, 0x80))
            let k5 := mload(add(keys, 0xa0))
            // slither-disable-next-line incorrect-shift (Yul's shl takes the shift first: this is 2^lo - 1)
            let lowMask := sub(shl(lo, 1), 1)

            index := rank
            for {} 1 {} {
                let l := shr(lo, index)
                let r := and(index, lowMask)
                r := xor(r, and(f(l, k5), lowMask))
                l := addmod(l, sub(highSize, mod(f(r, k4), highSize)), highSize)
                r := xor(r, and(f(l, k3), lowMask))
                l := addmod(l, sub(highSize, mod(f(r, k2), highSize)), highSize)
                r := xor(r, and(f(l, k1), lowMask))
                l := addmod(l, sub(highSize, mod(f(r, k0), highSize)), highSize)
                index := or(shl(lo, l), r)
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

    /// @dev Step 3: returns `lo`, the width of the low part, and `a`, the size of the high part.
    /// Requires `1 <= n < 2^32`.
    function _split(uint256 n) private pure returns (uint256 lo, uint256 highSize) {
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
            if lt(bits, 2) { bits := 2 }

            lo := shr(1, bits)
            highSize := add(shr(lo, sub(n, 1)), 1)
        }
    }
}
