#!/usr/bin/env bash
# plugin-smoke.sh PACKAGE_DIR — the released plugin's bootstrap on this OS, through real mise:
# the pinned skillrig-mise is downloaded once, verified and run; a tampered archive is refused
# before extraction; a helper of another protocol is refused naming both versions.
#
# PACKAGE_DIR is scripts/package-helper.sh's output. Needs mise (MISE_BIN, else on PATH), the
# testkit binary (TESTKIT_BIN, else target/debug/testkit) and Python 3 (PYTHON, else python3).
# Runs anywhere bash does, including Git Bash on Windows, where the plugin takes its `cmd` and
# PowerShell paths; .github/workflows/plugin-bootstrap.yml runs it on Linux, macOS and Windows,
# and scripts/test.sh here. Prints `N passed, M failed`.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 PACKAGE_DIR" >&2; exit 2; }
package=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
mise=${MISE_BIN:-$(command -v mise)}
testkit=${TESTKIT_BIN:-$root/target/debug/testkit}
[ -x "$testkit" ] || [ -x "$testkit.exe" ] || { echo "plugin-smoke: no testkit at $testkit" >&2; exit 2; }
# Paths handed to native Windows programs (mise, skillrig-mise) must be Windows paths.
native() { if command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s' "$1"; fi; }
json() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

version=$(sed -n 's/^    version = "\(.*\)",$/\1/p' "$package/plugin/lib/pinned.lua")
archive=$(sed -n 's/^            archive = "\(.*\)",$/\1/p' "$package/plugin/lib/pinned.lua" | head -1)
[ -n "$version" ] && [ -n "$archive" ] || { echo "plugin-smoke: $package is not a package" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/plugin-smoke.XXXXXX")
server=
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
passed=0 failed=0
check() { # check NAME CONDITION-COMMAND...
    local name=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; fi
}

mkdir -p "$work/releases"
cp -R "$package/releases/." "$work/releases/"
token="ghp_smoke$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
"$testkit" serve --demo --token "$token=smoke" --downloads "$(native "$work/releases")" \
    --info-file "$(native "$work/github.json")" >"$work/testkit.log" 2>&1 &
server=$!
for _ in $(seq 200); do [ -s "$work/github.json" ] && break; sleep 0.05; done
[ -s "$work/github.json" ] || { echo "plugin-smoke: testkit did not start" >&2; exit 1; }
printf '[hosts."github.com"]\napi_url = "%s"\n' "$(json "$work/github.json" api_url)" >"$work/hosts.toml"

# world NAME [PROTOCOL]: a fresh mise world with its own copy of the pinned plugin, linked.
world() {
    local w="$work/$1"
    mkdir -p "$w/project"
    cp -R "$package/plugin" "$w/plugin"
    rm -rf "$w/plugin/.git"
    if [ -n "${2:-}" ]; then # the next release's plugin
        sed -i.bak "s/^M.PROTOCOL = 1\$/M.PROTOCOL = $2/" "$w/plugin/lib/skillrig.lua"
    fi
    export MISE_DATA_DIR=$(native "$w/data") MISE_CONFIG_DIR=$(native "$w/config") \
        MISE_CACHE_DIR=$(native "$w/cache") MISE_STATE_DIR=$(native "$w/state") MISE_YES=1 \
        SKILLRIG_CACHE_DIR=$(native "$w/skillrig-cache") SKILLRIG_CONFIG=$(native "$work/hosts.toml") \
        XDG_CACHE_HOME=$(native "$w/xdg-cache") GITHUB_TOKEN=$token \
        SKILLRIG_HELPER_BASE_URL=$(json "$work/github.json" downloads_url)
    unset SKILLRIG_MISE_BIN
    cd "$w/project"
    "$mise" plugins link --force skillrig "$(native "$w/plugin")" >/dev/null
    helper_root="$w/plugin/helper"
}
contains() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }

echo "== pinned helper: fetched once, verified, run"
world fetch
"$mise" ls-remote skillrig:acme/tools/jira >"$work/out" 2>&1 || true
check "ls-remote lists jira's stream through the fetched helper" contains "$work/out" "2.10.0"
check "no Lua traceback" lacks "$work/out" "stack traceback"
exe=$(find "$helper_root" -type f \( -name skillrig-mise -o -name skillrig-mise.exe \) | head -1)
check "the helper is in place" test -n "$exe"
check "it is the pinned version" contains <("$exe" --version) "skillrig-mise $version"
check "no lock or staging left" test "$(ls -A "$helper_root" | grep -cv "^v$version-")" = 0
# With the archive gone from the server, listing again must still work: no second download.
mv "$work/releases/v$version/$archive" "$work/$archive.away"
"$mise" ls-remote skillrig:acme/tools/oxid >"$work/out" 2>&1 || true
check "later hooks reuse the placed helper" contains "$work/out" "0.10.0"
mv "$work/$archive.away" "$work/releases/v$version/$archive"

echo "== tampered archive: refused before extraction"
world tamper
printf 'tampered' >>"$work/releases/v$version/$archive"
"$mise" ls-remote skillrig:acme/tools/jira >"$work/out" 2>&1 || true
check "the error names the pinned digest" contains "$work/out" "sha256 expected"
check "and the actual one" contains "$work/out" ", actual "
check "and SKILLRIG_MISE_BIN" contains "$work/out" "SKILLRIG_MISE_BIN"
check "nothing was extracted" test -z "$(find "$helper_root" -name 'skillrig-mise*' -type f 2>/dev/null)"
check "no Lua traceback" lacks "$work/out" "stack traceback"

echo "== another protocol via SKILLRIG_MISE_BIN: refused with both versions"
world protocol 2
SKILLRIG_MISE_BIN=$(native "$exe") "$mise" ls-remote skillrig:acme/tools/jira >"$work/out" 2>&1 || true
check "the error names both protocols" contains "$work/out" "speaks protocol 1, the skillrig plugin $version speaks protocol 2"
check "no Lua traceback" lacks "$work/out" "stack traceback"

cd "$root"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
