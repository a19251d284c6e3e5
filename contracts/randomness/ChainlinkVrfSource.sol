// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {VRFConsumerBaseV2Plus} from "@chainlink/contracts/src/v0.8/vrf/dev/VRFConsumerBaseV2Plus.sol";
import {VRFV2PlusClient} from "@chainlink/contracts/src/v0.8/vrf/dev/libraries/VRFV2PlusClient.sol";

import {IChainlinkVrfSource, IRandomnessSource} from "../interfaces/IRandomnessSource.sol";
import {ISeedReceiver} from "../interfaces/ISeedReceiver.sol";

/// @title ChainlinkVrfSource
/// @notice Chainlink VRF v2.5 as the randomness source of one draw contract: a subscription
/// consumer that asks for one random word per request and forwards it to the draw.
///
/// Usage: deploy with the coordinator, the draw and the subscription settings; add this contract
/// as a consumer of the subscription; call `BadgeDraw.acceptSourceOwnership` and then
/// `BadgeDraw.allowRandomnessSource`.
///
/// Security considerations:
/// - Chainlink's consumer base lets its owner replace the coordinator (`setCoordinator`). An
///   owner could then block one fulfilment and, once the request lapsed, obtain a second word.
///   The constructor therefore proposes the draw as owner, and {requestSeed} refuses to run
///   until the draw has accepted. The draw never calls an owner-only function, so afterwards only
///   the coordinator itself (Chainlink's migration) can change it. Before the first request,
///   check `s_vrfCoordinator` against Chainlink's published coordinator address: the deployer
///   was owner until the draw accepted.
/// - The callback never reverts once the coordinator's address is checked: unknown, repeated or
///   lapsed fulfilments and a failing draw are recorded with events. A reverting callback would
///   consume the request and leave the round waiting for the timeout.
/// - A request lapses {REQUEST_TIMEOUT} after it was made, later than the 24 hours after which
///   Chainlink drops it; a lapsed request is never forwarded, so at most one request per round
///   can still deliver at any time.
contract ChainlinkVrfSource is IChainlinkVrfSource, VRFConsumerBaseV2Plus {
    /// @notice Seconds after which an undelivered request lapses.
    uint256 public constant REQUEST_TIMEOUT = 25 hours;

    /// @notice Least callback gas limit accepted. The callback, including the draw's
    /// `deliverSeed`, used 23,372 gas in a forge trace (solc 0.8.28, 10,000 optimizer runs), the
    /// same for 100 and for 1,000,000 entrants; the rest is margin.
    uint32 public constant MIN_CALLBACK_GAS_LIMIT = 100_000;

    /// @dev A request in one slot. `roundId` is an edition id (below 256), so 64 bits are plenty.
    struct Request {
        uint64 roundId;
        uint40 requestedAt;
        bool delivered;
    }

    address private immutable _draw;
    bytes32 private immutable _keyHash;
    uint256 private immutable _subscriptionId;
    uint16 private immutable _requestConfirmations;
    uint32 private immutable _callbackGasLimit;
    bool private immutable _nativePayment;

    mapping(uint256 requestId => Request) private _requests;

    /// @param vrfCoordinator The chain's VRF v2.5 coordinator.
    /// @param draw_ The draw contract served for life; it becomes this contract's owner.
    /// @param config_ Subscription settings, fixed for life: deploy a new source to change them.
    constructor(address vrfCoordinator, address draw_, VrfConfig memory config_)
        VRFConsumerBaseV2Plus(vrfCoordinator)
    {
        if (draw_.code.length == 0) revert RandomnessSourceInvalidDraw(draw_);
        if (
            config_.keyHash == 0 || config_.subscriptionId == 0
                || config_.callbackGasLimit < MIN_CALLBACK_GAS_LIMIT
        ) {
            revert VrfSourceInvalidConfig(
                config_.keyHash, config_.subscriptionId, config_.callbackGasLimit, MIN_CALLBACK_GAS_LIMIT
            );
        }
        _draw = draw_;
        _keyHash = config_.keyHash;
        _subscriptionId = config_.subscriptionId;
        _requestConfirmations = config_.requestConfirmations;
        _callbackGasLimit = config_.callbackGasLimit;
        _nativePayment = config_.nativePayment;

        // The draw completes the two-step handover with BadgeDraw.acceptSourceOwnership.
        transferOwnership(draw_);
    }

    /// @inheritdoc IRandomnessSource
    function requestSeed(uint256 roundId, bytes32) external returns (uint256 requestId) {
        if (msg.sender != _draw) revert RandomnessSourceUnauthorizedCaller(msg.sender, _draw);
        address currentOwner = owner();
        if (currentOwner != _draw) revert VrfSourceNotOwnedByDraw(currentOwner, _draw);

        requestId = s_vrfCoordinator.requestRandomWords(
            VRFV2PlusClient.RandomWordsRequest({
                keyHash: _keyHash,
                subId: _subscriptionId,
                requestConfirmations: _requestConfirmations,
                callbackGasLimit: _callbackGasLimit,
                numWords: 1,
                extraArgs: VRFV2PlusClient._argsToBytes(VRFV2PlusClient.ExtraArgsV1({nativePayment: _nativePayment}))
            })
        );
        _requests[requestId] = Request({
            roundId: SafeCast.toUint64(roundId),
            requestedAt: uint40(block.timestamp),
            delivered: false
        });
        emit SeedRequested(roundId, requestId);
    }

    /// @inheritdoc IRandomnessSource
    function requestLapsed(uint256 requestId) external view returns (bool) {
        Request memory pending = _requests[requestId];
        return pending.requestedAt != 0 && !pending.delivered
            && block.timestamp >= pending.requestedAt + REQUEST_TIMEOUT;
    }

    /// @inheritdoc IRandomnessSource
    function draw() external view returns (address) {
        return _draw;
    }

    /// @inheritdoc IRandomnessSource
    function requiresCommitment() external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IRandomnessSource
    function allowsRetry() external pure returns (bool) {
        return true;
    }

    /// @inheritdoc IChainlinkVrfSource
    function config() external view returns (VrfConfig memory) {
        return VrfConfig({
            keyHash: _keyHash,
            subscriptionId: _subscriptionId,
            requestConfirmations: _requestConfirmations,
            callbackGasLimit: _callbackGasLimit,
            nativePayment: _nativePayment
        });
    }

    /// @inheritdoc IChainlinkVrfSource
    function request(uint256 requestId) external view returns (uint256 roundId, uint256 requestedAt, bool delivered) {
        Request memory pending = _requests[requestId];
        return (pending.roundId, pending.requestedAt, pending.delivered);
    }

    /// @inheritdoc IChainlinkVrfSource
    function requestTimeout() external pure returns (uint256) {
        return REQUEST_TIMEOUT;
    }

    /// @dev Called by `rawFulfillRandomWords` after it checked that the caller is the coordinator.
    /// Never reverts: see the contract's security considerations.
    function fulfillRandomWords(uint256 requestId, uint256[] calldata randomWords) internal override {
        Request memory pending = _requests[requestId];
        // slither-disable-next-line incorrect-equality (zero marks an id this source never requested)
        if (pending.requestedAt == 0) return _ignore(requestId, FulfilmentIgnoredReason.UnknownRequest);
        if (pending.delivered) return _ignore(requestId, FulfilmentIgnoredReason.AlreadyDelivered);
        if (block.timestamp >= pending.requestedAt + REQUEST_TIMEOUT) {
            return _ignore(requestId, FulfilmentIgnoredReason.RequestLapsed);
        }
        if (randomWords.length == 0) return _ignore(requestId, FulfilmentIgnoredReason.NoRandomWord);

        // A delivery that reverts leaves the request undelivered, so that it can lapse and the
        // round can retry. The draw's deliverSeed uses the same gas for every round size, and
        // the constructor enforces a callback gas limit well above it, so running out of gas
        // here is a configuration error rather than something a caller can arrange.
        // slither-disable-next-line reentrancy-no-eth (the immutable draw's deliverSeed makes no external call)
        try ISeedReceiver(_draw).deliverSeed(pending.roundId, requestId, randomWords[0]) {
            _requests[requestId].delivered = true;
        } catch (bytes memory reason) {
            emit VrfSeedDeliveryFailed(requestId, pending.roundId, reason);
        }
    }

    function _ignore(uint256 requestId, FulfilmentIgnoredReason reason) private {
        emit VrfFulfilmentIgnored(requestId, reason);
    }
}
