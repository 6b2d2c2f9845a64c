#!/usr/bin/env bash
# Builds the Linux packages offline with Tauri's bundler: a .deb and an .rpm holding
# warroom-desktop, the `warroom` command, the desktop entry and icons, the AppStream record and
# the licences (also of the fonts the binaries embed). The version is the workspace's.
# Prints the paths of the packages built, the .deb first.
#   scripts/package.sh
# (AppImage is left out: its bundler downloads AppRun and linuxdeploy, which this offline
# build cannot do.)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

scripts/setup.sh --package >&2
export PATH="$HOME/.cargo/bin:$PATH"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac

# `path+file:///…/src-tauri#warroom-desktop@0.1.0` → 0.1.0
version="$(cargo pkgid -p warroom-desktop | sed 's/.*@//')"
released="$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"

scripts/build-ui.sh >&2
cargo build --release --locked -p warroom-cli --bin warroom >&2

stage="$target/package-stage"
mkdir -p "$stage"
# Files are rewritten only when they change: the bundler's build script watches them, and a
# new timestamp alone would relink the app (minutes).
put() { if ! cmp -s "$1" "$2"; then mv "$1" "$2"; else rm "$1"; fi; }
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$released/" \
  packaging/linux/app.warroom.desktop.metainfo.xml.in > "$stage/metainfo.new"
put "$stage/metainfo.new" "$stage/app.warroom.desktop.metainfo.xml"
# What only this build knows: where the `warroom` binary and the filled-in AppStream record are.
files="{\"/usr/bin/warroom\": \"$target/release/warroom\",
        \"/usr/share/metainfo/app.warroom.desktop.metainfo.xml\": \"$stage/app.warroom.desktop.metainfo.xml\"}"
cat > "$stage/package.new" <<JSON
{ "bundle": { "linux": { "deb": { "files": $files }, "rpm": { "files": $files } } } }
JSON
put "$stage/package.new" "$stage/package.json"

rm -rf "$target/release/bundle/deb" "$target/release/bundle/rpm"
(cd src-tauri && cargo tauri build --ci --bundles deb,rpm --config "$stage/package.json" -- --locked) >&2

ls "$target/release/bundle/deb/"*.deb "$target/release/bundle/rpm/"*.rpm
