package runlog

import (
	"bytes"
	"strings"
	"testing"

	"tend/playbooks"
)

// A run stopped by Ctrl-C records the hosts it stopped as interrupted:
// not ok, failed nor unreachable; the history says so; and what those
// hosts did not get to is not forgotten.
func TestInterruptedHost(t *testing.T) {
	dir := t.TempDir()
	fakeRun(t, dir, false,
		ev("a", "conf", "", playbooks.StatusChanged, "d1"),
		ev("a", "later", "", playbooks.StatusChanged, "d2"),
		ev("b", "conf", "", playbooks.StatusOK, "d1"),
		ev("b", "later", "", playbooks.StatusOK, "d2"))

	// Ctrl-C while a ran later: the runner made its failure an
	// interruption.
	cut := ev("a", "later", "", playbooks.StatusInterrupted, "d2")
	cut.Msg = "the run was interrupted"
	rep, _ := fakeRun(t, dir, false, ev("a", "conf", "", playbooks.StatusOK, "d1"), cut, ev("b", "conf", "", playbooks.StatusOK, "d1"))
	a, b := rep.Hosts[0], rep.Hosts[1]
	if a.Status != "interrupted" || a.Interrupted != 1 || a.Failed+a.Unreachable != 0 {
		t.Errorf("host a: %+v", a)
	}
	if got := a.Tasks[1]; got.Status != "interrupted" || got.Msg != "the run was interrupted" {
		t.Errorf("a's cut task: %+v", got)
	}
	if b.Status != "ok" || rep.Totals.Interrupted != 1 || rep.Totals.Failed+rep.Totals.Unreachable != 0 {
		t.Errorf("host b %+v, totals %+v", b, rep.Totals)
	}

	reports, _, err := ReadReports(dir, Filter{})
	if err != nil || len(reports) != 2 {
		t.Fatalf("%d reports: %v", len(reports), err)
	}
	if e := Summarize(reports[1]); e.Interrupted != 1 || e.Failed != 0 {
		t.Errorf("history entry: %+v", e)
	}
	var out bytes.Buffer
	if err := WriteTable(&out, reports); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "(1 interrupted)") {
		t.Errorf("history table:\n%s", out.String())
	}
	out.Reset()
	if err := WriteHTML(&out, reports, "t", reports[1].End); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `class="cell interrupted"`) {
		t.Error("the page has no interrupted cell")
	}

	// a never finished the interrupted run: later's memory stays, so its
	// drift is corrective.
	_, got := fakeRun(t, dir, false, ev("a", "conf", "", playbooks.StatusOK, "d1"), ev("a", "later", "", playbooks.StatusChanged, "d2"))
	if want := "a/later[]=corrective"; changes(got) != want {
		t.Errorf("after the interrupted run: %s, want %s", changes(got), want)
	}
}

// A host stopped between two tasks has no interrupted task, only its
// recap's mark.
func TestInterruptedBetweenTasks(t *testing.T) {
	dir := t.TempDir()
	r, err := Begin(Config{Dir: dir, Playbook: dir + "/site.yml", Inventory: []string{"a,"}, Version: "test", SkipGit: true, DigestKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	e := ev("a", "conf", "", playbooks.StatusOK, "d1")
	e.Kind = playbooks.EventTask
	r.Observe(&e)
	sum := &playbooks.Summary{Hosts: map[string]*playbooks.Recap{"a": {OK: 1, Interrupted: 1}}, HostOrder: []string{"a"}}
	if _, err := r.Finish(sum, nil, 130); err != nil {
		t.Fatal(err)
	}
	reports, _, err := ReadReports(dir, Filter{})
	if err != nil || len(reports) != 1 {
		t.Fatalf("%d reports: %v", len(reports), err)
	}
	if h := reports[0].Hosts[0]; h.Status != "interrupted" || reports[0].Totals.Interrupted != 1 {
		t.Errorf("host %+v, totals %+v", h, reports[0].Totals)
	}
}
