"""Entrant files: parsing, every rejection reason, duplicate precedence and pseudonymisation."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from pathlib import Path

import pytest
from merit.campaign import Campaign, load_campaign
from merit.entrants import EntrantList, Rejection, parse_entrant_file, read_entrants
from merit.errors import EntrantFileError, MeritError, PrivacySecretError
from sdk_support import ENTRANT_HEADER, SECRET, make_address, write_entrants

BLOCKED = make_address(666)


@pytest.fixture
def campaign(campaign_file: Path) -> Campaign:
    """The base campaign, with one blocked address."""
    (campaign_file.parent / "blocked.txt").write_text(f"# fraud\n{BLOCKED.lower()}\n")
    return load_campaign(campaign_file)


@pytest.fixture
def entrant_path(campaign: Campaign) -> Path:
    """Where the xiazhi edition's entrant file lives."""
    return campaign.resolve(campaign.edition("xiazhi").entrants)


def new_user(ref: str, seed: int, registered: str = "2022-06-10", tier: str = "2") -> list[str]:
    return [ref, make_address(seed), "new-users", registered, tier, ""]


def learner(ref: str, seed: int, points: str = "150") -> list[str]:
    return [ref, make_address(seed), "learners", "", "", points]


def read(campaign: Campaign, rows: Sequence[Sequence[object]], path: Path) -> EntrantList:
    write_entrants(path, rows)
    return read_entrants(campaign, "xiazhi", SECRET, allow_rejections=True)


def only_rejection(result: EntrantList) -> Rejection:
    assert len(result.rejections) == 1, result.rejections
    return result.rejections[0]


# -- accepted entrants --------------------------------------------------------------------------


def test_read_entrants_builds_pools(campaign: Campaign, entrant_path: Path) -> None:
    rows = [new_user("u-1", 1), learner("u-2", 2), learner("u-3", 3), new_user("u-4", 4)]

    result = read(campaign, rows, entrant_path)

    assert list(result.pools) == ["new-users", "learners"]
    assert result.addresses("new-users") == [make_address(1), make_address(4)]
    assert result.addresses("learners") == [make_address(2), make_address(3)]
    assert [e.index for e in result.pools["learners"]] == [0, 1]
    assert [e.line for e in result.pools["new-users"]] == [2, 5]
    assert result.counts() == {"new-users": 2, "learners": 2}
    assert result.rejections == ()
    assert result.row_count == 4


def test_user_hash_is_hmac_sha256(campaign: Campaign, entrant_path: Path) -> None:
    result = read(campaign, [learner("  u-2  ", 2)], entrant_path)

    expected = hmac.new(SECRET, b"u-2", hashlib.sha256).hexdigest()
    assert result.pools["learners"][0].user_hash == expected


def test_raw_user_ref_never_leaves(campaign: Campaign, entrant_path: Path) -> None:
    rows = [learner("secret-ref-1", 1), learner("secret-ref-1", 2), new_user("secret-ref-1", 3)]
    write_entrants(entrant_path, rows)

    with pytest.raises(EntrantFileError) as caught:
        read_entrants(campaign, "xiazhi", SECRET)
    result = read_entrants(campaign, "xiazhi", SECRET, allow_rejections=True)

    assert "secret-ref-1" not in str(caught.value)
    assert "secret-ref-1" not in repr(result)


@pytest.mark.parametrize(
    "address",
    [
        make_address(7).lower(),
        "0x" + make_address(7)[2:].upper(),
        make_address(7),
        f"  {make_address(7)} ",
    ],
    ids=["lower", "upper", "checksum", "padded"],
)
def test_address_is_normalised_to_checksum(
    campaign: Campaign, entrant_path: Path, address: str
) -> None:
    result = read(campaign, [["u-1", address, "learners", "", "", "150"]], entrant_path)

    assert result.addresses("learners") == [make_address(7)]


def test_file_with_byte_order_mark(campaign: Campaign, entrant_path: Path) -> None:
    write_entrants(entrant_path, [learner("u-1", 1)])
    entrant_path.write_bytes(b"\xef\xbb\xbf" + entrant_path.read_bytes())

    result = read_entrants(campaign, "xiazhi", SECRET)

    assert result.addresses("learners") == [make_address(1)]


def test_evidence_columns_may_be_blank_when_unused(campaign: Campaign, entrant_path: Path) -> None:
    rows = [[f"u-{n}", make_address(n), "learners", "", "", "120"] for n in range(3)]

    result = read(campaign, rows, entrant_path)

    assert result.counts() == {"new-users": 0, "learners": 3}


