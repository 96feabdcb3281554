package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"tend/modules/hostq"
)

// creates and removes answered as questions skip or run the command as the
// probe does; patterns and names relative to an unknown folder are the
// probe's.
func TestCommandQuestionsMatchProbe(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	there := filepath.Join(dir, "it's there")
	writeFile(t, there, "", 0o644)
	plain := t.TempDir()
	writeFile(t, filepath.Join(plain, "x.conf"), "", 0o644)
	if err := os.Symlink(filepath.Join(plain, "nowhere"), filepath.Join(plain, "dangling")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(plain, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(plain, "missing $x")
	// The hostile folder's name holds a pattern: only chdir may name it.
	thereToo := filepath.Join(plain, "it's there")
	writeFile(t, thereToo, "", 0o644)
	for _, c := range []struct {
		args  map[string]any
		asked bool
	}{
		{map[string]any{"cmd": "true", "creates": there}, false},
		{map[string]any{"cmd": "true", "creates": thereToo}, true},
		{map[string]any{"cmd": "true", "creates": missing}, true},
		{map[string]any{"cmd": "true", "removes": thereToo}, true},
		{map[string]any{"cmd": "true", "removes": missing}, true},
		{map[string]any{"cmd": "true", "creates": plain + "/dangling"}, true}, // lexists
		{map[string]any{"cmd": "true", "creates": plain + "/x.conf/"}, true},  // only a folder
		{map[string]any{"cmd": "true", "creates": plain + "/sub/"}, true},
		{map[string]any{"cmd": "true", "creates": "it's there", "chdir": dir}, true},
		{map[string]any{"cmd": "true", "creates": "nope", "removes": "it's there", "chdir": dir}, true},
		{map[string]any{"cmd": "true", "creates": "x", "chdir": dir + "/missing"}, true},
		{map[string]any{"cmd": "true", "creates": "x", "chdir": there}, true}, // not a folder
		{map[string]any{"cmd": "true", "creates": "x", "chdir": plain + "/dangling"}, true},
		{map[string]any{"cmd": "true", "creates": plain + "/*.conf"}, false},
		{map[string]any{"cmd": "true", "creates": "relative"}, false},
		{map[string]any{"cmd": "true", "creates": "x", "chdir": "rel"}, false},
		{map[string]any{"cmd": "true", "creates": plain + "/sub/../x.conf"}, false},
	} {
		for _, name := range []string{"command", "shell"} {
			m, task := mkTask(t, name, c.args)
			qs, err := m.(Asker).Questions(task)
			if err != nil || (qs != nil) != c.asked {
				t.Fatalf("%s %v: questions %v %v", name, c.args, qs, err)
			}
			if qs == nil {
				continue
			}
			legacy, probe, errL := legacyPlan(t, sh, m, task)
			answers := Output{Answers: acctDirAnswers(t, "", qs)}
			asked, errA := m.Plan(task, answers)
			if (errL == nil) != (errA == nil) || errL != nil && errL.Error() != errA.Error() {
				t.Fatalf("%s %v: probe: %v; questions: %v", name, c.args, errL, errA)
			}
			if (legacy == nil) != (asked == nil) {
				t.Fatalf("%s %v: probe plans %v, questions %v", name, c.args, legacy, asked)
			}
			if legacy != nil {
				if legacy.CheckUnknown != asked.CheckUnknown || !reflect.DeepEqual(legacy.Effects, asked.Effects) {
					t.Errorf("%s %v: %+v\n%+v", name, c.args, legacy, asked)
				}
				continue
			}
			if errL != nil {
				continue
			}
			rl, _ := m.(Reporter).Report(task, probe)
			ra, _ := m.(Reporter).Report(task, answers)
			if !reflect.DeepEqual(rl, ra) {
				t.Errorf("%s %v: reports differ:\n%v\n%v", name, c.args, rl, ra)
			}
		}
	}
	// Without creates or removes: nothing to ask, but a port all the same.
	m, task := mkTask(t, "shell", map[string]any{"cmd": "true"})
	if qs, err := m.(Asker).Questions(task); qs == nil || len(qs) != 0 || err != nil {
		t.Errorf("no creates: %v %v", qs, err)
	}
	ch, err := m.Plan(task, Output{Answers: hostq.NewSet()})
	if err != nil || ch == nil || !ch.CheckUnknown || ch.Effects != nil {
		t.Errorf("no creates: %+v %v", ch, err)
	}
}

// A command that runs leaves what it creates or removes known only after
// apply: a later task asking about it gets an Unknown, not the host's
// stale answer.
func TestCommandModelTaint(t *testing.T) {
	t.Parallel()
	m, task := mkTask(t, "command", map[string]any{"cmd": "make install", "creates": "/opt/app/bin/app", "removes": "rel/*.o", "chdir": "/src/app"})
	qs, err := m.(Asker).Questions(task)
	if err != nil || qs != nil {
		t.Fatalf("a pattern: %v %v", qs, err)
	}
	_, task = mkTask(t, "command", map[string]any{"cmd": "make install", "creates": "/opt/app/bin/app", "chdir": "/src/app"})
	qs, _ = m.(Asker).Questions(task)
	want := []hostq.Question{hostq.Path{Path: "/src/app", Follow: true}, hostq.Path{Path: "/opt/app/bin/app"}}
	if !reflect.DeepEqual(qs, want) {
		t.Fatalf("questions %#v", qs)
	}
	host := hostq.NewSet().SetPath("/src/app", true, hostq.PathInfo{Exists: true, Type: 'd'}).SetPath("/opt/app/bin/app", false, hostq.PathInfo{})
	ch, err := m.Plan(task, Output{Answers: host})
	if err != nil || ch == nil {
		t.Fatalf("%v %v", ch, err)
	}
	if want := []hostq.Effect{hostq.Taint{Path: "/opt/app/bin/app"}}; !reflect.DeepEqual(ch.Effects, want) {
		t.Errorf("effects %#v", ch.Effects)
	}
	model := hostq.NewModel("root")
	model.Apply(host, ch.Effects...)
	again, err := m.Plan(task, Output{Answers: hostq.Layer(model, host)})
	if _, ok := hostq.IsUnknown(err); !ok || again != nil {
		t.Errorf("the same command after: %v %v", again, err)
	}
	// Patterns taint the folder they are in; relative names chdir's.
	for _, c := range []struct {
		args map[string]any
		want []hostq.Effect
	}{
		{map[string]any{"cmd": "x", "creates": "/var/lib/*/done", "removes": "old/x.[ch]", "chdir": "/src"},
			[]hostq.Effect{hostq.Taint{Path: "/var/lib"}, hostq.Taint{Path: "/src/old"}}},
		{map[string]any{"cmd": "x", "creates": "/a/../b"}, []hostq.Effect{hostq.Taint{Path: "/a"}}},
		{map[string]any{"cmd": "x", "creates": "rel"}, nil},
	} {
		_, task := mkTask(t, "command", c.args)
		ct, _ := readCommandTask(task, false)
		if got := ct.effects(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: %#v", c.args, got)
		}
	}
}
