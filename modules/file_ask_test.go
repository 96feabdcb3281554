package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"tend/modules/hostq"
)

// tempNames are the random names of files made beside the path.
var tempNames = regexp.MustCompile(`\.tend-[0-9a-f]{12}\.tmp`)

// sameChange says how two plans of one task on one host differ: diffs,
// effects, and Apply but for its random temporary names.
func sameChange(a, b *Change) string {
	switch {
	case a == nil || b == nil:
		if a != b {
			return "one plan is nil"
		}
		return ""
	case !reflect.DeepEqual(a.Diffs, b.Diffs):
		return "diffs differ"
	case !reflect.DeepEqual(a.Effects, b.Effects):
		return "effects differ"
	case tempNames.ReplaceAllString(a.Apply, "T") != tempNames.ReplaceAllString(b.Apply, "T"):
		return "apply scripts differ"
	}
	return ""
}

// askConverge is converge through questions: ch (the plan from answers,
// made once by the caller), apply, result, then a plan from new answers
// finds nothing, and Report says what the probe's Report says (when
// compare is set).
func askConverge(t *testing.T, sh testShell, m Module, task *Task, ch *Change, compare bool) (*Change, Result) {
	t.Helper()
	if ch == nil {
		t.Fatalf("%s: plan from answers: nothing to change", sh.name)
	}
	out := sh.run(t, ch.Apply)
	if out.ExitCode != 0 {
		t.Fatalf("%s: apply failed (%d): %s\n%s", sh.name, out.ExitCode, out.Stderr, numbered(ch.Apply))
	}
	res, err := ch.Result(out)
	if err != nil || res["failed"] == true {
		t.Fatalf("%s: result %v %v", sh.name, res, err)
	}
	again, aout, _, err := askPlan(t, m, task)
	if err != nil || again != nil {
		t.Fatalf("%s: not idempotent through answers: %v %v", sh.name, again, err)
	}
	rep, err := m.(Reporter).Report(task, aout)
	if err != nil {
		t.Fatal(err)
	}
	if !compare {
		return ch, res
	}
	_, pout, _ := legacyPlan(t, sh, m, task)
	prep, err := m.(Reporter).Report(task, pout)
	if err != nil || !reflect.DeepEqual(rep, prep) {
		t.Errorf("%s: report from answers %v, from the probe %v (%v)", sh.name, rep, prep, err)
	}
	return ch, res
}

// The file cases through questions: the same plan as the probe's (diffs,
// effects, apply), the same end state, the same report after. The probe
// serves only recurse, times and attributes: the default run compares
// with it on a case's first name, TEND_TEST_SHELLS=all on every name.
func TestFileAskConverges(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			for i, c := range fileCases {
				if !sh.turn(t, i) {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					if c.root {
						needRoot(t)
					}
					for j, name := range sh.caseNames(t, i) {
						dir := hostileDir(t)
						p := filepath.Join(dir, name)
						if c.setup != nil {
							c.setup(t, dir, p)
						}
						m, task := mkTask(t, "file", c.args(dir, p))
						qs, err := m.(Asker).Questions(task)
						if err != nil {
							t.Fatal(err)
						}
						args := c.args(dir, p)
						legacy := args["recurse"] == true
						if legacy != (qs == nil) {
							t.Fatalf("questions %v for %v", qs, args)
						}
						if legacy {
							return
						}
						chA, _, _, err := askPlan(t, m, task)
						if err != nil {
							t.Fatal(err)
						}
						compare := fullMatrix || j == 0
						if compare {
							chP, _, err := legacyPlan(t, sh, m, task)
							if err != nil {
								t.Fatal(err)
							}
							if d := sameChange(chP, chA); d != "" {
								t.Fatalf("%q: probe and answers plan differently: %s\nprobe: %v %v\nanswers: %v %v", name, d, chP.Diffs, chP.Effects, chA.Diffs, chA.Effects)
							}
						}
						ch, res := askConverge(t, sh, m, task, chA, compare)
						if got := diffAttrs(ch); !reflect.DeepEqual(got, c.diffs) {
							t.Errorf("%q: diffs %v, want %v", name, got, c.diffs)
						}
						if c.check != nil {
							c.check(t, dir, p, res)
						}
						noLeftovers(t, dir)
						noPwned(t)
					}
				})
			}
		})
	}
}

