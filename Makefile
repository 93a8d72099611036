# mockplex. The everyday loop is `make quick`; `make test` is everything the
# machine can run, and lists loudly what it skipped; CI runs `CI=true make
# test` (.ci/run), where a skip is a failure and the machine is provisioned.
# README.md (Test) and .ci/test.sh describe the same steps in this order.

GO ?= go
ADDR ?= 127.0.0.1:8080
STATICCHECK = $(GO) tool -modfile=.ci/tools/go.mod staticcheck

.PHONY: run build install quick test vet fmt unit fuzz browser docker release-check clients bench generate

run:
	$(GO) run ./cmd/mockplex serve --addr $(ADDR)

# The binary at the top of the clone; `make install` puts it on PATH instead.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o mockplex ./cmd/mockplex

install:
	$(GO) install ./cmd/mockplex

# The quick loop (a minute or two): gofmt, go vet, staticcheck, then the unit
# tests without the race detector, fuzzing, or the tests that build the
# binary, a browser or an image (-short).
quick: vet
	$(GO) test -short -count=1 ./...

# The whole suite: 1. provision (CI=true only) 2. vet 3. go test -race ./...
# 4. fuzz 5. docker 6. release-check; see .ci/test.sh.
test:
	GO="$(GO)" bash .ci/test.sh

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.ci/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed (run gofmt -w on these):"; echo "$$out"; exit 1; fi

vet: fmt
	$(GO) vet ./...
	$(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 ./...

fuzz:
	bash .ci/fuzz.sh

browser:
	bash .ci/browser.sh

docker:
	bash .ci/docker.sh

# Third-party plex.tv clients from npm for internal/e2e (.cache/npm-clients).
clients:
	bash .ci/npm-clients.sh

release-check:
	GO="$(GO)" bash .ci/release-check.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./mock/ ./scenarios/ ./schema/
	$(GO) run ./cmd/loadbench

generate:
	$(GO) generate ./...
