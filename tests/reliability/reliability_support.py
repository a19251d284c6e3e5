"""An anvil node that the fault tests start, stop and restart themselves, a campaign driven through
`ape run`, and the checks that every fault test ends with.

Each test gets its own anvil on a free loopback port and its own campaign folder, so that the
chain outlives the processes that the test kills. `verify_issuance` then reads the chain with
web3 and the SDK's packaged ABIs: every winner holds exactly one badge, no (round, pool, index)
was claimed twice, the edition counters match, and the auditor (`ape run audit`) passes.
"""

from __future__ import annotations

import fnmatch
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import Web3
from web3.contract import Contract

from merit.chain.contracts import ContractName, contract_type
from merit.permutation import FeistelPermutation
from merit.publish import load_round

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
CRASH_DRIVER = Path(__file__).with_name("crash_driver.py")

NETWORK = "ethereum:local:foundry"
SECRET_ENV = "MERIT_RELIABILITY_SECRET"
HMAC_SECRET = "reliability-secret-of-at-least-32-bytes"
SIGKILL_STATUS = -signal.SIGKILL
RECEIPT_WAIT_SECONDS = 3
"""Seconds that the fault tests' campaign runs wait for a receipt that an earlier run did not
record (see `crash_driver.py`). The SDK's default is 30 s."""

CAMPAIGN_YAML = """\
name: {name}
title: {{zh: 可靠性测试, en: Reliability test}}
timezone: Asia/Shanghai
series:
  name: Reliability Solar Terms
  symbol: RELST
  description: {{zh: 测试系列, en: Test series}}
  recovery_delay_hours: 72
randomness: {randomness}
channels:
  - id: new-users
    name: {{zh: 新注册用户, en: New registrations}}
    share: 0.3
    rules: {{registered_from: 2022-06-01, min_wallet_tier: 2}}
  - id: learners
    name: {{zh: 课程学习者, en: Course learners}}
    share: 0.7
    rules: {{min_course_points: 100}}
editions:
{editions}
planned_designs: 4
privacy: {{secret_env: {secret_env}}}
"""

EDITION_YAML = """\
  - id: {id}
    name: {{zh: {zh}, en: {en}}}
    released_on: {date}
    supply: {supply}
    entrants: entrants/{id}.csv
    artwork: artwork/{id}.svg
"""

EDITIONS = (
    ("xiazhi", "夏至", "Summer Solstice", "2022-06-21"),
    ("dashu", "大暑", "Major Heat", "2022-07-23"),
)

ENTRANT_HEADER = "user_ref,address,channel,registered_at,wallet_tier,course_points"


def learner_address(number: int) -> str:
    """Return the address of synthetic learner `number`: the key is number + 1."""
    return str(Account.from_key((number + 1).to_bytes(32, "big")).address)


def entrant_rows(position: int, new_users: int, learners: int) -> list[str]:
    """Return the CSV rows (header first) of the edition at `position`; people differ per edition."""
    rows = [ENTRANT_HEADER]
    for number in range(new_users):
        person = position * 1000 + number
        rows.append(f"N-{person},{learner_address(person)},new-users,2022-06-05,2,")
    for number in range(learners):
        person = 500 + position * 1000 + number
        rows.append(f"L-{person},{learner_address(person)},learners,,,{120 + number}")
    return rows


def write_campaign(
    folder: Path,
    *,
    name: str = "reliability",
    editions: int = 1,
    supply: int = 10,
    new_users: int = 12,
    learners: int = 30,
    randomness: str = "vrf",
) -> Path:
    """Write a campaign with synthetic entrants and artwork into `folder`; return the campaign file.

    With the defaults, the one edition has 12 + 30 entrants and 10 winners: 3 new users and 7
    learners.
    """
    (folder / "entrants").mkdir(parents=True, exist_ok=True)
    (folder / "artwork").mkdir(exist_ok=True)
    blocks = []
    for position, (edition_id, zh, en, date) in enumerate(EDITIONS[:editions]):
        blocks.append(EDITION_YAML.format(id=edition_id, zh=zh, en=en, date=date, supply=supply))
        rows = entrant_rows(position, new_users, learners)
        (folder / "entrants" / f"{edition_id}.csv").write_text("\n".join(rows) + "\n", "utf-8")
        (folder / "artwork" / f"{edition_id}.svg").write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><title>{en}</title></svg>\n', "utf-8"
        )
    path = folder / "campaign.yaml"
    text = CAMPAIGN_YAML.format(name=name, randomness=randomness, editions="".join(blocks), secret_env=SECRET_ENV)
    path.write_text(text, "utf-8")
    return path


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------------------------------------
# anvil
# ---------------------------------------------------------------------------------------------


