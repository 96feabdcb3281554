package modules

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tend/modules/hostq"
)

// localAnswers answers questions about this machine in Go (stat, read,
// the account files), as the answering program does on a host. Until that
// program is on main, it is what the questions side of a module is tested
// against, beside the probe scripts run under real shells.
func localAnswers(t testing.TB, qs []hostq.Question) *hostq.Set {
	t.Helper()
	passwd, _ := os.ReadFile("/etc/passwd")
	group, _ := os.ReadFile("/etc/group")
	db := hostq.ParseAccounts(passwd, group)
	set := hostq.NewSet()
	for _, q := range qs {
		switch q := q.(type) {
		case hostq.Path:
			set.SetPath(q.Path, q.Follow, localPathInfo(q.Path, q.Follow, db))
		case hostq.Content:
			localContent(set, q.Path)
		case hostq.Digest:
			localContent(set, q.Path)
		case hostq.Umask:
			out, err := exec.Command("sh", "-c", "umask").Output()
			if err != nil {
				t.Fatal(err)
			}
			u, err := strconv.ParseUint(strings.TrimSpace(string(out)), 8, 32)
			if err != nil {
				t.Fatal(err)
			}
			set.SetUmask(uint32(u))
		case hostq.Accounts:
			set.SetAccounts(db)
		case hostq.Empty:
			ents, err := os.ReadDir(q.Path)
			set.SetEmpty(q.Path, err == nil && len(ents) == 0)
		case hostq.Command:
			_, err := exec.LookPath(q.Name)
			set.SetCommand(q.Name, err == nil)
		default:
			t.Fatalf("no local answer for %#v", q)
		}
	}
	return set
}

func localPathInfo(p string, follow bool, db *hostq.AccountDB) hostq.PathInfo {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	fi, err := stat(p)
	if err != nil {
		return hostq.PathInfo{}
	}
	st := fi.Sys().(*syscall.Stat_t)
	pi := hostq.PathInfo{
		Exists: true, Type: '-', Perm: st.Mode & 0o7777, Nlink: int64(st.Nlink),
		UID: strconv.Itoa(int(st.Uid)), GID: strconv.Itoa(int(st.Gid)), Size: st.Size,
	}
	switch m := fi.Mode(); {
	case m.IsDir():
		pi.Type = 'd'
	case m&fs.ModeSymlink != 0:
		pi.Type = 'l'
		pi.Target, _ = os.Readlink(p)
	case m&fs.ModeCharDevice != 0:
		pi.Type = 'c'
	case m&fs.ModeDevice != 0:
		pi.Type = 'b'
	case m&fs.ModeNamedPipe != 0:
		pi.Type = 'p'
	case m&fs.ModeSocket != 0:
		pi.Type = 's'
	}
	if pi.Type != '-' && pi.Type != 'd' && pi.Type != 'l' {
		pi.Size = 0 // as tend_stat: only files, folders and links have one
	}
	pi.Owner, pi.Group = pi.UID, pi.GID
	for _, u := range db.Users {
		if u.UID == pi.UID {
			pi.Owner = u.Name
			break
		}
	}
	for _, g := range db.Groups {
		if g.GID == pi.GID {
			pi.Group = g.Name
			break
		}
	}
	return pi
}

func localContent(set *hostq.Set, p string) {
	p = path.Clean(p)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		if b, err := os.ReadFile(p); err == nil {
			set.SetContent(p, b)
			return
		}
	}
	set.SetError(hostq.Content{Path: p}, hostq.ErrNoContent)
	set.SetError(hostq.Digest{Path: p}, hostq.ErrNoContent)
}

// askedOf returns the questions of an Asker's task, failing when the
// module keeps its probe for these arguments.
func askedOf(t testing.TB, m Module, task *Task) ([]hostq.Question, error) {
	t.Helper()
	a, ok := m.(Asker)
	if !ok {
		t.Fatalf("%T is not an Asker", m)
	}
	qs, err := a.Questions(task)
	if err == nil && qs == nil {
		t.Fatalf("%T: no questions for %v", m, task.Args)
	}
	return qs, err
}

// planAsked plans through questions answered from this machine (layered
// under model when there is one).
func planAsked(t testing.TB, m Module, task *Task, model *hostq.Model) (*Change, Output, error) {
	t.Helper()
	qs, err := askedOf(t, m, task)
	if err != nil {
		return nil, Output{}, err
	}
	out := Output{Answers: hostq.Layer(model, localAnswers(t, qs))}
	ch, err := m.Plan(task, out)
	if ch != nil {
		mustParse(t, ch.Apply)
	}
	return ch, out, err
}

var tempNames = regexp.MustCompile(`\.tend-[0-9a-f]{12}\.tmp`)

