// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ISeedReceiver
/// @notice The one function through which a randomness source hands a random word to the draw
/// contract it is bound to.
interface ISeedReceiver {
    /// @notice Delivers `seed`, the random word that answers request `requestId` of round `roundId`.
    /// @dev Requirements: the caller is the randomness source named in the round's manifest.
    /// The first delivery for the round's current request seeds the round; any other delivery is
    /// ignored with an event instead of reverting, so that a source's callback never fails on it.
    function deliverSeed(uint256 roundId, uint256 requestId, uint256 seed) external;
}
