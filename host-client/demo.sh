#!/bin/sh
# The demo: vgapt-guest's synthetic pattern feeding vgapt-client through a temporary file.
# Usage: demo.sh BUILD_DIR [SECONDS]   (SECONDS 0 or absent: until the window is closed)
set -eu
build=${1:?usage: demo.sh BUILD_DIR [SECONDS]}
seconds=${2:-0}
shm=$(mktemp "${TMPDIR:-/tmp}/vgapt-demo.XXXXXX")
trap 'kill "$guest" 2>/dev/null; wait "$guest" 2>/dev/null; rm -f "$shm"' EXIT INT TERM
"$build/guest-protocol/guest/vgapt-guest" pattern --shm "$shm" --size 1280x720 --fps 60 &
guest=$!
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "demo: no display; running under Xvfb for ${seconds:-10} s" >&2
    [ "$seconds" != 0 ] || seconds=10
    xvfb-run -a -s '-screen 0 1920x1080x24' \
        "$build/host-client/vgapt-client" --shm "$shm" --overlay --seconds "$seconds"
else
    "$build/host-client/vgapt-client" --shm "$shm" --overlay --seconds "$seconds"
fi
