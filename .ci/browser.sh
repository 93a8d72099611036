#!/usr/bin/env bash
# CI step: headless Chromium for the browser tests (internal/e2e
# TestBrowser), which click through mockplex's /auth, /link and dashboard
# pages.
#
#  1. installs Debian's chromium package when /usr/bin/chromium (or
#     $MOCKPLEX_CHROMIUM) is absent, non-interactively;
#  2. prints its version, so the CI log says which browser ran;
#  3. runs the browser tests with CI=true, so a missing browser is a failure,
#     not a skip. Screenshots land in test-output/browser/.
#
# Set BROWSER_INSTALL_ONLY=1 to stop after step 2 (for example when
# `go test ./...` runs the tests later anyway).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export DEBIAN_FRONTEND=noninteractive
chromium=${MOCKPLEX_CHROMIUM:-/usr/bin/chromium}

if ! command -v "$chromium" >/dev/null 2>&1; then
	echo "==> installing chromium (apt-get)"
	if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=300 chromium
fi
command -v "$chromium" >/dev/null 2>&1 || {
	echo "browser.sh: FAIL: $chromium not found after install" >&2
	exit 1
}
echo "==> $("$chromium" --version 2>/dev/null || echo "chromium (version unknown)") at $(command -v "$chromium")"

if [ "${BROWSER_INSTALL_ONLY:-0}" = 1 ]; then
	exit 0
fi
mkdir -p test-output/browser
start=$(date +%s)
set +e
CI=true go test -race -count=1 -run '^TestBrowser$' -v ./internal/e2e/
status=$?
set -e
echo "==> browser tests finished in $(($(date +%s) - start))s with status $status; screenshots in test-output/browser/"
exit "$status"
