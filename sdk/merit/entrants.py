"""Entrant files: CSV ingestion, eligibility checks and pseudonymisation.

An issuer exports one CSV file per edition with a header and one row per candidate entry::

    user_ref,address,channel,registered_at,wallet_tier,course_points
    u-1001,0x5B38Da6a701c568545dCfcB03FcB875f56beddC4,new-users,2022-06-03,2,
    u-1002,0xab8483f64d9c6d1ecf9b849ae677dd3315835cb2,learners,,,135

`user_ref`, `address` and `channel` are required. The evidence columns `registered_at` (ISO 8601
date or date-time), `wallet_tier` (integer) and `course_points` (number) must exist when a channel
rule reads them, and may be blank in rows whose channel does not need them.

Every row is checked, and every rejected row is reported with its line and reasons. One bad row
never drops another. By default any rejection raises `EntrantFileError` and nothing is returned.

The raw `user_ref` never leaves this module: entrants carry HMAC-SHA256(secret, user_ref), and
rejection reasons refer to other rows by line number instead of quoting user references.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from merit.addresses import parse_address
from merit.campaign import EVIDENCE_COLUMNS, MIN_SECRET_BYTES, Campaign, Channel
from merit.errors import EntrantFileError, PrivacySecretError

__all__ = [
    "IDENTITY_COLUMNS",
    "Entrant",
    "EntrantList",
    "Rejection",
    "hash_user_ref",
    "parse_entrant_file",
    "read_entrants",
]

logger = logging.getLogger(__name__)

IDENTITY_COLUMNS = ("user_ref", "address", "channel")
"""Columns that every entrant file must have."""

_INTEGER_PATTERN = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Entrant:
    """One accepted entry of a pool.

    Attributes:
        index: Position in the pool, 0..N-1; the row of the pool's published file.
        address: Holder address in EIP-55 form.
        user_hash: HMAC-SHA256 of the user reference under the issuer's secret, hex.
        line: Line of the row in the entrant file.
    """

    index: int
    address: str
    user_hash: str
    line: int


@dataclass(frozen=True)
class Rejection:
    """A rejected row of an entrant file.

    Attributes:
        line: 1-based line where the row starts.
        channel: The row's channel as written, possibly empty or unknown.
        address: The row's address as written, possibly malformed.
        reasons: Full sentences, each saying what is wrong and how to fix it.
    """

    line: int
    channel: str
    address: str
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: {' '.join(self.reasons)}"


@dataclass(frozen=True)
class EntrantList:
    """The result of reading an entrant file.

    Attributes:
        path: The file that was read.
        pools: Accepted entrants by channel id. Channels follow campaign order, and entrants
            follow file order. A channel without entrants maps to an empty tuple.
        rejections: Rejected rows in file order. Empty unless rejections were allowed.
        row_count: Number of data rows in the file, blank lines not counted.
    """

    path: Path
    pools: Mapping[str, tuple[Entrant, ...]]
    rejections: tuple[Rejection, ...]
    row_count: int

    def counts(self) -> dict[str, int]:
        """Return the number of accepted entrants of each channel, N_c."""
        return {channel_id: len(entrants) for channel_id, entrants in self.pools.items()}

    def addresses(self, channel_id: str) -> list[str]:
        """Return the addresses of a channel's entrants in index order."""
        return [entrant.address for entrant in self.pools[channel_id]]


@dataclass
class _Row:
    """A row while it is being checked; holds the raw user reference, so it stays private."""

    line: int
    user_ref: str
    raw_address: str
    raw_channel: str
    address: str | None
    channel: Channel | None
    reasons: list[str] = field(default_factory=list)


def hash_user_ref(secret: bytes, user_ref: str) -> str:
    """Return HMAC-SHA256(secret, UTF-8 of user_ref) as 64 lower-case hex digits."""
    return hmac.new(secret, user_ref.encode("utf-8"), hashlib.sha256).hexdigest()


