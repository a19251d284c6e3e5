"""The integrator client on a real campaign run: badges with metadata and serials, draw results,
claim transactions that a relayer signs and sends, and artwork downloads checked by sha256."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from clients_support import DAY, EDITION_SLUGS, HOUR, entrant_addresses
from eth_utils import to_checksum_address
from merit.clients.integrator import IntegratorClient, UriResolver
from merit.errors import (
    ClaimError,
    ContentHashError,
    PublishedFileError,
    ResourceFetchError,
)
from merit.publish import PoolInput, write_round

pytestmark = pytest.mark.chain


@pytest.fixture
def client(scenario) -> IntegratorClient:
    """An integrator bound to the scenario's series, with the file server as IPFS gateway."""
    return IntegratorClient(
        scenario.series.address,
        scenario.draw.address,
        resolver=UriResolver(ipfs_gateway=f"{scenario.base_url}ipfs/", timeout=5),
        start_block=scenario.start_block,
    )


def round_folder(scenario: Any, edition: int) -> Any:
    return scenario.round_root / EDITION_SLUGS[edition]


def send_unsigned(account: Any, networks: Any, transaction: Any) -> Any:
    """Sign and send an unsigned call with `account`, as a wallet or relayer would."""
    txn = networks.provider.network.ecosystem.create_transaction(
        receiver=transaction.to, data=transaction.data, value=transaction.value, chain_id=transaction.chain_id
    )
    return account.call(txn)


# -- badges ---------------------------------------------------------------------------------------


def test_badges_of_claimed_winner(client, scenario):
    claimed = scenario.claims[(0, 0, scenario.winners[0][0][0])]

    badges = client.badges_of(claimed.holder)

    assert [badge.edition_id for badge in badges] == [0]
    badge = badges[0]
    assert badge.serial == claimed.serial
    assert badge.token_id == claimed.token_id
    assert badge.origin == "draw"
    assert badge.edition_name == "xiazhi edition"
    assert badge.metadata is not None
    assert badge.metadata.name == "xiazhi badge"
    assert badge.metadata.image == f"{scenario.base_url}art/xiazhi.svg"
    assert badge.metadata_error is None


def test_badges_of_recovered_holder(client, scenario):
    moved, successor = scenario.recovered_after_claim

    badges = client.badges_of(successor)

    assert [(badge.edition_id, badge.serial, badge.holder) for badge in badges] == [(0, moved.serial, successor)]
    assert badges[0].origin == "recovery"
    assert client.badges_of(moved.holder) == []


def test_badges_of_direct_holders(client, scenario):
    serials = []
    for holder in scenario.direct_holders:
        (badge,) = client.badges_of(holder)
        assert badge.edition_id == 2
        assert badge.origin == "direct"
        assert badge.metadata is not None
        assert badge.metadata.image == (scenario.www / "files" / "liqiu.svg").as_uri()
        serials.append(badge.serial)

    assert serials == [1, 2, 3]


def test_badges_through_ipfs_gateway(client, scenario):
    claimed = next(claim for key, claim in scenario.claims.items() if key[0] == 1)

    (badge,) = client.badges_of(claimed.holder)

    assert badge.metadata_uri.startswith("ipfs://")
    assert badge.metadata is not None
    assert badge.metadata.name == "dashu badge"
    assert badge.serial == claimed.serial


def test_badges_of_revoked_holder_empty(client, scenario):
    assert client.badges_of(scenario.revoked.holder) == []


def test_badges_with_bad_metadata_listed(client, scenario):
    (scenario.www / "metadata" / "xiazhi.json").rename(scenario.www / "metadata" / "moved.json")
    try:
        claimed = scenario.claims[(0, 0, scenario.winners[0][0][0])]
        (badge,) = client.badges_of(claimed.holder)
    finally:
        (scenario.www / "metadata" / "moved.json").rename(scenario.www / "metadata" / "xiazhi.json")

    assert badge.metadata is None
    assert "HTTP 404" in badge.metadata_error
    assert badge.serial == claimed.serial


# -- draw results ---------------------------------------------------------------------------------


