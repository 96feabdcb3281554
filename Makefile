# tend's tasks. `make test` is what CI runs (see .ci/run).
GO      ?= go
BIN     ?= bin/tend
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || echo $(HOME)/go/bin/staticcheck)

.PHONY: build deps test unit integration lint docs demo bench bench-go bench-fleet clean

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/tend

# The Debian packages the tests need (root, apt); demo and test call it.
deps:
	.ci/deps test

# Unit and integration tests. Integration tests start real sshd hosts and
# need root; they fail loudly without it (TEND_SKIP_INTEGRATION=1 skips them).
# The integration package runs every fleet test (Ansible's side of the
# differential ones is most of its time): more than go test's default
# 10 minutes on a busy 2-core machine. TEND_TEST_SHELLS=all: the modules
# package runs every case under every shell (modules/harness_test.go).
test:
	.ci/deps test
	TEND_TEST_SHELLS=all $(GO) test -count=1 -timeout 40m ./...

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /integration)

integration:
	$(GO) test -count=1 -timeout 40m -v ./integration/...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# docs/modules.md, from the modules' argument specs (a unit test fails
# when it is out of date).
docs:
	$(GO) generate ./internal/modulesdoc

# A throwaway 3-host fleet on this machine (needs root), tend against it,
# then the fleet is torn down.
demo: build
	.ci/deps demo
	$(GO) run ./integration/cmd/fleet -n 3 -- sh examples/demo.sh $(BIN)

# Both benchmarks: the controller's own work (go test -bench), then tend
# side by side with Ansible and Mitogen on real hosts (needs root,
# ansible-core and ansible-mitogen; takes about two and a half hours, most of it
# Ansible's and Mitogen's). Results go to BENCHMARKS.md.
bench: bench-go bench-fleet

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Each configuration replaces its own section of BENCHMARKS.md. Every tool
# gets three runs (the 50-host one takes about an hour, most of it
# Ansible's); the 500-host run gets one: it is about errors and memory.
# copy50m is one 50 MB copy: time and controller peak RSS, scp beside it.
# mixed15, tasks200 and hardening are issue 14's (20 hosts; Ansible and
# Mitogen get one run: about 15 and 60 minutes); hardening reads dev-sec's
# os_hardening from $$MIRRORS (as integration/compat) and is skipped without it.
bench-fleet:
	$(GO) run ./integration/cmd/bench -n 50 -runs 3 -slow-runs 3 -out BENCHMARKS.md
	$(GO) run ./integration/cmd/bench -n 50 -delay 10ms -runs 3 -tools tend -out BENCHMARKS.md
	$(GO) run ./integration/cmd/bench -n 500 -runs 1 -tools tend -out BENCHMARKS.md
	$(GO) run ./integration/cmd/bench -scenario copy50m -n 1 -runs 3 -tools tend,ansible -out BENCHMARKS.md
	$(GO) run ./integration/cmd/bench -scenario mixed15 -n 20 -runs 3 -slow-runs 1 -out BENCHMARKS.md
	$(GO) run ./integration/cmd/bench -scenario tasks200 -n 20 -runs 1 -tools tend -out BENCHMARKS.md
	$(GO) run ./integration/cmd/bench -scenario hardening -n 20 -runs 3 -slow-runs 1 -out BENCHMARKS.md

clean:
	rm -rf bin
