"""The catalogue of bad campaign files, entrant files and command-line options that the issuer's
scripts must reject before sending anything, with the messages they must print.

Each `BadInput` changes a fresh, valid campaign folder (written by `write_campaign`) and names the
command to run and the patterns that its error message must contain: the offending value or
place, and the fix. A row with `bug` set describes a rejection that the scripts do not yet get
right; its test is an expected failure until the bug is fixed. docs/RELIABILITY.md lists every
row of this file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reliability_support import ENTRANT_HEADER, learner_address

OUTSIDER = learner_address(900)
"""An address that is in no entrant file."""

WINNER_FREE_ADDRESS = "0x0000000000000000000000000000000000000001"

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

EXTRA_CHANNELS = "".join(
    f"  - id: extra-{number}\n"
    f"    name: {{zh: 渠道{number}, en: Channel {number}}}\n"
    "    share: 0.1\n"
    "    rules: {min_course_points: 100}\n"
    for number in range(7)
)


@dataclass(frozen=True)
class BadInput:
    """One bad input and the rejection it must get.

    Attributes:
        id: Short name, used as the test id.
        where: "campaign file", "entrant file" or "command line".
        description: The input, in the words of the catalogue table.
        change: Applied to the campaign folder before the command runs.
        command: Script name ("campaign", "deploy", "badges") and its arguments; "FILE" stands
            for the campaign file.
        expected: Regular expressions that the command's output must all contain.
        needs_deployment: Whether the campaign is deployed before the command runs.
        bug: Why the scripts fail this row today; None when they pass it.
    """

    id: str
    where: str
    description: str
    change: Callable[[Path], None]
    command: tuple[str, ...]
    expected: tuple[str, ...]
    needs_deployment: bool = False
    bug: str | None = None


def no_change(_: Path) -> None:
    """Leave the campaign folder valid: the bad input is in the command line."""


def replace_in_campaign(old: str, new: str) -> Callable[[Path], None]:
    """Replace the first `old` in campaign.yaml with `new`."""

    def change(folder: Path) -> None:
        path = folder / "campaign.yaml"
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} is not in the campaign file"
        path.write_text(text.replace(old, new, 1), "utf-8")

    return change


def write_campaign_text(text: str) -> Callable[[Path], None]:
    """Replace campaign.yaml with `text`."""

    def change(folder: Path) -> None:
        (folder / "campaign.yaml").write_text(text, "utf-8")

    return change


def append_entrant_row(row: str) -> Callable[[Path], None]:
    """Append `row` to the first edition's entrant file; it becomes line 44."""

    def change(folder: Path) -> None:
        path = folder / "entrants" / "xiazhi.csv"
        path.write_text(path.read_text("utf-8") + row + "\n", "utf-8")

    return change


def write_entrant_bytes(data: bytes) -> Callable[[Path], None]:
    """Replace the first edition's entrant file with `data`."""

    def change(folder: Path) -> None:
        (folder / "entrants" / "xiazhi.csv").write_bytes(data)

    return change


def drop_last_entrant_column(folder: Path) -> None:
    """Remove the course_points column from the first edition's entrant file."""
    path = folder / "entrants" / "xiazhi.csv"
    lines = path.read_text("utf-8").splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", "utf-8")


def append_invalid_utf8_row(folder: Path) -> None:
    """Append a row whose address field holds bytes that are not UTF-8."""
    path = folder / "entrants" / "xiazhi.csv"
    path.write_bytes(path.read_bytes() + b"X-1,\xff\xfe,learners,,,500\n")


def swap_checksum_case(address: str) -> str:
    """Return `address` with the case of every letter swapped: a broken EIP-55 checksum."""
    return address[:2] + address[2:].swapcase()


PLAN = ("campaign", "plan", "FILE")

