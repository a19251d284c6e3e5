// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @title TestHostileReceiver
/// @notice TEST ONLY. A winner's wallet that is a contract out to get more than its badge. Every
/// hook that a token contract might call on a receiver (ERC-721's `onERC721Received`, any other
/// function through `fallback`) counts the call and replays an armed call into the draw, such as
/// a second claim. Plain ETH transfers revert.
///
/// The reliability tests make this contract a winner and check that it ends with exactly one
/// badge and that `hookCalls` stays zero: minting a badge calls nothing on its holder.
contract TestHostileReceiver is IERC721Receiver {
    /// @notice The contract that the hooks call back into, usually the draw.
    address public immutable target;

    /// @notice Calls of any hook so far.
    uint256 public hookCalls;

    /// @notice Whether the last replayed call succeeded, and what it returned or reverted with.
    bool public lastReplaySucceeded;
    bytes public lastReplayResult;

    bytes private _replay;

    /// @param target_ The contract that the hooks call back into.
    constructor(address target_) {
        target = target_;
    }

    /// @notice Sets the call that every hook replays into `target`; empty to replay nothing.
    function arm(bytes calldata replay) external {
        _replay = replay;
    }

    /// @notice Calls `target` with `data` as this contract, for example to claim its own badge.
    function call(bytes calldata data) external returns (bytes memory) {
        (bool success, bytes memory result) = target.call(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
        return result;
    }

    /// @notice Counts the call, replays the armed call and accepts the token.
    function onERC721Received(address, address, uint256, bytes calldata) external returns (bytes4) {
        _hook();
        return IERC721Receiver.onERC721Received.selector;
    }

    /// @notice Counts any other call and replays the armed call.
    fallback() external {
        _hook();
    }

    /// @notice Rejects plain ETH, as a wallet that wants no gifts would.
    receive() external payable {
        revert("TestHostileReceiver: no ETH");
    }

    function _hook() private {
        ++hookCalls;
        if (_replay.length == 0) return;
        (lastReplaySucceeded, lastReplayResult) = target.call(_replay);
    }
}
