"""The contracts that the SDK deploys and talks to, bound through ape.

The `merit` package carries each contract's ABI and bytecode (`artifacts/*.json`, exported from
the project's compiler output by `make artifacts`), so integrators and auditors need neither the
Solidity sources nor a compiler. Every function here needs an active ape network connection, such
as the one `ape run` or `ape test` opens, or `networks.parse_network_choice(...)`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

from ape.contracts import ContractContainer, ContractInstance
from ethpm_types import ContractType

__all__ = ["ContractName", "CONTRACT_NAMES", "compiler_of", "container", "contract_type", "instance_at"]

ContractName = Literal["BadgeSeries", "BadgeDraw", "ChainlinkVrfSource", "CommitRevealSource", "VrfCoordinatorMock"]
CONTRACT_NAMES: tuple[ContractName, ...] = (
    "BadgeSeries",
    "BadgeDraw",
    "ChainlinkVrfSource",
    "CommitRevealSource",
    "VrfCoordinatorMock",
)


@cache
def _artifact(name: str) -> dict[str, Any]:
    if name not in CONTRACT_NAMES:
        raise ValueError(f"Unknown contract {name!r}; the SDK carries {', '.join(CONTRACT_NAMES)}.")
    text = resources.files("merit.chain").joinpath("artifacts", f"{name}.json").read_text("utf-8")
    artifact: dict[str, Any] = json.loads(text)
    return artifact


def contract_type(name: ContractName) -> ContractType:
    """Return the packaged contract type (ABI, bytecode, NatSpec) of `name`."""
    artifact = {key: value for key, value in _artifact(name).items() if key != "compiler"}
    return ContractType.model_validate(artifact)


def compiler_of(name: ContractName) -> dict[str, Any]:
    """Return how `name` was compiled: compiler name and version, EVM version, optimizer."""
    compiler: dict[str, Any] = _artifact(name)["compiler"]
    return compiler


def container(name: ContractName) -> ContractContainer:
    """Return an ape container of `name`, ready to `deploy(...)`."""
    return ContractContainer(contract_type(name))


def instance_at(name: ContractName, address: str) -> ContractInstance:
    """Return the deployed contract `name` at `address` on the connected network."""
    return container(name).at(address)