CAMPAIGN_FILE_CASES = [
    BadInput(
        "file-missing", "campaign file", "Path of a campaign file that does not exist", no_change,
        ("campaign", "plan", "FILE.missing"), (r"CAMPAIGN_FILE", r"does not exist"),
    ),
    BadInput(
        "yaml-syntax", "campaign file", "Unclosed flow sequence `[4`", replace_in_campaign("planned_designs: 4", "planned_designs: [4"),
        PLAN, (r"line 28", r"Invalid YAML", r"Fix the syntax at this line"),
    ),
    BadInput(
        "empty-file", "campaign file", "Empty file", write_campaign_text(""),
        PLAN, (r"The file is empty", r"Write the campaign as a YAML mapping"),
    ),
    BadInput(
        "top-level-list", "campaign file", "A YAML list instead of a mapping", write_campaign_text("- a\n- b\n"),
        PLAN, (r"holds a list, not a mapping", r"Write the campaign as `key: value` lines"),
    ),
    BadInput(
        "unknown-key", "campaign file", "Misspelt key `planed_designs`", replace_in_campaign("planned_designs:", "planed_designs:"),
        PLAN, (r"Unknown key 'planed_designs'", r"Remove it or correct its spelling", r"Allowed keys here: .*planned_designs"),
    ),
    BadInput(
        "duplicate-key", "campaign file", "`supply` twice in one edition",
        replace_in_campaign("    supply: 10\n", "    supply: 10\n    supply: 12\n"),
        PLAN, (r"editions\[0\]\.supply \(line 24\)", r"appears twice", r"Keep one of them"),
    ),
    BadInput(
        "series-missing", "campaign file", "No `series` section",
        write_campaign_text("name: broken\ntitle: {zh: 坏, en: Broken}\n"),
        PLAN, (r"Missing required key 'series'", r"Add it"),
    ),
    BadInput(
        "shares-not-one", "campaign file", "Channel shares 0.3 + 0.6", replace_in_campaign("share: 0.7", "share: 0.6"),
        PLAN, (r"add up to 0\.9 \(0\.3 \+ 0\.6\), not 1", r"Adjust them"),
    ),
    BadInput(
        "share-negative", "campaign file", "Share -0.3", replace_in_campaign("share: 0.3", "share: -0.3"),
        PLAN, (r"channels\[0\]\.share", r"got -0\.3", r"Correct the value"),
    ),
    BadInput(
        "nine-channels", "campaign file", "Nine channels (a round has at most 8 pools)",
        replace_in_campaign("editions:\n", EXTRA_CHANNELS + "editions:\n"),
        PLAN, (r"channels \(line 10\)", r"at most 8 items", r"not 9"),
    ),
    BadInput(
        "channel-id-twice", "campaign file", "Two channels with id `new-users`", replace_in_campaign("id: learners", "id: new-users"),
        PLAN, (r"Id 'new-users' is already used by channels\[0\]", r"Give each entry its own id"),
    ),
    BadInput(
        "id-not-slug", "campaign file", "Edition id `Xia Zhi`", replace_in_campaign("id: xiazhi", "id: Xia Zhi"),
        PLAN, (r"'Xia Zhi' is not a valid id", r"Use 1 to 64 lower-case letters"),
    ),
    BadInput(
        "supply-text", "campaign file", "Supply `ten`", replace_in_campaign("supply: 10", "supply: ten"),
        PLAN, (r"editions\[0\]\.supply \(line 23\)", r"got 'ten'", r"Correct the value"),
    ),
    BadInput(
        "supply-zero", "campaign file", "Supply 0", replace_in_campaign("supply: 10", "supply: 0"),
        PLAN, (r"editions\[0\]\.supply", r"greater than or equal to 1, got 0"),
    ),
    BadInput(
        "supply-over-uint32", "campaign file", "Supply 2^32, above the contract's uint32 cap",
        replace_in_campaign("supply: 10", "supply: 4294967296"),
        PLAN, (r"editions\[0\]\.supply", r"less than or equal to 4294967295, got 4294967296"),
    ),
    BadInput(
        "symbol-lower-case", "campaign file", "Symbol `relst`", replace_in_campaign("symbol: RELST", "symbol: relst"),
        PLAN, (r"'relst' is not a valid symbol", r"upper-case letters or digits"),
    ),
    BadInput(
        "timezone-unknown", "campaign file", "Time zone `Mars/Olympus`",
        replace_in_campaign("timezone: Asia/Shanghai", "timezone: Mars/Olympus"),
        PLAN, (r"Unknown time zone 'Mars/Olympus'", r"IANA name such as 'Asia/Shanghai'"),
    ),
    BadInput(
        "date-not-in-calendar", "campaign file", "Release day 2022-13-01",
        replace_in_campaign("released_on: 2022-06-21", "released_on: 2022-13-01"),
        PLAN, (r"line 22", r"2022-13-01"),
    ),
    BadInput(
        "entrant-file-missing", "campaign file", "Entrant file path that does not exist",
        replace_in_campaign("entrants: entrants/xiazhi.csv", "entrants: entrants/nosuch.csv"),
        PLAN, (r"File 'entrants/nosuch\.csv' not found", r"Create it or correct the path"),
    ),
    BadInput(
        "artwork-missing", "campaign file", "Artwork path that does not exist",
        replace_in_campaign("artwork: artwork/xiazhi.svg", "artwork: artwork/nosuch.svg"),
        PLAN, (r"File 'artwork/nosuch\.svg' not found", r"Create it or correct the path"),
    ),
    BadInput(
        "language-missing", "campaign file", "Edition name without English",
        replace_in_campaign("name: {zh: 夏至, en: Summer Solstice}", "name: {zh: 夏至}"),
        PLAN, (r"editions\[0\]\.name", r"Missing text in en", r"Add a translation"),
    ),
    BadInput(
        "randomness-unknown", "campaign file", "Randomness `dice`", replace_in_campaign("randomness: vrf", "randomness: dice"),
        PLAN, (r"got 'dice'", r"'vrf' or 'commit-reveal'"),
    ),
    BadInput(
        "recovery-delay-zero", "campaign file", "Recovery delay 0 hours",
        replace_in_campaign("recovery_delay_hours: 72", "recovery_delay_hours: 0"),
        PLAN, (r"series\.recovery_delay_hours", r"got 0"),
    ),
    BadInput(
        "registration-range", "campaign file", "registered_from after registered_before",
        replace_in_campaign("registered_from: 2022-06-01", "registered_from: 2022-06-01, registered_before: 2022-05-01"),
        PLAN, (r"registered_from 2022-06-01 is not before registered_before 2022-05-01", r"Swap or correct the days"),
    ),
    BadInput(
        "secret-env-name", "campaign file", "HMAC secret variable `merit-secret`",
        replace_in_campaign("secret_env: MERIT_RELIABILITY_SECRET", "secret_env: merit-secret"),
        PLAN, (r"'merit-secret' is not an environment variable name", r"such as 'MERIT_HMAC_SECRET'"),
    ),
    BadInput(
        "secret-unset", "campaign file", "HMAC secret variable that is not set",
        replace_in_campaign("secret_env: MERIT_RELIABILITY_SECRET", "secret_env: MERIT_UNSET_SECRET"),
        PLAN, (r"MERIT_UNSET_SECRET is not set", r"Set it to at least 32 random bytes"),
    ),
    BadInput(
        "secret-short", "campaign file", "HMAC secret of 5 bytes",
        replace_in_campaign("secret_env: MERIT_RELIABILITY_SECRET", "secret_env: MERIT_SHORT_SECRET"),
        PLAN, (r"MERIT_SHORT_SECRET contains 5 bytes, fewer than 32", r"Set it to at least 32 random bytes"),
    ),
    BadInput(
        "channel-without-winner", "campaign file", "Supply 1: channel new-users would get K = 0",
        replace_in_campaign("supply: 10", "supply: 1"),
        PLAN, (r"channel new-users gets no winner \(K = 0 of N = 12\)", r"Raise the edition's supply"),
    ),
]

