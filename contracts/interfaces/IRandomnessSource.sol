// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IRandomnessSource
/// @notice A source of one random word per draw round, bound for life to one draw contract.
///
/// The draw calls {requestSeed} when a round's close time has passed; the source later calls
/// `ISeedReceiver.deliverSeed` on the draw with the word. A request that has lapsed
/// ({requestLapsed}) can no longer deliver, so at most one request per round is live at a time.
interface IRandomnessSource {
    /// @notice Only the bound draw contract `draw` may request seeds; `caller` tried.
    error RandomnessSourceUnauthorizedCaller(address caller, address draw);

    /// @notice The draw address given at construction has no code.
    error RandomnessSourceInvalidDraw(address draw);

    /// @notice Emitted when the source sent request `requestId` for round `roundId`.
    event SeedRequested(uint256 indexed roundId, uint256 indexed requestId);

    /// @notice Returns the draw contract that this source serves, fixed at construction.
    function draw() external view returns (address);

    /// @notice Returns whether rounds using this source must commit an issuer commitment.
    function requiresCommitment() external view returns (bool);

    /// @notice Returns whether a lapsed request may be replaced by exactly one new request.
    function allowsRetry() external view returns (bool);

    /// @notice Starts a request for the random word of round `roundId` and returns its id,
    /// which is never zero: the draw ignores deliveries for request id zero.
    /// @param commitment The issuer's commitment from the round manifest; zero when
    /// {requiresCommitment} is false.
    /// @dev Requirements: the caller is {draw}. Emits {SeedRequested}.
    function requestSeed(uint256 roundId, bytes32 commitment) external returns (uint256 requestId);

    /// @notice Returns whether request `requestId` has lapsed without delivering: it never will.
    /// Returns false for delivered and unknown requests.
    function requestLapsed(uint256 requestId) external view returns (bool);
}

/// @title IChainlinkVrfSource
/// @notice Chainlink VRF v2.5 (subscription method) as a randomness source: one word per request.
interface IChainlinkVrfSource is IRandomnessSource {
    /// @notice Why a fulfilment was not forwarded to the draw.
    enum FulfilmentIgnoredReason {
        /// The coordinator fulfilled a request id that this source never made.
        UnknownRequest,
        /// The request lapsed ({requestTimeout} after it was made) before the fulfilment came.
        RequestLapsed,
        /// The fulfilment carried no random word.
        NoRandomWord,
        /// The draw accepted an earlier fulfilment of the request; only the first one counts.
        AlreadyDelivered
    }

    /// @notice The subscription settings, fixed at construction.
    /// @param keyHash Gas lane of the VRF key to use (the coordinator's `keyHash`).
    /// @param subscriptionId VRF v2.5 subscription that pays for the requests.
    /// @param requestConfirmations Blocks the oracle waits before answering.
    /// @param callbackGasLimit Gas the coordinator forwards to the callback.
    /// @param nativePayment True to pay in the chain's native token, false to pay in LINK.
    struct VrfConfig {
        bytes32 keyHash;
        uint256 subscriptionId;
        uint16 requestConfirmations;
        uint32 callbackGasLimit;
        bool nativePayment;
    }

    /// @notice The draw must own this source before it can request: a different owner could
    /// replace the coordinator. Call `BadgeDraw.acceptSourceOwnership` first.
    error VrfSourceNotOwnedByDraw(address owner, address draw);

    /// @notice The configuration is unusable: zero key hash or subscription, or a callback gas
    /// limit below `minimumCallbackGasLimit`.
    error VrfSourceInvalidConfig(bytes32 keyHash, uint256 subscriptionId, uint32 callbackGasLimit, uint32 minimumCallbackGasLimit);

    /// @notice Emitted when a fulfilment reached the source but was not forwarded to the draw.
    event VrfFulfilmentIgnored(uint256 indexed requestId, FulfilmentIgnoredReason reason);

    /// @notice Emitted when the draw reverted on a forwarded seed; `reason` is its revert data.
    /// The callback still succeeds, as the coordinator expects, and the request stays
    /// undelivered, so it lapses and the round may retry.
    event VrfSeedDeliveryFailed(uint256 indexed requestId, uint256 indexed roundId, bytes reason);

    /// @notice Returns the subscription settings used for every request.
    function config() external view returns (VrfConfig memory);

    /// @notice Returns the round of request `requestId`, when it was made (unix time, zero when
    /// unknown) and whether the draw accepted a seed for it.
    function request(uint256 requestId) external view returns (uint256 roundId, uint256 requestedAt, bool delivered);

    /// @notice Returns the seconds after which an undelivered request lapses: 25 hours, one more
    /// than the 24 hours after which Chainlink's oracles drop a pending request.
    function requestTimeout() external view returns (uint256);
}

/// @title ICommitRevealSource
/// @notice Randomness for chains without an oracle: the issuer commits to a secret in the round
/// manifest, and the seed mixes that secret with the hash of the block after the request.
interface ICommitRevealSource is IRandomnessSource {
    /// @notice A request as stored.
    /// @param roundId Round that the request serves.
    /// @param targetBlock Block whose hash enters the seed: the block after the request.
    /// @param commitment `keccak256(abi.encode(block.chainid, draw, roundId, secret))`.
    /// @param revealed True once the secret was revealed and the seed delivered.
    struct Request {
        uint64 roundId;
        uint64 targetBlock;
        bool revealed;
        bytes32 commitment;
    }

    /// @notice No request has id `requestId`.
    error CommitRevealUnknownRequest(uint256 requestId);

    /// @notice The secret of `requestId` was revealed already.
    error CommitRevealAlreadyRevealed(uint256 requestId);

    /// @notice The reveal must come after block `targetBlock` is mined.
    error CommitRevealTooEarly(uint256 requestId, uint256 targetBlock, uint256 currentBlock);

    /// @notice The hash of the target block is no longer available after block `lastBlock`
    /// (target + 256): the round has failed.
    error CommitRevealTooLate(uint256 requestId, uint256 lastBlock, uint256 currentBlock);

    /// @notice The secret does not open the commitment: `computed` differs from `commitment`.
    error CommitRevealWrongSecret(uint256 requestId, bytes32 commitment, bytes32 computed);

    /// @notice Emitted with the target block of request `requestId` of round `roundId`.
    event CommitRevealRequested(uint256 indexed roundId, uint256 indexed requestId, uint256 targetBlock);

    /// @notice Emitted when the secret of `requestId` was revealed; `seed` went to the draw.
    event SecretRevealed(
        uint256 indexed roundId, uint256 indexed requestId, bytes32 secret, bytes32 targetBlockHash, uint256 seed
    );

    /// @notice Reveals the secret of request `requestId` and delivers the seed to the draw.
    /// @dev Requirements: the request exists and is not revealed; `targetBlock < block.number
    /// <= targetBlock + 256`; `secret` opens the commitment. Callable by anyone who knows the
    /// secret. Emits {SecretRevealed}.
    function reveal(uint256 requestId, bytes32 secret) external returns (uint256 seed);

    /// @notice Returns request `requestId` as stored (all zero when unknown).
    function request(uint256 requestId) external view returns (Request memory);

    /// @notice Returns the commitment that the issuer must put in the manifest of `roundId` for
    /// `secret` on this chain and this source's draw.
    function commitmentOf(uint256 roundId, bytes32 secret) external view returns (bytes32);
}
