// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ERC-5484: consensual soulbound tokens (burn authorization)
/// @notice Declares who may burn a token. Interface id 0x0489b56f.
interface IERC5484 {
    /// @notice Parties allowed to burn a token.
    enum BurnAuth {
        IssuerOnly,
        OwnerOnly,
        Both,
        Neither
    }

    /// @notice Emitted when a token is issued, with the burn policy that applies to it.
    /// @dev A series that declares one policy for every token states it once in
    /// `burnAuth` instead of emitting this event per token.
    event Issued(address indexed from, address indexed to, uint256 indexed tokenId, BurnAuth burnAuth);

    /// @notice Returns the burn policy of `tokenId`.
    /// @dev Reverts when the token does not exist.
    function burnAuth(uint256 tokenId) external view returns (BurnAuth);
}
