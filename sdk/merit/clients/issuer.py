"""The issuer's campaign steps: plan, deploy, commit, draw, issue, each resumable.

`Issuer` runs a campaign file against the connected network. Every step reads the campaign
journal (``out/<campaign>/journal.sqlite``) and the chain's state, does only what is still
missing, and sends each transaction through the journal first (`JournaledSender`). So any step,
or the whole `run`, can be interrupted at any point and run again to finish, and nothing is
issued twice.

Steps, per edition in calendar order:

- **plan** (off chain): read and check the entrant file, pseudonymise user references, set each
  channel's winner count, build the Merkle trees and write the published round files.
- **deploy**: the series, the draw and the randomness source (`merit.chain.deployment`).
- **commit**: create the edition (metadata and artwork hashes) and commit its round manifest.
- **draw**: once the round's close time has passed, request the seed and, on a local network,
  have the VRF coordinator mock respond, or reveal the commit–reveal secret.
- **issue**: compute the winners with `merit.permutation`, check them against the contract, and
  airdrop their badges in multiproof batches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.utils import ManagerAccessMixin
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from tqdm import tqdm

from merit.addresses import parse_address
from merit.campaign import Campaign, Edition
from merit.chain.contracts import instance_at
from merit.chain.deployment import (
    DEPLOYMENTS_DIR,
    DeploymentRecord,
    VrfSettings,
    deploy_campaign,
    is_local_network,
    load_record,
    network_choice,
    record_path,
)
from merit.chain.transactions import JournaledSender
from merit.clients.auditor import AuditResult, audit_series
from merit.entrants import read_entrants
from merit.errors import ArgumentError, ChainError, DeploymentError, DrawParameterError, JournalError, RoleError
from merit.journal import JOURNAL_NAME, IntentState, IssuedBadge, Journal, RoundRecord
from merit.metadata import edition_display_name, edition_metadata, publish_bytes, series_metadata
from merit.permutation import FeistelPermutation
from merit.publish import PublishedRound, load_round, publish_entrants, round_directory
from merit.schedule import Schedule, replay_offset

__all__ = ["DEFAULT_BATCH_SIZE", "EditionStatus", "Issuer", "RoundState"]

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
"""Winners per airdrop transaction. At about 35,000 gas per badge with a multiproof, a batch
stays near 7 million gas: below the 2^24 per-transaction cap of Ethereum since the Osaka upgrade
(EIP-7825) and below the block gas limit of common chains."""

ALGORITHM_FEISTEL = 1
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
AUDIT_NAME = "audit.json"
VRF_WAIT_SECONDS = 600


class RoundState:
    """Values of `IBadgeDraw.RoundState`."""

    NONE = 0
    COMMITTED = 1
    REQUESTED = 2
    SEEDED = 3
    FAILED = 4
    NAMES = ("none", "committed", "requested", "seeded", "failed")


@dataclass
class EditionStatus:
    """The progress of one edition of a campaign.

    Attributes:
        edition: Campaign edition id.
        name: Display name in every language.
        planned: Whether the round files are published.
        entrants: Accepted entrants per channel.
        winners: Winner count per channel.
        rejected: Rejected entrant rows.
        on_chain_id: Edition id in the series, or None before it exists.
        round_state: Round state name, or "none".
        issued: Badges issued through the draw, per the journal.
    """

    edition: str
    name: str
    planned: bool = False
    entrants: dict[str, int] = field(default_factory=dict)
    winners: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    on_chain_id: int | None = None
    round_state: str = "none"
    issued: int = 0

    @property
    def total_winners(self) -> int:
        """Sum of the channels' winner counts."""
        return sum(self.winners.values())


