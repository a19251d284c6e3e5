"""The tree benchmark's driver against the SDK and @openzeppelin/merkle-tree on small trees."""

import pytest

from bench.measure import CommandFailed
from bench.offchain import entrant_address, leaves_file, measure_trees, measure_winners, sample_indices

pytestmark = pytest.mark.slow


def test_leaves_file_has_one_distinct_address_per_line(tmp_path):
    path = leaves_file(tmp_path, 50)

    lines = path.read_text().splitlines()
    assert len(lines) == 50
    assert len(set(lines)) == 50
    assert lines[7] == entrant_address(7)
    assert all(len(line) == 42 and line == line.lower() for line in lines)


def test_sample_indices_cover_both_ends():
    assert sample_indices(1) == [0]
    assert sample_indices(10) == [0, 1, 3, 5, 6, 9]


@pytest.mark.parametrize("count", [1, 2, 37])
def test_both_implementations_agree(tmp_path, count):
    sdk, ozjs = measure_trees(leaves_file(tmp_path, count), count, js_timeout_s=120)

    assert sdk.root == ozjs.root
    assert sdk.samples == ozjs.samples
    assert sdk.proof_hashes == ozjs.proof_hashes
    assert sdk.total_s == pytest.approx(sdk.tree_s + sdk.proofs_s)
    assert ozjs.peak_rss_mb > 0


def test_worker_without_leaves_fails(tmp_path):
    missing = tmp_path / "missing.txt"

    with pytest.raises(CommandFailed, match="exited with status"):
        measure_trees(missing, 3, js_timeout_s=60)


def test_winners_run_reports_time_and_memory():
    run = measure_winners(1_000)

    assert run.entrants == 1_000
    assert 0 < run.seconds < run.process_s
    assert run.peak_rss_mb > 0
