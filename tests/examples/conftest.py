"""Fixtures for the example campaign tests: the generator module, its output and the SDK's view.

These tests need no chain. They read the committed files of examples/palace-solar-terms/ with the
SDK and compare them with what the example's generator produces.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from merit.campaign import Campaign, load_campaign
from merit.entrants import EntrantList, read_entrants

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "palace-solar-terms"
SECRET = b"merit-example-test-secret-0123456789abcdef"


@pytest.fixture(scope="session")
def example_dir() -> Path:
    """The example's folder in the work tree."""
    return EXAMPLE_DIR


def import_example_module(name: str) -> ModuleType:
    """Import a module of the example folder by its plain name.

    The folder name has a hyphen, so it is not a package, and its modules import each other by
    plain name, which needs the folder on sys.path while they load.
    """
    sys.path.insert(0, str(EXAMPLE_DIR))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(EXAMPLE_DIR))


@pytest.fixture(scope="session")
def generator() -> ModuleType:
    """The example's generate.py."""
    return import_example_module("generate")


@pytest.fixture(scope="session")
def designs() -> ModuleType:
    """The example's designs.py, which draws the SVG artwork."""
    return import_example_module("designs")


@pytest.fixture(scope="session")
def eip55() -> ModuleType:
    """The example's eip55.py, its standard-library Keccak-256 and EIP-55."""
    return import_example_module("eip55")


@pytest.fixture(scope="session")
def generated(generator: ModuleType) -> Any:
    """The generator's output in memory: files, rows with their rejection cases, people."""
    return generator.generate()


@pytest.fixture(scope="session")
def campaign() -> Campaign:
    """The example's campaign file, loaded by the SDK."""
    return load_campaign(EXAMPLE_DIR / "campaign.yaml")


@pytest.fixture(scope="session")
def entrant_lists(campaign: Campaign) -> dict[str, EntrantList]:
    """Every edition's committed entrant file as the SDK reads it, rejections allowed."""
    return {
        edition.id: read_entrants(campaign, edition.id, SECRET, allow_rejections=True)
        for edition in campaign.editions
    }
