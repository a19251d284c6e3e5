// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICommitRevealSource, IRandomnessSource} from "../interfaces/IRandomnessSource.sol";
import {ISeedReceiver} from "../interfaces/ISeedReceiver.sol";

/// @title CommitRevealSource
/// @notice Randomness for chains without an oracle, such as a bank's consortium chain: the issuer
/// commits to a secret in the round manifest, and the seed mixes the secret with the hash of the
/// block after the request.
///
/// - Commit: the manifest carries `commitment = keccak256(abi.encode(block.chainid, draw,
///   roundId, secret))` ({commitmentOf}), fixed before anyone may request the seed.
/// - Request: {requestSeed} fixes the target block, the next one.
/// - Reveal: {reveal} is valid after the target block and while its hash is available, i.e. for
///   `targetBlock < block.number <= targetBlock + 256`. The seed is
///   `uint256(keccak256(abi.encode(secret, blockhash(targetBlock))))`.
/// - Failure: without a reveal by block `targetBlock + 256` the request lapses and the round has
///   failed for good; `BadgeDraw.roundState` reports it at once and anyone may call `expire`.
///
/// WARNING: the revealer sees the target block's hash, and therefore the seed, before revealing.
/// It cannot choose another seed (the commitment binds the secret and the block hash is fixed),
/// but it can withhold the secret and make the round fail, visibly. Issuers should publish their
/// reveal procedure so that a failed round is an incident, not an option.
///
/// WARNING: whoever produces the target block and also knows the secret could try several block
/// contents and keep a hash that yields a seed it likes. On a consortium chain this assumes that
/// the validators do not collude with the issuer, or that the issuer's secret is held by a party
/// separate from the validators.
contract CommitRevealSource is ICommitRevealSource {
    /// @notice Blocks after the target block during which its hash is available to the EVM.
    uint256 public constant BLOCKHASH_WINDOW = 256;

    address private immutable _draw;
    uint256 private _requestCount;
    mapping(uint256 requestId => Request) private _requests;

    /// @param draw_ The draw contract served for life.
    constructor(address draw_) {
        if (draw_.code.length == 0) revert RandomnessSourceInvalidDraw(draw_);
        _draw = draw_;
    }

    /// @inheritdoc IRandomnessSource
    /// @dev Request ids count from 1.
    function requestSeed(uint256 roundId, bytes32 commitment) external returns (uint256 requestId) {
        if (msg.sender != _draw) revert RandomnessSourceUnauthorizedCaller(msg.sender, _draw);

        requestId = ++_requestCount;
        uint256 targetBlock = block.number + 1;
        _requests[requestId] = Request({
            roundId: SafeCast.toUint64(roundId),
            targetBlock: uint64(targetBlock),
            revealed: false,
            commitment: commitment
        });
        emit SeedRequested(roundId, requestId);
        emit CommitRevealRequested(roundId, requestId, targetBlock);
    }

    /// @inheritdoc ICommitRevealSource
    function reveal(uint256 requestId, bytes32 secret) external returns (uint256 seed) {
        Request storage pending = _requests[requestId];
        uint256 targetBlock = pending.targetBlock;
        if (targetBlock == 0) revert CommitRevealUnknownRequest(requestId);
        if (pending.revealed) revert CommitRevealAlreadyRevealed(requestId);
        if (block.number <= targetBlock) revert CommitRevealTooEarly(requestId, targetBlock, block.number);
        if (block.number > targetBlock + BLOCKHASH_WINDOW) {
            revert CommitRevealTooLate(requestId, targetBlock + BLOCKHASH_WINDOW, block.number);
        }
        uint256 roundId = pending.roundId;
        bytes32 computed = _commitmentOf(roundId, secret);
        if (computed != pending.commitment) revert CommitRevealWrongSecret(requestId, pending.commitment, computed);

        // Within the window checked above, blockhash returns the real hash, never zero.
        bytes32 targetBlockHash = blockhash(targetBlock);
        seed = uint256(keccak256(abi.encode(secret, targetBlockHash)));
        pending.revealed = true;
        emit SecretRevealed(roundId, requestId, secret, targetBlockHash, seed);

        ISeedReceiver(_draw).deliverSeed(roundId, requestId, seed);
    }

    /// @inheritdoc IRandomnessSource
    function requestLapsed(uint256 requestId) external view returns (bool) {
        Request storage pending = _requests[requestId];
        uint256 targetBlock = pending.targetBlock;
        return targetBlock != 0 && !pending.revealed && block.number > targetBlock + BLOCKHASH_WINDOW;
    }

    /// @inheritdoc ICommitRevealSource
    function request(uint256 requestId) external view returns (Request memory) {
        return _requests[requestId];
    }

    /// @inheritdoc ICommitRevealSource
    function commitmentOf(uint256 roundId, bytes32 secret) external view returns (bytes32) {
        return _commitmentOf(roundId, secret);
    }

    /// @inheritdoc IRandomnessSource
    function draw() external view returns (address) {
        return _draw;
    }

    /// @inheritdoc IRandomnessSource
    function requiresCommitment() external pure returns (bool) {
        return true;
    }

    /// @inheritdoc IRandomnessSource
    /// @dev A second request would give the revealer a second seed to choose from.
    function allowsRetry() external pure returns (bool) {
        return false;
    }

    function _commitmentOf(uint256 roundId, bytes32 secret) private view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, _draw, roundId, secret));
    }
}
