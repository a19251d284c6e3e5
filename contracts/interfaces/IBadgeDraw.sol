// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ISeedReceiver} from "./ISeedReceiver.sol";

/// @title IBadgeDraw
/// @notice Verifiable draws that pick the winners of a badge edition among learners who became
/// eligible off chain (the "lazy Merkle raffle"): nothing that grows with the number of entrants
/// ever runs on chain.
///
/// One round per edition (`roundId = editionId`). A round has 1 to 8 pools, one per eligibility
/// channel. For each pool the issuer publishes a file of entrants (row `i` = entrant index `i`)
/// and commits its Merkle root, its entrant count N and its winner count K. Once a random word
/// (the seed) is delivered, entrant `i` of pool `p` wins iff `P_p(i) < K`, where `P_p` is the
/// keyed permutation of `FeistelShuffle` (algorithm id 1); its serial is the pool's first serial
/// plus that rank. Winners, or anyone on their behalf, claim with a Merkle proof.
///
/// Entrant leaves are those of OpenZeppelin's StandardMerkleTree over `['uint256', 'address']`
/// values `[index, account]`: `keccak256(bytes.concat(keccak256(abi.encode(index, account))))`.
///
/// Round life cycle: `Committed` (manifest fixed; `commitRound` reserved the serials) →
/// `Requested` (anyone, once the close time has passed) → `Seeded` (the source delivered) or
/// `Failed` (the request lapsed and no retry remains). The manifest never changes after the commit,
/// and a round receives at most one seed.
///
/// Every round can be rebuilt from the events of this contract: {RoundCommitted} and
/// {PoolCommitted} give the manifest, {RandomnessRequested} and {SeedDelivered} the seed,
/// {BadgeClaimed} each issued badge. Errors and events are documented here once.
interface IBadgeDraw is ISeedReceiver {
    // ---------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------

    /// @notice Life cycle of a round; see the contract notice.
    enum RoundState {
        None,
        Committed,
        Requested,
        Seeded,
        Failed
    }

    /// @notice Why a delivered seed changed nothing.
    enum SeedIgnoredReason {
        /// The round was seeded by an earlier delivery.
        AlreadySeeded,
        /// The round failed before the delivery.
        RoundFailed,
        /// The request id is not the round's current request, or the round never requested.
        UnknownRequest
    }

    /// @notice Why a batch claim skipped an item.
    enum ClaimSkipReason {
        /// The pool number is not below the round's pool count.
        PoolUnknown,
        /// The index is not below the pool's entrant count.
        IndexOutOfRange,
        /// The entrant's rank is not below the pool's winner count.
        NotWinner,
        /// The account is the zero address.
        InvalidAccount,
        /// The Merkle proof does not prove `[index, account]` in the pool's tree.
        InvalidProof,
        /// The holder (the account, or its successor after a recovery) already received the edition.
        AlreadyIssued,
        /// The holder's badge of the edition was revoked, so it cannot receive it again.
        HolderRevoked
    }

    /// @notice One pool of a manifest, as the issuer commits it.
    /// @param root Merkle root of the pool's entrant tree.
    /// @param entrants Entrant count N, `1 <= N < 2^32`.
    /// @param winners Winner count K, `1 <= K <= N`.
    struct PoolManifest {
        bytes32 root;
        uint32 entrants;
        uint32 winners;
    }

    /// @notice What the issuer commits for a round.
    /// @param closeTime Unix time from which anyone may request the seed. It leaves entrants
    /// time to check the published files; it must not be after the edition's issue window closes.
    /// @param algorithm Winner selection algorithm; only 1 (FeistelShuffle) exists.
    /// @param entrantsSha256 sha256 of the published entrant files (one archive or index document).
    /// @param entrantsURI Where the entrant files are published.
    /// @param randomnessSource Allow-listed source that delivers the seed.
    /// @param commitment The issuer's commitment for a commit–reveal source; zero for others.
    /// @param pools One to eight pools; pool `p` gets serials after those of pools `0..p-1`.
    struct RoundManifest {
        uint40 closeTime;
        uint8 algorithm;
        bytes32 entrantsSha256;
        string entrantsURI;
        address randomnessSource;
        bytes32 commitment;
        PoolManifest[] pools;
    }

