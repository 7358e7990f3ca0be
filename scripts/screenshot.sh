#!/usr/bin/env bash
# Screenshots of the real Ringdesk window under Xvfb, for people to look at.
#
#   scripts/screenshot.sh OUTDIR
#
# Starts Xvfb on a free display, runs the built binary (RINGDESK_BIN, default
# build/ringdesk) three times, each with a fresh HOME, XDG folders and
# --config, and saves the whole screen:
#   OUTDIR/first-run.png     no config file yet: the first-run account form
#   OUTDIR/dialpad.png       a config with one account: the dialpad
#   OUTDIR/dialpad-call.png  the same after typing 1002 and Return
#   OUTDIR/dialpad-vi.png, dialpad-call-vi.png   the same in Vietnamese
#   OUTDIR/config-error.png  a config with a bad transport: the error banner
#   OUTDIR/{registered,incoming,two-calls,consult,history,completion,
#           settings,settings-account,settings-audio,settings-api,
#           settings-general}-{en,vi,zh-Hans}.png  the window against real
#                            peers (internal/screenshots, a Go test)
# and each run's output as OUTDIR/NAME.log. Everything it starts is stopped on
# exit. Needs Debian's xvfb, xauth, x11-utils, xdotool, imagemagick and
# libgl1-mesa-dri (software OpenGL).
set -euo pipefail

out=${1:?usage: scripts/screenshot.sh OUTDIR}
bin=${RINGDESK_BIN:-build/ringdesk}
import=/usr/bin/import # /usr/local/bin may hold stand-ins for ImageMagick
window_timeout=${SCREENSHOT_WINDOW_TIMEOUT:-90}

for tool in Xvfb xdotool "$import"; do
	if ! command -v "$tool" >/dev/null; then
		echo "screenshot.sh: $tool not found (apt-get install xvfb xauth x11-utils xdotool imagemagick libgl1-mesa-dri)" >&2
		exit 1
	fi
done
if [ ! -x "$bin" ]; then
	echo "screenshot.sh: no binary at $bin (make build, or set RINGDESK_BIN)" >&2
	exit 1
fi
bin=$(realpath "$bin")
mkdir -p "$out"

