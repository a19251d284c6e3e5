// Benchmark worker: builds a StandardMerkleTree of @openzeppelin/merkle-tree over the entrants of
// a leaves file and computes the proof of every value, timing each part.
//
//   node bench/ozjs_tree.js LEAVES_FILE [SAMPLE_INDEX ...]
//
// LEAVES_FILE has one lower-case 0x address per line, and line i is entrant i. Value i is
// ['i', address] with the encoding ['uint256', 'address'], as in merit's pools.
// Prints one JSON object on stdout: {count, root, tree_s, proofs_s, proof_hashes, samples}, where
// `samples` maps each SAMPLE_INDEX to its proof, computed after the timed part.
// Every proof is computed and dropped at once, as the SDK worker does, so that a million proofs
// never have to fit in memory together.
'use strict';

const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const { StandardMerkleTree } = require(
  path.join(__dirname, '..', 'node_modules', '@openzeppelin', 'merkle-tree'),
);

function readValues(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
  return lines.map((address, index) => [String(index), address]);
}

function main(argv) {
  if (argv.length < 1) {
    process.stderr.write('usage: node bench/ozjs_tree.js LEAVES_FILE [SAMPLE_INDEX ...]\n');
    process.exit(2);
  }
  const values = readValues(argv[0]);
  const samples = argv.slice(1).map((text) => Number.parseInt(text, 10));

  const started = performance.now();
  const tree = StandardMerkleTree.of(values, ['uint256', 'address']);
  const built = performance.now();
  let proofHashes = 0;
  for (let index = 0; index < values.length; index += 1) {
    proofHashes += tree.getProof(index).length;
  }
  const finished = performance.now();

  const sampleProofs = {};
  for (const index of samples) {
    sampleProofs[index] = tree.getProof(index);
  }
  process.stdout.write(
    JSON.stringify({
      count: values.length,
      root: tree.root,
      tree_s: (built - started) / 1000,
      proofs_s: (finished - built) / 1000,
      proof_hashes: proofHashes,
      samples: sampleProofs,
    }),
  );
}

main(process.argv.slice(2));