    /// @notice A round as stored, for views.
    /// @param state Current state; `Failed` as soon as the round can no longer be seeded, even
    /// before anyone called {expire}.
    /// @param firstSerial First serial of the block reserved for the round.
    /// @param winners Sum of the pools' winner counts: the size of the reserved block.
    /// @param attempts Randomness requests made so far (0, 1 or 2).
    /// @param requestIds Ids of the first and second request (zero when not made).
    /// @param permutationKey Key derived from the seed (zero before the round is seeded).
    struct RoundView {
        RoundState state;
        uint40 closeTime;
        uint8 algorithm;
        uint8 poolCount;
        uint32 firstSerial;
        uint32 winners;
        bytes32 entrantsSha256;
        string entrantsURI;
        address randomnessSource;
        bytes32 commitment;
        uint8 attempts;
        uint256[2] requestIds;
        uint128 permutationKey;
    }

    /// @notice A pool as stored, for views.
    /// @param firstSerial Serial of the pool's rank-0 winner.
    struct PoolView {
        bytes32 root;
        uint32 entrants;
        uint32 winners;
        uint32 firstSerial;
    }

    /// @notice One item of {claimBatch}.
    struct Claim {
        uint256 pool;
        uint256 index;
        address account;
        bytes32[] proof;
    }

    /// @notice One leaf of {claimMultiProof}.
    struct Entrant {
        uint256 index;
        address account;
    }

    // ---------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------

    /// @notice The series address given at construction has no code.
    error DrawInvalidSeries(address series);

    /// @notice Round `roundId` was committed before; a round's manifest is fixed for good.
    error DrawRoundExists(uint256 roundId);

    /// @notice A round needs between 1 and `maxPools` pools.
    error DrawInvalidPoolCount(uint256 poolCount, uint256 maxPools);

    /// @notice Pool `pool` of the manifest has a zero Merkle root.
    error DrawZeroRoot(uint256 pool);

    /// @notice Pool `pool` of the manifest needs `1 <= entrants < 2^32`.
    error DrawInvalidEntrantCount(uint256 pool, uint256 entrants);

    /// @notice Pool `pool` of the manifest needs `1 <= winners <= entrants`.
    error DrawInvalidWinnerCount(uint256 pool, uint256 winners, uint256 entrants);

    /// @notice Only algorithm id 1 (FeistelShuffle) exists.
    error DrawUnknownAlgorithm(uint256 algorithm);

    /// @notice The manifest needs the sha256 and the URI of the published entrant files.
    error DrawMissingEntrantsFile(bytes32 entrantsSha256, uint256 uriLength);

    /// @notice `source` is not on the allow-list of randomness sources.
    error DrawSourceNotAllowed(address source);

    /// @notice `source` serves the draw contract `boundDraw`, not this one.
    error DrawSourceNotBound(address source, address boundDraw);

    /// @notice `source` needs an issuer commitment in the manifest, and the manifest has none.
    error DrawMissingCommitment(address source);

    /// @notice `source` takes no issuer commitment, and the manifest has one.
    error DrawUnexpectedCommitment(address source, bytes32 commitment);

    /// @notice The round's close time falls after the edition's issue window closes, so no
    /// winner could claim.
    error DrawCloseAfterEdition(uint256 roundId, uint256 closeTime, uint256 editionClosesAt);

    /// @notice The round is in `state`, and the call needs a round that is `Seeded`.
    error DrawRoundNotSeeded(uint256 roundId, RoundState state);

    /// @notice Randomness can be requested for a `Committed` round, or again for a `Requested`
    /// round whose request lapsed while a retry remains; the round is in `state`.
    error DrawRoundNotRequestable(uint256 roundId, RoundState state);

    /// @notice The seed may be requested from `closeTime` on.
    error DrawRoundNotClosed(uint256 roundId, uint256 closeTime, uint256 currentTime);

