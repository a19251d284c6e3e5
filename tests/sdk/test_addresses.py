"""EIP-55 checksums against the standard's own examples and eth_utils, and the Keccak backend."""

from __future__ import annotations

import random

import pytest
from eth_utils import keccak
from eth_utils import to_checksum_address as eth_utils_checksum
from merit.addresses import (
    ZERO_ADDRESS,
    is_checksum_address,
    parse_address,
    to_checksum_address,
)
from merit.hashing import KECCAK_BACKEND, keccak256, keccak256_rows

# The examples listed in EIP-55 itself: all caps, all lower, and normal mixed case.
EIP55_EXAMPLES = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_EXAMPLES)
def test_checksum_matches_eip55_examples(address: str) -> None:
    assert to_checksum_address(address.lower()) == address
    assert is_checksum_address(address)
    assert parse_address(address.lower()) == address


def test_checksum_matches_eth_utils() -> None:
    rng = random.Random(55)
    for _ in range(500):
        address = "0x" + rng.randbytes(20).hex()
        assert to_checksum_address(address) == eth_utils_checksum(address)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "invalid EIP-55 checksum"),
        ("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "is not an address"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "is not an address"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", "is not an address"),
        (ZERO_ADDRESS, "is the zero address"),
    ],
    ids=["checksum", "no prefix", "short", "non-hex", "zero"],
)
def test_parse_address_rejects(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_address(text)


def test_parse_address_allows_zero_on_request() -> None:
    assert parse_address(ZERO_ADDRESS, allow_zero=True) == ZERO_ADDRESS


def test_wrong_checksum_message_offers_fix() -> None:
    with pytest.raises(ValueError) as caught:
        parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")

    assert "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" in str(caught.value)


def test_keccak_backend_matches_eth_utils() -> None:
    rng = random.Random(1)
    messages = [rng.randbytes(64) for _ in range(50)]

    assert KECCAK_BACKEND in ("pysha3", "eth_hash")
    assert [keccak256(m) for m in messages] == [keccak(m) for m in messages]
    assert keccak256_rows(b"".join(messages), 64) == b"".join(keccak(m) for m in messages)


def test_keccak_rows_rejects_ragged_data() -> None:
    with pytest.raises(ValueError, match="does not divide into 64-byte messages"):
        keccak256_rows(bytes(65), 64)
