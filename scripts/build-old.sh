#!/usr/bin/env bash
# Builds the `warroom` of an earlier release, for the mixed-version sync test: commit 5a59fb4,
# the last before rooms and join codes, which speaks the same sync protocol but does not know
# the event kinds added since. Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
old=5a59fb4
target="${CARGO_TARGET_DIR:-$PWD/target}/old-$old"
tree="$target/src"
if [ ! -x "$target/debug/warroom" ]; then
    rm -rf "$tree"
    mkdir -p "$target"
    git archive --format=tar "$old" | (mkdir -p "$tree" && tar -x -C "$tree")
    # Its own target folder: the current build's binaries stay where the tests look for them.
    (cd "$tree" && CARGO_TARGET_DIR="$target" cargo build -p warroom-cli --locked --quiet) >&2
fi
echo "$target/debug/warroom"
