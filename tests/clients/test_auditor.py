"""The auditor on a real campaign run: the honest run passes, and each kind of tampering with the
published files, the badges or the randomness is caught with the matching discrepancy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from clients_support import (
    DAY,
    EDITION_SLUGS,
    HOUR,
    dishonest_source_container,
    entrant_addresses,
)
from eth_abi import encode
from eth_utils import keccak
from merit.clients import auditor
from merit.clients.auditor import (
    AuditResult,
    DiscrepancyKind,
    RoundAudit,
    audit_round,
    _ViewBatch,
    audit_series,
    find_published_rounds,
)
from merit.clients.events import LogReader
from merit.merkle import EntrantTree
from merit.publish import MANIFEST_NAME, PoolInput, load_round, write_round

pytestmark = pytest.mark.chain


def audit(scenario: Any, **options: Any) -> AuditResult:
    """Audit the whole scenario series with its published folders."""
    return audit_series(
        scenario.series,
        scenario.draw,
        options.pop("published", scenario.round_root),
        edition_folders=list(EDITION_SLUGS),
        start_block=scenario.start_block,
        **options,
    )


def audit_edition(scenario: Any, edition: int, folder: Path | None) -> RoundAudit:
    return audit_round(scenario.series, scenario.draw, edition, folder, start_block=scenario.start_block)


def kinds(audited: RoundAudit | AuditResult) -> set[DiscrepancyKind]:
    return {discrepancy.kind for discrepancy in audited.discrepancies}


def of_kind(audited: RoundAudit | AuditResult, kind: DiscrepancyKind) -> list[Any]:
    return [discrepancy for discrepancy in audited.discrepancies if discrepancy.kind is kind]


def copy_round(scenario: Any, edition: int, tmp_path: Path) -> Path:
    """Copy an edition's published folder, so that a test can tamper with it."""
    target = tmp_path / EDITION_SLUGS[edition]
    shutil.copytree(scenario.round_root / EDITION_SLUGS[edition], target)
    return target


def rewrite_row(path: Path, index: int, address: str) -> None:
    """Replace the address of entrant `index` in a pool file, keeping everything else."""
    lines = path.read_text().splitlines()
    lines[index + 1] = f"{index},{address}"
    path.write_text("\n".join(lines) + "\n")


def new_drawn_edition(scenario: Any, issuer: Any, chain: Any, folder: Path, pools: list[PoolInput]) -> tuple[int, Any]:
    """Create an edition for `pools` and publish its round in `folder`; return (id, published)."""
    edition = int(scenario.series.editionCount())
    now = chain.pending_timestamp
    cap = sum(pool.k for pool in pools)
    config = (f"extra edition {edition}", cap, now - 60, now + 30 * DAY, "ipfs://extra", b"\x11" * 32, b"\x22" * 32)
    scenario.series.createEdition(config, sender=issuer)
    return edition, write_round(folder, scenario.campaign.name, f"extra-{edition}", pools)


def manifest_tuple(published: Any, source: Any, close_time: int, commitment: bytes, roots: list[bytes] | None = None) -> tuple[Any, ...]:
    roots = roots or [bytes.fromhex(pool.root[2:]) for pool in published.manifest.pools]
    pools = [(root, pool.n, pool.k) for root, pool in zip(roots, published.manifest.pools, strict=True)]
    return (close_time, 1, published.files_hash, "ipfs://entrants", source, commitment, pools)


# -- the honest run -------------------------------------------------------------------------------


def test_honest_run_passes(scenario):
    result = audit(scenario)

    assert result.discrepancies == []
    assert result.passed is True
    assert [round_.state for round_ in result.rounds] == ["seeded", "seeded", "none"]
    assert [round_.randomness_kind for round_ in result.rounds] == ["vrf", "commit-reveal", None]
    assert result.summary.claimed == len(scenario.claims)
    assert result.summary.badges_revoked == 1
    assert result.summary.badges_recovered == 1
    assert result.summary.badges_minted == len(scenario.claims) + len(scenario.direct_holders)
    assert result.rounds[0].seed == f"0x{scenario.seeds[0]:064x}"
    assert result.rounds[1].seed == f"0x{scenario.seeds[1]:064x}"


