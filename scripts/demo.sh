#!/usr/bin/env bash
# The demo (README): co-installs five CLIs from one private skillrig origin through real mise,
# offline. The origin is the testkit's fake GitHub on 127.0.0.1; the token reaches skillrig-mise
# only through a credential_command, as it would from a secret manager.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
profile=${SKILLRIG_PROFILE:-debug}
demo="$SKILLRIG_ROOT/.demo"

echo "==> building skillrig-mise and the fake GitHub ($profile)"
flags=(); [ "$profile" = release ] && flags=(--release)
cargo build -q "${flags[@]}" -p skillrig-mise -p testkit
bin="$SKILLRIG_ROOT/target/$profile"
ensure_mise

rm -rf "$demo"; mkdir -p "$demo"/{project,config/skillrig,home}
# An isolated world: mise's dirs, XDG dirs and HOME all live under .demo/.
export HOME="$demo/home" XDG_CONFIG_HOME="$demo/config" XDG_CACHE_HOME="$demo/cache"
export MISE_DATA_DIR="$demo/mise/data" MISE_CONFIG_DIR="$demo/mise/config" \
       MISE_CACHE_DIR="$demo/mise/cache" MISE_STATE_DIR="$demo/mise/state" MISE_YES=1
unset GITHUB_TOKEN GH_TOKEN MISE_GITHUB_TOKEN GITHUB_API_TOKEN SKILLRIG_CONFIG
export SKILLRIG_MISE_BIN="$bin/skillrig-mise"

token="ghp_demo$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$token" > "$demo/token"; chmod 600 "$demo/token"

echo "==> starting the fake GitHub with a private origin acme/tools"
"$bin/testkit" serve --demo --token "$token=demo" --info-file "$demo/github.json" \
    > "$demo/testkit.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$demo/github.json" ] && break; sleep 0.05; done
api_url=$(sed -n 's/.*"api_url":"\([^"]*\)".*/\1/p' "$demo/github.json")

cat > "$XDG_CONFIG_HOME/skillrig/hosts.toml" <<TOML
# github.com is served by the local fake for the demo; the token comes from a command,
# the way a secret manager (op, vault, aws secretsmanager) would supply it.
[hosts."github.com"]
api_url = "$api_url"
credential_command = "cat '$demo/token'"
TOML

cat > "$demo/project/mise.toml" <<'TOML'
[tools]
"skillrig:acme/tools/jira" = "latest"                    # build-metadata stream 2.10.0+jira
"skillrig:acme/tools/tfc" = "0.0.6"                      # a pinned older version
"skillrig:acme/tools/oxid" = "latest"                    # prefix stream oxid-v0.10.0
"skillrig:acme/tools/kubelint" = "latest"                # described by [[binaries]] metadata
"skillrig:acme/tools/jira-cli" = "latest"                # a name that extends another's
TOML

echo "==> linking the plugin and installing"
cd "$demo/project"
"$MISE_BIN" plugins link --force skillrig "$SKILLRIG_ROOT/plugin"
"$MISE_BIN" trust --quiet mise.toml
"$MISE_BIN" install
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
