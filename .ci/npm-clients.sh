#!/usr/bin/env bash
# CI step: the unmodified third-party plex.tv clients from the npm registry
# that internal/e2e signs in against mockplex's HTTPS
# (TestThirdPartyCtrlPlexSignIn), installed exactly as
# internal/e2e/testdata/npm/package-lock.json pins them into
# .cache/npm-clients (gitignored). Installs node and npm from Debian when
# absent. Does nothing when that folder already matches the lock file.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
src=$repo/internal/e2e/testdata/npm
dst=$repo/.cache/npm-clients
export DEBIAN_FRONTEND=noninteractive

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "npm-clients: installing nodejs and npm from Debian"
	log=${TMPDIR:-/tmp}/mockplex-apt-node.log
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm; } >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "npm-clients: FAIL: apt-get install nodejs npm (log: $log)" >&2
		exit 1
	fi
fi

key=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -c1-16)
if [ "$(cat "$dst/.key" 2>/dev/null || true)" = "$key" ] && [ -d "$dst/node_modules/@ctrl/plex" ]; then
	echo "npm-clients: $dst is up to date (key $key)"
	exit 0
fi
rm -rf "$dst"
mkdir -p "$dst"
cp "$src/package.json" "$src/package-lock.json" "$dst/"
# --ignore-scripts: nothing from the registry runs at install time.
(cd "$dst" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
echo "$key" >"$dst/.key"
echo "npm-clients: installed $(cd "$dst" && node -p 'Object.entries(require("./package.json").dependencies).map(([n, v]) => n + "@" + v).join(" ")') into $dst (node $(node --version))"
