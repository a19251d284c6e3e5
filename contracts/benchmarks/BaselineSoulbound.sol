// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

import {IERC5192} from "../interfaces/IERC5192.sol";

/// @title BaselineSoulbound
/// @notice FOR BENCHMARKS ONLY. The plain way to build a soulbound badge series: OpenZeppelin's
/// ERC721 with transfers disabled in `_update` and a counter per edition. The benchmark suite
/// compiles it beside {BadgeSeries} to show what the lean layout saves.
contract BaselineSoulbound is ERC721, IERC5192 {
    error BaselineSoulboundTransfer(uint256 tokenId);

    mapping(uint256 editionId => uint256) public issued;

    constructor() ERC721("Baseline", "BASE") {}

    /// @notice Mints the next badge of `editionId` to `holder`; ids are `editionId << 128 | serial`.
    function issue(uint256 editionId, address holder) external returns (uint256 tokenId) {
        tokenId = (editionId << 128) | ++issued[editionId];
        _mint(holder, tokenId);
        emit Locked(tokenId);
    }

    /// @notice Mints one badge of `editionId` to each of `holders`.
    function issueBatch(uint256 editionId, address[] calldata holders) external {
        uint256 serial = issued[editionId];
        for (uint256 i; i < holders.length; ++i) {
            uint256 tokenId = (editionId << 128) | ++serial;
            _mint(holders[i], tokenId);
            emit Locked(tokenId);
        }
        issued[editionId] = serial;
    }

    /// @notice Returns true for every existing token.
    function locked(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return true;
    }

    /// @dev Lets mints and burns through, rejects every transfer between two holders.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) revert BaselineSoulboundTransfer(tokenId);
        return super._update(to, tokenId, auth);
    }
}
