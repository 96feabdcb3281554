package runlog

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tend/modules"
	"tend/playbooks"
)

// fakeRun records one run of events on the pair (site.yml, hosts) in dir.
func fakeRun(t *testing.T, dir string, check bool, events ...playbooks.Event) (*Report, []playbooks.Event) {
	t.Helper()
	r, err := Begin(Config{Dir: dir, Keep: 3, Playbook: filepath.Join(dir, "site.yml"), Inventory: []string{"a,b,"}, Check: check, Version: "test", SkipGit: true, DigestKey: []byte("test key")})
	if err != nil {
		t.Fatal(err)
	}
	var out []playbooks.Event
	sum := &playbooks.Summary{Hosts: map[string]*playbooks.Recap{}}
	for _, e := range events {
		e.Kind = playbooks.EventTask
		e.Check = check
		r.Observe(&e)
		out = append(out, e)
		if sum.Hosts[e.Host] == nil {
			sum.Hosts[e.Host] = &playbooks.Recap{}
			sum.HostOrder = append(sum.HostOrder, e.Host)
		}
		sum.Hosts[e.Host].Add(e.Status, e.Ignored)
		if e.Status == playbooks.StatusInterrupted {
			sum.Hosts[e.Host].Interrupted = 1 // as the runner's recap has it
		}
	}
	path, err := r.Finish(sum, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep, out
}

func ev(host, task, item string, s playbooks.Status, desired string) playbooks.Event {
	return playbooks.Event{Play: "web", Host: host, Task: task, TaskPos: "site.yml:3", Module: "copy", Item: item, Status: s, Desired: desired}
}

func changes(events []playbooks.Event) string {
	var parts []string
	for _, e := range events {
		if e.Status == playbooks.StatusChanged {
			parts = append(parts, fmt.Sprintf("%s/%s[%s]=%s", e.Host, e.Task, e.Item, e.Change))
		}
	}
	return strings.Join(parts, " ")
}

func TestCorrectiveOrIntentional(t *testing.T) {
	dir := t.TempDir()
	// First run: nothing remembered, so every change is intentional.
	_, got := fakeRun(t, dir, false,
		ev("a", "conf", "", playbooks.StatusChanged, "d1"),
		ev("a", "loop", "x", playbooks.StatusChanged, "dx"),
		ev("a", "loop", "y", playbooks.StatusOK, "dy"),
		ev("b", "conf", "", playbooks.StatusFailed, "d1"))
	if want := "a/conf[]=intentional a/loop[x]=intentional"; changes(got) != want {
		t.Errorf("first run: %s, want %s", changes(got), want)
	}
	// The same desired states change again: drift, corrected. A task
	// whose desired state changed is intentional; b's conf never applied.
	rep, got := fakeRun(t, dir, false,
		ev("a", "conf", "", playbooks.StatusChanged, "d1"),
		ev("a", "loop", "x", playbooks.StatusChanged, "dx2"),
		ev("a", "loop", "y", playbooks.StatusChanged, "dy"),
		ev("b", "conf", "", playbooks.StatusChanged, "d1"))
	if want := "a/conf[]=corrective a/loop[x]=intentional a/loop[y]=corrective b/conf[]=intentional"; changes(got) != want {
		t.Errorf("second run: %s, want %s", changes(got), want)
	}
	if rep.Totals.Corrective != 2 || rep.Totals.Intentional != 2 || rep.Totals.Changed != 2 || rep.Hosts[0].Corrective != 2 {
		t.Errorf("totals: %+v, host a: %+v", rep.Totals, rep.Hosts[0])
	}
	// A check run classifies, and records nothing: dx2 stays remembered.
	_, got = fakeRun(t, dir, true, ev("a", "loop", "x", playbooks.StatusChanged, "dx3"))
	if want := "a/loop[x]=intentional"; changes(got) != want {
		t.Errorf("check run: %s, want %s", changes(got), want)
	}
	_, got = fakeRun(t, dir, true, ev("a", "loop", "x", playbooks.StatusChanged, "dx2"))
	if want := "a/loop[x]=corrective"; changes(got) != want {
		t.Errorf("after a check run: %s, want %s (the check run recorded its state)", changes(got), want)
	}
}

// Two tasks with the same name and position (a file included twice, no_log
// loop items) are told apart by their order.
func TestSameIdentityTwice(t *testing.T) {
	dir := t.TempDir()
	fakeRun(t, dir, false, ev("a", "inc", "", playbooks.StatusChanged, "one"), ev("a", "inc", "", playbooks.StatusChanged, "two"))
	_, got := fakeRun(t, dir, false, ev("a", "inc", "", playbooks.StatusChanged, "one"), ev("a", "inc", "", playbooks.StatusChanged, "two"))
	if want := "a/inc[]=corrective a/inc[]=corrective"; changes(got) != want {
		t.Errorf("%s, want %s", changes(got), want)
	}
}

func TestReportFileAndPrune(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	e := ev("a", "secret", "", playbooks.StatusChanged, "d")
	e.Diffs = []modules.Diff{{Path: "/etc/x", Attr: "mode", Before: "0644", After: "0600"}}
	for range 5 {
		fakeRun(t, dir, false, e)
	}
	entries, _ := os.ReadDir(dir)
	var reports []string
	for _, en := range entries {
		if reportName(en.Name()) {
			reports = append(reports, en.Name())
			info, _ := en.Info()
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v", en.Name(), info.Mode())
			}
		}
	}
	if len(reports) != 3 {
		t.Errorf("kept %d reports, want 3: %v", len(reports), reports)
	}
	for _, p := range []string{dir, filepath.Join(dir, "state")} {
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v", p, st.Mode())
		}
	}
	rep, _ := fakeRun(t, dir, false, e)
	h := rep.Hosts[0]
	if rep.Mode != "apply" || rep.Version != "test" || h.Status != "changed" || len(h.Tasks) != 1 || h.Tasks[0].Diffs[0].After != "0600" ||
		rep.Playbook != filepath.Join(dir, "site.yml") || rep.Inventory[0] != "a,b," {
		t.Errorf("report: %+v", rep)
	}
}

