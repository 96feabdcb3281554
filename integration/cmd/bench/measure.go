package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The three timed runs of the playbook, in the order they run.
const (
	first = iota // on fresh hosts: every task changes something
	noop         // again: nothing changes
	check        // --check on converged hosts: nothing would change
	nPhases
)

var phaseNames = [nPhases]string{"first converge", "no-op converge", "check run"}

// phaseResult is what the runs of one phase measured.
type phaseResult struct {
	walls        []time.Duration
	maxRSSKB     int64
	cpu          []time.Duration // controller CPU (user+system) per successful run
	rtMin, rtMax int64           // round trips per host, over hosts and runs (tend)
	// Processes started on each host by the run, over hosts and runs
	// (hostProcs); 0/0 until a run counted them.
	procMin, procMax int
	errs             []string
}

func (p *phaseResult) median() time.Duration { return median(p.walls) }

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	w := slices.Clone(d)
	slices.Sort(w)
	if len(w)%2 == 1 {
		return w[len(w)/2]
	}
	return (w[len(w)/2-1] + w[len(w)/2]) / 2
}

// result is one tool's measurements.
type result struct {
	tool   *tool
	runs   int
	phases [nPhases]phaseResult
}

// measure runs the tool's first, no-op and check runs, each on hosts made
// fresh again first.
func measure(ctx context.Context, c config, t *target, tl *tool, playbook string, logf func(string, ...any)) *result {
	r := &result{tool: tl, runs: c.runs}
	if tl.slow {
		r.runs = c.slowRuns
	}
	for run := 1; run <= r.runs && ctx.Err() == nil; run++ {
		if err := clean(ctx, c, t, logf); err != nil {
			r.phases[first].errs = append(r.phases[first].errs, "cleaning: "+err.Error())
			return r
		}
		for ph := range nPhases {
			p := &r.phases[ph]
			wall, err := runOnce(ctx, c, t, tl, playbook, ph, p)
			if err != nil {
				logf("bench: %s, %s (%d of %d): FAILED after %v: %v", tl.name, phaseNames[ph], run, r.runs, wall.Round(time.Millisecond), err)
				p.errs = append(p.errs, err.Error())
				continue
			}
			logf("bench: %s, %s (%d of %d): %v", tl.name, phaseNames[ph], run, r.runs, wall.Round(time.Millisecond))
		}
	}
	return r
}

// runOnce times one run and checks that it did what the phase expects on
// every host; only then does its time count.
func runOnce(ctx context.Context, c config, t *target, tl *tool, playbook string, ph int, p *phaseResult) (time.Duration, error) {
	cmd := tl.command(ctx, t, playbook, ph == check)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	before, perr := lastPIDs(t)
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var procs []int
	if perr == nil {
		procs, perr = hostProcs(t, before)
	}
	if cmd.ProcessState != nil {
		// Maxrss is in KiB on Linux: the largest resident set of the
		// process and of the descendants it waited for.
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.maxRSSKB = max(p.maxRSSKB, ru.Maxrss)
		}
	}
	// The hosts share this machine's CPUs with the controller, so wall
	// time mixes both; the controller's own CPU time (with its waited-for
	// children: Ansible's workers and ssh clients) separates them.
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if err != nil {
		return wall, fmt.Errorf("%v; %s", err, tail(stdout.String()+stderr.String(), 4))
	}
	recaps, err := tl.recaps(stdout.String())
	if err != nil {
		return wall, err
	}
	if err := verify(recaps, c.hosts, ph); err != nil {
		return wall, err
	}
	if perr != nil {
		return wall, perr
	}
	for _, n := range procs {
		if p.procMax == 0 || n < p.procMin {
			p.procMin = n
		}
		p.procMax = max(p.procMax, n)
	}
	p.walls = append(p.walls, wall)
	p.cpu = append(p.cpu, cpu)
	if tl.name == "tend" {
		for _, rc := range recaps {
			if p.rtMin == 0 || rc.roundTrips < p.rtMin {
				p.rtMin = rc.roundTrips
			}
			p.rtMax = max(p.rtMax, rc.roundTrips)
		}
	}
	return wall, nil
}

// verify checks a run's recap: every host there, none failed, changes in
// the first converge and none after.
func verify(recaps map[string]recap, hosts, ph int) error {
	if len(recaps) != hosts {
		return fmt.Errorf("recap has %d hosts, want %d", len(recaps), hosts)
	}
	var bad []string
	for h, rc := range recaps {
		switch {
		case rc.failed > 0 || rc.unreachable > 0:
			bad = append(bad, h+" failed or unreachable")
		case ph == first && rc.changed == 0:
			bad = append(bad, h+" changed nothing")
		case ph != first && rc.changed > 0:
			bad = append(bad, h+" changed "+strconv.Itoa(rc.changed)+" tasks")
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		if len(bad) > 3 {
			bad = append(bad[:3], fmt.Sprintf("and %d more", len(bad)-3))
		}
		return fmt.Errorf("%s", strings.Join(bad, ", "))
	}
	return nil
}

// lastPIDs reads every host's last PID (fleet.Host.LastPID), before a run.
func lastPIDs(t *target) ([]int, error) {
	out := make([]int, len(t.fleet.Hosts))
	for i, h := range t.fleet.Hosts {
		n, err := h.LastPID()
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// hostProcs reads every host's last PID again and returns how many
// processes the run started on each: sshd's sessions, shells, and whatever
// the tool ran there. Nothing else runs in a host's PID namespace; each
// read of the last PID costs one, which is taken off.
func hostProcs(t *target, before []int) ([]int, error) {
	after, err := lastPIDs(t)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(before))
	for i := range before {
		out[i] = after[i] - before[i] - 1
	}
	return out, nil
}

// clean makes every host fresh again for the next first converge, whichever
// tool is measured next: the scenario's clean script with tend exec
// (quickest), or new hosts for a scenario that has none.
func clean(ctx context.Context, c config, t *target, logf func(string, ...any)) error {
	s, _ := findScenario(c.scenario)
	if s.clean == "" {
		return t.restart(ctx, c, logf)
	}
	cmd := exec.CommandContext(ctx, c.tendBin, "exec", "-i", t.inventory, "--known-hosts", t.knownHosts,
		"--ssh-config", "none", "-f", strconv.Itoa(c.hosts), "-T", handshakeTimeout, "all", "--", s.clean)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "NO_COLOR=1", "HOME=/nonexistent"}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v; %s", err, tail(string(out), 4))
	}
	return nil
}

// tail returns the last n lines of s, on one line.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}
