#!/usr/bin/env bash
# Runs a command in a private D-Bus session with an unlocked GNOME Keyring,
# so keychain code talks to a real Secret Service. HOME and the XDG
# directories point into a temporary directory: the developer's own keyrings
# and data are never touched.
set -euo pipefail

# Rust and cargo find their toolchains through HOME unless told otherwise.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"

sandbox=$(mktemp -d -t till-test-home.XXXXXX)
trap 'rm -rf "$sandbox"' EXIT
export HOME="$sandbox"
export XDG_DATA_HOME="$sandbox/.local/share"
export XDG_CONFIG_HOME="$sandbox/.config"
export XDG_CACHE_HOME="$sandbox/.cache"
export XDG_RUNTIME_DIR="$sandbox/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY

# The password only unlocks this throw-away keyring. Storing and clearing one
# item makes the daemon create its default ("login") collection, as a
# desktop login does; without it items would land in a session-only one.
dbus-run-session -- bash -c \
  'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null &&
   printf x | secret-tool store --label=till-test-init service till-test-init username init &&
   secret-tool clear service till-test-init username init &&
   "$@"' \
  till-test "$@" 2> >(grep -v "Failed to set fd limit" >&2)
