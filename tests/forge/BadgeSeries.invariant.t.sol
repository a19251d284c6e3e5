// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BadgeSeries} from "../../contracts/BadgeSeries.sol";
import {IBadgeSeries} from "../../contracts/interfaces/IBadgeSeries.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice Drives a badge series at random: issues, batches, revokes, recovers, pauses and tries
/// every transfer and approval entry point. It rebuilds holders from the Transfer logs alone, so
/// the invariants can compare the contract's views with what its events say.
contract BadgeSeriesHandler {
    bytes32 private constant TRANSFER_TOPIC = keccak256("Transfer(address,address,uint256)");
    uint256 public constant EDITIONS = 3;
    uint256 public constant ACTORS = 8;

    BadgeSeries public immutable series;
    address[] public actors;

    /// @dev Model rebuilt from Transfer logs: the owner of each token id, zero once burned.
    mapping(uint256 tokenId => address) public loggedOwner;
    mapping(address holder => uint256) public loggedBalance;
    /// @dev How many times each (edition, holder) token id was minted; the series allows one.
    mapping(uint256 tokenId => uint256) public mintCount;

    uint256 public transfersSucceeded;
    uint256 public calls;

    constructor(BadgeSeries series_) {
        series = series_;
        for (uint256 i; i < ACTORS; ++i) {
            actors.push(address(uint160(0xA11CE0 + i)));
        }
    }

    // -------------------------------------------------------------------------------------------
    // Actions
    // -------------------------------------------------------------------------------------------

    function issue(uint256 editionSeed, uint256 actorSeed) external {
        bool ok;
        try series.issue(editionSeed % EDITIONS, _actor(actorSeed)) { ok = true; } catch {}
        _afterAction(ok);
    }

    function issueBatch(uint256 editionSeed, uint256 actorSeeds) external {
        address[] memory holders = new address[](1 + actorSeeds % 3);
        for (uint256 i; i < holders.length; ++i) {
            holders[i] = _actor(actorSeeds >> (8 * (i + 1)));
        }
        bool ok;
        try series.issueBatch(editionSeed % EDITIONS, holders) { ok = true; } catch {}
        _afterAction(ok);
    }

    function revoke(uint256 editionSeed, uint256 actorSeed, uint16 reason) external {
        uint256 tokenId = series.tokenIdOf(editionSeed % EDITIONS, _actor(actorSeed));
        bool ok;
        try series.revoke(tokenId, reason) { ok = true; } catch {}
        _afterAction(ok);
    }

    function proposeRecovery(uint256 holderSeed, uint256 successorSeed) external {
        bool ok;
        try series.proposeRecovery(_actor(holderSeed), _actor(successorSeed)) { ok = true; } catch {}
        _afterAction(ok);
    }

    function vetoRecovery(uint256 holderSeed) external {
        vm.prank(_actor(holderSeed));
        bool ok;
        try series.vetoRecovery() { ok = true; } catch {}
        _afterAction(ok);
    }

    function executeRecovery(uint256 holderSeed) external {
        bool ok;
        try series.executeRecovery(_actor(holderSeed)) { ok = true; } catch {}
        _afterAction(ok);
    }

    function togglePause(bool paused) external {
        bool ok;
        if (paused) {
            try series.pause() { ok = true; } catch {}
        } else {
            try series.unpause() { ok = true; } catch {}
        }
        _afterAction(ok);
    }

    function passTime(uint32 seconds_) external {
        vm.warp(block.timestamp + seconds_ % 3 days);
        _afterAction(true);
    }

    /// @dev Tries all six soulbound-protected entry points as the holder of a badge; none may
    /// succeed.
    function attemptTransfer(uint256 editionSeed, uint256 actorSeed, uint256 toSeed, uint8 entryPoint) external {
        address holder = _actor(actorSeed);
        address to = _actor(toSeed);
        uint256 tokenId = series.tokenIdOf(editionSeed % EDITIONS, holder);
        uint8 choice = entryPoint % 5;

        vm.prank(holder);
        bool succeeded;
        if (choice == 0) {
            try series.transferFrom(holder, to, tokenId) { succeeded = true; } catch {}
        } else if (choice == 1) {
            try series.safeTransferFrom(holder, to, tokenId) { succeeded = true; } catch {}
        } else if (choice == 2) {
            try series.safeTransferFrom(holder, to, tokenId, "") { succeeded = true; } catch {}
        } else if (choice == 3) {
            try series.approve(to, tokenId) { succeeded = true; } catch {}
        } else {
            try series.setApprovalForAll(to, true) { succeeded = true; } catch {}
        }
        if (succeeded) ++transfersSucceeded;
        _afterAction(succeeded);
    }

    // -------------------------------------------------------------------------------------------
    // Log model
    // -------------------------------------------------------------------------------------------

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function _actor(uint256 seed) private view returns (address) {
        return actors[seed % ACTORS];
    }

    /// @dev Applies the Transfer logs of the last action to the model. forge records the logs of
    /// reverted calls too, so those of a failed action are drained and dropped.
    function _afterAction(bool succeeded) private {
        ++calls;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        if (!succeeded) return;
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory entry = logs[i];
            if (entry.emitter != address(series) || entry.topics[0] != TRANSFER_TOPIC) continue;
            address from = address(uint160(uint256(entry.topics[1])));
            address to = address(uint160(uint256(entry.topics[2])));
            uint256 tokenId = uint256(entry.topics[3]);
            if (from != address(0)) {
                require(loggedOwner[tokenId] == from, "Transfer log burns a token its model owner does not hold");
                loggedOwner[tokenId] = address(0);
                --loggedBalance[from];
            }
            if (to != address(0)) {
                require(loggedOwner[tokenId] == address(0), "Transfer log mints a token that exists");
                loggedOwner[tokenId] = to;
                ++loggedBalance[to];
                ++mintCount[tokenId];
            }
        }
    }
}

