// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IBadgeDraw} from "../../contracts/interfaces/IBadgeDraw.sol";
import {IBadgeSeries} from "../../contracts/interfaces/IBadgeSeries.sol";
import {BadgeDrawFixture, DrawTrees} from "./BadgeDrawFixture.t.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @notice Drives draws at random: commits rounds with small real trees on either source,
/// requests, fulfils, reveals, delivers rogue seeds as the source, claims (with true, foreign and
/// wrong proofs), batches, recovers and revokes holders, and lets time and blocks pass. It
/// rebuilds seeds and claims from the draw's logs so the invariants can check them.
contract BadgeDrawHandler is BadgeDrawFixture {
    bytes32 private constant SEED_DELIVERED = keccak256("SeedDelivered(uint256,uint256,uint256)");
    bytes32 private constant BADGE_CLAIMED = keccak256("BadgeClaimed(uint256,uint256,uint256,address,uint256,uint256)");

    uint256 public constant ROUNDS = 4;
    uint32 public constant CAP = 20;
    uint256 private constant ACTORS = 10;
    uint256 private constant MAX_ENTRANTS = 12;

    address[] private _actors;
    mapping(uint256 roundId => mapping(uint256 pool => address[])) private _accounts;
    mapping(uint256 roundId => uint256) private _closeTime;

    /// @dev Digest of each committed manifest, taken from the views right after the commit.
    mapping(uint256 roundId => bytes32) public manifestDigest;
    /// @dev The permutation key seen when the round was first seen seeded.
    mapping(uint256 roundId => uint128) public firstKey;
    mapping(uint256 roundId => uint256) public seedDeliveries;
    mapping(uint256 roundId => uint256) public drawIssued;
    mapping(bytes32 position => uint256) public claimsAt;

    uint256 public nonWinnerClaims;
    uint256 public repeatedIndexClaims;
    uint256 public wrongSerialClaims;
    uint256 public wrongHolderClaims;
    uint256 public claimsIssued;
    uint256 public calls;

    constructor() payable {
        _deployDraw();
        for (uint256 i; i < ROUNDS; ++i) {
            _createEdition(CAP);
        }
        for (uint256 i; i < ACTORS; ++i) {
            _actors.push(address(uint160(0xD0A0 + i)));
        }
        vm.recordLogs();
    }

    // -------------------------------------------------------------------------------------------
    // Actions
    // -------------------------------------------------------------------------------------------

    function commit(uint256 roundSeed, uint256 shapeSeed, bool commitReveal) external {
        uint256 roundId = roundSeed % ROUNDS;
        uint256 poolCount = 1 + shapeSeed % 3;
        IBadgeDraw.PoolManifest[] memory pools = new IBadgeDraw.PoolManifest[](poolCount);
        address[][] memory accounts = new address[][](poolCount);
        for (uint256 p; p < poolCount; ++p) {
            uint256 entrants = 1 + (shapeSeed >> (8 + 16 * p)) % MAX_ENTRANTS;
            uint256 winners = 1 + (shapeSeed >> (16 + 16 * p)) % entrants;
            accounts[p] = new address[](entrants);
            for (uint256 i; i < entrants; ++i) {
                accounts[p][i] = _actor(uint256(keccak256(abi.encode(shapeSeed, p, i))));
            }
            pools[p] = IBadgeDraw.PoolManifest(DrawTrees.root(accounts[p]), uint32(entrants), uint32(winners));
        }
        address source = commitReveal ? address(crSource) : address(vrfSource);
        bytes32 commitment = commitReveal ? crSource.commitmentOf(roundId, _secret(roundId)) : bytes32(0);

        bool ok;
        try draw.commitRound(roundId, _manifest(source, commitment, pools)) {
            ok = true;
            for (uint256 p; p < poolCount; ++p) {
                _accounts[roundId][p] = accounts[p];
            }
            _closeTime[roundId] = block.timestamp + 1 hours;
            manifestDigest[roundId] = digestOf(roundId);
        } catch {}
        _afterAction(ok);
    }

    function request(uint256 roundSeed) external {
        uint256 roundId = roundSeed % ROUNDS;
        if (block.timestamp < _closeTime[roundId]) vm.warp(_closeTime[roundId]);
        bool ok;
        try draw.requestRandomness(roundId) {
            ok = true;
        } catch {}
        _afterAction(ok);
    }

    function fulfil(uint256 roundSeed, uint256 word) external {
        uint256 roundId = roundSeed % ROUNDS;
        bool ok;
        (bool found, uint256 requestId) = _currentRequest(roundId);
        if (found) {
            uint256[] memory words = new uint256[](1);
            words[0] = word;
            try coordinator.fulfillRandomWordsWithOverride(requestId, address(vrfSource), words) {
                ok = true;
            } catch {}
        }
        _afterAction(ok);
    }

    function reveal(uint256 roundSeed, uint16 blocksToWait) external {
        uint256 roundId = roundSeed % ROUNDS;
        bool ok;
        (bool found, uint256 requestId) = _currentRequest(roundId);
        if (found) {
            vm.roll(block.number + 1 + blocksToWait % 300);
            try crSource.reveal(requestId, _secret(roundId)) {
                ok = true;
            } catch {}
        }
        _afterAction(ok);
    }

    /// @dev A source that misbehaves: it delivers whatever it likes for the round's current or
    /// an arbitrary request id. The draw must still take at most one seed per round.
    function rogueDeliver(uint256 roundSeed, uint256 seed, bool current, uint256 requestId) external {
        uint256 roundId = roundSeed % ROUNDS;
        IBadgeDraw.RoundView memory round = draw.getRound(roundId);
        if (current) (, requestId) = _currentRequest(roundId);
        bool ok;
        vm.prank(round.randomnessSource);
        try draw.deliverSeed(roundId, requestId, seed) {
            ok = true;
        } catch {}
        _afterAction(ok);
    }

    function claim(uint256 roundSeed, uint256 poolSeed, uint256 indexSeed, uint8 mode) external {
        uint256 roundId = roundSeed % ROUNDS;
        uint256 pool = poolSeed % 3;
        address[] storage accounts = _accounts[roundId][pool];
        uint256 entrants = accounts.length;
        bool ok;
        if (entrants > 0) {
            uint256 index = indexSeed % (entrants + 1);
            address account = index < entrants ? accounts[index] : _actor(indexSeed);
            bytes32[] memory proof = DrawTrees.proof(accounts, index < entrants ? index : 0);
            uint8 choice = mode % 4;
            if (choice == 1) account = _actor(indexSeed >> 8);
            if (choice == 2) proof = DrawTrees.proof(accounts, (index + 1) % entrants);
            try draw.claim(roundId, pool, index, account, proof) {
                ok = true;
            } catch {}
        }
        _afterAction(ok);
    }

    function claimBatch(uint256 roundSeed, uint256 itemsSeed) external {
        uint256 roundId = roundSeed % ROUNDS;
        IBadgeDraw.Claim[] memory items = new IBadgeDraw.Claim[](1 + itemsSeed % 4);
        for (uint256 i; i < items.length; ++i) {
            uint256 pool = (itemsSeed >> (8 * i + 4)) % 3;
            address[] storage accounts = _accounts[roundId][pool];
            uint256 index = accounts.length == 0 ? 0 : (itemsSeed >> (8 * i + 8)) % accounts.length;
            address account = accounts.length == 0 ? _actor(i) : accounts[index];
            bytes32[] memory proof = accounts.length == 0 ? new bytes32[](0) : DrawTrees.proof(accounts, index);
            items[i] = IBadgeDraw.Claim(pool, index, account, proof);
        }
        bool ok;
        try draw.claimBatch(roundId, items) {
            ok = true;
        } catch {}
        _afterAction(ok);
    }

    function recover(uint256 holderSeed, uint256 successorSeed) external {
        address holder = _actor(holderSeed);
        address successor = _actor(successorSeed);
        bool ok;
        try series.proposeRecovery(holder, successor) {
            vm.warp(block.timestamp + RECOVERY_DELAY);
            try series.executeRecovery(holder) {
                ok = true;
            } catch {
                series.cancelRecovery(holder);
            }
        } catch {}
        _afterAction(ok);
    }

    function revoke(uint256 roundSeed, uint256 holderSeed) external {
        bool ok;
        try series.revoke(series.tokenIdOf(roundSeed % ROUNDS, _actor(holderSeed)), 1) {
            ok = true;
        } catch {}
        _afterAction(ok);
    }

    function expire(uint256 roundSeed) external {
        bool ok;
        try draw.expire(roundSeed % ROUNDS) {
            ok = true;
        } catch {}
        _afterAction(ok);
    }

    function passTime(uint32 seconds_) external {
        vm.warp(block.timestamp + seconds_ % 30 hours);
        _afterAction(true);
    }

    function passBlocks(uint16 blocks) external {
        vm.roll(block.number + blocks % 300);
        _afterAction(true);
    }

    // -------------------------------------------------------------------------------------------
    // Views for the invariants
    // -------------------------------------------------------------------------------------------

    /// @notice Hash of everything in a round's manifest and its pools, as the views report it.
    function digestOf(uint256 roundId) public view returns (bytes32 digest) {
        IBadgeDraw.RoundView memory round = draw.getRound(roundId);
        digest = keccak256(
            abi.encode(
                round.closeTime,
                round.algorithm,
                round.poolCount,
                round.firstSerial,
                round.winners,
                round.entrantsSha256,
                round.entrantsURI,
                round.randomnessSource,
                round.commitment
            )
        );
        for (uint256 p; p < round.poolCount; ++p) {
            IBadgeDraw.PoolView memory pool = draw.getPool(roundId, p);
            digest = keccak256(abi.encode(digest, pool.root, pool.entrants, pool.winners, pool.firstSerial));
        }
    }

    function seriesContract() external view returns (IBadgeSeries) {
        return IBadgeSeries(address(series));
    }

    function drawContract() external view returns (IBadgeDraw) {
        return draw;
    }

    // -------------------------------------------------------------------------------------------
    // Log model
    // -------------------------------------------------------------------------------------------

    function _actor(uint256 seed) private view returns (address) {
        return _actors[seed % ACTORS];
    }

    function _secret(uint256 roundId) private pure returns (bytes32) {
        return keccak256(abi.encode("issuer secret", roundId));
    }

    function _currentRequest(uint256 roundId) private view returns (bool found, uint256 requestId) {
        IBadgeDraw.RoundView memory round = draw.getRound(roundId);
        if (round.attempts == 0) return (false, 0);
        return (true, round.requestIds[round.attempts - 1]);
    }

    /// @dev Applies the draw's logs of the last action to the model. forge records the logs of
    /// reverted calls too, so those of a failed action are drained and dropped.
    function _afterAction(bool succeeded) private {
        ++calls;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        if (succeeded) {
            for (uint256 i; i < logs.length; ++i) {
                if (logs[i].emitter != address(draw)) continue;
                bytes32 topic = logs[i].topics[0];
                if (topic == SEED_DELIVERED) {
                    ++seedDeliveries[uint256(logs[i].topics[1])];
                } else if (topic == BADGE_CLAIMED) {
                    _recordClaim(logs[i]);
                }
            }
        }
        for (uint256 roundId; roundId < ROUNDS; ++roundId) {
            IBadgeDraw.RoundView memory round = draw.getRound(roundId);
            if (round.state == IBadgeDraw.RoundState.Seeded && firstKey[roundId] == 0) {
                firstKey[roundId] = round.permutationKey;
            }
        }
    }

    function _recordClaim(Vm.Log memory entry) private {
        uint256 roundId = uint256(entry.topics[1]);
        address account = address(uint160(uint256(entry.topics[2])));
        (uint256 pool, uint256 index, uint256 serial, uint256 tokenId) =
            abi.decode(entry.data, (uint256, uint256, uint256, uint256));

        ++claimsIssued;
        ++drawIssued[roundId];
        if (++claimsAt[keccak256(abi.encode(roundId, pool, index))] > 1) ++repeatedIndexClaims;

        (bool won, uint256 rank) = draw.isWinner(roundId, pool, index);
        if (!won) ++nonWinnerClaims;
        if (serial != draw.getPool(roundId, pool).firstSerial + rank) ++wrongSerialClaims;
        // The badge goes to the entrant of the leaf, or along its recovery chain.
        address[] storage accounts = _accounts[roundId][pool];
        if (index >= accounts.length || accounts[index] != account) ++wrongHolderClaims;
        if (tokenId >> 160 != roundId) ++wrongHolderClaims;
    }
}

