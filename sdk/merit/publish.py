"""The published files of a draw round, and their verification by auditors.

Before a round is committed on chain, the issuer publishes, in one folder per edition:

- per pool, a CSV file ``pool-<p>-<channel>.csv`` with the header ``index,address`` and one line
  per entrant (index 0..N-1, EIP-55 address, LF line ends). It contains nothing personal.
- ``manifest.json``: campaign, edition, algorithm id 1, and per pool its number, channel, N, K,
  Merkle root, file name and the file's sha256. The manifest's own sha256 is the files' hash that
  the round commits on chain, so it fixes every pool file too.

All bytes are deterministic: the same entrants and quotas give the same files on any machine.
`load_round` reads the files back and re-checks every hash, count and root.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from merit.addresses import is_checksum_address, parse_address
from merit.campaign import Campaign
from merit.entrants import EntrantList
from merit.errors import DrawParameterError, PublishedFileError
from merit.merkle import EntrantTree
from merit.permutation import MAX_POOL_SIZE

__all__ = [
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "PoolInput",
    "PoolManifest",
    "PublishedRound",
    "RoundManifest",
    "load_round",
    "manifest_bytes",
    "pool_file_bytes",
    "publish_entrants",
    "round_directory",
    "write_round",
]

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
"""File name of a round's manifest inside the round folder."""

MANIFEST_FORMAT: Literal["merit-round/1"] = "merit-round/1"
"""Format id written into every manifest."""

POOL_FILE_HEADER = "index,address"

MAX_POOLS = 8
"""Maximum number of pools in a round, one per channel."""

_FILE_NAME_PATTERN = re.compile(r"pool-[0-9]+-[a-z0-9]+(?:-[a-z0-9]+)*\.csv")

Hex32 = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{64}$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class PoolManifest(BaseModel):
    """One pool of a round as the manifest records it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pool: int = Field(ge=0, description="0-based pool number inside the round.")
    channel: str = Field(min_length=1, description="Id of the channel that the pool draws from.")
    n: int = Field(ge=1, le=MAX_POOL_SIZE, description="Number of entrants N.")
    k: int = Field(ge=0, description="Number of winners K, at most N.")
    root: Hex32 = Field(description="Merkle root of the pool's entrants, 0x-prefixed hex.")
    file: str = Field(description="Name of the pool's CSV file inside the round folder.")
    sha256: Sha256Hex = Field(description="sha256 of the pool's CSV file, lower-case hex.")


class RoundManifest(BaseModel):
    """The manifest of a round's published files."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["merit-round/1"] = MANIFEST_FORMAT
    algorithm: Literal[1] = Field(default=1, description="Winner algorithm id, see permutation.")
    campaign: str = Field(min_length=1, description="Campaign name.")
    edition: str = Field(min_length=1, description="Edition id.")
    pools: list[PoolManifest] = Field(min_length=1, max_length=MAX_POOLS)


@dataclass(frozen=True)
class PoolInput:
    """Input of `write_round` for one pool.

    Attributes:
        channel: The channel id.
        addresses: Entrant addresses in index order.
        k: Number of winners K.
    """

    channel: str
    addresses: Sequence[str]
    k: int


@dataclass(frozen=True)
class PublishedRound:
    """A round's published files, read back or just written.

    Attributes:
        directory: The round folder.
        manifest: The parsed manifest.
        manifest_bytes: The manifest file's exact bytes.
        addresses: Entrant addresses of each pool, in index order, by pool number.
    """

    directory: Path
    manifest: RoundManifest
    manifest_bytes: bytes
    addresses: Mapping[int, tuple[str, ...]]

    @property
    def manifest_sha256(self) -> str:
        """sha256 of the manifest, lower-case hex, as `sha256sum` prints it."""
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @property
    def files_hash(self) -> bytes:
        """sha256 of the manifest as 32 bytes: the files' hash that the round commits on chain."""
        return hashlib.sha256(self.manifest_bytes).digest()

    def tree(self, pool: int) -> EntrantTree:
        """Build the Merkle tree of a pool, for proofs."""
        return EntrantTree.from_addresses(self.addresses[pool])


def round_directory(campaign: Campaign, edition_id: str, out_root: Path = Path("out")) -> Path:
    """Return the folder of an edition's round files: ``<out_root>/<campaign>/<edition>``."""
    return campaign.output_dir(out_root) / campaign.edition(edition_id).id


