"""On-chain gas of merit's contracts beside the OpenZeppelin baseline and the physical floor.

    python -m bench.gas --out FILE [--quick]

Starts anvil on a free loopback port (`local_anvil`), connects ape's foundry provider to it, and
deploys the contracts that ape compiled in this project (`.build/`), the baseline
`BaselineSoulbound` included. Every figure comes from a transaction receipt, except two:

- the seed callback: the gas of the call from Chainlink's `VRFCoordinatorV2_5Mock` into the
  consumer (`ChainlinkVrfSource.rawFulfillRandomWords`, which forwards to `BadgeDraw.deliverSeed`),
  read from anvil's `debug_traceTransaction` call tracer. It is the gas that counts against the
  request's callback gas limit.
- `isWinner`: the receipt gas of a transaction that calls the view, minus the 21,000 base and the
  calldata cost, which leaves the execution gas.

Each transaction is also traced with the prestate tracer in diff mode to count the storage slots
it created, and its physical floor is computed from those and its logs and calldata
(`bench.floor`). Holders are fresh addresses, so each badge creates the holder's slot as it would
for a learner's first badge of the series.

The output file contains the figures by section (`series`, `baseline`, `draw`), the floors under the
same keys, every measured transaction, and the claim gas per pool size for the scaling plot.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from bench.floor import (
    BASE_TX_GAS,
    Floor,
    LogShape,
    call_floor,
    calldata_gas,
    frame_addresses,
    frame_logs,
    new_slots,
    transaction_floor,
)

__all__ = ["GasOutput", "Measurement", "Sizes", "main"]

logger = logging.getLogger(__name__)

NETWORK = "ethereum:local:foundry"
REPOSITORY = Path(__file__).resolve().parents[1]
BUILD_MANIFEST = REPOSITORY / ".build" / "__local__.json"
ANVIL = REPOSITORY / "node_modules" / ".bin" / "anvil"
ANVIL_START_SECONDS = 30
DAY = 24 * 3600
ADMIN_TRANSFER_DELAY = 3 * DAY
RECOVERY_DELAY = 3600
"""The series' shortest allowed recovery delay, so that a benchmark waits one hour of chain time."""

EDITION_OPEN_DAYS = 365
ARTWORK_SHA256 = hashlib.sha256(b"merit bench artwork").digest()
METADATA_SHA256 = hashlib.sha256(b"merit bench metadata").digest()
ENTRANTS_SHA256 = hashlib.sha256(b"merit bench entrant files").digest()

# Chainlink's VRF v2.5 mock: fees only need to be non-zero and covered by the subscription.
VRF_BASE_FEE = 10**15
VRF_GAS_PRICE = 10**9
VRF_WEI_PER_UNIT_LINK = 4 * 10**15
VRF_FUNDING = 100 * 10**18
VRF_KEY_HASH = hashlib.sha256(b"merit bench gas lane").digest()
VRF_CALLBACK_GAS_LIMIT = 200_000
RAW_FULFILL_SELECTOR = "0x1fe543e3"
"""Selector of `rawFulfillRandomWords(uint256,uint256[])`, the consumer's entry point."""

SINGLE_ISSUES = 5
"""Single issues (and claims) measured per case; the figure is their median."""

BATCH_SIZE = 200
"""Badges per batch: the issuer's default airdrop batch (`merit.clients.issuer.DEFAULT_BATCH_SIZE`)."""

IS_WINNER_SAMPLES = 100
"""Entrants per pool whose `isWinner` gas is measured, evenly spaced: every entrant at N = 100."""

RECOVERY_EDITIONS = 8


class Sizes(BaseModel):
    """Pool sizes of one run."""

    claim_sizes: list[int] = Field(description="N of the claim, callback and isWinner rounds.")
    airdrop_size: int = Field(description="N of the airdrop round: claimMultiProof and claimBatch.")
    scaling_exponents: list[int] = Field(description="log2 N of the rounds of the scaling plot.")

    @classmethod
    def full(cls) -> Sizes:
        return cls(claim_sizes=[100, 10_000, 1_000_000], airdrop_size=1_000_000, scaling_exponents=list(range(4, 21, 2)))

    @classmethod
    def quick(cls) -> Sizes:
        return cls(claim_sizes=[100, 10_000], airdrop_size=10_000, scaling_exponents=[4, 8, 12, 16])


