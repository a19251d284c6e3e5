#!/usr/bin/env bash
# Starts the project's anvil (node_modules/.bin/anvil) without `--steps-tracing`.
#
# ape-foundry 0.8.12 always passes `--steps-tracing`, which makes anvil keep the step-by-step
# trace of every transaction in memory: a whole campaign grows anvil past 18 GB. The set-up step
# installs this wrapper as .venv/bin/anvil, ahead of node_modules/.bin on PATH. Set
# MERIT_ANVIL_STEPS_TRACING=1 to keep the flag, for example to read full traces in `ape console`.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
arguments=()
for argument in "$@"; do
  if [ "$argument" = "--steps-tracing" ] && [ "${MERIT_ANVIL_STEPS_TRACING:-0}" != "1" ]; then
    continue
  fi
  arguments+=("$argument")
done
exec "$here/node_modules/.bin/anvil" "${arguments[@]}"
