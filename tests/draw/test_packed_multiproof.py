"""The draw's packed-flag multiproof verifier agrees with OpenZeppelin's `MerkleProof`."""

import random

import pytest

from merit.merkle import EntrantTree

pytestmark = pytest.mark.chain


@pytest.fixture(scope="module")
def harness(project, admin):
    return project.MultiProofHarness.deploy(sender=admin)


def pack(flags: list[bool]) -> bytes:
    packed = bytearray((len(flags) + 7) // 8)
    for position, flag in enumerate(flags):
        if flag:
            packed[position // 8] |= 1 << (position % 8)
    return bytes(packed)


def both(harness, root, leaves, proof, flags):
    packed = harness.verifyPacked(root, leaves, proof, pack(flags), len(flags))
    reference = harness.verifyOpenZeppelin(root, leaves, proof, flags)
    return packed, reference


def address(number: int) -> str:
    return f"0x{(number * 0x9E3779B97F4A7C15 + 1) % (1 << 160):040x}"


CASES = [(size, seed) for seed, size in enumerate([1, 2, 3, 5, 8, 17, 64, 129, 300])]


@pytest.mark.parametrize(("size", "seed"), CASES)
def test_valid_multiproofs_verify(harness, size, seed):
    tree = EntrantTree.from_addresses([address(seed * 1000 + i) for i in range(size)])
    generator = random.Random(seed)
    for _ in range(4):
        chosen = generator.sample(range(size), generator.randint(1, min(size, 40)))
        multiproof = tree.multiproof(chosen)
        result = both(harness, tree.root, multiproof.leaf_hashes(), list(multiproof.proof), list(multiproof.proof_flags))
        assert result == (True, True)


@pytest.mark.parametrize(("size", "seed"), CASES[2:])
def test_tampered_multiproofs_rejected_alike(harness, size, seed):
    tree = EntrantTree.from_addresses([address(seed * 1000 + i) for i in range(size)])
    generator = random.Random(seed + 99)
    chosen = generator.sample(range(size), generator.randint(2, min(size, 30)))
    multiproof = tree.multiproof(chosen)
    leaves, proof, flags = multiproof.leaf_hashes(), list(multiproof.proof), list(multiproof.proof_flags)

    tampered = []
    for position in range(len(flags)):
        tampered.append((leaves, proof, flags[:position] + [not flags[position]] + flags[position + 1 :]))
    if proof:
        tampered.append((leaves, [bytes(32)] + proof[1:], flags))
        tampered.append((leaves, proof[:-1], flags[:-1]))
    tampered.append((list(reversed(leaves)), proof, flags))
    tampered.append((leaves[1:], proof + [leaves[0]], flags))

    for case_leaves, case_proof, case_flags in tampered:
        packed, reference = both(harness, tree.root, case_leaves, case_proof, case_flags)
        assert packed == reference
        assert packed is False


def test_wrong_root_rejected(harness):
    tree = EntrantTree.from_addresses([address(i) for i in range(20)])
    multiproof = tree.multiproof([1, 5, 9])
    result = both(harness, bytes(32), multiproof.leaf_hashes(), list(multiproof.proof), list(multiproof.proof_flags))
    assert result == (False, False)


def test_empty_leaf_set_rejected(harness):
    tree = EntrantTree.from_addresses([address(i) for i in range(4)])
    # OpenZeppelin accepts the bare root as a proof of nothing; the draw's verifier does not.
    assert harness.verifyPacked(tree.root, [], [tree.root], b"", 0) is False
    assert harness.verifyOpenZeppelin(tree.root, [], [tree.root], []) is True
