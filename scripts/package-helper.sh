#!/usr/bin/env bash
# package-helper.sh OUT_DIR — packages skillrig-mise for this machine exactly as a release does
# (`dist build`: the dist profile, the same archive, the same .sha256 file), then pins a copy of
# plugin/ to it:
#
#   OUT_DIR/releases/v<version>/skillrig-mise-<target>.tar.gz (.zip on Windows) and .sha256
#   OUT_DIR/plugin/   plugin/ + the generated lib/pinned.lua, a git repository tagged
#                     v<version>, as the release workflow publishes it
#
# Serving OUT_DIR/releases at SKILLRIG_HELPER_BASE_URL and declaring the plugin as
# file://OUT_DIR/plugin in mise.toml is a user's path, offline: the e2e tests, the demo and the
# benchmark all take it.
#
# Env: SKILLRIG_PACKAGE_TARGET  target triple (default: this machine's, `rustc -vV`); on a glibc
#                               Linux that is a *-linux-gnu build, which releases do not ship
#                               (they ship static musl builds): the build then runs from a
#                               scratch dist workspace that adds the target, same config otherwise
#      PACKAGE_CARGO_LOCK       build under `flock "$PACKAGE_CARGO_LOCK"` (shared build machines)
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
source scripts/tools.sh
ensure_dist

version=$(cargo metadata --no-deps --format-version 1 |
    "$PYTHON" -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "skillrig-mise"))')
target=${SKILLRIG_PACKAGE_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}

# Release targets come from dist-workspace.toml; any other target builds from a scratch copy
# of it that lists the target too, pointing at this workspace (same target/ dir and profile).
workspace=$SKILLRIG_ROOT
if ! sed -n '/^targets = \[/,/\]/p' dist-workspace.toml | grep -q "\"$target\""; then
    workspace=$(mktemp -d "${TMPDIR:-/tmp}/skillrig-dist.XXXXXX")
    trap 'rm -rf "$workspace"' EXIT
    rel=$("$PYTHON" -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$SKILLRIG_ROOT" "$workspace")
    # No `ci`: the scratch workspace has no workflow for dist to check.
    sed -e "s|^members = .*|members = [\"cargo:$rel\"]|" -e '/^ci = /d' \
        -e "s|^targets = \[|targets = [\"$target\", |" dist-workspace.toml >"$workspace/dist-workspace.toml"
    echo "==> $target is not a release target: building it from a scratch dist workspace" >&2
fi

echo "==> dist build skillrig-mise $version for $target" >&2
(cd "$workspace" && ${PACKAGE_CARGO_LOCK:+flock "$PACKAGE_CARGO_LOCK"} \
    "$DIST_BIN" build --artifacts=local --target "$target" --output-format=json) >"$out/dist-manifest.json"

releases="$out/releases/v$version"
rm -rf "$releases" && mkdir -p "$releases"
"$PYTHON" - "$out/dist-manifest.json" "$releases" <<'PY'
import json, shutil, sys
manifest, dest = sys.argv[1:]
copied = [a["path"] for a in json.load(open(manifest))["artifacts"].values()
          if a.get("kind") in ("executable-zip", "checksum") and a.get("path")]
if not any(p.endswith((".tar.gz", ".zip")) for p in copied):
    sys.exit(f"package-helper: dist built no archive (see {manifest})")
for path in copied:
    shutil.copy2(path, dest)
PY

bash scripts/pin-plugin.sh "$version" "$releases" "$out/plugin" >&2
# Publish it locally the way the release workflow publishes it: its own repository, tagged.
git -C "$out/plugin" init -q -b main
git -C "$out/plugin" add -A
git -C "$out/plugin" -c user.name=skillrig -c user.email=release@skillrig.invalid \
    commit -qm "skillrig plugin $version (pins skillrig-mise $version)"
git -C "$out/plugin" tag "v$version"

for f in "$releases"/*; do
    printf '%s\t%s bytes\n' "${f#"$out"/}" "$(wc -c <"$f" | tr -d ' ')"
done
echo "plugin: file://$out/plugin#v$version"