    /// @notice Request `requestId` of the round is still live: wait for it, or for it to lapse.
    error DrawRequestPending(uint256 roundId, uint256 requestId);

    /// @notice The round's request lapsed and no retry remains: call {expire}.
    error DrawNoRetryLeft(uint256 roundId, uint256 attempts);

    /// @notice {expire} needs a round whose last request lapsed with no retry left; the round
    /// is in `state` and `retryAvailable` says whether {requestRandomness} may still retry.
    error DrawRoundNotExpirable(uint256 roundId, RoundState state, bool retryAvailable);

    /// @notice Only the round's randomness source `source` may deliver its seed; `caller` tried.
    error DrawUnauthorizedSource(uint256 roundId, address caller, address source);

    /// @notice Pool `pool` does not exist in the round, which has `poolCount` pools.
    error DrawPoolUnknown(uint256 roundId, uint256 pool, uint256 poolCount);

    /// @notice Entrant `index` does not exist in the pool, which has `entrants` entrants.
    error DrawIndexOutOfRange(uint256 roundId, uint256 pool, uint256 index, uint256 entrants);

    /// @notice Rank `rank` does not exist in the pool, which has `winners` winners.
    error DrawRankOutOfRange(uint256 roundId, uint256 pool, uint256 rank, uint256 winners);

    /// @notice Entrant `index` drew rank `rank`, which is not below the winner count `winners`.
    error DrawNotWinner(uint256 roundId, uint256 pool, uint256 index, uint256 rank, uint256 winners);

    /// @notice The Merkle proof does not prove leaf `[index, account]` in the pool's tree.
    error DrawInvalidProof(uint256 roundId, uint256 pool, uint256 index, address account);

    /// @notice The multiproof does not prove the given leaves in the pool's tree.
    error DrawInvalidMultiProof(uint256 roundId, uint256 pool, uint256 leafCount);

    /// @notice `holder` (the claimed account, or its successor after a recovery) already
    /// received the badge of edition `roundId`: each entrant and each holder gets it at most once.
    error DrawAlreadyIssued(uint256 roundId, address holder);

    /// @notice `holder`'s badge of edition `roundId` was revoked; it cannot receive it again.
    error DrawHolderRevoked(uint256 roundId, address holder);

    /// @notice A batch needs at least one item.
    error DrawEmptyBatch();

    /// @notice A batch holds at most `maxItems` items.
    error DrawBatchTooLarge(uint256 items, uint256 maxItems);

    /// @notice Packed multiproof flags must have `expected` bytes: one bit per hashing step.
    error DrawInvalidProofFlags(uint256 length, uint256 expected);

    // ---------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------

    /// @notice Emitted when the admin added `source` to the allow-list.
    event RandomnessSourceAllowed(address indexed source);

    /// @notice Emitted when the admin removed `source` from the allow-list. Rounds committed
    /// with it keep using it.
    event RandomnessSourceDisallowed(address indexed source);

    /// @notice Emitted when round `roundId` was committed; one {PoolCommitted} per pool follows.
    /// Serials `firstSerial .. firstSerial + winners - 1` are reserved for it.
    event RoundCommitted(
        uint256 indexed roundId,
        uint40 closeTime,
        uint8 algorithm,
        bytes32 entrantsSha256,
        string entrantsURI,
        address indexed randomnessSource,
        bytes32 commitment,
        uint256 poolCount,
        uint256 firstSerial,
        uint256 winners
    );

    /// @notice Emitted for each pool of a committed round.
    event PoolCommitted(
        uint256 indexed roundId, uint256 pool, bytes32 root, uint256 entrants, uint256 winners, uint256 firstSerial
    );

    /// @notice Emitted when the round's seed was requested; `attempt` is 1, or 2 for the retry.
    event RandomnessRequested(uint256 indexed roundId, address indexed source, uint256 requestId, uint256 attempt);

    /// @notice Emitted when `seed` answered `requestId` and fixed the round's winners.
    event SeedDelivered(uint256 indexed roundId, uint256 requestId, uint256 seed);

    /// @notice Emitted when a delivered seed was ignored; the round is unchanged.
    event SeedIgnored(uint256 indexed roundId, uint256 requestId, uint256 seed, SeedIgnoredReason reason);