def pool_file_bytes(addresses: Sequence[str]) -> bytes:
    """Return the bytes of a pool file: header, then ``index,address`` lines, LF ends."""
    lines = [POOL_FILE_HEADER]
    lines.extend(f"{index},{address}" for index, address in enumerate(addresses))
    return ("\n".join(lines) + "\n").encode("ascii")


def manifest_bytes(manifest: RoundManifest) -> bytes:
    """Return the deterministic bytes of a manifest: sorted keys, no spaces, one final LF."""
    document = manifest.model_dump(mode="json")
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return (text + "\n").encode("ascii")


def publish_entrants(
    campaign: Campaign,
    edition_id: str,
    entrants: EntrantList,
    out_root: Path = Path("out"),
    *,
    overwrite: bool = False,
) -> PublishedRound:
    """Publish an edition's round: one pool per channel with entrants, quotas by `plan_quotas`.

    Channels are numbered as pools in campaign order; a channel without entrants gets no pool,
    because a pool needs at least one entrant.

    Raises:
        DrawParameterError: if no channel has entrants.
        PublishedFileError: as `write_round`.
    """
    quotas = campaign.plan_quotas(edition_id, entrants.counts())
    pools = [
        PoolInput(
            channel=channel.id, addresses=entrants.addresses(channel.id), k=quotas[channel.id]
        )
        for channel in campaign.channels
        if entrants.pools[channel.id]
    ]
    if not pools:
        raise DrawParameterError(
            f"Edition {edition_id} has no accepted entrants in any channel, so there is no round "
            "to publish. Check the entrant file."
        )
    return write_round(
        round_directory(campaign, edition_id, out_root),
        campaign.name,
        edition_id,
        pools,
        overwrite=overwrite,
    )


