// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBadgeDraw} from "../../contracts/interfaces/IBadgeDraw.sol";
import {IChainlinkVrfSource} from "../../contracts/interfaces/IRandomnessSource.sol";
import {ISeedReceiver} from "../../contracts/interfaces/ISeedReceiver.sol";
import {BadgeDrawFixture, DrawTrees, vmExtras} from "./BadgeDrawFixture.t.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice Paths of the sources and of `deliverSeed` that Chainlink's coordinator mock and the
/// commit–reveal source never take on their own: a draw that reverts on delivery, a coordinator
/// that fulfils twice or without a word, and a source that delivers when it should not.
contract BadgeDrawSourcesTest is BadgeDrawFixture {
    bytes32 private constant SEED_DELIVERED = keccak256("SeedDelivered(uint256,uint256,uint256)");
    bytes32 private constant SEED_IGNORED = keccak256("SeedIgnored(uint256,uint256,uint256,uint8)");
    bytes32 private constant FULFILMENT_IGNORED = keccak256("VrfFulfilmentIgnored(uint256,uint8)");
    bytes32 private constant DELIVERY_FAILED = keccak256("VrfSeedDeliveryFailed(uint256,uint256,bytes)");
    bytes32 private constant WORDS_FULFILLED =
        keccak256("RandomWordsFulfilled(uint256,uint256,uint256,uint96,bool,bool,bool)");

    uint256 private roundId;

    function setUp() public {
        _deployDraw();
        roundId = _createEdition(50);
    }

    function _commit(address source, bytes32 commitment) private {
        address[] memory accounts = new address[](4);
        for (uint256 i; i < accounts.length; ++i) {
            accounts[i] = address(uint160(0xBEEF + i));
        }
        IBadgeDraw.PoolManifest[] memory pools = new IBadgeDraw.PoolManifest[](1);
        pools[0] = IBadgeDraw.PoolManifest(DrawTrees.root(accounts), 4, 2);
        draw.commitRound(roundId, _manifest(source, commitment, pools));
    }

    function _request() private returns (uint256 requestId) {
        vm.warp(block.timestamp + 1 hours);
        requestId = draw.requestRandomness(roundId);
    }

    function _count(Vm.Log[] memory logs, address emitter, bytes32 topic) private pure returns (uint256 count) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics[0] == topic) ++count;
        }
    }

    function _find(Vm.Log[] memory logs, address emitter, bytes32 topic) private pure returns (Vm.Log memory entry) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics[0] == topic) return logs[i];
        }
        revert("expected log not found");
    }

    function _words(uint256 word) private pure returns (uint256[] memory words) {
        words = new uint256[](1);
        words[0] = word;
    }

    function test_vrfCallbackRecordsFailingDraw() public {
        _commit(address(vrfSource), 0);
        uint256 requestId = _request();
        bytes memory failure = abi.encodeWithSignature("Error(string)", "draw unavailable");
        // Forces the draw to revert: no input makes the real deliverSeed revert for its own source.
        vmExtras.mockCallRevert(address(draw), abi.encodeWithSelector(ISeedReceiver.deliverSeed.selector), failure);

        vm.recordLogs();
        coordinator.fulfillRandomWordsWithOverride(requestId, address(vrfSource), _words(42));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vmExtras.clearMockedCalls();

        Vm.Log memory failed = _find(logs, address(vrfSource), DELIVERY_FAILED);
        require(uint256(failed.topics[1]) == requestId, "failure logged for another request");
        require(uint256(failed.topics[2]) == roundId, "failure logged for another round");
        require(keccak256(abi.decode(failed.data, (bytes))) == keccak256(failure), "revert data not recorded");
        (,,, bool success,) =
            abi.decode(_find(logs, address(coordinator), WORDS_FULFILLED).data, (uint256, uint96, bool, bool, bool));
        require(success, "the callback reverted");
        (,, bool delivered) = vrfSource.request(requestId);
        require(!delivered, "a failed delivery counts as delivered");
        require(draw.roundState(roundId) == IBadgeDraw.RoundState.Requested, "round left Requested");

        // The undelivered request lapses, and the one retry goes out.
        vm.warp(block.timestamp + vrfSource.REQUEST_TIMEOUT());
        require(vrfSource.requestLapsed(requestId), "the failed request never lapses");
        uint256 retry = draw.requestRandomness(roundId);
        coordinator.fulfillRandomWordsWithOverride(retry, address(vrfSource), _words(43));
        require(draw.roundState(roundId) == IBadgeDraw.RoundState.Seeded, "the retry did not seed the round");
    }

    function test_vrfCallbackIgnoresRepeatedFulfilment() public {
        _commit(address(vrfSource), 0);
        uint256 requestId = _request();
        coordinator.fulfillRandomWordsWithOverride(requestId, address(vrfSource), _words(7));
        uint128 key = draw.getRound(roundId).permutationKey;

        vm.recordLogs();
        vm.prank(address(coordinator));
        vrfSource.rawFulfillRandomWords(requestId, _words(8));
        Vm.Log[] memory logs = vm.getRecordedLogs();

        Vm.Log memory ignored = _find(logs, address(vrfSource), FULFILMENT_IGNORED);
        require(
            abi.decode(ignored.data, (IChainlinkVrfSource.FulfilmentIgnoredReason))
                == IChainlinkVrfSource.FulfilmentIgnoredReason.AlreadyDelivered,
            "wrong reason"
        );
        require(_count(logs, address(draw), SEED_DELIVERED) == 0, "a second seed reached the draw");
        require(draw.getRound(roundId).permutationKey == key, "the key changed");
    }

    function test_vrfCallbackIgnoresMissingWord() public {
        _commit(address(vrfSource), 0);
        uint256 requestId = _request();

        vm.recordLogs();
        vm.prank(address(coordinator));
        vrfSource.rawFulfillRandomWords(requestId, new uint256[](0));
        Vm.Log[] memory logs = vm.getRecordedLogs();

        Vm.Log memory ignored = _find(logs, address(vrfSource), FULFILMENT_IGNORED);
        require(
            abi.decode(ignored.data, (IChainlinkVrfSource.FulfilmentIgnoredReason))
                == IChainlinkVrfSource.FulfilmentIgnoredReason.NoRandomWord,
            "wrong reason"
        );
        require(draw.roundState(roundId) == IBadgeDraw.RoundState.Requested, "round left Requested");
    }

    function test_drawIgnoresSecondSeed() public {
        _commit(address(vrfSource), 0);
        uint256 requestId = _seedWithVrf(roundId, 11);
        uint128 key = draw.getRound(roundId).permutationKey;

        vm.recordLogs();
        vm.prank(address(vrfSource));
        draw.deliverSeed(roundId, requestId, 12);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        _expectIgnored(logs, requestId, IBadgeDraw.SeedIgnoredReason.AlreadySeeded);
        require(draw.getRound(roundId).permutationKey == key, "the key changed");
    }

    function test_drawIgnoresUnknownRequest() public {
        _commit(address(vrfSource), 0);
        uint256 requestId = _request();

        vm.recordLogs();
        vm.prank(address(vrfSource));
        draw.deliverSeed(roundId, requestId + 1, 5);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        _expectIgnored(logs, requestId + 1, IBadgeDraw.SeedIgnoredReason.UnknownRequest);
        require(draw.roundState(roundId) == IBadgeDraw.RoundState.Requested, "round left Requested");
    }

    function test_drawIgnoresSeedBeforeRequest() public {
        _commit(address(vrfSource), 0);

        vm.recordLogs();
        vm.prank(address(vrfSource));
        draw.deliverSeed(roundId, 0, 5);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        _expectIgnored(logs, 0, IBadgeDraw.SeedIgnoredReason.UnknownRequest);
        require(draw.roundState(roundId) == IBadgeDraw.RoundState.Committed, "round left Committed");
    }

    function test_drawIgnoresSeedForFailedRound() public {
        bytes32 secret = keccak256("secret");
        _commit(address(crSource), crSource.commitmentOf(roundId, secret));
        uint256 requestId = _request();
        vm.roll(block.number + 1 + crSource.BLOCKHASH_WINDOW() + 1);
        draw.expire(roundId);

        vm.recordLogs();
        vm.prank(address(crSource));
        draw.deliverSeed(roundId, requestId, 5);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        _expectIgnored(logs, requestId, IBadgeDraw.SeedIgnoredReason.RoundFailed);
        require(draw.roundState(roundId) == IBadgeDraw.RoundState.Failed, "round left Failed");
    }

    function _expectIgnored(Vm.Log[] memory logs, uint256 requestId, IBadgeDraw.SeedIgnoredReason reason) private view {
        require(_count(logs, address(draw), SEED_DELIVERED) == 0, "the seed was taken");
        Vm.Log memory ignored = _find(logs, address(draw), SEED_IGNORED);
        require(uint256(ignored.topics[1]) == roundId, "ignored for another round");
        (uint256 loggedRequest,, IBadgeDraw.SeedIgnoredReason loggedReason) =
            abi.decode(ignored.data, (uint256, uint256, IBadgeDraw.SeedIgnoredReason));
        require(loggedRequest == requestId, "ignored another request");
        require(loggedReason == reason, "wrong reason");
    }
}
