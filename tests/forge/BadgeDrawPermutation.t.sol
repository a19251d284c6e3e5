// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FeistelShuffle} from "../../contracts/libraries/FeistelShuffle.sol";
import {vm} from "./utils/Vm.sol";

/// @notice A line-by-line transcription of the permutation as `FeistelShuffle`'s documentation
/// specifies it, in plain Solidity with loops, so that the fuzzer can compare it with the
/// library's unrolled assembly.
library SpecFeistel {
    uint256 internal constant MASK_64 = type(uint64).max;

    /// @dev The round keys and the two parts' sizes: `2^low` values below, `highSize` above.
    struct Network {
        uint256[6] keys;
        uint256 low;
        uint256 highSize;
    }

    function permute(uint256 seed, uint256 pool, uint256 n, uint256 index) internal pure returns (uint256 y) {
        Network memory network = _setUp(seed, pool, n);
        y = _encrypt(network, index);
        while (y >= n) {
            y = _encrypt(network, y);
        }
    }

    function unpermute(uint256 seed, uint256 pool, uint256 n, uint256 rank) internal pure returns (uint256 z) {
        Network memory network = _setUp(seed, pool, n);
        z = _decrypt(network, rank);
        while (z >= n) {
            z = _decrypt(network, z);
        }
    }

    function _setUp(uint256 seed, uint256 pool, uint256 n) private pure returns (Network memory network) {
        uint256 key = uint256(keccak256(abi.encode(seed))) & type(uint128).max;
        for (uint256 r; r < 6; ++r) {
            network.keys[r] = uint256(keccak256(abi.encode(key, pool, r))) & MASK_64;
        }
        uint256 bits;
        for (uint256 v = n - 1; v != 0; v >>= 1) {
            ++bits;
        }
        if (bits < 2) bits = 2;
        network.low = bits / 2;
        // ceil(n / 2^low)
        network.highSize = (n + (1 << network.low) - 1) / (1 << network.low);
    }

    function _mix64(uint256 z) private pure returns (uint256) {
        unchecked {
            z = z ^ (z >> 30);
            z = (z * 0xbf58476d1ce4e5b9) & MASK_64;
            z = z ^ (z >> 27);
            z = (z * 0x94d049bb133111eb) & MASK_64;
            return z ^ (z >> 31);
        }
    }

    function _encrypt(Network memory network, uint256 x) private pure returns (uint256) {
        uint256 base = 1 << network.low;
        uint256 left = x / base;
        uint256 right = x % base;
        for (uint256 r; r < 6; ++r) {
            if (r % 2 == 0) left = (left + _mix64(right ^ network.keys[r])) % network.highSize;
            else right ^= _mix64(left ^ network.keys[r]) % base;
        }
        return left * base + right;
    }

    function _decrypt(Network memory network, uint256 y) private pure returns (uint256) {
        uint256 base = 1 << network.low;
        uint256 left = y / base;
        uint256 right = y % base;
        for (uint256 r = 6; r > 0; --r) {
            uint256 round = r - 1;
            if (round % 2 == 0) {
                uint256 shift = _mix64(right ^ network.keys[round]) % network.highSize;
                left = (left + network.highSize - shift) % network.highSize;
            } else {
                right ^= _mix64(left ^ network.keys[round]) % base;
            }
        }
        return left * base + right;
    }
}