def test_honest_run_lists_unclaimed(scenario):
    result = audit(scenario)

    for edition in (0, 1):
        expected = set()
        for pool, manifest in enumerate(scenario.published[edition].manifest.pools):
            for rank in range(manifest.k):
                index = int(scenario.draw.nthWinner(edition, pool, rank))
                if (edition, pool, index) not in scenario.claims:
                    expected.add((pool, index, rank, int(scenario.draw.serialOf(edition, pool, index))))
        listed = {(winner.pool, winner.index, winner.rank, winner.serial) for winner in result.rounds[edition].unclaimed}
        assert listed == expected
        assert listed
    accounts = {winner.account for winner in result.rounds[0].unclaimed}
    assert accounts == {scenario.account(0, winner.pool, winner.index) for winner in result.rounds[0].unclaimed}


def test_honest_run_same_with_small_ranges(scenario):
    whole = audit(scenario)

    ranged = audit(scenario, reader=LogReader(block_range=3, progress=False))

    assert ranged.discrepancies == []
    assert ranged.summary == whole.summary
    assert ranged.rounds == whole.rounds


def test_audit_json_written(scenario, tmp_path):
    result = audit(scenario)
    path = tmp_path / "reports" / "audit.json"

    result.write_json(path)

    document = json.loads(path.read_text())
    assert list(document)[:2] == ["passed", "discrepancies"]
    assert document["passed"] is True
    assert document["discrepancies"] == []
    assert document["summary"]["claimed"] == len(scenario.claims)
    assert [round_["edition"] for round_ in document["rounds"]] == [0, 1, 2]
    assert AuditResult.model_validate({k: v for k, v in document.items() if k not in ("passed", "discrepancies", "summary")}) == result


def test_audit_round_single_edition(scenario):
    audited = audit_edition(scenario, 1, scenario.round_root / "dashu")

    assert audited.passed is True
    assert audited.randomness_kind == "commit-reveal"
    assert audited.randomness_source == scenario.commit_reveal.address
    assert audited.seed == f"0x{scenario.seeds[1]:064x}"
    assert [pool.claimed for pool in audited.pools] == [1, 2]
    assert audited.entrants_sha256 == scenario.published[1].manifest_sha256


def test_folders_found_by_committed_hash(scenario, tmp_path):
    for edition, name in ((0, "renamed-a"), (1, "renamed-b")):
        shutil.copytree(scenario.round_root / EDITION_SLUGS[edition], tmp_path / name)
    committed = {edition: scenario.published[edition].files_hash for edition in (0, 1)}

    folders = find_published_rounds(tmp_path, committed)

    assert folders == {0: tmp_path / "renamed-a", 1: tmp_path / "renamed-b"}


def test_missing_files_reported(scenario):
    result = audit(scenario, published={})

    missing = of_kind(result, DiscrepancyKind.PUBLISHED_FILES_MISSING)
    assert [discrepancy.edition for discrepancy in missing] == [0, 1]
    assert scenario.published[0].manifest_sha256 in missing[0].detail
    assert result.passed is False


# -- tampered published files ---------------------------------------------------------------------


def test_changed_pool_file_caught(scenario, tmp_path):
    folder = copy_round(scenario, 0, tmp_path)
    loser_index, _ = scenario.loser(0, 1)
    rewrite_row(folder / "pool-1-learners.csv", loser_index, entrant_addresses(1, "intruder")[0])

    audited = audit_edition(scenario, 0, folder)

    assert DiscrepancyKind.PUBLISHED_FILES in kinds(audited)
    roots = of_kind(audited, DiscrepancyKind.POOL_ROOT)
    assert [discrepancy.pool for discrepancy in roots] == [1]
    assert scenario.published[0].manifest.pools[1].root in roots[0].detail
    assert audited.passed is False


def test_swapped_rows_caught(scenario, tmp_path):
    folder = copy_round(scenario, 0, tmp_path)
    manifest = scenario.published[0].manifest
    pools = []
    for pool in manifest.pools:
        addresses = list(scenario.published[0].addresses[pool.pool])
        if pool.pool == 0:
            addresses[0], addresses[1] = addresses[1], addresses[0]
        pools.append(PoolInput(pool.channel, addresses, pool.k))
    # A careful forger rewrites the manifest too, so the folder verifies on its own.
    write_round(folder, scenario.campaign.name, "xiazhi", pools, overwrite=True)
    load_round(folder)

    audited = audit_edition(scenario, 0, folder)

    assert DiscrepancyKind.PUBLISHED_FILES not in kinds(audited)
    assert [discrepancy.edition for discrepancy in of_kind(audited, DiscrepancyKind.MANIFEST_HASH)] == [0]
    assert [discrepancy.pool for discrepancy in of_kind(audited, DiscrepancyKind.POOL_ROOT)] == [0]