def read_entrants(
    campaign: Campaign,
    edition_id: str,
    secret: bytes,
    *,
    allow_rejections: bool = False,
) -> EntrantList:
    """Read the entrant file of an edition with the campaign's channels and blocked list.

    Args:
        campaign: The loaded campaign.
        edition_id: The edition whose `entrants` file is read.
        secret: The issuer's HMAC secret, usually `campaign.privacy.load_secret()`.
        allow_rejections: Return the accepted entrants and the rejections instead of raising.

    Raises:
        EntrantFileError: if the file is unusable, or if a row is rejected and
            `allow_rejections` is false.
        CampaignFileError: if the blocked-address file is invalid.
    """
    edition = campaign.edition(edition_id)
    return parse_entrant_file(
        campaign.resolve(edition.entrants),
        campaign.channels,
        secret=secret,
        timezone=campaign.tz,
        blocked=campaign.load_blocked_addresses(),
        allow_rejections=allow_rejections,
    )


def parse_entrant_file(
    path: Path,
    channels: Sequence[Channel],
    *,
    secret: bytes,
    timezone: ZoneInfo,
    blocked: frozenset[str] = frozenset(),
    allow_rejections: bool = False,
) -> EntrantList:
    """Read and check an entrant CSV file (UTF-8, with or without a byte order mark).

    Each row is checked on its own: field count, user reference, address (format, EIP-55
    checksum of mixed-case addresses, zero address), channel, evidence format and channel rules,
    and the blocked list. Then duplicates are resolved:

    - Within a channel, the first row with a given user reference or address wins, and later
      rows are rejected with a reason that names the first row's line. Rows rejected for other
      reasons still take part, so a person's second row never replaces a broken first one.
    - Across channels, a person (same user reference or same address) enters once per round.
      Among the rows that passed every other check, the row of the channel listed first in the
      campaign wins, and the others are rejected with a reason that names that rule and the line.

    Args:
        path: The CSV file.
        channels: The campaign's channels in order of precedence.
        secret: HMAC secret for user hashes, at least 32 bytes.
        timezone: Time zone of evidence times without an offset and of rule dates.
        blocked: Addresses in EIP-55 form that never enter.
        allow_rejections: Return accepted entrants and rejections instead of raising.

    Raises:
        EntrantFileError: if the file cannot be read, is empty, lacks a required column, or has
            rejected rows while `allow_rejections` is false. The error lists every rejection.
        PrivacySecretError: if the secret is shorter than 32 bytes.
    """
    if len(secret) < MIN_SECRET_BYTES:
        raise PrivacySecretError(
            f"The HMAC secret has {len(secret)} bytes, fewer than {MIN_SECRET_BYTES}. "
            "Load it with campaign.privacy.load_secret()."
        )

    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = _read_header(path, reader, channels)

    rows: list[_Row] = []
    channels_by_id = {channel.id: channel for channel in channels}
    try:
        line = reader.line_num + 1
        for record in reader:
            if record:
                rows.append(_check_row(record, line, header, channels_by_id, timezone, blocked))
            line = reader.line_num + 1
    except csv.Error as error:
        raise EntrantFileError(
            path, f"Malformed CSV at line {reader.line_num}: {error}. Fix the quoting of that row."
        ) from error

    if not rows:
        raise EntrantFileError(
            path, "The file has a header but no rows. Export at least one entrant."
        )

    _reject_duplicates_within_channels(rows)
    _reject_duplicates_across_channels(rows, channels)

    rejections = tuple(
        Rejection(row.line, row.raw_channel, row.raw_address, tuple(row.reasons))
        for row in rows
        if row.reasons
    )
    pools: dict[str, tuple[Entrant, ...]] = {}
    for channel in channels:
        accepted = [row for row in rows if not row.reasons and row.channel is channel]
        pools[channel.id] = tuple(
            Entrant(
                index=index,
                address=row.address or "",
                user_hash=hash_user_ref(secret, row.user_ref),
                line=row.line,
            )
            for index, row in enumerate(accepted)
        )

    accepted_count = sum(len(entrants) for entrants in pools.values())
    logger.info(
        "Read %d rows from %s: %d accepted, %d rejected.",
        len(rows),
        path,
        accepted_count,
        len(rejections),
    )
    if rejections and not allow_rejections:
        raise EntrantFileError(
            path,
            f"{len(rejections)} of {len(rows)} rows rejected, so no entrant was accepted. Fix the "
            "rows below, or enter only the valid rows: --allow-rejections on the command line, "
            "allow_rejections=True in Python.",
            rejections,
        )
    return EntrantList(path=path, pools=pools, rejections=rejections, row_count=len(rows))


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise EntrantFileError(path, f"Cannot read the file: {error}. Check the path.") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise EntrantFileError(
            path, f"Invalid UTF-8 at line {line} (byte {error.start}). Export the file as UTF-8."
        ) from error
    if not text.strip():
        raise EntrantFileError(
            path,
            "The file is empty. It needs a header line such as "
            "'user_ref,address,channel,registered_at,wallet_tier,course_points' and one row per "
            "entrant.",
        )
    return text