    /// @notice Emitted when the round was marked failed: its last request `requestId` lapsed.
    event RoundFailed(uint256 indexed roundId, uint256 requestId);

    /// @notice Emitted for each badge issued by a claim. `tokenId = roundId << 160 | holder`;
    /// the holder differs from `account` only when `account` was replaced through recovery.
    event BadgeClaimed(
        uint256 indexed roundId, uint256 pool, uint256 index, address indexed account, uint256 serial, uint256 tokenId
    );

    /// @notice Emitted for each item that a batch claim skipped; nothing was issued for it.
    event ClaimSkipped(uint256 indexed roundId, uint256 pool, uint256 index, address account, ClaimSkipReason reason);

    // ---------------------------------------------------------------------------------------
    // Administration
    // ---------------------------------------------------------------------------------------

    /// @notice Adds `source` to the allow-list of randomness sources.
    /// @dev Requirements: caller has DEFAULT_ADMIN_ROLE; `source` is bound to this contract.
    /// Emits {RandomnessSourceAllowed}.
    function allowRandomnessSource(address source) external;

    /// @notice Removes `source` from the allow-list; committed rounds keep using it.
    /// @dev Requirements: caller has DEFAULT_ADMIN_ROLE. Emits {RandomnessSourceDisallowed}.
    function disallowRandomnessSource(address source) external;

    /// @notice Accepts the ownership of a randomness source that proposed this contract as its
    /// owner (Chainlink's two-step `ConfirmedOwner`). This contract never calls anything that
    /// only an owner may call, so once it owns a VRF source, nobody can replace that source's
    /// coordinator except the coordinator itself (Chainlink's migration).
    /// @dev Requirements: caller has DEFAULT_ADMIN_ROLE.
    function acceptSourceOwnership(address source) external;

    /// @notice Returns whether `source` is on the allow-list.
    function isRandomnessSourceAllowed(address source) external view returns (bool);

    /// @notice Returns the badge series that this draw reserves serials in and mints on.
    function series() external view returns (address);

    // ---------------------------------------------------------------------------------------
    // Rounds
    // ---------------------------------------------------------------------------------------

    /// @notice Commits the manifest of round `roundId` (= edition id) and reserves its serials.
    /// @dev Requirements: caller has ISSUER_ROLE; no round `roundId` yet; 1 to 8 pools, each with
    /// a non-zero root and `1 <= winners <= entrants`; algorithm 1; entrant file hash and URI;
    /// an allow-listed source, with a commitment iff the source requires one; close time not
    /// after the edition closes; the edition's remaining supply covers the sum of the winners
    /// (`IBadgeSeries.reserveSerials` reverts otherwise). Emits {RoundCommitted} and one
    /// {PoolCommitted} per pool.
    function commitRound(uint256 roundId, RoundManifest calldata manifest) external returns (uint256 firstSerial);

    /// @notice Requests the round's seed from its source and returns the request id. Callable
    /// by anyone once the close time has passed. When the request lapses undelivered and the
    /// source allows a retry (Chainlink VRF, after 25 hours), exactly one more request is possible.
    /// @dev Requirements: the round is `Committed` and `block.timestamp >= closeTime`, or it is
    /// `Requested`, its request lapsed and no retry was made yet. Emits {RandomnessRequested}.
    function requestRandomness(uint256 roundId) external returns (uint256 requestId);

    /// @notice Marks the round failed once its last request lapsed with no retry left. Callable
    /// by anyone; {roundState} reports `Failed` already before this call.
    /// @dev Emits {RoundFailed}.
    function expire(uint256 roundId) external;

    /// @notice Returns the round's state, reporting `Failed` as soon as the round can no longer
    /// be seeded.
    function roundState(uint256 roundId) external view returns (RoundState);

    /// @notice Returns round `roundId` as stored, with its current state.
    function getRound(uint256 roundId) external view returns (RoundView memory);

    /// @notice Returns pool `pool` of round `roundId`.
    /// @dev Reverts with {DrawPoolUnknown} when the round has no such pool.
    function getPool(uint256 roundId, uint256 pool) external view returns (PoolView memory);