def test_wrong_committed_root_caught(scenario, issuer, stranger, chain, tmp_path):
    pools = [PoolInput("new-users", entrant_addresses(5, "root-a"), 2), PoolInput("learners", entrant_addresses(4, "root-b"), 1)]
    edition, published = new_drawn_edition(scenario, issuer, chain, tmp_path / "round", pools)
    other_root = EntrantTree.from_addresses(entrant_addresses(5, "root-other")).root
    roots = [other_root, bytes.fromhex(published.manifest.pools[1].root[2:])]
    scenario.draw.commitRound(
        edition, manifest_tuple(published, scenario.vrf_source.address, chain.pending_timestamp + HOUR, b"\x00" * 32, roots), sender=issuer
    )

    audited = audit_edition(scenario, edition, tmp_path / "round")

    roots_found = of_kind(audited, DiscrepancyKind.POOL_ROOT)
    assert [discrepancy.pool for discrepancy in roots_found] == [0]
    assert "0x" + other_root.hex() in roots_found[0].detail
    assert kinds(audited) == {DiscrepancyKind.POOL_ROOT}
    assert audited.state == "committed"


def test_files_of_other_round_caught(scenario):
    audited = audit_edition(scenario, 0, scenario.round_root / "dashu")

    assert DiscrepancyKind.MANIFEST_HASH in kinds(audited)
    assert DiscrepancyKind.POOL_ROOT in kinds(audited)
    assert DiscrepancyKind.CLAIM_ACCOUNT in kinds(audited)


# -- tampered badges ------------------------------------------------------------------------------


def test_direct_issue_to_loser_caught(scenario, issuer):
    loser_index, loser = scenario.loser(0, 1)
    scenario.series.issue(0, loser, sender=issuer)

    audited = audit_edition(scenario, 0, scenario.round_root / "xiazhi")

    outside = of_kind(audited, DiscrepancyKind.BADGE_OUTSIDE_DRAW)
    assert len(outside) == 1
    assert (outside[0].pool, outside[0].index) == (1, loser_index)
    assert loser in outside[0].detail
    assert "not a winner" in outside[0].detail


def test_extra_direct_issue_breaks_counters(scenario, issuer):
    outsider = entrant_addresses(1, "outsider")[0]
    scenario.series.issue(0, outsider, sender=issuer)

    audited = audit_edition(scenario, 0, scenario.round_root / "xiazhi")

    counters = of_kind(audited, DiscrepancyKind.COUNTER_MISMATCH)
    assert len(counters) == 2
    assert "allocated counter is 8" in counters[0].detail
    assert "reserved 7" in counters[0].detail
    assert "issued counter is 6" in counters[1].detail
    outside = of_kind(audited, DiscrepancyKind.BADGE_OUTSIDE_DRAW)
    assert len(outside) == 1
    assert "not an entrant" in outside[0].detail


def test_direct_edition_issue_passes(scenario, issuer):
    scenario.series.issue(2, entrant_addresses(1, "late-direct")[0], sender=issuer)

    audited = audit_edition(scenario, 2, None)

    assert audited.passed is True
    assert audited.badges_minted == len(scenario.direct_holders) + 1


def test_revoked_badge_counted(scenario):
    audited = audit_edition(scenario, 0, scenario.round_root / "xiazhi")

    assert audited.badges_revoked == 1
    assert audited.badges_held == len([key for key in scenario.claims if key[0] == 0]) - 1
    assert audited.passed is True


# -- tampered randomness --------------------------------------------------------------------------


