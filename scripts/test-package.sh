#!/usr/bin/env bash
# Installs the .deb that `./dev release` built, checks what it put on the
# system, runs the installed /usr/bin/till-desktop under Xvfb through the
# end-to-end harness (the shell scenario: the demo's Overview with its
# figures, every section, IPC, Settings), then removes the package and checks
# that nothing it installed is left. `./dev test-package`; needs root (dpkg).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:?set by ./dev}"

fail() { echo "test-package: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || fail "dpkg needs root: run it as root (CI is)"
debs=("$CARGO_TARGET_DIR"/dist/bundle/deb/*.deb)
[ -f "${debs[0]}" ] || fail "no .deb in $CARGO_TARGET_DIR/dist/bundle/deb: run ./dev release first"
[ "${#debs[@]}" -eq 1 ] || fail "more than one .deb: ${debs[*]}"
deb=${debs[0]}
package=$(dpkg-deb -f "$deb" Package)
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
  fail "$package is already installed here; remove it first (dpkg -r $package), this test will not replace it"
fi

step "the package's fields"
dpkg-deb -f "$deb" Package Version Architecture Maintainer Depends Recommends Section Description
for field in Maintainer Depends Recommends; do
  [ -n "$(dpkg-deb -f "$deb" "$field")" ] || fail "no $field"
done
dpkg-deb -f "$deb" Depends | grep -q 'libwebkit2gtk-4.1-0' || fail "Depends lacks WebKitGTK 4.1"
dpkg-deb -f "$deb" Recommends | grep -q 'gnome-keyring' || fail "Recommends lacks a Secret Service (gnome-keyring)"
dpkg-deb -f "$deb" Description | grep -q '(none)' && fail "the description says (none)"

step "dpkg -i $(basename "$deb")"
dpkg -i "$deb"
installed=$(dpkg -L "$package")
removed=0
cleanup() { [ "$removed" = 1 ] || dpkg -r "$package" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "what it installed"
bin=/usr/bin/till-desktop
[ -x "$bin" ] || fail "$bin is missing"
file "$bin" | grep -q ", stripped" || fail "$bin is not stripped"
desktop=$(grep '\.desktop$' <<<"$installed" || true)
[ -n "$desktop" ] || fail "no .desktop entry"
cat "$desktop"
grep -qx 'Exec=till-desktop' "$desktop" || fail "the .desktop entry does not start till-desktop"
grep -q '^Categories=.*Finance' "$desktop" || fail "the .desktop entry is not in Finance"
grep -q '^Comment=.' "$desktop" || fail "the .desktop entry has no comment"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop"; fi
icons=$(grep '/usr/share/icons/hicolor/.*/apps/till-desktop.png$' <<<"$installed" || true)
echo "$icons"
for size in 32x32 64x64 128x128 256x256 512x512; do
  grep -q "/$size/" <<<"$icons" || fail "no $size icon"
done
[ -f "/usr/share/doc/$package/copyright" ] || fail "no /usr/share/doc/$package/copyright"

step "the installed app under Xvfb: the demo's Overview (tests/e2e shell scenario)"
TILL_E2E_APP="$bin" scripts/with-test-keyring.sh \
  cargo test -p till-e2e --test shell the_shell_renders_and_round_trips_through_ipc -- --exact --test-threads=1

step "dpkg -r $package"
dpkg -r "$package"
removed=1
dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' && fail "$package is still installed"
left=()
while IFS= read -r path; do
  [ -z "$path" ] || [ -d "$path" ] || [ ! -e "$path" ] || left+=("$path")
done <<<"$installed"
[ "${#left[@]}" -eq 0 ] || fail "dpkg -r left: ${left[*]}"
echo
echo "test-package: $(basename "$deb") installed, ran the demo's Overview, and was removed cleanly."
