#!/usr/bin/env bash
# Short fuzz run of origin-meta's parsers, for CI: builds every cargo-fuzz target in
# crates/origin-meta/fuzz and runs each one for FUZZ_SECONDS. Any crash, panic, sanitizer
# report or slow input fails the run; the input is left in crates/origin-meta/fuzz/artifacts/.
#
# Works on the stable toolchain: cargo-fuzz passes nightly-only rustc flags (-Zsanitizer=...),
# and RUSTC_BOOTSTRAP=1 lets a stable rustc accept them. Installs cargo-fuzz when missing.
#
# Environment:
#   FUZZ_SECONDS      seconds per target (default 20)
#   FUZZ_TARGETS      space-separated subset of targets (default: all of them)
#   FUZZ_SANITIZER    address (default) or none
#   FUZZ_CARGO_LOCK   when set, every cargo command runs under `flock "$FUZZ_CARGO_LOCK"`
#                     (machines where several people share one build); fuzzing itself does not
#                     hold the lock
#   CARGO_TARGET_DIR  build directory (default: the workspace's target/)
#
# Usage: scripts/fuzz-smoke.sh            # all targets, 20 s each
#        FUZZ_SECONDS=300 FUZZ_TARGETS=metadata scripts/fuzz-smoke.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz_dir="$root/crates/origin-meta/fuzz"
seconds="${FUZZ_SECONDS:-20}"
sanitizer="${FUZZ_SANITIZER:-address}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz-smoke: FUZZ_SECONDS must be a positive whole number, got '$seconds'" >&2
    exit 2
fi

cargo_cmd() {
    if [[ -n "${FUZZ_CARGO_LOCK:-}" ]]; then
        flock "$FUZZ_CARGO_LOCK" cargo "$@"
    else
        cargo "$@"
    fi
}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: installing cargo-fuzz" >&2
    cargo_cmd install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
targets="${FUZZ_TARGETS:-$(cargo fuzz list --fuzz-dir "$fuzz_dir")}"
echo "fuzz-smoke: building $(echo $targets) (sanitizer: $sanitizer)" >&2
# One build for all targets; -O keeps runs fast, debug assertions stay on (cargo-fuzz default).
cargo_cmd fuzz build --fuzz-dir "$fuzz_dir" --target-dir "$target_dir" -O -a -s "$sanitizer"

host="$(rustc -vV | sed -n 's/^host: //p')"
bin_dir="$target_dir/$host/release"
seeds="$root/crates/origin-meta/tests/fixtures"
failed=()
for target in $targets; do
    corpus="$fuzz_dir/corpus/$target"
    artifacts="$fuzz_dir/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    log="$(mktemp)"
    echo "fuzz-smoke: $target for ${seconds}s" >&2
    # The first directory collects new inputs; the fixtures are read-only seeds. -timeout
    # turns a pathologically slow input into a failure too.
    if "$bin_dir/$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1; then
        grep -E '^stat::number_of_executed_units' "$log" | sed "s/^/fuzz-smoke: $target /" >&2 || true
    else
        echo "fuzz-smoke: $target FAILED:" >&2
        # The panic message or sanitizer summary, then libFuzzer's note on the input.
        grep -E "panicked at|^ERROR:|^SUMMARY:|Test unit written|^Base64:" -A1 "$log" >&2 || tail -n 20 "$log" >&2
        failed+=("$target")
    fi
    rm -f "$log"
done

if ((${#failed[@]})); then
    echo "fuzz-smoke: failing targets: ${failed[*]} (inputs in $fuzz_dir/artifacts/)" >&2
    echo "fuzz-smoke: reproduce with: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir $fuzz_dir <target> <input>" >&2
    exit 1
fi
echo "fuzz-smoke: all targets ran ${seconds}s without a failure" >&2
