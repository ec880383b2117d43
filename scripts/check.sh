#!/usr/bin/env bash
# Every check Till has, in the order that fails fastest. Run through `./dev test`,
# which installs what is missing first. Benchmarks are not here.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# Anything a test writes to the real user's data directory is a bug: the
# installed release's, or a development build's (`./dev run`).
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
stamps() { stat -c '%Y' "$data_home/dev.till.desktop" "$data_home/dev.till.desktop.development" 2>/dev/null || echo absent; }
before=$(stamps)

step "cargo fmt --check"
cargo fmt --all --check

logs=$(mktemp -d -t till-check.XXXXXX)
trap 'rm -rf "$logs"' EXIT

step "UI: svelte-check, eslint, vitest"
(cd ui && npm run --silent check && npm run --silent lint && npx vitest run --reporter=default --reporter=json --outputFile="$logs/vitest.json")

step "UI: build (the app embeds ui/dist)"
(cd ui && npm run --silent build)

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "build the app"
cargo build -p till --locked

step "Rust tests, the bindings check and the real-app end-to-end suite (private keyring, Xvfb)"
TILL_E2E_APP="${CARGO_TARGET_DIR:-$PWD/target}/debug/till-desktop" \
  scripts/with-test-keyring.sh cargo test --workspace --locked --no-fail-fast -- --test-threads=1 2>&1 | tee "$logs/cargo.log"

after=$(stamps)
if [ "$before" != "$after" ]; then
  echo "a test wrote to a real data directory under $data_home" >&2
  exit 1
fi
# One closing line for the whole suite: Rust's and the UI's tests together.
read -r rust_passed rust_failed rust_ignored < <(awk '/^test result:/ { p += $4; f += $6; i += $8 } END { print p+0, f+0, i+0 }' "$logs/cargo.log")
read -r ui_passed ui_failed < <(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests)' "$logs/vitest.json")
echo
echo "All checks passed: $rust_passed Rust tests (end-to-end included) and $ui_passed UI tests."
echo "Ignored: $rust_ignored Rust tests that run by their own commands or as a parent's child process (README, Tests)."
echo "total: $((rust_passed + ui_passed)) passed, $((rust_failed + ui_failed)) failed, $rust_ignored skipped"
