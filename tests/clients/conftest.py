"""One campaign run on the chain, shared by the auditor and integrator tests.

The run deploys through `merit.chain.deployment.deploy_campaign` (with Chainlink's VRF coordinator
mock on the local network), adds a commit–reveal source, and creates three editions:

- edition 0, drawn with Chainlink VRF, with two pools. Some winners claimed one by one and some
  in a batch, one badge revoked, one holder recovered after claiming and one before, and two
  winners left unclaimed;
- edition 1, drawn with commit–reveal: all winners but one claimed;
- edition 2, without a draw: three badges issued directly.

Metadata and artwork are served by a file server on 127.0.0.1, as http://, ipfs:// (through the
server as a gateway) and file:// URIs. ape reverts each test's own transactions, so every test
starts from this state; tests that change published files work on copies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from clients_support import (
    DAY,
    EDITION_SLUGS,
    HOUR,
    artwork_svg,
    entrant_addresses,
    file_server,
    write_campaign,
)
from eth_utils import keccak, to_checksum_address
from merit.campaign import Campaign, load_campaign
from merit.chain.contracts import container, instance_at
from merit.chain.deployment import deploy_campaign
from merit.chain.transactions import JournaledSender
from merit.journal import Journal
from merit.metadata import raw_cid
from merit.permutation import winners as permutation_winners
from merit.publish import PoolInput, PublishedRound, write_round

REVOKE_REASON = 7
ZERO_BYTES32 = b"\x00" * 32


@dataclass(frozen=True)
class Claimed:
    """A badge claimed in the scenario, as its BadgeClaimed log states it."""

    edition: int
    pool: int
    index: int
    account: str
    holder: str
    serial: int
    token_id: int


@dataclass
class Scenario:
    """The campaign run and what each test needs to know about it."""

    campaign: Campaign
    campaign_file: Path
    deployments_root: Path
    round_root: Path
    series: Any
    draw: Any
    vrf_source: Any
    coordinator: Any
    commit_reveal: Any
    start_block: int
    base_url: str
    www: Path
    published: dict[int, PublishedRound] = field(default_factory=dict)
    seeds: dict[int, int] = field(default_factory=dict)
    winners: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    claims: dict[tuple[int, int, int], Claimed] = field(default_factory=dict)
    artwork: dict[int, bytes] = field(default_factory=dict)
    revoked: Claimed | None = None
    recovered_after_claim: tuple[Claimed, str] | None = None
    recovered_before_claim: tuple[str, str] | None = None
    direct_holders: list[str] = field(default_factory=list)

    def account(self, edition: int, pool: int, index: int) -> str:
        """Return the published address of entrant `index` of a pool."""
        return self.published[edition].addresses[pool][index]

    def winner(self, edition: int, pool: int, rank: int) -> tuple[int, str]:
        """Return (index, address) of the winner of `rank` in a pool."""
        index = self.winners[edition][pool][rank]
        return index, self.account(edition, pool, index)

    def loser(self, edition: int, pool: int) -> tuple[int, str]:
        """Return (index, address) of the first entrant of a pool who did not win."""
        index = next(i for i in range(len(self.published[edition].addresses[pool])) if i not in self.winners[edition][pool])
        return index, self.account(edition, pool, index)


def _claimed(draw: Any, receipt: Any) -> list[Claimed]:
    return [
        Claimed(
            edition=int(log.roundId),
            pool=int(log.pool),
            index=int(log.index),
            account=str(log.account),
            holder=token_holder(int(log.tokenId)),
            serial=int(log.serial),
            token_id=int(log.tokenId),
        )
        for log in receipt.events.filter(draw.BadgeClaimed)
    ]


def token_holder(token_id: int) -> str:
    """The holder that a token id carries, computed without the SDK: its low 160 bits."""
    return to_checksum_address((token_id & ((1 << 160) - 1)).to_bytes(20, "big"))


class _Builder:
    """Runs the scenario's transactions; one method per step."""

    def __init__(self, scenario: Scenario, issuer: Any, stranger: Any, chain: Any) -> None:
        self.scenario = scenario
        self.issuer = issuer
        self.stranger = stranger
        self.chain = chain

    def publish_metadata(self, edition: int, slug: str, scheme: str) -> tuple[str, bytes, bytes]:
        """Write an edition's artwork and metadata where the server finds them; return the
        metadata URI and both sha256 digests."""
        www, base = self.scenario.www, self.scenario.base_url
        artwork = artwork_svg(f"{slug} artwork").encode()
        self.scenario.artwork[edition] = artwork
        if scheme == "http":
            (www / "art").mkdir(exist_ok=True)
            (www / "art" / f"{slug}.svg").write_bytes(artwork)
            image = f"{base}art/{slug}.svg"
        elif scheme == "ipfs":
            (www / "ipfs").mkdir(exist_ok=True)
            (www / "ipfs" / raw_cid(artwork)).write_bytes(artwork)
            image = f"ipfs://{raw_cid(artwork)}"
        else:
            (www / "files").mkdir(exist_ok=True)
            (www / "files" / f"{slug}.svg").write_bytes(artwork)
            image = (www / "files" / f"{slug}.svg").as_uri()

        document = json.dumps({"name": f"{slug} badge", "description": f"The {slug} edition.", "image": image}).encode()
        if scheme == "http":
            (www / "metadata").mkdir(exist_ok=True)
            (www / "metadata" / f"{slug}.json").write_bytes(document)
            uri = f"{base}metadata/{slug}.json"
        elif scheme == "ipfs":
            (www / "ipfs" / raw_cid(document)).write_bytes(document)
            uri = f"ipfs://{raw_cid(document)}"
        else:
            (www / "files" / f"{slug}.json").write_bytes(document)
            uri = (www / "files" / f"{slug}.json").as_uri()
        return uri, hashlib.sha256(artwork).digest(), hashlib.sha256(document).digest()

    def create_edition(self, edition: int, cap: int, scheme: str) -> None:
        slug = EDITION_SLUGS[edition]
        uri, artwork_sha256, metadata_sha256 = self.publish_metadata(edition, slug, scheme)
        now = self.chain.pending_timestamp
        config = (f"{slug} edition", cap, now - 60, now + 30 * DAY, uri, artwork_sha256, metadata_sha256)
        receipt = self.scenario.series.createEdition(config, sender=self.issuer)
        assert int(receipt.events.filter(self.scenario.series.EditionCreated)[0].editionId) == edition

    def commit_round(self, edition: int, pools: list[PoolInput], source: Any, commitment: bytes) -> int:
        """Publish and commit a round; return its close time."""
        slug = EDITION_SLUGS[edition]
        published = write_round(self.scenario.round_root / slug, self.scenario.campaign.name, slug, pools)
        self.scenario.published[edition] = published
        close_time = self.chain.pending_timestamp + HOUR
        manifest = (
            close_time,
            1,
            published.files_hash,
            f"ipfs://{raw_cid(published.manifest_bytes)}",
            source.address,
            commitment,
            [(bytes.fromhex(pool.root[2:]), pool.n, pool.k) for pool in published.manifest.pools],
        )
        self.scenario.draw.commitRound(edition, manifest, sender=self.issuer)
        return close_time

    def request(self, edition: int, close_time: int) -> int:
        self.chain.pending_timestamp = close_time
        receipt = self.scenario.draw.requestRandomness(edition, sender=self.stranger)
        return int(receipt.events.filter(self.scenario.draw.RandomnessRequested)[0].requestId)

    def record_winners(self, edition: int, seed: int) -> None:
        self.scenario.seeds[edition] = seed
        manifest = self.scenario.published[edition].manifest
        self.scenario.winners[edition] = {
            pool.pool: [int(index) for index in permutation_winners(seed, pool.pool, pool.n, pool.k)]
            for pool in manifest.pools
        }

    def claim(self, edition: int, pool: int, index: int) -> Claimed:
        account = self.scenario.account(edition, pool, index)
        proof = self.scenario.published[edition].tree(pool).proof(index)
        receipt = self.scenario.draw.claim(edition, pool, index, account, proof, sender=self.stranger)
        (claimed,) = _claimed(self.scenario.draw, receipt)
        self.scenario.claims[(edition, pool, index)] = claimed
        return claimed

    def claim_batch(self, edition: int, items: list[tuple[int, int]]) -> None:
        published = self.scenario.published[edition]
        claims = [
            (pool, index, self.scenario.account(edition, pool, index), published.tree(pool).proof(index))
            for pool, index in items
        ]
        receipt = self.scenario.draw.claimBatch(edition, claims, sender=self.stranger)
        claimed_now = _claimed(self.scenario.draw, receipt)
        assert len(claimed_now) == len(items)
        for claimed in claimed_now:
            self.scenario.claims[(claimed.edition, claimed.pool, claimed.index)] = claimed

    def recover(self, holder: str, successor: str) -> None:
        series = self.scenario.series
        series.proposeRecovery(holder, successor, sender=self.issuer)
        self.chain.pending_timestamp += int(series.recoveryDelay()) + 1
        series.executeRecovery(holder, sender=self.stranger)