// The probe's errors, from answers. The probe's find fails at once on an
// unknown owner or group; from answers that is a change, and chown fails
// when applying (TestFileAskUnknownOwner).
func TestFileAskErrors(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	file := filepath.Join(dir, "file")
	writeFile(t, file, "x", 0o644)
	sub := filepath.Join(dir, "sub")
	mkdir(t, sub+"/x", 0o755)
	missing := filepath.Join(dir, "missing")
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink("nowhere", dangling); err != nil {
		t.Fatal(err)
	}
	// A hard link of another file.
	other, hard := filepath.Join(dir, "other"), filepath.Join(dir, "hard")
	writeFile(t, other, "y", 0o644)
	if err := os.Link(other, hard); err != nil {
		t.Fatal(err)
	}
	for _, args := range []map[string]any{
		{"path": missing},
		{"path": missing, "state": "file"},
		{"path": sub, "state": "file"},
		{"path": file, "state": "directory"},
		{"path": dangling, "state": "directory"},
		{"path": dangling, "state": "directory", "follow": false},
		{"path": file, "state": "link", "src": "/etc/passwd"},
		{"path": sub, "state": "link", "src": "/etc/passwd"},
		{"path": sub, "state": "link", "src": "/etc/passwd", "force": true},
		{"path": missing, "state": "link", "src": "nope"},
		{"path": missing, "state": "link"},
		{"path": missing, "state": "hard"},
		{"path": file, "state": "hard"},
		{"path": missing, "state": "hard", "src": missing + "2"},
		{"path": file, "state": "hard", "src": "/etc/passwd"},
		{"path": sub, "state": "hard", "src": file},
		{"path": sub, "state": "hard", "src": file, "force": true},
		{"path": hard, "state": "hard", "src": file},
	} {
		m, task := mkTask(t, "file", args)
		_, _, errP := legacyPlan(t, sh, m, task)
		_, _, ok, errA := askPlan(t, m, task)
		if !ok || errP == nil || errA == nil || errP.Error() != errA.Error() {
			t.Errorf("%v: probe says %v, answers %v (asked: %v)", args, errP, errA, ok)
		}
	}
}

func TestFileAskUnknownOwner(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	writeFile(t, p, "x", 0o644)
	m, task := mkTask(t, "file", map[string]any{"path": p, "owner": "no-such-user-xyz"})
	ch, _, _, err := askPlan(t, m, task)
	if err != nil || ch == nil || !hasDiff(ch, "owner", nameOr(diskPathInfo(t, p, false).Owner, ""), "no-such-user-xyz") {
		t.Fatalf("plan %v %v", ch, err)
	}
	out := sh.run(t, ch.Apply)
	res, _ := ch.Result(out)
	if out.ExitCode == 0 || res["failed"] != true || !strings.Contains(res["msg"].(string), "could not set owner") {
		t.Errorf("apply %d %q, result %v", out.ExitCode, out.Stderr, res)
	}
}

func TestFileAskNothingToDo(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	writeFile(t, p, "x", 0o644)
	if err := os.Symlink("f", dir+"/l"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir+"/h1", "x", 0o600)
	if err := os.Link(dir+"/h1", dir+"/h2"); err != nil {
		t.Fatal(err)
	}
	for _, args := range []map[string]any{
		{"path": p},
		{"path": p, "mode": "0644"},
		{"path": p, "mode": "u=rw,g=r,o=r"},
		{"path": p, "mode": "a+X"},
		{"path": p + "x", "state": "absent"},
		{"path": dir, "state": "directory"},
		{"path": dir + "/l"},
		{"path": dir + "/l", "state": "link"},
		{"path": dir + "/l", "state": "link", "src": "f"},
		{"path": dir + "/l", "mode": "0644"},
		{"path": p, "seuser": "system_u"}, // SELinux is off here
		{"path": dir + "/h2", "state": "hard", "src": dir + "/h1"},
		{"path": dir + "/h2", "state": "hard", "src": dir + "/h1", "mode": "0600"},
	} {
		m, task := mkTask(t, "file", args)
		ch, aout, ok, err := askPlan(t, m, task)
		if !ok || err != nil || ch != nil {
			t.Fatalf("%v: %v %v %v", args, ok, ch, err)
		}
		_, pout, _ := legacyPlan(t, sh, m, task)
		a, errA := m.(Reporter).Report(task, aout)
		p, errP := m.(Reporter).Report(task, pout)
		if errA != nil || errP != nil || !reflect.DeepEqual(a, p) {
			t.Errorf("%v: report from answers %v (%v), from the probe %v (%v)", args, a, errA, p, errP)
		}
	}
}

