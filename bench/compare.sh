#!/usr/bin/env bash
# End-to-end benchmark (issue 8): our plugin through real mise vs the floor (curl + openssl +
# tar) vs mise's native `github:` backend, against the standalone fake GitHub, in one run.
#
#   bench/compare.sh                  # full mode: 5 paired runs, a 256 MiB asset, revalidation
#   BENCH_SHORT=1 bench/compare.sh    # CI mode: 1 run, an 8 MiB asset, no 60 s wait
#
# Env: BENCH_RUNS (paired runs per comparison), BENCH_PAYLOAD_MB, BENCH_HOOK_RUNS (timed
# `list-versions` calls), BENCH_REVALIDATE=0|1 (wait out the 60 s cache window and list
# again; default 1 in full mode), BENCH_RTT_MS (the fake GitHub waits this long before every
# answer: a stand-in for the network round trip that loopback lacks; default 0),
# BENCH_NO_BUILD=1 (use the binaries already in target/).
#
# Prints a markdown table: one row per measurement with its goal and "met"/"MISSED". Exits
# non-zero only when a measurement is broken (a step failed, a sanity check did not hold),
# never because a goal was missed.
#
# Counts come from the fake GitHub's request log (`/_testkit/stats`, `/_testkit/requests`).
# Bytes downloaded are response body bytes: the log has no sizes, so each logged request is
# replayed once right after its phase (same path, query, Accept, token) and its body counted;
# a 304 counts 0. Wall times are medians; ratios are medians of per-run ratios, each run
# timing both sides back to back (steadier on a shared machine than a ratio of medians).
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME and awk must use '.' as the decimal point

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
source scripts/tools.sh

short=${BENCH_SHORT:-0}
if [ "$short" = 1 ]; then
    runs=${BENCH_RUNS:-1} payload_mb=${BENCH_PAYLOAD_MB:-8} hook_runs=${BENCH_HOOK_RUNS:-20}
    revalidate=${BENCH_REVALIDATE:-0}
else
    runs=${BENCH_RUNS:-5} payload_mb=${BENCH_PAYLOAD_MB:-256} hook_runs=${BENCH_HOOK_RUNS:-50}
    revalidate=${BENCH_REVALIDATE:-1}
fi
rtt_ms=${BENCH_RTT_MS:-0}
started=$SECONDS

say() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'compare: %s\n' "$1" >&2
    [ -z "${2:-}" ] || printf 'hint: %s\n' "$2" >&2
    exit 1
}

for tool in curl openssl tar python3; do
    command -v "$tool" >/dev/null || die "needs $tool" "install it (apt-get install $tool)"
done
[ -x /usr/bin/time ] || die "needs /usr/bin/time for peak RSS" "apt-get install time"

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    say "building skillrig-mise and testkit (release)"
    # BENCH_CARGO_LOCK: a lock file to build under, for machines where builds take turns.
    ${BENCH_CARGO_LOCK:+flock "$BENCH_CARGO_LOCK"} cargo build --quiet --release -p skillrig-mise -p testkit
fi
bin="$repo/target/release"
ensure_mise
mise_version=$("$MISE_BIN" --version | cut -d' ' -f1)

work=$(mktemp -d "${TMPDIR:-/tmp}/skillrig-compare.XXXXXX")
server=
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The fake server's token: a random throwaway that only this run's fake GitHub accepts (the
# fake learns it from its --token argument, as in the demo). The clients get it the way real
# ones would, never on their command lines: skillrig-mise through credential_command, mise's
# native backend through MISE_GITHUB_TOKEN, curl through a header file.
token="ghp_bench$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077 && printf '%s\n' "$token" >"$work/token" &&
    printf 'Authorization: Bearer %s\n' "$token" >"$work/auth.hdr")

say "starting the fake GitHub (demo origin + a ${payload_mb} MiB asset)"
"$bin/testkit" serve --demo --payload-mb "$payload_mb" --token "$token=bench" \
    --info-file "$work/github.json" >"$work/testkit.log" 2>&1 &
