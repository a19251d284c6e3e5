// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BadgeDraw} from "../../contracts/BadgeDraw.sol";
import {BadgeSeries} from "../../contracts/BadgeSeries.sol";
import {IBadgeDraw} from "../../contracts/interfaces/IBadgeDraw.sol";
import {IBadgeSeries} from "../../contracts/interfaces/IBadgeSeries.sol";
import {IChainlinkVrfSource} from "../../contracts/interfaces/IRandomnessSource.sol";
import {ChainlinkVrfSource} from "../../contracts/randomness/ChainlinkVrfSource.sol";
import {CommitRevealSource} from "../../contracts/randomness/CommitRevealSource.sol";
import {VrfCoordinatorMock} from "../../contracts/test/VrfCoordinatorMock.sol";
import {vm} from "./utils/Vm.sol";

/// @notice Cheatcodes beyond those in `utils/Vm.sol` that the draw tests use, at the same
/// standard cheatcode address.
interface VmDrawExtras {
    function mockCallRevert(address callee, bytes calldata data, bytes calldata revertData) external;
    function clearMockedCalls() external;
}

VmDrawExtras constant vmExtras = VmDrawExtras(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

/// @notice Sorted-pair Merkle trees over draw leaves `[index, account]`, built the simple way:
/// pair neighbours level by level and carry an odd last node up unchanged. The shape differs from
/// the JavaScript library `merkle-tree` of OpenZeppelin (which the Python tests match), but
/// OpenZeppelin's `MerkleProof`, and so the draw, accepts any tree whose inner nodes hash their
/// children in ascending order.
library DrawTrees {
    function leaf(uint256 index, address account) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, account))));
    }

    function root(address[] memory accounts) internal pure returns (bytes32) {
        bytes32[] memory level = _leaves(accounts);
        while (level.length > 1) {
            level = _parents(level);
        }
        return level[0];
    }

    function proof(address[] memory accounts, uint256 index) internal pure returns (bytes32[] memory path) {
        bytes32[] memory level = _leaves(accounts);
        bytes32[] memory siblings = new bytes32[](64);
        uint256 depth;
        uint256 position = index;
        while (level.length > 1) {
            uint256 sibling = position ^ 1;
            if (sibling < level.length) siblings[depth++] = level[sibling];
            level = _parents(level);
            position >>= 1;
        }
        path = new bytes32[](depth);
        for (uint256 i; i < depth; ++i) {
            path[i] = siblings[i];
        }
    }

    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function _leaves(address[] memory accounts) private pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            leaves[i] = leaf(i, accounts[i]);
        }
    }

    function _parents(bytes32[] memory level) private pure returns (bytes32[] memory parents) {
        parents = new bytes32[]((level.length + 1) / 2);
        for (uint256 i; i < parents.length; ++i) {
            uint256 left = 2 * i;
            parents[i] = left + 1 < level.length ? hashPair(level[left], level[left + 1]) : level[left];
        }
    }
}

/// @notice Deploys what every draw test needs: a series, a draw holding its MINTER_ROLE, Chainlink's
/// VRF coordinator mock with a funded subscription, and both randomness sources, allow-listed.
/// The deploying contract holds every admin and issuer role.
abstract contract BadgeDrawFixture {
    bytes32 internal constant KEY_HASH = keccak256("merit forge gas lane");
    uint32 internal constant CALLBACK_GAS_LIMIT = 200_000;
    uint256 internal constant RECOVERY_DELAY = 1 hours;
    uint256 internal constant START_TIME = 1_700_000_000;

    BadgeSeries internal series;
    BadgeDraw internal draw;
    VrfCoordinatorMock internal coordinator;
    ChainlinkVrfSource internal vrfSource;
    CommitRevealSource internal crSource;
    uint256 internal subscriptionId;

    function _deployDraw() internal {
        vm.warp(START_TIME);
        vm.deal(address(this), 1_000 ether);

        series = new BadgeSeries("Merit", "MERIT", "", address(this), 0, RECOVERY_DELAY);
        series.grantRole(series.ISSUER_ROLE(), address(this));
        series.grantRole(series.RECOVERY_ROLE(), address(this));
        draw = new BadgeDraw(IBadgeSeries(address(series)), address(this), 0);
        series.grantRole(series.MINTER_ROLE(), address(draw));
        draw.grantRole(draw.ISSUER_ROLE(), address(this));

        coordinator = new VrfCoordinatorMock(1e15, 1e9, 4e15);
        subscriptionId = coordinator.createSubscription();
        coordinator.fundSubscriptionWithNative{value: 500 ether}(subscriptionId);
        vrfSource = new ChainlinkVrfSource(
            address(coordinator),
            address(draw),
            IChainlinkVrfSource.VrfConfig(KEY_HASH, subscriptionId, 3, CALLBACK_GAS_LIMIT, true)
        );
        coordinator.addConsumer(subscriptionId, address(vrfSource));
        draw.acceptSourceOwnership(address(vrfSource));
        draw.allowRandomnessSource(address(vrfSource));

        crSource = new CommitRevealSource(address(draw));
        draw.allowRandomnessSource(address(crSource));
    }

    function _createEdition(uint32 cap) internal returns (uint256) {
        return series.createEdition(
            IBadgeSeries.EditionConfig({
                name: "Draw test edition",
                cap: cap,
                opensAt: uint40(block.timestamp - 1),
                closesAt: uint40(block.timestamp + 3650 days),
                metadataURI: "ipfs://edition.json",
                artworkSha256: keccak256("artwork"),
                metadataSha256: keccak256("metadata")
            })
        );
    }

    function _manifest(address source, bytes32 commitment, IBadgeDraw.PoolManifest[] memory pools)
        internal
        view
        returns (IBadgeDraw.RoundManifest memory)
    {
        return IBadgeDraw.RoundManifest({
            closeTime: uint40(block.timestamp + 1 hours),
            algorithm: 1,
            entrantsSha256: sha256("entrant files"),
            entrantsURI: "ipfs://entrants",
            randomnessSource: source,
            commitment: commitment,
            pools: pools
        });
    }

    /// @dev Requests the seed of a committed VRF round and has the coordinator deliver `word`.
    function _seedWithVrf(uint256 roundId, uint256 word) internal returns (uint256 requestId) {
        vm.warp(block.timestamp + 1 hours);
        requestId = draw.requestRandomness(roundId);
        uint256[] memory words = new uint256[](1);
        words[0] = word;
        coordinator.fulfillRandomWordsWithOverride(requestId, address(vrfSource), words);
    }

    receive() external payable {}
}