func TestFileAskTouch(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	p := filepath.Join(dir, "-f")
	m, task := mkTask(t, "file", map[string]any{"path": p, "state": "touch", "mode": "u=rw,g=r,o="})
	for i, want := range [][2]string{{"absent", "file"}, {"file", "touch"}} {
		chP, _, _ := legacyPlan(t, sh, m, task)
		ch, _, _, err := askPlan(t, m, task)
		if err != nil || ch == nil || !hasDiff(ch, "state", want[0], want[1]) {
			t.Fatalf("touch %d: %v %v", i, ch, err)
		}
		if d := sameChange(chP, ch); d != "" {
			t.Fatalf("touch %d: %s", i, d)
		}
		if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
			t.Fatal(string(out.Stderr))
		}
	}
	wantMode(t, p, 0o640)
}

// The effects of every file case, applied to a model of the host as it
// was, predict the host after Apply: each path's existence, type, mode,
// ids and link target (its size for files). With recurse, what is under
// the path is known after apply; the path itself is predicted. Each case
// runs under a plain name and under one with a newline in the full matrix,
// else under one of them, in turn.
func TestFileEffectsPredict(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	runAs := diskPathInfo(t, "/proc/self", false).Owner // the user tests run as
	for i, c := range fileCases {
		if c.root && !isRoot() {
			continue
		}
		names := []string{"plain", "new\nline"}
		if !fullMatrix {
			names = names[i%2 : i%2+1]
		}
		for _, name := range names {
			dir := hostileDir(t)
			p := filepath.Join(dir, name)
			if c.setup != nil {
				c.setup(t, dir, p)
			}
			args := c.args(dir, p)
			m, task := mkTask(t, "file", args)
			ch, _, err := probePlan(t, sh, m, task)
			if err != nil || ch == nil {
				t.Fatalf("%s: %v %v", c.name, ch, err)
			}
			if len(ch.Effects) == 0 {
				t.Fatalf("%s: no effects", c.name)
			}
			before := walk(t, dir)
			base := hostq.NewSet().SetAccounts(diskAccounts(t)).SetUmask(diskUmask(t))
			for _, x := range before {
				base.SetPath(x, false, diskPathInfo(t, x, false)).SetPath(x, true, diskPathInfo(t, x, true))
			}
			model := hostq.NewModel(runAs)
			model.Apply(base, ch.Effects...)
			if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
				t.Fatalf("%s: %s", c.name, out.Stderr)
			}
			after := walk(t, dir)
			seen := map[string]bool{}
			for _, x := range before {
				seen[x] = true
			}
			for _, x := range after {
				if !seen[x] {
					seen[x] = true
					base.SetPath(x, false, hostq.PathInfo{}).SetPath(x, true, hostq.PathInfo{})
				}
				if fi := diskPathInfo(t, x, false); fi.Type == 'l' {
					// What a new link points at, as it was.
					tg := fi.Target
					if !filepath.IsAbs(tg) {
						tg = filepath.Join(filepath.Dir(x), tg)
					}
					if !strings.HasPrefix(tg, dir+"/") {
						base.SetPath(tg, false, diskPathInfo(t, tg, false)).SetPath(tg, true, diskPathInfo(t, tg, true))
					}
				}
			}
			l := hostq.Layer(model, base)
			for x := range seen {
				if args["recurse"] == true && strings.HasPrefix(x, p+"/") {
					if _, err := l.Path(x, false); !isUnknown(err) {
						t.Errorf("%s: %q under a tree the change walks: %v, want known after apply", c.name, x, err)
					}
					continue
				}
				for _, follow := range []bool{false, true} {
					got, err := l.Path(x, follow)
					want := diskPathInfo(t, x, follow)
					if err != nil || !samePath(got, want) {
						t.Errorf("%s: %q (follow %v): model says %+v (%v), the host %+v\neffects %+v", c.name, x, follow, got, err, want, ch.Effects)
					}
				}
			}
		}
	}
}

