// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BadgeSeries} from "../../contracts/BadgeSeries.sol";
import {IBadgeSeries} from "../../contracts/interfaces/IBadgeSeries.sol";
import {BadgeIds} from "../../contracts/libraries/BadgeIds.sol";
import {EditionMasks} from "../../contracts/libraries/EditionMasks.sol";
import {vm} from "./utils/Vm.sol";

/// @notice Fuzz tests of the series' id encoding, mask arithmetic and batch issuance.
contract BadgeSeriesFuzzTest {
    BadgeSeries private series;

    function setUp() public {
        series = new BadgeSeries("Fuzz", "FZ", "", address(this), 0, 1 hours);
        series.grantRole(series.ISSUER_ROLE(), address(this));
        series.createEdition(
            IBadgeSeries.EditionConfig({
                name: "Edition",
                cap: 1000,
                opensAt: uint40(block.timestamp),
                closesAt: uint40(block.timestamp + 30 days),
                metadataURI: "ipfs://edition",
                artworkSha256: bytes32(uint256(1)),
                metadataSha256: bytes32(uint256(2))
            })
        );
    }

    function testFuzz_tokenIdRoundTrips(uint8 editionId, address holder) public pure {
        uint256 tokenId = BadgeIds.encode(editionId, holder);
        require(BadgeIds.editionOf(tokenId) == editionId, "edition lost");
        require(BadgeIds.holderOf(tokenId) == holder, "holder lost");
        require(tokenId < BadgeIds.ID_BOUND, "id beyond bound");
    }

    function testFuzz_maskCountMatchesBitLoop(uint256 mask) public pure {
        uint256 expected;
        for (uint256 bit; bit < 256; ++bit) {
            if (mask & (1 << bit) != 0) ++expected;
        }
        require(EditionMasks.count(mask) == expected, "population count differs");
    }

    function test_maskCountOfFullMask() public pure {
        require(EditionMasks.count(type(uint256).max) == 256, "full mask must count 256");
    }

    function testFuzz_issueBatchOfDistinctHolders(uint256 seed, uint8 size) public {
        uint256 count = 1 + uint256(size) % 60;
        address[] memory holders = new address[](count);
        for (uint256 i; i < count; ++i) {
            // Distinct by construction: the index sits in the low bits.
            holders[i] = address(uint160(uint256(keccak256(abi.encode(seed, i))) << 16 | i | 1 << 15));
        }

        series.issueBatch(0, holders);

        IBadgeSeries.Edition memory edition = series.edition(0);
        require(edition.issued == count && edition.allocated == count, "counters differ from batch size");
        for (uint256 i; i < count; ++i) {
            require(series.ownerOf(series.tokenIdOf(0, holders[i])) == holders[i], "holder missing");
            require(series.balanceOf(holders[i]) == 1, "balance differs");
        }
    }

    function testFuzz_transferAlwaysReverts(address from, address to, uint256 tokenId) public {
        vm.expectRevert(abi.encodeWithSelector(IBadgeSeries.BadgeTransferDisabled.selector, from, to, tokenId));
        series.transferFrom(from, to, tokenId);
    }
}
