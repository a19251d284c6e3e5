"""Generate the synthetic entrant files and artwork of the Palace Solar Terms 2022 example.

Run it from the repository root:

    .venv/bin/python examples/palace-solar-terms/generate.py

It writes `entrants/<edition>.csv`, `artwork/<edition>.svg` and `blocked.txt` next to this file,
or under `--out DIR`, and prints the rows per edition and channel. Only the standard library is
needed.

The files are byte-identical on every run, Python version and platform. Python's `random` keeps
only `random()` stable across versions, so every draw here comes from SHA-256 of a fixed seed, a
label and a counter, and only integer arithmetic turns it into values. Rows are sorted, and every
file is UTF-8 with LF line ends.

The data is synthetic: user references are `PM-000001` and up, and addresses are hashes of the
seed, so no real person or wallet appears.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from designs import render_artwork
from eip55 import to_checksum_address

T = TypeVar("T")

EXAMPLE_DIR = Path(__file__).resolve().parent

SEED = b"merit/palace-solar-terms-2022/v1"
"""Seed of every random draw. Changing it changes every file."""

# Asia/Shanghai has kept UTC+08:00 without daylight saving time since 1991, so a fixed offset
# gives the campaign's local times without depending on the tz database of the machine.
CAMPAIGN_TZ = dt.timezone(dt.timedelta(hours=8))

APP_LAUNCH = dt.date(2019, 4, 1)
"""First registration day of the course app, when the earliest existing users registered."""

CAMPAIGN_START = dt.date(2022, 6, 1)
"""First day of the campaign, from which the new-users channel accepts registrations."""

LAST_WINDOW_DAYS = 15
"""Length of the last edition's entry window, the campaign file's default."""

CHANNELS = ("new-users", "learners")
"""Channel ids in the campaign's order of precedence."""

MIN_WALLET_TIER = 2
MIN_COURSE_POINTS = 120
"""Channel rules of the campaign file, used here to make rows that pass or fail them."""


@dataclass(frozen=True)
class EditionPlan:
    """Rows to generate for one edition, before the rows added as rejection cases.

    Attributes:
        id: Edition id, as in the campaign file.
        released_on: Day of the solar term, when the edition's entry window opens.
        new_user_rows: Rows of people who registered during the campaign.
        learner_rows: Rows of people who registered before the campaign.
    """

    id: str
    released_on: dt.date
    new_user_rows: int
    learner_rows: int


# Entries grow over the campaign, with a peak at the Autumn Equinox, which in 2022 fell between
# the Mid-Autumn Festival and the National Day holiday. New users make 7,000 of the 20,000 rows.
EDITIONS = (
    EditionPlan("xiazhi", dt.date(2022, 6, 21), 760, 1380),
    EditionPlan("dashu", dt.date(2022, 7, 23), 820, 1520),
    EditionPlan("liqiu", dt.date(2022, 8, 7), 800, 1540),
    EditionPlan("bailu", dt.date(2022, 9, 7), 780, 1560),
    EditionPlan("qiufen", dt.date(2022, 9, 23), 960, 1780),
    EditionPlan("shuangjiang", dt.date(2022, 10, 23), 900, 1640),
    EditionPlan("lidong", dt.date(2022, 11, 7), 920, 1720),
    EditionPlan("daxue", dt.date(2022, 12, 7), 1060, 1860),
)

EXISTING_USERS = 6_600
"""Number of users who registered before the campaign. Learner rows are drawn from them."""

FIRST_ENTRY_SHARE = Fraction(3, 5)
"""Share of an edition's new-user rows from people who registered in that edition's window.

The rest are earlier new users who enter again. In the first edition every new user is new.
"""

WALLET_TIERS_EXISTING = ((None, 45), (1, 11), (2, 22), (3, 16), (4, 6))
"""Bank wallet tiers of existing users with their weights. None means no bank wallet."""

WALLET_TIERS_NEW = ((2, 60), (3, 30), (4, 10))
"""Bank wallet tiers of new users who meet the tier rule, with their weights."""

# Rejection cases. Each is a share of people or of rows, so that the expected number of rejected
# rows follows from these values and the row counts above.
TIER_1_SHARE = Fraction(1, 100)
"""Share of new users whose wallet is only tier 1, below the channel's minimum tier."""

