"""The campaign file: pydantic models, `load_campaign` and quota planning.

An issuer describes a campaign in one YAML file: the badge series, the eligibility channels
(each becomes a draw pool), and the editions, one per solar term, with their supply, entrant file
and artwork. Paths in the file are relative to the file's folder. `load_campaign` reports every
problem at once, each with its key path, line, value and fix, and never returns a partly valid
campaign.

Example::

    name: palace-solar-terms-2022
    title: {zh: 故宫节气徽章 2022, en: Palace Solar Terms 2022}
    timezone: Asia/Shanghai
    series:
      name: Palace Solar Terms 2022
      symbol: MERITST22
      description: {zh: 二十四节气学习徽章, en: Learning badges for the 24 solar terms}
      recovery_delay_hours: 72
    randomness: vrf
    channels:
      - id: new-users
        name: {zh: 新注册用户, en: New registrations with a bank wallet}
        share: 0.30
        rules: {registered_from: 2022-06-01, min_wallet_tier: 2}
      - id: learners
        name: {zh: 课程学习者, en: Course learners}
        share: 0.70
        rules: {min_course_points: 120}
    editions:
      - id: xiazhi
        name: {zh: 夏至, en: Summer Solstice}
        released_on: 2022-06-21
        supply: 400
        entrants: entrants/xiazhi.csv
        artwork: artwork/xiazhi.svg
    planned_designs: 16
    blocked_addresses: blocked.txt
    privacy: {secret_env: MERIT_HMAC_SECRET}
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from merit._yaml import YamlSyntaxError, read_yaml
from merit.addresses import parse_address
from merit.errors import (
    CampaignFileError,
    CampaignLookupError,
    CampaignProblem,
    DrawParameterError,
    PrivacySecretError,
)

__all__ = [
    "DEFAULT_LAST_WINDOW",
    "EVIDENCE_COLUMNS",
    "MAX_CHANNELS",
    "MAX_EDITIONS",
    "MIN_SECRET_BYTES",
    "Campaign",
    "Channel",
    "ChannelRules",
    "Edition",
    "EditionWindow",
    "Privacy",
    "Series",
    "Window",
    "load_blocked_addresses",
    "load_campaign",
    "plan_quotas",
]

logger = logging.getLogger(__name__)

MAX_EDITIONS = 256
"""Maximum number of editions in one campaign."""

MAX_CHANNELS = 8
"""Maximum number of channels, because a draw round has at most 8 pools."""

SHARE_TOLERANCE = 1e-9
"""Maximum distance of the sum of channel shares from 1."""

DEFAULT_LAST_WINDOW = dt.timedelta(days=15)
"""Length of the last edition's window when it gives no close time (one solar term)."""

MIN_SECRET_BYTES = 32
"""Minimum length of the HMAC secret that pseudonymises user references."""

EVIDENCE_COLUMNS = ("registered_at", "wallet_tier", "course_points")
"""Entrant file columns that carry evidence for channel rules."""

_SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_ENV_NAME_PATTERN = re.compile(r"[A-Z_][A-Z0-9_]*")
_SYMBOL_PATTERN = re.compile(r"[A-Z0-9]{1,16}")


def _check_slug(value: str) -> str:
    if len(value) > 64 or not _SLUG_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id. Use 1 to 64 lower-case letters, digits and single "
            "hyphens, such as 'xiazhi' or 'new-users'."
        )
    return value


def _check_language(value: str) -> str:
    if not _LANGUAGE_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} is not a language tag. Use a BCP 47 tag such as 'zh' or 'en'.")
    return value


def _check_symbol(value: str) -> str:
    if not _SYMBOL_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid symbol. Use 1 to 16 upper-case letters or digits, such as "
            "'MERITST22'."
        )
    return value