// walk lists dir and what is under it (not through links).
func walk(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		out = append(out, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func samePath(got, want hostq.PathInfo) bool {
	if got.Exists != want.Exists || !want.Exists {
		return got.Exists == want.Exists
	}
	if got.Type != want.Type || got.Perm != want.Perm || got.UID != want.UID || got.GID != want.GID || got.Target != want.Target {
		return false
	}
	return got.Type != '-' || got.Size < 0 || got.Size == want.Size
}

// A check run on a fresh host: each task is planned against the model of
// what the tasks before it would have changed, and its effects go into the
// model. Then the same tasks converge the host for real, and what stat
// reads there is what the check run predicted.
func TestFileAskModel(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	d := t.TempDir()
	umask := diskUmask(t)
	runAs := diskPathInfo(t, "/proc/self", false).Owner
	model := hostq.NewModel(runAs)
	f := d + "/a/b/f"
	type step struct {
		module string
		args   map[string]any
		diffs  []string // of the plan in check mode; nil: nothing to do
		alone  string   // the error planning against the host alone gives ("": none)
	}
	steps := []step{
		{"file", map[string]any{"path": d + "/a/b", "state": "directory", "mode": "0750"}, []string{"state", "mode"}, ""},
		{"file", map[string]any{"path": f, "state": "touch"}, []string{"state", "times"}, ""},
		{"file", map[string]any{"path": f, "state": "file", "mode": "0640"}, []string{"mode"}, "is absent, cannot continue"},
		{"stat", map[string]any{"path": f}, nil, ""},
		{"file", map[string]any{"path": d + "/a/b", "state": "directory", "mode": "0750"}, nil, ""},
		{"file", map[string]any{"path": d + "/l", "state": "link", "src": f}, []string{"state"}, "src file does not exist"},
		{"stat", map[string]any{"path": d + "/l", "follow": true}, nil, ""},
		{"stat", map[string]any{"path": d + "/l"}, nil, ""},
		{"file", map[string]any{"path": d + "/a", "state": "absent"}, []string{"state"}, ""},
		{"stat", map[string]any{"path": f}, nil, ""},
	}
	predicted := map[int]Result{}
	for i, s := range steps {
		m, task := mkTask(t, s.module, s.args)
		qs, err := m.(Asker).Questions(task)
		if err != nil || qs == nil {
			t.Fatalf("step %d: questions %v %v", i, qs, err)
		}
		host := askDisk(t, qs)
		if r, ok := m.(Reader); ok {
			if predicted[i], err = r.Read(task, Output{Answers: hostq.Layer(model, host)}); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			continue
		}
		if s.alone != "" {
			if _, err := m.Plan(task, Output{Answers: host}); err == nil || !strings.Contains(err.Error(), s.alone) {
				t.Errorf("step %d: planned against the host alone: %v, want %q", i, err, s.alone)
			}
		}
		ch, err := m.Plan(task, Output{Answers: hostq.Layer(model, host)})
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if ch == nil {
			if s.diffs != nil {
				t.Fatalf("step %d: nothing to do, want %v", i, s.diffs)
			}
			continue
		}
		if got := diffAttrs(ch); !reflect.DeepEqual(got, s.diffs) {
			t.Fatalf("step %d: diffs %v, want %v", i, ch.Diffs, s.diffs)
		}
		model.Apply(host, ch.Effects...)
	}
	if st := predicted[3]["stat"].(map[string]any); st["mode"] != "0640" || st["isreg"] != true ||
		st["checksum"] != "da39a3ee5e6b4b0d3255bfef95601890afd80709" || st["pw_name"] != runAs {
		t.Errorf("predicted stat %v (umask %03o)", st, umask)
	}
	if st := predicted[9]["stat"].(map[string]any); st["exists"] != false {
		t.Errorf("predicted stat after absent %v", st)
	}
	if entries, _ := os.ReadDir(d); len(entries) != 0 {
		t.Fatalf("the check run changed the host: %v", entries)
	}

	// The real converge.
	for i, s := range steps {
		m, task := mkTask(t, s.module, s.args)
		qs, _ := m.(Asker).Questions(task)
		ans := askDisk(t, qs)
		if r, ok := m.(Reader); ok {
			got, err := r.Read(task, Output{Answers: ans})
			if err == nil {
				unknowable(t, got, predicted[i])
			}
			if err != nil || !reflect.DeepEqual(got, predicted[i]) {
				t.Errorf("step %d: stat %v (%v), predicted %v", i, got, err, predicted[i])
			}
			continue
		}
		ch, err := m.Plan(task, Output{Answers: ans})
		if err != nil || (ch == nil) != (s.diffs == nil) {
			t.Fatalf("step %d: converge plans %v %v", i, ch, err)
		}
		if ch != nil {
			if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
				t.Fatalf("step %d: %s", i, out.Stderr)
			}
		}
	}
}

// unknowable checks that a predicted stat has the keys no check run can
// know (inode, device, times) as 0, and removes them from both results.
func unknowable(t *testing.T, got, predicted Result) {
	t.Helper()
	g, _ := got["stat"].(map[string]any)
	p, _ := predicted["stat"].(map[string]any)
	if g["exists"] != true || p == nil {
		return
	}
	for _, k := range []string{"inode", "dev", "atime", "mtime", "ctime"} {
		if v, ok := p[k]; !ok || v != int64(0) && v != float64(0) {
			t.Errorf("predicted %s %v, want 0", k, v)
		}
		if _, ok := g[k]; !ok {
			t.Errorf("%s missing", k)
		}
		delete(g, k)
		delete(p, k)
	}
}

func isUnknown(err error) bool { _, ok := hostq.IsUnknown(err); return ok }

// A recursive change through a link to a folder: in the model, the link
// and the folder have the new mode, and what is under the folder, by
// either name, is known after apply.
func TestFileRecurseModel(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	d := t.TempDir()
	dir, l := d+"/dir", d+"/l"
	mkdir(t, dir+"/sub", 0o700)
	writeFile(t, dir+"/sub/f", "x", 0o600)
	if err := os.Symlink("dir", l); err != nil {
		t.Fatal(err)
	}
	m, task := mkTask(t, "file", map[string]any{"path": l, "state": "directory", "recurse": true, "mode": "0755"})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatalf("plan %v %v", ch, err)
	}
	qs := []hostq.Question{hostq.Accounts{}}
	for _, x := range []string{l, dir, dir + "/sub", l + "/sub"} {
		qs = append(qs, hostq.Path{Path: x}, hostq.Path{Path: x, Follow: true})
	}
	base := askDisk(t, qs)
	model := hostq.NewModel(diskPathInfo(t, "/proc/self", false).Owner)
	model.Apply(base, ch.Effects...)
	lay := hostq.Layer(model, base)
	for _, x := range []string{l, dir} {
		if fi, err := lay.Path(x, true); err != nil || fi.Type != 'd' || fi.Perm != 0o755 {
			t.Errorf("%s: %+v %v", x, fi, err)
		}
	}
	if fi, err := lay.Path(l, false); err != nil || fi.Type != 'l' {
		t.Errorf("the link: %+v %v", fi, err)
	}
	for _, x := range []string{dir + "/sub", l + "/sub"} {
		if fi, err := lay.Path(x, true); !isUnknown(err) {
			t.Errorf("%s: %+v %v, want known after apply", x, fi, err)
		}
	}
}

