package modules

import (
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"tend/modules/hostq"
)

// acctStep is one user or group task.
type acctStep struct {
	module string
	args   map[string]any
}

// acctModules are the module on root (for the probe and apply) and the
// same on the host's / (for Questions, which leaves roots to the probe).
func acctModules(st acctStep, root, backend string) (onRoot, onHost Module) {
	env := acctEnv{root: root, lockTries: 2}
	if st.module == "group" {
		return groupModule{env: env, backend: backend}, groupModule{backend: backend}
	}
	return userModule{env: env, backend: backend}, userModule{backend: backend}
}

// acctAsk plans a task through questions answered from root, asking once
// more when the plan needs an answer it could not foresee.
func acctAsk(t *testing.T, st acctStep, root, backend string, tools []string) (*Change, hostq.Answers, error) {
	t.Helper()
	m, host := acctModules(st, root, backend)
	_, task := mkTask(t, st.module, st.args)
	qs, err := host.(Asker).Questions(task)
	if err != nil || qs == nil {
		t.Fatalf("%v: questions %v, %v", st.args, qs, err)
	}
	answers := acctDirAnswers(t, root, qs, tools...)
	ch, err := m.Plan(task, Output{Answers: answers})
	var more *askMoreError
	if errors.As(err, &more) {
		if !errors.Is(err, hostq.ErrNotAsked) {
			t.Errorf("%v: %v does not wrap ErrNotAsked", st.args, err)
		}
		answers.Merge(acctDirAnswers(t, root, more.Questions(), tools...))
		ch, err = m.Plan(task, Output{Answers: answers})
	}
	return ch, answers, err
}

// acctSame plans a task through the probe and through questions, and
// fails unless both say the same: the same diffs, apply, effects and
// report, or the same error.
func acctSame(t *testing.T, sh testShell, st acctStep, root, backend string, tools []string) (*Change, hostq.Answers) {
	t.Helper()
	m, _ := acctModules(st, root, backend)
	_, task := mkTask(t, st.module, st.args)
	legacy, probe, errL := legacyPlan(t, sh, m, task)
	asked, answers, errA := acctAsk(t, st, root, backend, tools)
	if errL != nil || errA != nil {
		if errL == nil || errA == nil || errL.Error() != errA.Error() {
			t.Fatalf("%v: probe: %v; questions: %v", st.args, errL, errA)
		}
		return nil, answers
	}
	if (legacy == nil) != (asked == nil) {
		t.Fatalf("%v: probe plans %v, questions %v", st.args, legacy, asked)
	}
	if legacy == nil {
		rl, err1 := m.(Reporter).Report(task, probe)
		ra, err2 := m.(Reporter).Report(task, Output{Answers: answers})
		if err1 != nil || err2 != nil || !reflect.DeepEqual(rl, ra) {
			t.Errorf("%v: reports differ:\n%v %v\n%v %v", st.args, rl, err1, ra, err2)
		}
		return nil, answers
	}
	if !reflect.DeepEqual(legacy.Diffs, asked.Diffs) {
		t.Errorf("%v: diffs differ:\nprobe:     %v\nquestions: %v", st.args, legacy.Diffs, asked.Diffs)
	}
	if legacy.Apply != asked.Apply || legacy.CheckUnknown != asked.CheckUnknown {
		t.Errorf("%v: applies differ:\n%s\n%s", st.args, legacy.Apply, asked.Apply)
	}
	if !reflect.DeepEqual(legacy.Effects, asked.Effects) {
		t.Errorf("%v: effects differ:\nprobe:     %#v\nquestions: %#v", st.args, legacy.Effects, asked.Effects)
	}
	return asked, answers
}

