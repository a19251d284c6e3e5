// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The hot state of one edition, packed in one storage word so that issuing a badge
/// reads and writes a single slot. Layout, from the least significant bit:
///
/// | bits    | field     | type   |
/// |---------|-----------|--------|
/// | 0-31    | cap       | uint32 |
/// | 32-63   | allocated | uint32 |
/// | 64-95   | issued    | uint32 |
/// | 96-127  | revoked   | uint32 |
/// | 128-167 | opensAt   | uint40 |
/// | 168-207 | closesAt  | uint40 |
/// | 208     | frozen    | bool   |
/// | 209     | paused    | bool   |
///
/// An edition exists when its cap is non-zero.
type EditionSlot is uint256;

using EditionSlotLibrary for EditionSlot global;

/// @notice Reads and updates the fields of an {EditionSlot}.
/// @dev The `add*` functions add to a counter in place. They do not check for overflow into the
/// next field: callers keep `revoked <= issued <= allocated <= cap < 2^32`, which bounds every
/// counter by the cap.
library EditionSlotLibrary {
    uint256 private constant MASK_32 = 0xffffffff;
    uint256 private constant MASK_40 = 0xffffffffff;

    uint256 private constant ALLOCATED_OFFSET = 32;
    uint256 private constant ISSUED_OFFSET = 64;
    uint256 private constant REVOKED_OFFSET = 96;
    uint256 private constant OPENS_AT_OFFSET = 128;
    uint256 private constant CLOSES_AT_OFFSET = 168;
    uint256 private constant FROZEN_BIT = 1 << 208;
    uint256 private constant PAUSED_BIT = 1 << 209;

    function create(uint32 cap_, uint40 opensAt_, uint40 closesAt_, bool paused_)
        internal
        pure
        returns (EditionSlot)
    {
        uint256 word = uint256(cap_) | (uint256(opensAt_) << OPENS_AT_OFFSET)
            | (uint256(closesAt_) << CLOSES_AT_OFFSET);
        return EditionSlot.wrap(paused_ ? word | PAUSED_BIT : word);
    }

    function cap(EditionSlot slot) internal pure returns (uint256) {
        return EditionSlot.unwrap(slot) & MASK_32;
    }

    function allocated(EditionSlot slot) internal pure returns (uint256) {
        return (EditionSlot.unwrap(slot) >> ALLOCATED_OFFSET) & MASK_32;
    }

    function issued(EditionSlot slot) internal pure returns (uint256) {
        return (EditionSlot.unwrap(slot) >> ISSUED_OFFSET) & MASK_32;
    }

    function revoked(EditionSlot slot) internal pure returns (uint256) {
        return (EditionSlot.unwrap(slot) >> REVOKED_OFFSET) & MASK_32;
    }

    function opensAt(EditionSlot slot) internal pure returns (uint40) {
        return uint40((EditionSlot.unwrap(slot) >> OPENS_AT_OFFSET) & MASK_40);
    }

    function closesAt(EditionSlot slot) internal pure returns (uint40) {
        return uint40((EditionSlot.unwrap(slot) >> CLOSES_AT_OFFSET) & MASK_40);
    }

    function frozen(EditionSlot slot) internal pure returns (bool) {
        return EditionSlot.unwrap(slot) & FROZEN_BIT != 0;
    }

    function paused(EditionSlot slot) internal pure returns (bool) {
        return EditionSlot.unwrap(slot) & PAUSED_BIT != 0;
    }

    function addAllocated(EditionSlot slot, uint256 count) internal pure returns (EditionSlot) {
        return EditionSlot.wrap(EditionSlot.unwrap(slot) + (count << ALLOCATED_OFFSET));
    }

    function addIssued(EditionSlot slot, uint256 count) internal pure returns (EditionSlot) {
        return EditionSlot.wrap(EditionSlot.unwrap(slot) + (count << ISSUED_OFFSET));
    }

    function addRevoked(EditionSlot slot, uint256 count) internal pure returns (EditionSlot) {
        return EditionSlot.wrap(EditionSlot.unwrap(slot) + (count << REVOKED_OFFSET));
    }

    function withFrozen(EditionSlot slot) internal pure returns (EditionSlot) {
        return EditionSlot.wrap(EditionSlot.unwrap(slot) | FROZEN_BIT);
    }

    function withPaused(EditionSlot slot, bool paused_) internal pure returns (EditionSlot) {
        uint256 word = EditionSlot.unwrap(slot);
        return EditionSlot.wrap(paused_ ? word | PAUSED_BIT : word & ~PAUSED_BIT);
    }
}