// An applied plan is marked in its report and history entry, with the
// hosts it refused.
func TestAppliedPlanReport(t *testing.T) {
	dir := t.TempDir()
	r, err := Begin(Config{Dir: dir, Playbook: filepath.Join(dir, "site.yml"), Inventory: []string{"a,b,"}, Version: "test",
		SkipGit: true, DigestKey: []byte("k"), Plan: "/tmp/plan.json"})
	if err != nil {
		t.Fatal(err)
	}
	e := ev("a", "conf", "", playbooks.StatusChanged, "d1")
	e.Kind = playbooks.EventTask
	r.Observe(&e)
	r.Refuse("b", "its state differs from the plan's")
	sum := &playbooks.Summary{Hosts: map[string]*playbooks.Recap{"a": {Changed: 1, OK: 1}}, HostOrder: []string{"a"}}
	if _, err := r.Finish(sum, nil, 4); err != nil {
		t.Fatal(err)
	}
	reps, _, err := ReadReports(dir, Filter{})
	if err != nil || len(reps) != 1 {
		t.Fatalf("%v %v", reps, err)
	}
	rep := reps[0]
	if rep.Plan != "/tmp/plan.json" || rep.Mode != "apply" || len(rep.Hosts) != 2 || rep.Hosts[1].Status != "refused" ||
		rep.Hosts[1].Refused == "" || rep.Totals.Refused != 1 || rep.Totals.Changed != 1 {
		t.Errorf("report: %+v", rep)
	}
	var b strings.Builder
	if err := WriteTable(&b, reps); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "apply plan") || !strings.Contains(b.String(), "(1 refused)") {
		t.Errorf("history:\n%s", b.String())
	}
	b.Reset()
	if err := WriteHTML(&b, reps, "t", rep.End); err != nil || !strings.Contains(b.String(), "apply plan") {
		t.Errorf("history page: %v", err)
	}
}

// A task keeps its identity when lines are added above it, or tasks
// inserted before it; a task gone from the playbook is forgotten by the
// next run that saw the whole playbook.
func TestIdentitySurvivesEditsElsewhere(t *testing.T) {
	dir := t.TempDir()
	at := func(e playbooks.Event, pos string) playbooks.Event { e.TaskPos = pos; return e }
	fakeRun(t, dir, false,
		at(ev("a", "conf", "", playbooks.StatusChanged, "d1"), "site.yml:3"),
		at(ev("a", "gone", "", playbooks.StatusChanged, "dg"), "site.yml:9"))
	// Five lines and a new task above conf; gone was removed.
	_, got := fakeRun(t, dir, false,
		at(ev("a", "new", "", playbooks.StatusChanged, "dn"), "site.yml:3"),
		at(ev("a", "conf", "", playbooks.StatusChanged, "d1"), "site.yml:8"))
	if want := "a/new[]=intentional a/conf[]=corrective"; changes(got) != want {
		t.Errorf("after the edit: %s, want %s", changes(got), want)
	}
	st, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	state, err := st.Load(RunKey(filepath.Join(dir, "site.yml"), []string{"a,b,"}))
	if err != nil {
		t.Fatal(err)
	}
	for id := range state.Hosts["a"] {
		if strings.Contains(id, "gone") {
			t.Errorf("a removed task is still remembered: %q", id)
		}
	}
	if len(state.Hosts["a"]) != 2 {
		t.Errorf("memory of a: %v", state.Hosts["a"])
	}
}
