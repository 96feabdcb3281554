package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Options configures a fleet. Only Hosts must be set: the other zero values
// are good defaults.
type Options struct {
	Hosts int // number of hosts, at least 1
	// Dir is the fleet's work directory, created if missing. It must be on
	// the root mount (hosts see the machine's root filesystem only). By
	// default a new directory under os.TempDir() (or /var/tmp), or t.TempDir()
	// for StartT. Stop removes what the fleet made in it, and Dir itself if
	// the fleet created it.
	Dir string
	// HostKeyType is "ed25519" (default), "ecdsa" (nistp256) or "rsa" (2048 bits).
	HostKeyType string
	// ExtraSSHDConfig is appended to every host's sshd_config. It can set
	// any keyword but Port, ListenAddress, HostKey and PidFile, and add Match
	// blocks.
	ExtraSSHDConfig string
	// BusyboxHosts makes the last BusyboxHosts hosts minimal busybox boxes
	// (see busybox.go): root's shell is busybox sh with only busybox applets
	// on PATH, and os-release says ID=buildroot. They are also in the
	// inventory's [busybox] group (the others in [debian]).
	BusyboxHosts int
	// Keep leaves the work directory (upper dirs, logs, keys) after Stop,
	// for inspection.
	Keep bool
	// Logf receives progress messages; nil discards them.
	Logf func(format string, args ...any)
}

// Fleet is a set of running hosts and the files to reach them.
type Fleet struct {
	Dir        string
	Hosts      []*Host
	ClientKey  string // private key authorised for root on every host (public key: ClientKey+".pub")
	KnownHosts string // known_hosts with every host's key, as "[127.0.0.1]:PORT key"
	Inventory  string // Ansible INI inventory: group [fleet] of host01..hostNN
	SSHConfig  string // ssh_config with a Host entry per host: ssh -F SSHConfig host01

	opts    Options
	keyType string
	logf    func(string, ...any)
	ownDir  bool     // Start created Dir
	created []string // what Start created inside Dir
	ports   []*portLock
	// busyboxShell is the login shell of busybox hosts (makeBusyboxBin).
	busyboxShell string

	stopMu  sync.Mutex
	stopped atomic.Bool
	stopErr error
}

