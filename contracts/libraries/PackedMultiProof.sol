// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title PackedMultiProof
/// @notice Verifies OpenZeppelin multiproofs, as the JavaScript library's
/// `StandardMerkleTree.getMultiProof` makes them, whose flags are packed one bit each: flag i is
/// bit `i % 8` of byte `i / 8`. The algorithm is that of OpenZeppelin's
/// `MerkleProof.processMultiProof`: leaves are consumed in order, then the hashes computed so
/// far; each step hashes two of them, or one and the next proof element, as its flag says, in
/// ascending order (commutative keccak-256).
///
/// Calldata pays for a bit instead of a 32-byte word per step, and the loop runs without the
/// bounds checks and copies of the general-purpose version. `tests/draw/test_packed_multiproof.py`
/// compares this function with OpenZeppelin's on random trees and tampered proofs.
library PackedMultiProof {
    /// @dev Returns whether `leaves` (in multiproof order) and `proof` lead to `root` through
    /// `flagCount` packed flags. Rejects, like OpenZeppelin, when `leaves + proof != flags + 1`
    /// or when the proof is not consumed exactly. It is stricter in one place: a step may not
    /// read a hash that no earlier step produced, which no well-formed multiproof does.
    function verify(
        bytes32 root,
        bytes32[] memory leaves,
        bytes32[] calldata proof,
        bytes calldata packedFlags,
        uint256 flagCount
    ) internal pure returns (bool) {
        uint256 leafCount = leaves.length;
        // Proving no leaf at all proves nothing, although OpenZeppelin accepts the bare root.
        if (leafCount == 0) return false;
        if (leafCount + proof.length != flagCount + 1) return false;
        if (packedFlags.length != (flagCount + 7) >> 3) return false;
        if (flagCount == 0) return leaves[0] == root;

        uint256 proofOffset;
        uint256 flagsOffset;
        assembly ("memory-safe") {
            proofOffset := proof.offset
            flagsOffset := packedFlags.offset
        }
        (bytes32 computed, bool valid) = _process(leaves, proofOffset, flagsOffset, flagCount);
        return valid && computed == root;
    }

    /// @dev Runs the `flagCount >= 1` steps and returns the last hash, and false when a step read
    /// past the proof or a hash not yet produced, or the proof was not consumed exactly. Takes the
    /// calldata offsets of the proof and the flags, whose lengths {verify} checked: the proof has
    /// `flagCount + 1 - leaves.length` elements. Offsets instead of calldata arrays keep the
    /// assembly within the 16 stack slots that the EVM can reach.
    function _process(bytes32[] memory leaves, uint256 proofOffset, uint256 flagsOffset, uint256 flagCount)
        private
        pure
        returns (bytes32 computed, bool valid)
    {
        valid = true;
        assembly ("memory-safe") {
            // Hashes produced by each step, in a fresh region above the free memory pointer. It is
            // not zeroed: the guards below read only entries that an earlier step wrote.
            let hashes := mload(0x40)
            mstore(0x40, add(hashes, shl(5, flagCount)))
            let leafPosition := 0
            let hashPosition := 0
            let proofPosition := 0

            for { let step := 0 } lt(step, flagCount) { step := add(step, 1) } {
                // First operand: the next leaf, else the next hash; parked in scratch word 0x00.
                let value
                switch lt(leafPosition, mload(leaves))
                case 1 {
                    value := mload(add(add(leaves, 0x20), shl(5, leafPosition)))
                    leafPosition := add(leafPosition, 1)
                }
                default {
                    if iszero(lt(hashPosition, step)) { valid := 0 }
                    value := mload(add(hashes, shl(5, hashPosition)))
                    hashPosition := add(hashPosition, 1)
                }
                mstore(0x00, value)

                // Second operand: as the first when the step's flag is set, else the next proof
                // element.
                switch and(shr(and(step, 7), byte(0, calldataload(add(flagsOffset, shr(3, step))))), 1)
                case 1 {
                    switch lt(leafPosition, mload(leaves))
                    case 1 {
                        value := mload(add(add(leaves, 0x20), shl(5, leafPosition)))
                        leafPosition := add(leafPosition, 1)
                    }
                    default {
                        if iszero(lt(hashPosition, step)) { valid := 0 }
                        value := mload(add(hashes, shl(5, hashPosition)))
                        hashPosition := add(hashPosition, 1)
                    }
                }
                default {
                    if iszero(lt(proofPosition, sub(add(flagCount, 1), mload(leaves)))) { valid := 0 }
                    value := calldataload(add(proofOffset, shl(5, proofPosition)))
                    proofPosition := add(proofPosition, 1)
                }

                // Commutative keccak-256 of the pair: the smaller value first.
                switch lt(mload(0x00), value)
                case 1 { mstore(0x20, value) }
                default {
                    mstore(0x20, mload(0x00))
                    mstore(0x00, value)
                }
                mstore(add(hashes, shl(5, step)), keccak256(0x00, 0x40))
            }

            if iszero(eq(proofPosition, sub(add(flagCount, 1), mload(leaves)))) { valid := 0 }
            computed := mload(add(hashes, shl(5, sub(flagCount, 1))))
        }
    }
}