KEEN_NEW_USER_SHARE = Fraction(1, 200)
"""Share of new users who earn enough course points at once, so the app lists them as learners
too. Their learners row is rejected, because a person enters once per edition."""

LOW_POINTS_SHARE = Fraction(1, 250)
"""Share of existing users whose course points stay below the learners' threshold."""

PRE_CAMPAIGN_ROW_RATE = Fraction(1, 250)
"""Per new-user row, the chance of one extra new-users row from a user who registered before
the campaign (an export mistake of the bank)."""

DUPLICATE_ROW_RATE = Fraction(1, 1000)
"""Per row, the chance that the export lists it twice."""

BLOCKED_STAFF = 8
"""Number of existing users on the blocked list as museum or bank staff, who still enter."""

BLOCKED_TEST_WALLETS = 4
"""Number of blocked addresses of the bank's test wallets, which no entrant file lists."""

LOWER_CASE_ROW_RATE = Fraction(1, 5)
"""Per row, the chance that the address is written in lower case, as some exports do."""

ENTRANT_HEADER = ("user_ref", "address", "channel", "registered_at", "wallet_tier", "course_points")


# -- randomness --------------------------------------------------------------------------------


class SeededStream:
    """Uniform integers from SHA-256(seed, label, counter), the same on every platform.

    Each part of the data draws from its own labelled stream, so a change to one part leaves
    the others as they were.
    """

    def __init__(self, label: str) -> None:
        self._prefix = SEED + b"/" + label.encode("utf-8") + b"/"
        self._counter = 0
        self._buffer = b""

    def _next_word(self) -> int:
        if len(self._buffer) < 8:
            block = hashlib.sha256(self._prefix + self._counter.to_bytes(8, "big")).digest()
            self._buffer += block
            self._counter += 1
        word, self._buffer = self._buffer[:8], self._buffer[8:]
        return int.from_bytes(word, "big")

    def below(self, bound: int) -> int:
        """Return a uniform integer in [0, bound), by rejection sampling so it has no bias."""
        if bound < 1:
            raise ValueError(f"bound must be at least 1, not {bound}.")
        limit = (1 << 64) - (1 << 64) % bound
        while True:
            word = self._next_word()
            if word < limit:
                return word % bound

    def between(self, low: int, high: int) -> int:
        """Return a uniform integer in [low, high]."""
        return low + self.below(high - low + 1)

    def chance(self, probability: Fraction) -> bool:
        """Return True with the given probability."""
        return self.below(probability.denominator) < probability.numerator

    def weighted(self, choices: Sequence[tuple[T, int]]) -> T:
        """Return one value of (value, weight) pairs, with probability proportional to weight."""
        point = self.below(sum(weight for _, weight in choices))
        for value, weight in choices:
            if point < weight:
                return value
            point -= weight
        raise AssertionError("unreachable: point is below the sum of the weights")

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        """Return `count` distinct items in random order (a partial Fisher-Yates shuffle)."""
        if count > len(items):
            raise ValueError(f"Cannot sample {count} of {len(items)} items.")
        pool = list(items)
        for position in range(count):
            chosen = position + self.below(len(pool) - position)
            pool[position], pool[chosen] = pool[chosen], pool[position]
        return pool[:count]

    def moment(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """Return a whole second in [start, end)."""
        return start + dt.timedelta(seconds=self.below(int((end - start).total_seconds())))


# -- people ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A synthetic user of the course app.

    Attributes:
        user_ref: The app's user reference, PM- and six digits, in order of registration.
        address: Bank wallet address in EIP-55 form.
        registered_at: Registration time in campaign-local time.
        wallet_tier: Bank wallet tier, or None for a user without a bank wallet.
        points_start: Course points at the first edition.
        points_gain: Course points earned between two editions.
        registration_window: Index of the edition whose entry window the user registered in, or
            None for a user who registered before the campaign.
        blocked: Whether the address is on the campaign's blocked list.
    """

    user_ref: str
    address: str
    registered_at: dt.datetime
    wallet_tier: int | None
    points_start: int
    points_gain: int
    registration_window: int | None
    blocked: bool

    def course_points(self, edition_index: int) -> int:
        """Return the user's course points when an edition's window closes."""
        return self.points_start + self.points_gain * edition_index


@dataclass(frozen=True)
class _Profile:
    """A person before the user reference is assigned, which follows registration order."""

    registered_at: dt.datetime
    wallet_tier: int | None
    points_start: int
    points_gain: int
    registration_window: int | None


def local_midnight(day: dt.date) -> dt.datetime:
    """Return 00:00 campaign-local time on `day`."""
    return dt.datetime.combine(day, dt.time(), tzinfo=CAMPAIGN_TZ)


def entry_windows() -> list[tuple[dt.datetime, dt.datetime]]:
    """Return each edition's entry window as the campaign file's defaults make it.

    A window opens at 00:00 on the release day and closes when the next one opens. The last one
    closes 15 days after it opens.
    """
    opens = [local_midnight(plan.released_on) for plan in EDITIONS]
    closes = opens[1:] + [opens[-1] + dt.timedelta(days=LAST_WINDOW_DAYS)]
    return list(zip(opens, closes, strict=True))


def first_entry_count(edition_index: int) -> int:
    """Return how many of an edition's new-user rows come from people new in its window."""
    rows = EDITIONS[edition_index].new_user_rows
    return rows if edition_index == 0 else round(FIRST_ENTRY_SHARE * rows)


def _existing_profiles(stream: SeededStream) -> list[_Profile]:
    profiles = []
    for _ in range(EXISTING_USERS):
        registered_at = stream.moment(local_midnight(APP_LAUNCH), local_midnight(CAMPAIGN_START))
        wallet_tier = stream.weighted(WALLET_TIERS_EXISTING)
        if stream.chance(LOW_POINTS_SHARE):
            # At most 100 + 7 * 2 = 114 points, so this user stays below 120 in every edition.
            points_start, points_gain = stream.between(40, 100), stream.between(0, 2)
        else:
            points_start, points_gain = (
                stream.between(MIN_COURSE_POINTS, 900),
                stream.between(0, 40),
            )
        profiles.append(_Profile(registered_at, wallet_tier, points_start, points_gain, None))
    return profiles


def _new_user_profiles(stream: SeededStream) -> list[_Profile]:
    profiles = []
    for edition_index, (opens, closes) in enumerate(entry_windows()):
        start = local_midnight(CAMPAIGN_START) if edition_index == 0 else opens
        for _ in range(first_entry_count(edition_index)):
            registered_at = stream.moment(start, closes)
            if stream.chance(TIER_1_SHARE):
                wallet_tier = 1
            else:
                wallet_tier = stream.weighted(WALLET_TIERS_NEW)
            if stream.chance(KEEN_NEW_USER_SHARE):
                points_start, points_gain = (
                    stream.between(MIN_COURSE_POINTS, 300),
                    stream.between(0, 20),
                )
            else:
                # At most 60 + 7 * 8 = 116 points, so the app never lists this user as a learner.
                points_start, points_gain = stream.between(0, 60), stream.between(0, 8)
            profiles.append(
                _Profile(registered_at, wallet_tier, points_start, points_gain, edition_index)
            )
    return profiles


def make_address(label: str) -> str:
    """Return the EIP-55 address derived from the seed and `label`."""
    return to_checksum_address(
        hashlib.sha256(SEED + b"/address/" + label.encode("utf-8")).digest()[:20]
    )


def make_people() -> tuple[list[Person], list[str]]:
    """Return the pool of users, in registration order, and the blocked addresses, sorted."""
    profiles = _existing_profiles(SeededStream("existing-users"))
    profiles += _new_user_profiles(SeededStream("new-users"))
    # Registration times are whole seconds and may repeat, so the stable sort keeps generation
    # order for equal times.
    profiles.sort(key=lambda profile: profile.registered_at)

    staff_stream = SeededStream("blocked-staff")
    existing = [
        index for index, profile in enumerate(profiles) if profile.registration_window is None
    ]
    staff = set(staff_stream.sample(existing, BLOCKED_STAFF))

    people = []
    for index, profile in enumerate(profiles):
        user_ref = f"PM-{index + 1:06d}"
        people.append(
            Person(
                user_ref=user_ref,
                address=make_address(user_ref),
                registered_at=profile.registered_at,
                wallet_tier=profile.wallet_tier,
                points_start=profile.points_start,
                points_gain=profile.points_gain,
                registration_window=profile.registration_window,
                blocked=index in staff,
            )
        )

    blocked = [person.address for person in people if person.blocked]
    blocked += [
        make_address(f"test-wallet-{number}") for number in range(1, BLOCKED_TEST_WALLETS + 1)
    ]
    return people, sorted(blocked, key=str.lower)


# -- entrant rows ------------------------------------------------------------------------------


@dataclass
class Row:
    """One row of an entrant file and the rejection cases it was made to show.

    Attributes:
        person: The user the row is about.
        channel: Channel id.
        lower_case: Whether the address is written in lower case.
        faults: Reasons why the campaign's checks must reject the row, empty for a valid row.
    """

    person: Person
    channel: str
    lower_case: bool = False
    faults: list[str] = field(default_factory=list)

    def fields(self, edition_index: int) -> tuple[str, ...]:
        """Return the row's CSV fields."""
        person = self.person
        return (
            person.user_ref,
            person.address.lower() if self.lower_case else person.address,
            self.channel,
            person.registered_at.isoformat(),
            "" if person.wallet_tier is None else str(person.wallet_tier),
            str(person.course_points(edition_index)),
        )


def _own_faults(person: Person, channel: str, edition_index: int) -> list[str]:
    """Return the channel rules and blocked-list checks that a row of `person` fails."""
    faults = []
    if channel == "new-users":
        if person.registration_window is None:
            faults.append("registered before the campaign")
        if person.wallet_tier is None or person.wallet_tier < MIN_WALLET_TIER:
            faults.append("wallet tier below 2")
    elif person.course_points(edition_index) < MIN_COURSE_POINTS:
        faults.append("course points below 120")
    if person.blocked:
        faults.append("blocked address")
    return faults


def make_edition_rows(edition_index: int, people: Sequence[Person]) -> list[Row]:
    """Return the rows of one edition's entrant file, sorted as the file lists them."""
    plan = EDITIONS[edition_index]
    stream = SeededStream(f"edition/{plan.id}")
    existing = [person for person in people if person.registration_window is None]
    newcomers = [person for person in people if person.registration_window == edition_index]
    earlier = [
        person
        for person in people
        if person.registration_window is not None and person.registration_window < edition_index
    ]
    entering_new = newcomers + stream.sample(earlier, plan.new_user_rows - len(newcomers))
    entering_learners = stream.sample(existing, plan.learner_rows)

    rows = [Row(person, "new-users") for person in entering_new]
    rows += [Row(person, "learners") for person in entering_learners]

    # Keen new users are in the app's learner export too. The campaign keeps their row of the
    # channel listed first, new-users, unless that row fails a rule of its own.
    for person in entering_new:
        if person.course_points(edition_index) >= MIN_COURSE_POINTS:
            twin = Row(person, "learners")
            if not _own_faults(person, "new-users", edition_index):
                twin.faults.append("listed in both channels")
            rows.append(twin)

    learner_refs = {person.user_ref for person in entering_learners}
    misfiled = [
        person
        for person in existing
        if person.wallet_tier is not None
        and person.wallet_tier >= MIN_WALLET_TIER
        and not person.blocked
        and person.user_ref not in learner_refs
    ]
    for _ in entering_new:
        if stream.chance(PRE_CAMPAIGN_ROW_RATE):
            person = misfiled.pop(stream.below(len(misfiled)))
            rows.append(Row(person, "new-users"))

    for row in rows:
        row.faults[:0] = _own_faults(row.person, row.channel, edition_index)

    copies = []
    for row in rows:
        row.lower_case = stream.chance(LOWER_CASE_ROW_RATE)
        if stream.chance(DUPLICATE_ROW_RATE):
            copies.append(
                Row(row.person, row.channel, row.lower_case, row.faults + ["duplicate row"])
            )
    rows += copies

    # Sorting by channel and then registration order puts a duplicate right after its original,
    # which is the copy that the campaign keeps.
    rows.sort(
        key=lambda row: (
            CHANNELS.index(row.channel),
            row.person.user_ref,
            "duplicate row" in row.faults,
        )
    )
    return rows


def render_csv(rows: Iterable[Sequence[str]]) -> str:
    """Return CSV text with LF line ends.

    Raises:
        ValueError: if a field would need CSV quoting, which the generator never writes.
    """
    lines = []
    for fields in rows:
        for value in fields:
            if any(char in value for char in ',"\r\n'):
                raise ValueError(
                    f"Field {value!r} would need CSV quoting; the generator never writes one."
                )
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


# -- output ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedCampaign:
    """Everything the generator writes, as text, keyed by path relative to the example folder.

    Attributes:
        files: File contents by relative path.
        rows: Entrant rows by edition id, in file order (line = position + 2).
        people: The pool of users.
    """

    files: dict[str, str]
    rows: dict[str, list[Row]]
    people: list[Person]


def generate() -> GeneratedCampaign:
    """Build every file of the example in memory."""
    people, blocked = make_people()
    files: dict[str, str] = {}
    rows_by_edition: dict[str, list[Row]] = {}

    for edition_index, plan in enumerate(EDITIONS):
        rows = make_edition_rows(edition_index, people)
        rows_by_edition[plan.id] = rows
        files[f"entrants/{plan.id}.csv"] = render_csv(
            [ENTRANT_HEADER] + [row.fields(edition_index) for row in rows]
        )
        files[f"artwork/{plan.id}.svg"] = render_artwork(plan.id)

    files["blocked.txt"] = (
        "# Addresses that never enter a draw: museum and bank staff, and the bank's test wallets.\n"
        "# One address per line; blank lines and text after # are ignored.\n"
        + "".join(f"{address}\n" for address in blocked)
    )
    return GeneratedCampaign(files=files, rows=rows_by_edition, people=people)


def write_files(campaign: GeneratedCampaign, out_dir: Path) -> None:
    """Write the generated files under `out_dir`, as UTF-8 with LF line ends."""
    for relative, text in sorted(campaign.files.items()):
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def summarize(campaign: GeneratedCampaign) -> str:
    """Return a table of rows per edition and channel, and of rows made to be rejected."""
    header = f"{'edition':<12} {'new-users':>9} {'learners':>9} {'rows':>6} {'to reject':>9}"
    lines = [header, "-" * len(header)]
    totals = [0, 0, 0, 0]
    for plan in EDITIONS:
        rows = campaign.rows[plan.id]
        counts = [
            sum(row.channel == "new-users" for row in rows),
            sum(row.channel == "learners" for row in rows),
            len(rows),
            sum(bool(row.faults) for row in rows),
        ]
        totals = [total + count for total, count in zip(totals, counts, strict=True)]
        lines.append(f"{plan.id:<12} {counts[0]:>9} {counts[1]:>9} {counts[2]:>6} {counts[3]:>9}")
    lines.append("-" * len(header))
    lines.append(f"{'total':<12} {totals[0]:>9} {totals[1]:>9} {totals[2]:>6} {totals[3]:>9}")

    fault_counts: dict[str, int] = {}
    for rows in campaign.rows.values():
        for row in rows:
            for fault in row.faults:
                fault_counts[fault] = fault_counts.get(fault, 0) + 1
    lines.append("")
    lines.append("Rejection cases (a row can show more than one):")
    lines.extend(f"  {fault:<32} {count:>5}" for fault, count in sorted(fault_counts.items()))

    new_users = sum(person.registration_window is not None for person in campaign.people)
    entering = {row.person.user_ref for rows in campaign.rows.values() for row in rows}
    lines.append("")
    lines.append(
        f"People: {len(campaign.people)} in the pool, {new_users} registered during the campaign, "
        f"{len(entering)} in at least one entrant file."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the example's files and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=EXAMPLE_DIR,
        help="folder to write into (default: the folder of this script)",
    )
    args = parser.parse_args(argv)

    campaign = generate()
    write_files(campaign, args.out)
    print(f"Wrote {len(campaign.files)} files under {args.out}.\n")
    print(summarize(campaign))


if __name__ == "__main__":
    main()
