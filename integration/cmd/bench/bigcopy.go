package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"tend/integration/bench"
)

// The copy50m scenario: one copy of a 50 MB controller file to every host
// (bench.WriteBigCopy). Besides the tools, scp copies the same file to every
// host at once, as the reference a copy should cost about as much as.

// The issue's goal for a large file: "a 50 MB copy: at most 5 s and 200 MB
// controller RSS on the fleet".
const (
	copyMaxWall  = 5 * time.Second
	copyMaxRSSMB = 200.0
)

// measureScp copies file to every host with OpenSSH's scp, all hosts at
// once, c.runs times: the wall time of each run, and the largest scp's
// peak RSS.
func measureScp(ctx context.Context, c config, t *target, file string, logf func(string, ...any)) *phaseResult {
	p := &phaseResult{}
	for run := 1; run <= c.runs && ctx.Err() == nil; run++ {
		start := time.Now()
		var mu sync.Mutex
		var wg sync.WaitGroup
		var errs []string
		for i, h := range t.fleet.Hosts {
			port := h.Port
			if i < len(t.proxies) {
				port = t.proxies[i].Port
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.CommandContext(ctx, "scp", "-q", "-P", strconv.Itoa(port), "-i", t.fleet.ClientKey,
					"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile="+t.knownHosts,
					"-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
					file, "root@"+h.Addr+":"+bench.Root+"/big-scp.bin")
				cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent"}
				out, err := cmd.CombinedOutput()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, fmt.Sprintf("%s: %v %s", h.Name, err, tail(string(out), 2)))
				}
				if cmd.ProcessState != nil {
					if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
						p.maxRSSKB = max(p.maxRSSKB, ru.Maxrss)
					}
				}
			}()
		}
		wg.Wait()
		wall := time.Since(start)
		if len(errs) > 0 {
			logf("bench: scp (%d of %d): FAILED: %v", run, c.runs, errs)
			p.errs = append(p.errs, errs...)
			continue
		}
		logf("bench: scp (%d of %d): %v", run, c.runs, wall.Round(time.Millisecond))
		p.walls = append(p.walls, wall)
	}
	return p
}

// scpMarkdown is the reference line under the table.
func (r *report) scpMarkdown() string {
	p := r.scp
	if len(p.walls) == 0 {
		return fmt.Sprintf("Reference: scp of the same file to every host at once failed: %s\n\n", escape(fmt.Sprint(p.errs)))
	}
	return fmt.Sprintf("Reference: OpenSSH's scp of the same file to every host at once: %s (median of %d), "+
		"peak RSS %.1f MB (one scp).\n\n", seconds(p.median()), len(p.walls), float64(p.maxRSSKB)/1024)
}

// copyGoals is the goal for the copy: tend's first converge (the
// file sent) within copyMaxWall and copyMaxRSSMB.
func (r *report) copyGoals() []goal {
	tend := r.get("tend")
	if tend == nil {
		return nil
	}
	p := &tend.phases[first]
	g := goal{
		name: fmt.Sprintf("50 MB copy to %d hosts, first converge", r.cfg.hosts),
		want: fmt.Sprintf("≤ %v and tend's peak RSS ≤ %.0f MB", copyMaxWall, copyMaxRSSMB),
	}
	rss := float64(p.maxRSSKB) / 1024
	m := p.median()
	g.got = fmt.Sprintf("%s, %.1f MB", seconds(m), rss)
	var missed []string
	if m > copyMaxWall {
		missed = append(missed, "time")
	}
	if rss > copyMaxRSSMB {
		missed = append(missed, "memory")
	}
	switch {
	case len(p.walls) == 0:
		g.got, g.verdict = "—", "not measured: every run failed (see errors)"
	case len(missed) > 0:
		g.verdict = "MISSED: " + strings.Join(missed, ", ")
	default:
		g.verdict = "met"
	}
	return []goal{g}
}
