"""Merkle trees compared with @openzeppelin/merkle-tree itself, run under node."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from merit.errors import MerkleTreeError
from merit.merkle import (
    EntrantTree,
    MultiProof,
    leaf_hash,
    process_multiproof,
    process_proof,
)
from sdk_support import make_address

NODE_SCRIPT = Path(__file__).with_name("oz_merkle.js")


def openzeppelin(
    values: list[tuple[int, str]],
    proofs: list[int] | None = None,
    multiproofs: list[list[int]] | None = None,
) -> dict[str, Any]:
    """Run StandardMerkleTree.of(values, ['uint256', 'address']) in node and return its output."""
    node = shutil.which("node")
    assert node is not None, "node must be on PATH for the Merkle comparison tests"
    request = {
        "values": [[str(index), address] for index, address in values],
        "proofs": proofs or [],
        "multiproofs": multiproofs or [],
    }
    completed = subprocess.run(
        [node, str(NODE_SCRIPT)],
        input=json.dumps(request).encode(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    return dict(json.loads(completed.stdout))


def random_addresses(count: int, rng: random.Random) -> list[str]:
    addresses = {make_address(rng.getrandbits(64)) for _ in range(count)}
    while len(addresses) < count:
        addresses.add(make_address(rng.getrandbits(64)))
    return sorted(addresses, key=lambda _: rng.random())


def hex_list(items: list[bytes] | tuple[bytes, ...]) -> list[str]:
    return ["0x" + item.hex() for item in items]


def multiproof_json(multiproof: MultiProof) -> dict[str, Any]:
    return {
        "leaves": [[str(index), address] for index, address in multiproof.leaves],
        "proof": hex_list(multiproof.proof),
        "proofFlags": list(multiproof.proof_flags),
    }


def sample_subsets(count: int, rng: random.Random) -> list[list[int]]:
    subsets = [[], [0], list(range(count)), [count - 1]]
    for _ in range(4):
        size = rng.randint(1, count)
        subsets.append(rng.sample(range(count), size))
    return subsets


SIZES = [1, 2, 3, 7, 15, 16, 17, 256, 257, 1000, random.Random(2022).randint(1001, 3000)]


@pytest.mark.parametrize("count", SIZES)
def test_tree_matches_openzeppelin(count: int) -> None:
    rng = random.Random(count)
    addresses = random_addresses(count, rng)
    values = list(enumerate(addresses))
    subsets = sample_subsets(count, rng)

    tree = EntrantTree(values)
    expected = openzeppelin(values, proofs=list(range(count)), multiproofs=subsets)

    assert tree.root_hex == expected["root"]
    table = tree.all_proofs()
    for index in range(count):
        assert hex_list(tree.proof(index)) == expected["proofs"][index], f"proof of value {index}"
        assert table.proof(index) == tree.proof(index), f"table proof of value {index}"
    for subset, reference in zip(subsets, expected["multiproofs"]):
        assert multiproof_json(tree.multiproof(subset)) == reference, f"multiproof of {subset}"


def test_shuffled_values_match_openzeppelin() -> None:
    rng = random.Random(7)
    values = list(enumerate(random_addresses(500, rng)))
    rng.shuffle(values)
    subsets = sample_subsets(len(values), rng)

    tree = EntrantTree(values)
    expected = openzeppelin(values, proofs=list(range(len(values))), multiproofs=subsets)

    assert tree.root_hex == expected["root"]
    assert [hex_list(tree.proof(i)) for i in range(len(values))] == expected["proofs"]
    assert [multiproof_json(tree.multiproof(s)) for s in subsets] == expected["multiproofs"]


def test_large_indices_and_lowercase_match_openzeppelin() -> None:
    rng = random.Random(11)
    values = [(rng.getrandbits(256), address.lower()) for address in random_addresses(40, rng)]

    tree = EntrantTree(values)
    expected = openzeppelin(values, proofs=list(range(40)))

    assert tree.root_hex == expected["root"]
    assert [hex_list(tree.proof(i)) for i in range(40)] == expected["proofs"]


def test_from_addresses_indexes_by_position() -> None:
    addresses = random_addresses(9, random.Random(3))

    tree = EntrantTree.from_addresses(addresses)

    assert [tree.value(i) for i in range(9)] == list(enumerate(addresses))
    assert tree.root == EntrantTree(list(enumerate(addresses))).root
    assert tree.leaf(4) == leaf_hash(4, addresses[4])


def test_proof_table_hashes_pad_with_zero() -> None:
    tree = EntrantTree.from_addresses(random_addresses(11, random.Random(5)))

    table = tree.all_proofs()
    hashes = table.hashes()

    assert hashes.shape == (11, 4, 32)
    assert sorted(set(table.lengths.tolist())) == [3, 4]
    for index in range(11):
        length = int(table.lengths[index])
        assert [row.tobytes() for row in hashes[index, :length]] == table.proof(index)
        assert not hashes[index, length:].any()
    assert np.array_equal(table.hashes(3, 7), hashes[3:7])


# -- verification -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree() -> EntrantTree:
    """A tree of 37 entrants."""
    return EntrantTree.from_addresses(random_addresses(37, random.Random(37)))


def test_verify_accepts_every_proof(tree: EntrantTree) -> None:
    for index in range(len(tree)):
        assert EntrantTree.verify(tree.root, tree.value(index), tree.proof(index))


def test_verify_rejects_other_value(tree: EntrantTree) -> None:
    index, address = tree.value(5)

    assert not EntrantTree.verify(tree.root, (index + 1, address), tree.proof(5))
    assert not EntrantTree.verify(tree.root, (index, make_address(999)), tree.proof(5))
    assert not EntrantTree.verify(tree.root, tree.value(6), tree.proof(5))


def test_verify_rejects_tampered_proof(tree: EntrantTree) -> None:
    proof = tree.proof(5)
    proof[1] = bytes(32)

    assert not EntrantTree.verify(tree.root, tree.value(5), proof)
    assert not EntrantTree.verify(tree.root, tree.value(5), tree.proof(5)[:-1])


def test_verify_multiproof(tree: EntrantTree) -> None:
    multiproof = tree.multiproof([3, 30, 17, 4])

    assert EntrantTree.verify_multiproof(tree.root, multiproof)
    assert {value[0] for value in multiproof.leaves} == {3, 4, 17, 30}
    assert (
        process_multiproof(multiproof.leaf_hashes(), multiproof.proof, multiproof.proof_flags)
        == tree.root
    )


def test_verify_multiproof_rejects_tampering(tree: EntrantTree) -> None:
    multiproof = tree.multiproof([3, 30, 17, 4])
    flipped = tuple(not flag for flag in multiproof.proof_flags)
    other_leaf = (tree.value(8), *multiproof.leaves[1:])

    assert not EntrantTree.verify_multiproof(
        tree.root, MultiProof(multiproof.leaves, multiproof.proof, flipped)
    )
    assert not EntrantTree.verify_multiproof(
        tree.root, MultiProof(other_leaf, multiproof.proof, multiproof.proof_flags)
    )
    assert not EntrantTree.verify_multiproof(
        tree.root, MultiProof(multiproof.leaves, multiproof.proof[1:], multiproof.proof_flags)
    )


def test_empty_multiproof_proves_root(tree: EntrantTree) -> None:
    multiproof = tree.multiproof([])

    assert multiproof.proof == (tree.root,)
    assert EntrantTree.verify_multiproof(tree.root, multiproof)


def test_single_value_tree_root_is_leaf() -> None:
    address = make_address(1)

    tree = EntrantTree.from_addresses([address])

    assert tree.root == leaf_hash(0, address)
    assert tree.proof(0) == []
    assert process_proof(tree.root, []) == tree.root


# -- invalid input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ([], "at least one value"),
        ([(0, "0x1234")], "'0x1234' is not an address"),
        ([(0, "0x" + "zz" * 20)], "is not an address"),
        ([(-1, make_address(1))], "Index -1 is not a uint256"),
        ([(2**256, make_address(1))], "is not a uint256"),
    ],
    ids=["empty", "short address", "non-hex address", "negative index", "index too large"],
)
def test_invalid_values_are_rejected(values: list[tuple[int, str]], fragment: str) -> None:
    with pytest.raises(MerkleTreeError, match=fragment):
        EntrantTree(values)


def test_out_of_range_and_repeated_indices_are_rejected(tree: EntrantTree) -> None:
    with pytest.raises(MerkleTreeError, match="out of range"):
        tree.proof(37)
    with pytest.raises(MerkleTreeError, match="appears twice"):
        tree.multiproof([1, 2, 1])
