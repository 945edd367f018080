#!/usr/bin/env bash
# The demo (README): co-installs five CLIs from one private skillrig origin through real mise,
# offline, the way a user does: mise.toml declares the plugin as released (pinned to a
# skillrig-mise build), and the plugin fetches that build on first use and verifies its sha256.
# Nothing of ours needs to be on PATH. Then the project vendors the origin's two skills (as
# `skillrig add` does) and `skillrig-mise verify`, run from the helper the plugin fetched,
# checks that the installed CLIs are intact and were released from the history the skills
# were locked to.
#
# scripts/package-helper.sh packages skillrig-mise as a release does and pins a copy of plugin/
# to it (the first run compiles the size-optimised release profile: a few minutes). The origin
# is the testkit's fake GitHub on 127.0.0.1 (with a real git history: releases are tagged
# commits), which also serves the helper archive in place of GitHub's release downloads; the
# token reaches skillrig-mise only through a credential_command, as it would from a secret
# manager.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
demo="$SKILLRIG_ROOT/.demo"

echo "==> packaging skillrig-mise as a release does, and the plugin pinned to it"
bash scripts/package-helper.sh "$SKILLRIG_ROOT/target/package" | sed 's/^/    /'
package="$SKILLRIG_ROOT/target/package"
version=$(sed -n 's/^    version = "\(.*\)",$/\1/p' "$package/plugin/lib/pinned.lua")
echo "==> building the fake GitHub"
cargo build -q -p testkit
ensure_mise

rm -rf "$demo"; mkdir -p "$demo"/{project,config/skillrig,home}
# An isolated world: mise's dirs, XDG dirs and HOME all live under .demo/.
export HOME="$demo/home" XDG_CONFIG_HOME="$demo/config" XDG_CACHE_HOME="$demo/cache"
export MISE_DATA_DIR="$demo/mise/data" MISE_CONFIG_DIR="$demo/mise/config" \
       MISE_CACHE_DIR="$demo/mise/cache" MISE_STATE_DIR="$demo/mise/state" MISE_YES=1
unset GITHUB_TOKEN GH_TOKEN MISE_GITHUB_TOKEN GITHUB_API_TOKEN SKILLRIG_CONFIG SKILLRIG_MISE_BIN

token="ghp_demo$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$token" > "$demo/token"; chmod 600 "$demo/token"

echo "==> starting the fake GitHub: a private origin acme/tools, and the helper's release downloads"
"$SKILLRIG_ROOT/target/debug/testkit" serve --demo --token "$token=demo" \
    --downloads "$package/releases" --info-file "$demo/github.json" \
    > "$demo/testkit.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$demo/github.json" ] && break; sleep 0.05; done
api_url=$(sed -n 's/.*"api_url":"\([^"]*\)".*/\1/p' "$demo/github.json")
# What https://github.com/skillrig/skillrig-mise/releases/download is to a user.
SKILLRIG_HELPER_BASE_URL=$(sed -n 's/.*"downloads_url":"\([^"]*\)".*/\1/p' "$demo/github.json")
export SKILLRIG_HELPER_BASE_URL

cat > "$XDG_CONFIG_HOME/skillrig/hosts.toml" <<TOML
# github.com is served by the local fake for the demo; the token comes from a command,
# the way a secret manager (op, vault, aws secretsmanager) would supply it.
[hosts."github.com"]
api_url = "$api_url"
credential_command = "cat '$demo/token'"
TOML

cat > "$demo/project/mise.toml" <<TOML
[plugins]
"vfox-backend:skillrig" = "file://$package/plugin#v$version"   # as released: the plugin's own repo

[tools]
"skillrig:acme/tools/jira" = "latest"                    # build-metadata stream 2.10.0+jira
"skillrig:acme/tools/tfc" = "0.0.6"                      # a pinned older version
"skillrig:acme/tools/oxid" = "latest"                    # prefix stream oxid-v0.10.0
"skillrig:acme/tools/kubelint" = "latest"                # described by [[binaries]] metadata
"skillrig:acme/tools/jira-cli" = "latest"                # a name that extends another's
TOML

echo "==> mise install (installs the plugin, which fetches skillrig-mise $version on first use)"
cd "$demo/project"
"$MISE_BIN" trust --quiet mise.toml
"$MISE_BIN" install
echo
echo "==> the helper the plugin fetched and verified"
ls -d "$MISE_DATA_DIR"/plugins/skillrig/helper/*/
echo
echo "==> mise ls"
"$MISE_BIN" ls
echo
echo "==> each tool on PATH prints its own name and version"
for tool in jira tfc oxid kubelint jira-cli; do
    printf '%-9s -> ' "$tool"; "$MISE_BIN" exec -- "$tool"
done
echo
echo "==> requests the fake GitHub served (one listing for five tools)"
curl -fsS "$api_url/_testkit/stats"; echo
echo
echo "==> the project vendors the skills deploy-check and release-notes, locked to acme/tools@main"
"$SKILLRIG_ROOT/target/debug/testkit" vendor "$demo/project"
(cd "$demo/project" && find .agents .skillrig -type f | sort)
echo
echo "==> skillrig-mise verify (the helper the plugin fetched): are the CLIs the skills need"
echo "    installed, untouched, and released from the history the skills were locked to?"
helpers=("$MISE_DATA_DIR"/plugins/skillrig/helper/v"$version"-*/*/skillrig-mise)
[ -x "${helpers[0]}" ] || { echo "demo: no helper at ${helpers[0]}" >&2; exit 1; }
"${helpers[0]}" verify
