#!/usr/bin/env bash
# js-deps.sh: installs the API's browser test kit (api/js/test: playwright-core,
# pinned by package-lock.json) with `npm ci` when node_modules is missing or
# older than package-lock.json, and does nothing otherwise. The browser itself
# is Debian's chromium (packaging/linux/deps.sh test); nothing is downloaded
# besides the npm packages.
set -euo pipefail
cd "$(dirname "$0")/../api/js/test"

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
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ -f node_modules/playwright-core/package.json ] && ! [ package-lock.json -nt "$stamp" ]; then
	exit 0
fi
echo "js-deps.sh: installing api/js/test's packages (npm ci)"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
