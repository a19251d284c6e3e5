"""The input of every report renderer: the figures of one campaign, validated.

A collector fills a `CampaignReport` from the campaign journal and the chain, and the renderers
in this package only read it. Each figure is stored once. Totals, shares and rates are properties,
so they never disagree with the figures that they are computed from and never appear in the
JSON file.

Validation rejects a report that contradicts itself: K > N in a pool, more badges issued than
winners, winners beyond an edition's supply, a timeline whose badge count differs from the issued
figures, a seed on a round that is not seeded, a channel or edition id used twice, or a missing
Chinese or English text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from merit.addresses import parse_address

__all__ = [
    "MAX_CHANNELS",
    "MAX_EDITIONS",
    "REPORT_FORMAT",
    "Address",
    "AuditResult",
    "BadgeIssue",
    "BilingualText",
    "CampaignInfo",
    "CampaignReport",
    "ChannelInfo",
    "ChannelTotals",
    "ContractAddresses",
    "EditionReport",
    "GasStep",
    "NetworkInfo",
    "PoolFigures",
    "RandomnessKind",
    "RoundState",
]

REPORT_FORMAT: Literal["merit-report/1"] = "merit-report/1"
"""Format id written into every report, so readers can tell future layouts apart."""

MAX_EDITIONS = 256
"""Maximum number of editions in one campaign, as the campaign file allows."""

MAX_CHANNELS = 8
"""Maximum number of channels, because a draw round has at most 8 pools."""

_MAX_UINT256 = 2**256 - 1

RoundState = Literal["none", "committed", "requested", "seeded", "failed"]
"""State of an edition's draw round: `IBadgeDraw.RoundState` in lower case."""

RandomnessKind = Literal["vrf", "commit-reveal"]
"""Source of draw seeds: Chainlink VRF v2.5, or the issuer's commit-reveal source."""

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=_SLUG, min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Count = Annotated[StrictInt, Field(ge=0)]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


def _checksum_address(value: Any) -> Any:
    if isinstance(value, str):
        return parse_address(value)
    return value


def _uint256_to_hex(value: Any) -> Any:
    """Accept a seed as the uint256 that the contract returns, as bytes or as hex text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not 0 <= value <= _MAX_UINT256:
            raise ValueError(
                f"Invalid seed {value}: outside the uint256 range. Pass the seed of SeedDelivered."
            )
        return f"0x{value:064x}"
    if isinstance(value, bytes):
        if len(value) != 32:
            raise ValueError(f"Invalid seed 0x{value.hex()}: expected 32 bytes, got {len(value)}.")
        return "0x" + value.hex()
    if isinstance(value, str):
        return value.lower()
    return value


def _uint256_to_decimal(value: Any) -> Any:
    """Accept a request id as an int and keep it as decimal text.

    NOTE: Chainlink VRF request ids are 256-bit hashes. JSON readers that parse numbers as
    doubles (JavaScript, spreadsheets) would round them, so the report stores them as text.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not 0 <= value <= _MAX_UINT256:
            raise ValueError(
                f"Invalid request id {value}: outside the uint256 range. Pass the id of "
                "RandomnessRequested."
            )
        return str(value)
    return value


Address = Annotated[str, BeforeValidator(_checksum_address)]
"""An EIP-55 address; lower- or upper-case input is accepted and checksummed."""

Seed = Annotated[
    str,
    BeforeValidator(_uint256_to_hex),
    StringConstraints(pattern=r"^0x[0-9a-f]{64}$"),
]
RequestId = Annotated[
    str,
    BeforeValidator(_uint256_to_decimal),
    StringConstraints(pattern=r"^(0|[1-9][0-9]{0,77})$"),
]


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"{value!r} is not a known IANA time zone. Use a name such as 'Asia/Shanghai'."
        ) from error
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BilingualText(_Model):
    """A display text in Chinese and in English; both pages show both."""

    zh: Text = Field(description="Chinese (simplified) text.")
    en: Text = Field(description="English text.")

    def get(self, language: Literal["zh", "en"]) -> str:
        """Return the text in `language`."""
        return self.zh if language == "zh" else self.en


