#!/usr/bin/env bash
# Benchmark (issue 12): what the one-step install costs. A cold, first-ever `mise install` of five
# tools through the released plugin (mise clones the plugin, the plugin downloads, verifies and
# places the pinned skillrig-mise, then the five tools install) against the same install with
# plugin and helper already present. Also the size of the helper archive this machine builds.
#
#   bench/bootstrap.sh                  # 5 paired runs
#   BENCH_SHORT=1 bench/bootstrap.sh    # CI mode: 1 run (keeps the script from rotting)
#
# Env: BENCH_RUNS, BENCH_NO_BUILD=1 (use target/package as it is), BENCH_CARGO_LOCK (build under
# flock). Everything is on loopback: the fake GitHub serves the origin and, at
# SKILLRIG_HELPER_BASE_URL, the helper archive; real downloads add the network's time.
set -euo pipefail
export LC_ALL=C
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
source scripts/tools.sh
runs=${BENCH_RUNS:-$([ "${BENCH_SHORT:-0}" = 1 ] && echo 1 || echo 5)}
package="$repo/target/package"

die() { printf 'bootstrap-bench: %s\n' "$*" >&2; exit 1; }
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    PACKAGE_CARGO_LOCK=${BENCH_CARGO_LOCK:-} bash scripts/package-helper.sh "$package" >/dev/null
    ${BENCH_CARGO_LOCK:+flock "$BENCH_CARGO_LOCK"} cargo build --quiet -p testkit
fi
[ -f "$package/plugin/lib/pinned.lua" ] || die "no package in $package (run scripts/package-helper.sh)"
version=$(sed -n 's/^    version = "\(.*\)",$/\1/p' "$package/plugin/lib/pinned.lua")
ensure_mise

work=$(mktemp -d "${TMPDIR:-/tmp}/skillrig-bootstrap.XXXXXX")
server=
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

token="ghp_bench$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077 && printf '%s\n' "$token" >"$work/token")
"$repo/target/debug/testkit" serve --demo --token "$token=bench" --downloads "$package/releases" \
    --info-file "$work/github.json" >"$work/testkit.log" 2>&1 &
server=$!
for _ in $(seq 200); do [ -s "$work/github.json" ] && break; sleep 0.05; done
info() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/github.json" "$1"; }
api=$(info api_url)

mkdir -p "$work"/{home,config/skillrig,project}
printf '[hosts."github.com"]\napi_url = "%s"\ncredential_command = "cat %s"\n' "$api" "$work/token" \
    >"$work/config/skillrig/hosts.toml"
cat >"$work/project/mise.toml" <<TOML
[plugins]
"vfox-backend:skillrig" = "file://$package/plugin#v$version"

[tools]
"skillrig:acme/tools/jira" = "latest"
"skillrig:acme/tools/tfc" = "0.0.6"
"skillrig:acme/tools/oxid" = "latest"
"skillrig:acme/tools/kubelint" = "latest"
"skillrig:acme/tools/jira-cli" = "latest"
TOML
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" \
    MISE_DATA_DIR="$work/mise/data" MISE_CONFIG_DIR="$work/mise/config" \
    MISE_CACHE_DIR="$work/mise/cache" MISE_STATE_DIR="$work/mise/state" MISE_YES=1 \
    SKILLRIG_HELPER_BASE_URL=$(info downloads_url)
unset SKILLRIG_MISE_BIN GITHUB_TOKEN GH_TOKEN MISE_GITHUB_TOKEN GITHUB_API_TOKEN
cd "$work/project"
"$MISE_BIN" trust --quiet mise.toml

clock() { local t=${EPOCHREALTIME/./}; printf -v "$1" '%s' "$t"; }
install() { # install LABEL: one timed `mise install`, checked
    local t0 t1
    clock t0
    "$MISE_BIN" install >"$work/mise.out" 2>&1 || die "$1: mise install failed: $(tail -5 "$work/mise.out")"
    clock t1
    [ "$("$MISE_BIN" exec -- tfc)" = "tfc 0.0.6" ] || die "$1: tfc does not run"
    echo $((t1 - t0))
}
helper_dir="$MISE_DATA_DIR/plugins/skillrig/helper"
cold=() warm=()
for _ in $(seq "$runs"); do
    # First-ever: no plugin, no helper, no tools, no caches.
    rm -rf "$MISE_DATA_DIR" "$MISE_CACHE_DIR" "$XDG_CACHE_HOME"
    cold+=("$(install cold)")
    placed=$(ls -A "$helper_dir")
    [ "$(printf '%s\n' "$placed" | wc -l)" = 1 ] && [[ $placed == "v$version-"* ]] ||
        die "expected one placed helper and nothing else, found: $placed"
    # Same again with plugin and helper in place: tools, mise's and our caches gone.
    rm -rf "$MISE_DATA_DIR/installs" "$MISE_DATA_DIR/shims" "$MISE_CACHE_DIR" "$XDG_CACHE_HOME"
    warm+=("$(install warm)")
done
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.0f", us / 1000 }'; }
cold_med=$(printf '%s\n' "${cold[@]}" | median)
warm_med=$(printf '%s\n' "${warm[@]}" | median)

cat <<EOF

$(date -u +%Y-%m-%d) · $(nproc) cores · $(uname -m) · mise $("$MISE_BIN" --version | cut -d' ' -f1) · skillrig-mise $version · $runs run(s), medians · loopback

| measurement | wall |
|---|---:|
| first-ever \`mise install\`, 5 tools: plugin clone + helper download, sha256, extract, place + 5 installs | $(ms "$cold_med") ms |
| the same with plugin and helper present (5 installs) | $(ms "$warm_med") ms |
| cost of the one-step setup | $(ms $((cold_med - warm_med))) ms |

| helper archive (this machine's target) | bytes |
|---|---:|
EOF
for f in "$package/releases/v$version"/*; do
    case $f in *.sha256) continue ;; esac
    printf '| %s | %s |\n' "$(basename "$f")" "$(wc -c <"$f" | tr -d ' ')"
done
