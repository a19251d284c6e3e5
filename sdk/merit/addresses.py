"""Ethereum address parsing and EIP-55 checksums.

EIP-55 ("Mixed-case checksum address encoding", Vitalik Buterin and Alex Van de Sande, 2016)
upper-cases each hex letter of an address whose nibble in keccak256(lower-case hex) is 8 or more.
"""

from __future__ import annotations

import re

from merit.hashing import keccak256

__all__ = ["ZERO_ADDRESS", "is_checksum_address", "parse_address", "to_checksum_address"]

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

_ADDRESS_PATTERN = re.compile(r"0x[0-9a-fA-F]{40}")


def to_checksum_address(address: str) -> str:
    """Return the EIP-55 form of a well-formed address, whatever its case.

    Raises:
        ValueError: if `address` is not ``0x`` followed by 40 hex digits.
    """
    if not _ADDRESS_PATTERN.fullmatch(address):
        raise ValueError(f"{address!r} is not an address: expected 0x followed by 40 hex digits.")
    lower = address[2:].lower()
    digest = keccak256(lower.encode("ascii")).hex()
    return "0x" + "".join(
        char.upper() if char > "9" and digest[position] >= "8" else char
        for position, char in enumerate(lower)
    )


def is_checksum_address(address: str) -> bool:
    """Return whether `address` is well formed and in EIP-55 form exactly."""
    return bool(_ADDRESS_PATTERN.fullmatch(address)) and to_checksum_address(address) == address


def parse_address(text: str, *, allow_zero: bool = False) -> str:
    """Validate an address as users write it and return its EIP-55 form.

    Surrounding whitespace is ignored. An all-lower-case or all-upper-case address carries no
    checksum and is accepted. A mixed-case address must match its EIP-55 checksum, because a
    mismatch means a typo.

    Raises:
        ValueError: if the text is not an address, the checksum is wrong, or the address is the
            zero address and `allow_zero` is false. The message names the value and the fix.
    """
    address = text.strip()
    if not _ADDRESS_PATTERN.fullmatch(address):
        raise ValueError(
            f"{text!r} is not an address. Write 0x followed by 40 hex digits, "
            "for example 0x5B38Da6a701c568545dCfcB03FcB875f56beddC4."
        )

    checksummed = to_checksum_address(address)
    digits = address[2:]
    if digits != digits.lower() and digits != digits.upper() and address != checksummed:
        raise ValueError(
            f"Address {address} has an invalid EIP-55 checksum. Check it for typos; "
            f"if it is correct, write it as {checksummed} or in lower case."
        )
    if checksummed == ZERO_ADDRESS and not allow_zero:
        raise ValueError(f"Address {address} is the zero address. Use the holder's own address.")
    return checksummed
