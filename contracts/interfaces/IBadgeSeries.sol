// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IBadgeSeries
/// @notice A series of limited editions of soulbound (non-transferable) ERC-721 badges.
///
/// Token ids carry their holder: `tokenId = editionId << 160 | uint160(holder)`. A badge never
/// changes owner, so the id of a badge is fixed by what it is (edition) and who holds it, and
/// "does `holder` have edition `e`" is a question about one bit.
///
/// Serial numbers run from 1 to the edition's cap. The series allocates them in order: a direct
/// issue takes the next serial (`BadgesIssued` states the first serial of each call, and the
/// call's mints follow in log order), and a draw contract reserves a block of serials when it
/// commits a round (`SerialsReserved`) and later assigns each winner one serial from its block.
///
/// Every holder, serial and counter can be rebuilt from the logs of the series and of its draw
/// contracts; errors and events are documented here once.
interface IBadgeSeries {
    // ---------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------

    /// @notice What the issuer supplies to create an edition.
    /// @param name Display name, both languages in one string, e.g. "夏至 Summer Solstice".
    /// @param cap Maximum number of badges of the edition (serials 1..cap), at least 1.
    /// @param opensAt First second (unix time) at which badges of the edition may be issued.
    /// @param closesAt Last second (unix time) at which badges may be issued; after `opensAt`.
    /// @param metadataURI URI of the edition's metadata JSON, returned by `tokenURI`.
    /// @param artworkSha256 sha256 of the artwork file that the metadata points to.
    /// @param metadataSha256 sha256 of the metadata JSON document at `metadataURI`.
    struct EditionConfig {
        string name;
        uint32 cap;
        uint40 opensAt;
        uint40 closesAt;
        string metadataURI;
        bytes32 artworkSha256;
        bytes32 metadataSha256;
    }

    /// @notice An edition as stored, with its counters.
    /// @param allocated Serials handed out so far: direct issues plus blocks reserved by draws.
    /// @param issued Badges minted so far, including those revoked or moved by recovery later.
    /// @param revoked Badges revoked so far. Badges in circulation: `issued - revoked`.
    /// @param frozen True once the metadata can no longer change.
    struct Edition {
        string name;
        uint32 cap;
        uint32 allocated;
        uint32 issued;
        uint32 revoked;
        uint40 opensAt;
        uint40 closesAt;
        bool frozen;
        string metadataURI;
        bytes32 artworkSha256;
        bytes32 metadataSha256;
    }

    // ---------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------

    /// @notice `tokenId` does not name an existing badge.
    error BadgeNonexistent(uint256 tokenId);

    /// @notice Badges are soulbound: every transfer entry point reverts with this error.
    error BadgeTransferDisabled(address from, address to, uint256 tokenId);

    /// @notice Badges are soulbound: approvals are meaningless and rejected.
    error BadgeApprovalDisabled(address operator);

    /// @notice A badge cannot be issued to the zero address.
    error BadgeInvalidHolder(address holder);

    /// @notice `holder` already received a badge of `editionId` (held, revoked or recovered).
    error BadgeAlreadyIssued(uint256 editionId, address holder);

    /// @notice `holder` lost its badge of `editionId` by revocation and cannot receive it again.
    error BadgeHolderRevoked(uint256 editionId, address holder);

    /// @notice `holder` was replaced by `successor` through recovery: it receives nothing more
    /// and cannot be recovered again.
    error BadgeHolderRetired(address holder, address successor);

    /// @notice No edition has id `editionId`; ids run from 0 to `editionCount - 1`.
    error EditionUnknown(uint256 editionId, uint256 editionCount);

    /// @notice The series already has `maxEditions` editions.
    error EditionLimitReached(uint256 maxEditions);

    /// @notice An edition needs a cap of at least one badge.
    error EditionZeroCap();

    /// @notice An edition needs a display name.
    error EditionEmptyName();

    /// @notice The issue window must close after it opens and must not have closed yet.
    error EditionInvalidWindow(uint40 opensAt, uint40 closesAt, uint256 currentTime);

