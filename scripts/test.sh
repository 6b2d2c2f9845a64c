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
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== tests"
cargo test --workspace --locked