def test_result_of_claimed_winner(client, scenario):
    index, account = scenario.winner(0, 1, 1)
    claimed = scenario.claims[(0, 1, index)]

    result = client.draw_result(0, account, round_folder(scenario, 0))

    assert result.eligible is True
    assert (result.pool, result.channel, result.index) == (1, "learners", index)
    assert result.winner is True
    assert result.rank == 1
    assert result.serial == claimed.serial == int(scenario.draw.serialOf(0, 1, index))
    assert result.claimed is True
    assert result.holder == account
    assert result.held is True
    assert result.token_id == claimed.token_id


def test_result_of_recovered_winner(client, scenario):
    lost, successor = scenario.recovered_before_claim

    result = client.draw_result(0, lost, round_folder(scenario, 0))

    assert result.claimed is True
    assert result.holder == successor
    assert result.held is True


def test_result_of_revoked_winner(client, scenario):
    result = client.draw_result(0, scenario.revoked.account, round_folder(scenario, 0))

    assert result.claimed is True
    assert result.held is False


def test_result_of_unclaimed_winner(client, scenario):
    index, account = scenario.winner(0, 0, 2)

    result = client.draw_result(0, account, round_folder(scenario, 0))

    assert result.winner is True
    assert result.rank == 2
    assert result.serial == int(scenario.draw.serialOf(0, 0, index))
    assert result.claimed is False
    assert result.holder is None


def test_result_of_loser(client, scenario):
    index, account = scenario.loser(0, 1)

    result = client.draw_result(0, account.lower(), round_folder(scenario, 0))

    assert result.account == account
    assert result.eligible is True
    assert result.index == index
    assert result.winner is False
    assert result.rank == int(scenario.draw.isWinner(0, 1, index)[1])
    assert result.serial is None


def test_result_of_stranger(client, scenario):
    result = client.draw_result(0, entrant_addresses(1, "never-entered")[0], round_folder(scenario, 0))

    assert result.eligible is False
    assert result.round_state == "seeded"
    assert result.pool is None


def test_result_rejects_other_round_files(client, scenario):
    with pytest.raises(PublishedFileError, match="committed"):
        client.draw_result(0, scenario.account(1, 0, 0), round_folder(scenario, 1))


# -- claims ---------------------------------------------------------------------------------------


def test_claim_transaction_issues_badge(client, scenario, stranger, networks):
    index, account = scenario.winner(0, 0, 2)
    transaction = client.claim_transaction(0, account, round_folder(scenario, 0))
    assert transaction.to == scenario.draw.address
    assert transaction.serial == int(scenario.draw.serialOf(0, 0, index))

    receipt = send_unsigned(stranger, networks, transaction)

    (claimed,) = receipt.events.filter(scenario.draw.BadgeClaimed)
    assert (int(claimed.pool), int(claimed.index), claimed.account) == (0, index, account)
    assert int(claimed.serial) == transaction.serial
    assert scenario.series.holds(0, account)
    assert client.draw_result(0, account, round_folder(scenario, 0)).claimed is True
    (badge,) = client.badges_of(account)
    assert badge.serial == transaction.serial


def test_claim_transaction_proof_matches_tree(client, scenario):
    index, account = scenario.winner(1, 1, 2)

    transaction = client.claim_transaction(1, account, round_folder(scenario, 1))

    expected = ["0x" + node.hex() for node in scenario.published[1].tree(1).proof(index)]
    assert transaction.proof == expected
    assert transaction.chain_id == scenario.series.provider.chain_id


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("loser", "did not win"),
        ("claimed", "claimed already"),
        ("stranger", "not an entrant"),
    ],
)
def test_claim_transaction_rejected(client, scenario, case, message):
    account = {
        "loser": scenario.loser(0, 1)[1],
        "claimed": scenario.winner(0, 0, 0)[1],
        "stranger": entrant_addresses(1, "never-entered")[0],
    }[case]

    with pytest.raises(ClaimError, match=message):
        client.claim_transaction(0, account, round_folder(scenario, 0))


