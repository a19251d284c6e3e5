"""The environment of a benchmark run: machine, load, git commit, compiler settings and tools.

Everything is read from the machine and the build, never typed in: /proc/cpuinfo, /proc/meminfo
and /proc/loadavg for the machine, git for the commit, ape's build manifest for the compiler.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "CompilerSettings",
    "GitState",
    "Machine",
    "compiler_settings",
    "git_state",
    "load_average",
    "machine",
    "tool_versions",
]

REPOSITORY = Path(__file__).resolve().parents[1]
BUILD_MANIFEST = REPOSITORY / ".build" / "__local__.json"


class Machine(BaseModel):
    """The hardware and operating system of the run."""

    cpu_model: str = Field(description="CPU model name from /proc/cpuinfo.")
    logical_cpus: int = Field(description="Logical CPUs the operating system reports.")
    memory_gib: float = Field(description="MemTotal from /proc/meminfo, GiB.")
    os: str = Field(description="Kernel name, release and machine type.")
    python: str


class GitState(BaseModel):
    """The commit of the run and whether the work tree differed from it."""

    commit: str
    subject: str
    dirty_paths: list[str] = Field(description="Paths with uncommitted changes outside bench/ when the run started.")


class CompilerSettings(BaseModel):
    """Compiler settings of the benchmarked contracts, from ape's build manifest."""

    compiler: str
    version: str
    evm_version: str | None
    optimizer_enabled: bool
    optimizer_runs: int | None
    via_ir: bool


def parse_cpuinfo(text: str) -> tuple[str, int]:
    """Return the CPU model name and the number of logical CPUs listed in /proc/cpuinfo text."""
    model = "unknown"
    processors = 0
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "processor":
            processors += 1
        elif key == "model name" and model == "unknown":
            model = value.strip()
    return model, processors


def parse_meminfo(text: str) -> float:
    """Return MemTotal of /proc/meminfo text in GiB.

    Raises:
        ValueError: if the text has no MemTotal line in kB.
    """
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            amount, unit = line.split(":", 1)[1].split()
            if unit != "kB":
                raise ValueError(f"MemTotal is given in {unit!r}; expected kB.")
            return int(amount) / (1024 * 1024)
    raise ValueError("/proc/meminfo has no MemTotal line.")


def machine() -> Machine:
    """Read the machine's CPU, memory and operating system."""
    model, processors = parse_cpuinfo(Path("/proc/cpuinfo").read_text("utf-8"))
    return Machine(
        cpu_model=model,
        logical_cpus=processors or os.cpu_count() or 0,
        memory_gib=round(parse_meminfo(Path("/proc/meminfo").read_text("utf-8")), 1),
        os=f"{platform.system()} {platform.release()} {platform.machine()}",
        python=platform.python_version(),
    )


def load_average() -> tuple[float, float, float]:
    """Return the 1, 5 and 15 minute load averages."""
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=REPOSITORY, check=True, capture_output=True, text=True).stdout


def changed_paths(porcelain: str) -> list[str]:
    """Return the paths of `git status --porcelain` output outside bench/, sorted.

    Each line is two status letters, a space and the path; a rename lists "old -> new".
    """
    paths = []
    for line in porcelain.splitlines():
        path = line[3:].split(" -> ")[-1]
        if path and not path.startswith("bench/"):
            paths.append(path)
    return sorted(paths)


def git_state() -> GitState:
    """Return HEAD and the tracked paths outside bench/ that differ from it."""
    return GitState(
        commit=_git("rev-parse", "HEAD").strip(),
        subject=_git("log", "-1", "--format=%s").strip(),
        dirty_paths=changed_paths(_git("status", "--porcelain", "--untracked-files=no")),
    )


def compiler_settings(contract: str = "BadgeSeries", manifest: Path = BUILD_MANIFEST) -> CompilerSettings:
    """Return the settings that compiled `contract`, from ape's build manifest.

    Raises:
        LookupError: if no compiler entry of the manifest lists the contract.
    """
    data: dict[str, Any] = json.loads(manifest.read_text("utf-8"))
    for compiler in data.get("compilers", []):
        if contract in compiler.get("contractTypes", []):
            settings = compiler.get("settings", {})
            optimizer = settings.get("optimizer", {})
            return CompilerSettings(
                compiler=compiler["name"],
                version=compiler["version"],
                evm_version=settings.get("evmVersion"),
                optimizer_enabled=bool(optimizer.get("enabled", False)),
                optimizer_runs=optimizer.get("runs"),
                via_ir=bool(settings.get("viaIR", False)),
            )
    raise LookupError(f"No compiler in {manifest} built {contract}; run `ape compile --force`.")


def tool_versions() -> dict[str, str]:
    """Return the versions of the tools that the benchmarks run."""
    from importlib import metadata

    def command_version(*command: str) -> str:
        try:
            return subprocess.run(command, cwd=REPOSITORY, check=True, capture_output=True, text=True).stdout.splitlines()[0].strip()
        except (OSError, subprocess.CalledProcessError, IndexError):
            return "unavailable"

    package = json.loads((REPOSITORY / "node_modules" / "@openzeppelin" / "merkle-tree" / "package.json").read_text("utf-8"))
    from merit.hashing import KECCAK_BACKEND

    return {
        "anvil": command_version(str(REPOSITORY / "node_modules" / ".bin" / "anvil"), "--version").removeprefix("anvil Version: "),
        "node": command_version("node", "--version"),
        "ape": metadata.version("eth-ape"),
        "numpy": metadata.version("numpy"),
        "@openzeppelin/merkle-tree": package["version"],
        "merit keccak backend": KECCAK_BACKEND,
    }