class CampaignInfo(_Model):
    """The campaign that the report covers."""

    id: Slug = Field(description="Campaign id, as in the campaign file's `name`.")
    title: BilingualText = Field(description="Display title of the campaign.")


class NetworkInfo(_Model):
    """The chain that the campaign ran on."""

    name: Text = Field(description="Network name as ape knows it, e.g. 'ethereum:sepolia'.")
    chain_id: StrictInt = Field(ge=1, description="EIP-155 chain id.")


class ContractAddresses(_Model):
    """The contracts that an auditor queries."""

    series: Address = Field(description="BadgeSeries contract: editions and badges.")
    draw: Address = Field(description="BadgeDraw contract: rounds, pools, seeds and claims.")
    randomness_source: Address = Field(
        description="Randomness source that delivered the seeds (VRF or commit-reveal)."
    )


class ChannelInfo(_Model):
    """An eligibility channel; each edition's round has one pool per channel."""

    id: Slug = Field(description="Channel id, as in the campaign file.")
    name: BilingualText = Field(description="Display name of the channel.")
    planned_share: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Share of each edition's supply planned for the channel; None if not planned.",
    )


class PoolFigures(_Model):
    """The figures of one pool: one edition and one channel."""

    pool: StrictInt = Field(ge=0, lt=MAX_CHANNELS, description="0-based pool number in the round.")
    channel: Slug = Field(description="Id of the channel that the pool draws from.")
    entrants: Count = Field(description="Eligible entrants N committed in the pool.")
    winners: Count = Field(description="Winners K drawn from the pool; at most N.")
    issued: Count = Field(description="Badges issued to the pool's winners; at most K.")
    rejected: Count = Field(description="Entrant file rows of this channel rejected at ingestion.")

    @model_validator(mode="after")
    def _check_counts(self) -> PoolFigures:
        if self.winners > self.entrants:
            raise ValueError(
                f"Pool {self.pool} ({self.channel}) has K={self.winners} winners but only "
                f"N={self.entrants} entrants; K must not exceed N."
            )
        if self.issued > self.winners:
            raise ValueError(
                f"Pool {self.pool} ({self.channel}) issued {self.issued} badges but has only "
                f"K={self.winners} winners; issued must not exceed K."
            )
        return self

    @property
    def issue_rate(self) -> float | None:
        """Issued badges per winner, or None when the pool has no winners."""
        return self.issued / self.winners if self.winners else None

    @property
    def win_rate(self) -> float | None:
        """Winners per eligible entrant, or None when the pool has no entrants."""
        return self.winners / self.entrants if self.entrants else None


class BadgeIssue(_Model):
    """One badge issued: the time of its block and the channel of its pool."""

    at: AwareDatetime = Field(description="Timestamp of the block that issued the badge.")
    channel: Slug = Field(description="Id of the channel whose pool the winner came from.")