ENTRANT_FILE_CASES = [
    BadInput(
        "zero-address", "entrant file", "Zero address", append_entrant_row(f"X-1,{ZERO_ADDRESS},learners,,,500"),
        PLAN, (r"line 44", r"is the zero address", r"Use the holder's own address"),
    ),
    BadInput(
        "malformed-address", "entrant file", "Address `0x1234`", append_entrant_row("X-1,0x1234,learners,,,500"),
        PLAN, (r"line 44", r"'0x1234' is not an address", r"0x followed by 40 hex digits"),
    ),
    BadInput(
        "checksum-wrong", "entrant file", "Address with a broken EIP-55 checksum",
        append_entrant_row(f"X-1,{swap_checksum_case(OUTSIDER)},learners,,,500"),
        PLAN, (r"line 44", r"invalid EIP-55 checksum", r"Check it for typos"),
    ),
    BadInput(
        "channel-unknown", "entrant file", "Channel `vip`", append_entrant_row(f"X-1,{OUTSIDER},vip,,,500"),
        PLAN, (r"line 44", r"Channel 'vip' is not in the campaign", r"Use one of new-users, learners"),
    ),
    BadInput(
        "address-twice", "entrant file", "An address already entered on line 2",
        append_entrant_row(f"X-1,{learner_address(0)},learners,,,500"),
        PLAN, (r"line 44", r"on line 2 \(same address", r"Remove this row"),
    ),
    BadInput(
        "user-ref-twice", "entrant file", "A user reference already entered on line 2",
        append_entrant_row(f"N-0,{OUTSIDER},learners,,,500"),
        PLAN, (r"line 44", r"on line 2 \(same user_ref\)", r"Remove this row"),
    ),
    BadInput(
        "column-missing", "entrant file", "No course_points column", drop_last_entrant_column,
        PLAN, (r"missing columns course_points", r"The header must name"),
    ),
    BadInput(
        "file-empty", "entrant file", "Empty entrant file", write_entrant_bytes(b""),
        PLAN, (r"The file is empty", r"It needs a header line"),
    ),
    BadInput(
        "header-only", "entrant file", "Header without rows", write_entrant_bytes(f"{ENTRANT_HEADER}\n".encode()),
        PLAN, (r"has a header but no rows", r"Export at least one entrant"),
    ),
    BadInput(
        "row-too-short", "entrant file", "Row with 2 of 6 fields", append_entrant_row(f"X-1,{OUTSIDER}"),
        PLAN, (r"line 44", r"The row has 2 fields, but the header has 6", r"Quote fields that contain commas"),
    ),
    BadInput(
        "not-utf8", "entrant file", "Bytes that are not UTF-8", append_invalid_utf8_row,
        PLAN, (r"Invalid UTF-8 at line 44", r"Export the file as UTF-8"),
    ),
    BadInput(
        "points-below-rule", "entrant file", "50 course points where the channel needs 100",
        append_entrant_row(f"X-1,{OUTSIDER},learners,,,50"),
        PLAN, (r"line 44", r"requires at least 100 course points, but course_points is 50", r"another channel or remove the row"),
    ),
    BadInput(
        "points-not-number", "entrant file", "course_points `many`", append_entrant_row(f"X-1,{OUTSIDER},learners,,,many"),
        PLAN, (r"line 44", r"course_points 'many' is not a non-negative number", r"Write the points"),
    ),
    BadInput(
        "date-invalid", "entrant file", "registered_at 2022-02-30", append_entrant_row(f"X-1,{OUTSIDER},new-users,2022-02-30,2,"),
        PLAN, (r"line 44", r"registered_at '2022-02-30' is not an ISO 8601 date", r"Write it like 2022-06-03"),
    ),
    BadInput(
        "tier-below-rule", "entrant file", "Wallet tier 1 where the channel needs 2",
        append_entrant_row(f"X-1,{OUTSIDER},new-users,2022-06-05,1,"),
        PLAN, (r"line 44", r"requires wallet tier 2 or higher, but wallet_tier is 1"),
    ),
    BadInput(
        "rejection-names-option", "entrant file", "Any rejected row: the message names the option that allows it",
        append_entrant_row(f"X-1,{ZERO_ADDRESS},learners,,,500"),
        PLAN, (r"line 44", r"--allow-rejections"),
    ),
]

