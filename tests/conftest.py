"""Fixtures shared by every chain test: one account per role and a deployed badge series.

Contracts deployed by session fixtures persist; ape reverts each test's own changes, so every
test starts from the same deployed state.
"""

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

ADMIN_TRANSFER_DELAY = 3 * 24 * 3600
RECOVERY_DELAY = 2 * 24 * 3600
DAY = 24 * 3600
ARTWORK_SHA256 = bytes.fromhex("11" * 32)
METADATA_SHA256 = bytes.fromhex("22" * 32)


@pytest.fixture(scope="session")
def admin(accounts):
    """Holds DEFAULT_ADMIN_ROLE of every deployed contract."""
    return accounts[0]


@pytest.fixture(scope="session")
def issuer(accounts):
    """Bank operations: creates editions, issues directly, revokes."""
    return accounts[1]


@pytest.fixture(scope="session")
def minter(accounts):
    """Stands in for a draw contract where a test needs MINTER_ROLE on an account."""
    return accounts[2]


@pytest.fixture(scope="session")
def recoverer(accounts):
    """Holds RECOVERY_ROLE: proposes and cancels lost-wallet recoveries."""
    return accounts[3]


@pytest.fixture(scope="session")
def pauser(accounts):
    """Holds PAUSER_ROLE."""
    return accounts[4]


@pytest.fixture(scope="session")
def stranger(accounts):
    """An account without any role."""
    return accounts[5]


@pytest.fixture(scope="session")
def learners(accounts):
    """Accounts that receive badges; they sign only to veto a recovery."""
    return accounts[6:10]


@pytest.fixture(scope="session")
def series(project, admin, issuer, minter, recoverer, pauser):
    """A badge series with each role granted to its own account."""
    contract = project.BadgeSeries.deploy(
        "Palace Solar Terms 2022 故宫节气",
        "MERITST22",
        "ipfs://series.json",
        admin,
        ADMIN_TRANSFER_DELAY,
        RECOVERY_DELAY,
        sender=admin,
    )
    contract.grantRole(contract.ISSUER_ROLE(), issuer, sender=admin)
    contract.grantRole(contract.MINTER_ROLE(), minter, sender=admin)
    contract.grantRole(contract.RECOVERY_ROLE(), recoverer, sender=admin)
    contract.grantRole(contract.PAUSER_ROLE(), pauser, sender=admin)
    return contract


@pytest.fixture(scope="session")
def edition_config(chain) -> Callable[..., tuple[Any, ...]]:
    """Builds an `EditionConfig` tuple; by default open now and for thirty days."""

    def build(
        cap: int = 100,
        opens_at: int | None = None,
        closes_at: int | None = None,
        name: str = "夏至 Summer Solstice",
        metadata_uri: str = "ipfs://xiazhi.json",
        artwork_sha256: bytes = ARTWORK_SHA256,
        metadata_sha256: bytes = METADATA_SHA256,
    ) -> tuple[Any, ...]:
        now = chain.pending_timestamp
        opens = now - 60 if opens_at is None else opens_at
        closes = now + 30 * DAY if closes_at is None else closes_at
        return (name, cap, opens, closes, metadata_uri, artwork_sha256, metadata_sha256)

    return build


@pytest.fixture
def create_edition(series, issuer, edition_config) -> Callable[..., int]:
    """Creates an edition and returns its id."""

    def create(**overrides: Any) -> int:
        receipt = series.createEdition(edition_config(**overrides), sender=issuer)
        return int(receipt.events.filter(series.EditionCreated)[0].editionId)

    return create


@pytest.fixture(scope="session")
def token_id() -> Callable[[int, Any], int]:
    """Computes token ids independently of the contract: `editionId << 160 | holder`."""

    def compute(edition_id: int, holder: Any) -> int:
        return (edition_id << 160) | int(str(holder), 16)

    return compute


@pytest.fixture
def anvil() -> Iterator[str]:
    """An anvil node of the project on a free loopback port, for tests that drive `ape run` in
    subprocesses against one chain (pass it as APE_FOUNDRY_HOST); yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    binary = Path(__file__).resolve().parents[1] / "node_modules" / ".bin" / "anvil"
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--host", "127.0.0.1", "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    web3 = Web3(Web3.HTTPProvider(url))
    for _ in range(100):
        if web3.is_connected():
            break
        time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)