@pytest.fixture(scope="session")
def scenario(tmp_path_factory, admin, issuer, stranger, chain) -> Iterator[Scenario]:
    """The campaign run described in this module's docstring."""
    root = tmp_path_factory.mktemp("clients")
    campaign_file = write_campaign(root / "campaign", "client-test")
    campaign = load_campaign(campaign_file)
    www = root / "www"
    www.mkdir()
    with file_server(www) as base_url, Journal.open(root / "journal.sqlite", campaign.name) as journal:
        record = deploy_campaign(
            campaign, JournaledSender(journal, admin), issuer=issuer.address, root=root / "deployments"
        )
        series = instance_at("BadgeSeries", record.address_of("BadgeSeries"))
        draw = instance_at("BadgeDraw", record.address_of("BadgeDraw"))
        commit_reveal = container("CommitRevealSource").deploy(draw.address, sender=admin)
        draw.allowRandomnessSource(commit_reveal.address, sender=admin)
        scenario = Scenario(
            campaign=campaign,
            campaign_file=campaign_file,
            deployments_root=root / "deployments",
            round_root=root / "out" / campaign.name,
            series=series,
            draw=draw,
            vrf_source=instance_at("ChainlinkVrfSource", record.address_of("ChainlinkVrfSource")),
            coordinator=instance_at("VrfCoordinatorMock", record.address_of("VrfCoordinatorMock")),
            commit_reveal=commit_reveal,
            start_block=record.contracts["BadgeSeries"].block,
            base_url=base_url,
            www=www,
        )
        builder = _Builder(scenario, issuer, stranger, chain)
        _run_vrf_edition(builder)
        _run_commit_reveal_edition(builder)
        _run_direct_edition(builder)
        yield scenario