class EditionReport(_Model):
    """One edition: its round, its pools and its issue timeline."""

    id: Slug = Field(description="Edition id, as in the campaign file.")
    name: BilingualText = Field(description="Display name of the edition (the badge name).")
    released_on: dt.date = Field(description="Day of the solar term that the design marks.")
    supply: StrictInt = Field(ge=1, le=2**32 - 1, description="Badges available in the edition.")
    onchain_id: StrictInt = Field(
        ge=0, description="Edition id in BadgeSeries (from 0); also the round id in BadgeDraw."
    )
    round_state: RoundState = Field(description="State of the edition's draw round.")
    seed: Seed | None = Field(
        default=None, description="The round's seed as 0x-prefixed hex; None unless seeded."
    )
    request_ids: list[RequestId] = Field(
        default_factory=list,
        max_length=2,
        description="Randomness request ids in decimal, first request first (at most 2).",
    )
    entrants_sha256: Sha256Hex | None = Field(
        default=None,
        description="sha256 of the published round manifest, as committed on chain; None if "
        "the round was not committed.",
    )
    pools: list[PoolFigures] = Field(
        min_length=1, max_length=MAX_CHANNELS, description="Pools in pool-number order."
    )
    timeline: list[BadgeIssue] = Field(
        default_factory=list, description="One entry per badge issued, in any order."
    )

    @model_validator(mode="after")
    def _check_edition(self) -> EditionReport:
        problems = [
            *self._pool_problems(),
            *self._round_problems(),
            *self._timeline_problems(),
        ]
        if problems:
            raise ValueError(f"Edition {self.id!r}: " + " ".join(problems))
        return self

    def _pool_problems(self) -> Iterator[str]:
        numbers = [pool.pool for pool in self.pools]
        if numbers != list(range(len(self.pools))):
            yield f"Pool numbers must be 0, 1, ... in order, got {numbers}."
        channels = [pool.channel for pool in self.pools]
        for channel, count in Counter(channels).items():
            if count > 1:
                yield f"Channel {channel!r} has {count} pools; a round has one pool per channel."
        if self.winners > self.supply:
            yield (
                f"The pools have {self.winners} winners in total but the supply is "
                f"{self.supply}; the sum of K must not exceed the supply."
            )

    def _round_problems(self) -> Iterator[str]:
        state = self.round_state
        if state == "seeded" and self.seed is None:
            yield "The round is seeded but has no seed; pass the seed from SeedDelivered."
        if state != "seeded" and self.seed is not None:
            yield f"The round is {state} but has a seed; only a seeded round has one."
        if state in ("none", "committed") and self.request_ids:
            yield f"The round is {state} but has request ids {self.request_ids}."
        if state in ("requested", "seeded", "failed") and not self.request_ids:
            yield f"The round is {state}, which needs at least one request id."
        if state == "none" and self.entrants_sha256 is not None:
            yield "The round was never committed but has an entrants_sha256."
        if state != "seeded" and self.issued > 0:
            yield (
                f"The round is {state} but {self.issued} badges were issued; only winners of a "
                "seeded round receive badges."
            )
        if state != "none":
            for pool in self.pools:
                if pool.entrants < 1 or pool.winners < 1:
                    yield (
                        f"Pool {pool.pool} has N={pool.entrants}, K={pool.winners}, but a "
                        "committed pool needs N >= 1 and K >= 1."
                    )

    def _timeline_problems(self) -> Iterator[str]:
        issued_by_timeline = Counter(issue.channel for issue in self.timeline)
        issued_by_pool = {pool.channel: pool.issued for pool in self.pools}
        for channel in sorted(set(issued_by_timeline) | set(issued_by_pool)):
            if channel not in issued_by_pool:
                yield f"The timeline names channel {channel!r}, which has no pool."
            elif issued_by_timeline[channel] != issued_by_pool[channel]:
                yield (
                    f"The timeline has {issued_by_timeline[channel]} badges of channel "
                    f"{channel!r} but the pool reports {issued_by_pool[channel]} issued; the "
                    "timeline needs one entry per badge issued."
                )

    def pool_for(self, channel: str) -> PoolFigures | None:
        """Return the pool of `channel`, or None when the round has none for it."""
        return next((pool for pool in self.pools if pool.channel == channel), None)

    @property
    def entrants(self) -> int:
        """Eligible entrants over all pools."""
        return sum(pool.entrants for pool in self.pools)

    @property
    def winners(self) -> int:
        """Winners over all pools."""
        return sum(pool.winners for pool in self.pools)

    @property
    def issued(self) -> int:
        """Badges issued over all pools."""
        return sum(pool.issued for pool in self.pools)

    @property
    def rejected(self) -> int:
        """Rejected entrant file rows over all pools."""
        return sum(pool.rejected for pool in self.pools)

    def share_of_winners(self, channel: str) -> float | None:
        """Share of the edition's winners from `channel`; None when there are no winners."""
        pool = self.pool_for(channel)
        if not self.winners:
            return None
        return (pool.winners if pool else 0) / self.winners

    def share_of_issued(self, channel: str) -> float | None:
        """Share of the edition's issued badges from `channel`; None when none were issued."""
        pool = self.pool_for(channel)
        if not self.issued:
            return None
        return (pool.issued if pool else 0) / self.issued