    /// @notice Badges of `editionId` may be issued from `opensAt` to `closesAt` only.
    error EditionNotOpen(uint256 editionId, uint40 opensAt, uint40 closesAt, uint256 currentTime);

    /// @notice `requested` more serials do not fit: `allocated + requested` would exceed `cap`.
    error EditionCapExceeded(uint256 editionId, uint256 cap, uint256 allocated, uint256 requested);

    /// @notice An edition needs a metadata URI.
    error EditionEmptyMetadataURI();

    /// @notice The artwork or metadata hash is zero; pass the sha256 of the published file.
    error EditionZeroHash();

    /// @notice The metadata of `editionId` is frozen and cannot change.
    error EditionFrozen(uint256 editionId);

    /// @notice A serial assigned by a draw contract lies outside 1..cap.
    error EditionInvalidSerial(uint256 editionId, uint256 serial, uint256 cap);

    /// @notice A batch needs at least one holder.
    error BatchEmpty();

    /// @notice A drawn batch needs one serial per holder and at most 256 items.
    error BatchInvalidLength(uint256 holders, uint256 serials);

    /// @notice A recovery is already pending for `holder`, towards `successor`.
    error RecoveryAlreadyPending(address holder, address successor);

    /// @notice No recovery is pending for `holder`.
    error RecoveryNotPending(address holder);

    /// @notice The recovery of `holder` may execute from `executableAt` on.
    error RecoveryNotReady(address holder, uint256 executableAt, uint256 currentTime);

    /// @notice `successor` cannot replace `holder`: zero, equal to it, or itself retired.
    error RecoveryInvalidSuccessor(address holder, address successor);

    /// @notice `successor` already received editions that `holder` would bring (bit e = edition e).
    error RecoveryConflict(address holder, address successor, uint256 editionMask);

    /// @notice The recovery delay must lie within `[minDelay, maxDelay]` seconds.
    error RecoveryDelayOutOfRange(uint256 delay, uint256 minDelay, uint256 maxDelay);

    // ---------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------

    /// @notice Emitted when an edition is created.
    event EditionCreated(
        uint256 indexed editionId,
        string name,
        uint32 cap,
        uint40 opensAt,
        uint40 closesAt,
        string metadataURI,
        bytes32 artworkSha256,
        bytes32 metadataSha256
    );

    /// @notice Emitted when the metadata of an edition changed (with ERC-4906's BatchMetadataUpdate).
    event EditionMetadataUpdated(
        uint256 indexed editionId, string metadataURI, bytes32 artworkSha256, bytes32 metadataSha256
    );

    /// @notice Emitted when the metadata of an edition was frozen for good.
    event EditionMetadataFrozen(uint256 indexed editionId);

    /// @notice Emitted when the issuer issued `count` badges directly; the call's mints carry
    /// serials `firstSerial .. firstSerial + count - 1` in the order of their Transfer logs.
    event BadgesIssued(uint256 indexed editionId, uint256 firstSerial, uint256 count);

    /// @notice Emitted when a draw contract reserved serials `firstSerial .. firstSerial + count - 1`.
    event SerialsReserved(uint256 indexed editionId, address indexed minter, uint256 firstSerial, uint256 count);

    /// @notice Emitted when a badge was revoked: it is burned and its holder can never receive
    /// the edition again. `reason` is an issuer-defined code.
    event BadgeRevoked(uint256 indexed tokenId, uint256 indexed editionId, address indexed holder, uint16 reason);

    /// @notice Emitted when the recovery of `holder` to `successor` was proposed.
    event RecoveryProposed(address indexed holder, address indexed successor, uint256 executableAt);

    /// @notice Emitted when `holder` vetoed the recovery pending for it.
    event RecoveryVetoed(address indexed holder, address indexed successor);

    /// @notice Emitted when the recovery role cancelled the recovery pending for `holder`.
    event RecoveryCancelled(address indexed holder, address indexed successor);

    /// @notice Emitted once per badge moved by a recovery: same edition, same serial, new id.
    event BadgeRecovered(uint256 indexed oldTokenId, uint256 indexed newTokenId);

