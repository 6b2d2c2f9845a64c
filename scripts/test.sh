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
# The UI is a wasm crate; it is built and linted above.
cargo test --workspace --exclude warroom-ui --locked
