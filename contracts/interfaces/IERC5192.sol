// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ERC-5192: minimal soulbound NFTs
/// @notice A token is locked when it can never be transferred. Interface id 0xb45a3c0e.
interface IERC5192 {
    /// @notice Emitted when a token becomes locked, including at mint.
    event Locked(uint256 tokenId);

    /// @notice Emitted when a token becomes transferable. Never emitted by a soulbound series.
    event Unlocked(uint256 tokenId);

    /// @notice Returns whether `tokenId` is locked.
    /// @dev Reverts when the token does not exist.
    function locked(uint256 tokenId) external view returns (bool);
}
