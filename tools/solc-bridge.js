#!/usr/bin/env node
// Presents solc-js (the official Solidity compiler built to WebAssembly) as a native `solc`
// executable, so that py-solc-x (and through it ape-solidity), forge and slither can drive it.
//
// Only the part of solc's command line that those tools call is implemented:
//   solc --version
//   solc [--base-path DIR] [--include-path DIR]... [--allow-paths A,B] --standard-json [FILE]
// Imports that are not in the standard-JSON input are read from disk the way native solc reads
// them: relative to the base path first, then to each include path, and only inside the allowed
// directories (base path, include paths and allow paths).
//
// One addition to native solc: the folders listed in the environment variable
// MERIT_SOLC_INCLUDE_PATHS (separated by ':') are appended to the include paths. ape-solidity
// compiles in a temporary copy of the project that holds only its sources, so imports that the
// project remaps to node_modules/ resolve through the real project folder, which the set-up step
// puts in that variable.
'use strict';

const fs = require('fs');
const path = require('path');

const NATIVE_VERSION_SUFFIX = '.Linux.g++';

function loadCompiler() {
  // Resolved from the project's node_modules, wherever this script is called from.
  return require(path.join(__dirname, '..', 'node_modules', 'solc'));
}

/** Returns the long version in native form: "0.8.28+commit.7893614a.Linux.g++". */
function nativeVersion(solc) {
  // solc-js reports "0.8.28+commit.7893614a.Emscripten.clang"; tools parse only the part
  // before the platform, but some match the native platform suffix too.
  const match = /^(\d+\.\d+\.\d+)\+(commit\.[0-9a-f]+)/.exec(solc.version());
  if (match === null) throw new Error(`Unexpected solc-js version string: ${solc.version()}`);
  return `${match[1]}+${match[2]}${NATIVE_VERSION_SUFFIX}`;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

function parseArguments(argv) {
  const options = { basePath: '', includePaths: [], allowPaths: [], mode: null, inputFile: null };

  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const [flag, inlineValue] = argument.startsWith('--') ? argument.split(/=(.*)/s) : [argument];
    const takeValue = () => {
      if (inlineValue !== undefined) return inlineValue;
      if (i + 1 >= argv.length) throw new Error(`Option ${flag} needs a value.`);
      return argv[++i];
    };

    switch (flag) {
      case '--version':
        options.mode = 'version';
        break;
      case '--help':
        options.mode = 'help';
        break;
      case '--standard-json':
        options.mode = 'standard-json';
        break;
      case '--base-path':
        options.basePath = takeValue();
        break;
      case '--include-path': {
        const value = takeValue();
        if (value === '') throw new Error('Empty values are not allowed in --include-path.');
        options.includePaths.push(value);
        break;
      }
      case '--allow-paths':
        options.allowPaths.push(...takeValue().split(',').filter((entry) => entry !== ''));
        break;
      default:
        if (flag.startsWith('-')) {
          throw new Error(
            `unrecognised option '${flag}'. This bridge supports --version, --help, ` +
              '--standard-json, --base-path, --include-path and --allow-paths.',
          );
        }
        if (options.inputFile !== null) throw new Error(`Only one input file is accepted, got '${flag}' too.`);
        options.inputFile = flag;
    }
  }
  return options;
}

function isInside(file, directory) {
  const relative = path.relative(directory, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Builds solc's import callback: finds a source unit on disk the way native solc does. */
function makeImportReader(options) {
  const basePath = path.resolve(options.basePath || '.');
  const extraIncludePaths = (process.env.MERIT_SOLC_INCLUDE_PATHS || '').split(':').filter((entry) => entry !== '');
  const includePaths = [...options.includePaths, ...extraIncludePaths].map((entry) => path.resolve(entry));
  const allowed = [basePath, ...includePaths, ...options.allowPaths.map((entry) => path.resolve(entry))];

  return (sourceUnitName) => {
    const candidates = path.isAbsolute(sourceUnitName)
      ? [sourceUnitName]
      : [basePath, ...includePaths].map((root) => path.join(root, sourceUnitName));

    for (const candidate of candidates) {
      let real;
      try {
        real = fs.realpathSync(candidate);
      } catch {
        continue;
      }
      if (!allowed.some((directory) => isInside(candidate, directory) || isInside(real, directory))) {
        return {
          error:
            `File outside of allowed directories. The following are allowed: ` +
            allowed.map((directory) => `"${directory}"`).join(', '),
        };
      }
      if (!fs.statSync(real).isFile()) continue;
      return { contents: fs.readFileSync(real, 'utf8') };
    }
    return {
      error:
        'File not found. Searched the following locations: ' +
        candidates.map((candidate) => `"${candidate}"`).join(', ') +
        '.',
    };
  };
}

function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    fail(error.message);
    return;
  }

  if (options.mode === 'version') {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${nativeVersion(loadCompiler())}\n`);
    return;
  }
  if (options.mode !== 'standard-json') {
    process.stdout.write(
      'solc-js bridge: use --version, or --standard-json with the input on stdin or in FILE.\n',
    );
    if (options.mode !== 'help') process.exitCode = 1;
    return;
  }

  let input;
  try {
    input = fs.readFileSync(options.inputFile === null ? 0 : options.inputFile, 'utf8');
  } catch (error) {
    fail(`Could not read the standard-JSON input: ${error.message}`);
    return;
  }

  // Native solc reports every problem, including invalid JSON, inside the output JSON and exits
  // with 0; tools read the "errors" array, so the bridge does the same.
  const output = loadCompiler().compile(input, { import: makeImportReader(options) });
  process.stdout.write(output);
  process.stdout.write('\n');
}

main();
