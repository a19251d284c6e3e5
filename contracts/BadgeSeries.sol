// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IBadgeSeries} from "./interfaces/IBadgeSeries.sol";
import {IERC5192} from "./interfaces/IERC5192.sol";
import {IERC5484} from "./interfaces/IERC5484.sol";
import {IERC7572} from "./interfaces/IERC7572.sol";
import {BadgeIds} from "./libraries/BadgeIds.sol";
import {EditionMasks} from "./libraries/EditionMasks.sol";
import {EditionSlot, EditionSlotLibrary} from "./libraries/EditionSlot.sol";

/// @title BadgeSeries
/// @notice A series of limited editions of soulbound ERC-721 badges, issued by a bank to
/// learners: directly by the issuer, or to the winners of a draw through a minter contract.
///
/// Storage is laid out so that issuing a badge writes one new slot:
/// - `tokenId = editionId << 160 | holder` (see {BadgeIds}), so no owner mapping exists;
/// - `_received[holder]` has bit e set once the holder received edition e, and is never cleared.
///   `ownerOf`, `balanceOf` and the one-badge-per-edition rule all read this word;
/// - `_revoked[holder]` marks revoked editions; it is written only on revocation, so issuance
///   never touches it (a set bit in `_received` already blocks a second issue).
/// - a holder retired by recovery gets `_received = type(uint256).max`, which blocks every
///   future issue on the same single read, and `_successor` records where it went.
/// Each edition's counters, cap, window and pause flag share one slot ({EditionSlot}). Pausing copies the flag
/// into every edition's slot, so issuance checks it on the read it does anyway instead of a cold
/// read of a global flag; pausing costs one write per edition (at most 256) instead.
///
/// NOTE: serial numbers are not stored per badge (that would cost a second new slot). They are
/// allocated in order and stated in events; see {IBadgeSeries} for how to rebuild them.
contract BadgeSeries is IBadgeSeries, IERC721Metadata, IERC4906, IERC5192, IERC5484, IERC7572, AccessControlDefaultAdminRules, Pausable {
    using EditionMasks for uint256;

    // ---------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------

    /// @notice Creates editions, issues badges directly, revokes and sets the contract URI.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    /// @notice Reserves serials and mints drawn badges; held by the draw contract.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice Proposes and cancels lost-wallet recoveries.
    bytes32 public constant RECOVERY_ROLE = keccak256("RECOVERY_ROLE");

    /// @notice Pauses and resumes issuance.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Edition ids run from 0 to 255, one bit each in a holder's mask.
    uint256 public constant MAX_EDITIONS = 256;

    /// @notice Bounds of the recovery delay, in seconds.
    uint256 public constant MIN_RECOVERY_DELAY = 1 hours;
    uint256 public constant MAX_RECOVERY_DELAY = 90 days;

    // ---------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------

    /// @dev The cold part of an edition, read by views and `tokenURI` only.
    struct EditionMetadata {
        string name;
        string metadataURI;
        bytes32 artworkSha256;
        bytes32 metadataSha256;
    }

    struct PendingRecovery {
        address successor;
        uint40 executableAt;
    }

    string private _name;
    string private _symbol;
    string private _contractURI;
    uint256 private _editionCount;
    uint256 private _recoveryDelay;

    /// @dev The hot part of each edition; its `paused` flag mirrors OpenZeppelin's Pausable.
    mapping(uint256 editionId => EditionSlot) private _editions;
    mapping(uint256 editionId => EditionMetadata) private _metadata;
    mapping(address holder => uint256 editionMask) private _received;
    mapping(address holder => uint256 editionMask) private _revoked;
    mapping(address holder => address successor) private _successor;
    mapping(address holder => PendingRecovery) private _pendingRecovery;

    // ---------------------------------------------------------------------------------------
    // Construction
    // ---------------------------------------------------------------------------------------

    /// @param name_ ERC-721 collection name.
    /// @param symbol_ ERC-721 symbol.
    /// @param contractURI_ ERC-7572 contract metadata URI (may be empty and set later).
    /// @param admin Holder of DEFAULT_ADMIN_ROLE, which grants every other role.
    /// @param adminTransferDelay Seconds between accepting and completing an admin handover.
    /// @param recoveryDelay_ Seconds between proposing and executing a recovery.
    constructor(
        string memory name_,
        string memory symbol_,
        string memory contractURI_,
        address admin,
        uint48 adminTransferDelay,
        uint256 recoveryDelay_
    ) AccessControlDefaultAdminRules(adminTransferDelay, admin) {
        _checkRecoveryDelay(recoveryDelay_);
        _name = name_;
        _symbol = symbol_;
        _contractURI = contractURI_;
        _recoveryDelay = recoveryDelay_;
    }

    // ---------------------------------------------------------------------------------------
    // Editions
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IBadgeSeries
    function createEdition(EditionConfig calldata config)
        external
        onlyRole(ISSUER_ROLE)
        returns (uint256 editionId)
    {
        editionId = _editionCount;
        if (editionId == MAX_EDITIONS) revert EditionLimitReached(MAX_EDITIONS);
        if (config.cap == 0) revert EditionZeroCap();
        if (bytes(config.name).length == 0) revert EditionEmptyName();
        if (config.opensAt >= config.closesAt || config.closesAt <= block.timestamp) {
            revert EditionInvalidWindow(config.opensAt, config.closesAt, block.timestamp);
        }
        _checkMetadata(config.metadataURI, config.artworkSha256, config.metadataSha256);

        _editionCount = editionId + 1;
        _editions[editionId] = EditionSlotLibrary.create(config.cap, config.opensAt, config.closesAt, paused());
        _metadata[editionId] = EditionMetadata({
            name: config.name,
            metadataURI: config.metadataURI,
            artworkSha256: config.artworkSha256,
            metadataSha256: config.metadataSha256
        });

        emit EditionCreated(
            editionId,
            config.name,
            config.cap,
            config.opensAt,
            config.closesAt,
            config.metadataURI,
            config.artworkSha256,
            config.metadataSha256
        );
    }

    /// @inheritdoc IBadgeSeries
    function updateEditionMetadata(
        uint256 editionId,
        string calldata metadataURI,
        bytes32 artworkSha256,
        bytes32 metadataSha256
    ) external onlyRole(ISSUER_ROLE) {
        if (_existingEdition(editionId).frozen()) revert EditionFrozen(editionId);
        _checkMetadata(metadataURI, artworkSha256, metadataSha256);

        EditionMetadata storage metadata = _metadata[editionId];
        metadata.metadataURI = metadataURI;
        metadata.artworkSha256 = artworkSha256;
        metadata.metadataSha256 = metadataSha256;

        emit EditionMetadataUpdated(editionId, metadataURI, artworkSha256, metadataSha256);
        emit BatchMetadataUpdate(BadgeIds.encode(editionId, address(0)), BadgeIds.encode(editionId, address(type(uint160).max)));
    }

    /// @inheritdoc IBadgeSeries
    function freezeEditionMetadata(uint256 editionId) external onlyRole(ISSUER_ROLE) {
        EditionSlot state = _existingEdition(editionId);
        if (state.frozen()) revert EditionFrozen(editionId);
        _editions[editionId] = state.withFrozen();
        emit EditionMetadataFrozen(editionId);
    }

    /// @inheritdoc IBadgeSeries
    function edition(uint256 editionId) external view returns (Edition memory) {
        EditionSlot state = _existingEdition(editionId);
        EditionMetadata storage metadata = _metadata[editionId];
        return Edition({
            name: metadata.name,
            cap: uint32(state.cap()),
            allocated: uint32(state.allocated()),
            issued: uint32(state.issued()),
            revoked: uint32(state.revoked()),
            opensAt: state.opensAt(),
            closesAt: state.closesAt(),
            frozen: state.frozen(),
            metadataURI: metadata.metadataURI,
            artworkSha256: metadata.artworkSha256,
            metadataSha256: metadata.metadataSha256
        });
    }

    /// @inheritdoc IBadgeSeries
    function editionCount() external view returns (uint256) {
        return _editionCount;
    }

    // ---------------------------------------------------------------------------------------
    // Issuance
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IBadgeSeries
    function issue(uint256 editionId, address holder)
        external
        onlyRole(ISSUER_ROLE)
        returns (uint256 tokenId)
    {
        EditionSlot state = _openEdition(editionId);
        uint256 serial = _checkAllocation(editionId, state, 1);

        tokenId = _mint(editionId, holder);

        _editions[editionId] = state.addAllocated(1).addIssued(1);
        emit BadgesIssued(editionId, serial, 1);
    }

    /// @inheritdoc IBadgeSeries
    function issueBatch(uint256 editionId, address[] calldata holders) external onlyRole(ISSUER_ROLE) {
        uint256 count = holders.length;
        if (count == 0) revert BatchEmpty();
        EditionSlot state = _openEdition(editionId);
        uint256 firstSerial = _checkAllocation(editionId, state, count);

        for (uint256 i; i < count; ++i) {
            _mint(editionId, holders[i]);
        }

        _editions[editionId] = state.addAllocated(count).addIssued(count);
        emit BadgesIssued(editionId, firstSerial, count);
    }

    /// @inheritdoc IBadgeSeries
    function reserveSerials(uint256 editionId, uint256 count)
        external
        onlyRole(MINTER_ROLE)
        returns (uint256 firstSerial)
    {
        if (count == 0) revert BatchEmpty();
        EditionSlot state = _existingEdition(editionId);
        firstSerial = _checkAllocation(editionId, state, count);
        _editions[editionId] = state.addAllocated(count);
        emit SerialsReserved(editionId, msg.sender, firstSerial, count);
    }

    /// @inheritdoc IBadgeSeries
    function mintDrawn(uint256 editionId, address holder, uint256 serial)
        external
        onlyRole(MINTER_ROLE)
        returns (bool minted)
    {
        EditionSlot state = _openEdition(editionId);
        minted = _mintDrawn(editionId, state, holder, serial, 0);
        if (minted) _editions[editionId] = state.addIssued(1);
    }

    /// @inheritdoc IBadgeSeries
    function mintDrawnBatch(uint256 editionId, address[] calldata holders, uint256[] calldata serials)
        external
        onlyRole(MINTER_ROLE)
        returns (uint256 mintedMask)
    {
        uint256 count = holders.length;
        if (count == 0) revert BatchEmpty();
        if (count != serials.length || count > 256) revert BatchInvalidLength(count, serials.length);
        EditionSlot state = _openEdition(editionId);

        // slither-disable-next-line uninitialized-local (the count starts at zero)
        uint256 minted;
        for (uint256 i; i < count; ++i) {
            if (_mintDrawn(editionId, state, holders[i], serials[i], minted)) {
                mintedMask |= 1 << i;
                ++minted;
            }
        }
        if (minted != 0) _editions[editionId] = state.addIssued(minted);
    }

    /// @dev Mints one drawn badge against `state` as loaded before the batch, of which
    /// `mintedBefore` badges are already minted. Returns false when `holder` cannot receive it.
    function _mintDrawn(uint256 editionId, EditionSlot state, address holder, uint256 serial, uint256 mintedBefore)
        private
        returns (bool)
    {
        if (serial == 0 || serial > state.cap()) revert EditionInvalidSerial(editionId, serial, state.cap());
        if (holder == address(0)) revert BadgeInvalidHolder(holder);
        uint256 received = _received[holder];
        uint256 bit = 1 << editionId;
        // Skipped before the capacity check, so that a batch sent again after a crash skips its
        // issued items even when they filled the reserved block.
        if (received & bit != 0) return false;
        // A minter can only mint what it reserved; this keeps `issued <= allocated <= cap` even
        // if a minter assigned a serial twice.
        if (state.issued() + mintedBefore >= state.allocated()) {
            revert EditionCapExceeded(editionId, state.cap(), state.allocated(), mintedBefore + 1);
        }

        _received[holder] = received | bit;
        _emitMinted(BadgeIds.encode(editionId, holder));
        return true;
    }

    // ---------------------------------------------------------------------------------------
    // Revocation
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IBadgeSeries
    function revoke(uint256 tokenId, uint16 reason) external onlyRole(ISSUER_ROLE) {
        (uint256 editionId, address holder) = _existingBadge(tokenId);

        _revoked[holder] |= 1 << editionId;
        _editions[editionId] = _editions[editionId].addRevoked(1);

        emit Transfer(holder, address(0), tokenId);
        emit BadgeRevoked(tokenId, editionId, holder, reason);
    }

    // ---------------------------------------------------------------------------------------
    // Recovery
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IBadgeSeries
    function proposeRecovery(address holder, address successor) external onlyRole(RECOVERY_ROLE) {
        address retiredTo = _successor[holder];
        if (retiredTo != address(0)) revert BadgeHolderRetired(holder, retiredTo);
        if (successor == address(0) || successor == holder || _successor[successor] != address(0)) {
            revert RecoveryInvalidSuccessor(holder, successor);
        }
        address pending = _pendingRecovery[holder].successor;
        if (pending != address(0)) revert RecoveryAlreadyPending(holder, pending);

        uint256 executableAt = block.timestamp + _recoveryDelay;
        _pendingRecovery[holder] = PendingRecovery(successor, uint40(executableAt));
        emit RecoveryProposed(holder, successor, executableAt);
    }

    /// @inheritdoc IBadgeSeries
    function vetoRecovery() external {
        address successor = _takePendingRecovery(msg.sender).successor;
        emit RecoveryVetoed(msg.sender, successor);
    }

    /// @inheritdoc IBadgeSeries
    function cancelRecovery(address holder) external onlyRole(RECOVERY_ROLE) {
        address successor = _takePendingRecovery(holder).successor;
        emit RecoveryCancelled(holder, successor);
    }

    /// @inheritdoc IBadgeSeries
    function executeRecovery(address holder) external {
        PendingRecovery memory pending = _pendingRecovery[holder];
        address successor = pending.successor;
        if (successor == address(0)) revert RecoveryNotPending(holder);
        if (block.timestamp < pending.executableAt) {
            revert RecoveryNotReady(holder, pending.executableAt, block.timestamp);
        }
        // The successor may have been retired after the proposal.
        if (_successor[successor] != address(0)) revert RecoveryInvalidSuccessor(holder, successor);

        uint256 received = _received[holder];
        uint256 revoked = _revoked[holder];
        uint256 successorReceived = _received[successor];
        uint256 overlap = received & successorReceived;
        if (overlap != 0) revert RecoveryConflict(holder, successor, overlap);

        // The successor inherits the whole record, so revoked editions stay blocked for the person.
        _received[successor] = successorReceived | received;
        if (revoked != 0) _revoked[successor] |= revoked;
        // Retire the old address: all bits set make every future issue to it fail on the read that
        // issuance does anyway, and `_successor` makes `ownerOf`/`balanceOf` report nothing.
        _received[holder] = type(uint256).max;
        _successor[holder] = successor;
        delete _pendingRecovery[holder];

        uint256 moved = received & ~revoked;
        for (uint256 rest = moved; rest != 0; rest &= rest - 1) {
            uint256 editionId = _lowestBit(rest);
            uint256 oldTokenId = BadgeIds.encode(editionId, holder);
            uint256 newTokenId = BadgeIds.encode(editionId, successor);
            emit Transfer(holder, address(0), oldTokenId);
            emit Transfer(address(0), successor, newTokenId);
            emit Locked(newTokenId);
            emit BadgeRecovered(oldTokenId, newTokenId);
        }
        emit HolderRecovered(holder, successor, moved);
    }

    /// @inheritdoc IBadgeSeries
    function setRecoveryDelay(uint256 delay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkRecoveryDelay(delay);
        emit RecoveryDelayChanged(_recoveryDelay, delay);
        _recoveryDelay = delay;
    }

    /// @inheritdoc IBadgeSeries
    function pendingRecovery(address holder) external view returns (address successor, uint256 executableAt) {
        PendingRecovery memory pending = _pendingRecovery[holder];
        return (pending.successor, pending.executableAt);
    }

    /// @inheritdoc IBadgeSeries
    function successorOf(address holder) external view returns (address) {
        return _successor[holder];
    }

    /// @inheritdoc IBadgeSeries
    function recoveryDelay() external view returns (uint256) {
        return _recoveryDelay;
    }

    // ---------------------------------------------------------------------------------------
    // Holder views
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IBadgeSeries
    function tokenIdOf(uint256 editionId, address holder) external pure returns (uint256) {
        return BadgeIds.encode(editionId, holder);
    }

    /// @inheritdoc IBadgeSeries
    function editionsOf(address holder) public view returns (uint256) {
        if (_successor[holder] != address(0)) return 0;
        return _received[holder] & ~_revoked[holder];
    }

    /// @inheritdoc IBadgeSeries
    function revokedEditionsOf(address holder) external view returns (uint256) {
        return _revoked[holder];
    }

    /// @inheritdoc IBadgeSeries
    function holds(uint256 editionId, address holder) external view returns (bool) {
        return editionId < MAX_EDITIONS && editionsOf(holder) & (1 << editionId) != 0;
    }

    // ---------------------------------------------------------------------------------------
    // ERC-721 and its extensions
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IERC721Metadata
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IERC721Metadata
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @inheritdoc IERC721Metadata
    /// @dev Every badge of an edition shares the edition's metadata document.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        (uint256 editionId,) = _existingBadge(tokenId);
        return _metadata[editionId].metadataURI;
    }

    /// @inheritdoc IERC721
    function balanceOf(address holder) external view returns (uint256) {
        if (holder == address(0)) revert BadgeInvalidHolder(holder);
        return editionsOf(holder).count();
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) external view returns (address holder) {
        (, holder) = _existingBadge(tokenId);
    }

    /// @inheritdoc IERC5192
    function locked(uint256 tokenId) external view returns (bool) {
        _existingBadge(tokenId);
        return true;
    }

    /// @inheritdoc IERC5484
    /// @dev Only the issuer can burn a badge, by revoking it.
    function burnAuth(uint256 tokenId) external view returns (BurnAuth) {
        _existingBadge(tokenId);
        return BurnAuth.IssuerOnly;
    }

    /// @inheritdoc IERC7572
    function contractURI() external view returns (string memory) {
        return _contractURI;
    }

    /// @inheritdoc IBadgeSeries
    function setContractURI(string calldata uri) external onlyRole(ISSUER_ROLE) {
        _contractURI = uri;
        emit ContractURIUpdated();
    }

    /// @notice Always reverts: badges are soulbound.
    function approve(address to, uint256) external pure {
        revert BadgeApprovalDisabled(to);
    }

    /// @notice Always reverts: badges are soulbound.
    function setApprovalForAll(address operator, bool) external pure {
        revert BadgeApprovalDisabled(operator);
    }

    /// @notice Returns the zero address: nobody is ever approved for a badge.
    /// @dev Reverts when the token does not exist, as ERC-721 requires.
    function getApproved(uint256 tokenId) external view returns (address) {
        _existingBadge(tokenId);
        return address(0);
    }

    /// @notice Returns false: nobody is ever an operator for a holder.
    function isApprovedForAll(address, address) external pure returns (bool) {
        return false;
    }

    /// @notice Always reverts: badges are soulbound.
    function transferFrom(address from, address to, uint256 tokenId) external pure {
        revert BadgeTransferDisabled(from, to, tokenId);
    }

    /// @notice Always reverts: badges are soulbound.
    function safeTransferFrom(address from, address to, uint256 tokenId) external pure {
        revert BadgeTransferDisabled(from, to, tokenId);
    }

    /// @notice Always reverts: badges are soulbound.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes calldata) external pure {
        revert BadgeTransferDisabled(from, to, tokenId);
    }

    /// @notice Returns whether the series implements `interfaceId`: ERC-165, ERC-721 with
    /// metadata, ERC-4906, ERC-5192, ERC-5484, ERC-7572 and OpenZeppelin's access control.
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(AccessControlDefaultAdminRules, IERC165)
        returns (bool)
    {
        return interfaceId == type(IERC721).interfaceId || interfaceId == type(IERC721Metadata).interfaceId
            || interfaceId == bytes4(0x49064906) // ERC-4906, as fixed by the standard
            || interfaceId == type(IERC5192).interfaceId || interfaceId == type(IERC5484).interfaceId
            || interfaceId == type(IERC7572).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------
    // Pausing
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IBadgeSeries
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
        _setEditionsPaused(true);
    }

    /// @inheritdoc IBadgeSeries
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
        _setEditionsPaused(false);
    }

    function _setEditionsPaused(bool value) private {
        uint256 count = _editionCount;
        for (uint256 editionId; editionId < count; ++editionId) {
            _editions[editionId] = _editions[editionId].withPaused(value);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------

    /// @dev Mints the badge of `editionId` for `holder`. The caller updates the edition's counters.
    function _mint(uint256 editionId, address holder) private returns (uint256 tokenId) {
        if (holder == address(0)) revert BadgeInvalidHolder(holder);
        uint256 received = _received[holder];
        uint256 bit = 1 << editionId;
        if (received & bit != 0) _revertReceived(editionId, holder);

        _received[holder] = received | bit;

        tokenId = BadgeIds.encode(editionId, holder);
        _emitMinted(tokenId);
    }

    function _emitMinted(uint256 tokenId) private {
        emit Transfer(address(0), BadgeIds.holderOf(tokenId), tokenId);
        emit Locked(tokenId);
    }

    /// @dev Explains why `holder` cannot receive `editionId`; only failing paths read these slots.
    function _revertReceived(uint256 editionId, address holder) private view {
        address successor = _successor[holder];
        if (successor != address(0)) revert BadgeHolderRetired(holder, successor);
        if (_revoked[holder] & (1 << editionId) != 0) revert BadgeHolderRevoked(editionId, holder);
        revert BadgeAlreadyIssued(editionId, holder);
    }

    /// @dev Checks that `count` more serials fit under the cap and returns the first of them.
    /// The caller then adds `count` to `allocated`, which keeps `allocated <= cap`.
    function _checkAllocation(uint256 editionId, EditionSlot state, uint256 count)
        private
        pure
        returns (uint256 firstSerial)
    {
        uint256 allocated = state.allocated();
        // Cannot underflow: `allocated <= cap` always holds.
        if (count > state.cap() - allocated) {
            revert EditionCapExceeded(editionId, state.cap(), allocated, count);
        }
        return allocated + 1;
    }

    function _existingEdition(uint256 editionId) private view returns (EditionSlot state) {
        state = _editions[editionId];
        if (state.cap() == 0) revert EditionUnknown(editionId, _editionCount);
    }

    /// @dev Loads an edition that accepts issuance now: existing, not paused, within its window.
    function _openEdition(uint256 editionId) private view returns (EditionSlot state) {
        state = _existingEdition(editionId);
        if (state.paused()) revert EnforcedPause();
        if (block.timestamp < state.opensAt() || block.timestamp > state.closesAt()) {
            revert EditionNotOpen(editionId, state.opensAt(), state.closesAt(), block.timestamp);
        }
    }

    function _existingBadge(uint256 tokenId) private view returns (uint256 editionId, address holder) {
        if (tokenId >= BadgeIds.ID_BOUND) revert BadgeNonexistent(tokenId);
        editionId = BadgeIds.editionOf(tokenId);
        holder = BadgeIds.holderOf(tokenId);
        if (editionsOf(holder) & (1 << editionId) == 0) revert BadgeNonexistent(tokenId);
    }

    function _takePendingRecovery(address holder) private returns (PendingRecovery memory pending) {
        pending = _pendingRecovery[holder];
        if (pending.successor == address(0)) revert RecoveryNotPending(holder);
        delete _pendingRecovery[holder];
    }

    function _checkMetadata(string calldata metadataURI, bytes32 artworkSha256, bytes32 metadataSha256)
        private
        pure
    {
        if (bytes(metadataURI).length == 0) revert EditionEmptyMetadataURI();
        if (artworkSha256 == 0 || metadataSha256 == 0) revert EditionZeroHash();
    }

    function _checkRecoveryDelay(uint256 delay) private pure {
        if (delay < MIN_RECOVERY_DELAY || delay > MAX_RECOVERY_DELAY) {
            revert RecoveryDelayOutOfRange(delay, MIN_RECOVERY_DELAY, MAX_RECOVERY_DELAY);
        }
    }

    /// @dev Returns the index of the lowest set bit of a non-zero mask: isolating that bit and
    /// subtracting one leaves exactly `index` ones below it. Unchecked because `~mask + 1` is the
    /// two's complement negation, which wraps for no non-zero mask.
    function _lowestBit(uint256 mask) private pure returns (uint256) {
        unchecked {
            return ((mask & (~mask + 1)) - 1).count();
        }
    }
}