// acctModelMatches checks that what a change's effects predict is what
// its apply did: the databases (members as sets: tools order them their
// own way) and the homes the effects make. after, when not nil, holds the
// databases as read after the apply (else they are read here).
func acctModelMatches(t *testing.T, st acctStep, before hostq.Answers, fx []hostq.Effect, root string, after hostq.Answers) {
	t.Helper()
	m := hostq.NewModel("root")
	m.Apply(before, fx...)
	layer := hostq.Layer(m, before)
	predicted, err := layer.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	if after == nil {
		after = acctDirAnswers(t, root, []hostq.Question{hostq.Accounts{}})
	}
	real, err := after.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	norm := func(db *hostq.AccountDB) ([]hostq.User, []string) {
		var gs []string
		for _, g := range db.Groups {
			ms := append([]string(nil), g.Members...)
			sort.Strings(ms)
			gs = append(gs, g.Name+":"+g.GID+":"+strings.Join(ms, ","))
		}
		us := append([]hostq.User(nil), db.Users...)
		sort.Slice(us, func(i, j int) bool { return us[i].Name < us[j].Name })
		sort.Strings(gs)
		return us, gs
	}
	pu, pg := norm(predicted)
	ru, rg := norm(real)
	if !reflect.DeepEqual(pu, ru) {
		t.Errorf("%v: users predicted\n%v\nare\n%v", st.args, pu, ru)
	}
	if !reflect.DeepEqual(pg, rg) {
		t.Errorf("%v: groups predicted\n%v\nare\n%v", st.args, pg, rg)
	}
	for _, e := range fx {
		d, ok := e.(hostq.MakeDir)
		if !ok {
			continue
		}
		want, err := layer.Path(d.Path, true)
		got := acctPathInfo(filepath.Join(root, d.Path), true, real)
		if err != nil || want.Type != got.Type || want.Perm != got.Perm || want.UID != got.UID || want.GID != got.GID {
			t.Errorf("%v: %s predicted %+v (%v), is %+v", st.args, d.Path, want, err, got)
		}
	}
}

// acctSteps cover adding, changing and removing users and groups.
var acctSteps = []acctStep{
	{"user", map[string]any{"name": "bob", "comment": "Bob B", "groups": "wheel,audio"}},
	{"user", map[string]any{"name": "bob", "uid": 1500, "shell": "/bin/bash", "groups": "audio,users"}},
	{"user", map[string]any{"name": "bob", "groups": "wheel", "append": true}},
	{"user", map[string]any{"name": "sys1", "system": true, "create_home": false}},
	{"user", map[string]any{"name": "carl", "group": "users", "home": "/srv/carl", "shell": "/bin/sh"}},
	{"user", map[string]any{"name": "carl", "groups": "wheel", "append": true, "comment": "C"}},
	{"group", map[string]any{"name": "devs"}},
	{"group", map[string]any{"name": "devs", "gid": 2000}},
	{"group", map[string]any{"name": "sysg", "system": true}},
	{"user", map[string]any{"name": "dave", "uid": 1500, "non_unique": true, "home": "/home/dave"}},
	{"user", map[string]any{"name": "erin", "group": "devs", "groups": "sysg"}},
	{"user", map[string]any{"name": "alice"}},
	{"user", map[string]any{"name": "daemon", "shell": "/bin/false", "create_home": false}},
	{"user", map[string]any{"name": "audio", "create_home": false}},
	{"user", map[string]any{"name": "bob", "groups": []any{}}},
	{"user", map[string]any{"name": "bob", "state": "absent", "remove": true}},
	{"user", map[string]any{"name": "erin", "state": "absent"}},
	{"group", map[string]any{"name": "devs", "state": "absent"}},
}