def write_round(
    directory: Path,
    campaign_name: str,
    edition_id: str,
    pools: Sequence[PoolInput],
    *,
    overwrite: bool = False,
) -> PublishedRound:
    """Write a round's pool files and manifest into `directory`.

    Pool files are written first and the manifest last, each atomically (temporary file, then
    rename). When a different round is replaced, its manifest is removed first. So a manifest on
    disk always describes complete pool files. Writing the same round again is a no-op.

    Args:
        directory: The round folder; created if missing.
        campaign_name: The campaign's name.
        edition_id: The edition's id.
        pools: The pools in pool-number order.
        overwrite: Replace a round already published with other content. Only do this before
            the round is committed on chain, because the manifest hash is then final.

    Raises:
        DrawParameterError: if a pool is empty, too large, has K > N or malformed addresses, or
            an address is in two pools.
        PublishedFileError: if the folder contains a different round and `overwrite` is false.
    """
    channels = [pool.channel for pool in pools]
    if not 1 <= len(pools) <= MAX_POOLS or len(set(channels)) != len(channels):
        raise DrawParameterError(
            f"A round needs 1 to {MAX_POOLS} pools with distinct channels, got {channels}. "
            "Pass one pool per channel that has entrants."
        )

    files: dict[str, bytes] = {}
    entries: list[PoolManifest] = []
    addresses: dict[int, tuple[str, ...]] = {}
    first_pool_of: dict[str, int] = {}
    for number, pool in enumerate(pools):
        checked = _check_pool_input(number, pool)
        for address in checked:
            earlier = first_pool_of.setdefault(address, number)
            if earlier != number:
                raise DrawParameterError(
                    f"Address {address} is in pool {earlier} and pool {number}; a person enters "
                    "a round once. Read entrants with merit.entrants, which keeps one entry."
                )
        content = pool_file_bytes(checked)
        name = f"pool-{number}-{pool.channel}.csv"
        files[name] = content
        addresses[number] = checked
        entries.append(
            PoolManifest(
                pool=number,
                channel=pool.channel,
                n=len(checked),
                k=pool.k,
                root=EntrantTree.from_addresses(checked).root_hex,
                file=name,
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    manifest = RoundManifest(campaign=campaign_name, edition=edition_id, pools=entries)
    encoded = manifest_bytes(manifest)

    manifest_path = directory / MANIFEST_NAME
    stale: list[Path] = []
    if manifest_path.exists():
        existing = manifest_path.read_bytes()
        if existing == encoded:
            logger.info(
                "Round %s/%s is already published in %s.", campaign_name, edition_id, directory
            )
            return load_round(directory)
        if not overwrite:
            raise PublishedFileError(
                directory,
                [
                    (
                        f"{manifest_path} already describes another round (sha256 "
                        f"{hashlib.sha256(existing).hexdigest()}). Pass overwrite=True only if that round "
                        "was never committed on chain; otherwise its manifest is final."
                    )
                ],
            )
        stale = [directory / name for name in _listed_files(existing) if name not in files]

    directory.mkdir(parents=True, exist_ok=True)
    if manifest_path.exists():
        # Without a manifest, a crash below leaves a folder that is visibly not published,
        # rather than an old manifest next to new pool files.
        manifest_path.unlink()
    for name, content in files.items():
        _write_atomically(directory / name, content)
    _write_atomically(manifest_path, encoded)
    for path in stale:
        path.unlink(missing_ok=True)

    logger.info(
        "Published round %s/%s in %s: %d pools, manifest sha256 %s.",
        campaign_name,
        edition_id,
        directory,
        len(entries),
        hashlib.sha256(encoded).hexdigest(),
    )
    return PublishedRound(
        directory=directory, manifest=manifest, manifest_bytes=encoded, addresses=addresses
    )


def _check_pool_input(number: int, pool: PoolInput) -> tuple[str, ...]:
    count = len(pool.addresses)
    if not 1 <= count <= MAX_POOL_SIZE:
        raise DrawParameterError(
            f"Pool {number} ({pool.channel}) has {count} entrants; a pool needs 1 to "
            f"{MAX_POOL_SIZE}. Leave out channels without entrants."
        )
    if not 0 <= pool.k <= count:
        raise DrawParameterError(
            f"Pool {number} ({pool.channel}) has K = {pool.k} for N = {count}. Pass 0 <= K <= N."
        )
    if not _FILE_NAME_PATTERN.fullmatch(f"pool-{number}-{pool.channel}.csv"):
        raise DrawParameterError(
            f"Channel id {pool.channel!r} cannot name a file. Use the campaign's channel ids."
        )
    try:
        checked = tuple(parse_address(address) for address in pool.addresses)
    except ValueError as error:
        raise DrawParameterError(f"Pool {number} ({pool.channel}): {error}") from error
    if len(set(checked)) != count:
        raise DrawParameterError(
            f"Pool {number} ({pool.channel}) lists an address twice. Read entrants with "
            "merit.entrants, which removes duplicates."
        )
    return checked


def _listed_files(manifest: bytes) -> list[str]:
    try:
        document = json.loads(manifest)
        return [str(pool["file"]) for pool in document["pools"]]
    except (ValueError, KeyError, TypeError):
        return []


def _write_atomically(path: Path, content: bytes) -> None:
    """Write a file so that readers see either the old or the new content, never a part."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- verification ------------------------------------------------------------------------------


def load_round(location: Path) -> PublishedRound:
    """Read a published round and verify it completely, as an auditor would.

    Checks the manifest's format and algorithm, that pools are numbered 0..P-1 with distinct
    channels, and for every pool: the file name, the file's sha256, the exact canonical format
    (header, indices 0..N-1 in order, EIP-55 addresses, LF ends), N, K <= N, that no address
    repeats within or across pools, and the Merkle root.

    Args:
        location: The round folder or its manifest file.

    Raises:
        PublishedFileError: listing every problem found.
    """
    manifest_path = location / MANIFEST_NAME if location.is_dir() else location
    directory = manifest_path.parent
    try:
        raw = manifest_path.read_bytes()
    except OSError as error:
        raise PublishedFileError(directory, [f"Cannot read {manifest_path}: {error}."]) from error

    try:
        manifest = RoundManifest.model_validate_json(raw)
    except ValidationError as error:
        raise PublishedFileError(
            directory,
            [
                f"manifest {'.'.join(str(part) for part in detail['loc']) or 'document'}: "
                f"{detail['msg']}"
                for detail in error.errors(include_url=False)
            ],
        ) from None

    problems: list[str] = []
    if manifest_bytes(manifest) != raw:
        problems.append(
            f"{MANIFEST_NAME} is not in canonical form (sorted keys, no spaces, one final LF), "
            "so its sha256 cannot be reproduced from its content."
        )

    numbers = [pool.pool for pool in manifest.pools]
    if numbers != list(range(len(numbers))):
        problems.append(f"Pools are numbered {numbers}; expected 0 to {len(numbers) - 1} in order.")
    channels = [pool.channel for pool in manifest.pools]
    if len(set(channels)) != len(channels):
        problems.append(f"Channels {channels} repeat; each channel is at most one pool.")

    addresses: dict[int, tuple[str, ...]] = {}
    first_pool_of: dict[str, int] = {}
    for pool in manifest.pools:
        pool_addresses = _verify_pool(directory, pool, problems)
        if pool_addresses is None:
            continue
        addresses[pool.pool] = pool_addresses
        for address in pool_addresses:
            earlier = first_pool_of.setdefault(address, pool.pool)
            if earlier != pool.pool:
                problems.append(
                    f"Address {address} is in pool {earlier} and pool {pool.pool}; a person "
                    "enters a round once."
                )

    if problems:
        raise PublishedFileError(directory, problems)
    logger.info(
        "Verified round %s/%s in %s: %d pools, manifest sha256 %s.",
        manifest.campaign,
        manifest.edition,
        directory,
        len(manifest.pools),
        hashlib.sha256(raw).hexdigest(),
    )
    return PublishedRound(
        directory=directory, manifest=manifest, manifest_bytes=raw, addresses=addresses
    )


def _verify_pool(
    directory: Path, pool: PoolManifest, problems: list[str]
) -> tuple[str, ...] | None:
    """Check one pool file against its manifest entry; return its addresses if it parses."""
    label = f"Pool {pool.pool} ({pool.channel})"
    if not _FILE_NAME_PATTERN.fullmatch(pool.file):
        problems.append(
            f"{label}: file name {pool.file!r} is not of the form pool-<p>-<channel>.csv."
        )
        return None
    try:
        content = (directory / pool.file).read_bytes()
    except OSError as error:
        problems.append(f"{label}: cannot read {pool.file}: {error}.")
        return None

    digest = hashlib.sha256(content).hexdigest()
    if digest != pool.sha256:
        problems.append(
            f"{label}: {pool.file} has sha256 {digest}, the manifest says {pool.sha256}."
        )

    parsed = _parse_pool_file(content, label, problems)
    if parsed is None:
        return None

    if len(parsed) != pool.n:
        problems.append(
            f"{label}: {pool.file} lists {len(parsed)} entrants, the manifest says N = {pool.n}."
        )
    if pool.k > pool.n:
        problems.append(f"{label}: K = {pool.k} exceeds N = {pool.n}.")
    if len(set(parsed)) != len(parsed):
        problems.append(f"{label}: {pool.file} lists an address twice.")
    if parsed:
        root = EntrantTree.from_addresses(parsed).root_hex
        if root != pool.root:
            problems.append(
                f"{label}: the Merkle root of {pool.file} is {root}, the manifest says {pool.root}."
            )
    return parsed


def _parse_pool_file(content: bytes, label: str, problems: list[str]) -> tuple[str, ...] | None:
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        problems.append(f"{label}: the file contains non-ASCII bytes.")
        return None
    if "\r" in text or not text.endswith("\n"):
        problems.append(f"{label}: lines must end with LF only, including the last line.")
        return None

    lines = text[:-1].split("\n")
    if lines[0] != POOL_FILE_HEADER:
        problems.append(f"{label}: the header is {lines[0]!r}, expected {POOL_FILE_HEADER!r}.")
        return None

    addresses: list[str] = []
    bad_lines = 0
    for number, line in enumerate(lines[1:], start=2):
        index_text, _, address = line.partition(",")
        expected_index = str(number - 2)
        if index_text != expected_index or not is_checksum_address(address):
            bad_lines += 1
            if bad_lines <= 10:
                problems.append(
                    f"{label}: line {number} is {line!r}, expected '{expected_index},<EIP-55 address>'."
                )
            continue
        addresses.append(address)
    if bad_lines > 10:
        problems.append(f"{label}: {bad_lines - 10} more malformed lines not listed.")
    return tuple(addresses) if not bad_lines else None