COMMAND_LINE_CASES = [
    BadInput(
        "batch-size-zero", "command line", "`--batch-size 0`", no_change,
        ("campaign", "issue", "FILE", "--batch-size", "0"), (r"'--batch-size': 0 is not in the range 1<=x<=256",),
    ),
    BadInput(
        "batch-size-too-large", "command line", "`--batch-size 5000`", no_change,
        ("campaign", "run", "FILE", "--batch-size", "5000"), (r"'--batch-size': 5000 is not in the range 1<=x<=256",),
    ),
    BadInput(
        "account-unknown", "command line", "`--account nosuch`", no_change,
        ("campaign", "plan", "FILE", "--account", "nosuch"), (r"No ape account with alias 'nosuch'", r"See `ape accounts list`"),
    ),
    BadInput(
        "vrf-options-partial", "command line", "`--vrf-coordinator` without key hash and subscription", no_change,
        ("campaign", "run", "FILE", "--vrf-coordinator", WINNER_FREE_ADDRESS),
        (r"Chainlink VRF needs --vrf-key-hash, --vrf-subscription as well",),
    ),
    BadInput(
        "out-is-a-file", "command line", "`--out` naming a file", no_change,
        ("campaign", "plan", "FILE", "--out", "FILE"), (r"Invalid value for '--out'", r"is a file"),
    ),
    BadInput(
        "commit-before-deploy", "command line", "`commit` before the campaign is deployed", no_change,
        ("campaign", "commit", "FILE"), (r"No deployment record", r"ape run deploy"),
    ),
    BadInput(
        "edition-unknown", "command line", "`--edition nosuch`", no_change,
        ("campaign", "commit", "FILE", "--edition", "nosuch"), (r"has no edition 'nosuch'; it has xiazhi",),
        needs_deployment=True,
    ),
    BadInput(
        "issuer-not-address", "command line", "`ape run deploy --issuer nobody`", no_change,
        ("deploy", "FILE", "--issuer", "nobody"), (r"--issuer", r"'nobody' is not an address"),
    ),
    BadInput(
        "vrf-coordinator-not-address", "command line", "`--vrf-coordinator nobody` with key hash and subscription", no_change,
        ("deploy", "FILE", "--vrf-coordinator", "nobody", "--vrf-key-hash", "0x" + "12" * 32, "--vrf-subscription", "1"),
        (r"--vrf-coordinator", r"'nobody' is not an address"),
    ),
    BadInput(
        "vrf-key-hash-short", "command line", "`--vrf-key-hash 0x12` (1 byte instead of 32)", no_change,
        ("deploy", "FILE", "--vrf-coordinator", WINNER_FREE_ADDRESS, "--vrf-key-hash", "0x12", "--vrf-subscription", "1"),
        (r"--vrf-key-hash", r"0x12", r"32 bytes"),
    ),
    BadInput(
        "reason-over-uint16", "command line", "`ape run badges revoke --reason 70000`", no_change,
        ("badges", "revoke", "FILE", "xiazhi", WINNER_FREE_ADDRESS, "--reason", "70000"),
        (r"'--reason': 70000 is not in the range 0<=x<=65535",),
    ),
    BadInput(
        "holder-not-address", "command line", "`ape run badges revoke` of holder `nobody`", no_change,
        ("badges", "revoke", "FILE", "xiazhi", "nobody", "--reason", "1"),
        (r"Invalid holder address: 'nobody' is not an address", r"Write 0x followed by 40 hex digits"),
        needs_deployment=True,
    ),
    BadInput(
        "revoke-edition-unknown", "command line", "`ape run badges revoke` of edition `nosuch`", no_change,
        ("badges", "revoke", "FILE", "nosuch", WINNER_FREE_ADDRESS, "--reason", "1"),
        (r"has no edition 'nosuch'; it has xiazhi",),
        needs_deployment=True,
    ),
    BadInput(
        "revoke-without-badge", "command line", "`ape run badges revoke` of an address without the badge", no_change,
        ("badges", "revoke", "FILE", "xiazhi", WINNER_FREE_ADDRESS, "--reason", "1"),
        (rf"{WINNER_FREE_ADDRESS} holds no badge of xiazhi", r"nothing to revoke"),
        needs_deployment=True,
    ),
    BadInput(
        "recover-to-itself", "command line", "`ape run badges recover propose` with successor = holder", no_change,
        ("badges", "recover", "propose", "FILE", OUTSIDER, OUTSIDER),
        (r"RecoveryInvalidSuccessor", rf"successor={OUTSIDER}", r"Nothing was sent"),
        needs_deployment=True,
    ),
    BadInput(
        "recover-to-zero", "command line", "`ape run badges recover propose` with the zero successor", no_change,
        ("badges", "recover", "propose", "FILE", OUTSIDER, ZERO_ADDRESS),
        (r"Invalid value for 'SUCCESSOR'", rf"{ZERO_ADDRESS} is the zero address", r"Pass a wallet's own address"),
        needs_deployment=True,
    ),
    BadInput(
        "execute-without-proposal", "command line", "`ape run badges recover execute` with nothing pending", no_change,
        ("badges", "recover", "execute", "FILE", OUTSIDER),
        (rf"No recovery is pending for {OUTSIDER}", r"propose one first"),
        needs_deployment=True,
    ),
]

CASES = CAMPAIGN_FILE_CASES + ENTRANT_FILE_CASES + COMMAND_LINE_CASES
