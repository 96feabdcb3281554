package modules

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// A testShell is one interpreter every generated script must work under.
type testShell struct {
	name string
	argv []string
	env  []string
	idx  int // its place in shells(), for taking turns
}

// The shell matrix. Every script must work under the three shells, but
// running every converge case under each, with every hostile name,
// triples the package's time (processes, not Go). By default each case
// runs under one shell, the shells taking turns over a test's cases (see
// turnOrder), and with one of the hostile names, taking turns too: every
// shell and every name still runs a share of the tests. TEND_TEST_SHELLS=all
// (make test, which CI runs, sets it) runs the full matrix: every case
// under every shell with every name. Tests that exist to compare the
// shells (the hostq program, the script helpers, hostile names on their
// own) range over shells(t) and always run all three; converge tests use
// matrix(t), sh.turn and sh.caseNames.
var fullMatrix = os.Getenv("TEND_TEST_SHELLS") == "all"

// turnOrder is the order the shells (by idx) take turns in: bash takes
// one turn in five, dash and busybox two each. The package's time is its
// processes, and a script costs about twice as much under bash as under
// dash (a bigger process to fork), three times busybox (whose applets
// often need no process at all).
var turnOrder = []int{0, 1, 2, 0, 1}

// testOffset is where a test starts its turns, so that tests of one or
// two cases do not all go to dash.
func testOffset(t testing.TB) int {
	return int(testHash(t) % uint32(len(turnOrder)))
}

// testHash is a number of the test's own, for taking turns.
func testHash(t testing.TB) uint32 {
	top, _, _ := strings.Cut(t.Name(), "/")
	h := fnv.New32a()
	h.Write([]byte(top))
	return h.Sum32()
}

// matrix is the shells a test without cases runs under: all three in the
// full matrix, else the one whose turn the test is.
func matrix(t testing.TB) []testShell {
	t.Helper()
	return matrixOf(t, shells(t))
}

// matrixOf is matrix from some shells: the three, in turnOrder, or those
// that have a tool the test needs (no bash among them), in turn.
func matrixOf(t testing.TB, shs []testShell) []testShell {
	if fullMatrix || len(shs) == 0 {
		return shs
	}
	i := turnOrder[testOffset(t)]
	if len(shs) != 3 || shs[2].name != "bash" {
		i = int(testHash(t) % 3 % uint32(len(shs)))
	}
	return shs[i : i+1]
}

// turn says whether sh runs case i of the test: always in the full
// matrix; else the shells take turns over the cases, in turnOrder.
func (sh testShell) turn(t testing.TB, i int) bool {
	return fullMatrix || turnOrder[(i+testOffset(t))%len(turnOrder)] == sh.idx
}

// caseNames are the hostile names case i tries under sh: all of
// sh.names() in the full matrix, else one of hostileNames (the folder is
// hostile anyway), in turn over the cases: nine cases try them all, and as
// the five shell turns and the nine names do not line up, the cases a
// shell takes meet them all too.
func (sh testShell) caseNames(t testing.TB, i int) []string {
	if fullMatrix {
		return sh.names()
	}
	return []string{hostileNames[(i+testOffset(t))%len(hostileNames)]}
}

var (
	bbOnce sync.Once
	bbDir  string
	bbErr  error
)

// busyboxBin makes a folder holding only busybox's applets (and sh), so
// that scripts under "busybox" cannot reach GNU tools.
func busyboxBin() (string, error) {
	bbOnce.Do(func() {
		bb, err := exec.LookPath("busybox")
		if err != nil {
			bbErr = fmt.Errorf("busybox not found: apt-get install busybox")
			return
		}
		out, err := exec.Command(bb, "--list").Output()
		if err != nil {
			bbErr = err
			return
		}
		dir, err := os.MkdirTemp("", "tend-busybox-")
		if err != nil {
			bbErr = err
			return
		}
		for _, a := range append(strings.Fields(string(out)), "sh", "busybox") {
			if err := os.Symlink(bb, filepath.Join(dir, a)); err != nil && !errors.Is(err, fs.ErrExist) {
				bbErr = err
				return
			}
		}
		bbDir = dir
	})
	return bbDir, bbErr
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopServers()
	if bbDir != "" {
		os.RemoveAll(bbDir)
	}
	os.Exit(code)
}