class GasStep(_Model):
    """Gas spent by one campaign step, over all its confirmed transactions."""

    step: Slug = Field(description="Step id: deploy, editions, commit, request, airdrop, ...")
    transactions: Count = Field(description="Confirmed transactions of the step.")
    gas_used: Count = Field(description="Sum of the receipts' gasUsed.")

    @model_validator(mode="after")
    def _check_gas(self) -> GasStep:
        if self.transactions == 0 and self.gas_used != 0:
            raise ValueError(
                f"Step {self.step!r} used {self.gas_used} gas in 0 transactions; gas needs at "
                "least one transaction."
            )
        return self

    @property
    def gas_per_transaction(self) -> float | None:
        """Mean gas per transaction, or None without transactions."""
        return self.gas_used / self.transactions if self.transactions else None


class AuditResult(_Model):
    """The outcome of the audit that rebuilt every round from chain data and published files."""

    passed: StrictBool = Field(description="True when the audit found no discrepancy.")
    discrepancies: list[Text] = Field(
        default_factory=list, description="Each discrepancy found, as one sentence."
    )

    @model_validator(mode="after")
    def _check_verdict(self) -> AuditResult:
        if self.passed and self.discrepancies:
            raise ValueError(
                f"The audit passed but lists {len(self.discrepancies)} discrepancies; set passed "
                "to false or drop the discrepancies."
            )
        if not self.passed and not self.discrepancies:
            raise ValueError("The audit failed without a discrepancy; list what it found.")
        return self


@dataclass(frozen=True)
class ChannelTotals:
    """Figures of one channel summed over all editions."""

    channel: ChannelInfo
    entrants: int
    winners: int
    issued: int
    rejected: int


