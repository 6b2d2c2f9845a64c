#!/usr/bin/env bash
# Installs what is missing, builds warroom, and opens it: the desktop app when there is a
# display, else `warroom serve` for a browser (arguments go to it, e.g. --bind 0.0.0.0:7878).
# A database without a runbook opens on the Welcome screen (import yours, open the demo, or join
# a room).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
scripts/build-ui.sh
cargo build --release --locked --bin warroom --bin warroom-desktop

bin="${CARGO_TARGET_DIR:-target}/release"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin/warroom-desktop"
fi
echo "(no display: serving the app to a browser instead; Ctrl+C stops it)"
exec "$bin/warroom" serve "$@"
