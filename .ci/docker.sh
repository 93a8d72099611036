#!/usr/bin/env bash
# CI step: the container image and docker-compose, brought up for real.
#
#  1. checks that a Docker engine answers (.ci/provision.sh installs and
#     starts one under CI=true);
#  2. builds a local Go builder base (no registry) and the image from the
#     repository's own Dockerfile with --build-arg GO_IMAGE=<that base>;
#  3. checks the final image size (at most 15 MB);
#  4. `compose up -d mockplex`, waits for healthy and prints the time from
#     container start to healthy (at most 2 s);
#  5. runs the contract service container against the mock container;
#  6. runs the real-client flow from the host through the published port
#     (curl, then the Go tests in internal/e2e that need Docker);
#  7. HTTPS by plex.tv's names: builds the example app image (a FROM scratch
#     image of internal/e2e/pinclient, no registry) and runs compose's `app`
#     service, which signs in at https://plex.tv through the network aliases
#     with certificate checks on (SSL_CERT_FILE = the CA from the volume);
#     checks that `mockplex ca` in the container, /__mockplex/ca.pem and the
#     CA that verifies https://plex.tv from the host (curl --cacert) are one
#     certificate, before and after a restart;
#  8. tears the compose project down on exit, whatever happened.
#
# Any failed step fails the script. The built images are left in place, so
# that the next run reuses them.
#
# Environment: MOCKPLEX_IMAGE (default mockplex:local), GO_IMAGE (builder base;
# default: build mockplex-go-base:local with .ci/go-base-image.sh),
# MOCKPLEX_APP_IMAGE (the example app's tag, default mockplex-pinclient:local),
# MOCKPLEX_COMPOSE (the compose command; default `docker compose` when that
# works, else `docker-compose`).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

image=${MOCKPLEX_IMAGE:-mockplex:local}
max_bytes=$((15 * 1024 * 1024))
max_healthy_ms=2000
project=mockplex-ci-$$

now_ms() { date +%s%3N; }
t_start=$(now_ms)
t_step=$t_start
step() {
	local t
	t=$(now_ms)
	printf '\n==> [docker +%ds] %s\n' $(((t - t_start) / 1000)) "$*"
	t_step=$t
}
took() { printf '    (%s took %d.%03d s)\n' "$1" $((($(now_ms) - t_step) / 1000)) $((($(now_ms) - t_step) % 1000)); }
die() {
	echo "docker.sh: FAIL: $*" >&2
	exit 1
}

step "engine"
# .ci/provision.sh (make test under CI=true) installs and starts what is
# missing; this script only checks.
command -v curl >/dev/null || die "curl is not on PATH (apt-get install curl, or CI=true make test as root)"
docker info >/dev/null 2>&1 || die "no Docker engine answers docker info (start dockerd, or CI=true make test as root)"
echo "    server $(docker version --format '{{.Server.Version}}')"

if [ -n "${MOCKPLEX_COMPOSE:-}" ]; then
	read -r -a compose <<<"$MOCKPLEX_COMPOSE"
elif docker compose version >/dev/null 2>&1; then
	compose=(docker compose)
else
	compose=(docker-compose)
fi
echo "    compose: ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || "${compose[@]}" version | head -n1))"

step "builder base image"
if [ -n "${GO_IMAGE:-}" ]; then
	echo "    using GO_IMAGE=$GO_IMAGE"
else
	GO_IMAGE=mockplex-go-base:local
	bash "$repo/.ci/go-base-image.sh" "$GO_IMAGE"
	took "base image"
fi

step "build $image from ./Dockerfile (GO_IMAGE=$GO_IMAGE)"
version=$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || echo dev)
# The legacy builder uses local images for FROM without asking a registry.
DOCKER_BUILDKIT=0 docker build -q \
	--build-arg GO_IMAGE="$GO_IMAGE" --build-arg VERSION="$version" \
	-t "$image" "$repo" 2> >(grep -v -e DEPRECATED -e 'BuildKit is currently disabled' -e 'environment-variable' -e '^ *$' >&2)
took "docker build"
# Builder-stage leftovers of earlier builds (the legacy builder keeps them).
docker image prune -f >/dev/null
docker run --rm "$image" version

step "image size"
size=$(docker image inspect --format '{{.Size}}' "$image")
printf '    %s: %d bytes (%d.%02d MB; limit 15 MB)\n' "$image" "$size" $((size / 1048576)) $((size % 1048576 * 100 / 1048576))
[ "$size" -le "$max_bytes" ] || die "image is $size bytes, over 15 MB"

