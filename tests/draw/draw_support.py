"""Values and builders shared by the draw tests: pools with real Merkle trees, manifests and
commitments, all computed off chain without the contracts under test."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from merit.merkle import EntrantTree

HOUR = 3600
DAY = 24 * HOUR
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO_BYTES32 = b"\x00" * 32
ALGORITHM_FEISTEL = 1
DRAW_ADMIN_DELAY = 3 * DAY
VRF_REQUEST_TIMEOUT = 25 * HOUR

# Chainlink's mock charges base fee + callback gas * gas price, paid from the native balance.
VRF_BASE_FEE = 10**15
VRF_GAS_PRICE = 10**9
VRF_WEI_PER_UNIT_LINK = 4 * 10**15
VRF_KEY_HASH = keccak(text="merit test gas lane")
VRF_CONFIRMATIONS = 3
VRF_CALLBACK_GAS_LIMIT = 200_000
VRF_SUBSCRIPTION_FUNDS = 100 * 10**18


class RoundState:
    """Values of `IBadgeDraw.RoundState`."""

    NONE = 0
    COMMITTED = 1
    REQUESTED = 2
    SEEDED = 3
    FAILED = 4


class SkipReason:
    """Values of `IBadgeDraw.ClaimSkipReason`."""

    POOL_UNKNOWN = 0
    INDEX_OUT_OF_RANGE = 1
    NOT_WINNER = 2
    INVALID_ACCOUNT = 3
    INVALID_PROOF = 4
    ALREADY_ISSUED = 5
    HOLDER_REVOKED = 6


@dataclass(frozen=True)
class Pool:
    """One pool of entrants: row i of its published file is entrant i."""

    accounts: tuple[str, ...]
    winners: int
    tree: EntrantTree

    @property
    def entrants(self) -> int:
        return len(self.accounts)

    def manifest(self) -> tuple[bytes, int, int]:
        """The pool as `IBadgeDraw.PoolManifest`: root, entrant count, winner count."""
        return (self.tree.root, self.entrants, self.winners)

    def proof(self, index: int) -> list[bytes]:
        return self.tree.proof(index)

    def published_file(self) -> bytes:
        """The pool's entrant file: a CSV with one row per entrant, in index order."""
        rows = [f"{index},{account}" for index, account in enumerate(self.accounts)]
        return ("index,account\n" + "\n".join(rows) + "\n").encode()


@dataclass(frozen=True)
class Round:
    """A committed round and what the issuer published for it."""

    round_id: int
    pools: tuple[Pool, ...]
    close_time: int
    source: Any
    commitment: bytes
    first_serial: int


def make_accounts(count: int, tag: str) -> tuple[str, ...]:
    """Derives `count` distinct checksummed addresses from `tag`; their private keys are unknown."""
    return tuple(
        to_checksum_address(keccak(text=f"{tag}:{index}")[-20:]) for index in range(count)
    )


def make_pool(entrants: int, winners: int, tag: str = "pool", accounts: tuple[str, ...] | None = None) -> Pool:
    """Builds a pool of `entrants` accounts (derived from `tag` unless given) and its tree."""
    accounts = make_accounts(entrants, tag) if accounts is None else accounts
    return Pool(accounts=accounts, winners=winners, tree=EntrantTree.from_addresses(list(accounts)))


def entrants_sha256(pools: tuple[Pool, ...]) -> bytes:
    """sha256 of the published entrant files: the pools' CSV files, one after the other."""
    return hashlib.sha256(b"".join(pool.published_file() for pool in pools)).digest()


def round_manifest(
    pools: tuple[Pool, ...],
    source: Any,
    close_time: int,
    commitment: bytes = ZERO_BYTES32,
    algorithm: int = ALGORITHM_FEISTEL,
    uri: str = "ipfs://entrants",
    sha256: bytes | None = None,
) -> tuple[Any, ...]:
    """Builds an `IBadgeDraw.RoundManifest` tuple."""
    return (
        close_time,
        algorithm,
        entrants_sha256(pools) if sha256 is None else sha256,
        uri,
        source,
        commitment,
        [pool.manifest() for pool in pools],
    )


def commitment_of(chain_id: int, draw_address: str, round_id: int, secret: bytes) -> bytes:
    """keccak256(abi.encode(block.chainid, draw, roundId, secret)), computed off chain."""
    return keccak(encode(["uint256", "address", "uint256", "bytes32"], [chain_id, draw_address, round_id, secret]))


def vrf_config(subscription_id: int, callback_gas_limit: int = VRF_CALLBACK_GAS_LIMIT) -> tuple[Any, ...]:
    """Builds an `IChainlinkVrfSource.VrfConfig` tuple paying in native tokens."""
    return (VRF_KEY_HASH, subscription_id, VRF_CONFIRMATIONS, callback_gas_limit, True)