def test_dishonest_reveal_seed_caught(scenario, admin, issuer, stranger, chain, tmp_path):
    source = dishonest_source_container().deploy(scenario.draw.address, sender=admin)
    scenario.draw.allowRandomnessSource(source.address, sender=admin)
    pools = [PoolInput("new-users", entrant_addresses(6, "rogue-a"), 2)]
    edition, published = new_drawn_edition(scenario, issuer, chain, tmp_path / "round", pools)
    secret = keccak(text="rogue secret")
    commitment = keccak(encode(["uint256", "address", "uint256", "bytes32"], [chain.chain_id, scenario.draw.address, edition, secret]))
    close_time = chain.pending_timestamp + HOUR
    scenario.draw.commitRound(edition, manifest_tuple(published, source.address, close_time, commitment), sender=issuer)
    chain.pending_timestamp = close_time
    receipt = scenario.draw.requestRandomness(edition, sender=stranger)
    request_id = int(receipt.events.filter(scenario.draw.RandomnessRequested)[0].requestId)
    chain.mine(1)
    chosen_seed = 12345
    source.reveal(request_id, secret, chosen_seed, sender=stranger)

    audited = audit_edition(scenario, edition, tmp_path / "round")

    mismatches = of_kind(audited, DiscrepancyKind.SEED_MISMATCH)
    assert len(mismatches) == 1
    assert f"0x{chosen_seed:064x}" in mismatches[0].detail
    assert audited.randomness_kind == "commit-reveal"
    assert kinds(audited) == {DiscrepancyKind.SEED_MISMATCH}


def test_overridden_vrf_word_caught(scenario, issuer, stranger, chain, tmp_path):
    pools = [PoolInput("learners", entrant_addresses(5, "override"), 1)]
    edition, published = new_drawn_edition(scenario, issuer, chain, tmp_path / "round", pools)
    close_time = chain.pending_timestamp + HOUR
    scenario.draw.commitRound(edition, manifest_tuple(published, scenario.vrf_source.address, close_time, b"\x00" * 32), sender=issuer)
    chain.pending_timestamp = close_time
    receipt = scenario.draw.requestRandomness(edition, sender=stranger)
    request_id = int(receipt.events.filter(scenario.draw.RandomnessRequested)[0].requestId)
    scenario.coordinator.fulfillRandomWordsWithOverride(request_id, scenario.vrf_source.address, [777], sender=stranger)

    audited = audit_edition(scenario, edition, tmp_path / "round")

    mismatches = of_kind(audited, DiscrepancyKind.SEED_MISMATCH)
    assert len(mismatches) == 1
    assert f"0x{777:064x}" in mismatches[0].detail
    assert audited.randomness_kind == "vrf"


def test_unseeded_round_audited(scenario, issuer, chain, tmp_path):
    pools = [PoolInput("learners", entrant_addresses(5, "pending"), 2)]
    edition, published = new_drawn_edition(scenario, issuer, chain, tmp_path / "round", pools)
    scenario.draw.commitRound(
        edition, manifest_tuple(published, scenario.vrf_source.address, chain.pending_timestamp + HOUR, b"\x00" * 32), sender=issuer
    )

    audited = audit_edition(scenario, edition, tmp_path / "round")

    assert audited.passed is True
    assert audited.state == "committed"
    assert audited.seed is None
    assert audited.unclaimed == []
    assert json.loads((tmp_path / "round" / MANIFEST_NAME).read_text())["edition"] == f"extra-{edition}"


@pytest.mark.chain
def test_view_batch_matches_contract_calls(series, issuer, create_edition, token_id, learners, stranger, chain, monkeypatch):
    """The audit's batched `eth_call`s (JSON-RPC batches on anvil, one by one on the embedded
    chain) return what ape's contract calls return, and None for a call that reverts."""
    edition_id = create_edition()
    series.issue(edition_id, learners[0], sender=issuer)
    block = chain.blocks.head.number
    views = _ViewBatch(chain.provider.web3, series.address, block)

    holders = [learners[0].address, stranger.address]
    # One call per batch as well, so that the results of several batches are joined in order.
    monkeypatch.setattr(auditor, "VIEW_BATCH_SIZE", 1)
    assert views.call("balanceOf(address)", "uint256", [(holder,) for holder in reversed(holders)]) == [
        series.balanceOf(holder) for holder in reversed(holders)
    ]
    monkeypatch.undo()
    assert views.call("holds(uint256,address)", "bool", [(edition_id, holder) for holder in holders]) == [True, False]
    assert views.call("balanceOf(address)", "uint256", [(holder,) for holder in holders]) == [
        series.balanceOf(holder) for holder in holders
    ]
    owners = views.call("ownerOf(uint256)", "address", [(token_id(edition_id, holder),) for holder in holders])
    assert [owners[0].lower(), owners[1]] == [learners[0].address.lower(), None]

    # As of the block before the issue, the learner held nothing.
    earlier = _ViewBatch(chain.provider.web3, series.address, block - 1)
    assert earlier.call("holds(uint256,address)", "bool", [(edition_id, learners[0].address)]) == [False]
