#!/bin/sh
# The demo: vgapt-guest's synthetic pattern and a tone (a synthetic Scream driver) feeding
# vgapt-client through temporary files. The tone plays through the user's PipeWire; without one
# (no desktop) a private PipeWire daemon with a null sink stands in, or audio is skipped.
# Usage: demo.sh BUILD_DIR [SECONDS]   (SECONDS 0 or absent: until the window is closed)
set -eu
build=${1:?usage: demo.sh BUILD_DIR [SECONDS]}
seconds=${2:-0}
guest_bin="$build/guest-protocol/guest/vgapt-guest"
client_bin="$build/host-client/vgapt-client"
shm=$(mktemp "${TMPDIR:-/tmp}/vgapt-demo.XXXXXX")
scream=$(mktemp "${TMPDIR:-/tmp}/vgapt-demo-scream.XXXXXX")
pwdir=""
tone=""
pw_pids=""
cleanup() {
    kill "$guest" $tone $pw_pids 2>/dev/null || true
    wait 2>/dev/null || true
    rm -f "$shm" "$scream"
    [ -z "$pwdir" ] || rm -rf "$pwdir"
}
trap cleanup EXIT INT TERM

# A private PipeWire daemon (null sink) when none is reachable, as the audio tests run it.
start_private_pipewire() {
    command -v pipewire >/dev/null && command -v wireplumber >/dev/null || return 1
    pwdir=$(mktemp -d "${TMPDIR:-/tmp}/vgapt-demo-pw.XXXXXX")
    mkdir -p "$pwdir/run" "$pwdir/config/pipewire/pipewire.conf.d" \
        "$pwdir/config/wireplumber/main.lua.d" "$pwdir/config/wireplumber/bluetooth.lua.d"
    chmod 700 "$pwdir/run"
    cat > "$pwdir/config/pipewire/pipewire.conf.d/10-null-sink.conf" <<'CONF'
context.objects = [
  { factory = adapter
    args = { factory.name = support.null-audio-sink  node.name = "demo-sink"
             media.class = "Audio/Sink"  audio.position = [ FL FR ]  audio.rate = 48000
             node.driver = true  priority.driver = 1000  priority.session = 1000
             object.linger = true } } ]
CONF
    printf '%s\n' 'alsa_monitor.enabled = false' \
        'alsa_monitor.properties["alsa.reserve"] = false' \
        'default_access.properties["enable-flatpak-portal"] = false' \
        'v4l2_monitor.enabled = false' 'libcamera_monitor.enabled = false' \
        > "$pwdir/config/wireplumber/main.lua.d/51-headless.lua"
    echo 'bluez_monitor.enabled = false' > "$pwdir/config/wireplumber/bluetooth.lua.d/51-headless.lua"
    export XDG_RUNTIME_DIR="$pwdir/run" PIPEWIRE_RUNTIME_DIR="$pwdir/run"
    export XDG_CONFIG_HOME="$pwdir/config"
    unset DBUS_SESSION_BUS_ADDRESS
    pipewire >"$pwdir/pipewire.log" 2>&1 &
    pw_pids="$!"
    i=0
    while [ ! -S "$pwdir/run/pipewire-0" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    wireplumber >"$pwdir/wireplumber.log" 2>&1 &
    pw_pids="$pw_pids $!"
    i=0
    until wpctl inspect @DEFAULT_AUDIO_SINK@ >/dev/null 2>&1; do
        [ $i -lt 100 ] || return 1
        sleep 0.05
        i=$((i + 1))
    done
}

audio="--no-audio"
if command -v pw-cli >/dev/null && pw-cli info 0 >/dev/null 2>&1; then
    audio="--audio"
elif start_private_pipewire; then
    echo "demo: no PipeWire session; the tone plays into a private null sink (no sound)" >&2
    audio="--audio"
else
    echo "demo: no PipeWire (install pipewire and wireplumber for audio); video only" >&2
fi

"$guest_bin" pattern --shm "$shm" --size 1280x720 --fps 60 &
guest=$!
if [ "$audio" = --audio ]; then
    "$guest_bin" tone --shm "$scream" --freq 440 --amplitude 0.2 >/dev/null &
    tone=$!
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    [ "$seconds" != 0 ] || seconds=10
    echo "demo: no display; running under Xvfb for $seconds s" >&2
    xvfb-run -a -s '-screen 0 1920x1080x24' \
        "$client_bin" --shm "$shm" --overlay --seconds "$seconds" $audio --scream "$scream"
else
    "$client_bin" --shm "$shm" --overlay --seconds "$seconds" $audio --scream "$scream"
fi