    // ---------------------------------------------------------------------------------------
    // Winners
    // ---------------------------------------------------------------------------------------

    /// @notice Returns whether entrant `index` of the pool won, and its rank `P(index)`.
    /// @dev Requirements: the round is `Seeded`; the pool exists; `index < entrants`.
    function isWinner(uint256 roundId, uint256 pool, uint256 index) external view returns (bool won, uint256 rank);

    /// @notice Returns the entrant index of the winner of rank `rank` (0-based), `P^-1(rank)`.
    /// @dev Requirements: the round is `Seeded`; the pool exists; `rank < winners`.
    function nthWinner(uint256 roundId, uint256 pool, uint256 rank) external view returns (uint256 index);

    /// @notice Returns the serial that entrant `index` receives when it claims.
    /// @dev Requirements: as {isWinner}, and the entrant won ({DrawNotWinner} otherwise).
    function serialOf(uint256 roundId, uint256 pool, uint256 index) external view returns (uint256 serial);

    /// @notice Returns `P(index)` for an arbitrary seed, pool number and entrant count, so that
    /// other implementations can check parity with the contract.
    /// @dev Requirements: `1 <= entrants < 2^32` and `index < entrants`.
    function permute(uint256 seed, uint256 pool, uint256 entrants, uint256 index) external pure returns (uint256 rank);

    /// @notice Returns `P^-1(rank)` for an arbitrary seed, pool number and entrant count.
    /// @dev Requirements: `1 <= entrants < 2^32` and `rank < entrants`.
    function unpermute(uint256 seed, uint256 pool, uint256 entrants, uint256 rank)
        external
        pure
        returns (uint256 index);

    // ---------------------------------------------------------------------------------------
    // Claims
    // ---------------------------------------------------------------------------------------

    /// @notice Issues the badge of winner `[index, account]` of the pool to `account` (or to the
    /// account that replaced it through recovery) and returns the token id. Callable by anyone.
    /// @dev Requirements: the round is `Seeded`; the pool exists; `index < entrants`; the entrant
    /// won; `proof` proves the leaf; the holder never received the edition and was not revoked
    /// for it; the series accepts issuance (not paused, within the edition's window).
    /// Emits {BadgeClaimed}, and the series' `Transfer` and `Locked`.
    function claim(uint256 roundId, uint256 pool, uint256 index, address account, bytes32[] calldata proof)
        external
        returns (uint256 tokenId);

    /// @notice Issues the badges of up to 256 winners, each with its own proof, and returns how
    /// many were issued. Items that cannot be issued are skipped with {ClaimSkipped}, so
    /// re-running a batch after a crash issues nothing twice.
    /// @dev Requirements: the round is `Seeded`; at least one item; the series accepts issuance.
    /// Emits {BadgeClaimed} or {ClaimSkipped} per item.
    function claimBatch(uint256 roundId, Claim[] calldata claims) external returns (uint256 issued);

    /// @notice Issues the badges of several winners of one pool with one OpenZeppelin
    /// multiproof, which needs fewer sibling hashes than one proof per leaf. Returns how many
    /// were issued.
    /// @dev `entrants` must be in the order of the leaves of `@openzeppelin/merkle-tree`'s
    /// `getMultiProof`. `proofFlags` packs OpenZeppelin's boolean flags one bit each, flag i in
    /// bit `i % 8` of byte `i / 8`: `entrants.length + proof.length - 1` flags, so calldata pays
    /// a bit instead of a 32-byte word per hashing step. Requirements: the round is `Seeded`;
    /// the pool exists; 1 to 256 entrants; flags of the right length; the multiproof proves all
    /// leaves ({DrawInvalidMultiProof} otherwise, issuing nothing). Other bad items are skipped
    /// with {ClaimSkipped}.
    function claimMultiProof(
        uint256 roundId,
        uint256 pool,
        Entrant[] calldata entrants,
        bytes32[] calldata proof,
        bytes calldata proofFlags
    ) external returns (uint256 issued);
}