cleanup() {
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "--- mockplex container logs ---" >&2
		"${compose[@]}" -p "$project" logs --no-color mockplex >&2 2>/dev/null || true
	fi
	printf '\n==> teardown\n'
	"${compose[@]}" -p "$project" --profile contract --profile tls down -v --remove-orphans >/dev/null 2>&1 || true
	printf '==> docker.sh %s after %d s\n' "$([ $rc -eq 0 ] && echo passed || echo FAILED)" $((($(now_ms) - t_start) / 1000))
	exit $rc
}
trap cleanup EXIT

export MOCKPLEX_IMAGE=$image MOCKPLEX_PORT=127.0.0.1:0 MOCKPLEX_TLS_PORT=127.0.0.1:0
step "${compose[*]} up -d mockplex"
"${compose[@]}" -p "$project" up -d --no-build mockplex
cid=$("${compose[@]}" -p "$project" ps -q mockplex)
[ -n "$cid" ] || die "compose started no mockplex container"
hostport=$("${compose[@]}" -p "$project" port mockplex 8080)
base=http://$hostport
echo "    container ${cid:0:12} published at $base"

step "wait for healthy"
status=
for _ in $(seq 1 300); do
	status=$(docker inspect --format '{{.State.Health.Status}}' "$cid")
	case $status in healthy | unhealthy) break ;; esac
	sleep 0.1
done
[ "$status" = healthy ] || die "container health is '$status' after 30 s"
started=$(date -d "$(docker inspect --format '{{.State.StartedAt}}' "$cid")" +%s%3N)
first_ok=$(docker inspect --format '{{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.End.UnixMilli}} {{end}}{{end}}' "$cid" | cut -d' ' -f1)
healthy_ms=$((first_ok - started))
printf '    healthy %d.%03d s after container start (limit 2 s; health interval 0.5 s)\n' $((healthy_ms / 1000)) $((healthy_ms % 1000))
[ "$healthy_ms" -le "$max_healthy_ms" ] || die "healthy after $healthy_ms ms, over 2 s"
curl -fsS "$base/readyz" >/dev/null || die "$base/readyz does not answer from the host"

step "contract suite container against the mock container"
"${compose[@]}" -p "$project" run --rm contract || die "contract suite failed (exit $?)"

step "real-client flow from the host through $base"
hdr=(-H 'X-Plex-Client-Identifier: mockplex-ci-docker' -H 'X-Plex-Product: mockplex CI')
ctl=()
[ -z "${MOCKPLEX_CONTROL_TOKEN:-}" ] || ctl=(-H "X-Mockplex-Token: $MOCKPLEX_CONTROL_TOKEN")
code=$(curl -sS -o /tmp/mockplex-ci-pin.json -w '%{http_code}' -X POST "${hdr[@]}" -H 'Accept: application/json' "$base/api/v2/pins?strong=true")
[ "$code" = 201 ] || die "POST /api/v2/pins: status $code, want 201: $(cat /tmp/mockplex-ci-pin.json)"
pin_id=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' /tmp/mockplex-ci-pin.json)
[ -n "$pin_id" ] || die "no id first in the pin: $(cat /tmp/mockplex-ci-pin.json)"
grep -q '"authToken":null' /tmp/mockplex-ci-pin.json || die "new pin has an authToken: $(cat /tmp/mockplex-ci-pin.json)"
echo "    created pin $pin_id"
curl -fsS -X POST "${ctl[@]}" "$base/__mockplex/pins/$pin_id/approve" >/dev/null || die "approve pin $pin_id through the control API"
token=
for _ in $(seq 1 50); do
	token=$(curl -fsS "${hdr[@]}" -H 'Accept: application/json' "$base/api/v2/pins/$pin_id" | sed -n 's/.*"authToken":"\([^"]*\)".*/\1/p')
	[ -z "$token" ] || break
	sleep 0.1
