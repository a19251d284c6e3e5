"""Run an ape command in this process and kill the process with SIGKILL at one chosen point.

    python crash_driver.py --key 'airdrop/*/pool-1/*' --occurrence 2 --point mined -- run campaign run FILE ...
    python crash_driver.py --key 'airdrop/*' --point recorded --hold FILE -- run campaign run FILE ...
    python crash_driver.py --report-replace 2 -- run campaign report FILE ...

The fault tests use this driver to crash a campaign run exactly where they want, because a signal
sent from outside lands wherever the process happens to be. SIGKILL runs no `finally` block, no
`atexit` handler and no SQLite rollback, like a power cut or the OOM killer.

Crash points of the `--occurrence`-th transaction (default the first) that the process sends
under an intent key matching `--key` (a shell-style pattern):

- ``prepared``: the intent is recorded and the transaction signed, but its hash is not recorded
  and nothing was broadcast;
- ``sent``: the hash is recorded, but the transaction was never broadcast;
- ``mined``: the transaction is in a block, but its receipt is not recorded;
- ``recorded``: the receipt is recorded, but what the step does with it (the deployment record,
  the journal's badge rows) is not.

The points sit at the journal's `mark_sent` and `mark_mined`, which every transaction passes
through, and the wrappers only kill: the code under test runs unchanged up to the crash.

With `--hold FILE`, the process does not die at the point: it creates FILE and waits until the
test removes it, then goes on. The node tests stop anvil during such a hold, so that the node
fails at a known point of the campaign.

`--receipt-wait SECONDS` shortens `merit.chain.transactions.RECEIPT_WAIT_SECONDS`, the time a
run waits for the receipt of a transaction that an earlier run recorded as sent. The default of
30 s suits a live network. On the test's own anvil, a transaction that is unknown after a few
seconds stays unknown, so the shorter wait only saves time.

`--report-replace N` kills the process before the N-th rename of a file into a folder named
``report``: N = 1 kills before any report file is in place, N = 3 after two of the four.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CRASH_POINTS = ("prepared", "sent", "mined", "recorded")


HOLD_POLL_SECONDS = 0.05


def _kill() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _hold(hold_file: Path) -> None:
    """Create `hold_file` and wait until someone removes it."""
    hold_file.write_text(str(os.getpid()), "utf-8")
    while hold_file.exists():
        time.sleep(HOLD_POLL_SECONDS)


def install_intent_crash(key_pattern: str, point: str, occurrence: int = 1, hold_file: Path | None = None) -> None:
    """Kill this process at `point` of the `occurrence`-th transaction that this process sends
    under a key matching `key_pattern`, or, with `hold_file`, wait there once until the test
    removes the file.

    Only transactions that `JournaledSender.send` takes to `point` count: one that the journal
    shows confirmed is skipped before any point, and the settling of intents left by an earlier
    run happens outside `send`.
    """
    from merit.chain.transactions import JournaledSender
    from merit.journal import Journal

    sending: list[str] = []
    counted: list[str] = []
    done = False

    def reached(key: str) -> bool:
        """Count `key` at the crash point; return whether this is the point to stop at."""
        if done or not sending or sending[-1] != key or not fnmatch.fnmatchcase(key, key_pattern):
            return False
        if key not in counted:
            counted.append(key)
        return len(counted) == occurrence and counted[-1] == key

    def stop_here() -> None:
        nonlocal done
        if hold_file is None:
            _kill()
        done = True
        _hold(hold_file)

    original_send: Callable[..., Any] = JournaledSender.send
    original_mark_sent: Callable[..., Any] = Journal.mark_sent
    original_mark_mined: Callable[..., Any] = Journal.mark_mined

    def send(self: JournaledSender, step: str, key: str, txn: Any) -> Any:
        sending.append(key)
        try:
            return original_send(self, step, key, txn)
        finally:
            sending.pop()

    def mark_sent(self: Journal, key: str, tx_hash: str) -> Any:
        if point == "prepared" and reached(key):
            stop_here()
        intent = original_mark_sent(self, key, tx_hash)
        if point == "sent" and reached(key):
            stop_here()
        return intent

    def mark_mined(self: Journal, key: str, **receipt: Any) -> Any:
        if point == "mined" and reached(key):
            stop_here()
        intent = original_mark_mined(self, key, **receipt)
        if point == "recorded" and reached(key):
            stop_here()
        return intent

    JournaledSender.send = send  # type: ignore[method-assign]
    Journal.mark_sent = mark_sent  # type: ignore[method-assign]
    Journal.mark_mined = mark_mined  # type: ignore[method-assign]


def install_report_crash(replace_number: int) -> None:
    """Kill this process before the `replace_number`-th rename into a `report` folder (from 1)."""
    original_replace = os.replace
    renames = 0

    def replace(source: Any, target: Any) -> None:
        nonlocal renames
        if Path(target).parent.name == "report":
            renames += 1
            if renames == replace_number:
                _kill()
        original_replace(source, target)

    # `merit.report` calls `os.replace` through the module, so replacing the attribute reaches it.
    os.replace = replace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--key", help="Shell-style pattern of the intent key to crash at.")
    parser.add_argument("--point", choices=CRASH_POINTS, help="Where in that transaction to crash.")
    parser.add_argument("--occurrence", type=int, default=1, help="Which matching transaction, from 1.")
    parser.add_argument("--hold", type=Path, default=None, help="Wait at the point while this file exists.")
    parser.add_argument("--receipt-wait", type=int, default=None, help="Seconds to wait for a lost receipt.")
    parser.add_argument("--report-replace", type=int, default=None, help="Report file rename to crash before.")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="The ape arguments.")
    options = parser.parse_args()

    command = [argument for argument in options.command if argument != "--"]
    if (options.key is None) != (options.point is None):
        parser.error("Pass --key and --point together.")
    if options.key is not None:
        install_intent_crash(options.key, options.point, options.occurrence, options.hold)

    if options.report_replace is not None:
        install_report_crash(options.report_replace)
    if options.receipt_wait is not None:
        import merit.chain.transactions

        merit.chain.transactions.RECEIPT_WAIT_SECONDS = options.receipt_wait

    from ape._cli import cli

    sys.exit(cli.main(args=command, prog_name="ape"))


if __name__ == "__main__":
    main()
