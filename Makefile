# tend's tasks. `make test` is what CI runs (see .ci/run).
GO      ?= go
BIN     ?= bin/tend
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(HOME)/go/bin/staticcheck)

.PHONY: build test unit integration lint demo bench clean

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/tend

# Unit and integration tests. Integration tests start real sshd hosts and
# need root; they fail loudly without it (TEND_SKIP_INTEGRATION=1 skips them).
test:
	$(GO) test -count=1 ./...

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /integration)

integration:
	$(GO) test -count=1 -v ./integration/...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# A throwaway 3-host fleet on this machine (needs root), tend against it,
# then the fleet is torn down.
demo: build
	$(GO) run ./integration/cmd/fleet -n 3 -- sh examples/demo.sh $(BIN)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
