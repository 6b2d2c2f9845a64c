#!/usr/bin/env bash
# Installs what is missing, builds warroom, and opens it: the desktop app when there is a
# display, else `warroom serve` for a browser (arguments go to it, e.g. --bind 0.0.0.0:7878).
# The bundled demo runbook is imported when the database has none yet.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
scripts/build-ui.sh
cargo build --release --locked --bin warroom --bin warroom-desktop

bin="${CARGO_TARGET_DIR:-target}/release"
if ! "$bin/warroom" show >/dev/null 2>&1; then
  "$bin/warroom" import --demo
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$bin/warroom-desktop"
fi
echo "(no display: serving the app to a browser instead; Ctrl+C stops it)"
exec "$bin/warroom" serve "$@"