work=$(mktemp -d)
xvfb_pid=""
app_pid=""
app_name=""
wid=""
cleanup() {
	for pid in "$app_pid" "$xvfb_pid"; do
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Xvfb picks a free display itself and writes its number to the fifo once it
# accepts connections, so there is no race for a number and no polling.
mkfifo "$work/displayfd"
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$work/displayfd" >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
if ! read -r -t 30 display_number <"$work/displayfd"; then
	echo "screenshot.sh: Xvfb did not start:" >&2
	cat "$work/xvfb.log" >&2
	exit 1
fi
export DISPLAY=":$display_number"

# start NAME CONFIG_TEXT: runs Ringdesk with CONFIG_TEXT as its config file (no
# file when empty) in a fresh HOME, and sets wid once its window has drawn.
start() {
	local name=$1 config=$2
	local home="$work/$name"
	mkdir -p "$home/config" "$home/cache"
	if [ -n "$config" ]; then
		printf '%s\n' "$config" >"$home/config.toml"
	fi

	# A bus address that leads nowhere keeps Ringdesk and Fyne from
	# auto-launching a session bus that would outlive this script.
	env HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache" \
		DBUS_SESSION_BUS_ADDRESS="unix:path=$home/no-bus" LANG=en_US.UTF-8 LC_ALL= LANGUAGE= \
		RINGDESK_SCREENSHOT_PASSWORD=not-a-real-password RINGDESK_SCREENSHOT_TOKEN=screenshot-token-0123456789 \
		LIBGL_ALWAYS_SOFTWARE=1 \
		"$bin" --config "$home/config.toml" >"$out/$name.log" 2>&1 &
	app_pid=$!
	app_name=$name

	# Look for the window every 0.2 s, up to window_timeout, giving up at once
	# if Ringdesk exits first.
	local ids="" i
	for i in $(seq 1 $((window_timeout * 5))); do
		ids=$(xdotool search --onlyvisible --name '^Ringdesk$' 2>/dev/null || true)
		[ -n "$ids" ] && break
		kill -0 "$app_pid" 2>/dev/null || fail "Ringdesk exited before showing a window"
		sleep 0.2
	done
	[ -n "$ids" ] || fail "no window named Ringdesk within ${window_timeout}s"
	wid=${ids%%$'\n'*}

	# The window exists before its first frame: wait (bounded) until it shows
	# more than one colour, then a moment for fonts and layout to settle.
	local colours=1
	for i in $(seq 1 100); do
		colours=$("$import" -window "$wid" -format '%k' info: 2>/dev/null || echo 1)
		[ "$colours" -gt 1 ] && break
		kill -0 "$app_pid" 2>/dev/null || fail "Ringdesk exited"
		sleep 0.2
	done
	[ "$colours" -gt 1 ] || fail "the window never drew anything"
	sleep 1
}

# fail MESSAGE: reports on the running app, with its output, and exits.
fail() {
	echo "screenshot.sh: $app_name: $1; its output:" >&2
	cat "$out/$app_name.log" >&2
	exit 1
}

# snap SHOT: saves the whole screen as OUTDIR/SHOT.png.
snap() {
	kill -0 "$app_pid" 2>/dev/null || fail "Ringdesk exited"
	"$import" -window "$wid" "$out/$1.png"
	echo "screenshot.sh: $out/$1.png (window \"$(xdotool getwindowname "$wid")\" $(xdotool getwindowgeometry "$wid" | sed -n 's/.*Geometry: //p'))"
}

# type_keys TEXT: types TEXT and Return into the window, as a person would.
# With no window manager the keyboard follows the pointer, so it rests on the
# number entry first (over a key it would light the key up).
type_keys() {
	xdotool mousemove --window "$wid" 180 93
	xdotool type --delay 60 "$1"
	xdotool key Return
	sleep 1
}

stop() {
	kill "$app_pid"
	wait "$app_pid" 2>/dev/null || true
	app_pid=""
}

start first-run ""
snap first-run
stop

# The account's registrar, 127.0.0.1:5060, does not answer: the window shows
# the registration trying, and the call to 1002 ringing out.
start dialpad '[api]
token_env = "RINGDESK_SCREENSHOT_TOKEN"

[[accounts]]
id = "main"
username = "1001"
domain = "127.0.0.1"
transport = "udp"
password_env = "RINGDESK_SCREENSHOT_PASSWORD"'
snap dialpad
type_keys 1002
snap dialpad-call
stop

start dialpad-vi '[ui]
language = "vi"

[api]
token_env = "RINGDESK_SCREENSHOT_TOKEN"
listen = "127.0.0.1:5479"

[[accounts]]
id = "main"
username = "1001"
domain = "127.0.0.1"
transport = "udp"
password_env = "RINGDESK_SCREENSHOT_PASSWORD"'
snap dialpad-vi
type_keys 1002
snap dialpad-call-vi
stop

start config-error '[[accounts]]
id = "main"
username = "1001"
domain = "127.0.0.1"
transport = "udpp"'
snap config-error
stop

# The window against real peers (Kamailio, baresip, SIPp), driven by a Go test
# that starts them: registered, the incoming popup with the caller card, and
# two calls in the panel, in English and Vietnamese.
RINGDESK_BIN="$bin" SCREENSHOT_DIR="$(realpath "$out")" \
	go test -tags screenshots -count=1 -v ./internal/screenshots >"$out/peers.log" 2>&1 ||
	{ echo "screenshot.sh: the screenshots with real peers failed:" >&2; tail -50 "$out/peers.log" >&2; exit 1; }
grep 'saved ' "$out/peers.log" | sed 's/^ *screens_test.go:[0-9]*: /screenshot.sh: /'