server=$!
for _ in $(seq 600); do [ -s "$work/github.json" ] && break; sleep 0.05; done
[ -s "$work/github.json" ] || die "the fake GitHub did not start: $(tail -3 "$work/testkit.log")"
info() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/github.json" "$1"; }
api=$(info api_url) ghes=$(info ghes_api_url) storage=$(info storage_url)
export BENCH_API=$api BENCH_STORAGE=$storage BENCH_TOKEN_FILE=$work/token
if [ "$rtt_ms" != 0 ]; then
    # A delay fault matching every path, API and storage alike, for the whole run.
    curl -fsS -X POST "$api/_testkit/fault" -o /dev/null \
        -d "{\"path\": \"\", \"delay_ms\": $rtt_ms, \"times\": 1000000000}" ||
        die "could not set the round-trip delay"
fi

# The request-log helper. `phase OUT`: prints "api rate_limited storage body_bytes
# conditional leaks" for everything since the last call, saves the log to OUT, replays it
# for the byte count and clears the log. `assets LOG`: the .tar.gz assets a logged phase
# downloaded, as "owner repo tool version tag asset_id name", tool and version read from the
# tag (`1.2.0+tool` or `tool-v1.2.0`).
cat >"$work/log.py" <<'PY'
import http.client, json, os, re, sys, urllib.parse

API, STORAGE = os.environ["BENCH_API"], os.environ["BENCH_STORAGE"]

def request(base, method, target, headers=None):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    conn.request(method, target, headers=headers or {})
    resp = conn.getresponse()
    size = 0
    while chunk := resp.read(1 << 20):
        size += len(chunk)
    return resp.status, size

def control(method, path):
    u = urllib.parse.urlsplit(API)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request(method, path)
    return json.loads(conn.getresponse().read())

def phase(out):
    stats = control("GET", "/_testkit/stats")
    log = control("GET", "/_testkit/requests")
    with open(out, "w") as f:
        json.dump(log, f)
    with open(os.environ["BENCH_TOKEN_FILE"]) as f:
        token = f.read().strip()
    body = 0
    for e in log:
        if e["status"] == 304 or e["method"] != "GET":
            continue
        headers = {"User-Agent": "compare.sh-replay"}
        if e.get("accept"):
            headers["Accept"] = e["accept"]
        if e["authorized"]:
            if not e.get("login"):
                sys.exit(f"replay: {e['path']} carried a token the fake GitHub does not know")
            headers["Authorization"] = "Bearer " + token
        base = API if e["listener"] == "api" else STORAGE
        target = e["path"] + ("?" + e["query"] if e["query"] else "")
        status, size = request(base, "GET", target, headers)
        if status != e["status"]:
            sys.exit(f"replay: {target} answered {status}, logged {e['status']}")
        body += size
    control("POST", "/_testkit/clear-log")
    conditional = sum(1 for e in log if e["conditional"])
    print(stats["api_requests"], stats["rate_limited"], stats["storage_requests"], body,
          conditional, stats["storage_auth_leaks"])

def assets(logfile):
    with open(logfile) as f:
        log = json.load(f)
    wanted = [e for e in log if e["listener"] == "storage" and e["status"] == 200
              and e["path"].endswith(".tar.gz")]
    listings = {}
    with open(os.environ["BENCH_TOKEN_FILE"]) as f:
        auth = {"Authorization": "Bearer " + f.read().strip(),
                "Accept": "application/vnd.github+json"}
    for e in wanted:
        owner, repo, asset_id, name = e["path"].strip("/").split("/")
        if (owner, repo) not in listings:
            u = urllib.parse.urlsplit(API)
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            conn.request("GET", f"/repos/{owner}/{repo}/releases?per_page=100", headers=auth)
            listings[(owner, repo)] = json.loads(conn.getresponse().read())
        tag = next(r["tag_name"] for r in listings[(owner, repo)]
                   for a in r["assets"] if str(a["id"]) == asset_id)
        m = re.fullmatch(r"(.+)\+(.+)", tag) or re.fullmatch(r"(.+)-v(.+)", tag)
        version, tool = (m[1], m[2]) if "+" in tag else (m[2], m[1])
        print(owner, repo, tool, version, tag, asset_id, name)
    control("POST", "/_testkit/clear-log")

{"phase": phase, "assets": assets}[sys.argv[1]](*sys.argv[2:])
PY
logpy() { python3 "$work/log.py" "$@"; }