    /// @notice Emitted when a recovery moved every badge of `holder` to `successor`.
    /// `editionMask` has bit e set for each edition e moved.
    event HolderRecovered(address indexed holder, address indexed successor, uint256 editionMask);

    /// @notice Emitted when the admin changed the delay of future recoveries.
    event RecoveryDelayChanged(uint256 previousDelay, uint256 newDelay);

    // ---------------------------------------------------------------------------------------
    // Editions
    // ---------------------------------------------------------------------------------------

    /// @notice Creates an edition and returns its id (0, 1, 2, ...).
    /// @dev Requirements: caller has ISSUER_ROLE; fewer than 256 editions exist; `cap > 0`; a
    /// non-empty name and metadata URI; non-zero hashes; `opensAt < closesAt` and
    /// `closesAt > block.timestamp`. Emits {EditionCreated}.
    function createEdition(EditionConfig calldata config) external returns (uint256 editionId);

    /// @notice Replaces the metadata URI and hashes of an edition that is not frozen.
    /// @dev Requirements: caller has ISSUER_ROLE; the edition exists and is not frozen; same
    /// checks on URI and hashes as {createEdition}. Emits {EditionMetadataUpdated} and ERC-4906
    /// `BatchMetadataUpdate` over the edition's token id range.
    function updateEditionMetadata(
        uint256 editionId,
        string calldata metadataURI,
        bytes32 artworkSha256,
        bytes32 metadataSha256
    ) external;

    /// @notice Freezes the metadata of an edition for good.
    /// @dev Requirements: caller has ISSUER_ROLE; the edition exists and is not frozen.
    /// Emits {EditionMetadataFrozen}.
    function freezeEditionMetadata(uint256 editionId) external;

    /// @notice Returns an edition with its counters.
    function edition(uint256 editionId) external view returns (Edition memory);

    /// @notice Returns the number of editions created so far.
    function editionCount() external view returns (uint256);

    // ---------------------------------------------------------------------------------------
    // Issuance
    // ---------------------------------------------------------------------------------------

    /// @notice Issues one badge of `editionId` to `holder` and returns its token id.
    /// @dev Requirements: caller has ISSUER_ROLE; not paused; the edition exists, is within its
    /// window and has a free serial; `holder` is non-zero and never received this edition.
    /// Emits ERC-721 `Transfer`, ERC-5192 `Locked` and {BadgesIssued}.
    function issue(uint256 editionId, address holder) external returns (uint256 tokenId);

    /// @notice Issues one badge of `editionId` to each of `holders`, in order.
    /// @dev Same requirements as {issue} for every holder; the whole batch reverts on the first
    /// bad holder, so validate the list first. Emits one {BadgesIssued} for the batch.
    function issueBatch(uint256 editionId, address[] calldata holders) external;

    /// @notice Reserves `count` serials of `editionId` for the calling draw contract and
    /// returns the first one.
    /// @dev Requirements: caller has MINTER_ROLE; the edition exists; `allocated + count <= cap`.
    /// Emits {SerialsReserved}.
    function reserveSerials(uint256 editionId, uint256 count) external returns (uint256 firstSerial);

    /// @notice Mints a drawn badge with a serial from the caller's reserved block.
    /// Returns false, without reverting or minting, when `holder` already received the edition,
    /// was revoked for it or was retired by recovery, so that a batch can skip it.
    /// @dev Requirements: caller has MINTER_ROLE; not paused; the edition exists and is within
    /// its window; `holder` is non-zero; `1 <= serial <= cap`.
    /// IMPORTANT: the series does not record serials; the minter must assign each serial of
    /// its reserved block at most once.
    function mintDrawn(uint256 editionId, address holder, uint256 serial) external returns (bool minted);

    /// @notice Mints several drawn badges: `holders[i]` gets serial `serials[i]`, as {mintDrawn}
    /// would one by one. Bit i of the returned mask is set when item i was minted; an item whose
    /// holder already received the edition, was revoked for it or was retired is skipped.
    /// @dev Requirements: as {mintDrawn} for every item; at most 256 items, in arrays of equal
    /// length. Checks the role, the pause flag and the window once for the whole batch.
    function mintDrawnBatch(uint256 editionId, address[] calldata holders, uint256[] calldata serials)
        external
        returns (uint256 mintedMask);

