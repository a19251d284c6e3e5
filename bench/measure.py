"""Running one benchmark command in its own process and measuring its wall time and peak memory.

Peak memory is the command's maximum resident set size as the kernel reports it to `os.wait4`
for that one process. Linux counts in a process's peak the memory of the process it was forked
from, up to its `exec`. A command forked straight from a large benchmark driver would therefore
report at least the driver's size, so a small wrapper process (this file run as a script) starts
the command instead. The wrapper takes a few MiB, which is negligible here.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CommandFailed", "Measured", "run_measured"]

logger = logging.getLogger(__name__)

class CommandFailed(RuntimeError):
    """Raised when a measured command exits with an error status or runs past its timeout."""


@dataclass(frozen=True)
class Measured:
    """The outcome of one measured command.

    Attributes:
        command: The command as run.
        wall_s: Seconds from start to exit, measured by this process.
        peak_rss_mb: Peak resident set size of the child, in MiB.
        returncode: Exit status; negative when a signal ended the child.
        stdout: Everything the child wrote on stdout.
        stderr: Everything the child wrote on stderr.
        timed_out: Whether the child was killed for running past its timeout.
        load_1min: The machine's 1-minute load average when the command started and ended.
    """

    command: tuple[str, ...]
    wall_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    load_1min: tuple[float, float]

    def check(self) -> Measured:
        """Return self, or raise `CommandFailed` with the tail of stderr if the command failed."""
        if self.timed_out:
            raise CommandFailed(f"{' '.join(self.command)} timed out after {self.wall_s:.0f} s.")
        if self.returncode != 0:
            # Some tools (ape among them) print their errors on stdout.
            output = self.stderr.strip() or self.stdout.strip()
            tail = "\n".join(output.splitlines()[-20:])
            raise CommandFailed(f"{' '.join(self.command)} exited with status {self.returncode}:\n{tail}")
        return self


def run_measured(
    command: Sequence[str],
    *,
    timeout_s: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Measured:
    """Run `command` through the wrapper and return its time, memory and output.

    Output goes to temporary files rather than pipes, so a command that writes a lot never
    blocks on a full pipe. A command still running after `timeout_s` seconds is killed with
    SIGKILL, together with the wrapper and every other process of their process group.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as usage_file:
        load_start = os.getloadavg()[0]
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, __file__, usage_file.name, *command],
            stdout=out,
            stderr=err,
            env=None if env is None else dict(env),
            cwd=cwd,
            start_new_session=True,
        )
        timed_out = False
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            logger.warning("Killing %s after %.0f s: it ran past its timeout.", command[0], timeout_s)
            # The wrapper leads a new process group, so this ends the command and its children.
            os.killpg(process.pid, signal.SIGKILL)
            timed_out = True
            process.wait()
        wall_s = time.perf_counter() - started

        peak_kib = usage_file.read().strip()
        out.seek(0)
        err.seek(0)
        return Measured(
            command=tuple(command),
            wall_s=wall_s,
            # ru_maxrss is in KiB on Linux.
            peak_rss_mb=int(peak_kib) / 1024 if peak_kib else 0.0,
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", errors="replace"),
            stderr=err.read().decode("utf-8", errors="replace"),
            timed_out=timed_out,
            load_1min=(round(load_start, 2), round(os.getloadavg()[0], 2)),
        )


def _wrap(usage_path: str, command: Sequence[str]) -> int:
    """Run `command`, write its peak resident set size in KiB to `usage_path`, return its status."""
    process = subprocess.Popen(list(command))
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    with open(usage_path, "w", encoding="ascii") as handle:
        handle.write(str(usage.ru_maxrss))
    return process.returncode if process.returncode >= 0 else 128 - process.returncode


if __name__ == "__main__":
    sys.exit(_wrap(sys.argv[1], sys.argv[2:]))
