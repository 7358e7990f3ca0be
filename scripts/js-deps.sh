#!/usr/bin/env bash
# js-deps.sh: installs the browser test kits with `npm ci` (pinned by their
# package-lock.json) when node_modules is missing or older than
# package-lock.json, and does nothing otherwise: api/js/test (playwright-core,
# for ringdesk.js and example.html) and internal/testbed/jssip (JsSIP, esbuild
# and playwright-core, the browser webphone peer of the WebRTC tests). The browser itself
# is Debian's chromium (packaging/linux/deps.sh test); nothing is downloaded
# besides the npm packages.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "js-deps.sh: node and npm are needed: run packaging/linux/deps.sh test (or install Node.js 18 or newer)" >&2
	exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
	echo "js-deps.sh: Node.js $(node --version) is too old for playwright-core: install Node.js 18 or newer" >&2
	exit 1
fi

# npm writes node_modules/.package-lock.json on every install: it is as old
# as the install.
for kit in api/js/test internal/testbed/jssip; do
	cd "$root/$kit"
	stamp=node_modules/.package-lock.json
	if [ -f "$stamp" ] && [ -f node_modules/playwright-core/package.json ] && ! [ package-lock.json -nt "$stamp" ]; then
		continue
	fi
	echo "js-deps.sh: installing $kit's packages (npm ci)"
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
done
