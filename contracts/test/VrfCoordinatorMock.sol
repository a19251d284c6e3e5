// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VRFCoordinatorV2_5Mock} from "@chainlink/contracts/src/v0.8/vrf/mocks/VRFCoordinatorV2_5Mock.sol";

/// @title VrfCoordinatorMock
/// @notice TEST ONLY. Chainlink's own VRF v2.5 coordinator mock, unchanged: ape emits artifacts
/// only for contracts defined in the project, so this contract derives from it and passes its
/// constructor arguments through.
contract VrfCoordinatorMock is VRFCoordinatorV2_5Mock {
    /// @param baseFee Flat fee charged per fulfilment, in LINK juels or wei.
    /// @param gasPrice Gas price used to charge for the callback gas, in wei.
    /// @param weiPerUnitLink Exchange rate used for LINK payments.
    constructor(uint96 baseFee, uint96 gasPrice, int256 weiPerUnitLink)
        VRFCoordinatorV2_5Mock(baseFee, gasPrice, weiPerUnitLink)
    {}
}
