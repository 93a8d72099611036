#!/usr/bin/env bash
# Runs every fuzz target in the module for a bounded time each; a crash
# fails CI. Targets are discovered, not listed: `go test -list 'Fuzz.*'`
# per package, so a new Fuzz function is picked up without editing this.
#
#   FUZZTIME   time per target (default 20s; 5s when CI is set, which keeps
#              the ~37 targets near four minutes on 2 cores)
#   FUZZPKGS   packages to search (default ./...)
#   FUZZMATCH  only targets whose name matches this extended regexp
#
# When a target fails, `go test` has written the input that broke it to
# <package>/testdata/fuzz/<FuzzName>/<hash>. Fix the bug and commit that
# file: from then on plain `go test` replays it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

GO="${GO:-go}"
if [[ -n "${FUZZTIME:-}" ]]; then
	fuzztime="$FUZZTIME"
elif [[ -n "${CI:-}" ]]; then
	fuzztime=5s
else
	fuzztime=20s
fi
pkgs="${FUZZPKGS:-./...}"
match="${FUZZMATCH:-.}"

# `go test -list` prints a package's targets, then "ok  <import path> …".
listing=$("$GO" test -list '^Fuzz' $pkgs 2>&1) || {
	echo "$listing"
	echo "fuzz: listing fuzz targets failed (does every package compile?)" >&2
	exit 1
}
targets=()
pending=()
while IFS= read -r line; do
	case "$line" in
	Fuzz*) pending+=("$line") ;;
	ok*)
		pkg=$(awk '{print $2}' <<<"$line")
		for t in "${pending[@]+"${pending[@]}"}"; do
			targets+=("$pkg $t")
		done
		pending=()
		;;
	esac
done <<<"$listing"

if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz: no fuzz targets found in $pkgs" >&2
	exit 1
fi

# engine_timeout tells the fuzzing engine's own failure from a found bug:
# when -fuzztime runs out while the coordinator waits on a busy worker (a
# loaded 2-core machine), go test can fail with "context deadline exceeded"
# and no input. A bug always writes its input ("Failing input written to
# testdata/fuzz/..."), so such a run is retried once and a found bug never is.
engine_timeout() {
	grep -q 'context deadline exceeded' "$1" && ! grep -q 'Failing input written' "$1"
}

echo "fuzz: ${#targets[@]} targets, $fuzztime each"
start=$(date +%s)
failed=()
ran=0
for entry in "${targets[@]}"; do
	read -r pkg name <<<"$entry"
	[[ "$name" =~ $match ]] || continue
	ran=$((ran + 1))
	t0=$(date +%s)
	log=$(mktemp)
	if "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >"$log" 2>&1; then
		echo "fuzz: ok   $pkg $name ($(($(date +%s) - t0))s)"
	elif engine_timeout "$log" && "$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >"$log" 2>&1; then
		echo "fuzz: ok   $pkg $name ($(($(date +%s) - t0))s; run twice: the first ended in the engine's own timeout, with no failing input)"
	else
		echo "fuzz: FAIL $pkg $name ($(($(date +%s) - t0))s)"
		sed 's/^/    /' "$log"
		failed+=("$pkg $name")
	fi
	rm -f "$log"
done

total=$(($(date +%s) - start))
echo "fuzz: ran $ran targets in ${total}s"
if [[ ${#failed[@]} -gt 0 ]]; then
	echo "fuzz: ${#failed[@]} targets failed:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	echo "fuzz: new crashers (commit them as regression inputs once fixed):" >&2
	git status --porcelain -- '*testdata/fuzz/*' >&2 2>/dev/null || true
	exit 1
fi
