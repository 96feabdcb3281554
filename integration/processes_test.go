package integration

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"tend/integration/fleet"
)

// lastPid is the host's last PID (fleet.Host.LastPID).
func lastPid(t *testing.T, h *fleet.Host) int {
	t.Helper()
	n, err := h.LastPID()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// hostProcesses runs f and returns how many processes it started on h (each
// read of the last PID costs the host one).
func hostProcesses(t *testing.T, h *fleet.Host, f func()) int {
	t.Helper()
	before := lastPid(t, h)
	f()
	return lastPid(t, h) - before - 1
}

// mixedTasks is a playbook of the usual kinds of tasks, n of them (n a
// multiple of 15), with a role-like handler.
func mixedTasks(n int) string {
	var b strings.Builder
	b.WriteString("- hosts: all\n  gather_facts: false\n  handlers:\n    - {name: reload, command: \"true\"}\n  tasks:\n")
	for i := 0; i < n/15; i++ {
		d := fmt.Sprintf("/srv/mix/d%d", i)
		fmt.Fprintf(&b, "    - file: {path: %s, state: directory, mode: \"0755\"}\n", d)
		fmt.Fprintf(&b, "    - file: {path: %s/sub, state: directory}\n", d)
		fmt.Fprintf(&b, "    - copy: {content: \"a %d\\n\", dest: %s/a.conf, mode: \"0644\"}\n      notify: reload\n", i, d)
		fmt.Fprintf(&b, "    - copy: {content: \"b %d\\n\", dest: %s/b.conf, owner: root, group: root}\n", i, d)
		fmt.Fprintf(&b, "    - template: {src: t.j2, dest: %s/t.conf}\n", d)
		fmt.Fprintf(&b, "    - lineinfile: {path: %s/l.conf, line: \"x=1\", create: true}\n", d)
		fmt.Fprintf(&b, "    - lineinfile: {path: %s/l.conf, line: \"y={{ inventory_hostname }}\", create: true}\n", d)
		fmt.Fprintf(&b, "    - blockinfile: {path: %s/k.conf, block: \"k=v\\n\", create: true}\n", d)
		fmt.Fprintf(&b, "    - stat: {path: %s/a.conf}\n      register: st%d\n", d, i)
		fmt.Fprintf(&b, "    - copy: {content: \"s\\n\", dest: %s/s.conf}\n      when: st%d.stat.exists\n", d, i)
		fmt.Fprintf(&b, "    - command: touch %s/once\n      args: {creates: %s/once}\n", d, d)
		fmt.Fprintf(&b, "    - file: {src: %s/sub, dest: %s/link, state: link}\n", d, d)
		fmt.Fprintf(&b, "    - file: {path: %s/t.conf, mode: \"0640\"}\n", d)
		fmt.Fprintf(&b, "    - copy: {content: \"c\\n\", dest: %s/sub/c.conf}\n", d)
		fmt.Fprintf(&b, "    - file: {path: %s/gone, state: absent}\n", d)
	}
	return b.String()
}

// A no-op converge starts the same handful of processes on a host for 15
// tasks as for 210: the probes are questions answered by one program (issue
// 14's target: at most 12, sshd's own included).
func TestNoOpConvergeProcessesPerHost(t *testing.T) {
	f := startFleet(t, 1)
	h := f.Hosts[0]
	dir := t.TempDir()
	tmpl := dir + "/t.j2"
	if err := os.WriteFile(tmpl, []byte("host {{ inventory_hostname }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	counts := map[int]int{}
	for _, n := range []int{15, 210} {
		pb := dir + fmt.Sprintf("/site%d.yml", n)
		if err := os.WriteFile(pb, []byte(mixedTasks(n)), 0o644); err != nil {
			t.Fatal(err)
		}
		if r, _ := converge(t, f, pb); r.code != 0 {
			t.Fatalf("first converge of %d tasks: %v", n, r)
		}
		var r result
		var events []event
		counts[n] = hostProcesses(t, h, func() { r, events = converge(t, f, pb) })
		if r.code != 0 || len(changedTasks(events, h.Name)) != 0 {
			t.Fatalf("second converge of %d tasks is not a no-op: %v", n, changedTasks(events, h.Name))
		}
		t.Logf("no-op converge of %d tasks: %d processes started on the host", n, counts[n])
	}
	if counts[15] > 12 || counts[210] > 12 {
		t.Errorf("a no-op converge started %d processes for 15 tasks and %d for 210 (want at most 12)", counts[15], counts[210])
	}
}

// A first converge with the text output starts fewer processes on a host
// than with JSON, whose results are whole: the results that nothing reads
// in the text (not registered, no changed_when...) need no stat of the
// paths written and no dates around a command (playbooks.Options.StatusOnly).
// The same 15 tasks run once in each, on two fresh folders of one host.
func TestTextConvergeSkipsTheUnreadResults(t *testing.T) {
	f := startFleet(t, 1)
	h := f.Hosts[0]
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/t.j2", []byte("host {{ inventory_hostname }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(name, root string) string {
		pb := dir + "/" + name
		if err := os.WriteFile(pb, []byte(strings.ReplaceAll(mixedTasks(15), "/srv/mix", root)), 0o644); err != nil {
			t.Fatal(err)
		}
		return pb
	}
	jsonPB, textPB := write("json.yml", "/srv/json"), write("text.yml", "/srv/text")

	var events []event
	var r result
	inJSON := hostProcesses(t, h, func() { r, events = converge(t, f, jsonPB) })
	if r.code != 0 || len(changedTasks(events, h.Name)) == 0 {
		t.Fatalf("JSON converge: %v", r)
	}
	for _, e := range events {
		if e.Status == "changed" && strings.HasPrefix(e.Module, "copy") {
			if _, ok := e.Result["size"]; !ok {
				t.Errorf("JSON: a copy's result has no size: %v", e.Result)
			}
		}
		if e.Status == "changed" && e.Module == "command" {
			if _, ok := e.Result["start"].(string); !ok {
				t.Errorf("JSON: a command's result has no start: %v", e.Result)
			}
		}
	}
	inText := hostProcesses(t, h, func() {
		r = tend(t, nil, "converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, textPB)
	})
	if want := fmt.Sprintf(" changed=%-3d failed=0 ", len(changedTasks(events, h.Name))); r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Fatalf("text converge: %v", r)
	}
	t.Logf("first converge of 15 tasks: %d processes on the host with JSON, %d with the text output", inJSON, inText)
	if inText >= inJSON {
		t.Errorf("the text converge started %d processes, the JSON one %d: the unread results cost the host", inText, inJSON)
	}
}
