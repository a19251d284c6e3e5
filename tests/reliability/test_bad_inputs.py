"""Every bad input of the catalogue (`bad_inputs.py`) is rejected by the issuer's scripts with a
message that names the value and the fix, and nothing is sent or written.

The scripts run in this process through click's test runner, connected to the network of the test
session, so a rejection is checked in milliseconds. These tests are not marked `chain`: on anvil,
each script run ends ape's connection, and ape then starts a fresh anvil without the deployment.
The fault tests (`test_crash_resume.py` and others) drive the scripts against anvil instead.
Each test checks:

- the command failed with a handled error (click's exit, no traceback);
- the output contains every expected pattern (the value or place, and the fix);
- no block was mined and the journal holds the same transaction intents as before;
- no published file, metadata file or deployment record appeared or changed, and the journal
  holds no entrants or rounds that it did not hold before.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import sqlite3
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from bad_inputs import CASES, BadInput
from click.testing import CliRunner, Result
from reliability_support import HMAC_SECRET, ROOT, SECRET_ENV, write_campaign

from merit.chain.deployment import network_choice

CAMPAIGN_NAME = "reliability"

_SCRIPTS: dict[str, ModuleType] = {}


def script(name: str) -> ModuleType:
    """Load `scripts/<name>.py`, as `ape run <name>` does, once per test session."""
    if name not in _SCRIPTS:
        spec = importlib.util.spec_from_file_location(f"merit_script_{name}", ROOT / "scripts" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _SCRIPTS[name] = module
    return _SCRIPTS[name]


def invoke(command: tuple[str, ...], folder: Path) -> Result:
    """Run a script command of the catalogue against the campaign in `folder`."""
    campaign_file = folder / "campaign.yaml"
    arguments = [
        argument.replace("FILE", str(campaign_file)) if argument.startswith("FILE") else argument
        for argument in command[1:]
    ]
    options = {"--network": network_choice(), "--out": str(folder / "out"), "--deployments": str(folder / "deployments")}
    for option, value in options.items():
        if option not in arguments:
            arguments += [option, value]
    return CliRunner().invoke(script(command[0]).cli, arguments)


def snapshot(folder: Path) -> dict[str, str]:
    """Return the sha256 of every file under `folder`'s out and deployments folders, except the
    journal's own files, whose rows `journal_rows` compares instead."""
    files = {}
    for root in (folder / "out", folder / "deployments"):
        for path in sorted(root.rglob("*")) if root.exists() else []:
            if path.is_file() and not path.name.startswith("journal."):
                files[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def journal_rows(folder: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Return the intents, entrants and rounds that the journal holds (empty without a journal)."""
    path = folder / "out" / CAMPAIGN_NAME / "journal.sqlite"
    tables = ("tx_intents", "entrants", "rounds")
    if not path.exists():
        return {table: [] for table in tables}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return {table: connection.execute(f"SELECT * FROM {table}").fetchall() for table in tables}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, HMAC_SECRET)
    monkeypatch.setenv("MERIT_SHORT_SECRET", "short")
    monkeypatch.delenv("MERIT_UNSET_SECRET", raising=False)


@pytest.fixture(scope="module")
def deployed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A campaign folder whose campaign is deployed on the session's chain (through `ape run deploy`).

    Every test requests it, so that the deployment happens before ape takes the snapshot that it
    reverts to after each test.
    """
    folder = tmp_path_factory.mktemp("deployed")
    write_campaign(folder, name=CAMPAIGN_NAME)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_ENV, HMAC_SECRET)
        result = invoke(("deploy", "FILE"), folder)
    assert result.exit_code == 0, result.output
    return folder


def case_parameters() -> list[Any]:
    parameters = []
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case.bug, strict=True)] if case.bug else []
        parameters.append(pytest.param(case, id=case.id, marks=marks))
    return parameters


@pytest.mark.parametrize("case", case_parameters())
def test_bad_input_rejected(case: BadInput, tmp_path: Path, chain: Any, environment: None, deployed_folder: Path):
    folder = tmp_path / "campaign"
    if case.needs_deployment:
        shutil.copytree(deployed_folder, folder)
    else:
        write_campaign(folder, name=CAMPAIGN_NAME)
    case.change(folder)
    files_before = snapshot(folder)
    rows_before = journal_rows(folder)
    head = chain.blocks.head.number

    result = invoke(case.command, folder)

    assert result.exit_code != 0, f"the command succeeded: {result.output}"
    unhandled = "" if isinstance(result.exception, SystemExit) else "".join(traceback.format_exception(*result.exc_info))
    assert not unhandled, f"the command ended with a traceback:\n{unhandled[-3000:]}"
    for pattern in case.expected:
        assert re.search(pattern, result.output), f"{pattern!r} is not in the message:\n{result.output}"
    assert chain.blocks.head.number == head, "a transaction was mined"
    assert journal_rows(folder) == rows_before, "the journal changed"
    assert snapshot(folder) == files_before, "files were written"


def test_catalogue_ids_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 30