/// @notice Invariants of {BadgeSeries} under random use. The CI profile runs 1,000 runs at depth
/// 100; `make fuzz-deep` runs 10,000 at depth 200.
contract BadgeSeriesInvariantTest {
    BadgeSeries private series;
    BadgeSeriesHandler private handler;
    uint32[3] private caps = [uint32(4), 6, 40];

    function setUp() public {
        series = new BadgeSeries("Invariant", "INV", "", address(this), 0, 1 hours);
        handler = new BadgeSeriesHandler(series);

        series.grantRole(series.ISSUER_ROLE(), address(handler));
        series.grantRole(series.RECOVERY_ROLE(), address(handler));
        series.grantRole(series.PAUSER_ROLE(), address(handler));
        series.grantRole(series.ISSUER_ROLE(), address(this));

        for (uint256 i; i < caps.length; ++i) {
            series.createEdition(
                IBadgeSeries.EditionConfig({
                    name: "Edition",
                    cap: caps[i],
                    opensAt: uint40(block.timestamp),
                    closesAt: uint40(block.timestamp + 3650 days),
                    metadataURI: "ipfs://edition",
                    artworkSha256: bytes32(uint256(1)),
                    metadataSha256: bytes32(uint256(2))
                })
            );
        }
        vm.recordLogs();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_noTransferOrApprovalSucceeds() public view {
        require(handler.transfersSucceeded() == 0, "a transfer or approval succeeded");
        for (uint256 a; a < handler.actorCount(); ++a) {
            for (uint256 b; b < handler.actorCount(); ++b) {
                require(!series.isApprovedForAll(handler.actors(a), handler.actors(b)), "operator approved");
            }
        }
    }

    function invariant_issuedMinusRevokedEqualsBalances() public view {
        uint256 circulating;
        for (uint256 e; e < handler.EDITIONS(); ++e) {
            IBadgeSeries.Edition memory edition = series.edition(e);
            circulating += edition.issued - edition.revoked;
        }
        uint256 balances;
        for (uint256 a; a < handler.actorCount(); ++a) {
            balances += series.balanceOf(handler.actors(a));
        }
        require(balances == circulating, "sum of balances differs from issued minus revoked");
    }

    function invariant_issuedNeverExceedsCap() public view {
        for (uint256 e; e < handler.EDITIONS(); ++e) {
            IBadgeSeries.Edition memory edition = series.edition(e);
            require(edition.issued <= edition.allocated, "issued exceeds allocated");
            require(edition.allocated <= edition.cap, "allocated exceeds cap");
            require(edition.cap == caps[e], "cap changed");
        }
    }

    function invariant_oneBadgePerHolderPerEdition() public view {
        for (uint256 e; e < handler.EDITIONS(); ++e) {
            for (uint256 a; a < handler.actorCount(); ++a) {
                require(handler.mintCount(series.tokenIdOf(e, handler.actors(a))) <= 1, "edition minted twice to one holder");
            }
        }
    }

    function invariant_viewsAgreeWithLogs() public view {
        for (uint256 a; a < handler.actorCount(); ++a) {
            address holder = handler.actors(a);
            require(series.balanceOf(holder) == handler.loggedBalance(holder), "balanceOf differs from logs");
            for (uint256 e; e < handler.EDITIONS(); ++e) {
                uint256 tokenId = series.tokenIdOf(e, holder);
                address logged = handler.loggedOwner(tokenId);
                require(series.holds(e, holder) == (logged == holder), "holds differs from logs");
                if (logged != address(0)) {
                    require(series.ownerOf(tokenId) == logged, "ownerOf differs from logs");
                    require(series.locked(tokenId), "badge not locked");
                }
            }
        }
    }
}