def _run_vrf_edition(builder: _Builder) -> None:
    scenario = builder.scenario
    builder.create_edition(0, cap=9, scheme="http")
    pools = [
        PoolInput("new-users", entrant_addresses(12, "xiazhi-new"), 3),
        PoolInput("learners", entrant_addresses(20, "xiazhi-learn"), 4),
    ]
    close_time = builder.commit_round(0, pools, scenario.vrf_source, ZERO_BYTES32)
    request_id = builder.request(0, close_time)
    receipt = scenario.coordinator.fulfillRandomWords(request_id, scenario.vrf_source.address, sender=builder.stranger)
    assert receipt.events.filter(scenario.coordinator.RandomWordsFulfilled)[0].success
    seed = int(receipt.events.filter(scenario.draw.SeedDelivered)[0].seed)
    builder.record_winners(0, seed)

    winners = scenario.winners[0]
    builder.claim(0, 0, winners[0][0])
    revoked = builder.claim(0, 0, winners[0][1])
    builder.claim_batch(0, [(1, winners[1][0]), (1, winners[1][1])])

    scenario.series.revoke(revoked.token_id, REVOKE_REASON, sender=builder.issuer)
    scenario.revoked = revoked

    moved = scenario.claims[(0, 1, winners[1][0])]
    successor = entrant_addresses(1, "successor-after-claim")[0]
    builder.recover(moved.holder, successor)
    scenario.recovered_after_claim = (moved, successor)

    _, lost = scenario.winner(0, 1, 2)
    successor = entrant_addresses(1, "successor-before-claim")[0]
    builder.recover(lost, successor)
    scenario.recovered_before_claim = (lost, successor)
    builder.claim(0, 1, winners[1][2])


def _run_commit_reveal_edition(builder: _Builder) -> None:
    scenario = builder.scenario
    builder.create_edition(1, cap=4, scheme="ipfs")
    secret = keccak(text="dashu reveal secret")
    commitment = scenario.commit_reveal.commitmentOf(1, secret)
    pools = [
        PoolInput("new-users", entrant_addresses(6, "dashu-new"), 1),
        PoolInput("learners", entrant_addresses(10, "dashu-learn"), 3),
    ]
    close_time = builder.commit_round(1, pools, scenario.commit_reveal, bytes(commitment))
    request_id = builder.request(1, close_time)
    builder.chain.mine(1)
    receipt = scenario.commit_reveal.reveal(request_id, secret, sender=builder.stranger)
    builder.record_winners(1, int(receipt.events.filter(scenario.draw.SeedDelivered)[0].seed))

    winners = scenario.winners[1]
    builder.claim_batch(1, [(0, winners[0][0]), (1, winners[1][0]), (1, winners[1][1])])


def _run_direct_edition(builder: _Builder) -> None:
    scenario = builder.scenario
    builder.create_edition(2, cap=5, scheme="file")
    holders = entrant_addresses(3, "liqiu-direct")
    scenario.series.issueBatch(2, holders[:2], sender=builder.issuer)
    scenario.series.issue(2, holders[2], sender=builder.issuer)
    scenario.direct_holders = holders
