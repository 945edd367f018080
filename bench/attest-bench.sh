#!/usr/bin/env bash
# Benchmark (issue 15): what checking GitHub attestations costs an install under the default
# policy, `auto`. For each of the demo origin's five CLIs, `skillrig-mise install` (release
# build, called directly: mise's own cost is measured by compare.sh) with `attestations=off`
# and with `auto`, against two fake GitHubs: one whose releases carry no attestation (most
# origins today) and one where every release has GitHub's release attestation and build
# provenance, signed by a Sigstore instance made for the run (`testkit serve --attest`).
#
#   bench/attest-bench.sh                  # 15 timed installs per tool and case
#   BENCH_SHORT=1 bench/attest-bench.sh    # CI mode: 2 per tool and case
#
# Env: BENCH_RUNS, BENCH_NO_BUILD=1 (use the binaries in target/release), BENCH_CARGO_LOCK (a
# file to build under with flock).
#
# Figures: API requests per tool from the fake's log (cold: empty cache; warm: the same
# install again), and CPU time (user + system, from getrusage of the finished child) per
# install, the median over the runs. "extra" is auto minus off. Cold CPU includes reading the
# attestations answer; warm CPU is the verification itself (the answer is cached). The
# per-bundle cost with GitHub's real bundles and the embedded roots comes from
# `cargo run --release -p attest --example timing`, printed at the end. Exits non-zero only
# when a measurement is broken (an install failed, a count is not what the design says),
# never for a missed goal.
set -euo pipefail
export LC_ALL=C
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
runs=${BENCH_RUNS:-$([ "${BENCH_SHORT:-0}" = 1 ] && echo 2 || echo 15)}

die() { printf 'attest-bench: %s\n' "$*" >&2; exit 1; }
command -v python3 >/dev/null || die "needs python3"
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    printf '==> building skillrig-mise, testkit and the attest timing example (release)\n' >&2
    ${BENCH_CARGO_LOCK:+flock "$BENCH_CARGO_LOCK"} cargo build --quiet --release \
        -p skillrig-mise -p testkit
    ${BENCH_CARGO_LOCK:+flock "$BENCH_CARGO_LOCK"} cargo build --quiet --release \
        -p attest --example timing
fi
bin="$repo/target/release"
[ -x "$bin/skillrig-mise" ] && [ -x "$bin/testkit" ] || die "no release build in $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/skillrig-attest-bench.XXXXXX")
servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

token="ghp_bench$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
start_server() { # start_server NAME [ARGS...]: a fake GitHub; its info in $work/NAME.json
    local name=$1
    shift
    "$bin/testkit" serve --demo --token "$token=bench" --info-file "$work/$name.json" "$@" \
        >"$work/$name.log" 2>&1 &
    servers+=("$!")
    for _ in $(seq 200); do [ -s "$work/$name.json" ] && return; sleep 0.05; done
    die "the fake GitHub $name did not start: $(tail -3 "$work/$name.log")"
}
start_server plain
start_server attested --attest "$work/trusted_root.json"

export BENCH_WORK=$work BENCH_BIN=$bin BENCH_RUNS=$runs BENCH_TOKEN=$token
python3 - <<'PY'
import http.client, json, os, resource, shutil, statistics, subprocess, sys, urllib.parse

WORK, BIN, RUNS = os.environ["BENCH_WORK"], os.environ["BENCH_BIN"], int(os.environ["BENCH_RUNS"])
TOOLS = [("jira", "2.10.0"), ("tfc", "0.0.6"), ("oxid", "0.10.0"), ("kubelint", "1.1.0"),
         ("jira-cli", "0.4.0")]

def die(msg):
    sys.exit(f"attest-bench: {msg}")

def api(server):
    return json.load(open(f"{WORK}/{server}.json"))["api_url"]

def control(server, method, path):
    u = urllib.parse.urlsplit(api(server))
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request(method, path)
    return json.loads(conn.getresponse().read())

def api_requests(server):
    """API requests since the last call, and how many were attestation lookups."""
    log = [e for e in control(server, "GET", "/_testkit/requests") if e["listener"] == "api"]
    control(server, "POST", "/_testkit/clear-log")
    return len(log), sum(1 for e in log if "/attestations/" in e["path"])

def env_for(server):
    home = f"{WORK}/{server}"
    os.makedirs(f"{home}/config/skillrig", exist_ok=True)
    with open(f"{home}/config/skillrig/hosts.toml", "w") as f:
        f.write(f'[hosts."github.com"]\napi_url = "{api(server)}"\n')
    env = {"PATH": os.environ["PATH"], "HOME": f"{home}/home",
           "XDG_CONFIG_HOME": f"{home}/config", "XDG_CACHE_HOME": f"{home}/cache",
           "GITHUB_TOKEN": os.environ["BENCH_TOKEN"]}
    if server == "attested":
        env["SKILLRIG_TRUSTED_ROOT"] = f"{WORK}/trusted_root.json"
    return env