done
[ -n "$token" ] || die "pin $pin_id has no authToken after approval"
echo "    pin $pin_id approved; token ${token:0:4}…"
xml=$(curl -fsS -D /tmp/mockplex-ci-user.h "${hdr[@]}" -H "X-Plex-Token: $token" "$base/api/v2/user")
grep -qi '^content-type: application/xml' /tmp/mockplex-ci-user.h || die "GET /api/v2/user default is not XML: $(cat /tmp/mockplex-ci-user.h)"
case $xml in *'<user '*) ;; *) die "GET /api/v2/user XML has no <user>: $xml" ;; esac
json=$(curl -fsS -D /tmp/mockplex-ci-user.h "${hdr[@]}" -H "X-Plex-Token: $token" -H 'Accept: application/json' "$base/api/v2/user")
grep -qi '^content-type: application/json' /tmp/mockplex-ci-user.h || die "GET /api/v2/user with Accept: application/json is not JSON"
case $json in '{'*) ;; *) die "GET /api/v2/user JSON: $json" ;; esac
code=$(curl -sS -o /dev/null -w '%{http_code}' "${hdr[@]}" -H 'X-Plex-Token: not-a-token' "$base/api/v2/user")
[ "$code" = 401 ] || die "GET /api/v2/user with a bad token: status $code, want 401"
echo "    /api/v2/user: XML by default, JSON on request, 401 for a bad token"
rm -f /tmp/mockplex-ci-pin.json /tmp/mockplex-ci-user.h

step "go test ./internal/e2e -run Docker (against the compose container)"
MOCKPLEX_DOCKER_URL=$base MOCKPLEX_DOCKER_IMAGE=$image go test -count=1 -run Docker ./internal/e2e/
took "docker e2e tests"

step "HTTPS by plex.tv's names: the app container through the compose aliases"
app_image=${MOCKPLEX_APP_IMAGE:-mockplex-pinclient:local}
app_dir=$(mktemp -d)
CGO_ENABLED=0 go build -trimpath -o "$app_dir/pinclient" ./internal/e2e/pinclient
printf 'FROM scratch\nCOPY pinclient /pinclient\nENTRYPOINT ["/pinclient"]\n' >"$app_dir/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$app_image" "$app_dir" >/dev/null 2> >(grep -v -e DEPRECATED -e 'BuildKit is currently disabled' -e 'environment-variable' -e '^ *$' >&2)
rm -rf "$app_dir"
MOCKPLEX_APP_IMAGE=$app_image "${compose[@]}" -p "$project" --profile tls run --rm app || die "the app container's sign-in at https://plex.tv failed (exit $?)"
took "app container sign-in"

# The CA three ways: what `mockplex ca` prints from the volume, what
# /__mockplex/ca.pem answers, and what verifies https://plex.tv from the host.
ca_dir=$(mktemp -d)
check_ca() {
	local when=$1 http tls
	http=$("${compose[@]}" -p "$project" port mockplex 8080)
	tls=$("${compose[@]}" -p "$project" port mockplex 443)
	curl -fsS "http://$http/__mockplex/ca.pem" >"$ca_dir/$when.pem" || die "$when: GET /__mockplex/ca.pem"
	"${compose[@]}" -p "$project" exec -T mockplex /mockplex ca >"$ca_dir/$when-cli.pem" || die "$when: mockplex ca in the container"
	cmp -s "$ca_dir/$when.pem" "$ca_dir/$when-cli.pem" || die "$when: mockplex ca and /__mockplex/ca.pem differ"
	if grep -q PRIVATE "$ca_dir/$when.pem"; then die "$when: ca.pem holds a private key"; fi
	curl -fsS --cacert "$ca_dir/$when.pem" --resolve "plex.tv:${tls##*:}:127.0.0.1" "https://plex.tv:${tls##*:}/readyz" >/dev/null ||
		die "$when: https://plex.tv:${tls##*:} does not verify with that CA"
	echo "    $when: mockplex ca = /__mockplex/ca.pem = the CA of https://plex.tv:${tls##*:} (pem sha256 $(sha256sum "$ca_dir/$when.pem" | cut -c1-16))"
}
check_ca before-restart
"${compose[@]}" -p "$project" restart mockplex >/dev/null 2>&1
status=
for _ in $(seq 1 300); do
	status=$(docker inspect --format '{{.State.Health.Status}}' "$cid")
	[ "$status" = healthy ] && break
	sleep 0.1
done
[ "$status" = healthy ] || die "container health is '$status' 30 s after the restart"
check_ca after-restart
cmp -s "$ca_dir/before-restart.pem" "$ca_dir/after-restart.pem" || die "the CA changed across a restart with the same volume"
rm -rf "$ca_dir"
took "CA checks"
