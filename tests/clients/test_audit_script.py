"""`ape run audit`: the script's options, its audit.json and its exit status."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result
from clients_support import entrant_addresses

pytestmark = pytest.mark.chain

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def audit_script() -> ModuleType:
    """scripts/audit.py, imported as `ape run` imports it."""
    spec = importlib.util.spec_from_file_location("audit_script", PROJECT_DIR / "scripts" / "audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(audit_script: ModuleType, *arguments: str) -> Result:
    """Run the script's command in this process, on the tests' connection.

    `--network none` makes ape skip connecting, because a nested connection to the same network would
    disconnect the tests' provider when the command ends.
    """
    return CliRunner().invoke(audit_script.cli, [*arguments, "--network", "none"])


def campaign_arguments(scenario) -> list[str]:
    return [
        "--campaign",
        str(scenario.campaign_file),
        "--out",
        str(scenario.round_root.parent),
        "--deployments",
        str(scenario.deployments_root),
    ]


def test_campaign_audit_passes(audit_script, scenario):
    result = run(audit_script, *campaign_arguments(scenario))

    assert result.exit_code == 0, result.output
    document = json.loads((scenario.round_root / "audit.json").read_text())
    assert document["passed"] is True
    assert document["start_block"] == scenario.start_block
    assert document["summary"]["claimed"] == len(scenario.claims)
    assert [round_["published_directory"] for round_ in document["rounds"][:2]] == [
        str(scenario.round_root / "xiazhi"),
        str(scenario.round_root / "dashu"),
    ]


def test_third_party_audit_passes(audit_script, scenario, tmp_path):
    output = tmp_path / "third-party" / "audit.json"

    result = run(
        audit_script,
        "--series",
        scenario.series.address,
        "--draw",
        scenario.draw.address,
        "--published",
        str(scenario.round_root),
        "--block-range",
        "5",
        "--output",
        str(output),
    )

    assert result.exit_code == 0, result.output
    document = json.loads(output.read_text())
    assert document["passed"] is True
    assert document["start_block"] == 0


def test_failed_audit_exits_nonzero(audit_script, scenario, issuer, tmp_path):
    scenario.series.issue(0, entrant_addresses(1, "script-outsider")[0], sender=issuer)
    output = tmp_path / "audit.json"

    result = run(audit_script, *campaign_arguments(scenario), "--output", str(output))

    assert result.exit_code == 1
    assert "discrepancies" in result.output
    document = json.loads(output.read_text())
    assert document["passed"] is False
    assert {item["kind"] for item in document["discrepancies"]} == {"badge-outside-draw", "counter-mismatch"}


@pytest.mark.parametrize(
    "arguments",
    [
        [],
        ["--series", "0x5FbDB2315678afecb367f032d93F642f64180aa3"],
    ],
)
def test_incomplete_options_rejected(audit_script, arguments):
    result = run(audit_script, *arguments)

    assert result.exit_code == 2
    assert "--series, --draw and --published" in result.output


def test_missing_record_rejected(audit_script, scenario, tmp_path):
    result = run(audit_script, *campaign_arguments(scenario)[:4], "--deployments", str(tmp_path))

    assert result.exit_code == 1
    assert "No deployment record of client-test" in result.output


@pytest.mark.slow
def test_ape_run_finds_script():
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")

    completed = subprocess.run(
        [str(Path(sys.executable).parent / "ape"), "run", "audit", "--help"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "--campaign" in completed.stdout
    assert "--block-range" in completed.stdout
