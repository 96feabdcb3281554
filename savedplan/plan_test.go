package savedplan

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tend/modules"
	"tend/playbooks"
	"tend/playbooks/jinja"
	"tend/playbooks/load"
)

func task(host, name, pos, planned string, status playbooks.Status) playbooks.Event {
	return playbooks.Event{Kind: playbooks.EventTask, Host: host, Task: name, TaskPos: pos, Module: "copy",
		Status: status, Planned: planned, Diffs: []modules.Diff{{Path: "/etc/" + name, Attr: "content"}}}
}

func TestRecorder(t *testing.T) {
	r := NewRecorder()
	r.Event(playbooks.Event{Kind: playbooks.EventPlayStart, Hosts: []string{"a", "b", "c", "d"}})
	r.Event(task("a", "one", "site.yml:3", "p1", playbooks.StatusChanged))
	r.Event(task("b", "one", "site.yml:3", "", playbooks.StatusOK))
	r.Event(task("a", "cmd", "site.yml:5", "p2", playbooks.StatusSkipped)) // command in check mode
	r.Event(task("a", "quiet", "site.yml:7", "p3", playbooks.StatusOK))    // changed_when: false
	r.Event(task("a", "plain", "site.yml:9", "", playbooks.StatusOK))
	r.Event(task("c", "one", "site.yml:3", "", playbooks.StatusUnreachable))
	ign := task("d", "one", "site.yml:3", "", playbooks.StatusFailed)
	ign.Ignored = true
	r.Event(ign)
	r.Event(task("d", "two", "site.yml:4", "p9", playbooks.StatusFailed))
	secret := task("d", "secret", "site.yml:8", "p10", playbooks.StatusChanged)
	secret.Diffs, secret.Result = nil, modules.Result{"censored": "hidden"}
	r.Event(secret)

	var got []string
	for _, h := range r.Hosts() {
		var ds []string
		for _, c := range h.Changes {
			ds = append(ds, c.Planned+"/"+c.Status)
		}
		got = append(got, h.Name+":"+h.Status+":"+strings.Join(ds, ","))
	}
	want := []string{"a:changed:p1/changed,p2/skipped,p3/ok", "b:ok:", "c:unreachable:", "d:failed:p9/failed,p10/changed"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if c := r.Host("d").Changes[1]; !c.Hidden || c.Diffs != nil {
		t.Errorf("no_log change: %+v", c)
	}
	if r.Host("zz") != nil {
		t.Error("unknown host has a record")
	}
}

func changes(planned ...string) []Change {
	var out []Change
	for i, p := range planned {
		out = append(out, Change{Task: "t" + p, TaskPos: "site.yml:" + string(rune('1'+i)), Module: "copy", Planned: p,
			Diffs: []modules.Diff{{Path: "/etc/x", Attr: "mode"}, {Path: "/etc/x", Attr: "content"}}})
	}
	return out
}

func TestCompare(t *testing.T) {
	if d := Compare(changes("a", "b"), changes("a", "b")); d != "" {
		t.Errorf("same changes differ: %s", d)
	}
	if d := Compare(nil, nil); d != "" {
		t.Errorf("no changes differ: %s", d)
	}
	for _, c := range []struct {
		planned, found []Change
		want           string
	}{
		{changes("a", "b"), changes("a"), `task "tb" (site.yml:2): planned [/etc/x content,mode] (b), found no change (1 of 2 planned changes found)`},
		{changes("a"), nil, `task "ta" (site.yml:1): planned [/etc/x content,mode] (a), found no change on the host at all (was the plan applied already?)`},
		{changes("a"), changes("a", "b"), `task "tb" (site.yml:2): found [/etc/x content,mode] (b), which the plan does not have`},
		{changes("a", "b"), changes("a", "x", "c")[1:], `task "ta" (site.yml:1): planned [/etc/x content,mode] (a); found instead task "tx" (site.yml:2)`},
	} {
		if d := Compare(c.planned, c.found); !strings.HasPrefix(d, c.want) {
			t.Errorf("got  %s\nwant %s", d, c.want)
		}
	}
	p, f := changes("a"), changes("z")
	f[0].Task, f[0].Diffs = p[0].Task, f[0].Diffs[:1]
	if d := Compare(p, f); d != `task "ta" (site.yml:1): planned [/etc/x content,mode] (a), found [/etc/x mode] (z)` {
		t.Errorf("same task, other change: %s", d)
	}
}

func TestGuard(t *testing.T) {
	p := &Plan{Hosts: []*Host{
		{Name: "a", Status: "changed", Changes: changes("1", "2", "3", "4")},
		{Name: "b", Status: "changed", Changes: changes("1", "2")},
	}}
	g := NewGuard(p)
	ev := func(host, planned string) playbooks.Event {
		return playbooks.Event{Kind: playbooks.EventTask, Host: host, Task: "t" + planned, Planned: planned}
	}
	// a: a loop of two items (both allowed, then both reported), a task in
	// check mode (reported only), then one more.
	for _, step := range []struct {
		allow bool
		e     playbooks.Event
	}{{true, ev("a", "1")}, {true, ev("a", "2")}, {false, ev("a", "1")}, {false, ev("a", "2")}, {false, ev("a", "3")}, {true, ev("a", "4")}, {false, ev("a", "4")}} {
		if step.allow {
			if err := g.Allow(step.e); err != nil {
				t.Fatalf("a: %s refused: %v", step.e.Planned, err)
			}
		} else {
			g.Event(step.e)
		}
	}
	if left, stale := g.Left("a"); len(left) != 0 || stale != "" {
		t.Errorf("a: left %v, stale %q", left, stale)
	}
	if err := g.Allow(ev("a", "5")); err == nil || !strings.Contains(err.Error(), "after all planned changes were applied") {
		t.Errorf("a: a change beyond the plan: %v", err)
	}
	// b: the second change differs: refused, and so is everything after.
	if err := g.Allow(ev("b", "1")); err != nil {
		t.Fatal(err)
	}
	g.Event(ev("b", "1"))
	err := g.Allow(ev("b", "x"))
	if err == nil || !strings.HasPrefix(err.Error(), `stale: task "t2" (site.yml:2): planned`) {
		t.Errorf("b: a stale change: %v", err)
	}
	g.Event(ev("b", "x")) // the refused task's event
	if err := g.Allow(ev("b", "2")); err == nil {
		t.Error("b: allowed a change after a refusal")
	}
	if left, stale := g.Left("b"); len(left) != 1 || left[0].Planned != "2" || stale == "" {
		t.Errorf("b: left %v, stale %q", left, stale)
	}
	// A check-mode change that differs makes the host stale.
	g2 := NewGuard(p)
	g2.Event(ev("b", "y"))
	if err := g2.Allow(ev("b", "1")); err == nil {
		t.Error("b: allowed after a differing check-mode change")
	}
	if err := g2.Allow(ev("c", "1")); err == nil || !strings.Contains(err.Error(), "no changes for this host") {
		t.Errorf("unknown host: %v", err)
	}
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	// A file that was there, readable by all, is replaced by a private one.
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &Plan{Format: Format, Tend: "tend test", Playbook: "/x/site.yml", PlaybookDigest: "d", KeyID: "k",
		Hosts: []*Host{{Name: "a", Status: "changed", Changes: changes("1")}}}
	if err := p.Write(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %v", st.Mode())
	}
	q, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("read back\n%+v\nwrote\n%+v", q, p)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temp files left: %v", entries)
	}
	for name, content := range map[string]string{
		"other.json":  `{"format": 1, "foo": 2}`,
		"future.json": `{"format": 99, "playbook": "x", "playbook_digest": "d", "key_id": "k"}`,
		"empty.json":  `{"format": 1}`,
	} {
		f := filepath.Join(dir, name)
		os.WriteFile(f, []byte(content), 0o600)
		if _, err := Read(f); err == nil {
			t.Errorf("%s read as a plan", name)
		}
	}
}

func TestKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "tend", "plan.key")
	if _, err := Key(path, false); err == nil {
		t.Fatal("a missing key was not an error")
	}
	k1, err := Key(path, true)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := Key(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if string(k1) != string(k2) || len(k1) != 32 {
		t.Errorf("key not kept: %x %x", k1, k2)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", st.Mode())
	}
	if st, _ := os.Stat(filepath.Dir(path)); st.Mode().Perm() != 0o700 {
		t.Errorf("key folder mode %v", st.Mode())
	}
	if KeyID(k1) == KeyID([]byte("another key, long enough")) || strings.Contains(KeyID(k1), string(k1)) {
		t.Error("key ids do not tell keys apart")
	}
	e1 := ExtraVarsDigest(k1, map[string]any{"a": 1, "b": "x"})
	if e1 != ExtraVarsDigest(k1, map[string]any{"b": "x", "a": 1}) {
		t.Error("extra vars digest depends on map order")
	}
	if e1 == ExtraVarsDigest(k1, map[string]any{"a": 2, "b": "x"}) || e1 == ExtraVarsDigest([]byte("k"), map[string]any{"a": 1, "b": "x"}) {
		t.Error("extra vars digest ignores the values or the key")
	}
	if ExtraVarsDigest(k1, nil) != ExtraVarsDigest(k1, map[string]any{}) {
		t.Error("no extra vars and empty extra vars differ")
	}
}

