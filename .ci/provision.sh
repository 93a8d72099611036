#!/usr/bin/env bash
# Provisioning for `make test` under CI=true (.ci/run): installs from Debian
# what the full suite needs and is missing (Chromium for the browser tests,
# the Docker engine and compose for the container tests, curl and jq for the
# README check), then starts dockerd when it is not running. It needs root
# (apt-get, dockerd) and fails, saying so, without it. Outside CI, `make
# test` does not call it: it runs what the machine can and lists the rest.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
chromium=${MOCKPLEX_CHROMIUM:-/usr/bin/chromium}
dockerd_log=${TMPDIR:-/tmp}/mockplex-dockerd.log

need=()
command -v "$chromium" >/dev/null 2>&1 || need+=(chromium)
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need+=(docker.io)
command -v docker >/dev/null 2>&1 || need+=(docker.io)
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
	need+=(docker-compose)
fi
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
mapfile -t need < <(printf '%s\n' "${need[@]+"${need[@]}"}" | sort -u | sed '/^$/d')

if [ ${#need[@]} -gt 0 ] || ! docker info >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		what="start dockerd"
		[ ${#need[@]} -eq 0 ] || what="apt-get install ${need[*]}; $what"
		echo "provision: FAIL: CI=true provisions the machine ($what), which needs root; run as root, or without CI=true to skip what is missing" >&2
		exit 1
	fi
fi
if [ ${#need[@]} -gt 0 ]; then
	echo "==> provision: apt-get install ${need[*]}"
	apt_log=${TMPDIR:-/tmp}/mockplex-apt.log
	if ! { apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${need[@]}"; } >"$apt_log" 2>&1; then
		tail -n 30 "$apt_log" >&2
		echo "provision: FAIL: apt-get install ${need[*]} (log: $apt_log)" >&2
		exit 1
	fi
fi
echo "==> provision: $("$chromium" --version 2>/dev/null || echo chromium) at $chromium"
if docker info >/dev/null 2>&1; then
	echo "==> provision: dockerd running (server $(docker version --format '{{.Server.Version}}'))"
else
	echo "==> provision: starting dockerd (log: $dockerd_log)"
	setsid nohup dockerd >"$dockerd_log" 2>&1 </dev/null &
	for _ in $(seq 1 120); do
		docker info >/dev/null 2>&1 && break
		sleep 0.5
	done
	if ! docker info >/dev/null 2>&1; then
		tail -n 30 "$dockerd_log" >&2 || true
		echo "provision: FAIL: dockerd did not answer within 60 s" >&2
		exit 1
	fi
	echo "==> provision: dockerd running (server $(docker version --format '{{.Server.Version}}'))"
fi