class Issuer(ManagerAccessMixin):
    """Runs a campaign's steps on the connected ape network.

    Args:
        campaign: The validated campaign.
        account: Signs every transaction; becomes admin of deployed contracts.
        out_root: Parent of the campaign's output folder.
        deployments: Folder of deployment records.
        allow_rejections: Proceed without rejected entrant rows instead of stopping.
        vrf: Chainlink VRF settings of a live network.
        batch_size: Winners per airdrop transaction.
        progress: Show progress bars.
        fresh: Set aside a journal of another chain and start anew, instead of stopping. Without
            it, only journals of ape's embedded chain, which never outlives its process, are
            set aside.
    """

    def __init__(
        self,
        campaign: Campaign,
        account: AccountAPI,
        *,
        out_root: Path = Path("out"),
        deployments: Path = DEPLOYMENTS_DIR,
        allow_rejections: bool = False,
        vrf: VrfSettings | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: bool = True,
        fresh: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ArgumentError(f"Batch size {batch_size} is below 1; pass at least 1 winner per batch.")
        self.campaign = campaign
        self.account = account
        self.out_root = out_root
        self.deployments = deployments
        self.allow_rejections = allow_rejections
        self.vrf = vrf
        self.batch_size = batch_size
        self.progress = progress
        self.fresh = fresh
        self._journal: Journal | None = None
        self._record: DeploymentRecord | None = None

    # -- resources ------------------------------------------------------------------------------

    @property
    def output_dir(self) -> Path:
        """The campaign's output folder, ``<out_root>/<campaign>``."""
        return self.campaign.output_dir(self.out_root)

    @property
    def journal(self) -> Journal:
        """The campaign journal, bound to the connected chain on first use. Intents that a crashed
        run left without a receipt are settled then, before any step runs."""
        if self._journal is None:
            self._journal = self._open_journal()
            JournaledSender(self._journal, self.account).reconcile_unresolved()
        return self._journal

    def close(self) -> None:
        """Close the journal."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def __enter__(self) -> Issuer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def sender(self) -> JournaledSender:
        """Sends the issuer's transactions through the journal."""
        return JournaledSender(self.journal, self.account)

    @property
    def record(self) -> DeploymentRecord:
        """The deployment record of the connected network.

        Raises:
            DeploymentError: if the campaign is not deployed on this network.
        """
        if self._record is None:
            path = record_path(self.campaign.name, self.deployments)
            record = load_record(path)
            if record is None:
                raise DeploymentError(
                    f"No deployment record {path} for {network_choice()}. Run the deploy step first "
                    "(`ape run deploy CAMPAIGN_FILE`)."
                )
            self._record = record
        return self._record

    def series(self) -> ContractInstance:
        """The deployed badge series."""
        return instance_at("BadgeSeries", self.record.address_of("BadgeSeries"))

    def draw_contract(self) -> ContractInstance:
        """The deployed draw contract."""
        return instance_at("BadgeDraw", self.record.address_of("BadgeDraw"))

    def source_contract(self) -> ContractInstance:
        """The randomness source of the campaign."""
        name = "ChainlinkVrfSource" if self.campaign.randomness == "vrf" else "CommitRevealSource"
        return instance_at(name, self.record.address_of(name))

    # -- journal and clock ----------------------------------------------------------------------

    def _open_journal(self) -> Journal:
        path = self.output_dir / JOURNAL_NAME
        journal = Journal.open(path, self.campaign.name)
        chain_id = str(self.provider.chain_id)
        genesis = _hex(self.chain_manager.blocks[0].hash)
        bound = (journal.get_meta("chain_id"), journal.get_meta("genesis_hash"))
        if bound == (None, None) or (self.fresh is False and not journal.intents() and bound[0] == chain_id):
            # A new journal, or one that never sent anything on a chain of this id, binds here.
            journal.set_meta("chain_id", chain_id)
            journal.set_meta("genesis_hash", genesis)
            journal.set_meta("network", network_choice())
            return journal
        if bound == (chain_id, genesis):
            return journal

        recorded_network = journal.get_meta("network") or "an unknown network"
        # The embedded chain lives only as long as its process, so its journal always describes a
        # chain that is gone. Any other journal may still be needed (the wrong --network, an anvil
        # at another address): it is set aside only when the issuer asks for a fresh start.
        embedded = recorded_network.startswith("ethereum:local:test") and network_choice().startswith("ethereum:local:test")
        if not (self.fresh or embedded):
            journal.close()
            raise JournalError(
                f"Journal {path} belongs to {recorded_network} (chain {bound[0]}, genesis {bound[1]}), "
                f"not to {network_choice()} (chain {chain_id}, genesis {genesis}). Run with the network "
                "of that journal to continue it, or pass --fresh to set it aside and start this "
                "campaign anew on this chain."
            )
        journal.close()
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
        previous = path.with_name(f"journal.{stamp}.sqlite")
        for suffix in ("", "-wal", "-shm"):
            stale = Path(f"{path}{suffix}")
            if stale.exists():
                stale.replace(Path(f"{previous}{suffix}"))
        logger.warning(
            "Set aside the journal of %s as %s and started a new one for %s.", recorded_network, previous, network_choice()
        )
        self.fresh = False
        return self._open_journal()

    def schedule(self) -> Schedule:
        """The mapping of campaign times to this chain's clock (see `merit.schedule`)."""
        stored = self.journal.get_meta("schedule_offset_seconds")
        replay = is_local_network()
        if stored is not None:
            return Schedule(offset_seconds=int(stored), replay=replay)
        offset = 0
        if replay:
            first = self.campaign.window(self.campaign.editions[0].id).opens
            offset = replay_offset(first, self.chain_manager.pending_timestamp)
            if offset:
                logger.info(
                    "Replaying the campaign calendar on a local chain: campaign times are shifted by %d days.",
                    offset // 86400,
                )
        self.journal.set_meta("schedule_offset_seconds", str(offset))
        return Schedule(offset_seconds=offset, replay=replay)

    def _advance_clock_to(self, timestamp: int) -> bool:
        """Move a local chain's clock to `timestamp`; return whether the chain is there now."""
        now = self.chain_manager.pending_timestamp
        if now >= timestamp:
            return True
        if not self.schedule().replay:
            return False
        self.chain_manager.mine(timestamp=timestamp)
        logger.info("Moved the local chain's clock forward to %s.", dt.datetime.fromtimestamp(timestamp, dt.timezone.utc))
        return True

    # -- plan -----------------------------------------------------------------------------------

    def plan(self) -> list[EditionStatus]:
        """Read every edition's entrants and publish its round files; skip editions done before.

        Raises:
            EntrantFileError: if an entrant file has rejected rows and rejections are not allowed;
                nothing of that edition is recorded then.
        """
        secret = self.campaign.privacy.load_secret()
        statuses = []
        for edition in self.campaign.editions:
            recorded = self.journal.round(edition.id)
            source_hash = hashlib.sha256(self.campaign.resolve(edition.entrants).read_bytes()).hexdigest()
            planned_hash = self.journal.get_meta(f"entrants_sha256/{edition.id}")
            if recorded is not None and planned_hash not in (None, source_hash):
                # Forgetting the plan raises when the round was sent to the chain with the old files.
                logger.warning(
                    "The entrant file of %s changed since it was planned (sha256 %s, now %s); planning it again.",
                    edition.id,
                    planned_hash,
                    source_hash,
                )
                self.journal.forget_plan(edition.id)
                recorded = None
            if recorded is None:
                entrants = read_entrants(self.campaign, edition.id, secret, allow_rejections=self.allow_rejections)
                counts = entrants.counts()
                for channel, k in self.campaign.plan_quotas(edition.id, counts).items():
                    if counts[channel] > 0 and k < 1:
                        raise DrawParameterError(
                            f"Edition {edition.id}: channel {channel} gets no winner (K = 0 of N = "
                            f"{counts[channel]}), which a round cannot commit. Raise the edition's supply or "
                            "the channel's share."
                        )
                published = publish_entrants(self.campaign, edition.id, entrants, self.out_root, overwrite=True)
                with self.journal.transaction():
                    self.journal.record_entrants(edition.id, entrants)
                    self.journal.record_round(published)
                    self.journal.set_meta(f"entrants_sha256/{edition.id}", source_hash)
                logger.info(
                    "Planned %s: %s; %d rows rejected; round files in %s.",
                    edition.id,
                    ", ".join(f"{p.channel} K={p.k} of N={p.n}" for p in published.manifest.pools),
                    len(entrants.rejections),
                    published.directory,
                )
                for rejection in entrants.rejections[:3]:
                    logger.info("  rejected %s %s", edition.id, rejection)
            statuses.append(self._plan_status(edition))
        self._write_rejections()
        return statuses

    def _write_rejections(self) -> Path:
        """Write every recorded rejection to ``out/<campaign>/rejections.csv`` and return it.

        The file names rows by line, channel and address, never by user reference; keep it with
        the issuer's private records all the same.
        """
        path = self.output_dir / "rejections.csv"
        lines = ["edition,line,channel,address,reasons"]
        for edition in self.campaign.editions:
            for rejection in self.journal.rejections(edition.id):
                fields = [edition.id, str(rejection.line), rejection.channel, rejection.address, " ".join(rejection.reasons)]
                lines.append(",".join(_csv_field(field) for field in fields))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", "utf-8")
        if len(lines) > 1:
            logger.info("Wrote the %d rejected rows with their reasons to %s.", len(lines) - 1, path)
        return path

    def published_round(self, edition_id: str) -> PublishedRound:
        """Read an edition's published round files back, re-checking every hash and root."""
        return load_round(round_directory(self.campaign, edition_id, self.out_root))

    # -- deploy ---------------------------------------------------------------------------------

    def deploy(self, issuer: str | None = None) -> DeploymentRecord:
        """Deploy the campaign's contracts, or check the existing deployment."""
        series_document = publish_bytes(self.output_dir / "metadata", series_metadata(self.campaign), "series.json")
        self._record = deploy_campaign(
            self.campaign,
            self.sender,
            issuer=issuer,
            vrf=self.vrf,
            contract_uri=series_document.uri,
            root=self.deployments,
        )
        return self._record

    # -- commit ---------------------------------------------------------------------------------

    def commit(self, editions: Iterable[str] | None = None) -> None:
        """Create each edition on chain and commit its round manifest, if not done yet."""
        self._require_roles()
        for edition in self._editions(editions):
            # Nothing goes on chain for an edition that is not planned in this journal.
            self._round_record(edition.id)
            on_chain_id = self._ensure_edition(edition)
            self._ensure_round(edition, on_chain_id)

    def on_chain_id(self, edition_id: str) -> int:
        """Return the series' id of a campaign edition: editions are created in campaign order.

        Raises:
            CampaignLookupError: if the campaign has no such edition.
        """
        self.campaign.edition(edition_id)
        return [edition.id for edition in self.campaign.editions].index(edition_id)

    def _ensure_edition(self, edition: Edition) -> int:
        series = self.series()
        on_chain_id = self.on_chain_id(edition.id)
        name = edition_display_name(self.campaign, edition)
        count = int(series.editionCount())
        if on_chain_id < count:
            existing = series.edition(on_chain_id).name
            if existing != name:
                raise ChainError(
                    f"Series {series.address} has edition {on_chain_id} named {existing!r}, but the "
                    f"campaign's edition {edition.id} is {name!r}. The series belongs to another "
                    "campaign; deploy anew for this one."
                )
            return on_chain_id
        if on_chain_id > count:
            raise ChainError(
                f"Edition {edition.id} would get id {on_chain_id}, but the series has {count} editions. "
                "Commit the editions in campaign order."
            )

        schedule = self.schedule()
        window = self.campaign.window(edition.id)
        opens_at = schedule.chain_time(window.opens)
        closes_at = schedule.chain_time(window.closes) - 1
        now = self.chain_manager.pending_timestamp
        if closes_at <= now:
            raise ChainError(
                f"Edition {edition.id}'s window closes at {window.closes.isoformat()}, which has passed "
                f"on {network_choice()}. A live campaign needs windows in the future; change the window."
            )

        folder = self.output_dir / "metadata"
        artwork_bytes = self.campaign.resolve(edition.artwork).read_bytes()
        artwork = publish_bytes(folder, artwork_bytes, f"{edition.id}{edition.artwork.suffix}")
        document = publish_bytes(
            folder,
            edition_metadata(self.campaign, edition, artwork.uri, artwork.sha256),
            f"{edition.id}.json",
        )
        config = (name, edition.supply, opens_at, closes_at, document.uri, artwork.sha256, document.sha256)
        self.sender.send("commit", f"edition/{edition.id}", series.createEdition.as_transaction(config))
        logger.info("Created edition %d (%s) with %d badges, metadata %s.", on_chain_id, name, edition.supply, document.uri)
        return on_chain_id

    def _ensure_round(self, edition: Edition, on_chain_id: int) -> None:
        draw = self.draw_contract()
        if int(draw.roundState(on_chain_id)) != RoundState.NONE:
            return
        recorded = self._round_record(edition.id)
        published = self.published_round(edition.id)
        if published.manifest_sha256 != recorded.manifest_sha256:
            raise ChainError(
                f"The round files of {edition.id} in {published.directory} changed since planning "
                f"(manifest sha256 {published.manifest_sha256}, planned {recorded.manifest_sha256}). "
                "Restore them, or plan again in a fresh output folder."
            )
        manifest_file = publish_bytes(self.output_dir / "metadata", published.manifest_bytes, f"{edition.id}-manifest.json")
        source = self.source_contract()
        commitment = b"\x00" * 32
        if self.campaign.randomness == "commit-reveal":
            commitment = self._commitment(draw.address, on_chain_id, self._reveal_secret(edition.id))

        schedule = self.schedule()
        close_time = schedule.chain_time(self.campaign.window(edition.id).opens)
        pools = [(bytes.fromhex(pool.root[2:]), pool.n, pool.k) for pool in published.manifest.pools]
        manifest = (
            close_time,
            ALGORITHM_FEISTEL,
            published.files_hash,
            manifest_file.uri,
            source.address,
            commitment,
            pools,
        )
        self.sender.send("commit", f"round/{edition.id}", draw.commitRound.as_transaction(on_chain_id, manifest))
        logger.info(
            "Committed round %d (%s): %s; entrant files %s.",
            on_chain_id,
            edition.id,
            ", ".join(f"pool {p.pool} {p.channel} N={p.n} K={p.k}" for p in published.manifest.pools),
            manifest_file.uri,
        )

    def _reveal_secret(self, edition_id: str) -> bytes:
        key = f"reveal_secret/{edition_id}"
        stored = self.journal.get_meta(key)
        if stored is None:
            # NOTE: the secret stays in the private journal until it is revealed on chain.
            stored = secrets.token_hex(32)
            self.journal.set_meta(key, stored)
        return bytes.fromhex(stored)

    def _commitment(self, draw_address: str, round_id: int, secret: bytes) -> bytes:
        encoded = abi_encode(
            ["uint256", "address", "uint256", "bytes32"],
            [self.provider.chain_id, draw_address, round_id, secret],
        )
        return keccak(encoded)

    # -- draw -----------------------------------------------------------------------------------

    def draw(self, editions: Iterable[str] | None = None) -> None:
        """Request and deliver the seed of every committed round whose close time has passed."""
        for edition in self._editions(editions):
            self._draw_edition(edition)

    def _draw_edition(self, edition: Edition) -> None:
        draw = self.draw_contract()
        round_id = self.on_chain_id(edition.id)
        state = int(draw.roundState(round_id))
        if state == RoundState.NONE:
            logger.info("Round %d (%s) is not committed yet; run the commit step first.", round_id, edition.id)
            return
        if state == RoundState.COMMITTED:
            close_time = int(draw.getRound(round_id).closeTime)
            unfinished = self._unfinished_airdrop_before(edition, close_time)
            if unfinished is not None and self.chain_manager.pending_timestamp < close_time:
                # Moving a replayed clock this far would close the window of an edition whose
                # winners still wait for their badges.
                logger.info(
                    "Round %d (%s) waits: edition %s still has badges to issue in its window. Run the "
                    "issue step, then draw again.",
                    round_id,
                    edition.id,
                    unfinished,
                )
                return
            if not self._advance_clock_to(close_time):
                logger.info(
                    "Round %d (%s) closes at %s; request its draw after that.",
                    round_id,
                    edition.id,
                    dt.datetime.fromtimestamp(close_time, dt.timezone.utc).isoformat(),
                )
                return
            self.sender.send("draw", f"request/{edition.id}", draw.requestRandomness.as_transaction(round_id))
            state = int(draw.roundState(round_id))
        if state == RoundState.REQUESTED:
            round_view = draw.getRound(round_id)
            request_id = int(round_view.requestIds[int(round_view.attempts) - 1])
            source = self.source_contract()
            if source.requestLapsed(request_id) and int(round_view.attempts) < 2 and source.allowsRetry():
                # A Chainlink request that was never answered lapses after 25 hours; the draw then
                # allows exactly one new request for the same manifest (roundState says Failed
                # when none is left, which the check below reports).
                self.sender.send(
                    "draw",
                    f"request/{edition.id}/retry-{int(round_view.attempts)}",
                    draw.requestRandomness.as_transaction(round_id),
                )
                round_view = draw.getRound(round_id)
                request_id = int(round_view.requestIds[int(round_view.attempts) - 1])
                logger.warning(
                    "Request %d of round %d lapsed unanswered; sent request %d, the last one allowed.",
                    int(round_view.requestIds[0]),
                    round_id,
                    request_id,
                )
            if self.campaign.randomness == "vrf":
                self._deliver_vrf(edition, round_id, request_id)
            else:
                self._reveal(edition, round_id, request_id)
            state = int(draw.roundState(round_id))
        if state == RoundState.FAILED:
            raise ChainError(
                f"Round {round_id} ({edition.id}) failed: its randomness request lapsed. The round's "
                "serials stay reserved; see `ape run campaign status`."
            )
        if state == RoundState.SEEDED:
            seed = self.seed_of(round_id)
            logger.info("Round %d (%s) is seeded: %#x.", round_id, edition.id, seed)

    def _unfinished_airdrop_before(self, edition: Edition, timestamp: int) -> str | None:
        """Return the id of a seeded edition whose window closes by `timestamp` while some of its
        winners have no badge yet, or None."""
        draw = self.draw_contract()
        schedule = self.schedule()
        for earlier in self.campaign.editions:
            if earlier.id == edition.id:
                return None
            if schedule.chain_time(self.campaign.window(earlier.id).closes) > timestamp:
                continue
            if int(draw.roundState(self.on_chain_id(earlier.id))) != RoundState.SEEDED:
                continue
            recorded = self.journal.round(earlier.id)
            winners = sum(pool.k for pool in recorded.pools) if recorded else 0
            if len(self.journal.badges(earlier.id)) < winners:
                return earlier.id
        return None

    def _deliver_vrf(self, edition: Edition, round_id: int, request_id: int) -> None:
        draw = self.draw_contract()
        if self.vrf is None and is_local_network():
            # The coordinator mock replaces Chainlink's oracle on a local chain; its words
            # derive from the request id, so a local draw is reproducible, not random.
            coordinator = instance_at("VrfCoordinatorMock", self.record.address_of("VrfCoordinatorMock"))
            sent = self.sender.send(
                "draw",
                f"fulfil/{edition.id}/{request_id}",
                coordinator.fulfillRandomWords.as_transaction(request_id, self.source_contract().address),
            )
            receipt = sent.receipt
            if receipt is not None:
                fulfilled = receipt.events.filter(coordinator.RandomWordsFulfilled)
                if not fulfilled or not fulfilled[0].success:
                    raise ChainError(f"The VRF mock's callback for request {request_id} failed; see transaction {sent.intent.tx_hash}.")
            return
        deadline = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=VRF_WAIT_SECONDS)
        with tqdm(desc=f"Waiting for VRF request {request_id}", disable=not self.progress) as bar:
            while int(draw.roundState(round_id)) == RoundState.REQUESTED:
                if dt.datetime.now(dt.timezone.utc) > deadline:
                    logger.warning(
                        "VRF request %d of round %d is not fulfilled after %d s; run the draw step again later.",
                        request_id,
                        round_id,
                        VRF_WAIT_SECONDS,
                    )
                    return
                self.chain_manager.blocks.head  # noqa: B018 - polls the node
                bar.update()
                import time

                time.sleep(5)

    def _reveal(self, edition: Edition, round_id: int, request_id: int) -> None:
        source = self.source_contract()
        target_block = int(source.request(request_id).targetBlock)
        if self.chain_manager.blocks.head.number <= target_block:
            if not self.schedule().replay:
                logger.info("Reveal for round %d waits for block %d.", round_id, target_block + 1)
                return
            self.chain_manager.mine(target_block + 1 - self.chain_manager.blocks.head.number)
        secret = self._reveal_secret(edition.id)
        self.sender.send("draw", f"reveal/{edition.id}/{request_id}", source.reveal.as_transaction(request_id, secret))

    def seed_of(self, round_id: int) -> int:
        """Return the seed delivered to a round, read from its `SeedDelivered` event."""
        deliveries = self._draw_logs("SeedDelivered", round_id)
        if not deliveries:
            raise ChainError(f"Round {round_id} has no SeedDelivered event; run the draw step first.")
        return int(deliveries[0].seed)

    def _draw_logs(self, event_name: str, round_id: int) -> list[Any]:
        """Return the draw's `event_name` logs of a round, from the draw's deployment block on."""
        draw = self.draw_contract()
        first_block = self.record.contracts["BadgeDraw"].block
        head = self.chain_manager.blocks.height
        event = getattr(draw, event_name)
        return list(event.range(first_block, head + 1, search_topics={"roundId": round_id}))

    # -- issue ----------------------------------------------------------------------------------

    def winners(self, edition_id: str, published: PublishedRound | None = None) -> dict[int, list[int]]:
        """Return the winners of each pool of a seeded round, in rank order, as entrant indices."""
        round_id = self.on_chain_id(edition_id)
        seed = self.seed_of(round_id)
        published = published or self.published_round(edition_id)
        return {
            pool.pool: [int(index) for index in FeistelPermutation(seed, pool.pool, pool.n).winners(pool.k)]
            for pool in published.manifest.pools
        }

    def issue(self, editions: Iterable[str] | None = None) -> int:
        """Airdrop the badges of every seeded round's winners; return how many were issued now."""
        self._require_roles()
        total = 0
        for edition in self._editions(editions):
            if int(self.draw_contract().roundState(self.on_chain_id(edition.id))) != RoundState.SEEDED:
                continue
            total += self._issue_edition(edition)
        return total

    def _issue_edition(self, edition: Edition) -> int:
        draw = self.draw_contract()
        round_id = self.on_chain_id(edition.id)
        published = self.published_round(edition.id)
        winners = self.winners(edition.id, published)
        self._check_winners_against_contract(round_id, winners)
        window = self.campaign.window(edition.id)
        self._advance_clock_to(self.schedule().chain_time(window.opens))

        issued_now = 0
        total = sum(len(indices) for indices in winners.values())
        with _quiet_ape_while(self.progress), tqdm(
            total=total, desc=f"Airdrop {edition.id}", unit="badge", disable=not self.progress
        ) as bar:
            for pool, indices in winners.items():
                tree = published.tree(pool)
                for batch in _chunks(indices, self.batch_size):
                    # Badges issued meanwhile by other means (a winner's own claim) need no check
                    # here: the contract skips them with a ClaimSkipped event.
                    pending = [index for index in batch if not self.journal.is_issued(edition.id, pool, index)]
                    if not pending:
                        bar.update(len(batch))
                        continue
                    # The key names exactly these entrants, so a run with another batch size, or
                    # the rest of a batch, never mistakes a confirmed batch for its own.
                    digest = hashlib.sha256(",".join(map(str, pending)).encode()).hexdigest()[:16]
                    key = f"airdrop/{edition.id}/pool-{pool}/{len(pending)}-{digest}"
                    multiproof = tree.multiproof(pending)
                    entrants = [(index, address) for index, address in multiproof.leaves]
                    txn = draw.claimMultiProof.as_transaction(
                        round_id, pool, entrants, list(multiproof.proof), multiproof.packed_flags()
                    )
                    sent = self.sender.send("issue", key, txn)
                    issued_now += self._record_claims(edition, sent.intent.tx_hash or "", sent.receipt)
                    bar.update(len(batch))
        self._record_missing_claims(edition)
        logger.info("Issued %d badges of %s in this run.", issued_now, edition.id)
        return issued_now

    def _check_winners_against_contract(self, round_id: int, winners: dict[int, list[int]]) -> None:
        """Compare the SDK's winners with the contract's `nthWinner` at the first and last rank."""
        draw = self.draw_contract()
        for pool, indices in winners.items():
            for rank in {0, len(indices) - 1}:
                on_chain = int(draw.nthWinner(round_id, pool, rank))
                if on_chain != indices[rank]:
                    raise ChainError(
                        f"Round {round_id} pool {pool}: the SDK's winner of rank {rank} is entrant "
                        f"{indices[rank]}, the contract's is {on_chain}. Do not airdrop; report this."
                    )

    def _record_claims(self, edition: Edition, tx_hash: str, receipt: Any) -> int:
        if receipt is None:
            return 0
        draw = self.draw_contract()
        badges = [
            IssuedBadge(
                edition=edition.id,
                pool=int(event.pool),
                index=int(event.index),
                address=to_checksum_address(event.account),
                serial=int(event.serial),
                tx_hash=tx_hash,
            )
            for event in receipt.events.filter(draw.BadgeClaimed)
        ]
        return self.journal.record_badges(badges)

    def _record_missing_claims(self, edition: Edition) -> None:
        """Record claims that an interrupted run sent but did not record, from the chain's logs."""
        round_id = self.on_chain_id(edition.id)
        missing = [
            IssuedBadge(
                edition=edition.id,
                pool=int(log.pool),
                index=int(log.index),
                address=to_checksum_address(log.account),
                serial=int(log.serial),
                tx_hash=_hex(log.transaction_hash),
            )
            for log in self._draw_logs("BadgeClaimed", round_id)
            if not self.journal.is_issued(edition.id, int(log.pool), int(log.index))
        ]
        if missing:
            self.journal.record_badges(missing)
            logger.info("Recorded %d badges of %s found in the chain's logs.", len(missing), edition.id)

    # -- revocation and recovery ----------------------------------------------------------------

    def revoke(self, edition_id: str, holder: str, reason: int) -> None:
        """Revoke `holder`'s badge of a campaign edition with an issuer-defined reason code.

        Raises:
            ChainError: if the holder does not hold that badge now.
            RoleError: if the account lacks ISSUER_ROLE on the series.
            ArgumentError: if `reason` is not a uint16 or `holder` is not an address.
        """
        if not 0 <= reason <= 0xFFFF:
            raise ArgumentError(f"Reason code {reason} is outside 0..65535; pass a uint16.")
        holder = _checksum(holder, "holder")
        series = self.series()
        round_id = self.on_chain_id(edition_id)
        self._require_role(series, "ISSUER_ROLE")
        if not series.holds(round_id, holder):
            raise ChainError(f"{holder} holds no badge of {edition_id} (edition {round_id}); nothing to revoke.")
        token_id = int(series.tokenIdOf(round_id, holder))
        self.sender.send("revoke", f"revoke/{edition_id}/{holder}", series.revoke.as_transaction(token_id, reason))
        logger.info("Revoked badge %d (%s of %s) with reason %d.", token_id, edition_id, holder, reason)

    def propose_recovery(self, holder: str, successor: str) -> int:
        """Propose moving every badge of a lost wallet to the learner's new wallet.

        Returns:
            The time (unix seconds) from which the recovery may execute.

        Raises:
            ChainError: if a recovery is pending for `holder` already.
            RoleError: if the account lacks RECOVERY_ROLE on the series.
        """
        holder, successor = _checksum(holder, "holder"), _checksum(successor, "successor")
        series = self.series()
        self._require_role(series, "RECOVERY_ROLE")
        pending, executable_at = series.pendingRecovery(holder)
        if pending != ZERO_ADDRESS:
            raise ChainError(
                f"A recovery of {holder} to {pending} is pending (executable at {executable_at}); "
                "cancel it first."
            )
        # The series finds a conflict only at execution, after the delay: check it now.
        overlap = _received_mask(series, holder) & _received_mask(series, successor)
        if overlap:
            editions = [edition for edition in range(256) if overlap >> edition & 1]
            raise ChainError(
                f"{successor} already received editions {editions} that {holder} would bring, so the "
                "recovery would fail when executed. Recover to a wallet without those editions."
            )
        key = f"recovery/propose/{holder}/{successor}/{int(series.recoveryDelay())}"
        sent = self.sender.send("recovery", key, series.proposeRecovery.as_transaction(holder, successor))
        _, executable_at = series.pendingRecovery(holder)
        logger.info("Proposed recovery of %s to %s, executable from %d (%s).", holder, successor, executable_at, sent.intent.tx_hash)
        return int(executable_at)

    def execute_recovery(self, holder: str) -> None:
        """Execute the recovery pending for `holder` once its delay has passed.

        Raises:
            ChainError: if none is pending or its delay has not passed.
        """
        holder = _checksum(holder, "holder")
        series = self.series()
        successor, executable_at = series.pendingRecovery(holder)
        if successor == ZERO_ADDRESS:
            raise ChainError(f"No recovery is pending for {holder}; propose one first.")
        now = self.chain_manager.pending_timestamp
        if now < int(executable_at):
            raise ChainError(
                f"The recovery of {holder} may execute from {executable_at}, {int(executable_at) - now} s from now; "
                "the holder can still veto it until then."
            )
        self.sender.send("recovery", f"recovery/execute/{holder}", series.executeRecovery.as_transaction(holder))
        logger.info("Moved every badge of %s to %s.", holder, successor)

    def cancel_recovery(self, holder: str) -> None:
        """Cancel the recovery pending for `holder`."""
        holder = _checksum(holder, "holder")
        series = self.series()
        self._require_role(series, "RECOVERY_ROLE")
        successor, _ = series.pendingRecovery(holder)
        if successor == ZERO_ADDRESS:
            raise ChainError(f"No recovery is pending for {holder}; nothing to cancel.")
        key = f"recovery/cancel/{holder}/{self.chain_manager.blocks.head.number}"
        self.sender.send("recovery", key, series.cancelRecovery.as_transaction(holder))

    def allow_retry(self, key: str) -> None:
        """Let the step that owns intent `key` send its transaction again after it reverted.

        Raises:
            JournalError: if the intent is unknown, or is not reverted.
        """
        intent = self.journal.intent(key)
        if intent is None:
            raise JournalError(f"The journal has no intent {key!r}. Copy the key from the step's message.")
        if intent.state is not IntentState.REVERTED:
            raise JournalError(f"Intent {key} is {intent.state.value}, not reverted; nothing to retry.")
        self.journal.abandon_intent(key, f"reverted as {intent.tx_hash}; the issuer allowed a retry")

    # -- run and status -------------------------------------------------------------------------

    def run(self, issuer: str | None = None) -> list[EditionStatus]:
        """Run every step for every edition, in calendar order, then audit and report."""
        self.plan()
        self.deploy(issuer)
        for edition in self.campaign.editions:
            self.commit([edition.id])
            self.draw([edition.id])
            self.issue([edition.id])
        self.report(self.audit())
        return self.status()

    def audit(self) -> AuditResult:
        """Audit every round of the series from chain logs and the published files, and write
        ``out/<campaign>/audit.json``."""
        result = audit_series(
            self.series(),
            self.draw_contract(),
            self.output_dir,
            edition_folders=[edition.id for edition in self.campaign.editions],
            start_block=self.record.contracts["BadgeSeries"].block,
        )
        result.write_json(self.output_dir / AUDIT_NAME)
        if result.passed:
            logger.info("Audit passed: %s.", self.output_dir / AUDIT_NAME)
        else:
            logger.warning("Audit found %d discrepancies: %s.", len(result.discrepancies), self.output_dir / AUDIT_NAME)
        return result

    def report(self, audit: AuditResult | None = None) -> list[Path]:
        """Write the report (CSV, JSON, HTML in Chinese and English) to ``out/<campaign>/report/``.

        Without `audit`, the audit runs first.
        """
        from merit.clients.reporting import write_campaign_report
        from merit.report import AuditResult as ReportAudit

        result = audit or self.audit()
        verdict = ReportAudit(
            passed=result.passed,
            discrepancies=[
                f"Edition {item.edition}: {item.kind.value}: {item.detail}" for item in result.discrepancies
            ],
        )
        paths = write_campaign_report(self, verdict)
        logger.info("Report written to %s.", paths[0].parent)
        return paths

    def status(self) -> list[EditionStatus]:
        """Return the progress of each edition, from the journal and, once deployed, the chain."""
        statuses = [self._plan_status(edition) for edition in self.campaign.editions]
        try:
            draw = self.draw_contract()
            series = self.series()
        except DeploymentError:
            return statuses
        count = int(series.editionCount())
        for status in statuses:
            on_chain_id = self.on_chain_id(status.edition)
            if on_chain_id < count:
                status.on_chain_id = on_chain_id
                status.round_state = RoundState.NAMES[int(draw.roundState(on_chain_id))]
        return statuses

    def _plan_status(self, edition: Edition) -> EditionStatus:
        status = EditionStatus(edition=edition.id, name=edition_display_name(self.campaign, edition))
        recorded = self.journal.round(edition.id)
        if recorded is not None:
            status.planned = True
            status.entrants = {pool.channel: pool.n for pool in recorded.pools}
            status.winners = {pool.channel: pool.k for pool in recorded.pools}
            status.rejected = len(self.journal.rejections(edition.id))
            status.issued = len(self.journal.badges(edition.id))
        return status

    # -- helpers --------------------------------------------------------------------------------

    def _editions(self, editions: Iterable[str] | None) -> Iterator[Edition]:
        wanted = None if editions is None else list(editions)
        for edition_id in wanted or []:
            self.campaign.edition(edition_id)
        for edition in self.campaign.editions:
            if wanted is None or edition.id in wanted:
                yield edition

    def _round_record(self, edition_id: str) -> RoundRecord:
        recorded = self.journal.round(edition_id)
        if recorded is None:
            raise ChainError(f"Edition {edition_id} is not planned yet; run the plan step first.")
        return recorded

    def _require_roles(self) -> None:
        """Fail before sending when the account lacks a role that the steps need."""
        self._require_role(self.series(), "ISSUER_ROLE")
        self._require_role(self.draw_contract(), "ISSUER_ROLE")

    def _require_role(self, contract: ContractInstance, role_name: str) -> None:
        address = self.account.address
        if not contract.hasRole(getattr(contract, role_name)(), address):
            raise RoleError(
                f"Account {address} lacks {role_name} on {contract.address}. Ask the admin "
                f"({contract.defaultAdmin()}) to grant it, or run with the issuer account."
            )


@contextlib.contextmanager
def _quiet_ape_while(active: bool) -> Iterator[None]:
    """Hide ape's line per confirmed transaction while a progress bar shows the same progress."""
    ape_logger = logging.getLogger("ape")
    level = ape_logger.level
    if active:
        ape_logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        ape_logger.setLevel(level)


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _csv_field(text: str) -> str:
    """Quote a CSV field when it contains a comma, a quote or a line break."""
    if any(character in text for character in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _received_mask(series: ContractInstance, holder: str) -> int:
    """Editions that `holder` received, held or revoked (bit e = edition e)."""
    return int(series.editionsOf(holder)) | int(series.revokedEditionsOf(holder))


def _checksum(address: str, role: str) -> str:
    try:
        return parse_address(address)
    except ValueError as error:
        raise ArgumentError(f"Invalid {role} address: {error}") from error


def _hex(value: Any) -> str:
    text = value.hex() if isinstance(value, (bytes, bytearray)) else str(value)
    return text if text.startswith("0x") else f"0x{text}"
