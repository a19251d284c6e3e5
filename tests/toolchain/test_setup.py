"""The set-up step stops at once, naming what to install, when an interpreter is missing or old."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "tools" / "setup.sh"


def fake_tool(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)


def run_setup(path_entries: list[Path], **environment: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.pathsep.join(str(p) for p in path_entries), "HOME": os.environ.get("HOME", "/tmp")}
    env.update(environment)
    return subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, env=env, timeout=60, check=False)


def system_tools(tmp_path: Path) -> Path:
    """A folder with the basic commands the script needs, but no python3, node or npm."""
    folder = tmp_path / "system"
    folder.mkdir()
    for tool in ("cat", "cut", "dirname", "sha256sum", "mkdir", "ln", "env", "sh", "bash"):
        source = subprocess.run(["which", tool], capture_output=True, text=True, check=True).stdout.strip()
        (folder / tool).symlink_to(source)
    return folder


def test_missing_python_named(tmp_path):
    result = run_setup([system_tools(tmp_path)], PYTHON="python3")
    assert result.returncode == 1
    assert "Python not found ('python3')" in result.stderr
    assert "Install Python 3.10 to 3.13" in result.stderr


def test_old_python_named(tmp_path):
    tools = tmp_path / "fake"
    tools.mkdir()
    fake_tool(tools, "python3", 'if [ "$1" = "-c" ]; then echo 3.8.10; exit 0; fi\nexit 1')
    result = run_setup([tools, system_tools(tmp_path)])
    assert result.returncode == 1
    assert "Python 3.8.10 is not supported" in result.stderr


def test_missing_node_named(tmp_path):
    python_folder = Path(subprocess.run(["which", "python3"], capture_output=True, text=True, check=True).stdout).parent
    tools = tmp_path / "fake"
    tools.mkdir()
    (tools / "python3").symlink_to(python_folder / "python3")
    result = run_setup([tools, system_tools(tmp_path)])
    assert result.returncode == 1
    assert "Node.js not found. Install Node.js 18 or newer" in result.stderr


def test_old_node_named(tmp_path):
    python_folder = Path(subprocess.run(["which", "python3"], capture_output=True, text=True, check=True).stdout).parent
    tools = tmp_path / "fake"
    tools.mkdir()
    (tools / "python3").symlink_to(python_folder / "python3")
    fake_tool(tools, "node", 'if [ "$1" = "-p" ]; then echo 16; exit 0; fi\necho v16.20.0')
    fake_tool(tools, "npm", "echo 8.0.0")
    result = run_setup([tools, system_tools(tmp_path)])
    assert result.returncode == 1
    assert "Node.js v16.20.0 is too old. Install Node.js 18 or newer." in result.stderr
