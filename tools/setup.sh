#!/usr/bin/env bash
# Installs merit's toolchain into the project folder: a Python virtual environment (.venv) with
# the pinned packages and the SDK, node_modules from the committed lock file, and the solc-js
# bridge where py-solc-x and forge look for a compiler. Nothing is downloaded except packages
# from the configured registries; no compiler or node binary is fetched at run time.
#
# Re-running is cheap: each part is redone only when its inputs changed.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
SOLC_VERSION=0.8.28
MIN_PYTHON=3.10
MAX_PYTHON=3.13
MIN_NODE=18

die() {
  echo "setup: $*" >&2
  exit 1
}

hash_of() {
  cat "$@" | sha256sum | cut -d' ' -f1
}

# --- Interpreters -------------------------------------------------------------------------

command -v "$PYTHON" >/dev/null 2>&1 ||
  die "Python not found ('$PYTHON'). Install Python $MIN_PYTHON to $MAX_PYTHON with venv and pip, or set PYTHON=/path/to/python3."
"$PYTHON" - "$MIN_PYTHON" "$MAX_PYTHON" <<'PY' || die "Python $("$PYTHON" -c 'import platform; print(platform.python_version())') is not supported. Install Python $MIN_PYTHON to $MAX_PYTHON, or set PYTHON=/path/to/python3."
import sys
low, high = (tuple(map(int, v.split("."))) for v in sys.argv[1:3])
sys.exit(0 if low <= sys.version_info[:2] <= high else 1)
PY
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null ||
  die "Python at '$(command -v "$PYTHON")' has no venv/ensurepip module. Install the venv package for it (Debian: python3-venv)."

command -v node >/dev/null 2>&1 || die "Node.js not found. Install Node.js $MIN_NODE or newer (with npm)."
command -v npm >/dev/null 2>&1 || die "npm not found. Install npm (it ships with Node.js $MIN_NODE or newer)."
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge "$MIN_NODE" ] ||
  die "Node.js $(node --version) is too old. Install Node.js $MIN_NODE or newer."

# --- Node packages: solc-js, anvil, forge, contract libraries ------------------------------

npm_stamp=node_modules/.merit-setup
npm_hash=$(hash_of package.json package-lock.json)
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_hash" ]; then
  echo "setup: installing node packages from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_hash" >"$npm_stamp"
fi
for tool in anvil forge; do
  [ -x "node_modules/.bin/$tool" ] && "node_modules/.bin/$tool" --version >/dev/null ||
    die "node_modules/.bin/$tool does not run. Its platform package (@foundry-rs/$tool-linux-*) supports Linux on x86_64 and arm64 only."
done

# --- Python environment -------------------------------------------------------------------

venv_stamp=.venv/.merit-setup
venv_hash=$(hash_of requirements.txt sdk/pyproject.toml)
if [ "$(cat "$venv_stamp" 2>/dev/null)" != "$venv_hash" ]; then
  echo "setup: installing Python packages into .venv"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e sdk
  echo "$venv_hash" >"$venv_stamp"
fi

# --- Compiler bridge and tool paths ----------------------------------------------------------

# py-solc-x finds compilers as <SOLCX_BINARY_PATH>/solc-v<version>; forge reads the same file
# through foundry.toml.
mkdir -p .solcx
ln -sfn ../tools/solc-bridge.js ".solcx/solc-v$SOLC_VERSION"
# anvil goes through a wrapper that drops ape-foundry's --steps-tracing (see the wrapper).
ln -sfn "$ROOT/tools/solc-bridge.js" .venv/bin/solc
ln -sfn "$ROOT/tools/anvil-wrapper.sh" .venv/bin/anvil
ln -sfn "$ROOT/node_modules/.bin/forge" .venv/bin/forge

# Every Python of .venv (activated or not, ape included) sees the bridge, the node tools and the
# project folder as an include path of the bridge (ape compiles in a temporary copy that lacks
# node_modules), so no variable has to be exported by hand. A .pth line that starts with "import"
# runs at start-up.
site_packages=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cat >"$site_packages/merit-toolchain.pth" <<PTH
import os; os.environ.setdefault("SOLCX_BINARY_PATH", "$ROOT/.solcx"); os.environ.setdefault("MERIT_SOLC_INCLUDE_PATHS", "$ROOT"); os.environ["PATH"] = os.pathsep.join(["$ROOT/.venv/bin", "$ROOT/node_modules/.bin", os.environ.get("PATH", "")])
PTH

reported=$(.venv/bin/python -c 'import solcx; print(solcx.get_installed_solc_versions())')
case "$reported" in
  *"$SOLC_VERSION"*) ;;
  *) die "py-solc-x does not see the bridge (it reports $reported). Check .solcx/solc-v$SOLC_VERSION." ;;
esac
echo "setup: ready (solc $SOLC_VERSION through solc-js, $(node_modules/.bin/anvil --version | head -1))"