def test_claim_transaction_rejected_before_seed(client, scenario, issuer, chain, tmp_path):
    pools = [PoolInput("learners", entrant_addresses(4, "unseeded"), 1)]
    edition = int(scenario.series.editionCount())
    now = chain.pending_timestamp
    scenario.series.createEdition(("unseeded", 1, now - 60, now + DAY, "ipfs://unseeded", b"\x11" * 32, b"\x22" * 32), sender=issuer)
    published = write_round(tmp_path / "unseeded", scenario.campaign.name, "unseeded", pools)
    root = bytes.fromhex(published.manifest.pools[0].root[2:])
    manifest = (now + HOUR, 1, published.files_hash, "ipfs://unseeded", scenario.vrf_source.address, b"\x00" * 32, [(root, 4, 1)])
    scenario.draw.commitRound(edition, manifest, sender=issuer)

    result = client.draw_result(edition, pools[0].addresses[2], published)
    assert result.round_state == "committed"
    assert result.eligible is True
    assert result.winner is None
    with pytest.raises(ClaimError, match="committed, not seeded"):
        client.claim_transaction(edition, pools[0].addresses[2], published)


def test_claim_transaction_rejected_when_paused(client, scenario, issuer):
    _, account = scenario.winner(0, 0, 2)
    scenario.series.pause(sender=issuer)

    with pytest.raises(ClaimError, match="would revert"):
        client.claim_transaction(0, account, round_folder(scenario, 0))


def test_claim_transaction_rejected_for_revoked(client, scenario):
    with pytest.raises(ClaimError, match="claimed already"):
        client.claim_transaction(0, scenario.revoked.account, round_folder(scenario, 0))


# -- artwork --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edition", "file_name"),
    [(0, "xiazhi.svg"), (1, "edition-1.svg"), (2, "liqiu.svg")],
)
def test_artwork_downloaded_and_verified(client, scenario, tmp_path, edition, file_name):
    target = client.download_artwork(edition, tmp_path)

    assert target == tmp_path / file_name
    assert target.read_bytes() == scenario.artwork[edition]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == client.edition(edition).artwork_sha256


def test_tampered_artwork_rejected(client, scenario, tmp_path):
    served = scenario.www / "art" / "xiazhi.svg"
    original = served.read_bytes()
    served.write_bytes(original.replace(b"artwork", b"forgery"))
    target = tmp_path / "xiazhi.svg"
    try:
        with pytest.raises(ContentHashError, match=client.edition(0).artwork_sha256):
            client.download_artwork(0, target)
    finally:
        served.write_bytes(original)

    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_tampered_metadata_rejected(client, scenario, tmp_path):
    served = scenario.www / "metadata" / "xiazhi.json"
    original = served.read_bytes()
    served.write_bytes(original.replace(b"xiazhi badge", b"forged badge"))
    try:
        with pytest.raises(ContentHashError, match="metadata of edition 0"):
            client.download_artwork(0, tmp_path)
    finally:
        served.write_bytes(original)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("ftp://127.0.0.1/file", "scheme 'ftp' is not supported"),
        ("file:///nonexistent/merit/file.json", "No such file"),
        ("ipfs://", "names no IPFS content id"),
    ],
)
def test_resolver_rejects(uri, message):
    with pytest.raises(ResourceFetchError, match=message):
        UriResolver().fetch(uri)


def test_resolver_enforces_size_limit(scenario):
    resolver = UriResolver(max_bytes=8)

    with pytest.raises(ResourceFetchError, match="exceeds 8 bytes"):
        resolver.fetch(f"{scenario.base_url}art/xiazhi.svg")


def test_resolver_reads_ipfs_from_folder(scenario):
    resolver = UriResolver(ipfs_gateway=(scenario.www / "ipfs").as_uri() + "/")
    name = next((scenario.www / "ipfs").iterdir()).name

    assert resolver.fetch(f"ipfs://{name}") == (scenario.www / "ipfs" / name).read_bytes()


def test_client_accepts_instances(scenario):
    client = IntegratorClient(scenario.series, scenario.draw)

    assert client.series.address == to_checksum_address(scenario.series.address)
    assert [info.name for info in client.editions()] == [f"{slug} edition" for slug in EDITION_SLUGS]
