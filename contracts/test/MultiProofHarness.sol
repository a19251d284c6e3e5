// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {PackedMultiProof} from "../libraries/PackedMultiProof.sol";

/// @notice TEST ONLY. Exposes {PackedMultiProof} next to OpenZeppelin's `MerkleProof`, so tests can
/// compare the two verifiers on the same multiproofs.
contract MultiProofHarness {
    function verifyPacked(
        bytes32 root,
        bytes32[] memory leaves,
        bytes32[] calldata proof,
        bytes calldata packedFlags,
        uint256 flagCount
    ) external pure returns (bool) {
        return PackedMultiProof.verify(root, leaves, proof, packedFlags, flagCount);
    }

    function verifyOpenZeppelin(bytes32 root, bytes32[] memory leaves, bytes32[] memory proof, bool[] memory flags)
        external
        view
        returns (bool)
    {
        try this.processOpenZeppelin(leaves, proof, flags) returns (bytes32 computed) {
            return computed == root;
        } catch {
            return false;
        }
    }

    function processOpenZeppelin(bytes32[] memory leaves, bytes32[] memory proof, bool[] memory flags)
        external
        pure
        returns (bytes32)
    {
        return MerkleProof.processMultiProof(proof, flags, leaves);
    }
}
