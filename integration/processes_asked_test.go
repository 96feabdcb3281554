package integration

import (
	"fmt"
	"os"
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

// sysctlKeys are kernel values a check run may read (the same on the
// machine as on its hosts: not kernel.pid_max, per PID namespace); the hosts
// share the machine's kernel, so the sysctl test below never converges.
var sysctlKeys = []string{"vm.swappiness", "vm.overcommit_memory", "vm.overcommit_ratio", "vm.dirty_ratio",
	"vm.dirty_background_ratio", "vm.dirty_expire_centisecs", "vm.dirty_writeback_centisecs", "vm.vfs_cache_pressure",
	"vm.max_map_count", "vm.page-cluster"}

// sysctlValue is the kernel's value of key k (every Linux has these: a
// machine without them fails the test, it does not skip it).
func sysctlValue(t *testing.T, k string) string {
	t.Helper()
	v, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(k, ".", "/"))
	if err != nil {
		t.Fatalf("sysctl %s: %v", k, err)
	}
	return strings.TrimSpace(string(v))
}

// sysctlTasks is a playbook of n sysctl tasks (n a multiple of 3, at most
// 3 × len(sysctlKeys)) that hold what the kernel holds, over three files.
func sysctlTasks(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("- hosts: all\n  gather_facts: false\n  tasks:\n")
	for i := 0; i < n; i++ {
		k := sysctlKeys[i/3]
		fmt.Fprintf(&b, "    - sysctl: {name: %s, value: %q, sysctl_file: /srv/sysctl/%d.conf, sysctl_set: true}\n", k, sysctlValue(t, k), i%3)
	}
	return b.String()
}

// A check run of sysctl tasks that hold (the files written first by a
// converge of copies) starts the same few processes for 3 tasks as for 30:
// the live values are questions, read by one program (one awk for all).
// Only a check run: the hosts' kernel is the machine's.
func TestCheckSysctlProcessesPerHost(t *testing.T) {
	f := startFleet(t, 1)
	h := f.Hosts[0]
	files := map[int]string{}
	for i := 0; i < 3*len(sysctlKeys); i++ {
		k := sysctlKeys[i/3]
		files[i%3] += k + "=" + sysctlValue(t, k) + "\n"
	}
	var setup strings.Builder
	setup.WriteString("- hosts: all\n  gather_facts: false\n  tasks:\n    - file: {path: /srv/sysctl, state: directory}\n")
	for i, c := range files {
		fmt.Fprintf(&setup, "    - copy: {dest: /srv/sysctl/%d.conf, content: %q}\n", i, c)
	}
	if r, _ := converge(t, f, writeFile(t, "setup.yml", setup.String())); r.code != 0 {
		t.Fatalf("writing the sysctl files: %v", r)
	}
	procs := map[int]int{}
	for _, n := range []int{3, 30} {
		pb := writeFile(t, fmt.Sprintf("sysctl%d.yml", n), sysctlTasks(t, n))
		var r result
		var events []event
		procs[n] = hostProcesses(t, h, func() { r, events = converge(t, f, pb, "--check") })
		if r.code != 0 || len(changedTasks(events, h.Name)) != 0 {
			t.Fatalf("check run of %d sysctl tasks that hold: %v %v", n, r, changedTasks(events, h.Name))
		}
		t.Logf("check run of %d sysctl tasks: %d processes started on the host", n, procs[n])
	}
	if procs[3] > 12 || procs[30] != procs[3] {
		t.Errorf("a check run started %d processes for 3 sysctl tasks and %d for 30 (want the same, at most 12)", procs[3], procs[30])
	}
}
