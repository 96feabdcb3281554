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
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"tend/integration/bench"
)

// config is what one invocation measures.
type config struct {
	hosts    int
	delay    time.Duration
	runs     int
	slowRuns int // runs for Ansible and Mitogen
	tools    []string
	out      string
	tendBin  string
	scenario string // a name from scenarios
	mirrors  string // folder of bare mirrors of public repositories (the hardening scenario)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var tools string
	fs.IntVar(&c.hosts, "n", 50, "number of hosts")
	fs.DurationVar(&c.delay, "delay", 0, "latency added in each direction by a TCP proxy in front of every host")
	fs.IntVar(&c.runs, "runs", 3, "runs per tool; times are their median")
	fs.IntVar(&c.slowRuns, "slow-runs", 0, "runs for ansible and mitogen (0: -runs)")
	fs.StringVar(&tools, "tools", "tend,ansible,mitogen", "tools to measure, comma-separated")
	fs.StringVar(&c.out, "out", "BENCHMARKS.md", "markdown file to write the results section into ('' or '-': print only)")
	fs.StringVar(&c.tendBin, "tend", "", "tend binary (default: build tend/cmd/tend)")
	fs.StringVar(&c.scenario, "scenario", "mixed", "the playbook to converge:"+scenarioHelp())
	fs.StringVar(&c.mirrors, "mirrors", os.Getenv("MIRRORS"), "folder of bare mirrors of the public roles' repositories, as integration/compat's (hardening)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || c.hosts < 1 || c.runs < 1 || c.slowRuns < 0 {
		fmt.Fprintln(stderr, "bench: bad arguments (see -h)")
		return 2
	}
	if _, ok := findScenario(c.scenario); !ok {
		fmt.Fprintf(stderr, "bench: unknown scenario %q; the scenarios:%s\n", c.scenario, scenarioHelp())
		return 2
	}
	if c.slowRuns == 0 {
		c.slowRuns = c.runs
	}
	for _, t := range strings.Split(tools, ",") {
		if t = strings.TrimSpace(t); t != "" {
			if t != "tend" && t != "ansible" && t != "mitogen" {
				fmt.Fprintf(stderr, "bench: unknown tool %q (want tend, ansible, mitogen)\n", t)
				return 2
			}
			c.tools = append(c.tools, t)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := benchmark(ctx, c, stdout, stderr)
	if errors.Is(err, bench.ErrNoMirror) {
		// A scenario of other people's code this machine lacks: make
		// bench-fleet goes on with the others.
		fmt.Fprintf(stderr, "bench: scenario %s SKIPPED: %v\n", c.scenario, err)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	return 0
}

// benchmark sets up the hosts, measures every tool and writes the report.
func benchmark(ctx context.Context, c config, stdout, stderr io.Writer) error {
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	// Every host costs the controller a socket or two, and Ansible's ssh
	// processes a few pipes each: 500 hosts exceed the usual soft limit.
	if err := raiseNoFile(); err != nil {
		logf("bench: cannot raise RLIMIT_NOFILE: %v", err)
	}
	work, err := os.MkdirTemp("", "tend-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if c.tendBin == "" {
		if c.tendBin, err = buildTend(ctx, work); err != nil {
			return err
		}
	}
	tls, err := newTools(c, work)
	if err != nil {
		return err
	}
	playbook, bigFile, err := writeScenario(c, work)
	if err != nil {
		return err
	}
	t := &target{}
	defer t.stop(logf) // also stops what a failed start left running
	if err := t.start(ctx, c, work, logf); err != nil {
		return err
	}

	rep := &report{cfg: c, started: time.Now(), machine: machineInfo(), load: loadAverage()}
	for _, tl := range tls {
		rep.versions = append(rep.versions, tl.version(ctx))
	}
	for _, tl := range tls {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.results = append(rep.results, measure(ctx, c, t, tl, playbook, logf))
	}
	if bigFile != "" {
		rep.scp = measureScp(ctx, c, t, bigFile, logf)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rep.loadAfter = loadAverage()
	md := rep.markdown()
	fmt.Fprint(stdout, md)
	if c.out == "" || c.out == "-" {
		return nil
	}
	return writeSection(c.out, rep.key(), md)
}

func raiseNoFile() error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	l.Cur = l.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
}

// buildTend builds the tend of this checkout, with its version as `make
// build` would stamp it, so the report says what was measured.
func buildTend(ctx context.Context, dir string) (string, error) {
	version := "dev"
	if out, err := exec.CommandContext(ctx, "git", "describe", "--tags", "--always", "--dirty").Output(); err == nil {
		version = strings.TrimSpace(string(out))
	}
	bin := filepath.Join(dir, "tend")
	cmd := exec.CommandContext(ctx, "go", "build", "-ldflags", "-X main.version="+version, "-o", bin, "tend/cmd/tend")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", errors.Join(fmt.Errorf("building tend: %w", err), errors.New(string(out)))
	}
	return bin, nil
}
