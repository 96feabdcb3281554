package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"tend/integration/fleet"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func usage(fs *flag.FlagSet) func() {
	return func() {
		fmt.Fprintf(fs.Output(), "usage:\n  fleet [flags] -- CMD ARGS...   run CMD against a fleet, then tear it down\n  fleet up [flags]               keep a fleet up until SIGINT/SIGTERM\nflags:\n")
		fs.PrintDefaults()
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	up := len(args) > 0 && args[0] == "up"
	if up {
		args = args[1:]
	}
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usage(fs)
	n := fs.Int("n", 3, "number of hosts")
	dir := fs.String("dir", "", "work directory (default: a new temporary directory)")
	keyType := fs.String("keytype", "ed25519", "host key type: ed25519, ecdsa or rsa")
	keep := fs.Bool("keep", false, "keep the work directory (upper dirs, logs) after teardown")
	busybox := fs.Int("busybox", 0, "make the last N hosts minimal busybox boxes (busybox sh and applets only)")
	quiet := fs.Bool("q", false, "do not log progress")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	command := fs.Args()
	if up && len(command) > 0 {
		fmt.Fprintf(stderr, "fleet up takes no command (got %q)\n", command)
		return 2
	}

	// Catch signals from the start, so that a Ctrl-C while the hosts start
	// still tears down what has started.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	opts := fleet.Options{Hosts: *n, Dir: *dir, HostKeyType: *keyType, Keep: *keep, BusyboxHosts: *busybox}
	if !*quiet {
		opts.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		f   *fleet.Fleet
		err error
	}
	started := make(chan result, 1)
	go func() {
		f, err := fleet.Start(ctx, opts)
		started <- result{f, err}
	}()
	var f *fleet.Fleet
	select {
	case r := <-started:
		if r.err != nil {
			fmt.Fprintln(stderr, r.err)
			return 1
		}
		f = r.f
	case sig := <-sigs:
		cancel() // Start stops what it started before it returns
		if r := <-started; r.f != nil {
			r.f.Stop()
		}
		return 128 + int(sig.(syscall.Signal))
	}

	code := 0
	if len(command) == 0 {
		printFleet(stdout, f)
		sig := <-sigs
		fmt.Fprintf(stderr, "fleet: %v: tearing down\n", sig)
	} else {
		code = runCommand(f, command, sigs, stderr)
	}
	if err := f.Stop(); err != nil {
		fmt.Fprintln(stderr, err)
		if code == 0 {
			code = 1
		}
	}
	if *keep {
		fmt.Fprintf(stderr, "fleet: kept %s\n", f.Dir)
	}
	return code
}

func env(f *fleet.Fleet) []string {
	return []string{
		"TEND_FLEET_DIR=" + f.Dir,
		"TEND_FLEET_INVENTORY=" + f.Inventory,
		"TEND_FLEET_KNOWN_HOSTS=" + f.KnownHosts,
		"TEND_FLEET_KEY=" + f.ClientKey,
		"TEND_FLEET_SSH_CONFIG=" + f.SSHConfig,
	}
}

// runCommand runs command with the fleet's environment and returns its exit
// status, 128+N if a signal N ended it.
func runCommand(f *fleet.Fleet, command []string, sigs <-chan os.Signal, stderr io.Writer) int {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), env(f)...)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "fleet:", err)
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return 127
		}
		return 126
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	signals := 0
	for {
		select {
		case err := <-done:
			return exitCode(err)
		case sig := <-sigs:
			if signals++; signals > 1 {
				fmt.Fprintf(stderr, "fleet: %v again: killing %s\n", sig, command[0])
				_ = cmd.Process.Kill()
				continue
			}
			// Ctrl-C already went to CMD, which is in the terminal's
			// foreground process group with us; sending it again could
			// look like a second Ctrl-C to CMD.
			if sig != os.Interrupt {
				_ = cmd.Process.Signal(sig)
			}
		}
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return 1
}

func printFleet(w io.Writer, f *fleet.Fleet) {
	fmt.Fprintf(w, "fleet of %d hosts is up\n", len(f.Hosts))
	fmt.Fprintf(w, "  dir          %s\n  inventory    %s\n  known_hosts  %s\n  key          %s\n  ssh_config   %s\n",
		f.Dir, f.Inventory, f.KnownHosts, f.ClientKey, f.SSHConfig)
	for _, h := range f.Hosts {
		fmt.Fprintf(w, "  %s  %s:%d  upper %s\n", h.Name, h.Addr, h.Port, h.Upper)
	}
	fmt.Fprintf(w, "try:\n  ssh -F %s %s hostname\n", f.SSHConfig, f.Hosts[0].Name)
	fmt.Fprintln(w, "environment for other shells:")
	for _, kv := range env(f) {
		fmt.Fprintf(w, "  export %s\n", kv)
	}
	fmt.Fprintln(w, "Ctrl-C (SIGINT) or SIGTERM tears the fleet down.")
}
