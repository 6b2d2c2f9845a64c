#!/usr/bin/env bash
# Installs what is missing, then runs every test: formatting, lints, the UI build, and the
# whole workspace's tests (unit, property, snapshot and cross-process).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"

echo "== rustfmt"
cargo fmt --all -- --check

echo "== UI (wasm, trunk)"
scripts/build-ui.sh

echo "== clippy"
cargo clippy --workspace --exclude warroom-ui --all-targets --locked -- -D warnings
cargo clippy -p warroom-ui --target wasm32-unknown-unknown --locked -- -D warnings

echo "== tests"
# The cross-process tests run the real binaries, which `cargo test` alone does not build.
cargo build --workspace --exclude warroom-ui --bins --locked
# The mixed-version sync test runs an earlier release's `warroom` next to this one (built once,
# in a target folder of its own).
WARROOM_OLD_BIN="$(scripts/build-old.sh)"
export WARROOM_OLD_BIN
# The UI is a wasm crate; it is built and linted above. The end-to-end tests open Chromium and
# the desktop window: they run on a private X display and D-Bus session, with browser state in
# a throw-away folder rather than the home folder.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache" XDG_DATA_HOME="$scratch/data"
export XDG_STATE_HOME="$scratch/state" XDG_RUNTIME_DIR="$scratch/runtime" MESA_SHADER_CACHE_DISABLE=true WEBKIT_DISABLE_COMPOSITING_MODE=1
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
xvfb-run -a -s "-screen 0 1400x1000x24" dbus-run-session -- cargo test --workspace --exclude warroom-ui --locked

echo "== package and install"
# Builds the .deb with Tauri's bundler, installs it on this machine, checks it and removes it.
scripts/install-test.sh
