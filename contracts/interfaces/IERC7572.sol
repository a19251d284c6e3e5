// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ERC-7572: contract-level metadata via `contractURI()`
interface IERC7572 {
    /// @notice Emitted when the value returned by `contractURI` changes.
    event ContractURIUpdated();

    /// @notice Returns the URI of a JSON document that describes the whole contract.
    function contractURI() external view returns (string memory);
}
