#!/usr/bin/env bash
# Builds Till's release packages, a .deb and an .rpm, with the Tauri CLI
# (`./dev release`, see README "Releases and signed updates"). No network
# beyond the package registries: AppImage, which downloads its tools while
# bundling, is not built.
#
# Signing: with TAURI_SIGNING_PRIVATE_KEY (or TAURI_SIGNING_PRIVATE_KEY_PATH)
# and TAURI_SIGNING_PRIVATE_KEY_PASSWORD set, each package gets its updater
# signature (.sig). Without a key the packages are built unsigned, and the
# last line says so.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:?set by ./dev}"

if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}${TAURI_SIGNING_PRIVATE_KEY_PATH:-}" ]; then
  signed=true
  # The CLI asks for a password it was not given; an empty one is a choice.
  export TAURI_SIGNING_PRIVATE_KEY_PASSWORD="${TAURI_SIGNING_PRIVATE_KEY_PASSWORD-}"
else
  signed=false
fi

(cd ui && npm run --silent build)

# The Tauri CLI reads the package (name, version, binary) from the Cargo.toml
# beside its tauri.conf.json, and ours sits at the root beside the workspace
# manifest ("No package info in the config file"). The CLI is given a copy in
# src-tauri/, beside the app's crate, with the paths made relative to it; it
# is removed afterwards. Cargo's build (tauri-build, generate_context!) keeps
# reading the root tauri.conf.json, so the app is compiled exactly as in
# development. The UI is built above, so the copy builds nothing itself.
cli_config=src-tauri/tauri.conf.json
if [ -e "$cli_config" ]; then
  echo "release: $cli_config exists; remove it (the configuration lives at the root)" >&2
  exit 1
fi
trap 'rm -f "$cli_config"' EXIT
SIGNED=$signed node - "$cli_config" <<'EOF'
const fs = require('node:fs');
const config = JSON.parse(fs.readFileSync('tauri.conf.json', 'utf8'));
const up = (path) => `../${path}`;
config.build.frontendDist = up(config.build.frontendDist);
config.build.beforeBuildCommand = '';
config.bundle.icon = config.bundle.icon.map(up);
for (const kind of ['deb', 'rpm']) {
  const files = config.bundle.linux?.[kind]?.files ?? {};
  for (const target of Object.keys(files)) files[target] = up(files[target]);
}
// Without a key the CLI would write the packages, then fail on the signature.
config.bundle.createUpdaterArtifacts = process.env.SIGNED === 'true';
fs.writeFileSync(process.argv[2], JSON.stringify(config, null, 2));
EOF

TAURI_APP_PATH=src-tauri ui/node_modules/.bin/tauri build --ci --bundles deb,rpm -- --profile dist --locked

bundle="$CARGO_TARGET_DIR/dist/bundle"
echo
echo "Packages:"
ls -l "$bundle"/deb/*.deb "$bundle"/rpm/*.rpm
if [ "$signed" = true ]; then
  ls -l "$bundle"/deb/*.deb.sig "$bundle"/rpm/*.rpm.sig
  echo "Signed for the updater with the key from the environment."
else
  echo "UNSIGNED: no TAURI_SIGNING_PRIVATE_KEY in the environment, so no updater signatures (.sig) were made."
  echo "The installed app can still be updated only by a package signed with the key in tauri.conf.json."
fi
