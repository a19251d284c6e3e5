// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IBadgeDraw} from "../../contracts/interfaces/IBadgeDraw.sol";
import {IBadgeSeries} from "../../contracts/interfaces/IBadgeSeries.sol";
import {ISeedReceiver} from "../../contracts/interfaces/ISeedReceiver.sol";
import {TestHostileReceiver} from "../../contracts/test/TestHostileReceiver.sol";
import {TestReentrantRandomnessSource} from "../../contracts/test/TestReentrantRandomnessSource.sol";
import {BadgeDrawFixture, DrawTrees} from "./BadgeDrawFixture.t.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice Cheatcodes beyond those in `utils/Vm.sol` that the attack tests use.
interface VmAttackExtras {
    /// @dev Expects `count` calls to `callee` whose calldata starts with `data` ("" matches any).
    function expectCall(address callee, bytes calldata data, uint64 count) external;
}

VmAttackExtras constant vmAttacks = VmAttackExtras(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

/// @notice Attacks on claims and seeds: a hostile contract as a winner, claims with someone else's
/// index, proofs replayed across pools and rounds, an inner node of the tree presented as a leaf,
/// and a randomness source that calls back into the draw while its seed is requested.
///
/// Rounds here let every entrant win (K = N) where the test is about proofs, so that only the
/// proof decides; trees are the fixture's sorted-pair trees, which the draw's verifier accepts as
/// it accepts OpenZeppelin's.
contract ReliabilityAttacksTest is BadgeDrawFixture {
    uint256 private constant SEED = 0x5eed;

    TestHostileReceiver private receiver;
    address[] private entrants;

    function setUp() public {
        _deployDraw();
        receiver = new TestHostileReceiver(address(draw));
        entrants.push(address(0xA0));
        entrants.push(address(0xA1));
        entrants.push(address(receiver));
        entrants.push(address(0xA3));
    }

    // ---------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------

    function _accounts(uint160 first, uint256 count) private pure returns (address[] memory accounts) {
        accounts = new address[](count);
        for (uint256 i; i < count; ++i) {
            accounts[i] = address(first + uint160(i));
        }
    }

    /// @dev Commits and seeds a round whose pools are `trees`, each with every entrant winning.
    function _allWinRound(address[][] memory trees) private returns (uint256 roundId) {
        uint256 winners;
        IBadgeDraw.PoolManifest[] memory pools = new IBadgeDraw.PoolManifest[](trees.length);
        for (uint256 p; p < trees.length; ++p) {
            uint32 count = uint32(trees[p].length);
            pools[p] = IBadgeDraw.PoolManifest(DrawTrees.root(trees[p]), count, count);
            winners += count;
        }
        roundId = _createEdition(uint32(winners));
        draw.commitRound(roundId, _manifest(address(vrfSource), 0, pools));
        _seedWithVrf(roundId, SEED);
    }

    function _oneTree(address[] memory accounts) private pure returns (address[][] memory trees) {
        trees = new address[][](1);
        trees[0] = accounts;
    }

    function _item(uint256 pool, uint256 index, address account, bytes32[] memory proof)
        private
        pure
        returns (IBadgeDraw.Claim[] memory items)
    {
        items = new IBadgeDraw.Claim[](1);
        items[0] = IBadgeDraw.Claim(pool, index, account, proof);
    }

    function _skipReasons(uint256 roundId) private returns (uint256 count, IBadgeDraw.ClaimSkipReason last) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IBadgeDraw.ClaimSkipped.selector && uint256(logs[i].topics[1]) == roundId) {
                (,,, IBadgeDraw.ClaimSkipReason reason) =
                    abi.decode(logs[i].data, (uint256, uint256, address, IBadgeDraw.ClaimSkipReason));
                ++count;
                last = reason;
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // A hostile contract as a winner
    // ---------------------------------------------------------------------------------------

    function test_hostileReceiverGetsOneBadgeAndNoCall() public {
        uint256 roundId = _allWinRound(_oneTree(entrants));
        bytes32[] memory proof = DrawTrees.proof(entrants, 2);
        // Were any hook called, it would claim again.
        receiver.arm(abi.encodeCall(IBadgeDraw.claim, (roundId, 0, 2, address(receiver), proof)));

        // Checked when the test ends: nothing, the claims below included, calls the receiver.
        vmAttacks.expectCall(address(receiver), "", 0);
        uint256 tokenId = draw.claim(roundId, 0, 2, address(receiver), proof);

        require(series.balanceOf(address(receiver)) == 1, "the receiver holds other than one badge");
        require(series.ownerOf(tokenId) == address(receiver), "the badge went elsewhere");
        require(series.edition(roundId).issued == 1, "more than one badge was issued");

        vm.expectRevert(abi.encodeWithSelector(IBadgeDraw.DrawAlreadyIssued.selector, roundId, address(receiver)));
        draw.claim(roundId, 0, 2, address(receiver), proof);
    }

    function test_hostileReceiverCannotMoveItsBadge() public {
        uint256 roundId = _allWinRound(_oneTree(entrants));
        uint256 tokenId = draw.claim(roundId, 0, 2, address(receiver), DrawTrees.proof(entrants, 2));

        vm.startPrank(address(receiver));
        vm.expectRevert(
            abi.encodeWithSelector(IBadgeSeries.BadgeTransferDisabled.selector, address(receiver), address(0xA0), tokenId)
        );
        series.transferFrom(address(receiver), address(0xA0), tokenId);
        vm.expectRevert(
            abi.encodeWithSelector(IBadgeSeries.BadgeTransferDisabled.selector, address(receiver), address(0xA0), tokenId)
        );
        series.safeTransferFrom(address(receiver), address(0xA0), tokenId, "");
        vm.expectRevert(abi.encodeWithSelector(IBadgeSeries.BadgeApprovalDisabled.selector, address(0xA0)));
        series.approve(address(0xA0), tokenId);
        vm.stopPrank();

        require(series.ownerOf(tokenId) == address(receiver), "the badge moved");
    }

    function test_hostileReceiverInBatchGetsOneBadge() public {
        uint256 roundId = _allWinRound(_oneTree(entrants));
        bytes32[] memory proof = DrawTrees.proof(entrants, 2);
        IBadgeDraw.Claim[] memory items = new IBadgeDraw.Claim[](3);
        items[0] = IBadgeDraw.Claim(0, 2, address(receiver), proof);
        items[1] = IBadgeDraw.Claim(0, 2, address(receiver), proof);
        items[2] = IBadgeDraw.Claim(0, 0, address(0xA0), DrawTrees.proof(entrants, 0));
        receiver.arm(abi.encodeCall(IBadgeDraw.claimBatch, (roundId, items)));

        // Checked when the test ends: nothing calls the receiver.
        vmAttacks.expectCall(address(receiver), "", 0);
        uint256 issued = draw.claimBatch(roundId, items);

        require(issued == 2, "the batch issued other than two badges");
        require(series.balanceOf(address(receiver)) == 1, "the receiver holds other than one badge");
    }

    // ---------------------------------------------------------------------------------------
    // Claims with someone else's index or proof
    // ---------------------------------------------------------------------------------------

    function testFuzz_claimOfAnothersIndexWithOwnAddressRejected(address attacker, uint8 indexSeed) public {
        uint256 index = indexSeed % entrants.length;
        vm.assume(attacker != entrants[index] && attacker != address(0));
        uint256 roundId = _allWinRound(_oneTree(entrants));
        bytes32[] memory proof = DrawTrees.proof(entrants, index);

        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IBadgeDraw.DrawInvalidProof.selector, roundId, 0, index, attacker));
        draw.claim(roundId, 0, index, attacker, proof);

        vm.recordLogs();
        vm.prank(attacker);
        require(draw.claimBatch(roundId, _item(0, index, attacker, proof)) == 0, "the batch issued a badge");
        (uint256 skipped, IBadgeDraw.ClaimSkipReason reason) = _skipReasons(roundId);
        require(skipped == 1 && reason == IBadgeDraw.ClaimSkipReason.InvalidProof, "the item was not skipped for its proof");
        require(series.balanceOf(attacker) == 0, "the attacker got a badge");
    }

    function test_claimOnBehalfOfWinnerGoesToWinner() public {
        uint256 roundId = _allWinRound(_oneTree(entrants));
        address attacker = address(0xBAD);

        vm.prank(attacker);
        draw.claim(roundId, 0, 1, entrants[1], DrawTrees.proof(entrants, 1));

        require(series.holds(roundId, entrants[1]), "the winner did not get the badge");
        require(series.balanceOf(attacker) == 0, "the caller got a badge");
    }

    function test_proofReplayedInAnotherPoolRejected() public {
        address[][] memory trees = new address[][](2);
        trees[0] = entrants;
        trees[1] = _accounts(0xB0, 4);
        uint256 roundId = _allWinRound(trees);
        bytes32[] memory proof = DrawTrees.proof(entrants, 1);

        vm.expectRevert(abi.encodeWithSelector(IBadgeDraw.DrawInvalidProof.selector, roundId, 1, 1, entrants[1]));
        draw.claim(roundId, 1, 1, entrants[1], proof);
    }

    function test_proofReplayedInAnotherRoundRejected() public {
        uint256 first = _allWinRound(_oneTree(entrants));
        uint256 second = _allWinRound(_oneTree(_accounts(0xB0, 4)));
        bytes32[] memory proof = DrawTrees.proof(entrants, 1);
        draw.claim(first, 0, 1, entrants[1], proof);

        vm.expectRevert(abi.encodeWithSelector(IBadgeDraw.DrawInvalidProof.selector, second, 0, 1, entrants[1]));
        draw.claim(second, 0, 1, entrants[1], proof);
    }

    /// @dev Leaves carry no round or pool, so the same entrant file committed for two editions
    /// gives the same tree, and a proof is valid in both. That is an entry in each round, not a
    /// replay: each edition issues the entrant one badge at most.
    function test_sameTreeInTwoRoundsIssuesOncePerEdition() public {
        uint256 first = _allWinRound(_oneTree(entrants));
        uint256 second = _allWinRound(_oneTree(entrants));
        bytes32[] memory proof = DrawTrees.proof(entrants, 1);

        draw.claim(first, 0, 1, entrants[1], proof);
        draw.claim(second, 0, 1, entrants[1], proof);
        vm.expectRevert(abi.encodeWithSelector(IBadgeDraw.DrawAlreadyIssued.selector, second, entrants[1]));
        draw.claim(second, 0, 1, entrants[1], proof);

        require(series.balanceOf(entrants[1]) == 2, "the entrant holds other than one badge per edition");
    }

    // ---------------------------------------------------------------------------------------
    // An inner node presented as a leaf
    // ---------------------------------------------------------------------------------------

    /// @dev In the four-leaf tree, `node = hash(leaf0, leaf1)` with the one-element proof
    /// `[hash(leaf2, leaf3)]` leads to the root, so a verifier fed raw leaves would accept it. The
    /// draw computes each leaf as `keccak256(keccak256(abi.encode(index, account)))`, a hash of
    /// 32 bytes, while an inner node is a hash of 64 bytes, so no index and account give `node`.
    function testFuzz_innerNodeAsLeafRejected(uint8 indexSeed, address account) public {
        uint256 roundId = _allWinRound(_oneTree(entrants));
        bytes32 leaf0 = DrawTrees.leaf(0, entrants[0]);
        bytes32 leaf1 = DrawTrees.leaf(1, entrants[1]);
        bytes32 node = DrawTrees.hashPair(leaf0, leaf1);
        bytes32[] memory upper = new bytes32[](1);
        upper[0] = DrawTrees.hashPair(DrawTrees.leaf(2, entrants[2]), DrawTrees.leaf(3, entrants[3]));
        require(MerkleProof.verify(upper, draw.getPool(roundId, 0).root, node), "the inner node does not prove");

        uint256 index = indexSeed % entrants.length;
        vm.expectRevert(abi.encodeWithSelector(IBadgeDraw.DrawInvalidProof.selector, roundId, 0, index, account));
        draw.claim(roundId, 0, index, account, upper);

        // The node's children as the 64 bytes of `abi.encode(index, account)`, in hash order.
        (bytes32 low, bytes32 high) = leaf0 < leaf1 ? (leaf0, leaf1) : (leaf1, leaf0);
        vm.recordLogs();
        require(
            draw.claimBatch(roundId, _item(0, uint256(low), address(uint160(uint256(high))), upper)) == 0,
            "the batch issued a badge"
        );
        (uint256 skipped, IBadgeDraw.ClaimSkipReason reason) = _skipReasons(roundId);
        require(skipped == 1 && reason == IBadgeDraw.ClaimSkipReason.InvalidProof, "the node passed as a leaf");
        require(series.edition(roundId).issued == 0, "a badge was issued");
    }

    // ---------------------------------------------------------------------------------------
    // A randomness source that reenters the draw
    // ---------------------------------------------------------------------------------------

    function _reentrantRound() private returns (uint256 roundId, TestReentrantRandomnessSource source) {
        source = new TestReentrantRandomnessSource(address(draw));
        draw.allowRandomnessSource(address(source));
        IBadgeDraw.PoolManifest[] memory pools = new IBadgeDraw.PoolManifest[](1);
        pools[0] = IBadgeDraw.PoolManifest(DrawTrees.root(entrants), uint32(entrants.length), 2);
        roundId = _createEdition(2);
        draw.commitRound(roundId, _manifest(address(source), 0, pools));
        vm.warp(block.timestamp + 1 hours);
    }

    function _seedDeliveries(uint256 roundId) private returns (uint256 count) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IBadgeDraw.SeedDelivered.selector && uint256(logs[i].topics[1]) == roundId) {
                ++count;
            }
        }
    }

    function test_sourceDeliveringItsNewRequestEarlyIgnored() public {
        (uint256 roundId, TestReentrantRandomnessSource source) = _reentrantRound();
        source.arm(abi.encodeCall(ISeedReceiver.deliverSeed, (roundId, 1, SEED)));

        vm.recordLogs();
        uint256 requestId = draw.requestRandomness(roundId);

        require(requestId == 1, "unexpected request id");
        require(source.reentrySucceeded(), "the reentrant delivery reverted");
        require(draw.roundState(roundId) == IBadgeDraw.RoundState.Requested, "the early delivery seeded the round");
        require(_seedDeliveries(roundId) == 0, "a seed was delivered during the request");

        vm.recordLogs();
        source.deliver(roundId, requestId, SEED);
        require(draw.roundState(roundId) == IBadgeDraw.RoundState.Seeded, "the honest delivery did not seed");
        require(_seedDeliveries(roundId) == 1, "other than one seed was delivered");
    }

    /// @dev The nested request passes the retry check only because this source reports every
    /// request lapsed, and it uses up the round's one retry; the round still takes one seed.
    function test_sourceRequestingAgainDuringRequestGetsOneSeed() public {
        (uint256 roundId, TestReentrantRandomnessSource source) = _reentrantRound();
        source.setLapsed(true);
        source.arm(abi.encodeCall(IBadgeDraw.requestRandomness, (roundId)));

        draw.requestRandomness(roundId);

        IBadgeDraw.RoundView memory round = draw.getRound(roundId);
        require(round.attempts == 2, "the nested request did not count");
        require(round.requestIds[0] == 1 && round.requestIds[1] == 2, "unexpected request ids");
        source.setLapsed(false);
        vm.recordLogs();
        source.deliver(roundId, 1, SEED);
        source.deliver(roundId, 2, SEED + 1);
        source.deliver(roundId, 2, SEED + 2);
        require(_seedDeliveries(roundId) == 1, "other than one seed was delivered");
        vm.expectRevert(
            abi.encodeWithSelector(IBadgeDraw.DrawRoundNotRequestable.selector, roundId, IBadgeDraw.RoundState.Seeded)
        );
        draw.requestRandomness(roundId);
    }

    function test_sourceClaimingDuringRequestRejected() public {
        (uint256 roundId, TestReentrantRandomnessSource source) = _reentrantRound();
        source.arm(abi.encodeCall(IBadgeDraw.claim, (roundId, 0, 1, entrants[1], DrawTrees.proof(entrants, 1))));

        draw.requestRandomness(roundId);

        require(!source.reentrySucceeded(), "the reentrant claim succeeded");
        require(
            keccak256(source.reentryResult())
                == keccak256(
                    abi.encodeWithSelector(
                        IBadgeDraw.DrawRoundNotSeeded.selector, roundId, IBadgeDraw.RoundState.Requested
                    )
                ),
            "the reentrant claim failed for another reason"
        );
        require(series.edition(roundId).issued == 0, "a badge was issued");
    }

    /// @dev Whatever seed the source delivers, claims stay within the winner count and the
    /// serials reserved for the round.
    function testFuzz_seededRoundIssuesOnlyReservedSerials(uint256 seed) public {
        (uint256 roundId, TestReentrantRandomnessSource source) = _reentrantRound();
        draw.requestRandomness(roundId);
        source.deliver(roundId, 1, seed);

        uint256 issued;
        for (uint256 index; index < entrants.length; ++index) {
            (bool won, uint256 rank) = draw.isWinner(roundId, 0, index);
            bytes32[] memory proof = DrawTrees.proof(entrants, index);
            if (!won) {
                vm.expectRevert(abi.encodeWithSelector(IBadgeDraw.DrawNotWinner.selector, roundId, 0, index, rank, 2));
                draw.claim(roundId, 0, index, entrants[index], proof);
                continue;
            }
            draw.claim(roundId, 0, index, entrants[index], proof);
            ++issued;
        }
        IBadgeSeries.Edition memory stored = series.edition(roundId);
        require(issued == 2, "other than K winners claimed");
        require(stored.issued == 2 && stored.allocated == 2, "the counters left the reserved block");
    }
}
