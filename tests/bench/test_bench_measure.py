"""Measuring a command in its own process: time, peak memory, failures and timeouts."""

import sys

import pytest

from bench.measure import CommandFailed, run_measured

pytestmark = pytest.mark.slow


def test_peak_memory_is_the_child_own():
    # 200 MiB of written bytes must be resident at once.
    allocate = "block = bytearray(200 * 1024 * 1024); block[::4096] = b'x' * len(block[::4096]); print('done')"

    big = run_measured([sys.executable, "-c", allocate], timeout_s=60).check()
    small = run_measured([sys.executable, "-c", "print('done')"], timeout_s=60).check()

    assert big.stdout.strip() == "done"
    assert all(load >= 0 for load in big.load_1min)
    assert big.peak_rss_mb >= 200
    assert small.peak_rss_mb < 100


def test_failing_command_raises_with_its_stderr():
    measured = run_measured([sys.executable, "-c", "import sys; sys.exit('broken input')"], timeout_s=60)

    assert measured.returncode == 1
    with pytest.raises(CommandFailed, match="broken input"):
        measured.check()


def test_command_past_its_timeout_is_killed():
    measured = run_measured([sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=0.5)

    assert measured.timed_out
    assert measured.wall_s < 10
    with pytest.raises(CommandFailed, match="timed out"):
        measured.check()
