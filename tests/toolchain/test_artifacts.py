"""The contract artifacts packaged in the SDK equal what the project compiles now."""

import pytest

from merit.chain.contracts import CONTRACT_NAMES, compiler_of, contract_type


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_packaged_artifact_matches_compiler_output(project, name):
    compiled = getattr(project, name).contract_type
    packaged = contract_type(name)
    stale = "sdk/merit/chain/artifacts is stale; run `make artifacts` and commit the result."
    assert packaged.abi == compiled.abi, stale
    assert packaged.deployment_bytecode == compiled.deployment_bytecode, stale
    assert packaged.runtime_bytecode == compiled.runtime_bytecode, stale


def test_packaged_compiler_settings():
    compiler = compiler_of("BadgeSeries")
    assert compiler["version"].startswith("0.8.28+commit.")
    assert compiler["evmVersion"] == "cancun"
    assert compiler["optimizer"] == {"enabled": True, "runs": 10000}
