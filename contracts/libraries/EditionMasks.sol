// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title EditionMasks
/// @notice 256-bit masks with bit e set for edition e.
library EditionMasks {
    /// @dev Returns the number of set bits: the SWAR population count of Henry S. Warren,
    /// "Hacker's Delight", section 5-1, widened to 256 bits. The counts are summed in 16-bit lanes
    /// because a full mask counts 256, which does not fit in a byte. The final multiplication adds
    /// every lane into the top one and wraps on purpose, so the block runs unchecked.
    function count(uint256 mask) internal pure returns (uint256) {
        unchecked {
            uint256 m1 = type(uint256).max / 3; // 0x5555...
            uint256 m2 = type(uint256).max / 5; // 0x3333...
            uint256 m4 = type(uint256).max / 17; // 0x0f0f...
            uint256 m8 = type(uint256).max / 257; // 0x00ff00ff...
            uint256 lanes16 = type(uint256).max / 65535; // 0x00010001...
            mask -= (mask >> 1) & m1;
            mask = (mask & m2) + ((mask >> 2) & m2);
            mask = (mask + (mask >> 4)) & m4;
            mask = (mask + (mask >> 8)) & m8;
            // slither-disable-next-line divide-before-multiply (the divisions only build constant lane masks)
            return (mask * lanes16) >> 240;
        }
    }
}
