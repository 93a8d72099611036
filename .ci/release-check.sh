#!/usr/bin/env bash
# The release configuration, proved without publishing anything:
#   1. goreleaser check   (.goreleaser.yaml is valid for GoReleaser v2.17.0)
#   2. actionlint         (.github/workflows/*.yml)
#   3. go build for linux, darwin and windows on amd64 and arm64: the six
#      targets .goreleaser.yaml releases (CGO_ENABLED=0, as it builds them)
# The tools are pinned in their own modules (.ci/tools, .ci/release), so the
# library's go.mod stays lean; `go tool -modfile=...` builds them on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

echo "==> goreleaser check"
"$GO" tool -modfile=.ci/release/go.mod goreleaser check --quiet
echo "==> actionlint"
"$GO" tool -modfile=.ci/tools/go.mod actionlint -no-color
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for goos in linux darwin windows; do
	for goarch in amd64 arm64; do
		CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch "$GO" build -trimpath -o "$out/mockplex-$goos-$goarch" ./cmd/mockplex
		echo "    built $goos/$goarch"
	done
done
echo "==> release-check: goreleaser config, workflows and six cross-compiles OK"
