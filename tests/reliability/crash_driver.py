"""Run an ape command in this process and kill the process with SIGKILL at one chosen point.

    python crash_driver.py --key 'airdrop/*/batch-0001' --point mined -- run campaign run FILE ...
    python crash_driver.py --report-replace 2 report CAMPAIGN_FILE --out DIR --deployments DIR

The fault tests use this driver to crash a campaign run exactly where they want, because a signal
sent from outside lands wherever the process happens to be. SIGKILL runs no `finally` block, no
`atexit` handler and no SQLite rollback, like a power cut or the OOM killer.

Crash points of a transaction whose intent key matches `--key` (shell-style pattern):

- ``prepared``: the intent is recorded and the transaction signed, but its hash is not recorded
  and nothing was broadcast;
- ``sent``: the hash is recorded, but the transaction was never broadcast;
- ``mined``: the transaction is in a block, but its receipt is not recorded;
- ``recorded``: the receipt is recorded, but what the step does with it (the deployment record,
  the journal's badge rows) is not.

The points sit at the journal's `mark_sent` and `mark_mined`, which every transaction passes
through, and the wrappers only kill: the code under test runs unchanged up to the crash.

The ``report`` command writes the campaign report the way the issuer would after an audit that
passed, and `--report-replace N` kills the process before the report's N-th file rename
(0 kills before any file is in place; 4 kills after all four).
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

CRASH_POINTS = ("prepared", "sent", "mined", "recorded")


def _kill() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def install_intent_crash(key_pattern: str, point: str) -> None:
    """Kill this process at `point` of the first transaction whose key matches `key_pattern`."""
    from merit.journal import Journal

    def matches(key: str) -> bool:
        return fnmatch.fnmatchcase(key, key_pattern)

    original_mark_sent: Callable[..., Any] = Journal.mark_sent
    original_mark_mined: Callable[..., Any] = Journal.mark_mined

    def mark_sent(self: Journal, key: str, tx_hash: str) -> Any:
        if point == "prepared" and matches(key):
            _kill()
        intent = original_mark_sent(self, key, tx_hash)
        if point == "sent" and matches(key):
            _kill()
        return intent

    def mark_mined(self: Journal, key: str, **receipt: Any) -> Any:
        if point == "mined" and matches(key):
            _kill()
        intent = original_mark_mined(self, key, **receipt)
        if point == "recorded" and matches(key):
            _kill()
        return intent

    Journal.mark_sent = mark_sent  # type: ignore[method-assign]
    Journal.mark_mined = mark_mined  # type: ignore[method-assign]


def install_report_crash(replace_number: int) -> None:
    """Kill this process before the report's `replace_number`-th file rename (counted from 1)."""
    original_replace = os.replace
    renames = 0

    def replace(source: Any, target: Any) -> None:
        nonlocal renames
        renames += 1
        if renames == replace_number:
            _kill()
        original_replace(source, target)

    # `merit.report` calls `os.replace` through the module, so replacing the attribute reaches it.
    os.replace = replace


def write_report(campaign_file: Path, out_root: Path, deployments: Path, replace_number: int | None) -> None:
    """Audit the campaign on the connected anvil and write its report, as the issuer does."""
    from ape import accounts, networks

    from merit.campaign import load_campaign
    from merit.clients.auditor import audit_series
    from merit.clients.issuer import Issuer
    from merit.clients.reporting import write_campaign_report
    from merit.report import AuditResult

    campaign = load_campaign(campaign_file)
    with networks.parse_network_choice("ethereum:local:foundry"):
        with Issuer(campaign, accounts.test_accounts[0], out_root=out_root, deployments=deployments, progress=False) as issuer:
            record = issuer.record
            audit = audit_series(
                record.address_of("BadgeSeries"),
                record.address_of("BadgeDraw"),
                issuer.output_dir,
                edition_folders=[edition.id for edition in campaign.editions],
                start_block=record.contracts["BadgeSeries"].block,
            )
            if not audit.passed:
                print(f"The audit found {len(audit.discrepancies)} discrepancies.", file=sys.stderr)
                sys.exit(1)
            if replace_number is not None:
                # The count starts now: the audit above renames nothing of the report.
                install_report_crash(replace_number)
            write_campaign_report(issuer, AuditResult(passed=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--key", help="Shell-style pattern of the intent key to crash at.")
    parser.add_argument("--point", choices=CRASH_POINTS, help="Where in that transaction to crash.")
    parser.add_argument("--report-replace", type=int, default=None, help="Report file rename to crash before.")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="ape arguments, or: report FILE --out DIR ...")
    options = parser.parse_args()

    command = [argument for argument in options.command if argument != "--"]
    if (options.key is None) != (options.point is None):
        parser.error("Pass --key and --point together.")
    if options.key is not None:
        install_intent_crash(options.key, options.point)

    if command[:1] == ["report"]:
        report = argparse.ArgumentParser(prog="crash_driver.py report")
        report.add_argument("campaign_file", type=Path)
        report.add_argument("--out", type=Path, required=True)
        report.add_argument("--deployments", type=Path, required=True)
        arguments = report.parse_args(command[1:])
        write_report(arguments.campaign_file, arguments.out, arguments.deployments, options.report_replace)
        return

    from ape._cli import cli

    sys.exit(cli.main(args=command, prog_name="ape"))


if __name__ == "__main__":
    main()