    // ---------------------------------------------------------------------------------------
    // Revocation and recovery
    // ---------------------------------------------------------------------------------------

    /// @notice Revokes a badge: burns it and blocks its holder from the edition for good.
    /// @dev Requirements: caller has ISSUER_ROLE; the badge exists. Emits ERC-721 `Transfer`
    /// to the zero address and {BadgeRevoked}.
    function revoke(uint256 tokenId, uint16 reason) external;

    /// @notice Proposes moving every badge of `holder` to `successor` after the recovery delay.
    /// @dev Requirements: caller has RECOVERY_ROLE; no recovery pending for `holder`;
    /// `successor` non-zero, different from `holder` and not retired. Emits {RecoveryProposed}.
    function proposeRecovery(address holder, address successor) external;

    /// @notice Lets a holder veto the recovery pending for its own address.
    /// @dev Requirements: a recovery is pending for the caller. Emits {RecoveryVetoed}.
    function vetoRecovery() external;

    /// @notice Cancels the recovery pending for `holder`.
    /// @dev Requirements: caller has RECOVERY_ROLE; a recovery is pending. Emits {RecoveryCancelled}.
    function cancelRecovery(address holder) external;

    /// @notice Executes the recovery pending for `holder` once its delay has passed.
    /// Callable by anyone: the decision was taken when the recovery role proposed it.
    /// @dev Moves every held badge to the successor with the same edition and serial, copies
    /// the revocation blocks, and retires `holder` for good. Emits, per badge, `Transfer` from
    /// the holder to the zero address, `Transfer` from zero to the successor, `Locked` and
    /// {BadgeRecovered}; then {HolderRecovered}.
    function executeRecovery(address holder) external;

    /// @notice Sets the delay of recoveries proposed from now on.
    /// @dev Requirements: caller has DEFAULT_ADMIN_ROLE; delay within the allowed range.
    /// Emits {RecoveryDelayChanged}.
    function setRecoveryDelay(uint256 delay) external;

    /// @notice Returns the recovery pending for `holder`: successor (zero if none) and the time
    /// from which it may execute.
    function pendingRecovery(address holder) external view returns (address successor, uint256 executableAt);

    /// @notice Returns the address that replaced `holder` through recovery, or zero.
    function successorOf(address holder) external view returns (address);

    /// @notice Returns the delay, in seconds, applied to recoveries proposed now.
    function recoveryDelay() external view returns (uint256);

    // ---------------------------------------------------------------------------------------
    // Holder views
    // ---------------------------------------------------------------------------------------

    /// @notice Returns the token id of the badge of `editionId` held by `holder`, whether or
    /// not it exists.
    function tokenIdOf(uint256 editionId, address holder) external pure returns (uint256);

    /// @notice Returns a mask of the editions that `holder` holds now (bit e = edition e).
    function editionsOf(address holder) external view returns (uint256);

    /// @notice Returns a mask of the editions for which `holder` was revoked (bit e = edition e).
    function revokedEditionsOf(address holder) external view returns (uint256);

    /// @notice Returns whether `holder` holds a badge of `editionId` now.
    function holds(uint256 editionId, address holder) external view returns (bool);

    // ---------------------------------------------------------------------------------------
    // Administration
    // ---------------------------------------------------------------------------------------

    /// @notice Sets the URI of the series' contract-level metadata (ERC-7572).
    /// @dev Requirements: caller has ISSUER_ROLE. Emits `ContractURIUpdated`.
    function setContractURI(string calldata uri) external;

    /// @notice Stops issuance (direct and drawn). Revocation, recovery and views keep working.
    /// @dev Requirements: caller has PAUSER_ROLE. Emits OpenZeppelin's `Paused`.
    function pause() external;

    /// @notice Resumes issuance.
    /// @dev Requirements: caller has PAUSER_ROLE. Emits OpenZeppelin's `Unpaused`.
    function unpause() external;
}
