// Computes roots, proofs and multiproofs with @openzeppelin/merkle-tree itself, so that the SDK's
// trees can be compared with the reference implementation.
//
// Input (JSON on stdin):
//   {"values": [["0", "0xabc..."], ...],   // [index as a decimal string, address]
//    "proofs": [0, 5, ...],                // value indices whose proofs to return
//    "multiproofs": [[1, 4], [], ...]}     // value-index sets for getMultiProof
// Output (JSON on stdout):
//   {"root": "0x...", "proofs": [[...], ...],
//    "multiproofs": [{"leaves": [...], "proof": [...], "proofFlags": [...]}, ...]}
'use strict';

const path = require('path');
const { StandardMerkleTree } = require(
  path.join(__dirname, '..', '..', 'node_modules', '@openzeppelin', 'merkle-tree'),
);

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const tree = StandardMerkleTree.of(request.values, ['uint256', 'address']);
  const output = {
    root: tree.root,
    proofs: (request.proofs || []).map((index) => tree.getProof(index)),
    multiproofs: (request.multiproofs || []).map((indices) => tree.getMultiProof(indices)),
  };
  process.stdout.write(JSON.stringify(output));
});
