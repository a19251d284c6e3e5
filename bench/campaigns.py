"""Whole campaigns, timed from the command line as an issuer runs them.

Each run is `ape run campaign run CAMPAIGN --allow-rejections --network NETWORK --out OUT` in a
fresh output folder, timed from outside, so the figure includes ape's start-up and, on anvil,
starting the node. Total gas and transaction count come from the run's campaign journal.

The campaigns are copies under `bench/work/campaigns/`, renamed with a `bench-` prefix. The CLI
writes a deployment record to `deployments/<network>/<name>.json`, so the prefix keeps the
benchmark's records apart from those of a demo run in the same repository. The benchmark
removes its records after each run.

- the example: examples/palace-solar-terms, unchanged except for its name;
- synthetic campaigns: the example's editions, channels and supplies with generated entrant
  files of a chosen total size, every row valid and every row a different person.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from eth_utils import to_checksum_address
from pydantic import BaseModel, Field

from bench.measure import run_measured

__all__ = ["CampaignRun", "prepare_example", "run_campaign", "write_synthetic"]

logger = logging.getLogger(__name__)

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE = REPOSITORY / "examples" / "palace-solar-terms"
APE = REPOSITORY / ".venv" / "bin" / "ape"
DEPLOYMENTS = REPOSITORY / "deployments"
NAME_PREFIX = "bench-"

DEMO_SECRET = "demo-only-secret-for-the-synthetic-palace-solar-terms-data"
"""The HMAC secret of `make demo`, for synthetic data only; a set MERIT_HMAC_SECRET wins."""

NEW_USER_SHARE_PERCENT = 35
"""Share of synthetic rows in the new-users channel, as in the example (7,000 of 20,000 rows)."""

ENTRANT_HEADER = ("user_ref", "address", "channel", "registered_at", "wallet_tier", "course_points")


class CampaignRun(BaseModel):
    """One timed campaign run."""

    campaign: str = Field(description="Campaign name, with the bench- prefix.")
    network: str = Field(description="ape network choice.")
    wall_s: float = Field(description="Wall time of the whole command, start-up included.")
    entrants: int = Field(description="Entrants accepted into the draws.")
    badges: int = Field(description="Badges issued.")
    transactions: int = Field(description="Transactions mined, from the journal.")
    total_gas: int = Field(description="Sum of the receipts' gas, from the journal.")
    gas_by_step: dict[str, int] = Field(description="Gas per campaign step (deploy, commit, draw, issue).")
    command: str
    load_1min: tuple[float, float] = Field(description="1-minute load average when the run started and ended.")


# ---------------------------------------------------------------------------------------------
# Campaign folders
# ---------------------------------------------------------------------------------------------


def _renamed(text: str, name: str) -> str:
    """Return campaign-file text with its top-level `name:` replaced by `name`."""
    renamed, count = re.subn(r"^name: .+$", f"name: {name}", text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise ValueError("The campaign file has no top-level `name:` line to rename.")
    return renamed


def prepare_example(work: Path) -> Path:
    """Copy the example campaign into `work/example` under the name bench-<name>; return its file."""
    folder = work / "example"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for item in ("entrants", "artwork"):
        shutil.copytree(EXAMPLE / item, folder / item)
    shutil.copy2(EXAMPLE / "blocked.txt", folder / "blocked.txt")
    source = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text("utf-8"))
    path = folder / "campaign.yaml"
    path.write_text(_renamed((EXAMPLE / "campaign.yaml").read_text("utf-8"), NAME_PREFIX + source["name"]), "utf-8")
    return path


def synthetic_address(label: str) -> str:
    """Return the EIP-55 address derived from sha256 of `label`; its private key is unknown."""
    return str(to_checksum_address(hashlib.sha256(label.encode()).digest()[:20]))


def write_synthetic(work: Path, entrants: int, *, editions: int | None = None, supply_scale: float = 1.0) -> Path:
    """Write a campaign with the example's editions and `entrants` generated rows in total.

    Args:
        work: Parent folder; the campaign goes to `work/synthetic-<entrants>`.
        entrants: Total rows over all editions, split evenly between them.
        editions: Use only the example's first `editions` editions; default all.
        supply_scale: Factor on each edition's supply, for small quick runs.

    Returns:
        The campaign file.
    """
    config: dict[str, Any] = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text("utf-8"))
    chosen = config["editions"][: editions or len(config["editions"])]
    folder = work / f"synthetic-{entrants}"
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "entrants").mkdir(parents=True)
    (folder / "artwork").mkdir()
    shutil.copy2(EXAMPLE / "blocked.txt", folder / "blocked.txt")

    for position, edition in enumerate(chosen):
        edition["supply"] = max(1, round(edition["supply"] * supply_scale))
        shutil.copy2(EXAMPLE / edition["artwork"], folder / edition["artwork"])
        rows = entrants // len(chosen) + (1 if position < entrants % len(chosen) else 0)
        _write_entrant_file(folder / edition["entrants"], edition["id"], str(edition["released_on"]), rows)

    config["name"] = f"{NAME_PREFIX}synthetic-{entrants}"
    config["editions"] = chosen
    path = folder / "campaign.yaml"
    path.write_text(
        f"# Synthetic campaign of {entrants} entrant rows, written by bench/campaigns.py.\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
        "utf-8",
    )
    return path


def _write_entrant_file(path: Path, edition_id: str, released_on: str, rows: int) -> None:
    """Write `rows` valid rows: 35% new users of tier 2 to 4, the rest learners with enough points."""
    new_users = rows * NEW_USER_SHARE_PERCENT // 100
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ENTRANT_HEADER)
        for number in range(rows):
            user_ref = f"SYN-{edition_id}-{number:07d}"
            address = synthetic_address(f"merit bench campaign {edition_id} {number}")
            if number < new_users:
                writer.writerow((user_ref, address, "new-users", released_on, 2 + number % 3, ""))
            else:
                writer.writerow((user_ref, address, "learners", "", "", 120 + number % 400))


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def _record_paths(campaign_name: str) -> list[Path]:
    """Return the deployment records that a run of `campaign_name` on a local network writes."""
    return [DEPLOYMENTS / slug / f"{campaign_name}.json" for slug in ("ethereum-local-foundry", "ethereum-local-test")]


def _remove_records(campaign_name: str) -> None:
    if not campaign_name.startswith(NAME_PREFIX):
        raise ValueError(f"Refusing to remove the records of {campaign_name}: the benchmark owns only {NAME_PREFIX}* campaigns.")
    for path in _record_paths(campaign_name):
        path.unlink(missing_ok=True)


def run_campaign(campaign_file: Path, network: str, out_root: Path, *, secret: str, timeout_s: float) -> CampaignRun:
    """Run the campaign in a fresh output folder on `network`, timed; return the figures.

    Raises:
        bench.measure.CommandFailed: if the command fails or runs past `timeout_s`.
    """
    from merit.journal import JOURNAL_NAME, Journal

    config = yaml.safe_load(campaign_file.read_text("utf-8"))
    name = config["name"]
    if out_root.exists():
        shutil.rmtree(out_root)
    _remove_records(name)

    command = [
        str(APE), "run", "campaign", "run", str(campaign_file.relative_to(REPOSITORY)),
        "--allow-rejections", "--network", network, "--out", str(out_root.relative_to(REPOSITORY)),
    ]
    environment = {**_environment(), "MERIT_HMAC_SECRET": secret}
    logger.info("Running campaign %s on %s.", name, network)
    try:
        measured = run_measured(command, timeout_s=timeout_s, env=environment, cwd=REPOSITORY).check()
    finally:
        _remove_records(name)

    with Journal.open(out_root / name / JOURNAL_NAME, name) as journal:
        intents = [intent for intent in journal.intents() if intent.gas_used]
        gas_by_step: dict[str, int] = {}
        for intent in intents:
            gas_by_step[intent.step] = gas_by_step.get(intent.step, 0) + int(intent.gas_used or 0)
        editions = [edition["id"] for edition in config["editions"]]
        channels = [channel["id"] for channel in config["channels"]]
        entrants = sum(len(journal.entrants(edition, channel)) for edition in editions for channel in channels)
        badges = sum(len(journal.badges(edition)) for edition in editions)

    run = CampaignRun(
        campaign=name,
        network=network,
        wall_s=measured.wall_s,
        entrants=entrants,
        badges=badges,
        transactions=len(intents),
        total_gas=sum(gas_by_step.values()),
        gas_by_step=gas_by_step,
        command="MERIT_HMAC_SECRET=… ape " + " ".join(command[1:]),
        load_1min=measured.load_1min,
    )
    logger.info("Campaign %s on %s: %.1f s, %d badges, %d gas.", name, network, run.wall_s, run.badges, run.total_gas)
    return run


def _environment() -> dict[str, str]:
    import os

    environment = dict(os.environ)
    # ape finds anvil on PATH; the set-up step installs it in node_modules/.bin.
    environment["PATH"] = f"{REPOSITORY / 'node_modules' / '.bin'}{os.pathsep}{REPOSITORY / '.venv' / 'bin'}{os.pathsep}{environment.get('PATH', '')}"
    return environment
