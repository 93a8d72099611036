# mockplex: `make run` runs the fake; `make test` is the whole test suite,
# installing what it needs on a fresh Debian machine (CI runs exactly this).

GO ?= go
ADDR ?= 127.0.0.1:8080

.PHONY: run test unit vet fuzz browser docker bench generate build

run:
	$(GO) run ./cmd/mockplex serve --addr $(ADDR)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o mockplex ./cmd/mockplex

# The full suite: vet, unit and end-to-end tests under the race detector
# (the headless-Chromium tests included), every fuzz target for a bounded
# time, then the container built and brought up with docker compose.
test: browser vet unit fuzz docker

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

fuzz:
	bash .ci/fuzz.sh

browser:
	bash .ci/browser.sh

docker:
	bash .ci/docker.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./mock/ ./scenarios/ ./schema/
	$(GO) run ./internal/loadbench

generate:
	$(GO) generate ./...
