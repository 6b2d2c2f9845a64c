#!/usr/bin/env bash
# Fuzzes the peer-facing decoders with cargo-fuzz (needs a nightly toolchain and
# `cargo install cargo-fuzz`). Seeds come from fuzz/regressions/; a crash lands in
# fuzz/artifacts/<target>/: copy it into fuzz/regressions/<target>/ so `cargo test` replays it.
# Usage: scripts/fuzz.sh [SECONDS per target, default 300]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-300}"
for target in decode_page join_code; do
    mkdir -p "corpus/$target"
    cp -n "regressions/$target/"* "corpus/$target/" 2>/dev/null || true
    cargo +nightly fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
