#!/usr/bin/env bash
# fuzz.sh SECONDS: run every Go fuzz target of the module for SECONDS each
# (CI runs a short pass on every build; run longer by hand). A crash leaves
# its input under the package's testdata/fuzz/ and fails the script.
set -euo pipefail
seconds="${1:-10}"
cd "$(dirname "$0")/.."
status=0
while IFS= read -r line; do
	file="${line%%:*}"
	target="$(sed -E 's/.*func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")"
	pkg="./$(dirname "$file")"
	echo "fuzz.sh: $pkg $target for ${seconds}s"
	if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "${seconds}s" "$pkg"; then
		status=1
	fi
done < <(grep -rn -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' --include='*_test.go' --exclude-dir=build --exclude-dir=.git . | sed 's|^\./||')
exit "$status"
