"""A campaign run killed during the airdrop finishes on the next run, issuing each badge once.

The test starts its own anvil on a free loopback port, so the chain outlives the killed process
(the embedded chain dies with it), and drives `ape run campaign run` as an issuer would.
"""

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from web3 import Web3

from merit.chain.contracts import contract_type

from .conftest import HMAC_SECRET, write_campaign

ROOT = Path(__file__).resolve().parents[2]
APE = ROOT / ".venv" / "bin" / "ape"

pytestmark = pytest.mark.slow


def confirmed_airdrops(journal: Path) -> int:
    if not journal.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=1) as connection:
            row = connection.execute(
                "SELECT count(*) FROM tx_intents WHERE step = 'issue' AND state = 'confirmed'"
            ).fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0])


def test_run_killed_during_airdrop_resumes(tmp_path, anvil):
    campaign_file = write_campaign(tmp_path / "campaign", name="resume-campaign", editions=3, supply=20)
    out = tmp_path / "out"
    deployments = tmp_path / "deployments"
    env = {**os.environ, "APE_FOUNDRY_HOST": anvil, "MERIT_TEST_SECRET": HMAC_SECRET}
    command = [
        str(APE), "run", "campaign", "run", str(campaign_file),
        "--network", "ethereum:local:foundry",
        "--out", str(out), "--deployments", str(deployments),
        "--batch-size", "3",
    ]
    journal = out / "resume-campaign" / "journal.sqlite"

    # First run: killed (SIGKILL, no clean-up) once a few airdrop batches are on chain.
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while confirmed_airdrops(journal) < 4:
        assert first.poll() is None, f"the first run ended before the airdrop: {first.stderr.read().decode()[-2000:]}"
        assert time.monotonic() < deadline, "the first run reached no airdrop within 300 s"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    interrupted_at = confirmed_airdrops(journal)

    # Second run: finishes the campaign.
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "60 badges issued" in second.stdout
    assert confirmed_airdrops(journal) > interrupted_at

    # On chain: every winner holds exactly one badge, and no (pool, index) was claimed twice.
    web3 = Web3(Web3.HTTPProvider(anvil))
    record = json.loads((deployments / "ethereum-local-foundry" / "resume-campaign.json").read_text())
    series = web3.eth.contract(
        address=record["contracts"]["BadgeSeries"]["address"],
        abi=[item.model_dump(by_alias=True, mode="json") for item in contract_type("BadgeSeries").abi],
    )
    draw = web3.eth.contract(
        address=record["contracts"]["BadgeDraw"]["address"],
        abi=[item.model_dump(by_alias=True, mode="json") for item in contract_type("BadgeDraw").abi],
    )
    claims = draw.events.BadgeClaimed.get_logs(from_block=0)
    per_entrant = Counter((log.args.roundId, log.args.pool, log.args.index) for log in claims)
    assert len(claims) == 60
    assert set(per_entrant.values()) == {1}
    for round_id in range(3):
        edition = series.functions.edition(round_id).call()
        allocated, issued = edition[2], edition[3]
        assert (allocated, issued) == (20, 20)
        winners = [log for log in claims if log.args.roundId == round_id]
        assert all(series.functions.holds(round_id, log.args.account).call() for log in winners)
        assert len({log.args.serial for log in winners}) == 20
