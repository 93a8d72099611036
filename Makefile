# mockplex: `make run` runs the fake; `make test` is the whole test suite,
# installing what it needs on a fresh Debian machine (CI runs exactly this).

GO ?= go
ADDR ?= 127.0.0.1:8080

.PHONY: run test unit vet fuzz browser docker clients bench generate build

run:
	$(GO) run ./cmd/mockplex serve --addr $(ADDR)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o mockplex ./cmd/mockplex

# The full suite. Set-up first: Chromium for the browser tests, then the
# Docker engine, the image built from ./Dockerfile and brought up with
# docker compose (contract container, real-client flow). Then gofmt and vet,
# every test under the race detector (the Docker and headless-Chromium
# end-to-end tests included; with CI=true they fail rather than skip when
# their engine is missing), and every fuzz target for a bounded time.
test: browser docker clients vet unit fuzz

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

unit:
	MOCKPLEX_DOCKER_IMAGE=$${MOCKPLEX_DOCKER_IMAGE:-mockplex:local} $(GO) test -race -count=1 ./...

fuzz:
	bash .ci/fuzz.sh

browser:
	BROWSER_INSTALL_ONLY=1 bash .ci/browser.sh

docker:
	bash .ci/docker.sh

# Third-party plex.tv clients from npm for internal/e2e (.cache/npm-clients).
clients:
	bash .ci/npm-clients.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./mock/ ./scenarios/ ./schema/
	$(GO) run ./cmd/loadbench

generate:
	$(GO) generate ./...
