#!/usr/bin/env bash
# Installs what is missing, builds warroom, and opens it: the desktop app when there is a
# display, else the runbook in the terminal. The bundled demo runbook is imported when the
# database has none yet.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
scripts/build-ui.sh
cargo build --release --locked --bin warroom --bin warroom-desktop

if ! target/release/warroom show >/dev/null 2>&1; then
  target/release/warroom import --demo
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec target/release/warroom-desktop
fi
echo "(no display: showing the runbook in the terminal)"
target/release/warroom show