def _read_header(
    path: Path, reader: Iterator[list[str]], channels: Sequence[Channel]
) -> tuple[str, ...]:
    try:
        header = tuple(name.strip() for name in next(reader))
    except csv.Error as error:
        raise EntrantFileError(path, f"Malformed CSV header: {error}. Fix line 1.") from error

    needed = set(IDENTITY_COLUMNS)
    for channel in channels:
        needed |= channel.rules.required_evidence()
    allowed = IDENTITY_COLUMNS + EVIDENCE_COLUMNS

    repeated = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in allowed if name in needed and name not in header]
    unknown = [name for name in header if name not in allowed]
    problems = []
    if missing:
        problems.append(f"missing columns {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown columns {', '.join(repr(name) for name in unknown)}")
    if repeated:
        problems.append(f"repeated columns {', '.join(repeated)}")
    if problems:
        raise EntrantFileError(
            path,
            f"Invalid header line: {' and '.join(problems)}. The header must name "
            f"{', '.join(sorted(needed, key=allowed.index))} and may add "
            f"{', '.join(name for name in allowed if name not in needed) or 'nothing else'}.",
        )
    return header


def _check_row(
    record: list[str],
    line: int,
    header: tuple[str, ...],
    channels: Mapping[str, Channel],
    timezone: ZoneInfo,
    blocked: frozenset[str],
) -> _Row:
    """Run the checks that need only the row itself."""
    if len(record) != len(header):
        return _Row(
            line=line,
            user_ref="",
            raw_address="",
            raw_channel="",
            address=None,
            channel=None,
            reasons=[
                (
                    f"The row has {len(record)} fields, but the header has {len(header)}. Quote "
                    "fields that contain commas and fill every column, possibly with a blank."
                )
            ],
        )

    fields = dict(zip(header, record))
    row = _Row(
        line=line,
        user_ref=fields["user_ref"].strip(),
        raw_address=fields["address"],
        raw_channel=fields["channel"].strip(),
        address=None,
        channel=None,
    )

    if not row.user_ref:
        row.reasons.append("user_ref is empty. Fill in the user's reference from your system.")

    try:
        row.address = parse_address(row.raw_address)
    except ValueError as error:
        row.reasons.append(str(error))

    row.channel = channels.get(row.raw_channel)
    if row.channel is None:
        row.reasons.append(
            f"Channel {row.raw_channel!r} is not in the campaign. Use one of {', '.join(channels)}."
        )

    evidence = _parse_evidence(fields, timezone, row.reasons)
    if row.channel is not None:
        _check_rules(row.channel, evidence, row.reasons)

    if row.address is not None and row.address in blocked:
        row.reasons.append(
            f"Address {row.address} is on the campaign's blocked list. Remove the row."
        )
    return row


@dataclass(frozen=True)
class _Evidence:
    registered_on: dt.date | None
    wallet_tier: int | None
    course_points: Decimal | None


def _parse_evidence(fields: Mapping[str, str], timezone: ZoneInfo, reasons: list[str]) -> _Evidence:
    """Parse the evidence columns that are present and not blank; add a reason per bad value."""
    registered_on: dt.date | None = None
    raw = fields.get("registered_at", "").strip()
    if raw:
        try:
            registered_on = _registration_day(raw, timezone)
        except ValueError:
            reasons.append(
                f"registered_at {raw!r} is not an ISO 8601 date or date-time. Write it like "
                "2022-06-03 or 2022-06-03T09:30:00+08:00."
            )

    wallet_tier: int | None = None
    raw = fields.get("wallet_tier", "").strip()
    if raw:
        if _INTEGER_PATTERN.fullmatch(raw):
            wallet_tier = int(raw)
        else:
            reasons.append(f"wallet_tier {raw!r} is not a whole number. Write the tier, e.g. 2.")

    course_points: Decimal | None = None
    raw = fields.get("course_points", "").strip()
    if raw:
        try:
            course_points = Decimal(raw)
        except InvalidOperation:
            course_points = None
        if course_points is None or not course_points.is_finite() or course_points < 0:
            course_points = None
            reasons.append(
                f"course_points {raw!r} is not a non-negative number. Write the points, e.g. 135."
            )
    return _Evidence(registered_on, wallet_tier, course_points)


