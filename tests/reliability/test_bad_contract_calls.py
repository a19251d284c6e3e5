"""Bad contract calls of the catalogue: each is rejected when a wallet or the SDK estimates it,
with the custom error that names the failed condition and its values, so nothing is sent.

The calls go through ape's `estimate_gas_cost`, the step that a wallet runs before it signs; a
rejection there raises the decoded custom error and mines no block. docs/RELIABILITY.md lists
every row next to the file and command-line rows of `bad_inputs.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ape
import pytest
from conftest import ZERO_BYTES32, SeededRound, derived_accounts

from merit.merkle import EntrantTree

pytestmark = pytest.mark.chain

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@dataclass
class Scene:
    """The contracts and accounts that the rows call with."""

    series: Any
    draw: Any
    source: Any
    issuer: Any
    stranger: Any
    chain: Any
    edition_config: Callable[..., tuple]
    create_edition: Callable[..., int]
    commit_round: Callable[..., int]
    all_win_round: Callable[..., SeededRound]

    def manifest(self, pools: list[tuple[bytes, int, int]], **changes: Any) -> tuple:
        """Return a valid manifest of `pools`, with the named fields changed."""
        fields = {
            "close_time": self.chain.pending_timestamp + 3600,
            "algorithm": 1,
            "sha256": b"\x11" * 32,
            "uri": "ipfs://entrants",
            "source": self.source.address,
            "commitment": ZERO_BYTES32,
        }
        fields.update(changes)
        return (*fields.values(), pools)


def pool_of(count: int, winners: int, tag: str) -> tuple[bytes, int, int]:
    return (EntrantTree.from_addresses(derived_accounts(count, tag)).root, count, winners)


# Each row returns (method, arguments, sender, error name, error arguments).
Row = Callable[[Scene], tuple[Any, tuple, Any, str, dict[str, Any]]]


def edition_zero_cap(s: Scene):
    return s.series.createEdition, (s.edition_config(cap=0),), s.issuer, "EditionZeroCap", {}


def edition_closed_window(s: Scene):
    now = s.chain.pending_timestamp
    config = s.edition_config(opens_at=now - 7200, closes_at=now - 3600)
    return s.series.createEdition, (config,), s.issuer, "EditionInvalidWindow", {"opensAt": now - 7200, "closesAt": now - 3600}


def edition_zero_hash(s: Scene):
    return s.series.createEdition, (s.edition_config(artwork_sha256=ZERO_BYTES32),), s.issuer, "EditionZeroHash", {}


def edition_empty_name(s: Scene):
    return s.series.createEdition, (s.edition_config(name=""),), s.issuer, "EditionEmptyName", {}


def issue_to_zero(s: Scene):
    edition = s.create_edition(cap=5)
    return s.series.issue, (edition, ZERO_ADDRESS), s.issuer, "BadgeInvalidHolder", {"holder": ZERO_ADDRESS}


def transfer_badge(s: Scene):
    edition = s.create_edition(cap=5)
    s.series.issue(edition, s.stranger, sender=s.issuer)
    token = int(s.series.tokenIdOf(edition, s.stranger))
    return (
        s.series.transferFrom, (s.stranger, s.issuer, token), s.stranger,
        "BadgeTransferDisabled", {"from": s.stranger.address, "to": s.issuer.address, "tokenId": token},
    )  # fmt: skip


def approve_badge(s: Scene):
    return s.series.approve, (s.issuer, 1), s.stranger, "BadgeApprovalDisabled", {"operator": s.issuer.address}


def round_zero_root(s: Scene):
    edition = s.create_edition(cap=5)
    manifest = s.manifest([pool_of(4, 2, "a"), (ZERO_BYTES32, 4, 2)])
    return s.draw.commitRound, (edition, manifest), s.issuer, "DrawZeroRoot", {"pool": 1}


def round_winners_over_entrants(s: Scene):
    edition = s.create_edition(cap=5)
    manifest = s.manifest([pool_of(4, 5, "a")])
    return s.draw.commitRound, (edition, manifest), s.issuer, "DrawInvalidWinnerCount", {"pool": 0, "winners": 5, "entrants": 4}


def round_nine_pools(s: Scene):
    edition = s.create_edition(cap=20)
    manifest = s.manifest([pool_of(2, 1, f"p{number}") for number in range(9)])
    return s.draw.commitRound, (edition, manifest), s.issuer, "DrawInvalidPoolCount", {"poolCount": 9, "maxPools": 8}


def round_unknown_algorithm(s: Scene):
    edition = s.create_edition(cap=5)
    manifest = s.manifest([pool_of(4, 2, "a")], algorithm=2)
    return s.draw.commitRound, (edition, manifest), s.issuer, "DrawUnknownAlgorithm", {"algorithm": 2}


def round_source_not_allowed(s: Scene):
    edition = s.create_edition(cap=5)
    manifest = s.manifest([pool_of(4, 2, "a")], source=s.stranger.address)
    return s.draw.commitRound, (edition, manifest), s.issuer, "DrawSourceNotAllowed", {"source": s.stranger.address}


def round_over_cap(s: Scene):
    edition = s.create_edition(cap=3)
    manifest = s.manifest([pool_of(8, 4, "a")])
    return (
        s.draw.commitRound, (edition, manifest), s.issuer,
        "EditionCapExceeded", {"editionId": edition, "cap": 3, "allocated": 0, "requested": 4},
    )  # fmt: skip


def round_unknown_edition(s: Scene):
    count = int(s.series.editionCount())
    manifest = s.manifest([pool_of(4, 2, "a")])
    return s.draw.commitRound, (count + 5, manifest), s.issuer, "EditionUnknown", {"editionId": count + 5, "editionCount": count}


def round_without_role(s: Scene):
    edition = s.create_edition(cap=5)
    manifest = s.manifest([pool_of(4, 2, "a")])
    return (
        s.draw.commitRound, (edition, manifest), s.stranger,
        "AccessControlUnauthorizedAccount", {"account": s.stranger.address, "neededRole": s.draw.ISSUER_ROLE()},
    )  # fmt: skip


def request_before_close(s: Scene):
    round_id = s.commit_round([(EntrantTree.from_addresses(derived_accounts(4, "early")), 2)])
    close_time = int(s.draw.getRound(round_id).closeTime)
    return s.draw.requestRandomness, (round_id,), s.stranger, "DrawRoundNotClosed", {"roundId": round_id, "closeTime": close_time}


def claim_before_seed(s: Scene):
    accounts = derived_accounts(4, "unseeded")
    tree = EntrantTree.from_addresses(accounts)
    round_id = s.commit_round([(tree, 4)])
    return (
        s.draw.claim, (round_id, 0, 1, accounts[1], tree.proof(1)), s.stranger,
        "DrawRoundNotSeeded", {"roundId": round_id, "state": 1},
    )  # fmt: skip


def claim_index_out_of_range(s: Scene):
    round_ = s.all_win_round(derived_accounts(4, "range"))
    return (
        s.draw.claim, (round_.round_id, 0, 4, round_.accounts[0][0], round_.trees[0].proof(0)), s.stranger,
        "DrawIndexOutOfRange", {"roundId": round_.round_id, "pool": 0, "index": 4, "entrants": 4},
    )  # fmt: skip


def claim_wrong_proof(s: Scene):
    round_ = s.all_win_round(derived_accounts(4, "proof"))
    account = round_.accounts[0][1]
    return (
        s.draw.claim, (round_.round_id, 0, 1, account, round_.trees[0].proof(2)), s.stranger,
        "DrawInvalidProof", {"roundId": round_.round_id, "pool": 0, "index": 1, "account": account},
    )  # fmt: skip


def batch_empty(s: Scene):
    round_ = s.all_win_round(derived_accounts(4, "empty"))
    return s.draw.claimBatch, (round_.round_id, []), s.stranger, "DrawEmptyBatch", {}


def batch_too_large(s: Scene):
    round_ = s.all_win_round(derived_accounts(4, "large"))
    item = (0, 0, round_.accounts[0][0], round_.trees[0].proof(0))
    return s.draw.claimBatch, (round_.round_id, [item] * 257), s.stranger, "DrawBatchTooLarge", {"items": 257, "maxItems": 256}


def multiproof_flags_short(s: Scene):
    round_ = s.all_win_round(derived_accounts(8, "flags"))
    multiproof = round_.trees[0].multiproof([1, 6])
    entrants = [tuple(leaf) for leaf in multiproof.leaves]
    flag_count = len(entrants) + len(multiproof.proof) - 1
    expected = (flag_count + 7) // 8
    return (
        s.draw.claimMultiProof, (round_.round_id, 0, entrants, list(multiproof.proof), b""), s.stranger,
        "DrawInvalidProofFlags", {"length": 0, "expected": expected},
    )  # fmt: skip


def seed_from_stranger(s: Scene):
    round_id = s.commit_round([(EntrantTree.from_addresses(derived_accounts(4, "seed")), 2)])
    return (
        s.draw.deliverSeed, (round_id, 1, 42), s.stranger,
        "DrawUnauthorizedSource", {"roundId": round_id, "caller": s.stranger.address, "source": s.source.address},
    )  # fmt: skip


ROWS: dict[str, Row] = {
    "edition-zero-cap": edition_zero_cap,
    "edition-closed-window": edition_closed_window,
    "edition-zero-hash": edition_zero_hash,
    "edition-empty-name": edition_empty_name,
    "issue-to-zero-address": issue_to_zero,
    "transfer-badge": transfer_badge,
    "approve-badge": approve_badge,
    "round-zero-root": round_zero_root,
    "round-winners-over-entrants": round_winners_over_entrants,
    "round-nine-pools": round_nine_pools,
    "round-unknown-algorithm": round_unknown_algorithm,
    "round-source-not-allowed": round_source_not_allowed,
    "round-over-edition-cap": round_over_cap,
    "round-unknown-edition": round_unknown_edition,
    "round-without-issuer-role": round_without_role,
    "request-before-close": request_before_close,
    "claim-before-seed": claim_before_seed,
    "claim-index-out-of-range": claim_index_out_of_range,
    "claim-wrong-proof": claim_wrong_proof,
    "batch-empty": batch_empty,
    "batch-over-256": batch_too_large,
    "multiproof-flags-short": multiproof_flags_short,
    "seed-from-stranger": seed_from_stranger,
}


@pytest.fixture
def scene(
    series, reliability_draw, reliability_vrf_source, issuer, stranger, chain,
    edition_config, create_edition, commit_round, all_win_round,
) -> Scene:  # fmt: skip
    return Scene(
        series, reliability_draw, reliability_vrf_source, issuer, stranger, chain,
        edition_config, create_edition, commit_round, all_win_round,
    )  # fmt: skip


@pytest.mark.parametrize("row", list(ROWS))
def test_bad_call_rejected_at_estimate(scene: Scene, row: str):
    method, arguments, sender, error_name, error_arguments = ROWS[row](scene)
    # The draw passes the series' errors through (a commit over the edition's cap), so the
    # error is looked up in the series' ABI when the called contract has none by that name.
    declaring = method.contract if error_name in method.contract.contract_type.errors else scene.series
    head = scene.chain.blocks.head.number

    with ape.reverts(getattr(declaring, error_name), **error_arguments):
        method.estimate_gas_cost(*arguments, sender=sender)

    assert scene.chain.blocks.head.number == head
