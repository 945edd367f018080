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
