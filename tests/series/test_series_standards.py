"""ERC-165 answers, metadata and the soulbound behaviour of every ERC-721 entry point."""

import ape
import pytest
from eth_utils import function_signature_to_4byte_selector

pytestmark = pytest.mark.chain


def interface_id(*signatures: str) -> bytes:
    """XOR of the selectors, as ERC-165 defines an interface id."""
    value = 0
    for signature in signatures:
        value ^= int.from_bytes(function_signature_to_4byte_selector(signature), "big")
    return value.to_bytes(4, "big")


ERC721 = interface_id(
    "balanceOf(address)",
    "ownerOf(uint256)",
    "safeTransferFrom(address,address,uint256,bytes)",
    "safeTransferFrom(address,address,uint256)",
    "transferFrom(address,address,uint256)",
    "approve(address,uint256)",
    "setApprovalForAll(address,bool)",
    "getApproved(uint256)",
    "isApprovedForAll(address,address)",
)
INTERFACES = {
    "ERC-165": interface_id("supportsInterface(bytes4)"),
    "ERC-721": ERC721,
    "ERC-721 metadata": interface_id("name()", "symbol()", "tokenURI(uint256)"),
    "ERC-4906": bytes.fromhex("49064906"),
    "ERC-5192": interface_id("locked(uint256)"),
    "ERC-5484": interface_id("burnAuth(uint256)"),
    "ERC-7572": interface_id("contractURI()"),
    "AccessControl": interface_id(
        "hasRole(bytes32,address)",
        "getRoleAdmin(bytes32)",
        "grantRole(bytes32,address)",
        "revokeRole(bytes32,address)",
        "renounceRole(bytes32,address)",
    ),
}


@pytest.fixture
def badge(series, issuer, create_edition, learners, token_id):
    """The token id of one issued badge."""
    edition_id = create_edition()
    series.issue(edition_id, learners[0], sender=issuer)
    return token_id(edition_id, learners[0])


@pytest.mark.parametrize("standard", sorted(INTERFACES))
def test_supports_interface_declared(series, standard):
    assert series.supportsInterface(INTERFACES[standard]) is True


@pytest.mark.parametrize("unknown", [bytes.fromhex("ffffffff"), bytes.fromhex("00000000"), bytes.fromhex("12345678")])
def test_supports_interface_unknown(series, unknown):
    assert series.supportsInterface(unknown) is False


def test_interface_ids_match_published_values():
    # Published in the ERCs themselves; a wrong signature list above would change these.
    assert INTERFACES["ERC-721"].hex() == "80ac58cd"
    assert INTERFACES["ERC-721 metadata"].hex() == "5b5e139f"
    assert INTERFACES["ERC-5192"].hex() == "b45a3c0e"
    assert INTERFACES["ERC-5484"].hex() == "0489b56f"


def test_collection_metadata(series):
    assert series.name() == "Palace Solar Terms 2022 故宫节气"
    assert series.symbol() == "MERITST22"
    assert series.contractURI() == "ipfs://series.json"


def test_set_contract_uri_emits_event(series, issuer):
    receipt = series.setContractURI("ipfs://series-v2.json", sender=issuer)
    assert series.contractURI() == "ipfs://series-v2.json"
    assert len(receipt.events.filter(series.ContractURIUpdated)) == 1


def test_token_uri_is_edition_metadata(series, badge):
    assert series.tokenURI(badge) == "ipfs://xiazhi.json"


def test_locked_and_burn_auth(series, badge):
    assert series.locked(badge) is True
    assert series.burnAuth(badge) == 0  # IssuerOnly


@pytest.mark.parametrize("view", ["locked", "burnAuth", "tokenURI", "ownerOf", "getApproved"])
def test_views_reject_missing_token(series, view, stranger, token_id):
    missing = token_id(0, stranger)
    with ape.reverts(series.BadgeNonexistent, tokenId=missing):
        getattr(series, view)(missing)


def test_views_reject_id_beyond_editions(series):
    beyond = 256 << 160
    with ape.reverts(series.BadgeNonexistent, tokenId=beyond):
        series.ownerOf(beyond)


def test_transfer_from_rejected(series, badge, learners, stranger):
    with ape.reverts(series.BadgeTransferDisabled, **{"from": learners[0], "to": stranger, "tokenId": badge}):
        series.transferFrom(learners[0], stranger, badge, sender=learners[0])
    assert series.ownerOf(badge) == learners[0]


def test_safe_transfer_from_rejected(series, badge, learners, stranger):
    with ape.reverts(series.BadgeTransferDisabled, **{"from": learners[0], "to": stranger, "tokenId": badge}):
        series.safeTransferFrom(learners[0], stranger, badge, sender=learners[0])
    assert series.ownerOf(badge) == learners[0]


def test_safe_transfer_from_with_data_rejected(series, badge, learners, stranger):
    with ape.reverts(series.BadgeTransferDisabled, **{"from": learners[0], "to": stranger, "tokenId": badge}):
        series.safeTransferFrom(
            learners[0], stranger, badge, b"\x01", sender=learners[0]
        )
    assert series.ownerOf(badge) == learners[0]


def test_approve_rejected(series, badge, learners, stranger):
    with ape.reverts(series.BadgeApprovalDisabled, operator=stranger):
        series.approve(stranger, badge, sender=learners[0])
    assert series.getApproved(badge) == "0x0000000000000000000000000000000000000000"


def test_set_approval_for_all_rejected(series, learners, stranger):
    with ape.reverts(series.BadgeApprovalDisabled, operator=stranger):
        series.setApprovalForAll(stranger, True, sender=learners[0])
    assert series.isApprovedForAll(learners[0], stranger) is False