/// @notice Invariants of the draw over random sequences of the handler's actions.
contract BadgeDrawInvariantTest {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    BadgeDrawHandler internal handler;

    function setUp() public {
        vm.deal(address(this), 1_000 ether);
        handler = new BadgeDrawHandler{value: 600 ether}();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory selectors = new bytes4[](12);
        selectors[0] = BadgeDrawHandler.commit.selector;
        selectors[1] = BadgeDrawHandler.request.selector;
        selectors[2] = BadgeDrawHandler.fulfil.selector;
        selectors[3] = BadgeDrawHandler.reveal.selector;
        selectors[4] = BadgeDrawHandler.rogueDeliver.selector;
        selectors[5] = BadgeDrawHandler.claim.selector;
        selectors[6] = BadgeDrawHandler.claimBatch.selector;
        selectors[7] = BadgeDrawHandler.recover.selector;
        selectors[8] = BadgeDrawHandler.revoke.selector;
        selectors[9] = BadgeDrawHandler.expire.selector;
        selectors[10] = BadgeDrawHandler.passTime.selector;
        selectors[11] = BadgeDrawHandler.passBlocks.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), selectors);
    }

    function invariant_manifestNeverChanges() public view {
        IBadgeDraw draw = handler.drawContract();
        for (uint256 roundId; roundId < handler.ROUNDS(); ++roundId) {
            if (draw.roundState(roundId) == IBadgeDraw.RoundState.None) continue;
            require(handler.digestOf(roundId) == handler.manifestDigest(roundId), "a committed manifest changed");
        }
    }

    function invariant_atMostOneSeedPerRound() public view {
        IBadgeDraw draw = handler.drawContract();
        for (uint256 roundId; roundId < handler.ROUNDS(); ++roundId) {
            require(handler.seedDeliveries(roundId) <= 1, "a round took two seeds");
            IBadgeDraw.RoundView memory round = draw.getRound(roundId);
            if (round.state == IBadgeDraw.RoundState.Seeded) {
                require(handler.seedDeliveries(roundId) == 1, "a round is seeded without a SeedDelivered log");
                require(round.permutationKey == handler.firstKey(roundId), "the permutation key changed");
            } else {
                require(handler.seedDeliveries(roundId) == 0, "an unseeded round logged a seed");
                require(round.permutationKey == 0, "an unseeded round has a key");
            }
        }
    }

    function invariant_claimsOnlyByWinnersOnce() public view {
        require(handler.nonWinnerClaims() == 0, "a loser received a badge");
        require(handler.repeatedIndexClaims() == 0, "an index was claimed twice");
        require(handler.wrongSerialClaims() == 0, "a claim logged the wrong serial");
        require(handler.wrongHolderClaims() == 0, "a claim logged an account outside the tree");
    }

    function invariant_issuedWithinCap() public view {
        IBadgeSeries series = handler.seriesContract();
        IBadgeDraw draw = handler.drawContract();
        for (uint256 roundId; roundId < handler.ROUNDS(); ++roundId) {
            IBadgeSeries.Edition memory edition = series.edition(roundId);
            require(edition.issued <= edition.allocated, "issued exceeds allocated");
            require(edition.allocated <= edition.cap, "allocated exceeds the cap");
            require(handler.drawIssued(roundId) <= draw.getRound(roundId).winners, "more claims than winners");
            require(handler.drawIssued(roundId) <= edition.issued, "claims not counted by the series");
        }
    }
}