// Hard links in a check run: a link the model predicts has no inode, so
// the same task again is a change known after apply (the probe's -ef has
// nothing to compare either); the converge that follows plans it once.
func TestFileAskHardModel(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	d := t.TempDir()
	orig, h := d+"/orig", d+"/h"
	writeFile(t, orig, "x", 0o644)
	model := hostq.NewModel(diskPathInfo(t, "/proc/self", false).Owner)
	m, task := mkTask(t, "file", map[string]any{"path": h, "state": "hard", "src": orig, "mode": "0600"})
	qs, err := m.(Asker).Questions(task)
	if err != nil || qs == nil {
		t.Fatalf("questions %v %v", qs, err)
	}
	host := askDisk(t, qs)
	ch, err := m.Plan(task, Output{Answers: hostq.Layer(model, host)})
	if err != nil || ch == nil || !reflect.DeepEqual(diffAttrs(ch), []string{"state", "mode"}) {
		t.Fatalf("plan %v %v", ch, err)
	}
	model.Apply(host, ch.Effects...)
	if again, err := m.Plan(task, Output{Answers: hostq.Layer(model, host)}); !isUnknown(err) {
		t.Errorf("again: %v %v, want known after apply", again, err)
	}
	sm, stask := mkTask(t, "stat", map[string]any{"path": h, "get_checksum": false})
	sq, _ := sm.(Asker).Questions(stask)
	res, err := sm.(Reader).Read(stask, Output{Answers: hostq.Layer(model, askDisk(t, sq))})
	if st, _ := res["stat"].(map[string]any); err != nil || st["mode"] != "0600" || st["isreg"] != true {
		t.Errorf("predicted stat %v %v", res, err)
	}
	if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
		t.Fatal(string(out.Stderr))
	}
	if again, _, _, err := askPlan(t, m, task); again != nil || err != nil {
		t.Errorf("after apply: %v %v", again, err)
	}
}
