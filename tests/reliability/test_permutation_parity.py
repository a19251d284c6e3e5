"""The SDK's permutation (`merit.permutation`) and the draw contract's `permute` and `unpermute`
agree on random (N, K, seed) cases.

The cases come from a seeded generator, so a failure names a case that reproduces. Each case
draws a seed, a pool number, an entrant count N and a winner count K. The seeds include the edge
words 0 and 2^256 - 1; N is small, next to a power of two, or log-uniform up to 2^32 - 1, the
largest pool. Each case compares:

- `unpermute` at ranks 0, K - 1 and a random rank below K: the winners that the issuer airdrops;
- `permute` at indices 0, N - 1 and a random index: the rank that a claim checks against K;
- whether each of those indices wins (`permute < K`) by the SDK's `is_winner`.

The contract runs on this test's own anvil, deployed from the SDK's packaged bytecode, and the
calls go out as JSON-RPC batches of `BATCH_SIZE`. `MERIT_PARITY_CASES` sets the number of cases:
1,000 by default (CI), 10,000 in `make fuzz-deep`. `MERIT_PARITY_SEED` changes the generator's
seed.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector
from reliability_support import AnvilNode

from merit.chain.contracts import contract_type
from merit.permutation import MAX_POOL_SIZE, FeistelPermutation, is_winner

pytestmark = pytest.mark.fuzz

CASES = int(os.environ.get("MERIT_PARITY_CASES", "1000"))
GENERATOR_SEED = int(os.environ.get("MERIT_PARITY_SEED", "0x6d65726974"), 0)
BATCH_SIZE = 1000
MAX_SEED = 2**256 - 1
PERMUTE = function_signature_to_4byte_selector("permute(uint256,uint256,uint256,uint256)")
UNPERMUTE = function_signature_to_4byte_selector("unpermute(uint256,uint256,uint256,uint256)")


@dataclass(frozen=True)
class Case:
    """One (seed, pool, N, K) case and the points at which it is compared."""

    number: int
    seed: int
    pool: int
    n: int
    k: int
    indices: tuple[int, ...]
    ranks: tuple[int, ...]


def entrant_count(generator: random.Random) -> int:
    """Draw N: small, next to a power of two, or log-uniform over the whole range."""
    shape = generator.random()
    if shape < 0.15:
        return generator.randint(1, 8)
    if shape < 0.35:
        power = 1 << generator.randint(1, 31)
        return min(MAX_POOL_SIZE, max(1, power + generator.choice((-1, 0, 1))))
    return min(MAX_POOL_SIZE, int(2 ** generator.uniform(0, 32)))


def generate_cases(count: int, generator_seed: int) -> Iterator[Case]:
    generator = random.Random(generator_seed)
    for number in range(count):
        seed = (0, MAX_SEED)[number] if number < 2 else generator.getrandbits(256)
        n = entrant_count(generator)
        k = n if generator.random() < 0.1 else generator.randint(1, n)
        indices = (0, n - 1, generator.randrange(n))
        ranks = (0, k - 1, generator.randrange(k))
        yield Case(number, seed, generator.randrange(8), n, k, indices, ranks)


@pytest.fixture(scope="module")
def parity_draw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Deploys a series and a draw on a private anvil; yields (node URL, draw address)."""
    node = AnvilNode(Path(tmp_path_factory.mktemp("parity")))
    node.start()
    web3 = node.web3
    deployer = web3.eth.accounts[0]

    def deploy(name: str, *arguments: object) -> str:
        artifact = contract_type(name)  # type: ignore[arg-type]
        factory = web3.eth.contract(
            abi=[item.model_dump(by_alias=True, mode="json") for item in artifact.abi],
            bytecode=artifact.deployment_bytecode.bytecode,
        )
        sent = factory.constructor(*arguments).transact({"from": deployer})
        return str(web3.eth.wait_for_transaction_receipt(sent)["contractAddress"])

    series = deploy("BadgeSeries", "Parity", "PARITY", "", deployer, 0, 3600)
    draw = deploy("BadgeDraw", series, deployer, 0)
    yield node.url, draw
    node.stop()


def call_data(selector: bytes, case: Case, value: int) -> str:
    return "0x" + (selector + encode(["uint256"] * 4, [case.seed, case.pool, case.n, value])).hex()


def contract_values(url: str, draw: str, requests_data: list[str]) -> list[int]:
    """Return the uint256 results of `eth_call`s to `draw`, sent as JSON-RPC batches."""
    results: list[int] = []
    with requests.Session() as session:
        for start in range(0, len(requests_data), BATCH_SIZE):
            chunk = requests_data[start : start + BATCH_SIZE]
            payload = [
                {"jsonrpc": "2.0", "id": number, "method": "eth_call", "params": [{"to": draw, "data": data}, "latest"]}
                for number, data in enumerate(chunk)
            ]
            answers = sorted(session.post(url, json=payload, timeout=300).json(), key=lambda answer: answer["id"])
            for answer in answers:
                assert "error" not in answer, f"eth_call failed: {answer['error']}"
                results.append(int(decode(["uint256"], bytes.fromhex(answer["result"][2:]))[0]))
    return results


def test_permutation_parity_with_contract(parity_draw):
    url, draw = parity_draw
    cases = list(generate_cases(CASES, GENERATOR_SEED))
    calls: list[str] = []
    for case in cases:
        calls += [call_data(UNPERMUTE, case, rank) for rank in case.ranks]
        calls += [call_data(PERMUTE, case, index) for index in case.indices]

    started = time.monotonic()
    on_chain = iter(contract_values(url, draw, calls))

    mismatches = []
    for case in cases:
        permutation = FeistelPermutation(case.seed, case.pool, case.n)
        for rank in case.ranks:
            expected = permutation.unpermute(rank)
            got = next(on_chain)
            if got != expected:
                mismatches.append(f"case {case.number} {case}: unpermute({rank}) SDK {expected}, contract {got}")
        for index in case.indices:
            expected = permutation.permute(index)
            got = next(on_chain)
            if got != expected:
                mismatches.append(f"case {case.number} {case}: permute({index}) SDK {expected}, contract {got}")
            won, _ = is_winner(case.seed, case.pool, case.n, case.k, index)
            if won != (got < case.k):
                mismatches.append(f"case {case.number} {case}: index {index} wins by the SDK {won}, by the contract {got < case.k}")
    elapsed = time.monotonic() - started

    assert not mismatches, f"{len(mismatches)} mismatches, the first: {mismatches[:5]}"
    print(f"{len(cases)} cases, {len(calls)} contract calls compared in {elapsed:.1f} s")
