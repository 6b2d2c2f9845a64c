#!/usr/bin/env bash
# Builds the Leptos UI into ui/dist with trunk, offline and without wasm-opt
# (shared/notes/build-facts.md, traps 2 and 4).
set -euo pipefail
cd "$(dirname "$0")/../ui"
export PATH="$HOME/.cargo/bin:$PATH"
cargo fetch --locked --target wasm32-unknown-unknown >/dev/null
trunk build --release --offline "$@"