// sameChange checks that the probe's plan and the questions' plan are the
// same change: diffs, and apply but for its random temporary names. A
// checksum diff may say the old digest where the probe did not read it.
func sameChange(t testing.TB, legacy, asked *Change, lerr, aerr error) {
	t.Helper()
	if (lerr == nil) != (aerr == nil) || lerr != nil && lerr.Error() != aerr.Error() {
		t.Fatalf("errors differ: probe %v, questions %v", lerr, aerr)
	}
	if (legacy == nil) != (asked == nil) {
		t.Fatalf("changes differ: probe %v, questions %v", legacy, asked)
	}
	if legacy == nil {
		return
	}
	norm := func(ds []Diff) []Diff {
		out := append([]Diff(nil), ds...)
		for i, d := range out {
			if d.Attr == "checksum" {
				out[i].Before, _, _ = strings.Cut(d.Before, ",")
			}
		}
		return out
	}
	if l, a := norm(legacy.Diffs), norm(asked.Diffs); !reflect.DeepEqual(l, a) {
		t.Errorf("diffs differ:\nprobe     %q\nquestions %q", l, a)
	}
	l, a := tempNames.ReplaceAllString(legacy.Apply, "TEMP"), tempNames.ReplaceAllString(asked.Apply, "TEMP")
	if l != a {
		t.Errorf("applies differ:\nprobe\n%s\nquestions\n%s", numbered(l), numbered(a))
	}
}

// bothWays plans through the probe (under sh) and through questions, on
// the same host, and checks that they agree. It returns the questions'
// plan.
func bothWays(t testing.TB, sh testShell, m Module, task *Task) (*Change, error) {
	t.Helper()
	legacy, _, lerr := probePlan(t, sh, m, task)
	asked, _, aerr := planAsked(t, m, task, nil)
	sameChange(t, legacy, asked, lerr, aerr)
	return asked, aerr
}

// convergeAsked is converge through questions: plan (the same as the
// probe's), apply, result; then the host conforms (nothing to plan, twice)
// and the change's effects predicted what the host now holds.
func convergeAsked(t testing.TB, sh testShell, m Module, task *Task) (*Change, Result) {
	t.Helper()
	ch, err := bothWays(t, sh, m, task)
	if err != nil {
		t.Fatalf("%s: plan: %v", sh.name, err)
	}
	if ch == nil {
		t.Fatalf("%s: plan found nothing to change", sh.name)
	}
	qs, _ := askedOf(t, m, task)
	before := localAnswers(t, qs)
	out := sh.run(t, ch.Apply)
	if out.ExitCode != 0 {
		t.Fatalf("%s: apply failed (%d): %s\n%s", sh.name, out.ExitCode, out.Stderr, numbered(ch.Apply))
	}
	var res Result
	if ch.Result != nil {
		if res, err = ch.Result(out); err != nil {
			t.Fatalf("%s: result: %v", sh.name, err)
		}
		if res["failed"] == true {
			t.Fatalf("%s: result failed: %v", sh.name, res)
		}
	}
	effectsHold(t, before, ch.Effects)
	settledAsked(t, m, task)
	if again := sh.run(t, ch.Apply); again.ExitCode != 0 {
		t.Fatalf("%s: second apply failed (%d): %s", sh.name, again.ExitCode, again.Stderr)
	}
	settledAsked(t, m, task)
	return ch, res
}

// settledAsked checks that questions find nothing to do, and that Report
// says so.
func settledAsked(t testing.TB, m Module, task *Task) Result {
	t.Helper()
	ch, out, err := planAsked(t, m, task, nil)
	if err != nil {
		t.Fatalf("plan after apply: %v", err)
	}
	if ch != nil {
		t.Fatalf("not idempotent: plan after apply wants %v", ch.Diffs)
	}
	r, ok := m.(Reporter)
	if !ok {
		return nil
	}
	res, err := r.Report(task, out)
	if err != nil || res["changed"] != false {
		t.Fatalf("report: %v %v", res, err)
	}
	return res
}

// effectsHold checks that a model given the effects (over the answers from
// before the apply) says what the host says now about every path they
// name: type, mode, owner, group and content.
func effectsHold(t testing.TB, before hostq.Answers, effects []hostq.Effect) {
	t.Helper()
	if len(effects) == 0 {
		t.Fatal("a change without effects")
	}
	model := hostq.NewModel("root")
	model.Apply(before, effects...)
	predicted := hostq.Layer(model, before)
	var paths []string
	for _, e := range effects {
		switch e := e.(type) {
		case hostq.WriteFile:
			paths = append(paths, e.Path)
		case hostq.MakeDir:
			paths = append(paths, e.Path)
		case hostq.Attrs:
			paths = append(paths, e.Path)
		default:
			t.Fatalf("unexpected effect %#v", e)
		}
	}
	var qs []hostq.Question
	for _, p := range paths {
		qs = append(qs, hostq.Path{Path: p, Follow: true}, hostq.Content{Path: p})
	}
	now := localAnswers(t, qs)
	for _, p := range paths {
		want, _ := now.Path(p, true)
		got, err := predicted.Path(p, true)
		if err != nil {
			t.Fatalf("%s: model: %v", p, err)
		}
		if got.Exists != want.Exists || got.Type != want.Type || got.Perm != want.Perm || got.Owner != want.Owner || got.Group != want.Group {
			t.Errorf("%s: model says %+v, host %+v", p, got, want)
		}
		if want.Type != '-' {
			continue
		}
		wc, _ := now.Content(p)
		gc, err := predicted.Content(p)
		if err != nil && !errors.Is(err, hostq.ErrTooBig) || string(gc) != string(wc) {
			t.Errorf("%s: model content %q (%v), host %q", p, trunc(gc), err, trunc(wc))
		}
	}
}
