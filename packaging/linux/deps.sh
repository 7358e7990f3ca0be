#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Ringdesk needs, and nothing when all of
# them are there already.
#
#   packaging/linux/deps.sh build   what `make run` needs: the cgo toolchain and
#                                   headers for Fyne (OpenGL, X11) and libvpx,
#                                   and a CJK font for the Chinese interface
#   packaging/linux/deps.sh test    build + the real peers and tools the test
#                                   suite starts (Kamailio, SIPp, baresip,
#                                   gnome-keyring, Xvfb, Chromium and Node.js
#                                   for the API's browser test, PulseAudio
#                                   with a null sink for media/device...)
#
# It uses apt-get without prompts, through sudo when not run as root.
set -euo pipefail

build_packages=(
	gcc libc6-dev pkg-config git ca-certificates
	libgl1-mesa-dev libgl1-mesa-dri xorg-dev libvpx-dev
	fonts-wqy-microhei
)
test_packages=(
	kamailio kamailio-websocket-modules kamailio-tls-modules
	sip-tester baresip-core
	gnome-keyring libsecret-tools dbus dbus-x11
	xvfb xauth x11-utils xdotool imagemagick
	chromium
	pulseaudio pulseaudio-utils
)
# Node.js and npm run the API's browser test kit (api/js/test). They are
# wanted as commands, not as Debian packages: a Node.js installed otherwise
# (e.g. a nodejs package from another repository, which bundles npm and
# conflicts with Debian's npm) is used as it is.
node_packages=()
if ! command -v node >/dev/null; then
	node_packages+=(nodejs)
fi
if ! command -v npm >/dev/null; then
	node_packages+=(npm)
fi

case "${1:-}" in
build) wanted=("${build_packages[@]}") ;;
test) wanted=("${build_packages[@]}" "${test_packages[@]}" ${node_packages[@]+"${node_packages[@]}"}) ;;
*)
	echo "usage: $0 build|test" >&2
	exit 2
	;;
esac

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "deps.sh: this script installs Debian/Ubuntu packages; on another system install the equivalents of: ${wanted[*]}" >&2
	exit 1
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
	as_root=(sudo)
fi

missing=()
for pkg in "${wanted[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$pkg")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ ${#as_root[@]} -gt 0 ] && ! command -v sudo >/dev/null; then
		echo "deps.sh: these packages are missing and installing them needs root (no sudo here): ${missing[*]}" >&2
		exit 1
	fi
	echo "deps.sh: installing ${missing[*]}"
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Go: go.mod asks for Go 1.26. A go command of 1.21 or newer fetches that
# toolchain itself (GOTOOLCHAIN=auto); an older one cannot.
if ! command -v go >/dev/null; then
	echo "deps.sh: no Go toolchain found; trying the distribution's golang-go"
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends golang-go || true
fi
if ! command -v go >/dev/null; then
	echo "deps.sh: Ringdesk needs Go 1.21 or newer (it then fetches Go 1.26 by itself): install it from https://go.dev/dl and run make again" >&2
	exit 1
fi
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if [ "${go_minor:-0}" -lt 21 ] 2>/dev/null; then
	echo "deps.sh: $(go env GOVERSION) is too old to build Ringdesk: install Go 1.21 or newer from https://go.dev/dl (it then fetches Go 1.26 by itself)" >&2
	exit 1
fi