@pytest.mark.parametrize(
    ("registered_at", "accepted"),
    [
        ("2022-06-01", True),
        ("2022-05-31", False),
        ("2022-05-31T16:00:00Z", True),
        ("2022-05-31T15:59:59Z", False),
        ("2022-06-01T00:00:00", True),
        ("2022-06-01T08:30:00+08:00", True),
    ],
)
def test_registration_day_in_campaign_timezone(
    campaign: Campaign, entrant_path: Path, registered_at: str, accepted: bool
) -> None:
    result = read(campaign, [new_user("u-1", 1, registered=registered_at)], entrant_path)

    assert (result.counts()["new-users"] == 1) is accepted


def test_quoted_newline_keeps_line_numbers(campaign: Campaign, entrant_path: Path) -> None:
    rows = [
        ["u-1\nsecond line", make_address(1), "learners", "", "", "150"],
        learner("u-2", 2),
        ["u-3", "0x12", "learners", "", "", "150"],
    ]

    result = read(campaign, rows, entrant_path)

    assert [e.line for e in result.pools["learners"]] == [2, 4]
    assert only_rejection(result).line == 5


# -- rejected rows ------------------------------------------------------------------------------


def flip_case_of_first_letter(address: str) -> str:
    """Return a mixed-case address whose checksum is wrong in exactly one letter."""
    position = next(i for i, char in enumerate(address) if i >= 2 and char.isalpha())
    return address[:position] + address[position].swapcase() + address[position + 1 :]


ROW_REJECTIONS = [
    (
        "malformed address",
        ["u-9", "0x1234", "learners", "", "", "150"],
        "'0x1234' is not an address",
    ),
    ("zero address", ["u-9", "0x" + "0" * 40, "learners", "", "", "150"], "is the zero address"),
    (
        "wrong checksum",
        ["u-9", flip_case_of_first_letter(make_address(9)), "learners", "", "", "150"],
        "invalid EIP-55 checksum",
    ),
    (
        "unknown channel",
        ["u-9", make_address(9), "staff", "", "", "150"],
        "Channel 'staff' is not in the campaign",
    ),
    ("empty user_ref", [" ", make_address(9), "learners", "", "", "150"], "user_ref is empty"),
    ("low course points", learner("u-9", 9, points="119.5"), "at least 120 course points"),
    ("blank course points", learner("u-9", 9, points=""), "requires course_points"),
    ("negative course points", learner("u-9", 9, points="-3"), "not a non-negative number"),
    ("low wallet tier", new_user("u-9", 9, tier="1"), "wallet tier 2 or higher"),
    ("malformed wallet tier", new_user("u-9", 9, tier="two"), "'two' is not a whole number"),
    ("early registration", new_user("u-9", 9, registered="2022-05-20"), "on or after 2022-06-01"),
    ("malformed registration", new_user("u-9", 9, registered="June 3"), "not an ISO 8601 date"),
    ("blank registration", new_user("u-9", 9, registered=""), "requires registered_at"),
    (
        "blocked address",
        ["u-9", BLOCKED, "learners", "", "", "150"],
        "on the campaign's blocked list",
    ),
    ("too few fields", ["u-9", make_address(9), "learners"], "has 3 fields, but the header has 6"),
]


@pytest.mark.parametrize(
    ("row", "fragment"),
    [case[1:] for case in ROW_REJECTIONS],
    ids=[case[0] for case in ROW_REJECTIONS],
)
def test_row_is_rejected(
    campaign: Campaign, entrant_path: Path, row: list[str], fragment: str
) -> None:
    rows = [learner("u-1", 1), row, learner("u-3", 3)]

    result = read(campaign, rows, entrant_path)

    rejection = only_rejection(result)
    assert rejection.line == 3
    assert fragment in str(rejection), str(rejection)
    assert result.addresses("learners") == [make_address(1), make_address(3)]


def test_row_collects_every_reason(campaign: Campaign, entrant_path: Path) -> None:
    result = read(campaign, [["", "0x12", "staff", "", "x", ""]], entrant_path)

    reasons = only_rejection(result).reasons
    assert len(reasons) == 4
    assert [
        "user_ref" in reasons[0],
        "0x12" in reasons[1],
        "staff" in reasons[2],
        "'x'" in reasons[3],
    ] == [True] * 4


def test_duplicate_user_in_channel_names_first_line(campaign: Campaign, entrant_path: Path) -> None:
    rows = [learner("u-1", 1), learner("u-2", 2), learner("u-1", 3)]

    result = read(campaign, rows, entrant_path)

    rejection = only_rejection(result)
    assert rejection.line == 4
    assert "line 2 has the same user_ref" in str(rejection)
    assert result.addresses("learners") == [make_address(1), make_address(2)]


def test_duplicate_address_in_channel_names_first_line(
    campaign: Campaign, entrant_path: Path
) -> None:
    rows = [
        learner("u-1", 1),
        learner("u-2", 2),
        ["u-3", make_address(2).lower(), "learners", "", "", "150"],
    ]

    result = read(campaign, rows, entrant_path)

    rejection = only_rejection(result)
    assert rejection.line == 4
    assert f"line 3 has the same address {make_address(2)}" in str(rejection)


