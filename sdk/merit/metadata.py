"""Metadata documents of a series and its editions, and content addresses for published files.

Every file that the chain refers to (artwork, edition metadata, series metadata, round
manifests) is addressed by an IPFS CIDv1 of the *raw* codec over its sha256. Such a CID is a
pure function of the file's sha256, so anyone holding a file can check it against the on-chain
hash offline, and `ipfs add --cid-version 1 --raw-leaves` of a file below IPFS's 256 KiB chunk
size yields the same CID. The issuer pins or uploads the files of
``out/<campaign>/metadata/``; nothing here talks to a network.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from merit.campaign import Campaign, Edition

__all__ = [
    "PublishedFile",
    "edition_display_name",
    "edition_metadata",
    "ipfs_uri",
    "publish_bytes",
    "raw_cid",
    "series_metadata",
    "sha256_from_cid",
]

_RAW_CODEC = 0x55
_SHA2_256 = 0x12
_DIGEST_LENGTH = 32


def raw_cid(data: bytes) -> str:
    """Return the CIDv1 (raw codec, sha2-256, base32 multibase) of `data`."""
    digest = hashlib.sha256(data).digest()
    binary = bytes([0x01, _RAW_CODEC, _SHA2_256, _DIGEST_LENGTH]) + digest
    return "b" + base64.b32encode(binary).decode("ascii").lower().rstrip("=")


def sha256_from_cid(cid: str) -> bytes:
    """Return the sha256 inside a raw-codec CIDv1 made by `raw_cid`.

    Raises:
        ValueError: if `cid` is not such a CID.
    """
    if not cid.startswith("b"):
        raise ValueError(f"CID {cid!r} is not base32 (it should start with 'b'); pass a CIDv1.")
    body = cid[1:].upper()
    binary = base64.b32decode(body + "=" * (-len(body) % 8))
    if binary[:4] != bytes([0x01, _RAW_CODEC, _SHA2_256, _DIGEST_LENGTH]) or len(binary) != 36:
        raise ValueError(f"CID {cid!r} is not a raw-codec sha2-256 CIDv1.")
    return binary[4:]


def ipfs_uri(data: bytes) -> str:
    """Return ``ipfs://<raw CID>`` of `data`."""
    return f"ipfs://{raw_cid(data)}"


@dataclass(frozen=True)
class PublishedFile:
    """A file written for publication.

    Attributes:
        path: Where it was written, named by its CID inside ``ipfs/``.
        uri: Its ``ipfs://`` URI.
        sha256: Its sha256, 32 bytes.
    """

    path: Path
    uri: str
    sha256: bytes


def publish_bytes(folder: Path, data: bytes, readable_name: str | None = None) -> PublishedFile:
    """Write `data` as ``<folder>/ipfs/<cid>`` (and a readable copy) and return its address.

    Writing the same bytes again changes nothing.
    """
    cid = raw_cid(data)
    target = folder / "ipfs" / cid
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != data:
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(data)
        temporary.replace(target)
    if readable_name is not None:
        (folder / readable_name).write_bytes(data)
    return PublishedFile(path=target, uri=f"ipfs://{cid}", sha256=hashlib.sha256(data).digest())


def edition_display_name(campaign: Campaign, edition: Edition) -> str:
    """Return the edition's name in every campaign language, e.g. "夏至 Summer Solstice"."""
    return " ".join(edition.name[language] for language in campaign.languages)


def _document_bytes(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def edition_metadata(campaign: Campaign, edition: Edition, artwork_uri: str, artwork_sha256: bytes) -> bytes:
    """Return the ERC-721 metadata JSON of an edition's badges, deterministic bytes.

    The document follows the ERC-721 metadata schema (name, description, image) with
    `attributes` in the form that wallets and marketplaces display, and keeps each language's
    name and the artwork's sha256 under `properties`.
    """
    series_title = " · ".join(campaign.title[language] for language in campaign.languages)
    description = "\n".join(
        f"{campaign.title[language]} · {edition.name[language]} ({edition.released_on.isoformat()})"
        for language in campaign.languages
    )
    document = {
        "name": edition_display_name(campaign, edition),
        "description": description,
        "image": artwork_uri,
        "attributes": [
            {"trait_type": "Series", "value": series_title},
            *(
                {"trait_type": f"Solar term ({language})", "value": edition.name[language]}
                for language in campaign.languages
            ),
            {"trait_type": "Released on", "value": edition.released_on.isoformat()},
            {"trait_type": "Edition size", "display_type": "number", "value": edition.supply},
        ],
        "properties": {
            "campaign": campaign.name,
            "edition": edition.id,
            "names": dict(edition.name),
            "released_on": edition.released_on.isoformat(),
            "artwork_sha256": artwork_sha256.hex(),
            "transferable": False,
        },
    }
    return _document_bytes(document)


def series_metadata(campaign: Campaign) -> bytes:
    """Return the ERC-7572 contract metadata JSON of the campaign's series."""
    document = {
        "name": campaign.series.name,
        "symbol": campaign.series.symbol,
        "description": "\n".join(campaign.series.description[language] for language in campaign.languages),
        "titles": dict(campaign.title),
        "planned_designs": campaign.planned_designs,
        "soulbound": True,
    }
    return _document_bytes(document)
