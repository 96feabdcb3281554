package main

import (
	"fmt"
	"time"
)

// goal is one of the goals, and whether this run met it.
type goal struct {
	name, want, got, verdict string
}

// The goals of the issue "Round-trip-optimal converge, proven side by side
// against Ansible".
const (
	noopVsAnsible  = 50.0
	noopVsMitogen  = 25.0
	firstVsAnsible = 30.0
	maxNoopTrips   = 3
	maxRSSMB       = 200.0
	targetHosts    = 50
	bigFleet       = 500
	wanDelay       = 10 * time.Millisecond
)

// goals evaluates the goals this configuration can speak to. Speed-ups
// are for 50 hosts; measured on another number of hosts they are reported
// but marked as such.
func (r *report) goals() []goal {
	if r.cfg.scenario == "copy50m" {
		return r.copyGoals()
	}
	var out []goal
	at := ""
	if r.cfg.hosts != targetHosts {
		at = fmt.Sprintf(" (goal set for %d hosts; measured at %d)", targetHosts, r.cfg.hosts)
	}
	speedup := func(other string, ph int, want float64) {
		if r.get("tend") == nil || r.get(other) == nil {
			return
		}
		t := goal{
			name: fmt.Sprintf("%s, %d×%d, vs %s%s", phaseNames[ph], r.cfg.hosts, r.tasks(), other, at),
			want: fmt.Sprintf("≥ %.0f× faster", want),
		}
		x, ok := r.ratio(other, ph)
		switch {
		case !ok:
			t.got, t.verdict = "—", "not measured: a run failed (see errors)"
		case x >= want:
			t.got, t.verdict = fmt.Sprintf("%.1f×", x), "met"
		default:
			t.got, t.verdict = fmt.Sprintf("%.1f×", x), fmt.Sprintf("MISSED by %.1f×", want/x)
		}
		out = append(out, t)
	}
	speedup("ansible", noop, noopVsAnsible)
	speedup("mitogen", noop, noopVsMitogen)
	speedup("ansible", first, firstVsAnsible)

	tend := r.get("tend")
	if tend == nil {
		return out
	}
	p := &tend.phases[noop]
	if r.cfg.delay >= wanDelay {
		t := goal{name: fmt.Sprintf("no-op converge round trips per host, %v each way", r.cfg.delay),
			want: fmt.Sprintf("≤ %d after the handshake", maxNoopTrips), got: fmt.Sprint(p.rtMax)}
		switch {
		case len(p.walls) == 0:
			t.got, t.verdict = "—", "not measured: every run failed"
		case p.rtMax <= maxNoopTrips:
			t.verdict = "met"
		default:
			t.verdict = "MISSED"
		}
		out = append(out, t)
	}
	if r.cfg.hosts >= bigFleet {
		rss := float64(p.maxRSSKB) / 1024
		errs := 0
		for _, ph := range tend.phases {
			errs += len(ph.errs)
		}
		t := goal{name: fmt.Sprintf("no-op converge of %d hosts", r.cfg.hosts),
			want: fmt.Sprintf("no errors, tend's peak RSS < %.0f MB", maxRSSMB),
			got:  fmt.Sprintf("%d failed runs, %.1f MB", errs, rss)}
		switch {
		case len(p.walls) == 0:
			t.got, t.verdict = fmt.Sprintf("%d failed runs", errs), "not measured: no no-op run succeeded (see errors)"
		case len(p.errs) > 0:
			t.verdict = "MISSED: errors"
		case rss >= maxRSSMB:
			t.verdict = "MISSED: memory"
		default:
			t.verdict = "met"
		}
		out = append(out, t)
	}
	return out
}
