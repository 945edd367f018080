#!/usr/bin/env bash
# Benchmark: install a large incompressible tar.gz through the `install` crate and compare it,
# in the same run, with the floor `openssl dgst -sha256 <asset> && tar -xzf <asset>`.
#
#   bench/install-bench.sh                    # 256 MB asset, 3 runs each (the reported figures)
#   BENCH_SIZE_MB=16 bench/install-bench.sh   # quick CI mode
#
# Env: BENCH_SIZE_MB (default 256), BENCH_RUNS (default 3), BENCH_MAX_RSS_MB (default 32) and
# BENCH_MAX_RATIO (default: unset, report only) turn the goals into a failing exit status.
#
# Each run times the floor and then the install back to back. Reports the best wall time of each
# side, the median of the per-run ratios install/floor (below 1.0 means faster than the floor)
# and the install's peak RSS from /usr/bin/time -v (falling back to the example's own VmHWM).
set -euo pipefail

size_mb=${BENCH_SIZE_MB:-256}
runs=${BENCH_RUNS:-3}
max_rss_mb=${BENCH_MAX_RSS_MB:-32}
max_ratio=${BENCH_MAX_RATIO:-}

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/install-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

for tool in openssl tar gzip; do
    command -v "$tool" >/dev/null || { echo "install-bench: needs $tool" >&2; exit 2; }
done

echo "building the example (release)..." >&2
# BENCH_CARGO_LOCK: a lock file to build under, for machines where builds take turns.
(cd "$repo" && ${BENCH_CARGO_LOCK:+flock "$BENCH_CARGO_LOCK"} cargo build --quiet --release -p install --example install-file)
example="$repo/target/release/examples/install-file"

echo "generating a ${size_mb} MB incompressible asset..." >&2
mkdir "$work/src"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom >"$work/src/tool"
chmod 755 "$work/src/tool"
asset="$work/tool_1.0.0_linux_amd64.tar.gz"
tar -C "$work/src" -cf - tool | gzip -6 >"$asset"
rm -rf "$work/src"
sha=$(openssl dgst -sha256 -r "$asset" | cut -d' ' -f1)
asset_bytes=$(stat -c %s "$asset")
cat "$asset" >/dev/null # warm the page cache so both sides read from memory

now_ns() { date +%s%N; }
# calc EXPR: floating-point arithmetic via awk (no bc needed).
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
have_time=0
[ -x /usr/bin/time ] && /usr/bin/time -v true 2>/dev/null && have_time=1

best_floor=
best_install=
ratios=()
peak_kb=0
for i in $(seq "$runs"); do
    rm -rf "$work/floor" && mkdir "$work/floor"
    t0=$(now_ns)
    openssl dgst -sha256 "$asset" >/dev/null
    tar -xzf "$asset" -C "$work/floor"
    t1=$(now_ns)
    floor=$((t1 - t0))
    rm -rf "$work/floor"

    rm -rf "$work/inst" "$work/dl"
    t0=$(now_ns)
    if [ "$have_time" = 1 ]; then
        /usr/bin/time -v -o "$work/time.txt" "$example" "$asset" "$work/inst" "$work/dl" "$sha" >"$work/out.txt"
    else
        "$example" "$asset" "$work/inst" "$work/dl" "$sha" >"$work/out.txt"
    fi
    t1=$(now_ns)
    inst=$((t1 - t0))
    cmp -s <(tar -xzOf "$asset" tool) "$work/inst/bin/tool" || { echo "install-bench: installed binary differs" >&2; exit 1; }
    rm -rf "$work/inst" "$work/dl"

    if [ "$have_time" = 1 ]; then
        kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    else
        kb=$(awk -F= '/^vm_hwm_kb=/ {print $2}' "$work/out.txt")
    fi
    [ "${kb:-0}" -gt "$peak_kb" ] && peak_kb=$kb
    [ -z "$best_floor" ] || [ "$floor" -lt "$best_floor" ] && best_floor=$floor
    [ -z "$best_install" ] || [ "$inst" -lt "$best_install" ] && best_install=$inst
    ratios+=("$(calc "$inst / $floor")")
    printf 'run %d: floor %.3f s, install %.3f s, ratio %.2f, peak RSS %.1f MB\n' "$i" \
        "$(calc "$floor / 1e9")" "$(calc "$inst / 1e9")" "${ratios[-1]}" "$(calc "$kb / 1024")"
done

# The median of the paired per-run ratios: each pair ran back to back, so it is the figure least
# affected by load that changes during the run.
ratio=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
rss_mb=$(calc "$peak_kb / 1024")
printf '\nasset: %s MB of random data, tar.gz of %d bytes; %d runs; %s\n' "$size_mb" "$asset_bytes" "$runs" \
    "$( [ "$have_time" = 1 ] && echo 'RSS from /usr/bin/time -v' || echo 'RSS from VmHWM')"
printf 'floor   (openssl dgst -sha256 + tar -xzf): %.3f s\n' "$(calc "$best_floor / 1e9")"
printf 'install (crate, streamed):                 %.3f s\n' "$(calc "$best_install / 1e9")"
printf 'ratio install/floor (median of paired runs): %.2f\n' "$ratio"
printf 'peak RSS: %.1f MB\n' "$rss_mb"

status=0
if [ "$(calc "($rss_mb > $max_rss_mb)")" != 0.000000 ]; then
    echo "install-bench: peak RSS ${rss_mb} MB exceeds ${max_rss_mb} MB" >&2
    status=1
fi
if [ -n "$max_ratio" ] && [ "$(calc "($ratio > $max_ratio)")" != 0.000000 ]; then
    echo "install-bench: ratio $ratio exceeds $max_ratio" >&2
    status=1
fi
exit "$status"
