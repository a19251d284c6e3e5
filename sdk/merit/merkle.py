"""Merkle trees of draw entrants, identical to OpenZeppelin's StandardMerkleTree.

A pool's tree is `StandardMerkleTree.of(values, ['uint256', 'address'])` from
`@openzeppelin/merkle-tree` 1.0.8 with its defaults, over values ``[index, account]``:

- leaf = keccak256(keccak256(abi.encode(index, account))). Hashing twice keeps a leaf from
  being mistaken for a 64-byte inner node.
- Leaves are sorted by hash (as unsigned 256-bit numbers) and stored in reverse at the end of
  an array of 2n - 1 nodes. Node i has children 2i + 1 and 2i + 2, and node 0 is the root.
- An inner node is keccak256 of its two children concatenated in ascending order, which is
  what OpenZeppelin's `MerkleProof` in Solidity expects.

The tree lives in one ``(2n - 1, 32)`` uint8 array and is built level by level; all proofs are
gathered level by level as sibling node indices. This keeps a million entrants in a few hundred
megabytes and the hashing in C.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from merit.errors import MerkleTreeError
from merit.hashing import keccak256, keccak256_rows

__all__ = [
    "LEAF_ENCODING",
    "EntrantTree",
    "MultiProof",
    "ProofTable",
    "leaf_hash",
    "node_hash",
    "process_multiproof",
    "process_proof",
]

logger = logging.getLogger(__name__)

LEAF_ENCODING = ("uint256", "address")
"""ABI types of a leaf value, as passed to `StandardMerkleTree.of`."""

EntrantValue = tuple[int, str]
"""A leaf value: the entrant's index in its pool and its address."""

_UINT256_LIMIT = 1 << 256


def _encode_value(index: int, address: str) -> bytes:
    """Return abi.encode(uint256 index, address account)."""
    return index.to_bytes(32, "big") + bytes(12) + _address_bytes(address)


def _address_bytes(address: str) -> bytes:
    if len(address) != 42 or not address.startswith("0x"):
        raise MerkleTreeError(f"{address!r} is not an address. Pass 0x followed by 40 hex digits.")
    try:
        return bytes.fromhex(address[2:])
    except ValueError:
        raise MerkleTreeError(
            f"{address!r} is not an address. Pass 0x followed by 40 hex digits."
        ) from None


def leaf_hash(index: int, address: str) -> bytes:
    """Return the leaf of value ``[index, address]``: keccak256(keccak256(abi.encode(...)))."""
    _check_index(index)
    return keccak256(keccak256(_encode_value(index, address)))


def node_hash(a: bytes, b: bytes) -> bytes:
    """Return the parent of two nodes: keccak256 of both, the smaller first."""
    return keccak256(a + b if a <= b else b + a)


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """Return the root that a leaf and its proof lead to, like `MerkleProof.processProof`."""
    computed = leaf
    for sibling in proof:
        computed = node_hash(computed, sibling)
    return computed


def process_multiproof(
    leaves: Sequence[bytes], proof: Sequence[bytes], proof_flags: Sequence[bool]
) -> bytes:
    """Return the root that a multiproof leads to, like `MerkleProof.processMultiProof`.

    Args:
        leaves: Leaf hashes in the order of `MultiProof.leaves`.
        proof: Sibling hashes that the leaves do not provide.
        proof_flags: For each step, True to combine two computed nodes, False to combine a
            computed node with the next proof hash.

    Raises:
        MerkleTreeError: if the lengths do not fit together.
    """
    if len(leaves) + len(proof) != len(proof_flags) + 1:
        raise MerkleTreeError(
            f"A multiproof with {len(leaves)} leaves and {len(proof)} proof hashes needs "
            f"{len(leaves) + len(proof) - 1} flags, not {len(proof_flags)}."
        )
    if len(proof) < sum(1 for flag in proof_flags if not flag):
        raise MerkleTreeError("The multiproof has fewer proof hashes than False flags.")

    stack: deque[bytes] = deque(leaves)
    hashes: deque[bytes] = deque(proof)
    for flag in proof_flags:
        if not stack:
            raise MerkleTreeError("The multiproof flags consume more nodes than it provides.")
        a = stack.popleft()
        if flag:
            if not stack:
                raise MerkleTreeError("The multiproof flags consume more nodes than it provides.")
            b = stack.popleft()
        else:
            b = hashes.popleft()
        stack.append(node_hash(a, b))
    if len(stack) + len(hashes) != 1:
        raise MerkleTreeError("The multiproof does not reduce to a single root.")
    return stack.pop() if stack else hashes.popleft()


