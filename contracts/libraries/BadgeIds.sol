// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title BadgeIds
/// @notice Token ids of a badge series: `tokenId = editionId << 160 | uint160(holder)`.
///
/// A soulbound badge never changes owner, so its id can carry its holder. Edition ids are below
/// 256, so every valid id is below 2^168 and decodes to exactly one (edition, holder) pair.
library BadgeIds {
    /// @dev Ids at or above this bound name no edition (edition id 256 or more).
    uint256 internal constant ID_BOUND = 1 << 168;

    function encode(uint256 editionId, address holder) internal pure returns (uint256) {
        return (editionId << 160) | uint160(holder);
    }

    function editionOf(uint256 tokenId) internal pure returns (uint256) {
        return tokenId >> 160;
    }

    function holderOf(uint256 tokenId) internal pure returns (address) {
        return address(uint160(tokenId));
    }
}