func TestContent(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("site.yml", "- hosts: all\n  roles: [web]\n  tasks:\n    - import_tasks: more.yml\n")
	write("more.yml", "- {name: m, template: {src: a.j2, dest: /tmp/a}}\n")
	write("templates/a.j2", "a\n")
	write("roles/web/tasks/main.yml", "- {name: w, copy: {src: f, dest: /tmp/f}}\n")
	write("roles/web/files/f", "f\n")
	write("unrelated.txt", "not part of the playbook\n")
	env := jinja.New()
	digest := func() (string, []FileHash) {
		pb, err := load.Load(filepath.Join(dir, "site.yml"), load.Options{CheckTemplate: env.Check, CheckExpr: env.CheckExpr})
		if err != nil {
			t.Fatal(err)
		}
		d, files, err := Content(pb)
		if err != nil {
			t.Fatal(err)
		}
		return d, files
	}
	d0, f0 := digest()
	var paths []string
	for _, f := range f0 {
		paths = append(paths, f.Path)
	}
	want := []string{"more.yml", "roles/web/files/f", "roles/web/tasks/main.yml", "site.yml", "templates/a.j2"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("files %q, want %q", paths, want)
	}
	if d, _ := digest(); d != d0 {
		t.Error("digest not stable")
	}
	write("unrelated.txt", "still not\n")
	if d, _ := digest(); d != d0 {
		t.Error("an unrelated file changed the digest")
	}
	for _, c := range []struct{ file, content, says string }{
		{"templates/a.j2", "b\n", "templates/a.j2 (changed)"},
		{"roles/web/files/g", "g\n", "roles/web/files/g (new)"},
		{"more.yml", "- {name: m2, template: {src: a.j2, dest: /tmp/a}}\n", "more.yml (changed)"},
	} {
		before, fb := digest()
		write(c.file, c.content)
		after, fa := digest()
		if before == after {
			t.Errorf("%s: digest unchanged", c.file)
		}
		if got := ContentChanges(fb, fa); !reflect.DeepEqual(got, []string{c.says}) {
			t.Errorf("%s: changes %q", c.file, got)
		}
	}
	if got := ContentChanges(f0, f0[1:]); !reflect.DeepEqual(got, []string{"more.yml (gone)"}) {
		t.Errorf("gone: %q", got)
	}
}

// A change the plan holds as known after apply is re-planned at apply: the
// same task with the same arguments matches whatever its diffs, other
// arguments do not, and one that turns out not needed is passed over.
func TestGuardKnownAfterApply(t *testing.T) {
	known := func(i int, planned string) Change {
		return Change{TaskIndex: i, TaskPos: fmt.Sprintf("site.yml:%d", i), Task: "t", Planned: planned}
	}
	unknown := func(i int, desired string) Change {
		c := known(i, "u"+desired)
		c.Unknown, c.Desired = "the content of /x (command at site.yml:1)", desired
		return c
	}
	p := &Plan{Hosts: []*Host{{Name: "a", Status: "changed", Changes: []Change{known(1, "k1"), unknown(2, "d2"), unknown(3, ""), unknown(4, "d4"), known(5, "k5")}}}}
	ev := func(i int, planned, desired string) playbooks.Event {
		return playbooks.Event{Kind: playbooks.EventTask, Host: "a", TaskIndex: i, TaskPos: fmt.Sprintf("site.yml:%d", i), Task: "t", Planned: planned, Desired: desired}
	}
	g := NewGuard(p)
	for _, e := range []playbooks.Event{ev(1, "k1", ""), ev(2, "real2", "d2"), ev(3, "real3", "any")} {
		if err := g.Allow(e); err != nil {
			t.Fatalf("task %d refused: %v", e.TaskIndex, err)
		}
	}
	// Task 4 changed nothing after all; task 5 is next.
	if err := g.Allow(ev(5, "k5", "")); err != nil {
		t.Fatalf("task 5 refused: %v", err)
	}
	if left, stale := g.Left("a"); len(left) != 0 || stale != "" {
		t.Errorf("left %v, stale %q", left, stale)
	}
	g = NewGuard(p)
	_ = g.Allow(ev(1, "k1", ""))
	if err := g.Allow(ev(2, "real2", "other arguments")); err == nil {
		t.Error("a change known after apply with other arguments was allowed")
	}
}