// Start starts opts.Hosts hosts in parallel and returns once every one
// answers SSH. On error, whatever was started is stopped again. Cancelling
// ctx aborts the start; once Start returned, ctx no longer matters: call Stop.
func Start(ctx context.Context, opts Options) (_ *Fleet, err error) {
	t0 := time.Now()
	if err := Requirements(); err != nil {
		return nil, err
	}
	if opts.Hosts < 1 {
		return nil, fmt.Errorf("fleet: Options.Hosts is %d, want at least 1", opts.Hosts)
	}
	f := &Fleet{opts: opts, keyType: opts.HostKeyType, logf: opts.Logf}
	if f.keyType == "" {
		f.keyType = "ed25519"
	}
	if f.keyType != "ed25519" && f.keyType != "ecdsa" && f.keyType != "rsa" {
		return nil, fmt.Errorf("fleet: unsupported HostKeyType %q (want ed25519, ecdsa or rsa)", f.keyType)
	}
	if f.logf == nil {
		f.logf = func(string, ...any) {}
	}
	if err := f.makeDir(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			if serr := f.Stop(); serr != nil {
				err = errors.Join(err, serr)
			}
		}
	}()

	hostsDir := filepath.Join(f.Dir, "hosts")
	if err := os.Mkdir(hostsDir, 0o755); err != nil {
		return nil, fmt.Errorf("fleet: %w (Dir must not hold another fleet)", err)
	}
	f.created = append(f.created, hostsDir)
	f.ClientKey = filepath.Join(f.Dir, "client")
	f.KnownHosts = filepath.Join(f.Dir, "known_hosts")
	f.Inventory = filepath.Join(f.Dir, "inventory.ini")
	f.SSHConfig = filepath.Join(f.Dir, "ssh_config")
	f.created = append(f.created, f.ClientKey, f.ClientKey+".pub", f.KnownHosts, f.Inventory, f.SSHConfig)
	if _, err := genKey("ed25519", f.ClientKey, "tend-fleet-client"); err != nil {
		return nil, err
	}
	if opts.BusyboxHosts > opts.Hosts {
		return nil, fmt.Errorf("fleet: BusyboxHosts %d is more than Hosts %d", opts.BusyboxHosts, opts.Hosts)
	}
	if opts.BusyboxHosts > 0 {
		if err := f.makeBusyboxBin(); err != nil {
			return nil, err
		}
	}

	width := max(2, len(strconv.Itoa(opts.Hosts)))
	for i := range opts.Hosts {
		name := fmt.Sprintf("host%0*d", width, i+1)
		dir := filepath.Join(hostsDir, name)
		port, err := reservePort()
		if err != nil {
			return nil, err
		}
		f.ports = append(f.ports, port)
		h := &Host{
			Name: name, Addr: "127.0.0.1", Port: port.Port,
			Upper: filepath.Join(dir, "upper"), Log: filepath.Join(dir, "sshd.log"),
			fleet: f, key: filepath.Join(dir, "hostkey"), config: filepath.Join(dir, "sshd_config"),
			work: filepath.Join(dir, "work"), root: filepath.Join(dir, "root"), lower: "/",
			Busybox: i >= opts.Hosts-opts.BusyboxHosts,
		}
		if err := h.prepare(dir); err != nil {
			return nil, err
		}
		if h.Busybox {
			if err := h.prepareBusybox(); err != nil {
				return nil, err
			}
		}
		f.Hosts = append(f.Hosts, h)
	}

	// Keys first, in parallel (RSA takes a while), then the files that
	// name them, then the hosts.
	err = parallel(f.Hosts, runtime.NumCPU(), func(h *Host) error {
		pub, err := genKey(f.keyType, h.key, h.Name)
		h.HostKeyPub = pub
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := f.WriteKnownHosts(); err != nil {
		return nil, err
	}
	if err := f.writeInventory(); err != nil {
		return nil, err
	}
	if err := f.writeSSHConfig(); err != nil {
		return nil, err
	}
	tKeys := time.Since(t0)

	// Each start costs a handful of short processes; bounding how many start
	// at once keeps each within its readiness timeout on a small machine.
	err = parallel(f.Hosts, max(8, 4*runtime.NumCPU()), func(h *Host) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.startLocked(ctx)
	})
	if err != nil {
		return nil, err
	}
	f.logf("fleet: %s up in %v (keys and files %v) in %s", hosts(len(f.Hosts)), time.Since(t0).Round(time.Millisecond), tKeys.Round(time.Millisecond), f.Dir)
	return f, nil
}

// StartT starts a fleet for a test or benchmark, fails it at once (Fatal)
// when the fleet cannot start, and stops the fleet when the test ends. It
// applies Require first. Logf defaults to t.Logf.
func StartT(t testing.TB, opts Options) *Fleet {
	t.Helper()
	Require(t)
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	if opts.Dir == "" {
		if d := t.TempDir(); onRoot(d) {
			opts.Dir = d
		}
	}
	f, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("fleet: cannot start %d hosts: %v", opts.Hosts, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, h := range f.Hosts {
				if b, err := os.ReadFile(h.Log); err == nil && strings.Count(string(b), "\n") > strings.Count(string(b), "--- fleet:") {
					t.Logf("fleet: %s", h.logTail())
				}
			}
		}
		if err := f.Stop(); err != nil {
			t.Errorf("fleet: stop: %v", err)
		}
	})
	return f
}

// SkipEnv is the environment variable that turns a missing requirement
// from a test failure into a skip.
const SkipEnv = "TEND_SKIP_INTEGRATION"

// Require fails t with the reason when Requirements is not met, so that a
// machine that cannot run the integration tests is noticed, not silently
// skipped. With TEND_SKIP_INTEGRATION=1 it skips t instead, loudly.
func Require(t testing.TB) {
	t.Helper()
	err := Requirements()
	if err == nil {
		return
	}
	if os.Getenv(SkipEnv) == "1" {
		t.Skipf("SKIPPING INTEGRATION TEST (%s=1): %v", SkipEnv, err)
	}
	t.Fatalf("%v\n(set %s=1 to skip the integration tests instead)", err, SkipEnv)
}