def test_duplicate_of_rejected_row_is_still_duplicate(
    campaign: Campaign, entrant_path: Path
) -> None:
    rows = [learner("u-1", 1, points="10"), learner("u-1", 2, points="150")]

    result = read(campaign, rows, entrant_path)

    assert [r.line for r in result.rejections] == [2, 3]
    assert "line 2 has the same user_ref" in str(result.rejections[1])


def test_first_listed_channel_wins_across_channels(campaign: Campaign, entrant_path: Path) -> None:
    rows = [learner("u-1", 1), learner("u-2", 2), new_user("u-1", 3), new_user("u-4", 2)]

    result = read(campaign, rows, entrant_path)

    assert [r.line for r in result.rejections] == [2, 3]
    assert "through channel new-users on line 4 (same user_ref)" in str(result.rejections[0])
    assert f"on line 5 (same address {make_address(2)})" in str(result.rejections[1])
    assert "channel listed first in the campaign" in str(result.rejections[0])
    assert result.addresses("new-users") == [make_address(3), make_address(2)]
    assert result.addresses("learners") == []


def test_ineligible_priority_row_leaves_other_channel(
    campaign: Campaign, entrant_path: Path
) -> None:
    rows = [learner("u-1", 1), new_user("u-1", 1, tier="1")]

    result = read(campaign, rows, entrant_path)

    rejection = only_rejection(result)
    assert rejection.line == 3
    assert "wallet tier" in str(rejection)
    assert result.addresses("learners") == [make_address(1)]


def test_rejections_raise_by_default(campaign: Campaign, entrant_path: Path) -> None:
    write_entrants(
        entrant_path,
        [
            learner("u-1", 1),
            learner("u-2", 2, points="1"),
            ["u-3", "0x", "learners", "", "", "150"],
        ],
    )

    with pytest.raises(EntrantFileError) as caught:
        read_entrants(campaign, "xiazhi", SECRET)

    assert isinstance(caught.value, MeritError)
    assert isinstance(caught.value, ValueError)
    assert [r.line for r in caught.value.rejections] == [3, 4]
    assert "2 of 3 rows rejected" in str(caught.value)
    assert "line 3:" in str(caught.value)
    assert "line 4:" in str(caught.value)


# -- unusable files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (
            ("user_ref", "address", "channel", "registered_at", "wallet_tier"),
            "missing columns course_points",
        ),
        (
            ("user_ref", "channel", "course_points", "registered_at", "wallet_tier"),
            "missing columns address",
        ),
        ((*ENTRANT_HEADER, "email"), "unknown columns 'email'"),
        ((*ENTRANT_HEADER, "channel"), "repeated columns channel"),
    ],
    ids=["missing evidence", "missing address", "unknown column", "repeated column"],
)
def test_invalid_header_is_rejected(
    campaign: Campaign, entrant_path: Path, header: tuple[str, ...], fragment: str
) -> None:
    write_entrants(entrant_path, [], header=header)

    with pytest.raises(EntrantFileError) as caught:
        read_entrants(campaign, "xiazhi", SECRET, allow_rejections=True)

    assert fragment in str(caught.value)
    assert caught.value.rejections == ()


def test_evidence_columns_optional_without_rules(campaign: Campaign, tmp_path: Path) -> None:
    path = write_entrants(
        tmp_path / "plain.csv",
        [[f"u-{n}", make_address(n), "open"] for n in range(2)],
        header=("user_ref", "address", "channel"),
    )
    channel = campaign.channels[1].model_copy(
        update={
            "id": "open",
            "rules": campaign.channels[1].rules.model_copy(update={"min_course_points": None}),
        }
    )

    result = parse_entrant_file(path, [channel], secret=SECRET, timezone=campaign.tz)

    assert result.addresses("open") == [make_address(0), make_address(1)]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "The file is empty"),
        (b"\n\n", "The file is empty"),
        (",".join(ENTRANT_HEADER).encode() + b"\n", "has a header but no rows"),
        (
            ",".join(ENTRANT_HEADER).encode() + b"\nu-1,\xff\xfe,learners,,,150\n",
            "Invalid UTF-8 at line 2",
        ),
    ],
    ids=["empty", "blank lines", "header only", "invalid utf-8"],
)
def test_unusable_file_is_rejected(
    campaign: Campaign, entrant_path: Path, content: bytes, fragment: str
) -> None:
    entrant_path.write_bytes(content)

    with pytest.raises(EntrantFileError) as caught:
        read_entrants(campaign, "xiazhi", SECRET, allow_rejections=True)

    assert fragment in str(caught.value)


def test_short_secret_is_rejected(campaign: Campaign, entrant_path: Path) -> None:
    write_entrants(entrant_path, [learner("u-1", 1)])

    with pytest.raises(PrivacySecretError, match="fewer than 32"):
        read_entrants(campaign, "xiazhi", b"short")
