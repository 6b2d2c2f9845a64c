#!/usr/bin/env bash
# Installs what warroom needs on a Debian 12 machine with Rust; quick when it is all there.
#   scripts/setup.sh          build and run the app
#   scripts/setup.sh --package   also Tauri's bundler, for scripts/package.sh
#   scripts/setup.sh --test   also what the tests need (browsers, Xvfb, PDF tools, the package checkers)
set -euo pipefail

want_test=0
want_package=0
case "${1:-}" in
  --test) want_test=1; want_package=1 ;;
  --package) want_package=1 ;;
esac

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
TAURI_DRIVER_VERSION=2.1.0
TAURI_CLI_VERSION=2.12.4

pkgs=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
      librsvg2-dev libxdo-dev libdbus-1-dev dbus)
if [ "$want_test" = 1 ]; then
  pkgs+=(xvfb xauth dbus-x11 webkit2gtk-driver chromium chromium-driver poppler-utils imagemagick
         desktop-file-utils appstream libglib2.0-bin)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# trunk 0.22 needs a newer rustc than this machine has (shared/notes/build-facts.md, trap 1).
if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
# Must match the wasm-bindgen crate version pinned in ui/Cargo.toml; no --locked (trap 3).
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
# The desktop end-to-end test drives the real window through tauri-driver and WebKitWebDriver.
# (tauri-driver has no --version: cargo's install record says which one is there.)
if [ "$want_test" = 1 ] && ! grep -q "\"tauri-driver $TAURI_DRIVER_VERSION " "${CARGO_HOME:-$HOME/.cargo}/.crates2.json" 2>/dev/null; then
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
fi
# The packages are built by Tauri's bundler (`cargo tauri build`); about 11 minutes the first time.
if [ "$want_package" = 1 ] && ! cargo tauri --version 2>/dev/null | grep -q "$TAURI_CLI_VERSION"; then
  cargo install tauri-cli --version "$TAURI_CLI_VERSION" --locked
fi
