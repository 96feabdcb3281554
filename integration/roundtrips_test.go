package integration

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// thirtyTasks is a playbook of 30 tasks of the usual kinds.
func thirtyTasks() string {
	var b strings.Builder
	b.WriteString("- hosts: all\n  vars: {users: [a, b, c]}\n  tasks:\n")
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "    - file: {path: /srv/rt/d%d, state: directory, mode: \"0755\"}\n", i)
		fmt.Fprintf(&b, "    - copy: {content: \"file %d\\n\", dest: /srv/rt/d%d/f, mode: \"0644\"}\n", i, i)
		fmt.Fprintf(&b, "    - lineinfile: {path: /srv/rt/d%d/g, line: \"extra {{ inventory_hostname }}\", create: true}\n", i)
		fmt.Fprintf(&b, "    - file: {path: \"/srv/rt/d%d/{{ item }}\", state: directory}\n      loop: \"{{ users }}\"\n", i)
		fmt.Fprintf(&b, "    - command: touch /srv/rt/d%d/once\n      args: {creates: /srv/rt/d%d/once}\n", i, i)
	}
	return b.String()
}

// hostCosts is what a host's run cost, from a JSON run's summary.
type hostCosts struct {
	RoundTrips int `json:"round_trips"`
	Probes     int `json:"probes"`
}

// costs reads the per-host round trips and probes from a JSON run's
// summary.
func costs(t *testing.T, r result) map[string]hostCosts {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var sum struct {
		Hosts map[string]hostCosts `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatalf("summary: %v\n%v", err, r)
	}
	return sum.Hosts
}

// roundTrips reads the per-host round trips from a JSON run's summary.
func roundTrips(t *testing.T, r result) map[string]int {
	t.Helper()
	out := map[string]int{}
	for h, c := range costs(t, r) {
		out[h] = c.RoundTrips
	}
	return out
}

// A converge in which nothing changes costs the same few round trips per
// host whatever the number of tasks: the session, the facts, one batch of
// probes. So does a check run.
func TestNoOpConvergeRoundTripsAreConstant(t *testing.T) {
	f := startFleet(t, 3)
	pb := writeFile(t, "site.yml", thirtyTasks())
	first, _ := converge(t, f, pb)
	if first.code != 0 {
		t.Fatalf("first: %v", first)
	}
	// 48 changes (loop items included): the changes of file, copy and
	// lineinfile wait in the host's queue and are applied together, each
	// command ends a batch (it states no effects): 6 batches after the
	// connection's 3 round trips, not one per change (45 before batching).
	// Each batch carries the probes ahead, so the probes run about once.
	for h, c := range costs(t, first) {
		t.Logf("first converge on %s: %d round trips, %d probes", h, c.RoundTrips, c.Probes)
		if c.RoundTrips > 3+6 {
			t.Errorf("first converge on %s: %d round trips for 6 batches of changes", h, c.RoundTrips)
		}
		if c.Probes > 3*48 {
			t.Errorf("first converge on %s: %d probes for 48 items", h, c.Probes)
		}
	}
	noop, events := converge(t, f, pb)
	if noop.code != 0 || len(changedTasks(events, "host01")) != 0 {
		t.Fatalf("no-op: %v", noop)
	}
	for h, n := range roundTrips(t, noop) {
		if n != 3 {
			t.Errorf("no-op converge on %s: %d round trips, want 3", h, n)
		}
	}
	check, _ := converge(t, f, pb, "--check")
	if check.code != 0 {
		t.Fatalf("check: %v", check)
	}
	for h, n := range roundTrips(t, check) {
		if n != 3 {
			t.Errorf("check run on %s: %d round trips, want 3", h, n)
		}
	}
}