func shells(t testing.TB) []testShell {
	t.Helper()
	for _, s := range []string{"dash", "bash"} {
		if _, err := exec.LookPath(s); err != nil {
			t.Fatalf("%s not found: apt-get install dash bash busybox", s)
		}
	}
	bb, err := busyboxBin()
	if err != nil {
		t.Fatal(err)
	}
	base := os.Environ()
	var noPath []string
	for _, e := range base {
		if !strings.HasPrefix(e, "PATH=") {
			noPath = append(noPath, e)
		}
	}
	return []testShell{
		{name: "dash", argv: []string{"dash"}, env: base, idx: 0},
		{name: "busybox", argv: []string{filepath.Join(bb, "sh")}, env: append(noPath, "PATH="+bb), idx: 1},
		{name: "bash", argv: []string{"bash", "--posix"}, env: base, idx: 2},
	}
}

// run runs script as the transport frames it: in a subshell, through eval,
// with stdin from /dev/null, fed to sh on its stdin (see shellServer).
func (sh testShell) run(t testing.TB, script string) Output {
	t.Helper()
	mustParse(t, script)
	s := sh.server(t)
	out, err := s.exec(script)
	if err != nil {
		t.Fatalf("%s: %v", sh.name, err)
	}
	sh.release(s)
	return out
}

// mustParse checks that a script is POSIX sh.
func mustParse(t testing.TB, script string) {
	t.Helper()
	p := syntax.NewParser(syntax.Variant(syntax.LangPOSIX))
	if _, err := p.Parse(strings.NewReader(script), ""); err != nil {
		t.Fatalf("script is not POSIX sh: %v\n%s", err, numbered(script))
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%3d  %s\n", i+1, l)
	}
	return b.String()
}

// mkTask checks raw arguments against the module's spec, as the loader does.
func mkTask(t testing.TB, name string, raw map[string]any) (Module, *Task) {
	t.Helper()
	m, ok := Lookup(name)
	if !ok {
		t.Fatalf("no module %s", name)
	}
	args, errs := m.Spec().Check(raw, false)
	if len(errs) > 0 {
		t.Fatalf("%s %v: %v", name, raw, errs)
	}
	return m, &Task{Args: args, Files: mapFiles{}}
}

// mapFiles is a FileSource for tests; names ending in '/' are folders.
type mapFiles map[string][]byte

func (f mapFiles) ReadFile(name string) ([]byte, error) {
	if strings.HasSuffix(name, "/") || name == "adir" {
		return nil, &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	}
	b, ok := f[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return b, nil
}

// probePlan plans the way the runner does: through the questions of an
// Asker that asks them for these arguments, answered under sh (one more
// round when the plan asks for it), else through the probe.
func probePlan(t testing.TB, sh testShell, m Module, task *Task) (*Change, Output, error) {
	t.Helper()
	a, ok := m.(Asker)
	if !ok {
		return legacyPlan(t, sh, m, task)
	}
	qs, err := a.Questions(task)
	if err != nil || qs == nil {
		if err != nil {
			return nil, Output{}, err
		}
		return legacyPlan(t, sh, m, task)
	}
	answers := shAnswers(t, sh, qs)
	out := Output{Answers: answers}
	ch, err := m.Plan(task, out)
	var more *askMoreError
	if errors.As(err, &more) {
		answers.Merge(shAnswers(t, sh, more.Questions()))
		ch, err = m.Plan(task, out)
	}
	if ch != nil {
		mustParse(t, ch.Apply)
	}
	return ch, out, err
}

// legacyPlan runs the probe and plans, whether or not the runner would
// ask questions instead (to compare the two).
func legacyPlan(t testing.TB, sh testShell, m Module, task *Task) (*Change, Output, error) {
	t.Helper()
	script, err := m.Probe(task)
	if err != nil {
		return nil, Output{}, err
	}
	var out Output
	if script != "" {
		out = sh.run(t, script)
		if out.ExitCode != 0 {
			t.Fatalf("%s: probe failed (%d): %s\n%s", sh.name, out.ExitCode, out.Stderr, numbered(script))
		}
	}
	ch, err := m.Plan(task, out)
	if ch != nil {
		mustParse(t, ch.Apply)
	}
	return ch, out, err
}

// converge runs probe, plan (which must find a change), apply and result,
// then checks that the host conforms: a second probe plans nothing, and
// running the same Apply again changes nothing either.
func converge(t testing.TB, sh testShell, m Module, task *Task) (*Change, Result) {
	t.Helper()
	ch, _, err := probePlan(t, sh, m, task)
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
			t.Fatalf("%s: result: %v\nstdout: %q", sh.name, err, out.Stdout)
		}
		if res["failed"] == true {
			t.Fatalf("%s: result failed: %v", sh.name, res)
		}
	}
	settled(t, sh, m, task)
	again := sh.run(t, ch.Apply)
	if again.ExitCode != 0 {
		t.Fatalf("%s: second apply failed (%d): %s", sh.name, again.ExitCode, again.Stderr)
	}
	settled(t, sh, m, task)
	return ch, res
}

