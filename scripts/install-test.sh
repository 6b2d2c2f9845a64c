#!/usr/bin/env bash
# The install test: builds the .deb (scripts/package.sh), installs it on this machine with dpkg,
# checks it as a new user meets it — the commands on the PATH, the menu entry, the AppStream
# record, the licences, the demo imported into a scratch database, the desktop app opened from
# its menu entry on a private X display until it shows the runbook — then removes it and checks
# nothing of it is left and the user's data is untouched. Prints the figures it measured.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
fail() { echo "install test: $*" >&2; exit 1; }

mapfile -t built < <(scripts/package.sh)
deb="${built[0]}"
[ -f "$deb" ] || fail "scripts/package.sh built no .deb"
version="$(cargo pkgid -p warroom-desktop | sed 's/.*@//')"

if dpkg-query -W -f='${Status}' warroom 2>/dev/null | grep -q "install ok installed"; then
  echo "install test: removing the warroom package an earlier run left installed" >&2
  $SUDO dpkg -r warroom >/dev/null
fi

scratch="$(mktemp -d)"
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then $SUDO dpkg -r warroom >/dev/null 2>&1 || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

$SUDO dpkg -i "$deb" >/dev/null
installed=1
dpkg-query -W -f='${Status}' warroom | grep -q "install ok installed" || fail "dpkg did not install warroom"
dpkg-query -W -f='${Version}' warroom | grep -qx "$version" || fail "the package's version is not the workspace's $version"
dpkg -L warroom > "$scratch/files"

# The commands, where a user finds them, answering without a display.
[ "$(command -v warroom)" = /usr/bin/warroom ] || fail "warroom is not /usr/bin/warroom"
[ "$(command -v warroom-desktop)" = /usr/bin/warroom-desktop ] || fail "warroom-desktop is not /usr/bin/warroom-desktop"
warroom --version | grep -qx "warroom $version" || fail "warroom --version says '$(warroom --version)'"
env -u DISPLAY -u WAYLAND_DISPLAY warroom-desktop --version | grep -qx "warroom-desktop $version" \
  || fail "warroom-desktop --version does not answer without a display"

# The menu entry and the software-centre record.
entry=/usr/share/applications/warroom.desktop
[ -f "$entry" ] || fail "no menu entry at $entry"
desktop-file-validate "$entry" || fail "$entry does not validate"
exec_cmd="$(sed -n 's/^Exec=//p' "$entry")"
[ "$(command -v "$exec_cmd")" = /usr/bin/warroom-desktop ] || fail "the menu entry runs '$exec_cmd', not warroom-desktop"
icon="$(sed -n 's/^Icon=//p' "$entry")"
grep -q "^/usr/share/icons/hicolor/.*/apps/$icon.png$" "$scratch/files" || fail "no icon named $icon in the package"
metainfo=/usr/share/metainfo/app.warroom.desktop.metainfo.xml
appstreamcli validate --no-net "$metainfo" >/dev/null || { appstreamcli validate --no-net "$metainfo"; fail "$metainfo does not validate"; }
grep -q "<release version=\"$version\"" "$metainfo" || fail "the AppStream record does not name release $version"
for doc in copyright LICENSE-MIT LICENSE-APACHE NotoSans-OFL.txt DejaVu-LICENSE.txt; do
  [ -s "/usr/share/doc/warroom/$doc" ] || fail "no /usr/share/doc/warroom/$doc"
done

# A new user's first minutes, in a home folder of their own.
export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" XDG_DATA_HOME="$scratch/home/.local/share"
export XDG_CACHE_HOME="$scratch/home/.cache" XDG_STATE_HOME="$scratch/home/.local/state"
export XDG_RUNTIME_DIR="$scratch/runtime" MESA_SHADER_CACHE_DISABLE=true WEBKIT_DISABLE_COMPOSITING_MODE=1
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# Opened from its menu entry, as a click does (gio launches the entry's Exec), until its first
# screen is drawn; the app writes the ready file then. Prints the milliseconds from the click.
cat > "$scratch/launch.sh" <<'LAUNCH'
set -euo pipefail
ready="$WARROOM_READY_FILE"
rm -f "$ready"
start=$(date +%s%N)
gio launch /usr/share/applications/warroom.desktop
for _ in $(seq 1 600); do
  [ -s "$ready" ] && break
  sleep 0.1
done
end=$(date +%s%N)
pid=""
for p in /proc/[0-9]*; do
  if [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/bin/warroom-desktop ]; then pid="${p#/proc/}"; fi
done
[ -n "$pid" ] && kill "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
[ -s "$ready" ] || { echo "the app opened from its menu entry drew nothing within 60 s" >&2; exit 1; }
echo "$(( (end - start) / 1000000 ))" > "$ready.click"
LAUNCH
launch() {
  xvfb-run -a -s "-screen 0 1366x768x24" dbus-run-session -- bash "$scratch/launch.sh" >"$scratch/launch.log" 2>&1 \
    || { cat "$scratch/launch.log" >&2; fail "warroom-desktop did not start from its menu entry ($1)"; }
  cat "$WARROOM_READY_FILE.click"
}
export WARROOM_READY_FILE="$scratch/ready"

# The first run: an empty database opens on the Welcome, and nothing is written into it.
export WARROOM_DB="$scratch/first.db"
welcome_ms="$(launch "first run")"
if warroom show >/dev/null 2>&1; then fail "the first run imported a runbook nobody chose"; fi

# The demo, imported with the command, then the app shows it.
export WARROOM_DB="$scratch/night.db"
warroom me set "Lan Tran" --role QA >/dev/null || fail "warroom me set failed"
warroom import --demo >/dev/null || fail "warroom import --demo failed"
warroom show | grep -q "^GO-LIVE RUNBOOK" || fail "warroom show does not show the demo runbook"
runbook_ms="$(launch "with the demo")"

# Removal takes every file of the package and leaves the user's data alone.
$SUDO dpkg -r warroom >/dev/null
installed=0
! dpkg-query -W -f='${Status}' warroom 2>/dev/null | grep -q "installed" || fail "warroom is still installed after dpkg -r"
while read -r f; do
  if [ ! -d "$f" ] && [ -e "$f" ]; then fail "$f is left after removal"; fi
done < "$scratch/files"
[ -s "$WARROOM_DB" ] || fail "removing the package touched the user's database"

deb_kib=$(( $(stat -c %s "$deb") / 1024 ))
installed_kib="$(dpkg-deb -f "$deb" Installed-Size)"
echo "install test: passed — package $deb_kib KiB, installed $installed_kib KiB;" \
  "from the menu entry: Welcome drawn in $welcome_ms ms, the demo runbook in $runbook_ms ms"
