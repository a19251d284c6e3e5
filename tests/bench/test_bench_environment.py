"""Reading the machine, the git state and the compiler settings."""

import json
import os
from pathlib import Path

import pytest

from bench.environment import changed_paths, compiler_settings, machine, parse_cpuinfo, parse_meminfo


def test_cpuinfo_of_this_machine_lists_every_cpu():
    model, processors = parse_cpuinfo(Path("/proc/cpuinfo").read_text("utf-8"))

    assert processors == os.cpu_count()
    assert model != "unknown"


def test_meminfo_of_this_machine_gives_the_total():
    total = parse_meminfo(Path("/proc/meminfo").read_text("utf-8"))

    assert total * 1024**3 == pytest.approx(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), rel=0.05)


def test_meminfo_without_total_is_rejected():
    with pytest.raises(ValueError, match="MemTotal"):
        parse_meminfo("MemFree:  100 kB\n")


def test_machine_reads_the_cpu_count():
    assert machine().logical_cpus == os.cpu_count()


def test_changed_paths_skip_bench_and_follow_renames():
    porcelain = " M Makefile\nM  bench/run.py\nR  old.py -> sdk/new.py\n M contracts/BadgeDraw.sol\n"

    assert changed_paths(porcelain) == ["Makefile", "contracts/BadgeDraw.sol", "sdk/new.py"]


def test_compiler_settings_come_from_the_manifest(tmp_path):
    manifest = tmp_path / "__local__.json"
    manifest.write_text(
        json.dumps(
            {
                "compilers": [
                    {
                        "name": "solidity",
                        "version": "0.8.28+commit.7893614a",
                        "contractTypes": ["BadgeSeries"],
                        "settings": {"evmVersion": "cancun", "optimizer": {"enabled": True, "runs": 10000}},
                    }
                ]
            }
        )
    )

    settings = compiler_settings("BadgeSeries", manifest)

    assert settings.version == "0.8.28+commit.7893614a"
    assert settings.evm_version == "cancun"
    assert settings.optimizer_runs == 10_000
    assert settings.via_ir is False
    with pytest.raises(LookupError, match="BadgeDraw"):
        compiler_settings("BadgeDraw", manifest)
