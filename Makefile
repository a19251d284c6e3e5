# merit: every command a user or CI needs. `make test` is the README's test command.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
APE := $(VENV)/bin/ape
PYTHON := $(VENV)/bin/python
FORGE := node_modules/.bin/forge
SETUP_STAMPS := $(VENV)/.merit-setup node_modules/.merit-setup .solcx/solc-v0.8.28
ANVIL_NETWORK := ethereum:local:foundry

.PHONY: help setup compile artifacts test test-static test-embedded test-anvil test-forge test-demo fuzz-deep demo bench bench-quick clean

help:
	@echo "make setup        install the toolchain into .venv, node_modules and .solcx"
	@echo "make compile      compile the contracts with ape"
	@echo "make artifacts    compile afresh and copy the ABIs and bytecode into the SDK"
	@echo "make test         run every test: slither, embedded chain, anvil, forge and the demo"
	@echo "make fuzz-deep    deep forge fuzz and invariant runs, and 10,000 permutation parity cases"
	@echo "make demo         run the solar-term example campaign on the embedded chain"
	@echo "                  (DEMO_NETWORK=ethereum:local:foundry: on anvil)"
	@echo "make bench        run the benchmarks and write bench/RESULTS.md"
	@echo "make bench-quick  the benchmarks at small sizes, written to bench/work/quick/"

setup: $(SETUP_STAMPS)

$(SETUP_STAMPS) &: requirements.txt package.json package-lock.json sdk/pyproject.toml tools/setup.sh tools/solc-bridge.js tools/anvil-wrapper.sh
	tools/setup.sh

compile: setup
	$(APE) compile

# The SDK carries the ABI and bytecode of the contracts it deploys; refresh them after a change.
artifacts: setup
	$(APE) compile --force
	$(PYTHON) tools/export_artifacts.py

test: test-static test-embedded test-anvil test-forge test-demo

# Slither over the deployed contracts; fails on any finding of medium or high impact. Each false
# positive is silenced at its line with the reason (`slither-disable-next-line`).
test-static: setup
	$(VENV)/bin/slither . --config-file slither.config.json

# Every Python test on the embedded chain (py-evm): unit, SDK, contract and script tests.
test-embedded: setup
	$(APE) test tests

# The tests marked `chain` again on anvil, the node that real deployments resemble.
test-anvil: setup
	$(APE) test tests -m chain --network $(ANVIL_NETWORK)

test-forge: setup
	$(FORGE) test

# The model-case campaign on the embedded chain; DEMO_NETWORK=ethereum:local:foundry runs it on anvil.
# The example's entrant files contain rejected rows on purpose, so the demo proceeds without them,
# and every demo starts anew (--fresh) on a chain that ape starts for it.
# NOTE: the default HMAC secret is for the synthetic demo data only; a real campaign sets its own.
DEMO_NETWORK ?= ethereum:local:test
DEMO_CAMPAIGN ?= examples/palace-solar-terms/campaign.yaml
demo: export MERIT_HMAC_SECRET ?= demo-only-secret-for-the-synthetic-palace-solar-terms-data
demo: setup
	$(APE) run campaign run $(DEMO_CAMPAIGN) --allow-rejections --fresh --network $(DEMO_NETWORK)

# Every benchmark: gas on anvil, off-chain speed, whole campaigns on anvil and the embedded chain.
# Compiles afresh, then writes bench/results.json, bench/RESULTS.md and the plots (about half an hour).
bench: setup
	$(PYTHON) -m bench.run

# The same at small sizes, in a minute or two, written to bench/work/quick/ for iterating.
bench-quick: setup
	$(PYTHON) -m bench.run --quick

# The README's first command, end to end, so that CI checks it as written.
test-demo: demo

# Forge's deep profile (many more fuzz and invariant runs), then the SDK's permutation against the
# contract's on 10,000 random cases instead of CI's 1,000.
fuzz-deep: setup
	FOUNDRY_PROFILE=deep $(FORGE) test
	MERIT_PARITY_CASES=10000 $(APE) test tests/reliability/test_permutation_parity.py -s

clean:
	rm -rf .build contracts/.cache out .pytest_cache