// settled checks that Plan finds nothing to do, and that Read or Report
// works.
func settled(t testing.TB, sh testShell, m Module, task *Task) Result {
	t.Helper()
	ch, out, err := probePlan(t, sh, m, task)
	if err != nil {
		t.Fatalf("%s: plan after apply: %v", sh.name, err)
	}
	if ch != nil {
		t.Fatalf("%s: not idempotent: plan after apply wants %v\n%s", sh.name, ch.Diffs, numbered(ch.Apply))
	}
	var res Result
	switch r := m.(type) {
	case Reader:
		res, err = r.Read(task, out)
	case Reporter:
		res, err = r.Report(task, out)
	default:
		return nil
	}
	if err != nil {
		t.Fatalf("%s: read/report: %v", sh.name, err)
	}
	if res["changed"] != false {
		t.Fatalf("%s: read/report says changed: %v", sh.name, res)
	}
	return res
}

// planErr probes and plans, and expects an error containing want.
func planErr(t testing.TB, sh testShell, m Module, task *Task, want string) {
	t.Helper()
	ch, _, err := probePlan(t, sh, m, task)
	if err == nil {
		t.Fatalf("%s: plan: no error, want %q (change: %v)", sh.name, want, ch)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: plan: %v, want %q", sh.name, err, want)
	}
}

// hostileDir is a fresh folder whose path is full of characters that
// break careless scripts.
func hostileDir(t testing.TB) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "we ird $HOME `id` $(id) 'q' \"d\" \\ \n nl *?[a] -x")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// hostileNames are file names to try in it.
var hostileNames = []string{"plain", "-rf", "with space", "it's", "$(touch pwned)", "back`id`tick", "new\nline", "glob*?[x]", "trailing\n"}

// names are the hostile names to try under a shell: all of them under dash
// and busybox, a few under bash (which is slow to start, and reads scripts
// as dash does in the cases that matter; the folder is hostile anyway).
func (sh testShell) names() []string {
	if sh.name == "bash" {
		return []string{"-rf", "it's", "new\nline"}
	}
	return hostileNames
}

func isRoot() bool { return os.Geteuid() == 0 }

func needRoot(t testing.TB) {
	t.Helper()
	if !isRoot() {
		t.Skip("needs root to chown")
	}
}

func perm(t testing.TB, p string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func owner(t testing.TB, p string) (int, int) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t testing.TB, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// noLeftovers checks that no temporary file was left in dir.
func noLeftovers(t testing.TB, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tend-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// noPwned checks that no hostile name ran as a command.
func noPwned(t testing.TB) {
	t.Helper()
	if _, err := os.Stat("pwned"); err == nil {
		os.Remove("pwned")
		t.Fatal("a file name ran as a command")
	}
}

func diffAttrs(ch *Change) []string {
	var out []string
	for _, d := range ch.Diffs {
		out = append(out, d.Attr)
	}
	return out
}

func hasDiff(ch *Change, attr, before, after string) bool {
	for _, d := range ch.Diffs {
		if d.Attr == attr && d.Before == before && d.After == after {
			return true
		}
	}
	return false
}
