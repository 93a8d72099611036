#!/usr/bin/env bash
# Builds a Go builder base image without any registry, for
#   docker build --build-arg GO_IMAGE=mockplex-go-base:local .
#
# The image is a `docker import` of a small root filesystem assembled from
# this machine: the installed Go toolchain (GOROOT), a shell and the few
# userland tools the Dockerfile's RUN steps use (with their shared
# libraries), the CA bundle, and a module cache already holding every module
# in go.sum, so that `go mod download` in the build needs no network
# (GOPROXY points at that cache first, then at this machine's own proxy),
# and a build cache with the standard library and those modules compiled.
#
# The result is labelled with a key over its inputs; when an image with the
# same key exists the script does nothing.
#
# Usage: .ci/go-base-image.sh [TAG]     (default tag mockplex-go-base:local)
set -euo pipefail

tag=${1:-mockplex-go-base:local}
repo=$(cd "$(dirname "$0")/.." && pwd)
goroot=$(go env GOROOT)
host_proxy=$(go env GOPROXY)
tools=(sh mkdir cp chmod cat ls rm)

key=$( {
	go version
	cat "$goroot/VERSION" 2>/dev/null || true
	cat "$repo/go.mod" "$repo/go.sum"
	echo "$host_proxy"
	cat "$0"
} | sha256sum | cut -c1-16)

if [ "$(docker image inspect --format '{{ index .Config.Labels "org.mockplex.base-key" }}' "$tag" 2>/dev/null || true)" = "$key" ]; then
	echo "go-base-image: $tag is up to date (key $key)"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,etc/ssl/certs,tmp,root,src,go/pkg/mod,usr/local}
chmod 1777 "$root/tmp"

# Userland: each tool and the shared libraries ldd names for it.
for t in "${tools[@]}"; do
	p=$(command -v "$t")
	cp -L "$p" "$root/bin/$t"
	ldd "$p" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"

# The Go toolchain, without what a build never reads.
cp -a "$goroot" "$root/usr/local/go"
rm -rf "$root/usr/local/go/test" "$root/usr/local/go/api" "$root/usr/local/go/doc" \
	"$root/usr/local/go/misc" "$root/usr/local/go/pkg/tool/"*/{cover,doc,fix,nm,objdump,pprof,trace,test2json} 2>/dev/null || true

# The module cache for this module's go.sum, filled from this machine's cache
# when it has the modules and from its proxy otherwise.
hostcache=$(go env GOMODCACHE)
(cd "$repo" && GOMODCACHE="$root/go/pkg/mod" GOFLAGS=-mod=mod \
	GOPROXY="file://$hostcache/cache/download,$host_proxy" go mod download)
chmod -R u+w "$root/go/pkg/mod"

# A build cache holding the standard library and every dependency of
# ./cmd/mockplex compiled as the Dockerfile compiles them (CGO_ENABLED=0,
# -trimpath, which keeps paths out of the cache keys), so the image build
# compiles only this module's own packages.
deps=$(cd "$repo" && go list -e -deps -f '{{if .Standard}}{{.ImportPath}}{{else if .Module}}{{if not .Module.Main}}{{.ImportPath}}{{end}}{{end}}' ./cmd/mockplex)
# shellcheck disable=SC2086 # one argument per package
(cd "$repo" && GOCACHE="$root/root/.cache/go-build" GOMODCACHE="$root/go/pkg/mod" GOPROXY=off \
	GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath $deps)

echo "go-base-image: importing $(du -sh "$root" | cut -f1) as $tag"
tar -C "$root" -c . | docker import \
	--change 'ENV PATH=/usr/local/go/bin:/go/bin:/bin' \
	--change 'ENV GOROOT=/usr/local/go' \
	--change 'ENV GOPATH=/go' \
	--change 'ENV GOMODCACHE=/go/pkg/mod' \
	--change 'ENV GOCACHE=/root/.cache/go-build' \
	--change 'ENV GOTOOLCHAIN=local' \
	--change 'ENV GOFLAGS=-buildvcs=false' \
	--change "ENV GOPROXY=file:///go/pkg/mod/cache/download,$host_proxy" \
	--change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
	--change 'WORKDIR /go' \
	--change "LABEL org.mockplex.base-key=$key" \
	- "$tag" >/dev/null
echo "go-base-image: built $tag (key $key)"
