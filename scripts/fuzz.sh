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
	for attempt in 1 2; do
		out=$(mktemp)
		if go test -run '^$' -fuzz "^${target}\$" -fuzztime "${seconds}s" "$pkg" 2>&1 | tee "$out"; then
			rm -f "$out"
			break
		fi
		# Go's fuzzer sometimes fails a run with nothing but "context
		# deadline exceeded" when -fuzztime ends while a worker is busy
		# (golang/go#48127 and its kin). A real crash always writes its
		# input ("Failing input written to ..."); that one fails the run.
		if grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
			rm -f "$out"
			echo "fuzz.sh: $pkg $target stopped on the fuzzer's own deadline, not on a crash$([ "$attempt" = 1 ] && echo '; running it again')"
			continue
		fi
		rm -f "$out"
		status=1
		break
	done
done < <(grep -rn -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' --include='*_test.go' --exclude-dir=build --exclude-dir=.git . | sed 's|^\./||')
exit "$status"