def _check_index(index: int) -> None:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < _UINT256_LIMIT:
        raise MerkleTreeError(f"Index {index!r} is not a uint256. Pass an integer in [0, 2**256).")


@dataclass(frozen=True)
class MultiProof:
    """Proof that several values are in a tree, in OpenZeppelin's `getMultiProof` layout.

    Attributes:
        leaves: The proven values, in the order in which the verifier consumes them (descending
            tree position, which is ascending leaf hash).
        proof: Sibling hashes that the leaves do not provide.
        proof_flags: One flag per hashing step; see `process_multiproof`.
    """

    leaves: tuple[EntrantValue, ...]
    proof: tuple[bytes, ...]
    proof_flags: tuple[bool, ...]

    def leaf_hashes(self) -> list[bytes]:
        """Return the leaf hashes of `leaves`, as `MerkleProof.multiProofVerify` takes them."""
        return [leaf_hash(index, address) for index, address in self.leaves]

    def packed_flags(self) -> bytes:
        """Return `proof_flags` one bit each, flag i in bit ``i % 8`` of byte ``i // 8``: the
        form that `BadgeDraw.claimMultiProof` takes."""
        packed = bytearray((len(self.proof_flags) + 7) // 8)
        for position, flag in enumerate(self.proof_flags):
            if flag:
                packed[position // 8] |= 1 << (position % 8)
        return bytes(packed)


@dataclass(frozen=True)
class ProofTable:
    """The proofs of every value of a tree, as sibling node indices.

    Attributes:
        siblings: ``(n, depth)`` array; row i lists the tree nodes of value i's proof, leaf
            level first, padded with -1 after `lengths[i]` entries.
        lengths: Proof length of each value; it differs by at most one between values.
    """

    siblings: NDArray[np.int64]
    lengths: NDArray[np.int64]
    _tree: NDArray[np.uint8]

    def __len__(self) -> int:
        return int(self.siblings.shape[0])

    def proof(self, value_index: int) -> list[bytes]:
        """Return the proof of one value as 32-byte hashes."""
        row = self.siblings[value_index, : int(self.lengths[value_index])]
        return [self._tree[node].tobytes() for node in row]

    def hashes(self, start: int = 0, stop: int | None = None) -> NDArray[np.uint8]:
        """Return the proofs of values `start` to `stop` as a ``(m, depth, 32)`` array.

        Padding positions beyond a proof's length are zero. The whole table of a million values
        takes 640 MB, so large callers may prefer slices.
        """
        rows = self.siblings[start:stop]
        # Gathering four 8-byte words per node is faster than 32 single bytes.
        words = self._tree.view(np.uint64)[np.maximum(rows, 0)]
        words[rows < 0] = 0
        gathered: NDArray[np.uint8] = words.view(np.uint8).reshape(*rows.shape, 32)
        return gathered


class EntrantTree:
    """A StandardMerkleTree over ``['uint256', 'address']`` values ``[index, account]``.

    Values keep the order in which they were given: value i is ``values[i]``. For a pool, value i
    is ``(i, address of entrant i)``; `from_addresses` builds exactly that.

    Raises:
        MerkleTreeError: on construction, if there are no values, an index is not a uint256 or
            an address is malformed.
    """

    def __init__(self, values: Sequence[EntrantValue]) -> None:
        count = len(values)
        if count == 0:
            raise MerkleTreeError("A Merkle tree needs at least one value; the pool is empty.")
        self._values: tuple[EntrantValue, ...] = tuple(values)

        encoded = self._encode(self._values)
        inner = keccak256_rows(encoded, 64)
        leaves = np.frombuffer(keccak256_rows(inner, 32), dtype=np.uint8).reshape(count, 32)

        # Stable, like JavaScript's Array.prototype.sort, so equal leaves keep their order.
        order = np.argsort(leaves.view("S32").ravel(), kind="stable")
        tree = np.empty((2 * count - 1, 32), dtype=np.uint8)
        tree[count - 1 :] = leaves[order][::-1]
        tree_index = np.empty(count, dtype=np.int64)
        tree_index[order] = (2 * count - 2) - np.arange(count, dtype=np.int64)

        self._hash_inner_nodes(tree, count)
        self._tree = tree
        self._tree_index = tree_index
        logger.debug("Built a Merkle tree of %d values, root 0x%s.", count, tree[0].tobytes().hex())

    @classmethod
    def from_addresses(cls, addresses: Sequence[str]) -> EntrantTree:
        """Build the tree of a pool whose entrant i has address ``addresses[i]``."""
        return cls(list(enumerate(addresses)))

    @staticmethod
    def _encode(values: Sequence[EntrantValue]) -> bytes:
        """Return abi.encode(index, address) of every value, laid end to end."""
        count = len(values)
        indices = [value[0] for value in values]
        addresses = [value[1] for value in values]
        for index in indices:
            _check_index(index)

        malformed = [a for a in addresses if len(a) != 42 or not a.startswith("0x")]
        if malformed:
            _address_bytes(malformed[0])
        try:
            address_bytes = bytes.fromhex("".join([a[2:] for a in addresses]))
        except ValueError:
            for address in addresses:
                _address_bytes(address)
            raise

        encoded = np.zeros((count, 64), dtype=np.uint8)
        encoded[:, 44:] = np.frombuffer(address_bytes, dtype=np.uint8).reshape(count, 20)
        if max(indices) < 1 << 64:
            words = np.array(indices, dtype=">u8").view(np.uint8).reshape(count, 8)
            encoded[:, 24:32] = words
        else:
            for row, index in enumerate(indices):
                encoded[row, :32] = np.frombuffer(index.to_bytes(32, "big"), dtype=np.uint8)
        return encoded.tobytes()

    @staticmethod
    def _hash_inner_nodes(tree: NDArray[np.uint8], count: int) -> None:
        """Fill nodes 0..count-2 from their children, one tree level at a time, bottom up."""
        levels: list[tuple[int, int]] = []
        depth = 0
        while (1 << depth) - 1 < count - 1:
            first = (1 << depth) - 1
            levels.append((first, min((1 << (depth + 1)) - 1, count - 1)))
            depth += 1

        for first, end in reversed(levels):
            # Children of nodes first..end-1 are 2i+1 (left) and 2i+2 (right), all one level
            # lower, so they are leaves or were hashed in an earlier iteration.
            left = tree[2 * first + 1 : 2 * end : 2]
            right = tree[2 * first + 2 : 2 * end + 1 : 2]
            swap = left.view("S32") > right.view("S32")
            pairs = np.empty((end - first, 64), dtype=np.uint8)
            pairs[:, :32] = np.where(swap, right, left)
            pairs[:, 32:] = np.where(swap, left, right)
            tree[first:end] = np.frombuffer(
                keccak256_rows(pairs.tobytes(), 64), dtype=np.uint8
            ).reshape(end - first, 32)

    # -- accessors ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._values)

    @property
    def root(self) -> bytes:
        """The 32-byte root, as committed on chain."""
        return bytes(self._tree[0].tobytes())

    @property
    def root_hex(self) -> str:
        """The root as 0x-prefixed hex, as `StandardMerkleTree.root` returns it."""
        return "0x" + self.root.hex()

    @property
    def nodes(self) -> NDArray[np.uint8]:
        """All 2n - 1 nodes as a read-only ``(2n - 1, 32)`` array; node 0 is the root."""
        view = self._tree.view()
        view.flags.writeable = False
        return view

    def value(self, value_index: int) -> EntrantValue:
        """Return value `value_index` as it was given."""
        self._check_value_index(value_index)
        return self._values[value_index]

    def tree_position(self, value_index: int) -> int:
        """Return the node index of a value's leaf."""
        self._check_value_index(value_index)
        return int(self._tree_index[value_index])

    def leaf(self, value_index: int) -> bytes:
        """Return the leaf hash of a value."""
        return bytes(self._tree[self.tree_position(value_index)].tobytes())

    def proof(self, value_index: int) -> list[bytes]:
        """Return the proof of one value, like `StandardMerkleTree.getProof(index)`."""
        node = self.tree_position(value_index)
        proof: list[bytes] = []
        while node > 0:
            sibling = node + 1 if node % 2 else node - 1
            proof.append(self._tree[sibling].tobytes())
            node = (node - 1) // 2
        return proof

    def all_proofs(self) -> ProofTable:
        """Return the proofs of all values, gathered level by level with numpy."""
        count = len(self._values)
        depth = (2 * count - 1).bit_length() - 1
        siblings = np.full((count, depth), -1, dtype=np.int64)
        position = self._tree_index.copy()
        for step in range(depth):
            active = position > 0
            sibling = np.where(position & 1, position + 1, position - 1)
            siblings[:, step] = np.where(active, sibling, -1)
            position = np.where(active, (position - 1) // 2, 0)
        lengths = np.count_nonzero(siblings >= 0, axis=1).astype(np.int64)
        return ProofTable(siblings=siblings, lengths=lengths, _tree=self._tree)

    def multiproof(self, value_indices: Sequence[int]) -> MultiProof:
        """Return a proof for several values, like `StandardMerkleTree.getMultiProof(indices)`.

        Raises:
            MerkleTreeError: if an index is out of range or repeated.
        """
        by_position: dict[int, int] = {}
        for value_index in value_indices:
            position = self.tree_position(value_index)
            if position in by_position:
                raise MerkleTreeError(
                    f"Value {value_index} appears twice in the multiproof request. Pass each once."
                )
            by_position[position] = value_index
        positions = sorted(by_position, reverse=True)

        stack: deque[int] = deque(positions)
        proof: list[bytes] = []
        flags: list[bool] = []
        while stack and stack[0] > 0:
            node = stack.popleft()
            sibling = node + 1 if node % 2 else node - 1
            if stack and stack[0] == sibling:
                flags.append(True)
                stack.popleft()
            else:
                flags.append(False)
                proof.append(self._tree[sibling].tobytes())
            stack.append((node - 1) // 2)
        if not positions:
            proof.append(self.root)

        return MultiProof(
            leaves=tuple(self._values[by_position[position]] for position in positions),
            proof=tuple(proof),
            proof_flags=tuple(flags),
        )

    # -- verification --------------------------------------------------------------------------

    @staticmethod
    def verify(root: bytes, value: EntrantValue, proof: Sequence[bytes]) -> bool:
        """Return whether `proof` shows that `value` is in the tree with root `root`."""
        return process_proof(leaf_hash(*value), proof) == root

    @staticmethod
    def verify_multiproof(root: bytes, multiproof: MultiProof) -> bool:
        """Return whether `multiproof` shows that all its values are in the tree with `root`.

        A malformed multiproof (lengths that do not fit together) is reported as False.
        """
        try:
            return (
                process_multiproof(
                    multiproof.leaf_hashes(), multiproof.proof, multiproof.proof_flags
                )
                == root
            )
        except MerkleTreeError:
            return False

    def _check_value_index(self, value_index: int) -> None:
        if isinstance(value_index, bool) or not 0 <= value_index < len(self._values):
            raise MerkleTreeError(
                f"Value index {value_index} is out of range; the tree has {len(self._values)} "
                f"values, indexed 0 to {len(self._values) - 1}."
            )
