"""The README's issuer and auditor commands work as written, one after the other, on one anvil."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from campaign.conftest import HMAC_SECRET, write_campaign

ROOT = Path(__file__).resolve().parents[2]
APE = ROOT / ".venv" / "bin" / "ape"

pytestmark = pytest.mark.slow


@pytest.fixture
def run_ape(tmp_path, anvil):
    """Runs `ape run ...` against the test's anvil, with outputs under tmp_path."""
    env = {**os.environ, "APE_FOUNDRY_HOST": anvil, "MERIT_TEST_SECRET": HMAC_SECRET}
    places = ["--out", str(tmp_path / "out"), "--deployments", str(tmp_path / "deployments")]

    def run(*arguments: str, expect: int = 0, places_option: bool = True) -> subprocess.CompletedProcess:
        command = [str(APE), "run", *arguments, "--network", "ethereum:local:foundry"]
        if places_option:
            command += places
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == expect, f"{' '.join(arguments)}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        return result

    return run


def test_issuer_and_auditor_commands(tmp_path, run_ape):
    campaign = str(write_campaign(tmp_path / "campaign", name="commands", editions=2, supply=6))
    out = tmp_path / "out" / "commands"

    plan = run_ape("campaign", "plan", campaign)
    assert "none" in plan.stdout
    assert (out / "xiazhi" / "manifest.json").is_file()

    run_ape("deploy", campaign)
    record = json.loads((tmp_path / "deployments" / "ethereum-local-foundry" / "commands.json").read_text())
    assert set(record["contracts"]) >= {"BadgeSeries", "BadgeDraw", "ChainlinkVrfSource"}
    again = run_ape("deploy", campaign)
    assert "is in place" in again.stdout + again.stderr

    run_ape("campaign", "commit", campaign)
    # On a replayed local calendar the draw of the second edition waits until the first edition's
    # badges are issued, because its window opens when the first one's closes.
    drawn = run_ape("campaign", "draw", campaign)
    assert len(re.findall(r"^[a-z]+ +seeded ", drawn.stdout, re.MULTILINE)) == 1
    issued = run_ape("campaign", "issue", campaign)
    assert "Issued 6 badges." in issued.stdout + issued.stderr
    drawn = run_ape("campaign", "draw", campaign)
    assert len(re.findall(r"^[a-z]+ +seeded ", drawn.stdout, re.MULTILINE)) == 2
    issued = run_ape("campaign", "issue", campaign)
    assert "Issued 6 badges." in issued.stdout + issued.stderr
    status = run_ape("campaign", "status", campaign)
    assert "seeded" in status.stdout

    journal_badges = json.loads(
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "python"),
                "-c",
                "import json, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                "print(json.dumps(c.execute('SELECT address FROM badges ORDER BY serial').fetchall()))",
                str(out / "journal.sqlite"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    holder, lost = journal_badges[0][0], journal_badges[1][0]
    run_ape("badges", "revoke", campaign, "xiazhi", holder, "--reason", "4")
    run_ape("badges", "recover", "propose", campaign, lost, "0x00000000000000000000000000000000000B0B00")
    run_ape("badges", "recover", "cancel", campaign, lost)

    report = run_ape("campaign", "report", campaign)
    assert (out / "report" / "report.zh-CN.html").is_file()
    assert "Wrote" in report.stdout + report.stderr

    audited = run_ape("audit", "--campaign", campaign)
    audit = json.loads((out / "audit.json").read_text())
    assert audit["passed"] is True, audited.stdout
    assert audit["summary"]["badges_revoked"] == 1

    # A third party audits with addresses and the published folder only.
    third = tmp_path / "third-party-audit.json"
    run_ape(
        "audit",
        "--series", record["contracts"]["BadgeSeries"]["address"],
        "--draw", record["contracts"]["BadgeDraw"]["address"],
        "--published", str(out),
        "--output", str(third),
        places_option=False,
    )
    assert json.loads(third.read_text())["passed"] is True