class CampaignReport(_Model):
    """Every figure of a campaign report; the input of the JSON, CSV and HTML renderers."""

    format: Literal["merit-report/1"] = Field(
        default=REPORT_FORMAT, description="Format id of the report's layout."
    )
    campaign: CampaignInfo = Field(description="The campaign that the report covers.")
    network: NetworkInfo = Field(description="The chain that the campaign ran on.")
    contracts: ContractAddresses = Field(description="Addresses of the campaign's contracts.")
    randomness: RandomnessKind = Field(description="Kind of randomness source of the draws.")
    timezone: Annotated[str, AfterValidator(_check_timezone)] = Field(
        description="IANA time zone in which the pages show times, e.g. Asia/Shanghai."
    )
    generated_at: AwareDatetime = Field(description="When the report's figures were collected.")
    channels: list[ChannelInfo] = Field(
        min_length=1, max_length=MAX_CHANNELS, description="Channels in order of precedence."
    )
    new_users_channel: Slug | None = Field(
        default=None,
        description="Channel of new registrations, whose share among winners and issued badges "
        "the report shows; None to leave the share out.",
    )
    editions: list[EditionReport] = Field(
        min_length=1, max_length=MAX_EDITIONS, description="Editions in order of release."
    )
    gas: list[GasStep] = Field(
        default_factory=list, description="Gas per campaign step, in the order the steps ran."
    )
    audit: AuditResult = Field(description="Result of the audit of every round.")

    @model_validator(mode="after")
    def _check_report(self) -> CampaignReport:
        problems = [*self._id_problems(), *self._reference_problems()]
        if problems:
            raise ValueError(" ".join(problems))
        return self

    def _id_problems(self) -> Iterator[str]:
        id_lists: Sequence[tuple[str, list[Any]]] = (
            ("channel id", [channel.id for channel in self.channels]),
            ("edition id", [edition.id for edition in self.editions]),
            ("on-chain edition id", [edition.onchain_id for edition in self.editions]),
            ("gas step", [step.step for step in self.gas]),
        )
        for label, values in id_lists:
            for value, count in Counter(values).items():
                if count > 1:
                    yield f"The {label} {value!r} appears {count} times; each must be unique."

    def _reference_problems(self) -> Iterator[str]:
        known = {channel.id for channel in self.channels}
        if self.new_users_channel is not None and self.new_users_channel not in known:
            yield (
                f"new_users_channel {self.new_users_channel!r} is not a channel; use one of "
                f"{sorted(known)} or None."
            )
        for edition in self.editions:
            for pool in edition.pools:
                if pool.channel not in known:
                    yield (
                        f"Edition {edition.id!r} has a pool for channel {pool.channel!r}, which "
                        f"is not in channels {sorted(known)}."
                    )

    @property
    def zone(self) -> ZoneInfo:
        """The time zone in which the pages show times."""
        return ZoneInfo(self.timezone)

    def channel(self, channel_id: str) -> ChannelInfo:
        """Return the channel with id `channel_id`.

        Raises:
            KeyError: if the report has no such channel.
        """
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        raise KeyError(f"The report has no channel {channel_id!r}.")

    @property
    def new_users(self) -> ChannelInfo | None:
        """The channel of new registrations, or None when the report leaves the share out."""
        return None if self.new_users_channel is None else self.channel(self.new_users_channel)

    @property
    def total_supply(self) -> int:
        """Badges available over all editions."""
        return sum(edition.supply for edition in self.editions)

    @property
    def total_entrants(self) -> int:
        """Eligible entrants over all editions and pools; a person in two editions counts twice."""
        return sum(edition.entrants for edition in self.editions)

    @property
    def total_winners(self) -> int:
        """Winners over all editions."""
        return sum(edition.winners for edition in self.editions)

    @property
    def total_issued(self) -> int:
        """Badges issued over all editions."""
        return sum(edition.issued for edition in self.editions)

    @property
    def total_rejected(self) -> int:
        """Rejected entrant file rows over all editions."""
        return sum(edition.rejected for edition in self.editions)

    @property
    def total_gas_used(self) -> int:
        """Gas used by all steps."""
        return sum(step.gas_used for step in self.gas)

    @property
    def total_transactions(self) -> int:
        """Confirmed transactions of all steps."""
        return sum(step.transactions for step in self.gas)

    @property
    def channel_totals(self) -> list[ChannelTotals]:
        """Figures per channel over all editions, in the order of `channels`."""
        totals = []
        for channel in self.channels:
            pools = [
                pool
                for edition in self.editions
                for pool in edition.pools
                if pool.channel == channel.id
            ]
            totals.append(
                ChannelTotals(
                    channel=channel,
                    entrants=sum(pool.entrants for pool in pools),
                    winners=sum(pool.winners for pool in pools),
                    issued=sum(pool.issued for pool in pools),
                    rejected=sum(pool.rejected for pool in pools),
                )
            )
        return totals

    @property
    def new_users_share_of_winners(self) -> float | None:
        """Share of all winners who came from the new-users channel; None if not computable."""
        if self.new_users_channel is None or not self.total_winners:
            return None
        totals = {total.channel.id: total for total in self.channel_totals}
        return totals[self.new_users_channel].winners / self.total_winners

    @property
    def new_users_share_of_issued(self) -> float | None:
        """Share of all issued badges that went to new users; None if not computable."""
        if self.new_users_channel is None or not self.total_issued:
            return None
        totals = {total.channel.id: total for total in self.channel_totals}
        return totals[self.new_users_channel].issued / self.total_issued
