"""The integrator client: what a course app shows its users about their badges and draws.

`IntegratorClient` is bound to one badge series and its draw contract. It lists a holder's badges
with edition names, metadata and serials, which it rebuilds from logs because the series stores
none. It reports whether a user entered an edition's draw, in which pool and at which index, and
whether they won, with rank, serial and claim status. It builds the unsigned claim transaction,
with the Merkle proof, that the user's wallet or a relayer signs. And it downloads an edition's
artwork, checked against the sha256 that the series stores.

Metadata and artwork URIs are fetched through a `Resolver`. `UriResolver` handles ``http://``,
``https://``, ``file://`` and ``ipfs://`` (through a configurable HTTP gateway).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from ape.contracts import ContractInstance
from ape.exceptions import ContractLogicError
from ape.utils import ManagerAccessMixin
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from merit.addresses import parse_address
from merit.clients.events import (
    SERIES_EVENTS,
    ZERO_ADDRESS,
    BadgeOrigin,
    BadgeRecord,
    LogQuery,
    LogReader,
    SeriesLedger,
    bind_contract,
    event_abis,
    holder_of,
    token_id_of,
)
from merit.errors import (
    ClaimError,
    ContentHashError,
    PublishedFileError,
    ResourceFetchError,
)
from merit.publish import PublishedRound, load_round

__all__ = [
    "DEFAULT_IPFS_GATEWAY",
    "BadgeMetadata",
    "ClaimTransaction",
    "DrawResult",
    "EditionInfo",
    "HolderBadge",
    "IntegratorClient",
    "Resolver",
    "UriResolver",
]

logger = logging.getLogger(__name__)

DEFAULT_IPFS_GATEWAY = "http://127.0.0.1:8080/ipfs/"
"""Gateway of a local IPFS node (kubo's default address); pass another base URL to use a
different gateway."""

MAX_RECOVERY_HOPS = 256
"""Most recoveries followed back when looking up a serial; a series has at most 256 editions, and
each recovery of a badge is one hop."""

ROUND_STATES = ("none", "committed", "requested", "seeded", "failed")


# ---------------------------------------------------------------------------------------------
# Fetching URIs
# ---------------------------------------------------------------------------------------------


class Resolver(Protocol):
    """Fetches the bytes behind a metadata or artwork URI."""

    def fetch(self, uri: str) -> bytes:
        """Return the content at `uri`.

        Raises:
            ResourceFetchError: if the content cannot be fetched.
        """
        ...


class UriResolver:
    """Fetches ``http(s)://``, ``file://`` and ``ipfs://`` URIs.

    Args:
        ipfs_gateway: Base URL that ``ipfs://<cid>/<path>`` is appended to, as
            ``<gateway><cid>/<path>``: an HTTP gateway, or a ``file://`` folder of files named
            by their content id, such as the issuer's ``out/<campaign>/metadata/ipfs/``. It must
            end with a slash.
        timeout: Seconds to wait for an HTTP server before giving up.
        max_bytes: Largest content accepted, in bytes.
    """

    def __init__(
        self, *, ipfs_gateway: str = DEFAULT_IPFS_GATEWAY, timeout: float = 30.0, max_bytes: int = 50 * 2**20
    ) -> None:
        if not ipfs_gateway.startswith(("http://", "https://", "file://")) or not ipfs_gateway.endswith("/"):
            raise ValueError(
                f"IPFS gateway {ipfs_gateway!r} is not an http, https or file base URL ending with '/'. "
                f"Pass one like {DEFAULT_IPFS_GATEWAY}."
            )
        self.ipfs_gateway = ipfs_gateway
        self.timeout = timeout
        self.max_bytes = max_bytes

    def fetch(self, uri: str) -> bytes:
        """Return the content at `uri`.

        Raises:
            ResourceFetchError: if the scheme is not supported, the file or server does not
                respond, the server returns an error status, or the content exceeds `max_bytes`.
        """
        scheme = urllib.parse.urlsplit(uri).scheme.lower()
        if scheme in ("http", "https"):
            return self._fetch_http(uri, uri)
        if scheme == "ipfs":
            url = self.gateway_url(uri)
            return self._fetch_file(url, uri) if url.startswith("file://") else self._fetch_http(url, uri)
        if scheme == "file":
            return self._fetch_file(uri, uri)
        raise ResourceFetchError(
            f"Cannot fetch {uri!r}: scheme {scheme or '(none)'!r} is not supported. Use http, https, "
            "file or ipfs, or pass a resolver of your own."
        )

    def gateway_url(self, uri: str) -> str:
        """Return the gateway URL of an ``ipfs://`` URI; ``ipfs://ipfs/<cid>`` is accepted too."""
        path = uri[len("ipfs://") :].removeprefix("ipfs/")
        if not path:
            raise ResourceFetchError(f"Cannot fetch {uri!r}: it names no IPFS content id.")
        return self.ipfs_gateway + path

    def _fetch_http(self, url: str, uri: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": "merit-sdk"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                content: bytes = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as error:
            raise ResourceFetchError(f"Cannot fetch {uri}: {url} returned HTTP {error.code} {error.reason}.") from error
        except (urllib.error.URLError, OSError) as error:
            raise ResourceFetchError(
                f"Cannot fetch {uri}: {url} did not respond ({error}). Check the address and the network."
            ) from error
        return self._within_limit(content, uri)

    def _fetch_file(self, url: str, uri: str) -> bytes:
        parts = urllib.parse.urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ResourceFetchError(f"Cannot fetch {uri}: file URIs must name a local file, not host {parts.netloc}.")
        path = Path(urllib.request.url2pathname(parts.path))
        try:
            with path.open("rb") as handle:
                content = handle.read(self.max_bytes + 1)
        except OSError as error:
            raise ResourceFetchError(f"Cannot fetch {uri}: {error}.") from error
        return self._within_limit(content, uri)

    def _within_limit(self, content: bytes, uri: str) -> bytes:
        if len(content) > self.max_bytes:
            raise ResourceFetchError(
                f"Cannot fetch {uri}: the content exceeds {self.max_bytes} bytes. Raise max_bytes if it is expected."
            )
        return content


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


class BadgeMetadata(BaseModel):
    """An edition's metadata document, in the ERC-721 metadata JSON schema; other keys are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str | None = Field(default=None, description="Display name of the badge.")
    description: str | None = Field(default=None, description="Description of the badge.")
    image: str | None = Field(default=None, description="URI of the artwork.")


class EditionInfo(BaseModel):
    """An edition as the series stores it."""

    model_config = ConfigDict(frozen=True)

    edition_id: int
    name: str = Field(description="Display name, both languages in one string.")
    cap: int = Field(description="Maximum number of badges.")
    allocated: int = Field(description="Serials handed out: direct issues plus reserved blocks.")
    issued: int = Field(description="Badges minted, including those revoked later.")
    revoked: int
    opens_at: int = Field(description="First second of issuance, unix time.")
    closes_at: int = Field(description="Last second of issuance, unix time.")
    frozen: bool = Field(description="Whether the metadata can no longer change.")
    metadata_uri: str
    artwork_sha256: str = Field(description="sha256 of the artwork file, hex.")
    metadata_sha256: str = Field(description="sha256 of the metadata document, hex.")


class HolderBadge(BaseModel):
    """A badge that a holder holds now."""

    model_config = ConfigDict(frozen=True)

    token_id: int = Field(description="editionId << 160 | holder.")
    edition_id: int
    edition_name: str
    holder: str
    serial: int | None = Field(description="Serial number; None if the logs read do not state it.")
    origin: str | None = Field(description="'direct', 'draw' or 'recovery'; None when unknown.")
    metadata_uri: str
    metadata: BadgeMetadata | None = Field(description="The verified metadata; None when it failed.")
    metadata_error: str | None = Field(default=None, description="Why the metadata is missing.")


class DrawResult(BaseModel):
    """A user's entry in an edition's draw and its outcome."""

    model_config = ConfigDict(frozen=True)

    edition_id: int
    account: str
    round_state: str = Field(description="none, committed, requested, seeded or failed.")
    eligible: bool = Field(description="Whether the account is an entrant of the round.")
    pool: int | None = None
    channel: str | None = None
    index: int | None = Field(default=None, description="Entrant index in the pool file.")
    winner: bool | None = Field(default=None, description="None until the round is seeded.")
    rank: int | None = Field(default=None, description="Rank P(index) once seeded.")
    serial: int | None = Field(default=None, description="Serial of the badge, for winners.")
    claimed: bool = Field(default=False, description="Whether the badge was claimed.")
    claim_transaction: str | None = Field(default=None, description="Hash of the claiming transaction.")
    holder: str | None = Field(default=None, description="Address that received the badge.")
    token_id: int | None = None
    held: bool = Field(default=False, description="Whether the badge still exists: not revoked or moved.")


class ClaimTransaction(BaseModel):
    """An unsigned call of `BadgeDraw.claim`, for a wallet or relayer to sign and send."""

    model_config = ConfigDict(frozen=True)

    to: str = Field(description="The draw contract.")
    data: str = Field(description="Calldata, 0x-prefixed hex.")
    value: int = Field(default=0, description="Wei to send; always zero.")
    chain_id: int
    edition_id: int
    pool: int
    index: int
    account: str = Field(description="Entrant whose badge is claimed; the badge goes to it or its successor.")
    proof: list[str] = Field(description="Merkle proof of [index, account], 0x-prefixed hashes.")
    serial: int


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------


class IntegratorClient(ManagerAccessMixin):
    """Reads badges, draw results and artwork of one series for an app's users.

    Needs an active ape network connection.

    Args:
        series: The BadgeSeries, as an address or an ape contract instance.
        draw: Its BadgeDraw.
        resolver: Fetches metadata and artwork; default `UriResolver()`.
        start_block: First block to search logs from, such as the series' deployment block.
        reader: Reads logs; default a `LogReader` without a progress bar.
    """

    def __init__(
        self,
        series: str | ContractInstance,
        draw: str | ContractInstance,
        *,
        resolver: Resolver | None = None,
        start_block: int = 0,
        reader: LogReader | None = None,
    ) -> None:
        self.series = bind_contract("BadgeSeries", series)
        self.draw = bind_contract("BadgeDraw", draw)
        self.resolver: Resolver = resolver or UriResolver()
        self.start_block = start_block
        self.reader = reader or LogReader(progress=False)

    # -- editions and metadata -----------------------------------------------------------------

    def edition(self, edition_id: int) -> EditionInfo:
        """Return an edition as the series stores it.

        Raises:
            ape.exceptions.ContractLogicError: if the edition does not exist.
        """
        stored = self.series.edition(edition_id)
        return EditionInfo(
            edition_id=edition_id,
            name=str(stored.name),
            cap=int(stored.cap),
            allocated=int(stored.allocated),
            issued=int(stored.issued),
            revoked=int(stored.revoked),
            opens_at=int(stored.opensAt),
            closes_at=int(stored.closesAt),
            frozen=bool(stored.frozen),
            metadata_uri=str(stored.metadataURI),
            artwork_sha256=bytes(stored.artworkSha256).hex(),
            metadata_sha256=bytes(stored.metadataSha256).hex(),
        )

    def editions(self) -> list[EditionInfo]:
        """Return every edition of the series, by id."""
        return [self.edition(edition_id) for edition_id in range(int(self.series.editionCount()))]

    def metadata(self, edition_id: int) -> BadgeMetadata:
        """Fetch an edition's metadata and check it against the sha256 that the series stores.

        Raises:
            ResourceFetchError: if the document cannot be fetched or is not a JSON object.
            ContentHashError: if its sha256 differs from the stored one.
        """
        info = self.edition(edition_id)
        content = self.resolver.fetch(info.metadata_uri)
        _check_sha256(content, info.metadata_sha256, info.metadata_uri, f"metadata of edition {edition_id}")
        try:
            return BadgeMetadata.model_validate_json(content)
        except ValidationError as error:
            raise ResourceFetchError(
                f"The metadata of edition {edition_id} at {info.metadata_uri} is not an ERC-721 metadata "
                f"JSON object: {error.errors(include_url=False)[0]['msg']}."
            ) from error

    def download_artwork(self, edition_id: int, destination: Path) -> Path:
        """Download an edition's artwork, check its sha256, and write it.

        The artwork URI is the metadata's ``image``. The file is written only after its sha256
        matched the series' `artworkSha256`, and atomically, so a failed download writes nothing.

        Args:
            edition_id: The edition.
            destination: A file path, or an existing folder to write the file into. The file is
                then named after the URI's last path segment when that has an extension, and
                ``edition-<id>`` with an extension from the content otherwise (IPFS URIs).

        Returns:
            The path written.

        Raises:
            ResourceFetchError: if the metadata or artwork cannot be fetched, or the metadata
                has no ``image``.
            ContentHashError: if the metadata's or the artwork's sha256 differs from the stored one.
        """
        info = self.edition(edition_id)
        document = self.metadata(edition_id)
        if not document.image:
            raise ResourceFetchError(
                f"The metadata of edition {edition_id} at {info.metadata_uri} has no 'image' URI, so "
                "there is no artwork to download."
            )
        content = self.resolver.fetch(document.image)
        _check_sha256(content, info.artwork_sha256, document.image, f"artwork of edition {edition_id}")

        target = destination / _artwork_file_name(edition_id, document.image, content) if destination.is_dir() else destination
        _write_atomically(target, content)
        logger.info("Downloaded the artwork of edition %d to %s (%d bytes, sha256 verified).", edition_id, target, len(content))
        return target

    # -- badges --------------------------------------------------------------------------------

    def badges_of(self, holder: str, *, with_metadata: bool = True) -> list[HolderBadge]:
        """Return the badges that `holder` holds now, by edition id.

        A metadata document that cannot be fetched or fails its hash check leaves `metadata`
        None and says why in `metadata_error`, so that one bad document does not hide the others.

        Raises:
            ValueError: if `holder` is not an address.
        """
        address = parse_address(holder)
        mask = int(self.series.editionsOf(address))
        badges = []
        for edition_id in (bit for bit in range(256) if mask >> bit & 1):
            info = self.edition(edition_id)
            token_id = token_id_of(edition_id, address)
            serial, origin = self._serial_and_origin(token_id)
            metadata: BadgeMetadata | None = None
            error_text: str | None = None
            if with_metadata:
                try:
                    metadata = self.metadata(edition_id)
                except (ResourceFetchError, ContentHashError) as error:
                    error_text = str(error)
                    logger.warning("Metadata of edition %d for %s is unavailable: %s", edition_id, address, error)
            badges.append(
                HolderBadge(
                    token_id=token_id,
                    edition_id=edition_id,
                    edition_name=info.name,
                    holder=address,
                    serial=serial,
                    origin=origin,
                    metadata_uri=info.metadata_uri,
                    metadata=metadata,
                    metadata_error=error_text,
                )
            )
        return badges

    def serial_of(self, token_id: int) -> int | None:
        """Return the serial of a badge from the logs, following recoveries back to the original
        mint; None when no mint of the token is found from `start_block` on."""
        return self._serial_and_origin(token_id)[0]

    def _serial_and_origin(self, token_id: int) -> tuple[int | None, str | None]:
        origin: str | None = None
        for _ in range(MAX_RECOVERY_HOPS):
            badge = self._minted_badge(token_id)
            if badge is None:
                return None, origin
            origin = origin or badge.origin.value
            if badge.serial is not None or badge.origin is not BadgeOrigin.RECOVERY or badge.recovered_from is None:
                return badge.serial, origin
            token_id = badge.recovered_from
        return None, origin

    def _minted_badge(self, token_id: int) -> BadgeRecord | None:
        """Fold the logs of the transaction that minted `token_id`; return its badge record."""
        transfer = LogQuery(
            "series",
            self.series.address,
            tuple(event_abis("BadgeSeries", ["Transfer"])),
            {"from": ZERO_ADDRESS, "tokenId": token_id},
        )
        mints = self.reader.read([transfer], self.start_block)
        if not mints:
            return None
        mint = mints[-1]
        block_logs = self.reader.read(
            [
                LogQuery("series", self.series.address, tuple(event_abis("BadgeSeries", SERIES_EVENTS))),
                LogQuery("draw", self.draw.address, tuple(event_abis("BadgeDraw", ["BadgeClaimed"]))),
            ],
            mint.block_number,
            mint.block_number,
        )
        ledger = SeriesLedger(self.draw.address)
        ledger.apply([event for event in block_logs if event.transaction_hash == mint.transaction_hash])
        return ledger.badges.get(token_id)

    # -- draws ---------------------------------------------------------------------------------

    def draw_result(self, edition_id: int, account: str, published: PublishedRound | Path) -> DrawResult:
        """Return `account`'s entry in the draw of `edition_id` and its outcome.

        Args:
            edition_id: The edition (= round id).
            account: The user's address.
            published: The round's published files, or their folder; they are verified and
                must be the files that the round committed.

        Raises:
            ValueError: if `account` is not an address.
            PublishedFileError: if the files fail verification or are not the committed ones.
        """
        address = parse_address(account)
        round_view = self.draw.getRound(edition_id)
        state = ROUND_STATES[int(round_view.state)]
        if state == "none":
            return DrawResult(edition_id=edition_id, account=address, round_state=state, eligible=False)
        files = self._committed_files(edition_id, published, bytes(round_view.entrantsSha256))

        location = next(
            ((pool, addresses.index(address)) for pool, addresses in files.addresses.items() if address in addresses),
            None,
        )
        if location is None:
            return DrawResult(edition_id=edition_id, account=address, round_state=state, eligible=False)
        pool, index = location
        channel = files.manifest.pools[pool].channel
        if state != "seeded":
            return DrawResult(
                edition_id=edition_id, account=address, round_state=state, eligible=True, pool=pool, channel=channel, index=index
            )

        won, rank = self.draw.isWinner(edition_id, pool, index)
        serial = int(self.draw.getPool(edition_id, pool).firstSerial) + int(rank) if won else None
        claim = self._claim_of(edition_id, address, pool, index)
        holder = holder_of(int(claim["tokenId"])) if claim is not None else None
        return DrawResult(
            edition_id=edition_id,
            account=address,
            round_state=state,
            eligible=True,
            pool=pool,
            channel=channel,
            index=index,
            winner=bool(won),
            rank=int(rank),
            serial=serial,
            claimed=claim is not None,
            claim_transaction=claim.transaction_hash if claim is not None else None,
            holder=holder,
            token_id=int(claim["tokenId"]) if claim is not None else None,
            held=bool(self.series.holds(edition_id, holder)) if holder is not None else False,
        )

    def claim_transaction(self, edition_id: int, account: str, published: PublishedRound | Path) -> ClaimTransaction:
        """Build the unsigned `claim` call that issues `account`'s badge of `edition_id`.

        Anyone may send it: a wallet for itself, or the bank's relayer for its users. The call is
        simulated first, so a transaction that would revert is never returned.

        Raises:
            ClaimError: if the account is not an entrant, the round has no seed, the account did
                not win or already claimed, or the simulated call reverts.
            PublishedFileError: as `draw_result`.
        """
        files = published if isinstance(published, PublishedRound) else load_round(published)
        result = self.draw_result(edition_id, account, files)
        if not result.eligible or result.pool is None or result.index is None:
            raise ClaimError(
                f"{result.account} is not an entrant of the draw of edition {edition_id}, so it has no badge to claim."
            )
        if result.round_state != "seeded":
            raise ClaimError(
                f"The draw of edition {edition_id} is {result.round_state}, not seeded. Claims open once its seed "
                "is delivered."
            )
        if not result.winner or result.serial is None:
            raise ClaimError(
                f"{result.account} (pool {result.pool}, index {result.index}) drew rank {result.rank} in edition "
                f"{edition_id} and did not win."
            )
        if result.claimed:
            raise ClaimError(
                f"The badge of {result.account} in edition {edition_id} was claimed already in transaction "
                f"{result.claim_transaction}."
            )

        proof = files.tree(result.pool).proof(result.index)
        arguments = (edition_id, result.pool, result.index, result.account, proof)
        try:
            self.draw.claim.call(*arguments)
        except ContractLogicError as error:
            raise ClaimError(
                f"The claim of {result.account} in edition {edition_id} would revert: {error}."
            ) from error
        data = self.draw.claim.encode_input(*arguments)
        return ClaimTransaction(
            to=self.draw.address,
            data="0x" + bytes(data).hex(),
            chain_id=int(self.provider.chain_id),
            edition_id=edition_id,
            pool=result.pool,
            index=result.index,
            account=result.account,
            proof=["0x" + node.hex() for node in proof],
            serial=result.serial,
        )

    def _committed_files(self, edition_id: int, published: PublishedRound | Path, committed: bytes) -> PublishedRound:
        files = published if isinstance(published, PublishedRound) else load_round(published)
        if files.files_hash != committed:
            raise PublishedFileError(
                files.directory,
                [
                    (
                        f"The manifest has sha256 {files.manifest_sha256}, but round {edition_id} "
                        f"committed {committed.hex()}. Use the files published for this round."
                    )
                ],
            )
        return files

    def _claim_of(self, edition_id: int, account: str, pool: int, index: int) -> Any:
        """Return the BadgeClaimed log of the entrant, or None."""
        query = LogQuery(
            "draw",
            self.draw.address,
            tuple(event_abis("BadgeDraw", ["BadgeClaimed"])),
            {"roundId": edition_id, "account": account},
        )
        claims = [
            event
            for event in self.reader.read([query], self.start_block)
            if int(event["pool"]) == pool and int(event["index"]) == index
        ]
        return claims[0] if claims else None


def _check_sha256(content: bytes, expected: str, uri: str, what: str) -> None:
    digest = hashlib.sha256(content).hexdigest()
    if digest != expected:
        raise ContentHashError(
            f"The {what} at {uri} has sha256 {digest}, but the series stores {expected}. The file was "
            "changed or replaced; nothing was written. Report it to the issuer."
        )


_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"GIF8", ".gif"),
    (b"<svg", ".svg"),
    (b"<?xml", ".svg"),
)


def _artwork_file_name(edition_id: int, uri: str, content: bytes) -> str:
    """Name a downloaded artwork file after its URI, or after the edition and its content type."""
    name = PurePosixPath(urllib.parse.urlsplit(uri).path).name
    if PurePosixPath(name).suffix:
        return name
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return f"edition-{edition_id}.webp"
    start = content.lstrip()[:8]
    suffix = next((suffix for signature, suffix in _IMAGE_SIGNATURES if start.startswith(signature)), "")
    return f"edition-{edition_id}{suffix}"


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