// The same tasks planned through the probe and through questions answered
// from the same host agree, step after step of a converge (files
// backend); and what each change's effects predict is what its apply did.
func TestAcctQuestionsMatchProbe(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	steps := append(acctSteps,
		// The home is neither the one asked for nor /home/NAME: asked
		// in a second round.
		acctStep{"user", map[string]any{"name": "daemon", "comment": "d"}},
		acctStep{"user", map[string]any{"name": "alice", "home": "/srv/users/alice", "move_home": true}},
		acctStep{"user", map[string]any{"name": "alice", "state": "absent", "remove": true}},
	)
	for _, st := range steps {
		ch, before := acctSame(t, sh, st, root, "files", nil)
		if ch == nil {
			continue // alice is as asked
		}
		if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
			t.Fatalf("%v: apply: %s", st.args, out.Stderr)
		}
		again, after := acctSame(t, sh, st, root, "files", nil)
		if again != nil {
			t.Fatalf("%v: not idempotent: %v", st.args, again.Diffs)
		}
		acctModelMatches(t, st, before, ch.Effects, root, after)
	}
	// Errors are the same errors.
	for _, st := range []acctStep{
		{"user", map[string]any{"name": "newbie", "uid": 0}},
		{"user", map[string]any{"name": "daemon", "home": "/var/mail", "move_home": true}},
		{"group", map[string]any{"name": "newg", "gid": 10}},
		{"group", map[string]any{"name": "root", "state": "absent"}},
	} {
		if ch, _ := acctSame(t, sh, st, root, "files", nil); ch != nil {
			t.Errorf("%v: planned %v", st.args, ch.Diffs)
		}
	}
}

// Through shadow's tools (run for real on a root, with --prefix) the ids
// the effects predict are the ones useradd and groupadd pick.
func TestAcctShadowPredictions(t *testing.T) {
	t.Parallel()
	needRoot(t)
	for _, c := range []string{"useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s not found", c)
		}
	}
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	if err := exec.Command("cp", "-R", "-p", "/etc/skel/.", filepath.Join(root, "etc/skel")).Run(); err != nil {
		t.Fatal(err)
	}
	for _, st := range acctSteps {
		ch, before := acctSame(t, sh, st, root, "shadow", acctTools)
		if ch == nil {
			continue
		}
		if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
			t.Fatalf("%v: apply: %s", st.args, out.Stderr)
		}
		acctModelMatches(t, st, before, ch.Effects, root, nil)
	}
}

// The busybox backend's scripts are only read (its tools are not here):
// planned through the probe and through questions, they are the same.
func TestAcctBusyboxQuestionsMatchProbe(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	for _, st := range acctSteps {
		if st.args["state"] == "absent" || st.args["gid"] != nil || st.args["name"] == "erin" {
			continue // needs an earlier step applied
		}
		acctSame(t, sh, st, root, "busybox", []string{"adduser", "deluser", "addgroup", "delgroup"})
	}
}

// What the probe keeps: a password (compared on the host), aging, an SSH
// key, another root.
func TestAcctQuestionsLeaveToProbe(t *testing.T) {
	t.Parallel()
	for _, args := range []map[string]any{
		{"name": "bob", "password": hashA},
		{"name": "bob", "expires": 1},
		{"name": "bob", "password_lock": true},
		{"name": "bob", "password_expire_max": 9},
		{"name": "bob", "generate_ssh_key": true},
	} {
		_, task := mkTask(t, "user", args)
		if qs, err := (userModule{}).Questions(task); qs != nil || err != nil {
			t.Errorf("%v: %v %v", args, qs, err)
		}
	}
	_, task := mkTask(t, "user", map[string]any{"name": "bob", "generate_ssh_key": true, "state": "absent"})
	if qs, _ := (userModule{}).Questions(task); qs == nil {
		t.Error("state=absent ignores generate_ssh_key: no probe needed")
	}
	_, task = mkTask(t, "user", map[string]any{"name": "bob"})
	if qs, _ := (userModule{env: acctEnv{root: "/x"}}).Questions(task); qs != nil {
		t.Errorf("a root: %v", qs)
	}
	_, task = mkTask(t, "group", map[string]any{"name": "g"})
	if qs, _ := (groupModule{env: acctEnv{root: "/x"}}).Questions(task); qs != nil {
		t.Errorf("a root: %v", qs)
	}
	_, task = mkTask(t, "user", map[string]any{"name": "-x"})
	if _, err := (userModule{}).Questions(task); err == nil {
		t.Error("a bad name asks questions")
	}
}