class AnvilNode:
    """An anvil process on a loopback port that a test can stop and start again.

    Every start passes ``--dump-state``, so a stop with SIGTERM writes the chain (blocks,
    receipts, accounts, clock) to `state_file`, and `start(load_state=True)` continues from it on
    the same port.
    """

    def __init__(self, workdir: Path, *, chain_id: int | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state_file = workdir / "anvil-state.json"
        self.chain_id = chain_id
        self.process: subprocess.Popen[bytes] | None = None
        self.web3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 60}))

    def start(self, *, no_mining: bool = False, load_state: bool = False) -> None:
        """Start anvil and wait until it responds."""
        command = [str(ANVIL), "--host", "127.0.0.1", "--port", str(self.port), "--silent"]
        command += ["--dump-state", str(self.state_file)]
        if load_state:
            command += ["--load-state", str(self.state_file)]
        if no_mining:
            command.append("--no-mining")
        if self.chain_id is not None:
            command += ["--chain-id", str(self.chain_id)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not self.web3.is_connected():
            if self.process.poll() is not None:
                raise RuntimeError(f"anvil exited with status {self.process.returncode}: {command}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"anvil on port {self.port} did not respond within 30 s")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop anvil with SIGTERM, which makes it dump its state, and wait for it to exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def rpc(self, method: str, *params: Any) -> Any:
        """Send one JSON-RPC request and return its result.

        Raises:
            RuntimeError: if the node returns an error.
        """
        response = self.web3.provider.make_request(method, list(params))  # type: ignore[arg-type]
        if "error" in response:
            raise RuntimeError(f"{method} failed: {response['error']}")
        return response.get("result")

    @property
    def block_number(self) -> int:
        """Number of the newest block."""
        return int(self.web3.eth.block_number)


# ---------------------------------------------------------------------------------------------
# The campaign, driven through ape
# ---------------------------------------------------------------------------------------------


@dataclass
class CampaignUnderTest:
    """A campaign file with its output and deployment folders, run against one anvil node."""

    node: AnvilNode
    campaign_file: Path
    name: str
    out: Path
    deployments: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def output_dir(self) -> Path:
        """The campaign's output folder, with the journal and the round folders."""
        return self.out / self.name

    @property
    def journal_path(self) -> Path:
        return self.output_dir / "journal.sqlite"

    @property
    def record_path(self) -> Path:
        return self.deployments / "ethereum-local-foundry" / f"{self.name}.json"

    def env(self) -> dict[str, str]:
        return {**os.environ, "APE_FOUNDRY_HOST": self.node.url, SECRET_ENV: HMAC_SECRET, **self.extra_env}

    def step_arguments(self, step: str, *extra: str) -> list[str]:
        """Return the ape arguments of `ape run campaign STEP` for this campaign."""
        return [
            "run", "campaign", step, str(self.campaign_file),
            "--network", NETWORK, "--out", str(self.out), "--deployments", str(self.deployments),
            *extra,
        ]  # fmt: skip

    def ape(self, *arguments: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run ape with `arguments` and return the finished process (no check of its status)."""
        return self._run(self._driver() + ["--", *arguments], timeout)

    def step(self, step: str, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run `ape run campaign STEP` and return the finished process."""
        return self.ape(*self.step_arguments(step, *extra), timeout=timeout)

    def crash(
        self, key: str, point: str, step: str = "run", *extra: str, occurrence: int = 1
    ) -> subprocess.CompletedProcess[str]:
        """Run `ape run campaign STEP`, killed at `point` of the `occurrence`-th transaction sent
        under a key matching the pattern `key` (see `crash_driver.py`)."""
        command = self._driver() + ["--key", key, "--point", point, "--occurrence", str(occurrence), "--"]
        return self._run(command + self.step_arguments(step, *extra), 300)

    def _driver(self) -> list[str]:
        """The crash driver with the shortened receipt wait; without a crash point it only runs ape."""
        return [str(PYTHON), str(CRASH_DRIVER), "--receipt-wait", str(RECEIPT_WAIT_SECONDS)]

    def _run(self, command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout)

    def start_held(
        self, hold_file: Path, key: str, point: str, step: str = "run", *extra: str, occurrence: int = 1
    ) -> subprocess.Popen[str]:
        """Start `ape run campaign STEP` in the background, waiting at `point` of the transaction
        that `crash` would kill while `hold_file` exists; return once it waits there."""
        command = self._driver() + ["--key", key, "--point", point, "--occurrence", str(occurrence)]
        command += ["--hold", str(hold_file), "--"]
        command += self.step_arguments(step, *extra)
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        wait_until(lambda: hold_file.exists() or process.poll() is not None, f"{key} ({point}) was not reached")
        assert process.poll() is None, f"the run ended before {key} ({point}): {process.communicate()}"
        return process

    def crash_report(self, replace_number: int, step: str = "report", *extra: str) -> subprocess.CompletedProcess[str]:
        """Run `ape run campaign STEP`, killed before the `replace_number`-th report file rename."""
        command = self._driver() + ["--report-replace", str(replace_number), "--", *self.step_arguments(step, *extra)]
        return self._run(command, 300)

    def audit(self) -> subprocess.CompletedProcess[str]:
        """Run `ape run audit --campaign` for this campaign."""
        return self.ape(
            "run", "audit", "--campaign", str(self.campaign_file), "--network", NETWORK,
            "--out", str(self.out), "--deployments", str(self.deployments),
        )  # fmt: skip

    # -- the journal, read-only ------------------------------------------------------------------

    def intents(self) -> list[dict[str, Any]]:
        """Return every transaction intent of the journal, oldest first; none without a journal."""
        if not self.journal_path.exists():
            return []
        with sqlite3.connect(f"file:{self.journal_path}?mode=ro", uri=True, timeout=5) as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute("SELECT * FROM tx_intents ORDER BY id").fetchall()
        return [dict(row) for row in rows]

    def intent(self, key: str) -> dict[str, Any] | None:
        """Return the newest intent whose idempotency key matches the shell-style pattern `key`,
        or None."""
        matching = [row for row in self.intents() if fnmatch.fnmatchcase(row["idempotency_key"], key)]
        return matching[-1] if matching else None

    def journal_badges(self) -> int:
        """Return how many badges the journal records."""
        if not self.journal_path.exists():
            return 0
        with sqlite3.connect(f"file:{self.journal_path}?mode=ro", uri=True, timeout=5) as connection:
            return int(connection.execute("SELECT count(*) FROM badges").fetchone()[0])

    # -- the chain, through web3 -----------------------------------------------------------------

    def record(self) -> dict[str, Any]:
        """Return the deployment record as JSON."""
        data: dict[str, Any] = json.loads(self.record_path.read_text("utf-8"))
        return data

    def contract(self, name: ContractName) -> Contract:
        """Return a web3 contract of the deployed `name`, with the SDK's packaged ABI."""
        abi = [item.model_dump(by_alias=True, mode="json") for item in contract_type(name).abi]
        address = self.record()["contracts"][name]["address"]
        return self.node.web3.eth.contract(address=address, abi=abi)


def wait_until(condition: Callable[[], bool], failure: str, timeout: float = 120) -> None:
    """Poll `condition` every 50 ms until it holds.

    Raises:
        TimeoutError: with `failure` if it does not hold within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{failure} within {timeout} s")
        time.sleep(0.05)


def describe(process: subprocess.CompletedProcess[str]) -> str:
    """Return the status and the ends of both outputs of a finished process, for assert messages."""
    return f"status {process.returncode}\nstdout: {process.stdout[-2500:]}\nstderr: {process.stderr[-2500:]}"


@dataclass(frozen=True)
class IssuanceSummary:
    """What `verify_issuance` found on chain."""

    claims: int
    winners: int
    editions: int


def verify_issuance(campaign: CampaignUnderTest, *, audit: bool = True) -> IssuanceSummary:
    """Check on chain that every winner of every seeded round holds exactly one badge and that
    nothing was issued twice; then, with `audit`, that `ape run audit` passes.

    The winners come from the published round files and the seed in `SeedDelivered`, through
    `merit.permutation` (whose parity with the contract `test_permutation_parity` checks).
    """
    series = campaign.contract("BadgeSeries")
    draw = campaign.contract("BadgeDraw")
    claims = draw.events.BadgeClaimed.get_logs(from_block=0)
    seeds = {int(log.args.roundId): int(log.args.seed) for log in draw.events.SeedDelivered.get_logs(from_block=0)}

    per_entrant = Counter((int(log.args.roundId), int(log.args.pool), int(log.args.index)) for log in claims)
    twice = [entrant for entrant, count in per_entrant.items() if count > 1]
    assert not twice, f"(round, pool, index) claimed more than once: {twice}"

    total_winners = 0
    edition_count = int(series.functions.editionCount().call())
    for round_id in range(edition_count):
        edition_id = EDITIONS[round_id][0]
        published = load_round(campaign.output_dir / edition_id)
        stored = series.functions.edition(round_id).call()
        allocated, issued, revoked = int(stored[2]), int(stored[3]), int(stored[4])
        round_claims = [log for log in claims if int(log.args.roundId) == round_id]
        assert issued == len(round_claims), f"edition {round_id}: issued {issued}, BadgeClaimed {len(round_claims)}"
        assert revoked == 0, f"edition {round_id}: {revoked} revoked"
        if round_id not in seeds:
            assert not round_claims, f"edition {round_id} has claims but no seed"
            continue

        winners_by_address: dict[str, tuple[int, int]] = {}
        for pool in published.manifest.pools:
            permutation = FeistelPermutation(seeds[round_id], pool.pool, pool.n)
            for index in permutation.winners(pool.k):
                winners_by_address[published.addresses[pool.pool][int(index)]] = (pool.pool, int(index))
        total_winners += len(winners_by_address)
        assert allocated == len(winners_by_address), f"edition {round_id}: allocated {allocated}"
        assert issued == len(winners_by_address), f"edition {round_id}: issued {issued} of {len(winners_by_address)}"

        claimed = {(int(log.args.pool), int(log.args.index)): str(log.args.account) for log in round_claims}
        assert set(claimed) == set(winners_by_address.values()), f"edition {round_id}: claims differ from winners"
        serials = sorted(int(log.args.serial) for log in round_claims)
        assert serials == list(range(1, len(winners_by_address) + 1)), f"edition {round_id}: serials {serials}"
        for pool in published.manifest.pools:
            for index, address in enumerate(published.addresses[pool.pool]):
                won = winners_by_address.get(address) == (pool.pool, index)
                holds = bool(series.functions.holds(round_id, address).call())
                assert holds == won, f"edition {round_id} pool {pool.pool} index {index} {address}: holds {holds}"
                if won:
                    assert claimed[(pool.pool, index)] == address
                    balance = int(series.functions.balanceOf(address).call())
                    assert balance == 1, f"winner {address} holds {balance} badges"

    assert campaign.journal_badges() == len(claims), "the journal's badges differ from the BadgeClaimed logs"

    if audit:
        result = campaign.audit()
        assert result.returncode == 0, f"ape run audit failed: {describe(result)}"
        document = json.loads((campaign.output_dir / "audit.json").read_text("utf-8"))
        assert document["passed"] is True
    return IssuanceSummary(claims=len(claims), winners=total_winners, editions=edition_count)