/// @notice Fuzz tests of `FeistelShuffle`: bijection, inverse, agreement with the specification
/// and the rejected domains.
contract BadgeDrawPermutationTest {
    uint256 private constant MAX_DOMAIN = 1 << 32;

    /// @dev External entry points so that `expectRevert` sees the library's reverts one call deep.
    function permuteExternal(uint256 seed, uint256 pool, uint256 n, uint256 index) external pure returns (uint256) {
        return FeistelShuffle.permute(FeistelShuffle.permutationKey(seed), pool, n, index);
    }

    function unpermuteExternal(uint256 seed, uint256 pool, uint256 n, uint256 rank) external pure returns (uint256) {
        return FeistelShuffle.unpermute(FeistelShuffle.permutationKey(seed), pool, n, rank);
    }

    function testFuzz_permuteIsBijectionOnSmallDomains(uint256 seed, uint8 pool, uint16 size) public pure {
        uint256 n = 1 + uint256(size) % 300;
        uint128 key = FeistelShuffle.permutationKey(seed);
        bool[] memory taken = new bool[](n);
        for (uint256 index; index < n; ++index) {
            uint256 rank = FeistelShuffle.permute(key, pool, n, index);
            require(rank < n, "rank outside the domain");
            require(!taken[rank], "two indices share a rank");
            taken[rank] = true;
            require(FeistelShuffle.unpermute(key, pool, n, rank) == index, "unpermute does not invert permute");
        }
    }

    function testFuzz_unpermuteInvertsPermute(uint256 seed, uint256 pool, uint256 n, uint256 index) public pure {
        n = 1 + n % (MAX_DOMAIN - 1);
        index %= n;
        uint128 key = FeistelShuffle.permutationKey(seed);

        uint256 rank = FeistelShuffle.permute(key, pool, n, index);

        require(rank < n, "rank outside the domain");
        require(FeistelShuffle.unpermute(key, pool, n, rank) == index, "unpermute does not invert permute");
        require(FeistelShuffle.permute(key, pool, n, FeistelShuffle.unpermute(key, pool, n, index)) == index, "permute does not invert unpermute");
    }

    function testFuzz_permuteMatchesSpecification(uint256 seed, uint256 pool, uint256 n, uint256 index) public pure {
        n = 1 + n % (MAX_DOMAIN - 1);
        index %= n;
        uint128 key = FeistelShuffle.permutationKey(seed);

        require(FeistelShuffle.permute(key, pool, n, index) == SpecFeistel.permute(seed, pool, n, index), "permute differs from the specification");
        require(FeistelShuffle.unpermute(key, pool, n, index) == SpecFeistel.unpermute(seed, pool, n, index), "unpermute differs from the specification");
    }

    /// @dev Domains at the edges of each width: n = 2^k and 2^k +- 1.
    function testFuzz_permuteMatchesSpecificationAtPowersOfTwo(uint256 seed, uint8 exponent, uint8 offset, uint256 index) public pure {
        uint256 power = 1 << (uint256(exponent) % 32);
        uint256 n = power + (uint256(offset) % 3) - 1;
        if (n == 0) n = 1;
        index %= n;

        require(FeistelShuffle.permute(FeistelShuffle.permutationKey(seed), 1, n, index) == SpecFeistel.permute(seed, 1, n, index), "permute differs from the specification");
    }

    function testFuzz_permutationKeyIsLow128Bits(uint256 seed) public pure {
        require(FeistelShuffle.permutationKey(seed) == uint256(keccak256(abi.encode(seed))) % (1 << 128), "key is not the low 128 bits");
    }

    function test_permuteRejectsEmptyDomain() public {
        vm.expectRevert(abi.encodeWithSelector(FeistelShuffle.FeistelShuffleInvalidDomain.selector, 0));
        this.permuteExternal(1, 0, 0, 0);
    }

    function test_permuteRejectsDomainOf2To32() public {
        vm.expectRevert(abi.encodeWithSelector(FeistelShuffle.FeistelShuffleInvalidDomain.selector, MAX_DOMAIN));
        this.permuteExternal(1, 0, MAX_DOMAIN, 0);
    }

    function testFuzz_permuteRejectsIndexOutsideDomain(uint256 n, uint256 index) public {
        n = 1 + n % (MAX_DOMAIN - 1);
        index = n + index % 1000;

        vm.expectRevert(abi.encodeWithSelector(FeistelShuffle.FeistelShuffleOutOfDomain.selector, index, n));
        this.permuteExternal(7, 0, n, index);
    }

    function testFuzz_unpermuteRejectsRankOutsideDomain(uint256 n, uint256 rank) public {
        n = 1 + n % (MAX_DOMAIN - 1);
        rank = n + rank % 1000;

        vm.expectRevert(abi.encodeWithSelector(FeistelShuffle.FeistelShuffleOutOfDomain.selector, rank, n));
        this.unpermuteExternal(7, 0, n, rank);
    }
}
