// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRandomnessSource} from "../interfaces/IRandomnessSource.sol";
import {ISeedReceiver} from "../interfaces/ISeedReceiver.sol";

/// @title TestReentrantRandomnessSource
/// @notice TEST ONLY. A randomness source that calls back into its draw from inside
/// {requestSeed}, before the draw has recorded the request id. The admin must allow-list it, so
/// it models a source that turned hostile, not an outsider: such a source already chooses the
/// seed, and the reliability tests check that reentering gives it nothing more (no second seed,
/// no badge beyond the reserved serials, no claim for a loser).
///
/// `arm(data)` sets the call that the next {requestSeed} makes into the draw, once; the outcome
/// is kept in `reentrySucceeded` and `reentryResult`. {deliver} plays the honest answer later.
contract TestReentrantRandomnessSource is IRandomnessSource {
    address public immutable draw;

    /// @notice What {requestLapsed} reports for every request.
    bool public lapsed;

    /// @notice The id that the next {requestSeed} returns; ids count from 1.
    uint256 public nextRequestId = 1;

    /// @notice Outcome of the last reentrant call.
    bool public reentrySucceeded;
    bytes public reentryResult;

    bytes private _reentry;

    /// @param draw_ The draw contract served.
    constructor(address draw_) {
        draw = draw_;
    }

    /// @notice Sets the call into the draw that the next {requestSeed} makes.
    function arm(bytes calldata reentry) external {
        _reentry = reentry;
    }

    /// @notice Sets what {requestLapsed} reports.
    function setLapsed(bool value) external {
        lapsed = value;
    }

    /// @inheritdoc IRandomnessSource
    function requestSeed(uint256 roundId, bytes32) external returns (uint256 requestId) {
        if (msg.sender != draw) revert RandomnessSourceUnauthorizedCaller(msg.sender, draw);
        requestId = nextRequestId++;
        emit SeedRequested(roundId, requestId);

        bytes memory reentry = _reentry;
        if (reentry.length != 0) {
            delete _reentry;
            (reentrySucceeded, reentryResult) = draw.call(reentry);
        }
    }

    /// @notice Delivers `seed` for `requestId` of `roundId`, as an honest source would later.
    function deliver(uint256 roundId, uint256 requestId, uint256 seed) external {
        ISeedReceiver(draw).deliverSeed(roundId, requestId, seed);
    }

    /// @inheritdoc IRandomnessSource
    function requestLapsed(uint256) external view returns (bool) {
        return lapsed;
    }

    /// @inheritdoc IRandomnessSource
    function requiresCommitment() external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IRandomnessSource
    function allowsRetry() external pure returns (bool) {
        return true;
    }
}
