#!/usr/bin/env bash
# Installs what Till needs on Debian 12 / Ubuntu, and nothing twice:
#   scripts/setup.sh app    what building and running the app needs
#   scripts/setup.sh test   that, plus what the test suite needs
# System packages come from apt (as root; otherwise the exact sudo line is
# printed), npm packages from ui/package-lock.json, Rust tools from crates.io.
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=${1:-app}
case "$purpose" in app|test) ;; *) echo "usage: $0 app|test" >&2; exit 2 ;; esac

# The Tauri toolchain on Linux (WebKitGTK 4.1, GTK, appindicator, rsvg).
packages=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config
  # The keychain: Secret Service through D-Bus.
  libsecret-1-dev libdbus-1-dev gnome-keyring dbus-x11)
if [ "$purpose" = test ]; then
  # A headless display, WebDriver for WebKitGTK, and a way to read the keychain from outside.
  packages+=(xvfb xauth webkit2gtk-driver libsecret-tools
    # The German locale, for the end-to-end test of a merchant who types "12,50".
    locales)
fi
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for pkg in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: these system packages are missing. Install them, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if [ "$purpose" = test ] && ! locale -a 2>/dev/null | grep -qiE '^de_DE\.utf-?8$'; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: generating the de_DE.UTF-8 locale"
    localedef -i de_DE -f UTF-8 de_DE.UTF-8
  else
    echo "setup: the de_DE.UTF-8 locale is missing. Generate it, then run this again:" >&2
    echo "  sudo localedef -i de_DE -f UTF-8 de_DE.UTF-8" >&2
    exit 1
  fi
fi

# Node.js 20.19 or newer (Vite 8).
node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?"yes":"no")')
if [ "$node_ok" != yes ]; then
  echo "setup: Node.js $(node --version) is too old; Till's UI needs 20.19 or newer (https://nodejs.org)." >&2
  exit 1
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Rust is missing. Install it from https://rustup.rs, then run this again." >&2
  exit 1
fi

# npm packages, exactly as locked; reinstalled only when the lock file changes.
stamp=ui/node_modules/.till-lock-hash
lock_hash=$(sha256sum ui/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "setup: installing the UI's npm packages"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" > "$stamp"
fi

if [ "$purpose" = test ]; then
  if [ "$(tauri-driver --version 2>/dev/null || true)" != "tauri-driver 2.1.0" ]; then
    echo "setup: installing tauri-driver 2.1.0 (a few minutes, once)"
    cargo install tauri-driver@2.1.0 --locked --quiet
  fi
fi