// Stop stops every host, waits until none of their processes is left, and
// removes the work directory (see Options.Dir and Options.Keep). Calling it
// again returns the first call's result.
func (f *Fleet) Stop() error {
	f.stopMu.Lock()
	defer f.stopMu.Unlock()
	if f.stopped.Swap(true) {
		return f.stopErr
	}
	t0 := time.Now()
	var runs []*run
	for _, h := range f.Hosts {
		h.mu.Lock()
		if h.run != nil {
			runs = append(runs, h.run)
			h.run = nil
		}
		h.mu.Unlock()
	}
	errs := []error{stopRuns(runs)}
	for _, p := range f.ports {
		p.release()
	}
	if !f.opts.Keep {
		if f.ownDir {
			errs = append(errs, os.RemoveAll(f.Dir))
		} else {
			for _, p := range f.created {
				errs = append(errs, os.RemoveAll(p))
			}
		}
	}
	f.stopErr = errors.Join(errs...)
	f.logf("fleet: stopped %s in %v", hosts(len(runs)), time.Since(t0).Round(time.Millisecond))
	return f.stopErr
}

// WriteKnownHosts rewrites KnownHosts with every host's current key, for
// instance after RotateHostKey.
func (f *Fleet) WriteKnownHosts() error {
	var b strings.Builder
	for _, h := range f.Hosts {
		fmt.Fprintf(&b, "[%s]:%d %s\n", h.Addr, h.Port, h.HostKeyPub)
	}
	return writeFileAtomic(f.KnownHosts, b.String())
}

func (f *Fleet) writeInventory() error {
	var b strings.Builder
	b.WriteString("# Written by tend's integration/fleet harness.\n[fleet]\n")
	for _, h := range f.Hosts {
		fmt.Fprintf(&b, "%s ansible_host=%s ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s\n",
			h.Name, h.Addr, h.Port, f.ClientKey)
	}
	if f.opts.BusyboxHosts > 0 {
		for _, group := range []struct {
			name    string
			busybox bool
		}{{"debian", false}, {"busybox", true}} {
			fmt.Fprintf(&b, "\n[%s]\n", group.name)
			for _, h := range f.Hosts {
				if h.Busybox == group.busybox {
					b.WriteString(h.Name + "\n")
				}
			}
		}
	}
	return writeFileAtomic(f.Inventory, b.String())
}

func (f *Fleet) writeSSHConfig() error {
	var b strings.Builder
	b.WriteString("# Written by tend's integration/fleet harness: ssh -F THIS host01 ...\n")
	for _, h := range f.Hosts {
		fmt.Fprintf(&b, "Host %s\n  HostName %s\n  Port %d\n", h.Name, h.Addr, h.Port)
	}
	fmt.Fprintf(&b, "Host *\n  User root\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n"+
		"  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n",
		f.ClientKey, f.KnownHosts)
	return writeFileAtomic(f.SSHConfig, b.String())
}

// makeDir sets up the work directory. Its path ends up in overlay mount
// options and sshd_config, where some characters cannot be written.
func (f *Fleet) makeDir() error {
	dir := f.opts.Dir
	if dir == "" {
		base, err := defaultBase()
		if err != nil {
			return err
		}
		if dir, err = os.MkdirTemp(base, "tend-fleet-"); err != nil {
			return err
		}
		f.ownDir = true
	} else {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		dir = abs
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			f.ownDir = true
		}
	}
	f.Dir = dir
	fail := func(err error) error {
		if f.ownDir {
			os.RemoveAll(dir)
		}
		return err
	}
	if strings.ContainsAny(dir, ",:\\\"'# \t\n") {
		return fail(fmt.Errorf("fleet: Dir %q holds a character that overlay options or sshd_config cannot take (, : \\ quotes # whitespace)", dir))
	}
	if !onRoot(dir) {
		return fail(fmt.Errorf("fleet: Dir %s is not on the root mount, so hosts could not see their keys and config; use a directory on /", dir))
	}
	return nil
}

func hosts(n int) string {
	if n == 1 {
		return "1 host"
	}
	return strconv.Itoa(n) + " hosts"
}

func onRoot(dir string) bool {
	ok, err := onRootMount(dir)
	return err == nil && ok
}

func writeFileAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// parallel runs fn for every host, at most n at once, and returns the
// errors joined (at most a few, so 500 identical failures stay readable).
func parallel(hosts []*Host, n int, fn func(*Host) error) error {
	sem := make(chan struct{}, max(n, 1))
	var mu sync.Mutex
	var errs []error
	failed := 0
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := fn(h); err != nil {
				mu.Lock()
				if failed++; len(errs) < 3 {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed > len(errs) {
		errs = append(errs, fmt.Errorf("... and %d more hosts failed", failed-len(errs)))
	}
	return errors.Join(errs...)
}