class Measurement(BaseModel):
    """One measured transaction or call."""

    name: str = Field(description="What was measured, e.g. 'series.issue_single'.")
    tx_hash: str
    gas: int = Field(description="Receipt gas, or the frame's gas for a call inside a transaction.")
    receipt_gas: int = Field(description="Receipt gas of the whole transaction.")
    calldata_bytes: int
    badges: int = Field(description="Badges the transaction issued or moved; 0 for none.")
    floor: Floor
    calldata_floor_applied: bool = Field(
        description="Whether the receipt gas equals the EIP-7623 calldata floor (10/40 gas per byte), "
        "which would make the standard formula the wrong comparison."
    )


class GasOutput(BaseModel):
    """The output file of `python -m bench.gas`."""

    figures: dict[str, dict[str, float]] = Field(description="Section -> key -> gas.")
    floors: dict[str, dict[str, float]] = Field(description="Section -> key -> floor of the same figure.")
    measurements: list[Measurement]
    scaling: list[dict[str, float]] = Field(description="Rows of {log2_n, entrants, claim_gas, floor, proof_length}.")
    node: dict[str, Any] = Field(description="anvil_nodeInfo of the node that ran the transactions.")


# ---------------------------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Traces receipts and keeps the measurements and figures of one run."""

    provider: Any
    measurements: list[Measurement] = field(default_factory=list)
    figures: dict[str, dict[str, float]] = field(default_factory=dict)
    floors: dict[str, dict[str, float]] = field(default_factory=dict)

    def _trace(self, tx_hash: str, tracer: str, config: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.provider.make_request(
            "debug_traceTransaction", [tx_hash, {"tracer": tracer, "tracerConfig": config}]
        )
        return result

    def _transaction(self, tx_hash: str) -> tuple[bytes, int, list[LogShape]]:
        web3 = self.provider.web3
        calldata = bytes(web3.eth.get_transaction(tx_hash)["input"])
        receipt = web3.eth.get_transaction_receipt(tx_hash)
        logs = [LogShape(topics=len(log["topics"]), data_bytes=len(bytes(log["data"]))) for log in receipt["logs"]]
        return calldata, int(receipt["gasUsed"]), logs

    def transaction(self, name: str, receipt: Any, badges: int = 1) -> Measurement:
        """Measure a transaction from its receipt; its floor counts every new slot and log."""
        tx_hash = _hash_of(receipt)
        calldata, gas, logs = self._transaction(tx_hash)
        diff = self._trace(tx_hash, "prestateTracer", {"diffMode": True})
        floor = transaction_floor(calldata, logs, new_slots(diff))
        measurement = Measurement(
            name=name,
            tx_hash=tx_hash,
            gas=gas,
            receipt_gas=gas,
            calldata_bytes=len(calldata),
            badges=badges,
            floor=floor,
            calldata_floor_applied=gas == _eip7623_floor(calldata),
        )
        if measurement.calldata_floor_applied:
            logger.warning("%s paid the EIP-7623 calldata floor (%d gas); its standard floor is too low.", name, gas)
        if gas < floor.total:
            raise AssertionError(f"{name} used {gas} gas, below its computed floor {floor.total}: the floor is wrong.")
        self.measurements.append(measurement)
        return measurement

    def callback(self, name: str, receipt: Any, consumer: str) -> Measurement:
        """Measure the coordinator's call into `consumer` inside a fulfilment transaction."""
        tx_hash = _hash_of(receipt)
        calldata, receipt_gas, _ = self._transaction(tx_hash)
        calls = self._trace(tx_hash, "callTracer", {"withLog": True})
        frame = _find_frame(calls, consumer, RAW_FULFILL_SELECTOR)
        if frame is None:
            raise AssertionError(f"Transaction {tx_hash} made no call to rawFulfillRandomWords on {consumer}.")
        if frame.get("error"):
            raise AssertionError(f"The VRF callback in {tx_hash} failed: {frame['error']}.")
        diff = self._trace(tx_hash, "prestateTracer", {"diffMode": True})
        floor = call_floor(frame_logs(frame), new_slots(diff, frame_addresses(frame)))
        measurement = Measurement(
            name=name,
            tx_hash=tx_hash,
            gas=int(frame["gasUsed"], 16),
            receipt_gas=receipt_gas,
            calldata_bytes=len(calldata),
            badges=0,
            floor=floor,
            calldata_floor_applied=False,
        )
        self.measurements.append(measurement)
        return measurement

    def execution(self, name: str, receipt: Any) -> Measurement:
        """Measure the execution gas of a transaction: receipt gas minus base and calldata."""
        tx_hash = _hash_of(receipt)
        calldata, gas, logs = self._transaction(tx_hash)
        diff = self._trace(tx_hash, "prestateTracer", {"diffMode": True})
        measurement = Measurement(
            name=name,
            tx_hash=tx_hash,
            gas=gas - BASE_TX_GAS - calldata_gas(calldata),
            receipt_gas=gas,
            calldata_bytes=len(calldata),
            badges=0,
            floor=call_floor(logs, new_slots(diff)),
            calldata_floor_applied=gas == _eip7623_floor(calldata),
        )
        if measurement.calldata_floor_applied:
            raise AssertionError(f"{name} paid the EIP-7623 calldata floor, so receipt gas hides its execution gas.")
        self.measurements.append(measurement)
        return measurement

    def put(self, key: str, value: float, floor: float | None = None) -> None:
        """Record figure `key` ("section.name") and, when given, its floor."""
        section, name = key.split(".", 1)
        self.figures.setdefault(section, {})[name] = value
        if floor is not None:
            self.floors.setdefault(section, {})[name] = floor
        logger.info("%s = %s%s", key, f"{value:,.0f}", "" if floor is None else f" (floor {floor:,.0f})")

    def put_median(self, key: str, measurements: Sequence[Measurement]) -> None:
        """Record the median gas of `measurements` per badge, with the median floor per badge."""
        self.put(
            key,
            statistics.median(m.gas / max(m.badges, 1) for m in measurements),
            statistics.median(m.floor.total / max(m.badges, 1) for m in measurements),
        )


def _hash_of(receipt: Any) -> str:
    value = receipt.txn_hash
    text = value if isinstance(value, str) else value.hex()
    return text if text.startswith("0x") else f"0x{text}"


def _eip7623_floor(calldata: bytes) -> int:
    zeros = calldata.count(0)
    tokens = zeros + 4 * (len(calldata) - zeros)
    return BASE_TX_GAS + 10 * tokens


def _find_frame(frame: dict[str, Any], to: str, selector: str) -> dict[str, Any] | None:
    if str(frame.get("to", "")).lower() == to.lower() and str(frame.get("input", "")).startswith(selector):
        return frame
    for call in frame.get("calls", []):
        found = _find_frame(call, to, selector)
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------------------------------------
# Scenario
# ---------------------------------------------------------------------------------------------


def fresh_addresses(tag: str, count: int) -> list[str]:
    """Return `count` distinct addresses derived from `tag`, lower-case; no key is known for them."""
    prefix = f"merit bench {tag} ".encode()
    return ["0x" + hashlib.sha256(prefix + str(index).encode()).digest()[:20].hex() for index in range(count)]


@dataclass
class Deployment:
    """The contracts and accounts of one run."""

    admin: Any
    stranger: Any
    series: Any
    baseline: Any
    draw: Any
    coordinator: Any
    source: Any
    chain: Any
    create_edition: Callable[[int], int]


class CompiledContracts:
    """The contract types of this run's compile, read from ape's build manifest.

    NOTE: `ape.project.<Name>` would do, but ape 0.8 lists at most 500 files of the contracts
    folder, and the dependency sources in `contracts/.cache/` can use them all up before the
    walk reaches `contracts/benchmarks/`. Reading the manifest also keeps ape from recompiling a
    source that changed after the compile step, so every contract comes from that one compile.
    """

    def __init__(self, manifest: Path = BUILD_MANIFEST) -> None:
        self._types = json.loads(manifest.read_text("utf-8"))["contractTypes"]

    def __getattr__(self, name: str) -> Any:
        from ape.contracts import ContractContainer
        from ethpm_types import ContractType

        if name not in self._types:
            raise AttributeError(f"{name} is not in {BUILD_MANIFEST}; run `ape compile --force` first.")
        return ContractContainer(ContractType.model_validate(self._types[name]))


def deploy(project: Any, accounts: Any, chain: Any, recorder: Recorder) -> Deployment:
    """Deploy the series, the baseline, the draw and a Chainlink VRF source on the mock."""
    admin = accounts.test_accounts[0]
    stranger = accounts.test_accounts[5]

    series = project.BadgeSeries.deploy(
        "Palace Solar Terms 2022 故宫节气", "MERITST22", "ipfs://series.json", admin, ADMIN_TRANSFER_DELAY, RECOVERY_DELAY, sender=admin
    )
    for role in ("ISSUER_ROLE", "RECOVERY_ROLE"):
        series.grantRole(getattr(series, role)(), admin, sender=admin)
    baseline = project.BaselineSoulbound.deploy(sender=admin)
    draw = project.BadgeDraw.deploy(series, admin, ADMIN_TRANSFER_DELAY, sender=admin)
    draw.grantRole(draw.ISSUER_ROLE(), admin, sender=admin)
    series.grantRole(series.MINTER_ROLE(), draw, sender=admin)

    coordinator = project.VrfCoordinatorMock.deploy(VRF_BASE_FEE, VRF_GAS_PRICE, VRF_WEI_PER_UNIT_LINK, sender=admin)
    created = coordinator.createSubscription(sender=admin)
    subscription = int(created.events.filter(coordinator.SubscriptionCreated)[0].subId)
    coordinator.fundSubscriptionWithNative(subscription, value=VRF_FUNDING, sender=admin)
    config = (VRF_KEY_HASH, subscription, 0, VRF_CALLBACK_GAS_LIMIT, True)
    source = project.ChainlinkVrfSource.deploy(coordinator, draw, config, sender=admin)
    coordinator.addConsumer(subscription, source, sender=admin)
    draw.acceptSourceOwnership(source, sender=admin)
    draw.allowRandomnessSource(source, sender=admin)

    for key, contract in (("series", series), ("baseline", baseline), ("draw", draw)):
        code = bytes(recorder.provider.get_code(contract.address))
        recorder.put(f"{key}.runtime_code_bytes", len(code))

    def create_edition(cap: int) -> int:
        now = chain.pending_timestamp
        config = ("夏至 Summer Solstice", cap, now - 60, now + EDITION_OPEN_DAYS * DAY, "ipfs://bench-edition.json", ARTWORK_SHA256, METADATA_SHA256)
        receipt = series.createEdition(config, sender=admin)
        return int(receipt.events.filter(series.EditionCreated)[0].editionId)

    return Deployment(admin, stranger, series, baseline, draw, coordinator, source, chain, create_edition)


def measure_issuance(d: Deployment, recorder: Recorder) -> None:
    """Single issues and a batch of 200, on the series and on the baseline; revocation."""
    edition = d.create_edition(1 + SINGLE_ISSUES + BATCH_SIZE)
    baseline_edition = 0
    holders = fresh_addresses("series holders", 1 + SINGLE_ISSUES + BATCH_SIZE)
    baseline_holders = fresh_addresses("baseline holders", 1 + SINGLE_ISSUES + BATCH_SIZE)

    # A first issue on each side makes the baseline's edition counter non-zero before the
    # measured issues. The series' edition slot is non-zero from its creation anyway.
    d.series.issue(edition, holders[0], sender=d.admin)
    d.baseline.issue(baseline_edition, baseline_holders[0], sender=d.admin)

    singles = [
        recorder.transaction("series.issue_single", d.series.issue(edition, holder, sender=d.admin))
        for holder in holders[1 : 1 + SINGLE_ISSUES]
    ]
    baseline_singles = [
        recorder.transaction("baseline.issue_single", d.baseline.issue(baseline_edition, holder, sender=d.admin))
        for holder in baseline_holders[1 : 1 + SINGLE_ISSUES]
    ]
    recorder.put_median("series.issue_single_tx_gas", singles)
    recorder.put_median("baseline.issue_single_tx_gas", baseline_singles)

    batch = recorder.transaction(
        "series.issue_batch200",
        d.series.issueBatch(edition, holders[1 + SINGLE_ISSUES :], sender=d.admin),
        badges=BATCH_SIZE,
    )
    baseline_batch = recorder.transaction(
        "baseline.issue_batch200",
        d.baseline.issueBatch(baseline_edition, baseline_holders[1 + SINGLE_ISSUES :], sender=d.admin),
        badges=BATCH_SIZE,
    )
    recorder.put_median("series.issue_batch200_per_badge_gas", [batch])
    recorder.put_median("baseline.issue_batch200_per_badge_gas", [baseline_batch])
    recorder.put(
        "series.issue_batch200_baseline_ratio",
        recorder.figures["series"]["issue_batch200_per_badge_gas"] / recorder.figures["baseline"]["issue_batch200_per_badge_gas"],
    )

    revocations = [
        recorder.transaction("series.revoke", d.series.revoke(d.series.tokenIdOf(edition, holder), 1, sender=d.admin))
        for holder in holders[1 : 1 + SINGLE_ISSUES]
    ]
    recorder.put_median("series.revoke_tx_gas", revocations)


def measure_recovery(d: Deployment, recorder: Recorder) -> None:
    """Recovery of a holder with one badge and of one with a badge of each of eight editions."""
    editions = [d.create_edition(10) for _ in range(RECOVERY_EDITIONS)]
    single_holder, multi_holder, single_successor, multi_successor = fresh_addresses("recovery", 4)
    d.series.issue(editions[0], single_holder, sender=d.admin)
    for edition in editions:
        d.series.issue(edition, multi_holder, sender=d.admin)

    results = {}
    for label, holder, successor, badges in (
        ("1", single_holder, single_successor, 1),
        (str(RECOVERY_EDITIONS), multi_holder, multi_successor, RECOVERY_EDITIONS),
    ):
        proposal = recorder.transaction(f"series.recovery_propose_{label}", d.series.proposeRecovery(holder, successor, sender=d.admin), badges=0)
        d.chain.mine(deltatime=RECOVERY_DELAY + 1)
        execution = recorder.transaction(
            f"series.recovery_execute_{label}", d.series.executeRecovery(holder, sender=d.stranger), badges=badges
        )
        if d.series.editionsOf(successor) == 0:
            raise AssertionError(f"The recovery of {holder} moved no badge to {successor}.")
        results[label] = (proposal, execution, badges)

    for label, (proposal, execution, badges) in results.items():
        total = proposal.gas + execution.gas
        floor = proposal.floor.total + execution.floor.total
        recorder.put(f"series.recover_{label}_badges_total_gas", total, floor)
        recorder.put(f"series.recover_{label}_badges_per_badge_gas", total / badges, floor / badges)
    recorder.put("series.recovery_propose_gas", results["1"][0].gas, results["1"][0].floor.total)


@dataclass
class SeededRound:
    """A committed and seeded round of one pool, with what the benchmark needs to claim."""

    round_id: int
    entrants: int
    winners: int
    accounts: list[str]
    tree: Any
    winner_order: list[int]


def seeded_round(d: Deployment, recorder: Recorder, entrants: int, winners: int, tag: str) -> SeededRound:
    """Create an edition, commit a one-pool round, request and fulfil its seed, measure the callback."""
    from merit.merkle import EntrantTree
    from merit.permutation import FeistelPermutation

    accounts = fresh_addresses(f"pool {tag}", entrants)
    tree = EntrantTree.from_addresses(accounts)
    round_id = d.create_edition(winners)
    close_time = d.chain.blocks.head.timestamp
    manifest = (close_time, 1, ENTRANTS_SHA256, "ipfs://bench-entrants", d.source.address, b"\x00" * 32, [(tree.root, entrants, winners)])
    d.draw.commitRound(round_id, manifest, sender=d.admin)

    requested = d.draw.requestRandomness(round_id, sender=d.stranger)
    request_id = int(requested.events.filter(d.draw.RandomnessRequested)[0].requestId)
    fulfilled = d.coordinator.fulfillRandomWords(request_id, d.source, sender=d.stranger)
    if not fulfilled.events.filter(d.coordinator.RandomWordsFulfilled)[0].success:
        raise AssertionError(f"The VRF callback of round {round_id} reverted.")
    recorder.callback(f"draw.seed_callback_n{entrants}", fulfilled, d.source.address)
    seed = int(fulfilled.events.filter(d.draw.SeedDelivered)[0].seed)

    order = [int(index) for index in FeistelPermutation(seed, 0, entrants).winners(winners)]
    for rank in (0, winners - 1):
        on_chain = int(d.draw.nthWinner(round_id, 0, rank))
        if on_chain != order[rank]:
            raise AssertionError(f"Round {round_id}: the SDK's winner of rank {rank} is {order[rank]}, the contract's {on_chain}.")
    return SeededRound(round_id, entrants, winners, accounts, tree, order)


def claim(d: Deployment, recorder: Recorder, pool: SeededRound, rank: int, name: str) -> Measurement:
    index = pool.winner_order[rank]
    receipt = d.draw.claim(pool.round_id, 0, index, pool.accounts[index], pool.tree.proof(index), sender=d.stranger)
    return recorder.transaction(name, receipt)


def measure_claims(d: Deployment, recorder: Recorder, sizes: Sizes) -> dict[int, SeededRound]:
    """Claims, seed callbacks and isWinner at each claim size; returns the rounds by N."""
    rounds = {}
    for entrants in sizes.claim_sizes:
        winners = min(entrants // 10, 1_000)
        pool = seeded_round(d, recorder, entrants, winners, f"claims {entrants}")
        rounds[entrants] = pool
        callback = next(m for m in reversed(recorder.measurements) if m.name == f"draw.seed_callback_n{entrants}")
        recorder.put(f"draw.seed_callback_gas_n{entrants}", callback.gas, callback.floor.total)

        claims = [claim(d, recorder, pool, rank, f"draw.claim_n{entrants}") for rank in range(SINGLE_ISSUES)]
        recorder.put_median(f"draw.claim_tx_gas_n{entrants}", claims)

        checks = []
        for sample in range(IS_WINNER_SAMPLES):
            index = sample * (entrants - 1) // (IS_WINNER_SAMPLES - 1)
            checks.append(recorder.execution(f"draw.is_winner_n{entrants}", d.draw.isWinner.transact(pool.round_id, 0, index, sender=d.stranger)))
        recorder.put(f"draw.is_winner_gas_mean_n{entrants}", statistics.mean(m.gas for m in checks))
        recorder.put(f"draw.is_winner_gas_max_n{entrants}", max(m.gas for m in checks))

    recorder.put(
        "draw.is_winner_gas",
        max(value for key, value in recorder.figures["draw"].items() if key.startswith("is_winner_gas_max_n")),
    )
    return rounds


def measure_airdrop(d: Deployment, recorder: Recorder, pool: SeededRound) -> None:
    """Measure a multiproof batch and a per-proof batch of 200 winners each, in the same round."""
    first = SINGLE_ISSUES
    multi_indices = pool.winner_order[first : first + BATCH_SIZE]
    batch_indices = pool.winner_order[first + BATCH_SIZE : first + 2 * BATCH_SIZE]
    if len(batch_indices) < BATCH_SIZE:
        raise AssertionError(f"Round {pool.round_id} has {pool.winners} winners; the airdrop needs {first + 2 * BATCH_SIZE}.")

    multiproof = pool.tree.multiproof(multi_indices)
    leaves = [(index, account) for index, account in multiproof.leaves]
    receipt = d.draw.claimMultiProof(
        pool.round_id, 0, leaves, list(multiproof.proof), _proof_flags(d.draw, multiproof), sender=d.stranger
    )
    _check_claimed(d, receipt, BATCH_SIZE)
    multi = recorder.transaction(f"draw.claim_multiproof200_n{pool.entrants}", receipt, badges=BATCH_SIZE)
    recorder.put_median(f"draw.airdrop_per_badge_gas_n{pool.entrants}", [multi])
    recorder.put(f"draw.airdrop_multiproof_hashes_n{pool.entrants}", len(multiproof.proof))

    items = [(0, index, pool.accounts[index], pool.tree.proof(index)) for index in batch_indices]
    receipt = d.draw.claimBatch(pool.round_id, items, sender=d.stranger)
    _check_claimed(d, receipt, BATCH_SIZE)
    batch = recorder.transaction(f"draw.claim_batch200_n{pool.entrants}", receipt, badges=BATCH_SIZE)
    recorder.put_median(f"draw.airdrop_claim_batch_per_badge_gas_n{pool.entrants}", [batch])


def _proof_flags(draw: Any, multiproof: Any) -> Any:
    """Return the multiproof's flags in the form that the compiled `claimMultiProof` takes:
    packed one bit each into `bytes`, or OpenZeppelin's `bool[]`."""
    abi = next(method for method in draw.contract_type.abi if getattr(method, "name", None) == "claimMultiProof")
    if abi.inputs[-1].type == "bytes":
        return multiproof.packed_flags()
    return list(multiproof.proof_flags)


def _check_claimed(d: Deployment, receipt: Any, expected: int) -> None:
    claimed = len(receipt.events.filter(d.draw.BadgeClaimed))
    if claimed != expected:
        raise AssertionError(f"A batch of {expected} winners issued {claimed} badges.")


def measure_scaling(d: Deployment, recorder: Recorder, sizes: Sizes) -> list[dict[str, float]]:
    """Claim gas at N = 2^k for each exponent: every proof there has exactly k hashes."""
    rows = []
    for exponent in sizes.scaling_exponents:
        entrants = 1 << exponent
        pool = seeded_round(d, recorder, entrants, min(entrants // 2, 64), f"scaling {exponent}")
        claims = [claim(d, recorder, pool, rank, f"draw.claim_log2n{exponent}") for rank in range(SINGLE_ISSUES)]
        rows.append(
            {
                "log2_n": exponent,
                "entrants": entrants,
                "claim_gas": statistics.median(m.gas for m in claims),
                "floor": statistics.median(m.floor.total for m in claims),
                "proof_length": len(pool.tree.proof(pool.winner_order[0])),
                "seed_callback_gas": next(m.gas for m in reversed(recorder.measurements) if m.name == f"draw.seed_callback_n{entrants}"),
            }
        )
        logger.info("claim at N = 2^%d: %d gas", exponent, rows[-1]["claim_gas"])
    return rows


@contextlib.contextmanager
def local_anvil(log_file: Path) -> Iterator[str]:
    """Start anvil on a free loopback port, yield its URL, and stop it on exit.

    The node runs without `--steps-tracing`, which ape's foundry provider always adds. That flag
    records every EVM step of every transaction. In a one-off test on the 2-core benchmark
    machine it slowed a 10-million-gas airdrop from 0.2 s to 18 s, close to ape's 20 s wait for
    a local receipt. Gas does not depend on it, and the call and prestate tracers work without it.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--block-base-fee-per-gas", "0", "--gas-price", "0"]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + ANVIL_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"anvil exited with status {process.returncode} before listening on port {port}.")
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"anvil did not listen on port {port} within {ANVIL_START_SECONDS} s.")


def run(sizes: Sizes, anvil_log: Path) -> GasOutput:
    """Start anvil, connect to it through ape and measure everything; returns the output."""
    from ape import accounts, chain, networks

    with local_anvil(anvil_log) as url, networks.parse_network_choice(NETWORK, provider_settings={"host": url}) as provider:
        node = provider.make_request("anvil_nodeInfo", [])
        if provider.get_balance(accounts.test_accounts[0].address) == 0:
            raise RuntimeError(f"ape's first test account has no funds on {url}: its test mnemonic differs from anvil's default.")
        recorder = Recorder(provider)
        deployment = deploy(CompiledContracts(), accounts, chain, recorder)
        measure_issuance(deployment, recorder)
        measure_recovery(deployment, recorder)
        rounds = measure_claims(deployment, recorder, sizes)
        airdrop_round = rounds.get(sizes.airdrop_size)
        if airdrop_round is None:
            airdrop_round = seeded_round(deployment, recorder, sizes.airdrop_size, 1_000, "airdrop")
        measure_airdrop(deployment, recorder, airdrop_round)
        scaling = measure_scaling(deployment, recorder, sizes)

    return GasOutput(figures=recorder.figures, floors=recorder.floors, measurements=recorder.measurements, scaling=scaling, node=node)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gas", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write the figures to.")
    parser.add_argument("--quick", action="store_true", help="Pools of at most 65,536 entrants instead of a million.")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    output = run(Sizes.quick() if arguments.quick else Sizes.full(), arguments.out.with_suffix(".anvil.log"))
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(output.model_dump(mode="json"), indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
