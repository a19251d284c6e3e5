"""Keccak-256 as Ethereum uses it, with a fast path for many equal-sized messages.

The module prefers `sha3.keccak_256` from safe-pysha3 (a C extension, about 0.5 µs per 64-byte
message) and falls back to `eth_hash`, which web3 always installs but which is several times
slower. Both are checked against a known digest at import, because a NIST SHA3-256 in place of
Keccak-256 would silently produce other roots.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Protocol

__all__ = ["KECCAK_BACKEND", "keccak256", "keccak256_rows"]

logger = logging.getLogger(__name__)

# keccak256("") as the EVM computes it; SHA3-256("") would be a7ffc6f8...
_EMPTY_DIGEST = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


class _HashObject(Protocol):
    def digest(self) -> bytes: ...


def _load_backend() -> tuple[str, Callable[[bytes | memoryview], _HashObject] | None]:
    """Return the name of the fastest Keccak-256 available and its hash-object constructor.

    The constructor is None for eth_hash, which offers a plain function instead.
    """
    try:
        module = importlib.import_module("sha3")
    except ImportError:
        logger.info("safe-pysha3 is not installed; Keccak-256 uses eth_hash, which is slower.")
        return "eth_hash", None

    constructor: Callable[[bytes | memoryview], _HashObject] = module.keccak_256
    if constructor(b"").digest() != _EMPTY_DIGEST:
        logger.warning("sha3.keccak_256 is not Keccak-256 as Ethereum uses it; using eth_hash.")
        return "eth_hash", None
    return "pysha3", constructor


KECCAK_BACKEND, _constructor = _load_backend()

if _constructor is None:
    from eth_hash.auto import keccak as _eth_keccak

    def keccak256(data: bytes | memoryview) -> bytes:
        """Return the Keccak-256 digest of `data` (32 bytes)."""
        return _eth_keccak(bytes(data))

else:
    _keccak_constructor = _constructor

    def keccak256(data: bytes | memoryview) -> bytes:
        """Return the Keccak-256 digest of `data` (32 bytes)."""
        return _keccak_constructor(data).digest()


def keccak256_rows(data: bytes, width: int) -> bytes:
    """Hash each `width`-byte message of `data` and return the 32-byte digests concatenated.

    Args:
        data: Messages laid end to end; its length must be a multiple of `width`.
        width: Length of each message in bytes.

    Raises:
        ValueError: if `width` is not positive or `data` does not divide into messages.
    """
    if width <= 0:
        raise ValueError(f"Message width must be positive, got {width}.")
    if len(data) % width:
        raise ValueError(f"Data of {len(data)} bytes does not divide into {width}-byte messages.")

    if _constructor is None:
        return b"".join([keccak256(data[i : i + width]) for i in range(0, len(data), width)])

    # The inline loop is the hot path of tree building: one C call per message and no Python
    # function frame in between.
    constructor = _constructor
    return b"".join([constructor(data[i : i + width]).digest() for i in range(0, len(data), width)])
