#!/usr/bin/env bash
# `make test`: everything this machine can run, in this order, then a loud
# list of what it could not run and why.
#
#   1. provision  CI=true only: .ci/provision.sh installs Chromium, Docker,
#                 compose, curl and jq, and starts dockerd (needs root);
#                 .ci/npm-clients.sh installs the third-party npm clients the
#                 HTTPS test signs in with (outside CI too, when npm is there)
#   2. vet        gofmt, go vet, staticcheck (make vet)
#   3. unit       go test -race ./...: unit, golden, contract, scenario,
#                 README-check, headless-Chromium and Docker tests
#   4. fuzz       every fuzz target for a bounded time (.ci/fuzz.sh, 5-15 min)
#   5. docker     the image and docker compose brought up for real (.ci/docker.sh)
#   6. release    goreleaser check, actionlint, the six cross-compiles (make release-check)
#
# Without CI=true a missing Docker engine, Chromium, curl or jq skips what
# needs it, and the run still exits 0 when everything that ran passed. With
# CI=true (as .ci/run sets) a skip is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
ci=false
[ "${CI:-}" = true ] && ci=true
chromium=${MOCKPLEX_CHROMIUM:-/usr/bin/chromium}
skips=()
failed=()
start=$(date +%s)

step() { printf '\n==> [test +%ds] %s\n' $(($(date +%s) - start)) "$*"; }
run() { # run NAME CMD...: runs a step, remembering a failure
	local name=$1
	shift
	"$@" || failed+=("$name (exit $?)")
}

if $ci; then
	step "1. provision (CI=true)"
	if ! bash .ci/provision.sh || ! bash .ci/npm-clients.sh; then
		echo "test: provisioning failed; CI=true needs every tool" >&2
		exit 1
	fi
else
	step "1. provision: skipped (CI is not true); checking what this machine has"
fi

# What the machine has decides what runs.
have_docker=true
docker_why=
if ! command -v docker >/dev/null 2>&1; then
	have_docker=false
	docker_why="no docker CLI on PATH"
elif ! docker_err=$(docker info --format '{{.ServerVersion}}' 2>&1); then
	have_docker=false
	docker_why="no Docker engine answers (docker info: $(grep -m1 -v "^[[:space:]]*$" <<<"$docker_err" || echo "no output"))"
fi
$have_docker || skips+=("Docker: image build, docker compose flow, internal/e2e TestDocker: $docker_why. Start dockerd, or run as root with CI=true to install one.")
command -v "$chromium" >/dev/null 2>&1 ||
	skips+=("Chromium: internal/e2e TestBrowser (the /auth, /link and dashboard pages in a real browser): $chromium not found. apt-get install chromium, or set MOCKPLEX_CHROMIUM.")
for tool in curl jq; do
	command -v $tool >/dev/null 2>&1 ||
		skips+=("$tool: the README check's shell blocks (internal/readme TestReadmeBlocks): $tool not on PATH. apt-get install $tool.")
done
if ! $ci; then
	if ! command -v npm >/dev/null 2>&1; then
		skips+=("npm: internal/e2e TestThirdPartyCtrlPlexSignIn (an unmodified @ctrl/plex signs in over HTTPS as plex.tv): no npm on PATH. apt-get install npm.")
	elif ! bash .ci/npm-clients.sh; then
		skips+=("npm clients: internal/e2e TestThirdPartyCtrlPlexSignIn: .ci/npm-clients.sh could not install @ctrl/plex into .cache/npm-clients (no npm registry?).")
	fi
fi
if [ "$(id -u)" -ne 0 ] && ! $ci; then
	echo "    not root: nothing is installed; missing tools are skipped below"
fi

step "2. vet: gofmt, go vet, staticcheck"
run vet make --no-print-directory vet GO="$GO"

step "3. unit: go test -race ./... (skips listed at the end)"
log=$(mktemp)
"$GO" test -race -count=1 -json ./... >"$log" 2>&1
go_status=$?
(cd .ci/tools && "$GO" test -count=1 ./... </dev/null && "$GO" run ./testsum) <"$log"
sum_status=$?
rm -f "$log"
[ $go_status -eq 0 ] && [ $sum_status -eq 0 ] || failed+=("unit (go test exit $go_status)")

step "4. fuzz: .ci/fuzz.sh"
run fuzz bash .ci/fuzz.sh

if $have_docker; then
	step "5. docker: .ci/docker.sh"
	run docker bash .ci/docker.sh
else
	step "5. docker: SKIPPED ($docker_why)"
fi

step "6. release: goreleaser check, actionlint, cross-compiles"
run release make --no-print-directory release-check GO="$GO"

took=$(($(date +%s) - start))
if [ ${#skips[@]} -gt 0 ]; then
	bar=$(printf '%.0s!' $(seq 1 72))
	printf '\n%s\n!! make test SKIPPED %d parts: this machine lacks what they need\n%s\n' "$bar" ${#skips[@]} "$bar"
	for s in "${skips[@]}"; do printf ' - %s\n' "$s"; done
	[ "$(id -u)" -ne 0 ] && printf ' (not root: make test installs nothing; CI=true as root provisions the machine)\n'
	printf '%s\n' "$bar"
	if $ci; then
		failed+=("CI=true: ${#skips[@]} parts skipped")
	fi
fi
if [ ${#failed[@]} -gt 0 ]; then
	printf '\n==> make test FAILED after %ds:\n' "$took" >&2
	printf '    %s\n' "${failed[@]}" >&2
	exit 1
fi
printf '\n==> make test passed after %ds (%d parts skipped)\n' "$took" ${#skips[@]}