def _registration_day(text: str, timezone: ZoneInfo) -> dt.date:
    """Return the campaign-local calendar day of an ISO 8601 date or date-time."""
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(timezone).date()


def _check_rules(channel: Channel, evidence: _Evidence, reasons: list[str]) -> None:
    """Add a reason for every rule of the channel that the evidence does not meet."""
    rules = channel.rules
    prefix = f"Channel {channel.id} requires"

    if rules.registered_from is not None or rules.registered_before is not None:
        day = evidence.registered_on
        if day is None:
            reasons.append(f"{prefix} registered_at, which is blank or invalid. Fill it in.")
        elif rules.registered_from is not None and day < rules.registered_from:
            reasons.append(
                f"{prefix} registration on or after {rules.registered_from}, but registered_at "
                f"is {day}. Enter the user through another channel or remove the row."
            )
        elif rules.registered_before is not None and day >= rules.registered_before:
            reasons.append(
                f"{prefix} registration before {rules.registered_before}, but registered_at is "
                f"{day}. Enter the user through another channel or remove the row."
            )

    if rules.min_wallet_tier is not None:
        if evidence.wallet_tier is None:
            reasons.append(f"{prefix} wallet_tier, which is blank or invalid. Fill it in.")
        elif evidence.wallet_tier < rules.min_wallet_tier:
            reasons.append(
                f"{prefix} wallet tier {rules.min_wallet_tier} or higher, but wallet_tier is "
                f"{evidence.wallet_tier}. Enter the user through another channel or remove the row."
            )

    if rules.min_course_points is not None:
        if evidence.course_points is None:
            reasons.append(f"{prefix} course_points, which is blank or invalid. Fill it in.")
        elif evidence.course_points < rules.min_course_points:
            reasons.append(
                f"{prefix} at least {rules.min_course_points} course points, but course_points "
                f"is {evidence.course_points}. Enter the user through another channel or remove "
                "the row."
            )


def _reject_duplicates_within_channels(rows: Sequence[_Row]) -> None:
    first_by_user: dict[tuple[str, str], int] = {}
    first_by_address: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.channel is None:
            continue
        channel_id = row.channel.id

        if row.user_ref:
            first = first_by_user.setdefault((channel_id, row.user_ref), row.line)
            if first != row.line:
                row.reasons.append(
                    f"Duplicate in channel {channel_id}: line {first} has the same user_ref and "
                    "comes first. Remove one of the rows."
                )
        if row.address is not None:
            first = first_by_address.setdefault((channel_id, row.address), row.line)
            if first != row.line:
                row.reasons.append(
                    f"Duplicate in channel {channel_id}: line {first} has the same address "
                    f"{row.address} and comes first. Remove one of the rows."
                )


def _reject_duplicates_across_channels(rows: Sequence[_Row], channels: Sequence[Channel]) -> None:
    """Keep one entry per person per round: the one in the channel listed first."""
    holder_by_user: dict[str, _Row] = {}
    holder_by_address: dict[str, _Row] = {}
    for channel in channels:
        candidates = [row for row in rows if row.channel is channel and not row.reasons]
        for row in candidates:
            earlier = holder_by_user.get(row.user_ref)
            shared = "user_ref"
            if earlier is None and row.address is not None:
                earlier = holder_by_address.get(row.address)
                shared = f"address {row.address}"
            if earlier is not None and earlier.channel is not None:
                row.reasons.append(
                    f"Already entered through channel {earlier.channel.id} on line "
                    f"{earlier.line} (same {shared}). A person enters once per round, through "
                    "the channel listed first in the campaign. Remove this row."
                )
        for row in candidates:
            if not row.reasons:
                holder_by_user[row.user_ref] = row
                if row.address is not None:
                    holder_by_address[row.address] = row