# Two isolated mise worlds (HOME, XDG and mise directories under $work): A holds the 5-tool
# project and keeps its caches between its warm phases; B is wiped before every single-tool
# run, so those runs never disturb A's caches.
use_world() {
    local w="$work/world-$1"
    mkdir -p "$w"/{home,config/skillrig,project}
    export HOME="$w/home" XDG_CONFIG_HOME="$w/config" XDG_CACHE_HOME="$w/cache" \
        MISE_DATA_DIR="$w/mise/data" MISE_CONFIG_DIR="$w/mise/config" \
        MISE_CACHE_DIR="$w/mise/cache" MISE_STATE_DIR="$w/mise/state" MISE_YES=1
    world=$w
}
unset GITHUB_TOKEN GH_TOKEN MISE_GITHUB_TOKEN GITHUB_API_TOKEN SKILLRIG_CONFIG SKILLRIG_LOG \
    SKILLRIG_CACHE_DIR SKILLRIG_GITHUB_API_URL
export SKILLRIG_MISE_BIN="$bin/skillrig-mise"

# hosts.toml with a credential_command that counts its runs. The nonce changes the command's
# fingerprint, so the token cached in the kernel keyring by an earlier run is not reused: a
# cold run starts without any cached token.
fresh_credentials() {
    cat >"$XDG_CONFIG_HOME/skillrig/hosts.toml" <<TOML
[hosts."github.com"]
api_url = "$api"
credential_command = "echo run >> '$work/credential.count'; cat '$work/token' # nonce $RANDOM$RANDOM"
TOML
}
wipe_caches() { # everything mise and we cache or installed in the current world
    rm -rf "$XDG_CACHE_HOME" "$MISE_CACHE_DIR" "$MISE_DATA_DIR/installs" "$MISE_DATA_DIR/downloads"
}
mise_() { # mise_ DIR ARGS...: runs mise in DIR; on failure shows its output and stops
    local dir=$1
    shift
    (cd "$dir" && "$MISE_BIN" "$@") </dev/null >"$work/mise.out" 2>&1 ||
        die "mise $* failed: $(tail -5 "$work/mise.out")"
}
# Timing without forking: EPOCHREALTIME is a bash builtin (microseconds).
clock() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
ms() { calc "$1 / 1000" "${2:-1}"; }
counts() { # counts NAME: the phase's figures into n_api n_rl n_bytes n_cond n_leaks
    local out
    out=$(logpy phase "$work/phase-$1.json") || die "reading the request log failed"
    read -r n_api n_rl _ n_bytes n_cond n_leaks <<<"$out"
    [ "$n_leaks" = 0 ] || die "a token reached the storage host during $1"
}
clear_log() { counts discard; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

rows=()
row() { # row ITEM MEASUREMENT WALL API RL BYTES RATIO GOAL RESULT: one markdown table row
    local line cell
    line=$(for cell in "$@"; do printf '| %s ' "$cell"; done)
    rows+=("$line|")
}
grp() { sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|[^0-9]\)/\1,\2\3/' -e 'ta' <<<"$1"; } # 1234567 → 1,234,567
verdict() { [ "$(calc "($1)" 0)" = 1 ] && echo met || echo MISSED; }

use_world A
mise_ "$world/project" plugins link --force skillrig "$repo/plugin"
cat >"$world/project/mise.toml" <<'TOML'
[tools]
"skillrig:acme/tools/jira" = "latest"
"skillrig:acme/tools/tfc" = "0.0.6"
"skillrig:acme/tools/oxid" = "latest"
"skillrig:acme/tools/kubelint" = "latest"
"skillrig:acme/tools/jira-cli" = "latest"
TOML
mise_ "$world/project" trust --quiet mise.toml

# mise's own share: a plugin whose hooks return at once (no process, no request, no file),
# installing 5 tools under the same names. Its wall time is what mise costs before any work of
# ours; the difference to our install is what the plugin and skillrig-mise add.
mkdir -p "$work/nullrig/hooks" "$world/nullproj"
cat >"$work/nullrig/metadata.lua" <<'LUA'
PLUGIN = { name = "nullrig", version = "0.0.0", description = "bench: hooks that do nothing" }
LUA
cat >"$work/nullrig/hooks/backend_list_versions.lua" <<'LUA'
function PLUGIN:BackendListVersions(ctx)
    return { versions = { "0.0.5", "0.0.6", "0.1.0", "1.0.0" } }
end
LUA
cat >"$work/nullrig/hooks/backend_install.lua" <<'LUA'
function PLUGIN:BackendInstall(ctx)
    return {}
end
LUA
cat >"$work/nullrig/hooks/backend_exec_env.lua" <<'LUA'
function PLUGIN:BackendExecEnv(ctx)
    return { env_vars = { { key = "PATH", value = ctx.install_path .. "/bin" } } }
end
LUA
mise_ "$world/nullproj" plugins link --force nullrig "$work/nullrig"
sed 's/"skillrig:/"nullrig:/' "$world/project/mise.toml" >"$world/nullproj/mise.toml"
mise_ "$world/nullproj" trust --quiet mise.toml
clear_log

# Items 1, 2 and 6: cold install of the 5 tools, each run paired with the floor.
floor_one() { # floor_one API_ASSET_URL NAME DIR: what we do per asset, with standard tools
    local loc
    loc=$(curl -fsS -H @"$work/auth.hdr" -H 'Accept: application/octet-stream' \
        -o /dev/null -w '%{redirect_url}' "$1")
    [ -n "$loc" ] || return 1
    curl -fsS -o "$3/$2" "$loc" # the storage URL is signed: no token
    openssl dgst -sha256 "$3/$2" >/dev/null
    mkdir "$3/x" && tar -xzf "$3/$2" -C "$3/x"
}
floor_parallel() { # floor_parallel ASSETS_FILE: all assets at once; sets $floor_us
    rm -rf "$work/floor" && mkdir "$work/floor"
    local owner repo tool version tag id name t0 t1 pids=() i=0
    clock t0
    while read -r owner repo tool version tag id name; do
        i=$((i + 1)) && mkdir "$work/floor/$i"
        floor_one "$api/repos/$owner/$repo/releases/assets/$id" "$name" "$work/floor/$i" &
        pids+=("$!")
    done <"$1"
    for p in "${pids[@]}"; do wait "$p" || die "floor: a download or extraction failed"; done
    clock t1
    floor_us=$((t1 - t0))
}

say "1-2, 6: cold install of 5 tools through the plugin vs the floor ($runs paired runs)"
cold_us=() floor_us_all=() cold_ratio=() cred_runs=() cold_counts=() null_us=() own_ratio=()
for r in $(seq "$runs"); do
    # Both start from nothing installed: mise also visits installed tools of the other plugin.
    wipe_caches
    clock t0 && mise_ "$world/nullproj" install && clock t1
    null_us+=($((t1 - t0)))
    wipe_caches && fresh_credentials && : >"$work/credential.count"
    clock t0
    mise_ "$world/project" install
    clock t1
    cold_us+=($((t1 - t0)))
    cred_runs+=("$(lines "$work/credential.count")")
    counts cold
    cold_counts+=("$n_api $n_rl $n_bytes")
    c_api=$n_api c_rl=$n_rl c_bytes=$n_bytes
    if [ "$r" = 1 ]; then
        logpy assets "$work/phase-cold.json" >"$work/assets.txt"
        [ "$(lines "$work/assets.txt")" = 5 ] || die "expected 5 archive downloads, got: $(cat "$work/assets.txt")"
    fi
    for tool in jira tfc oxid kubelint jira-cli; do
        out=$(cd "$world/project" && "$MISE_BIN" exec -- "$tool") || die "$tool does not run after the install"
        [[ "$out" == "$tool "* ]] || die "$tool printed '$out'"
    done
    floor_parallel "$work/assets.txt"
    counts floor
    f_api=$n_api f_rl=$n_rl f_bytes=$n_bytes
    floor_us_all+=("$floor_us")
    cold_ratio+=("$(calc "${cold_us[-1]} / $floor_us")")
    own_ratio+=("$(calc "(${cold_us[-1]} - ${null_us[-1]}) / $floor_us")")
done
# The last cold run's request mix; if runs differed (they should not), the row says so.
# "LISTING DOWNLOADS OTHER-COUNT OTHER-PATHS": release listing pages, asset download
# redirects, and every other API request by path (metadata files, tags, ...).
read -r c_listing c_downloads c_other c_other_paths < <(python3 - "$work/phase-cold.json" <<'PY'
import json, re, sys
api = [e for e in json.load(open(sys.argv[1])) if e["listener"] == "api"]
listing = sum(1 for e in api if e["path"].endswith("/releases"))
downloads = sum(1 for e in api if "/releases/assets/" in e["path"])
other = [re.sub(r"^/repos/[^/]+/[^/]+/", "", e["path"]) for e in api
         if not e["path"].endswith("/releases") and "/releases/assets/" not in e["path"]]
print(listing, downloads, len(other), ", ".join(other) or "-")
PY
)
[ -n "${c_other_paths:-}" ] || die "could not classify the cold run's requests"
c_varies=$(printf '%s\n' "${cold_counts[@]}" | sort -u | wc -l)
[ "$c_varies" = 1 ] && c_varies="" || c_varies=" (counts varied between runs: $(printf '%s; ' "${cold_counts[@]}"))"
cold_med=$(printf '%s\n' "${cold_us[@]}" | median)
floor_med=$(printf '%s\n' "${floor_us_all[@]}" | median)
floor_ratio=$(printf '%s\n' "${cold_ratio[@]}" | median)
null_med=$(printf '%s\n' "${null_us[@]}" | median)
own_floor_ratio=$(printf '%s\n' "${own_ratio[@]}" | median)
cred_max=$(printf '%s\n' "${cred_runs[@]}" | sort -g | tail -1)
row 1 "cold \`mise install\`, 5 tools (empty caches)$c_varies" "$(ms "$cold_med") ms" "$c_api: $c_listing listing page, $c_downloads download redirects, $c_other other ($c_other_paths)" \
    "$c_rl" "$(grp "$c_bytes")" "" "API = 1 listing page + 2 downloads × 5 = 11" \
    "$( [ "$c_listing" = 1 ] && [ "$c_downloads" = 10 ] && [ "$c_other" = 0 ] && echo met || echo "MISSED (+$c_other other)")"
row 2 "floor: 5 assets, parallel \`curl\` + \`openssl dgst -sha256\` + \`tar -x\`" "$(ms "$floor_med") ms" "$f_api" "$f_rl" "$(grp "$f_bytes")" \
    "ours/floor **$(calc "$floor_ratio" 2)**; (ours − mise alone)/floor $(calc "$own_floor_ratio" 2)" "≤ 1.2" "$(verdict "$floor_ratio <= 1.2")"
row 1 "mise alone: the same 5 installs through a plugin whose hooks return at once" "$(ms "$null_med") ms" "0" "0" "0" \
    "mise alone/floor $(calc "$null_med / $floor_med" 2)" "(reference)" "–"
row 6 "\`credential_command\` runs during a cold install" "" "" "" "" "" "1" "$cred_max $(verdict "$cred_max == 1")"

say "1: warm phases (caches from the cold install)"
clock t0 && mise_ "$world/project" install && clock t1
counts warm-install
row 1 "warm \`mise install\` (all installed)" "$(ms $((t1 - t0))) ms" "$n_api" "$n_rl" "$(grp "$n_bytes")" "" "0 rate-limited" "$(verdict "$n_rl == 0")"

ls_remote_all() { # ls-remote of each tool with mise's version cache gone, so our hook runs
    rm -rf "$MISE_CACHE_DIR"
    local tool
    for tool in jira tfc oxid kubelint jira-cli; do
        mise_ "$world/project" ls-remote "skillrig:acme/tools/$tool"
        grep -q . "$work/mise.out" || die "ls-remote $tool listed nothing"
    done
}
clock t0 && ls_remote_all && clock t1
counts warm-ls
ls_fresh_at=$SECONDS
row 1 "warm \`mise ls-remote\` × 5 (mise's cache cleared, ours fresh)" "$(ms $((t1 - t0))) ms" "$n_api" "$n_rl" "$(grp "$n_bytes")" "" "0 rate-limited" "$(verdict "$n_rl == 0")"

mise_ "$world/project" uninstall --all
clear_log
clock t0 && mise_ "$world/project" install && clock t1
counts reinstall
row 1 "re-install after \`mise uninstall --all\` (listing cached)" "$(ms $((t1 - t0))) ms" "$n_api" "$n_rl" "$(grp "$n_bytes")" "" "only the $c_downloads download requests" \
    "$(verdict "$n_api == $c_downloads")"

say "5: hook overhead"
"$SKILLRIG_MISE_BIN" list-versions acme/tools/jira >"$work/lv.out" # warm-up; refreshes if needed
grep -q '"2.10.0"' "$work/lv.out" || die "list-versions printed $(head -c 200 "$work/lv.out")"
clear_log
hook=()
for _ in $(seq "$hook_runs"); do
    clock t0
    "$SKILLRIG_MISE_BIN" list-versions acme/tools/jira >/dev/null
    clock t1
    hook+=($((t1 - t0)))
done
counts hook
[ "$n_api" = 0 ] || die "list-versions made $n_api requests on a warm cache"
hook_med=$(printf '%s\n' "${hook[@]}" | median)
row 5 "\`skillrig-mise list-versions\`, warm cache (median of $hook_runs)" "$(ms "$hook_med" 2) ms" "0" "0" "0" "" "≤ 15 ms" "$(verdict "$hook_med <= 15000")"

# BackendExecEnv: a wrapper counts every skillrig-mise start while mise computes the
# environment and runs a tool; a final ls-remote proves the counter sees hook starts.
cat >"$work/counting-skillrig-mise" <<SH
#!/bin/sh
echo "\$1" >>'$work/spawn.count'
exec '$bin/skillrig-mise' "\$@"
SH
chmod +x "$work/counting-skillrig-mise"
: >"$work/spawn.count"
rm -rf "$MISE_CACHE_DIR"
SKILLRIG_MISE_BIN="$work/counting-skillrig-mise" mise_ "$world/project" env
SKILLRIG_MISE_BIN="$work/counting-skillrig-mise" mise_ "$world/project" exec -- jira
grep -q '^jira 2.10.0' "$work/mise.out" || die "mise exec -- jira printed $(cat "$work/mise.out")"
spawned=$(lines "$work/spawn.count")
SKILLRIG_MISE_BIN="$work/counting-skillrig-mise" mise_ "$world/project" ls-remote skillrig:acme/tools/jira
[ "$(lines "$work/spawn.count")" -gt "$spawned" ] || die "the spawn counter saw no hook start"
clear_log
row 5 "processes spawned by BackendExecEnv (\`mise env\` + \`mise exec\`)" "" "" "" "" "" "0" "$spawned $(verdict "$spawned == 0")"

# Item 3: single-tool installs in world B, ours vs native, each cold and paired.
say "3: per tool, ours vs mise's native github: backend ($runs paired runs each)"
use_world B
mise_ "$world/project" plugins link --force skillrig "$repo/plugin"
while read -r owner repo_ tool version tag id name; do
    ours=() native=() ratio=()
    for _ in $(seq "$runs"); do
        wipe_caches && fresh_credentials
        clock t0 && mise_ "$world/project" install "skillrig:$owner/$repo_/$tool@$version" && clock t1
        ours+=($((t1 - t0)))
        counts "ours-$tool"
        o_api=$n_api o_rl=$n_rl o_bytes=$n_bytes
        [ -x "$MISE_DATA_DIR/installs/skillrig-$owner-$repo_-$tool/$version/bin/$tool" ] || die "ours: no $tool binary"
        wipe_caches
        native_tool="github:$owner/${repo_}[api_url=$ghes]@$tag"
        clock t0 && MISE_GITHUB_TOKEN=$token mise_ "$world/project" install "$native_tool" && clock t1
        native+=($((t1 - t0)))
        counts "native-$tool"
        v_api=$n_api v_rl=$n_rl v_bytes=$n_bytes
        out=$(cd "$world/project" && MISE_GITHUB_TOKEN=$token "$MISE_BIN" exec "$native_tool" -- "$tool" </dev/null) ||
            die "native: $tool does not run"
        [[ "$out" == "$tool $version" ]] || die "native: $tool printed '$out'"
        ratio+=("$(calc "${ours[-1]} / ${native[-1]}")")
    done
    o_med=$(printf '%s\n' "${ours[@]}" | median) n_med=$(printf '%s\n' "${native[@]}" | median)
    r_med=$(printf '%s\n' "${ratio[@]}" | median)
    row 3 "\`$tool@$version\`: ours (cold) / native \`@$tag\`" "$(ms "$o_med") / $(ms "$n_med") ms" "$o_api / $v_api" "$o_rl / $v_rl" \
        "$(grp "$o_bytes") / $(grp "$v_bytes")" "ours/native **$(calc "$r_med" 2)**" "≤ 1.0" "$(verdict "$r_med <= 1.0")"
done <"$work/assets.txt"

# Item 4: the large asset, ours (with peak RSS of every skillrig-mise process) vs the floor.
say "4: ${payload_mb} MiB asset, ours vs the sequential floor ($runs paired runs)"
cat >"$work/rss-skillrig-mise" <<SH
#!/bin/sh
exec /usr/bin/time -a -o '$work/rss.txt' -f "\$1 %M" '$bin/skillrig-mise' "\$@"
SH
chmod +x "$work/rss-skillrig-mise"
: >"$work/rss.txt"
big=() bigfloor=() bigratio=()
for r in $(seq "$runs"); do
    wipe_caches && fresh_credentials
    clock t0
    SKILLRIG_MISE_BIN="$work/rss-skillrig-mise" mise_ "$world/project" install skillrig:acme/payload/big@1.0.0
    clock t1
    big+=($((t1 - t0)))
    counts big
    b_api=$n_api b_rl=$n_rl b_bytes=$n_bytes
    [ "$b_bytes" -ge $((payload_mb * 1024 * 1024)) ] || die "the payload download was only $b_bytes bytes: not incompressible"
    exe="$MISE_DATA_DIR/installs/skillrig-acme-payload-big/1.0.0/bin/big"
    [ "$(stat -c %s "$exe")" = $((payload_mb * 1024 * 1024)) ] || die "big: wrong size installed"
    [ "$("$exe")" = "big 1.0.0" ] || die "big does not run"
    if [ "$r" = 1 ]; then
        logpy assets "$work/phase-big.json" >"$work/big.txt"
        [ "$(lines "$work/big.txt")" = 1 ] || die "expected one payload download"
    fi
    wipe_caches # drop the installed copy: the floor starts from the same disk state
    read -r owner repo_ _ _ _ id name <"$work/big.txt"
    rm -rf "$work/floor" && mkdir -p "$work/floor"
    clock t0
    floor_one "$api/repos/$owner/$repo_/releases/assets/$id" "$name" "$work/floor" || die "floor: payload failed"
    clock t1
    clear_log
    rm -rf "$work/floor"
    bigfloor+=($((t1 - t0)))
    bigratio+=("$(calc "${big[-1]} / ${bigfloor[-1]}")")
done
rss_kb=$(awk '$1 == "install" && $2 > m { m = $2 } END { print m + 0 }' "$work/rss.txt")
[ "$rss_kb" -gt 0 ] || die "no peak RSS recorded for install: $(cat "$work/rss.txt")"
rss_mb=$(calc "$rss_kb / 1024" 1)
big_med=$(printf '%s\n' "${big[@]}" | median) bigfloor_med=$(printf '%s\n' "${bigfloor[@]}" | median)
big_r=$(printf '%s\n' "${bigratio[@]}" | median)
row 4 "${payload_mb} MiB asset: ours / sequential floor" "$(ms "$big_med" 0) / $(ms "$bigfloor_med" 0) ms" "$b_api" "$b_rl" "$(grp "$b_bytes")" \
    "ours/floor **$(calc "$big_r" 2)**" "≤ 1.0" "$(verdict "$big_r <= 1.0")"
row 4 "peak RSS of \`skillrig-mise install\` (${payload_mb} MiB asset)" "" "" "" "" "" "≤ 32 MB" "$rss_mb MB $(verdict "$rss_mb <= 32")"

if [ "$revalidate" = 1 ]; then
    use_world A
    wait_s=$((61 - (SECONDS - ls_fresh_at)))
    if [ "$wait_s" -gt 0 ]; then
        say "1: waiting ${wait_s}s for world A's cache to pass its 60 s freshness window"
        sleep "$wait_s"
    fi
    clock t0 && ls_remote_all && clock t1
    counts revalidate
    [ "$n_cond" -gt 0 ] || die "after the window, ls-remote sent no conditional request"
    row 1 "\`mise ls-remote\` × 5 after the 60 s window (revalidated)" "$(ms $((t1 - t0))) ms" "$n_api ($n_cond conditional)" \
        "$n_rl" "$(grp "$n_bytes")" "" "0 rate-limited" "$(verdict "$n_rl == 0")"
fi

cat <<EOF

$(date -u +%Y-%m-%d) · $(nproc) cores · $(uname -m) · mise $mise_version · $runs paired run(s) · payload ${payload_mb} MiB · $rtt_ms ms per request · $( [ "$short" = 1 ] && echo short || echo full) mode · $((SECONDS - started)) s

| item | measurement | wall (median) | API requests | rate-limited | bytes downloaded | ratio | goal | result |
|---|---|---:|---:|---:|---:|---:|---|---|
EOF
printf '%s\n' "${rows[@]}" | sort -t'|' -k2,2n -s