def _check_env_name(value: str) -> str:
    if not _ENV_NAME_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an environment variable name. Use upper-case letters, digits and "
            "underscores, such as 'MERIT_HMAC_SECRET'."
        )
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]
LanguageTag = Annotated[str, AfterValidator(_check_language)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LocalizedText = dict[LanguageTag, Text]
"""Text in each of the campaign's languages, keyed by language tag."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Series(_Model):
    """The ERC-721 series that the campaign's badges belong to."""

    name: Text = Field(description="ERC-721 collection name, as wallets show it.")
    symbol: Annotated[str, AfterValidator(_check_symbol)] = Field(
        description="ERC-721 symbol: 1 to 16 upper-case letters or digits."
    )
    description: LocalizedText = Field(description="Description of the series.")
    recovery_delay_hours: StrictInt = Field(
        ge=1,
        le=2160,
        description=(
            "Hours between proposing and executing the recovery of a lost holder account: 1 to "
            "2160 (90 days), the range that the series contract accepts."
        ),
    )


class ChannelRules(_Model):
    """Conditions that an entrant's evidence must meet to enter through a channel.

    A rule that is not set does not apply. Dates are calendar days in the campaign's time zone.
    """

    registered_from: dt.date | None = Field(
        default=None, description="Earliest registration day (inclusive); needs `registered_at`."
    )
    registered_before: dt.date | None = Field(
        default=None, description="Registration must be before this day; needs `registered_at`."
    )
    min_wallet_tier: StrictInt | None = Field(
        default=None, ge=0, description="Lowest bank wallet tier accepted; needs `wallet_tier`."
    )
    min_course_points: StrictInt | None = Field(
        default=None, ge=0, description="Lowest course points accepted; needs `course_points`."
    )

    @model_validator(mode="after")
    def _check_registration_range(self) -> ChannelRules:
        if (
            self.registered_from is not None
            and self.registered_before is not None
            and self.registered_from >= self.registered_before
        ):
            raise ValueError(
                f"registered_from {self.registered_from} is not before registered_before "
                f"{self.registered_before}. Swap or correct the days."
            )
        return self

    def required_evidence(self) -> frozenset[str]:
        """Return the evidence columns that these rules read."""
        columns: set[str] = set()
        if self.registered_from is not None or self.registered_before is not None:
            columns.add("registered_at")
        if self.min_wallet_tier is not None:
            columns.add("wallet_tier")
        if self.min_course_points is not None:
            columns.add("course_points")
        return frozenset(columns)


class Channel(_Model):
    """A way to become eligible; each channel is one draw pool of every edition."""

    id: Slug = Field(description="Channel id, as written in the entrant files.")
    name: LocalizedText = Field(description="Display name of the channel.")
    share: float = Field(gt=0, le=1, description="Share of each edition's supply, in (0, 1].")
    rules: ChannelRules = Field(default_factory=ChannelRules, description="Eligibility rules.")


class Window(_Model):
    """An edition's entry window; a bound that is not given gets its default."""

    opens: dt.datetime | None = Field(
        default=None,
        description="Start of the window. Default: 00:00 local time on the release day.",
    )
    closes: dt.datetime | None = Field(
        default=None,
        description=(
            "End of the window (exclusive). Default: when the next edition opens, or "
            "15 days after opening for the last edition."
        ),
    )


class Edition(_Model):
    """One badge design, released on its solar term's day in a limited supply."""

    id: Slug = Field(description="Edition id; names the edition's output files.")
    name: LocalizedText = Field(description="Display name of the edition.")
    released_on: dt.date = Field(description="Day of the solar term that the design marks.")
    supply: StrictInt = Field(
        ge=1, le=2**32 - 1, description="Number of badges of the edition, the sum of all K."
    )
    entrants: Path = Field(description="Entrant CSV file, relative to the campaign file.")
    artwork: Path = Field(description="Artwork file, relative to the campaign file.")
    window: Window | None = Field(default=None, description="Entry window; see `Window`.")


class Privacy(_Model):
    """Source of the secret that pseudonymises user references."""

    secret_env: Annotated[str, AfterValidator(_check_env_name)] = Field(
        default="MERIT_HMAC_SECRET",
        description="Environment variable that contains the HMAC-SHA256 secret.",
    )

    def load_secret(self, environ: Mapping[str, str] | None = None) -> bytes:
        """Read the HMAC secret from the environment.

        Args:
            environ: Environment to read; defaults to `os.environ`.

        Raises:
            PrivacySecretError: if the variable is unset or shorter than 32 bytes.
        """
        source = os.environ if environ is None else environ
        value = source.get(self.secret_env)
        hint = (
            "Set it to at least 32 random bytes, for example the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`, and keep it for the "
            "whole campaign, because user hashes change with it."
        )
        if not value:
            raise PrivacySecretError(f"Environment variable {self.secret_env} is not set. {hint}")
        secret = value.encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            # Only the length is reported, never the secret itself.
            raise PrivacySecretError(
                f"Environment variable {self.secret_env} contains {len(secret)} bytes, fewer than "
                f"{MIN_SECRET_BYTES}. {hint}"
            )
        return secret


@dataclass(frozen=True)
class EditionWindow:
    """The effective entry window of an edition, with defaults applied.

    Attributes:
        opens: Start of the window, time-zone aware.
        closes: End of the window (exclusive), time-zone aware.
    """

    opens: dt.datetime
    closes: dt.datetime


class _Problems(ValueError):
    """Carries several located problems out of a pydantic validator."""

    def __init__(self, problems: Sequence[tuple[tuple[str | int, ...], str]]) -> None:
        self.problems = list(problems)
        super().__init__(
            " ".join(f"{_format_key_path(loc)}: {message}" for loc, message in self.problems)
        )


class Campaign(_Model):
    """A badge campaign as its YAML file describes it.

    Validation checks the structure field by field and then the campaign as a whole: shares,
    unique ids, languages, edition order and windows, and that referenced files exist. Files
    resolve against `base_dir` from the validation context (`load_campaign` passes the campaign
    file's folder) or the working directory.
    """

    name: Slug = Field(description="Campaign id; names the output folder out/<name>/.")
    title: LocalizedText = Field(description="Display title of the campaign.")
    languages: list[LanguageTag] = Field(
        default_factory=lambda: ["zh", "en"],
        min_length=1,
        description="Languages that every display text must provide.",
    )
    timezone: str = Field(description="IANA time zone of dates and times, e.g. Asia/Shanghai.")
    series: Series
    randomness: Literal["vrf", "commit-reveal"] = Field(
        description="Source of draw seeds: Chainlink VRF, or commit-reveal without an oracle."
    )
    channels: list[Channel] = Field(
        min_length=1,
        max_length=MAX_CHANNELS,
        description="Channels in order of precedence for people eligible in several.",
    )
    editions: list[Edition] = Field(
        min_length=1, description="Editions in order of release, at most 256."
    )
    planned_designs: StrictInt = Field(
        ge=1, le=MAX_EDITIONS, description="Number of designs planned for the whole series."
    )
    blocked_addresses: Path | None = Field(
        default=None, description="Text file of addresses that never enter, one per line."
    )
    privacy: Privacy = Field(default_factory=Privacy)

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _windows: dict[str, EditionWindow] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_campaign(self, info: ValidationInfo) -> Campaign:
        context = info.context if isinstance(info.context, dict) else {}
        self._base_dir = Path(context.get("base_dir", Path.cwd()))

        problems: list[tuple[tuple[str | int, ...], str]] = []
        timezone_problems = list(self._timezone_problems())
        problems.extend(timezone_problems)
        problems.extend(self._language_problems())
        problems.extend(self._channel_problems())
        problems.extend(self._edition_problems())
        problems.extend(self._file_problems())
        if not timezone_problems:
            # Windows need the time zone for their defaults.
            windows, window_problems = self._compute_windows()
            problems.extend(window_problems)
            self._windows = windows
        if problems:
            raise _Problems(problems)
        return self

    # -- lookups ----------------------------------------------------------------------------

    @property
    def base_dir(self) -> Path:
        """Folder that relative paths of the campaign resolve against."""
        return self._base_dir

    @property
    def tz(self) -> ZoneInfo:
        """The campaign's time zone."""
        return ZoneInfo(self.timezone)

    def resolve(self, path: Path) -> Path:
        """Return `path` resolved against the campaign file's folder."""
        return path if path.is_absolute() else self._base_dir / path

    def output_dir(self, out_root: Path = Path("out")) -> Path:
        """Return the campaign's output folder, ``<out_root>/<name>``."""
        return out_root / self.name

    def channel(self, channel_id: str) -> Channel:
        """Return the channel with id `channel_id`.

        Raises:
            CampaignLookupError: if the campaign has no such channel.
        """
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        known = ", ".join(channel.id for channel in self.channels)
        raise CampaignLookupError(
            f"Campaign {self.name} has no channel {channel_id!r}; it has {known}."
        )

    def edition(self, edition_id: str) -> Edition:
        """Return the edition with id `edition_id`.

        Raises:
            CampaignLookupError: if the campaign has no such edition.
        """
        for edition in self.editions:
            if edition.id == edition_id:
                return edition
        known = ", ".join(edition.id for edition in self.editions)
        raise CampaignLookupError(
            f"Campaign {self.name} has no edition {edition_id!r}; it has {known}."
        )

    def window(self, edition_id: str) -> EditionWindow:
        """Return the effective entry window of an edition, with defaults applied."""
        self.edition(edition_id)
        return self._windows[edition_id]

    def plan_quotas(self, edition_id: str, entrant_counts: Mapping[str, int]) -> dict[str, int]:
        """Return the winner count K of each channel for an edition; see `plan_quotas`."""
        return plan_quotas(self.channels, self.edition(edition_id).supply, entrant_counts)

    def load_blocked_addresses(self) -> frozenset[str]:
        """Return the blocked addresses in EIP-55 form; empty if the campaign lists no file."""
        if self.blocked_addresses is None:
            return frozenset()
        return load_blocked_addresses(self.resolve(self.blocked_addresses))

    # -- whole-campaign checks ---------------------------------------------------------------

    def _timezone_problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            yield (
                ("timezone",),
                (f"Unknown time zone {self.timezone!r}. Use an IANA name such as 'Asia/Shanghai'."),
            )

    def _language_problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        if len(set(self.languages)) != len(self.languages):
            yield ("languages",), f"Languages {self.languages} repeat a tag. List each once."
        texts: list[tuple[tuple[str | int, ...], LocalizedText]] = [
            (("title",), self.title),
            (("series", "description"), self.series.description),
        ]
        texts.extend((("channels", i, "name"), c.name) for i, c in enumerate(self.channels))
        texts.extend((("editions", i, "name"), e.name) for i, e in enumerate(self.editions))
        expected = set(self.languages)
        for loc, text in texts:
            missing = [language for language in self.languages if language not in text]
            extra = sorted(set(text) - expected)
            if missing:
                yield (
                    loc,
                    (
                        f"Missing text in {', '.join(missing)}. Add a translation for every language "
                        f"in `languages` ({', '.join(self.languages)})."
                    ),
                )
            if extra:
                yield (
                    loc,
                    (
                        f"Text in {', '.join(extra)}, which `languages` does not list. Remove it or "
                        "add the language to `languages`."
                    ),
                )

    def _channel_problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        yield from _duplicate_id_problems("channels", [channel.id for channel in self.channels])
        total = math.fsum(channel.share for channel in self.channels)
        if abs(total - 1) > SHARE_TOLERANCE:
            shares = " + ".join(f"{channel.share:g}" for channel in self.channels)
            yield (
                ("channels",),
                (
                    f"Channel shares add up to {total:.12g} ({shares}), not 1. Adjust them so that "
                    "they add up to exactly 1."
                ),
            )

    def _edition_problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        if len(self.editions) > MAX_EDITIONS:
            yield (
                ("editions",),
                (
                    f"The campaign has {len(self.editions)} editions, more than {MAX_EDITIONS}. "
                    "Split it into several campaigns."
                ),
            )
        yield from _duplicate_id_problems("editions", [edition.id for edition in self.editions])
        if self.planned_designs < len(self.editions):
            yield (
                ("planned_designs",),
                (
                    f"planned_designs is {self.planned_designs}, fewer than the {len(self.editions)} "
                    "editions listed. Raise it to at least the number of editions."
                ),
            )
        for position in range(1, len(self.editions)):
            previous, current = self.editions[position - 1], self.editions[position]
            if current.released_on <= previous.released_on:
                yield (
                    ("editions", position, "released_on"),
                    (
                        f"Edition {current.id} is released on {current.released_on}, not after "
                        f"edition {previous.id} ({previous.released_on}). List editions in order of "
                        "release, each on a later day."
                    ),
                )

    def _file_problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        files: list[tuple[tuple[str | int, ...], Path]] = []
        for position, edition in enumerate(self.editions):
            files.append((("editions", position, "entrants"), edition.entrants))
            files.append((("editions", position, "artwork"), edition.artwork))
        if self.blocked_addresses is not None:
            files.append((("blocked_addresses",), self.blocked_addresses))
        for loc, path in files:
            resolved = self.resolve(path)
            if not resolved.is_file():
                yield (
                    loc,
                    (
                        f"File {str(path)!r} not found (looked for {resolved}). Create it or correct "
                        "the path, which is relative to the campaign file."
                    ),
                )

    def _compute_windows(
        self,
    ) -> tuple[dict[str, EditionWindow], list[tuple[tuple[str | int, ...], str]]]:
        """Apply window defaults, then check that windows are ordered and disjoint."""
        zone = self.tz
        problems: list[tuple[tuple[str | int, ...], str]] = []

        opens: list[dt.datetime] = []
        for edition in self.editions:
            explicit = edition.window.opens if edition.window is not None else None
            if explicit is not None:
                opens.append(_localize(explicit, zone))
            else:
                opens.append(dt.datetime.combine(edition.released_on, dt.time(), tzinfo=zone))

        windows: dict[str, EditionWindow] = {}
        for position, edition in enumerate(self.editions):
            explicit = edition.window.closes if edition.window is not None else None
            if explicit is not None:
                closes = _localize(explicit, zone)
            elif position + 1 < len(self.editions):
                closes = opens[position + 1]
            else:
                closes = opens[position] + DEFAULT_LAST_WINDOW
            windows[edition.id] = EditionWindow(opens=opens[position], closes=closes)

            if closes <= opens[position]:
                problems.append(
                    (
                        ("editions", position, "window"),
                        (
                            f"The window of edition {edition.id} closes at {closes.isoformat()}, not after "
                            f"it opens at {opens[position].isoformat()}. Set `closes` after `opens`."
                        ),
                    )
                )

        for position in range(1, len(self.editions)):
            previous = windows[self.editions[position - 1].id]
            current = windows[self.editions[position].id]
            if previous.closes > current.opens:
                problems.append(
                    (
                        ("editions", position, "window"),
                        (
                            f"The window of edition {self.editions[position].id} opens at "
                            f"{current.opens.isoformat()}, before the window of edition "
                            f"{self.editions[position - 1].id} closes at {previous.closes.isoformat()}. "
                            "Windows must not overlap: move one of the bounds."
                        ),
                    )
                )
        return windows, problems


def _localize(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Attach the campaign's time zone to a naive time; keep an aware time as it is."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _duplicate_id_problems(
    field: str, ids: Sequence[str]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    first_position: dict[str, int] = {}
    for position, item_id in enumerate(ids):
        if item_id in first_position:
            yield (
                (field, position, "id"),
                (
                    f"Id {item_id!r} is already used by {field}[{first_position[item_id]}]. "
                    "Give each entry its own id."
                ),
            )
        else:
            first_position[item_id] = position


# -- quota planning ----------------------------------------------------------------------------


def plan_quotas(
    channels: Sequence[Channel], supply: int, entrant_counts: Mapping[str, int]
) -> dict[str, int]:
    """Split an edition's supply into winner counts K_c, one per channel.

    The rule, in campaign order of the channels:

    1. Each channel gets floor(share_c * supply), computed exactly from the decimal value of the
       share. The remainder of the supply goes to the last channel.
    2. No channel gets more than its entrant count N_c. What a short channel cannot use is its
       surplus.
    3. The total surplus goes to the channels in campaign order, each taking as much as its
       entrants allow before the next one gets any.

    So the K_c add up to min(supply, sum of N_c), and a channel only exceeds its share when
    another channel has too few entrants.

    Args:
        channels: The campaign's channels, in campaign order.
        supply: The edition's supply.
        entrant_counts: N_c for every channel id; a channel with no entrants has N_c = 0.

    Returns:
        K_c for every channel id, in campaign order.

    Raises:
        CampaignLookupError: if `entrant_counts` misses a channel or names an unknown one.
        DrawParameterError: if the supply or a count is negative.
    """
    channel_ids = [channel.id for channel in channels]
    missing = [channel_id for channel_id in channel_ids if channel_id not in entrant_counts]
    unknown = sorted(set(entrant_counts) - set(channel_ids))
    if missing or unknown:
        raise CampaignLookupError(
            f"Entrant counts must name exactly the channels {channel_ids}; missing {missing}, "
            f"unknown {unknown}. Pass a count, possibly 0, for each channel."
        )
    if supply < 0:
        raise DrawParameterError(f"Supply {supply} is negative. Pass the edition's supply.")
    negative = {key: value for key, value in entrant_counts.items() if value < 0}
    if negative:
        raise DrawParameterError(f"Entrant counts {negative} are negative. Pass counts >= 0.")

    # Decimal(repr(share)) is the share as written in the file, so that 0.29 * 100 is 29 and
    # not the 28.999... of binary floating point.
    quotas = [math.floor(Decimal(repr(channel.share)) * supply) for channel in channels]
    quotas[-1] += supply - sum(quotas)
    # Shares may exceed 1 by the tolerance, which can push the sum one above the supply.
    for position in reversed(range(len(quotas))):
        excess = sum(quotas) - supply
        if excess <= 0:
            break
        quotas[position] -= min(excess, quotas[position])

    capped = [
        min(quota, entrant_counts[channel_id]) for quota, channel_id in zip(quotas, channel_ids)
    ]
    surplus = sum(quotas) - sum(capped)
    for position, channel_id in enumerate(channel_ids):
        taken = min(surplus, entrant_counts[channel_id] - capped[position])
        capped[position] += taken
        surplus -= taken
    return dict(zip(channel_ids, capped))


# -- loading -----------------------------------------------------------------------------------


def load_campaign(path: Path | str) -> Campaign:
    """Read, parse and validate a campaign file.

    Args:
        path: The campaign's YAML file. Relative paths inside it resolve against its folder.

    Raises:
        CampaignFileError: listing every problem found, each with its key path, line, value and
            fix. Nothing is returned unless the whole file is valid.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CampaignFileError(
            path, [CampaignProblem("", None, f"File {path} not found. Check the path.")]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CampaignFileError(
            path, [CampaignProblem("", None, f"Cannot read {path}: {error}. Save it as UTF-8.")]
        ) from error

    try:
        document = read_yaml(text)
    except YamlSyntaxError as error:
        raise CampaignFileError(path, [CampaignProblem("", error.line, error.message)]) from error

    problems = [
        CampaignProblem(
            _format_key_path(loc),
            line,
            f"Key {str(loc[-1])!r} appears twice in one mapping. Keep one of them.",
        )
        for loc, line in document.duplicate_keys
    ]
    if not isinstance(document.data, dict):
        problems.append(
            CampaignProblem(
                "",
                1,
                f"The file holds a {type(document.data).__name__}, not a mapping of keys. "
                "Write the campaign as `key: value` lines, starting with `name:`.",
            )
        )
        raise CampaignFileError(path, problems)

    try:
        campaign = Campaign.model_validate(
            document.data, context={"base_dir": path.resolve().parent}
        )
    except ValidationError as error:
        problems.extend(_problems_from_validation(error, document.line_of))
        raise CampaignFileError(path, problems) from None
    if problems:
        raise CampaignFileError(path, problems)

    logger.info(
        "Loaded campaign %s from %s: %d channels, %d editions.",
        campaign.name,
        path,
        len(campaign.channels),
        len(campaign.editions),
    )
    return campaign


def load_blocked_addresses(path: Path) -> frozenset[str]:
    """Read a blocked-address file: one address per line; blank lines and ``#`` comments skipped.

    Raises:
        CampaignFileError: if the file cannot be read or a line is not a valid address; every bad
            line is listed.
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CampaignFileError(
            path, [CampaignProblem("", None, f"Cannot read {path}: {error}. Save it as UTF-8.")]
        ) from error

    addresses: set[str] = set()
    problems: list[CampaignProblem] = []
    for number, line in enumerate(lines, start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        try:
            addresses.add(parse_address(content))
        except ValueError as error:
            problems.append(CampaignProblem("", number, str(error)))
    if problems:
        raise CampaignFileError(path, problems)
    return frozenset(addresses)


def _problems_from_validation(
    error: ValidationError, line_of: typing.Callable[[Sequence[str | int]], int | None]
) -> list[CampaignProblem]:
    problems: list[CampaignProblem] = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        context_error = detail.get("ctx", {}).get("error")
        if isinstance(context_error, _Problems):
            for sub_loc, message in context_error.problems:
                full_loc = loc + sub_loc
                problems.append(
                    CampaignProblem(_format_key_path(full_loc), line_of(full_loc), message)
                )
            continue
        problems.append(
            CampaignProblem(_format_key_path(loc), line_of(loc), _describe_error(detail, loc))
        )
    return problems


def _describe_error(detail: Mapping[str, Any], loc: tuple[str | int, ...]) -> str:
    """Turn one pydantic error into a sentence with the value and the fix."""
    kind = detail["type"]
    key = str(loc[-1]) if loc else "value"
    if kind == "missing":
        return f"Missing required key {key!r}. Add it."
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        listing = f" Allowed keys here: {', '.join(allowed)}." if allowed else ""
        return f"Unknown key {key!r}. Remove it or correct its spelling.{listing}"

    context_error = detail.get("ctx", {}).get("error")
    if kind == "value_error" and context_error is not None:
        return str(context_error)

    value = _short_repr(detail.get("input"))
    return f"{detail['msg']}, got {value}. Correct the value."


def _allowed_keys(loc: tuple[str | int, ...]) -> list[str]:
    """Return the field names of the model at `loc`, or an empty list if there is none."""
    annotation: Any = Campaign
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            arguments = typing.get_args(annotation)
            annotation = arguments[0] if arguments else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field is not None else None
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional and Annotated from a type annotation."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else annotation
    return annotation


def _short_repr(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_key_path(loc: Sequence[str | int]) -> str:
    """Format a location as a key path such as ``editions[2].supply``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
