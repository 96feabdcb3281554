package modules

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"tend/modules/hostq"
)

// shAnswers answers questions as a host does: the answering program run
// under the test shell, its output parsed.
func shAnswers(t testing.TB, sh testShell, qs []hostq.Question) *hostq.Set {
	t.Helper()
	p := hostq.Compile(qs)
	out := sh.run(t, p.Script())
	set, err := p.Parse(out.Stdout, out.Stderr, out.ExitCode)
	if err != nil {
		t.Fatalf("%s: answers: %v", sh.name, err)
	}
	return set
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

// planAsked plans through questions answered by the program under sh
// (layered under model when there is one).
func planAsked(t testing.TB, sh testShell, m Module, task *Task, model *hostq.Model) (*Change, Output, error) {
	t.Helper()
	qs, err := askedOf(t, m, task)
	if err != nil {
		return nil, Output{}, err
	}
	out := Output{Answers: hostq.Layer(model, shAnswers(t, sh, qs))}
	ch, err := m.Plan(task, out)
	if ch != nil {
		mustParse(t, ch.Apply)
	}
	return ch, out, err
}

// sameAsProbe checks that the probe's plan and the questions' plan are the
// same change: diffs, and apply but for its random temporary names. A
// checksum diff may say the old digest where the probe did not read it.
func sameAsProbe(t testing.TB, legacy, asked *Change, lerr, aerr error) {
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

// bothWays plans through questions and, for a module that keeps a probe
// for other arguments (the two share Plan), through the probe too (under
// sh, on the same host), and checks that they agree. It returns the
// questions' plan.
func bothWays(t testing.TB, sh testShell, m Module, task *Task) (*Change, error) {
	t.Helper()
	ch, _, err := planBoth(t, sh, m, task)
	return ch, err
}

// planBoth is bothWays, with the answers the plan was made from.
func planBoth(t testing.TB, sh testShell, m Module, task *Task) (*Change, hostq.Answers, error) {
	t.Helper()
	asked, out, aerr := planAsked(t, sh, m, task, nil)
	if _, err := m.Probe(task); errors.Is(err, errAsksOnly) {
		return asked, out.Answers, aerr
	}
	legacy, _, lerr := legacyPlan(t, sh, m, task)
	sameAsProbe(t, legacy, asked, lerr, aerr)
	return asked, out.Answers, aerr
}

// convergeAsked is converge through questions: plan (the same as the
// probe's), apply, result; then the host conforms (nothing to plan, twice)
// and the change's effects predicted what the host now holds.
func convergeAsked(t testing.TB, sh testShell, m Module, task *Task) (*Change, Result) {
	t.Helper()
	ch, before, err := planBoth(t, sh, m, task)
	if err != nil {
		t.Fatalf("%s: plan: %v", sh.name, err)
	}
	if ch == nil {
		t.Fatalf("%s: plan found nothing to change", sh.name)
	}
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
	effectsHold(t, sh, before, ch.Effects)
	settledAsked(t, sh, m, task)
	if again := sh.run(t, ch.Apply); again.ExitCode != 0 {
		t.Fatalf("%s: second apply failed (%d): %s", sh.name, again.ExitCode, again.Stderr)
	}
	settledAsked(t, sh, m, task)
	return ch, res
}

// settledAsked checks that questions find nothing to do, and that Report
// says so.
func settledAsked(t testing.TB, sh testShell, m Module, task *Task) Result {
	t.Helper()
	ch, out, err := planAsked(t, sh, m, task, nil)
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
func effectsHold(t testing.TB, sh testShell, before hostq.Answers, effects []hostq.Effect) {
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
	now := shAnswers(t, sh, qs)
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
			t.Errorf("%s: model content %.80q (%v), host %.80q", p, gc, err, wc)
		}
	}
}
