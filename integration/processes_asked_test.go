package integration

import (
	"fmt"
	"strings"
	"testing"
)

// pamTasks is a playbook of n pam_limits tasks (n a multiple of 3) over
// n/3 files, the way roles write limits.d: a new file, a second line in
// it, and a line changed in a file that holds one already.
func pamTasks(n int) string {
	var b strings.Builder
	b.WriteString("- hosts: all\n  gather_facts: false\n  tasks:\n")
	b.WriteString("    - file: {path: /srv/pam/limits.d, state: directory, mode: \"0755\"}\n")
	b.WriteString("    - copy: {content: \"* hard nofile 10\\n\", dest: /srv/pam/limits.conf, force: false}\n")
	for i := 0; i < n/3; i++ {
		f := fmt.Sprintf("/srv/pam/limits.d/%02d.conf", i)
		fmt.Fprintf(&b, "    - pam_limits: {dest: %s, domain: \"*\", limit_type: hard, limit_item: core, value: \"0\", comment: no cores}\n", f)
		fmt.Fprintf(&b, "    - pam_limits: {dest: %s, domain: \"@staff\", limit_type: soft, limit_item: nproc, value: \"%d\"}\n", f, 100+i)
		fmt.Fprintf(&b, "    - pam_limits: {dest: /srv/pam/limits.conf, domain: \"*\", limit_type: hard, limit_item: nofile, value: \"%d\", use_max: true}\n", 1000+i)
	}
	return b.String()
}

// A no-op converge of pam_limits tasks costs a host the same few
// processes and round trips for 6 tasks as for 60: pam_limits asks
// questions, answered by the one program of the batch, where its probe
// script cost processes of its own.
func TestNoOpPamLimitsProcessesPerHost(t *testing.T) {
	f := startFleet(t, 1)
	h := f.Hosts[0]
	procs, trips := map[int]int{}, map[int]int{}
	for _, n := range []int{6, 60} {
		pb := writeFile(t, fmt.Sprintf("pam%d.yml", n), pamTasks(n))
		if r, events := converge(t, f, pb); r.code != 0 || len(changedTasks(events, h.Name)) == 0 {
			t.Fatalf("first converge of %d tasks: %v", n, r)
		}
		var r result
		var events []event
		procs[n] = hostProcesses(t, h, func() { r, events = converge(t, f, pb) })
		if r.code != 0 || len(changedTasks(events, h.Name)) != 0 {
			t.Fatalf("second converge of %d tasks is not a no-op: %v %v", n, r, changedTasks(events, h.Name))
		}
		trips[n] = roundTrips(t, r)[h.Name]
		t.Logf("no-op converge of %d pam_limits tasks: %d processes started on the host, %d round trips", n, procs[n], trips[n])
	}
	if got := readHostFile(t, h, "/srv/pam/limits.conf"); got != "*\thard\tnofile\t1019\n" {
		t.Errorf("limits.conf: %q", got)
	}
	if procs[6] > 12 || procs[60] != procs[6] {
		t.Errorf("a no-op converge started %d processes for 6 pam_limits tasks and %d for 60 (want the same, at most 12)", procs[6], procs[60])
	}
	if trips[6] > 2 || trips[60] != trips[6] {
		t.Errorf("a no-op converge took %d round trips for 6 pam_limits tasks and %d for 60 (want the same, at most 2)", trips[6], trips[60])
	}
}
