// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IBadgeDraw} from "../../contracts/interfaces/IBadgeDraw.sol";
import {BadgeDrawFixture, DrawTrees} from "./BadgeDrawFixture.t.sol";
import {vm} from "./utils/Vm.sol";

/// @notice Fuzzes the claim's proof check against OpenZeppelin's `MerkleProof.verify`: the draw
/// verifies proofs with its own assembly loop, which must accept exactly the proofs that
/// OpenZeppelin accepts.
contract BadgeDrawClaimsTest is BadgeDrawFixture {
    uint32 private constant ENTRANTS = 1_000_000;

    function setUp() public {
        _deployDraw();
    }

    /// @dev Commits a one-pool round in which every entrant wins (K = N), so that only the proof
    /// decides the claim, and seeds it.
    function _seededRound(bytes32 root) private returns (uint256 roundId) {
        roundId = _createEdition(ENTRANTS);
        IBadgeDraw.PoolManifest[] memory pools = new IBadgeDraw.PoolManifest[](1);
        pools[0] = IBadgeDraw.PoolManifest(root, ENTRANTS, ENTRANTS);
        draw.commitRound(roundId, _manifest(address(vrfSource), 0, pools));
        _seedWithVrf(roundId, uint256(root));
    }

    function _siblings(uint256 seed, uint256 depth) private pure returns (bytes32[] memory siblings) {
        siblings = new bytes32[](depth);
        for (uint256 i; i < depth; ++i) {
            siblings[i] = keccak256(abi.encode(seed, i));
        }
    }

    function testFuzz_claimAcceptsExactlyValidProofs(
        uint256 siblingSeed,
        uint8 depthSeed,
        uint32 indexSeed,
        uint8 tamper,
        uint8 position
    ) public {
        uint256 depth = depthSeed % 25;
        uint256 index = indexSeed % ENTRANTS;
        address account = address(uint160(uint256(keccak256(abi.encode(siblingSeed)))));
        if (account == address(0)) account = address(1);
        bytes32[] memory proof = _siblings(siblingSeed, depth);
        bytes32 leaf = DrawTrees.leaf(index, account);
        uint256 roundId = _seededRound(MerkleProof.processProof(proof, leaf));

        // 0: the true proof; 1: one sibling changed; 2: one sibling dropped; 3: one appended.
        uint256 mode = tamper % 4;
        if (mode == 1 && depth > 0) {
            proof[position % depth] ^= bytes32(uint256(1) << (tamper % 256));
        } else if (mode == 2 && depth > 0) {
            assembly {
                mstore(proof, sub(mload(proof), 1))
            }
        } else if (mode == 3) {
            bytes32[] memory longer = new bytes32[](depth + 1);
            for (uint256 i; i < depth; ++i) {
                longer[i] = proof[i];
            }
            longer[depth] = keccak256(abi.encode("extra", siblingSeed));
            proof = longer;
        }
        bool expected = MerkleProof.verify(proof, draw.getPool(roundId, 0).root, leaf);

        bool accepted;
        try draw.claim(roundId, 0, index, account, proof) {
            accepted = true;
        } catch (bytes memory reason) {
            require(
                keccak256(reason)
                    == keccak256(abi.encodeWithSelector(IBadgeDraw.DrawInvalidProof.selector, roundId, 0, index, account)),
                "the claim failed for another reason than the proof"
            );
        }
        require(accepted == expected, "the draw and OpenZeppelin disagree on a proof");
        require(accepted == (mode == 0 || depth == 0 && mode != 3), "a tampered proof was accepted");
    }

    function testFuzz_claimRejectsProofForAnotherAccount(uint256 siblingSeed, uint8 depthSeed, address other) public {
        uint256 depth = 1 + depthSeed % 24;
        address account = address(0xA11CE);
        vm.assume(other != account);
        bytes32[] memory proof = _siblings(siblingSeed, depth);
        uint256 roundId = _seededRound(MerkleProof.processProof(proof, DrawTrees.leaf(7, account)));

        vm.expectRevert(abi.encodeWithSelector(IBadgeDraw.DrawInvalidProof.selector, roundId, 0, 7, other));
        draw.claim(roundId, 0, 7, other, proof);
    }
}
