"""Published round files: exact bytes, manifest hash, idempotent writes and auditor checks."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from merit.campaign import load_campaign
from merit.entrants import read_entrants
from merit.errors import DrawParameterError, PublishedFileError
from merit.merkle import EntrantTree
from merit.publish import (
    MANIFEST_NAME,
    PoolInput,
    PublishedRound,
    RoundManifest,
    load_round,
    manifest_bytes,
    pool_file_bytes,
    publish_entrants,
    write_round,
)
from sdk_support import SECRET, make_address, write_entrants

NODE_SCRIPT = Path(__file__).with_name("oz_merkle.js")

NEW_USERS = [make_address(n) for n in range(1, 4)]
LEARNERS = [make_address(n) for n in range(10, 17)]


def sample_pools() -> list[PoolInput]:
    return [
        PoolInput(channel="new-users", addresses=NEW_USERS, k=2),
        PoolInput(channel="learners", addresses=[a.lower() for a in LEARNERS], k=5),
    ]


@pytest.fixture
def published(tmp_path: Path) -> PublishedRound:
    """A round of two pools written to tmp_path/round."""
    return write_round(tmp_path / "round", "palace-solar-terms-2022", "xiazhi", sample_pools())


def test_pool_file_has_exact_bytes(published: PublishedRound) -> None:
    content = (published.directory / "pool-1-learners.csv").read_bytes()

    expected = "index,address\n" + "".join(f"{i},{a}\n" for i, a in enumerate(LEARNERS))
    assert content == expected.encode("ascii")


def test_manifest_records_every_pool(published: PublishedRound) -> None:
    raw = (published.directory / MANIFEST_NAME).read_bytes()
    document = json.loads(raw)

    assert raw == published.manifest_bytes
    assert raw.endswith(b"}\n")
    assert b" " not in raw
    assert list(document) == sorted(document)
    assert document["algorithm"] == 1
    assert document["campaign"] == "palace-solar-terms-2022"
    assert document["edition"] == "xiazhi"
    pool = document["pools"][1]
    assert pool == {
        "channel": "learners",
        "file": "pool-1-learners.csv",
        "k": 5,
        "n": 7,
        "pool": 1,
        "root": EntrantTree.from_addresses(LEARNERS).root_hex,
        "sha256": hashlib.sha256(
            (published.directory / "pool-1-learners.csv").read_bytes()
        ).hexdigest(),
    }
    assert published.manifest_sha256 == hashlib.sha256(raw).hexdigest()
    assert published.files_hash == hashlib.sha256(raw).digest()


def test_roots_match_openzeppelin(published: PublishedRound) -> None:
    node = shutil.which("node")
    assert node is not None
    for pool in published.manifest.pools:
        request = {"values": [[str(i), a] for i, a in enumerate(published.addresses[pool.pool])]}
        output = subprocess.run(
            [node, str(NODE_SCRIPT)],
            input=json.dumps(request).encode(),
            capture_output=True,
            check=True,
        )
        assert json.loads(output.stdout)["root"] == pool.root


def test_bytes_are_deterministic(tmp_path: Path, published: PublishedRound) -> None:
    again = write_round(tmp_path / "elsewhere", "palace-solar-terms-2022", "xiazhi", sample_pools())

    for name in ("manifest.json", "pool-0-new-users.csv", "pool-1-learners.csv"):
        assert (again.directory / name).read_bytes() == (published.directory / name).read_bytes()


def test_load_round_reads_back(published: PublishedRound) -> None:
    loaded = load_round(published.directory)

    assert loaded.manifest == published.manifest
    assert loaded.manifest_sha256 == published.manifest_sha256
    assert loaded.addresses == {0: tuple(NEW_USERS), 1: tuple(LEARNERS)}
    assert loaded.tree(1).root_hex == published.manifest.pools[1].root
    assert load_round(published.directory / MANIFEST_NAME).manifest == published.manifest


def test_write_same_round_again_is_noop(published: PublishedRound) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in published.directory.iterdir()}

    again = write_round(published.directory, "palace-solar-terms-2022", "xiazhi", sample_pools())

    assert again.manifest_sha256 == published.manifest_sha256
    assert {p.name: p.stat().st_mtime_ns for p in published.directory.iterdir()} == before


def test_write_other_round_needs_overwrite(published: PublishedRound) -> None:
    other = [PoolInput(channel="learners", addresses=LEARNERS[:3], k=1)]

    with pytest.raises(PublishedFileError, match="already describes another round"):
        write_round(published.directory, "palace-solar-terms-2022", "xiazhi", other)
    replaced = write_round(
        published.directory, "palace-solar-terms-2022", "xiazhi", other, overwrite=True
    )

    assert sorted(p.name for p in published.directory.iterdir()) == [
        "manifest.json",
        "pool-0-learners.csv",
    ]
    assert load_round(published.directory).manifest_sha256 == replaced.manifest_sha256


@pytest.mark.parametrize(
    ("pools", "fragment"),
    [
        ([PoolInput("learners", [], 0)], "has 0 entrants"),
        ([PoolInput("learners", LEARNERS, 8)], "K = 8 for N = 7"),
        ([PoolInput("learners", LEARNERS, -1)], "K = -1"),
        ([PoolInput("learners", [*LEARNERS, LEARNERS[0]], 1)], "lists an address twice"),
        ([PoolInput("learners", ["0x1234"], 1)], "'0x1234' is not an address"),
        ([PoolInput("Learners!", LEARNERS, 1)], "cannot name a file"),
        (
            [PoolInput("a", NEW_USERS, 1), PoolInput("b", NEW_USERS[:1], 1)],
            "is in pool 0 and pool 1",
        ),
        ([PoolInput("a", NEW_USERS, 1), PoolInput("a", LEARNERS, 1)], "distinct channels"),
        ([], "1 to 8 pools"),
    ],
    ids=[
        "empty pool",
        "k above n",
        "negative k",
        "repeated address",
        "bad address",
        "bad channel",
        "two pools",
        "same channel",
        "no pools",
    ],
)
def test_write_round_rejects_invalid_pools(
    tmp_path: Path, pools: list[PoolInput], fragment: str
) -> None:
    with pytest.raises(DrawParameterError, match=fragment):
        write_round(tmp_path / "round", "c", "e", pools)

    assert not (tmp_path / "round").exists()


# -- auditor checks -----------------------------------------------------------------------------


def rewrite_manifest(directory: Path, **changes: object) -> None:
    manifest = RoundManifest.model_validate_json((directory / MANIFEST_NAME).read_bytes())
    pools = [pool.model_copy(update=changes) if pool.pool == 1 else pool for pool in manifest.pools]
    (directory / MANIFEST_NAME).write_bytes(
        manifest_bytes(manifest.model_copy(update={"pools": pools}))
    )


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(PublishedFileError) as caught:
        load_round(directory)
    return list(caught.value.problems)


def test_tampered_address_is_detected(published: PublishedRound) -> None:
    path = published.directory / "pool-1-learners.csv"
    path.write_bytes(path.read_bytes().replace(LEARNERS[3].encode(), LEARNERS[3].lower().encode()))

    problems = problems_of(published.directory)

    assert any("pool-1-learners.csv has sha256" in p for p in problems)
    assert any(f"line 5 is '3,{LEARNERS[3].lower()}'" in p for p in problems)


def test_substituted_address_changes_root(published: PublishedRound) -> None:
    path = published.directory / "pool-1-learners.csv"
    path.write_bytes(path.read_bytes().replace(LEARNERS[3].encode(), make_address(999).encode()))
    rewrite_manifest(published.directory, sha256=hashlib.sha256(path.read_bytes()).hexdigest())

    problems = problems_of(published.directory)

    assert problems == [
        (
            f"Pool 1 (learners): the Merkle root of pool-1-learners.csv is "
            f"{EntrantTree.from_addresses([*LEARNERS[:3], make_address(999), *LEARNERS[4:]]).root_hex}, "
            f"the manifest says {published.manifest.pools[1].root}."
        )
    ]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"n": 8}, "lists 7 entrants, the manifest says N = 8"),
        ({"k": 9}, "K = 9 exceeds N = 7"),
        ({"root": "0x" + "00" * 32}, "the Merkle root of pool-1-learners.csv is"),
        ({"file": "../pool-1-learners.csv"}, "is not of the form"),
        ({"file": "pool-1-missing.csv"}, "cannot read pool-1-missing.csv"),
        ({"pool": 3}, "Pools are numbered [0, 3]"),
        ({"channel": "new-users"}, "Channels ['new-users', 'new-users'] repeat"),
    ],
    ids=["n", "k", "root", "path traversal", "missing file", "numbering", "channel"],
)
def test_manifest_mismatch_is_detected(
    published: PublishedRound, changes: dict[str, object], fragment: str
) -> None:
    rewrite_manifest(published.directory, **changes)

    problems = problems_of(published.directory)

    assert any(fragment in p for p in problems), problems


def test_non_canonical_manifest_is_detected(published: PublishedRound) -> None:
    path = published.directory / MANIFEST_NAME
    path.write_text(json.dumps(json.loads(path.read_bytes()), indent=2))

    assert any("not in canonical form" in p for p in problems_of(published.directory))


def test_unknown_manifest_field_is_detected(published: PublishedRound) -> None:
    path = published.directory / MANIFEST_NAME
    document = json.loads(path.read_bytes())
    document["algorithm"] = 2

    path.write_text(json.dumps(document))

    assert any(p.startswith("manifest algorithm") for p in problems_of(published.directory))


def test_crlf_pool_file_is_detected(published: PublishedRound) -> None:
    path = published.directory / "pool-0-new-users.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))

    assert any("LF only" in p for p in problems_of(published.directory))


def test_address_in_two_pools_is_detected(tmp_path: Path) -> None:
    directory = tmp_path / "round"
    directory.mkdir()
    pools = {"pool-0-a.csv": NEW_USERS, "pool-1-b.csv": [LEARNERS[0], NEW_USERS[1]]}
    entries = []
    for number, (name, addresses) in enumerate(pools.items()):
        content = pool_file_bytes(addresses)
        (directory / name).write_bytes(content)
        entries.append(
            {
                "pool": number,
                "channel": name[7:8],
                "n": len(addresses),
                "k": 1,
                "file": name,
                "root": EntrantTree.from_addresses(addresses).root_hex,
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
    manifest = RoundManifest.model_validate({"campaign": "c", "edition": "e", "pools": entries})
    (directory / MANIFEST_NAME).write_bytes(manifest_bytes(manifest))

    assert problems_of(directory) == [
        f"Address {NEW_USERS[1]} is in pool 0 and pool 1; a person enters a round once."
    ]


# -- from entrants ------------------------------------------------------------------------------


def test_publish_entrants_plans_quotas(campaign_file: Path, tmp_path: Path) -> None:
    campaign = load_campaign(campaign_file)
    rows = [[f"u-{n}", make_address(n), "learners", "", "", "130"] for n in range(5)]
    write_entrants(campaign.resolve(campaign.edition("xiazhi").entrants), rows)
    entrants = read_entrants(campaign, "xiazhi", SECRET)

    published = publish_entrants(campaign, "xiazhi", entrants, tmp_path / "out")

    assert published.directory == tmp_path / "out" / "palace-solar-terms-2022" / "xiazhi"
    [pool] = published.manifest.pools
    assert (pool.pool, pool.channel, pool.n, pool.k) == (0, "learners", 5, 5)
    assert load_round(published.directory).addresses == {
        0: tuple(make_address(n) for n in range(5))
    }