def install(server, policy, tool, version):
    """One install in a fresh install path; returns its CPU seconds (user + system)."""
    env = env_for(server)
    path = f"{WORK}/{server}/installs/skillrig-acme-tools-{tool}/{version}"
    shutil.rmtree(path, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([f"{BIN}/skillrig-mise", "install", f"acme/tools/{tool}", version,
                          "--install-path", path, "--option", f"attestations={policy}"],
                         env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        die(f"{server}/{policy} {tool}: {out.stderr.strip()}")
    receipt = json.load(open(f"{path}/.skillrig/receipt.json"))
    status = receipt["attestations"]["status"]
    want = {"off": "not-checked", "auto": "verified" if server == "attested" else "absent"}
    if status != want[policy]:
        die(f"{server}/{policy} {tool}: attestations {status}, expected {want[policy]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

def wipe_cache(server):
    shutil.rmtree(f"{WORK}/{server}/cache", ignore_errors=True)

CASES = [(server, policy) for server in ("plain", "attested") for policy in ("off", "auto")]
# Per case: requests of the first run (cold and warm, all and attestation lookups) summed over
# the tools, and every install's CPU. The four cases run back to back for each tool and run,
# so drift on a shared machine hits them alike; the extra CPU is the median of those paired
# differences.
req = {c: {"cold": 0, "warm": 0, "att_cold": 0, "att_warm": 0} for c in CASES}
cpu = {c: {"cold": [], "warm": []} for c in CASES}
for run in range(RUNS):
    for tool, version in TOOLS:
        for case in CASES:
            server, policy = case
            wipe_cache(server)
            api_requests(server)
            cpu[case]["cold"].append(install(server, policy, tool, version))
            n, a = api_requests(server)
            cpu[case]["warm"].append(install(server, policy, tool, version))
            w, b = api_requests(server)
            if run == 0:
                r = req[case]
                r["cold"] += n; r["att_cold"] += a; r["warm"] += w; r["att_warm"] += b

def fmt(x):
    return f"{x:g}"

def per_tool(n):
    return n / len(TOOLS)

def ms(xs):
    return statistics.median(xs) * 1e3

print()
print(f"{RUNS} run(s) per tool and case, 5 tools; CPU is user + system per install, median")
print()
print("| origin | policy | API requests per tool, cold | of them attestations | warm | CPU per install, cold | CPU, warm |")
print("|---|---|---:|---:|---:|---:|---:|")
for case in CASES:
    server, policy = case
    r = req[case]
    print(f"| {server} | `{policy}` | {fmt(per_tool(r['cold']))} | {fmt(per_tool(r['att_cold']))} | "
          f"{fmt(per_tool(r['warm']))} | {ms(cpu[case]['cold']):.1f} ms | {ms(cpu[case]['warm']):.1f} ms |")
print()
print("| origin | extra requests per tool (auto − off), cold / warm | extra CPU per tool (median of paired differences), cold / warm | goal | result |")
print("|---|---:|---:|---|---|")
broken = False
for server in ("plain", "attested"):
    off, auto = (server, "off"), (server, "auto")
    extra_cold = per_tool(req[auto]["cold"] - req[off]["cold"])
    extra_warm = per_tool(req[auto]["warm"] - req[off]["warm"])
    diff = lambda k: statistics.median(a - o for a, o in zip(cpu[auto][k], cpu[off][k])) * 1e3
    cpu_cold, cpu_warm = diff("cold"), diff("warm")
    met = extra_cold <= 1 and extra_warm <= 0 and max(cpu_cold, cpu_warm) < 20
    print(f"| {server} | {fmt(extra_cold)} / {fmt(extra_warm)} | {cpu_cold:.1f} / {cpu_warm:.1f} ms | "
          f"≤ 1 / 0 requests, < 20 ms | {'met' if met else 'MISSED'} |")
    # The design: one attestations request per tool cold, none warm, none when off.
    if (per_tool(req[auto]["att_cold"]) != 1 or req[auto]["att_warm"] != 0
            or req[off]["att_cold"] != 0):
        broken = True
if broken:
    die("attestation request counts are not 1 cold / 0 warm per tool under auto")
PY

printf '\nPer bundle, GitHub'"'"'s real bundles and the embedded roots (attest timing example):\n\n'
"$bin/examples/timing"
