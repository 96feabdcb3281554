package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tend/modules/hostq"
)

// More cases of one file through questions: the plans, and the effects
// say what the host holds after.
func TestCopyQuestionsMore(t *testing.T) {
	t.Parallel()
	sh := shells(t)[1] // busybox
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")

	// force=no: an existing file is left as it is.
	writeFile(t, p, "mine", 0o644)
	m, task := mkTask(t, "copy", map[string]any{"dest": p, "content": "theirs", "force": false, "mode": "0600"})
	if ch, err := bothWays(t, sh, m, task); ch != nil || err != nil {
		t.Fatalf("force=no on a file: %v %v", ch, err)
	}
	if res := settledAsked(t, sh, m, task); res["msg"] != "file already exists" {
		t.Errorf("report %v", res)
	}
	qs, _ := askedOf(t, m, task)
	for _, q := range qs {
		if _, ok := q.(hostq.Content); ok {
			t.Errorf("force=no asks for the content: %v", qs)
		}
	}
	os.Remove(p)
	convergeAsked(t, sh, m, task)

	// Mode only: the file keeps its inode.
	writeFile(t, p, "same", 0o644)
	before := inode(t, p)
	m, task = mkTask(t, "copy", map[string]any{"dest": p, "content": "same", "mode": "0600"})
	ch, _ := convergeAsked(t, sh, m, task)
	if inode(t, p) != before {
		t.Error("rewritten for a mode change")
	}
	if _, ok := ch.Effects[0].(hostq.Attrs); !ok || len(ch.Effects) != 1 {
		t.Errorf("effects %#v", ch.Effects)
	}

	// A content diff, with both texts.
	writeFile(t, p, "a\nb\n", 0o644)
	m, task = mkTask(t, "copy", map[string]any{"dest": p, "content": "a\nc\n"})
	ch, _ = bothWays(t, sh, m, task)
	if !hasDiff(ch, "content", "a\nb\n", "a\nc\n") {
		t.Errorf("diffs %v", ch.Diffs)
	}

	// The errors Ansible gives.
	sub := filepath.Join(dir, "sub")
	mkdir(t, sub, 0o755)
	mkdir(t, sub+"/motd", 0o755)
	for _, args := range []map[string]any{
		{"dest": sub, "content": "x"},
		{"dest": dir + "/no/such/file", "content": "x"},
		{"dest": sub, "src": "motd"},
		{"dest": dir + "/f", "src": "missing"},
		{"dest": dir + "/f", "content": "x", "validate": "visudo -c"},
	} {
		m, task := mkTask(t, "copy", args)
		task.Files = mapFiles{"motd": []byte("x")}
		if _, err := bothWays(t, sh, m, task); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// Files larger than the content limit are compared by digest, under each
// shell's tools.
func TestCopyQuestionsLargeFile(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		// busybox's sha1sum prints a name with a newline as it is, which
		// the answering program cannot split yet: no newline under it.
		dir := t.TempDir()
		if sh.name != "busybox" {
			dir = hostileDir(t)
		}
		p := filepath.Join(dir, "f")
		big := bigText(hostq.ContentLimit+1000, 'a')
		writeFile(t, p, big, 0o644)
		m, task := mkTask(t, "copy", map[string]any{"dest": p, "content": big})
		if ch, err := bothWays(t, sh, m, task); ch != nil || err != nil {
			t.Fatalf("%s: same big file: %v %v", sh.name, ch, err)
		}
		m, task = mkTask(t, "copy", map[string]any{"dest": p, "content": bigText(hostq.ContentLimit+1000, 'b')})
		ch, _ := convergeAsked(t, sh, m, task)
		if !reflect.DeepEqual(diffAttrs(ch), []string{"checksum"}) || !strings.Contains(ch.Diffs[0].Before, ", sha1:") {
			t.Errorf("%s: diffs %q", sh.name, ch.Diffs)
		}
	}
}

// remote_src and a folder as src keep their probe scripts.
func TestCopyQuestionsLeaveTheRestToTheProbe(t *testing.T) {
	t.Parallel()
	ctl := t.TempDir()
	mkdir(t, filepath.Join(ctl, "d"), 0o755)
	writeFile(t, filepath.Join(ctl, "d", "f"), "x", 0o644)
	for _, args := range []map[string]any{
		{"dest": "/x", "src": "/etc/hosts", "remote_src": true},
		{"dest": "/x/", "src": "d/"},
		{"dest": "/x", "src": "d"},
	} {
		m, task := mkTask(t, "copy", args)
		task.Files = dirFiles(ctl)
		qs, err := m.(Asker).Questions(task)
		if qs != nil || err != nil {
			t.Errorf("%v: questions %v %v", args, qs, err)
		}
	}
}

// checkRun plans tasks one after the other as a check run does: each
// task's answers come from the model of what the ones before would have
// done (the host itself is never changed), and its effects go into it.
type checkRun struct {
	t     *testing.T
	sh    testShell
	model *hostq.Model
}

func (r checkRun) plan(name string, args map[string]any) (*Change, error) {
	r.t.Helper()
	m, task := mkTask(r.t, name, args)
	task.Files = mapFiles{"motd": []byte("welcome\n")}
	qs, err := askedOf(r.t, m, task)
	if err != nil {
		return nil, err
	}
	host := shAnswers(r.t, r.sh, qs)
	ch, err := m.Plan(task, Output{Answers: hostq.Layer(r.model, host)})
	if ch != nil {
		mustParse(r.t, ch.Apply)
		r.model.Cause = name
		r.model.Apply(host, ch.Effects...)
	}
	return ch, err
}

func (r checkRun) mustPlan(name string, args map[string]any) *Change {
	r.t.Helper()
	ch, err := r.plan(name, args)
	if err != nil {
		r.t.Fatalf("%s %v: %v", name, args, err)
	}
	return ch
}

func contentDiff(ch *Change) *Diff {
	for i := range ch.Diffs {
		if ch.Diffs[i].Attr == "content" {
			return &ch.Diffs[i]
		}
	}
	return nil
}

func TestCopyIntoAFolderAnEarlierTaskMakes(t *testing.T) {
	t.Parallel()
	dir := hostileDir(t)
	d := filepath.Join(dir, "conf.d")
	// Without the model: the folder is missing.
	r := checkRun{t, shells(t)[1], hostq.NewModel("root")}
	if _, err := r.plan("copy", map[string]any{"dest": d + "/a", "content": "x\n"}); err == nil || !strings.Contains(err.Error(), "Destination directory") {
		t.Fatalf("error %v", err)
	}
	// file state=directory, then copies into the folder.
	if ch := r.mustPlan("file", map[string]any{"path": d, "state": "directory"}); ch == nil {
		t.Fatal("file plans nothing")
	}
	ch := r.mustPlan("copy", map[string]any{"dest": d + "/a", "content": "x\n", "mode": "0600"})
	if ch == nil || !hasDiff(ch, "state", "absent", "file") || !hasDiff(ch, "content", "", "x\n") {
		t.Fatalf("copy into the new folder: %v", ch)
	}
	ch = r.mustPlan("copy", map[string]any{"dest": d, "src": "motd"})
	if ch == nil || !hasDiff(ch, "state", "absent", "file") || ch.Diffs[0].Path != d+"/motd" {
		t.Fatalf("src into the new folder: %v", ch)
	}
	// The same copy again: the model has it.
	if ch := r.mustPlan("copy", map[string]any{"dest": d + "/a", "content": "x\n", "mode": "0600"}); ch != nil {
		t.Errorf("again: %v", ch.Diffs)
	}
	if ch := r.mustPlan("copy", map[string]any{"dest": d + "/a", "content": "y\n", "mode": "0600"}); ch == nil || !hasDiff(ch, "content", "x\n", "y\n") {
		t.Errorf("other content: %v", ch)
	}
	// A dest ending in '/' makes the folders; a copy into them after sees them.
	ch = r.mustPlan("copy", map[string]any{"dest": dir + "/a/b/", "src": "motd", "directory_mode": "0700"})
	if len(ch.Effects) != 3 {
		t.Fatalf("effects %#v", ch.Effects)
	}
	if mk, ok := ch.Effects[0].(hostq.MakeDir); !ok || mk.Path != dir+"/a" || mk.Perm != 0o700 {
		t.Errorf("effect %#v", ch.Effects[0])
	}
	if ch := r.mustPlan("copy", map[string]any{"dest": dir + "/a/b/c", "content": "z"}); ch == nil || !hasDiff(ch, "state", "absent", "file") {
		t.Errorf("into the made folder: %v", ch)
	}
	if _, err := os.Stat(d); err == nil {
		t.Error("the check run touched the host")
	}
}

func TestTextEditsOfAFileAnEarlierCopyWrites(t *testing.T) {
	t.Parallel()
	dir := hostileDir(t)
	p := filepath.Join(dir, "app.conf")
	r := checkRun{t, shells(t)[1], hostq.NewModel("root")}
	ch := r.mustPlan("copy", map[string]any{"dest": p, "content": "a=1\nb=2\n", "force": false, "mode": "0640"})
	if ch == nil {
		t.Fatal("copy force=no of a missing file plans nothing")
	}
	if ch := r.mustPlan("copy", map[string]any{"dest": p, "content": "other", "force": false}); ch != nil {
		t.Errorf("force=no again: %v", ch.Diffs)
	}
	ch = r.mustPlan("lineinfile", map[string]any{"path": p, "regexp": "^b=", "line": "b=3", "create": true})
	if d := contentDiff(ch); d == nil || d.Before != "a=1\nb=2\n" || d.After != "a=1\nb=3\n" {
		t.Fatalf("lineinfile: %v", ch)
	}
	if len(ch.Diffs) != 1 {
		t.Errorf("lineinfile keeps the copy's mode: %v", ch.Diffs)
	}
	ch = r.mustPlan("blockinfile", map[string]any{"path": p, "block": "c=4", "create": true, "mode": "0600"})
	const blk = "# BEGIN ANSIBLE MANAGED BLOCK\nc=4\n# END ANSIBLE MANAGED BLOCK\n"
	if d := contentDiff(ch); d == nil || d.Before != "a=1\nb=3\n" || d.After != "a=1\nb=3\n"+blk {
		t.Fatalf("blockinfile: %v", ch)
	}
	if !hasDiff(ch, "mode", "0640", "0600") {
		t.Errorf("blockinfile mode: %v", ch.Diffs)
	}
	// Both again: nothing to do.
	if ch := r.mustPlan("lineinfile", map[string]any{"path": p, "regexp": "^b=", "line": "b=3"}); ch != nil {
		t.Errorf("lineinfile again: %v", ch.Diffs)
	}
	if ch := r.mustPlan("blockinfile", map[string]any{"path": p, "block": "c=4", "mode": "0600"}); ch != nil {
		t.Errorf("blockinfile again: %v", ch.Diffs)
	}
	// A new file in new folders: lineinfile makes them, a copy beside it sees them.
	q := filepath.Join(dir, "x", "y", "f")
	ch = r.mustPlan("lineinfile", map[string]any{"path": q, "line": "l", "create": true})
	if len(ch.Effects) != 3 {
		t.Fatalf("effects %#v", ch.Effects)
	}
	if ch := r.mustPlan("copy", map[string]any{"dest": filepath.Join(dir, "x", "y", "g"), "content": "g"}); ch == nil {
		t.Error("copy beside it plans nothing")
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("the check run touched the host")
	}
}

// What only applying would tell is known after apply, not an error.
func TestTextEditOfContentKnownAfterApply(t *testing.T) {
	t.Parallel()
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	r := checkRun{t, shells(t)[1], hostq.NewModel("root")}
	r.model.Apply(hostq.NewSet(), hostq.WriteFile{Path: p, Perm: 0o644})
	for _, c := range []struct {
		name string
		args map[string]any
	}{
		{"lineinfile", map[string]any{"path": p, "line": "x"}},
		{"blockinfile", map[string]any{"path": p, "block": "x"}},
		{"copy", map[string]any{"dest": p, "content": "x"}},
	} {
		_, err := r.plan(c.name, c.args)
		if _, ok := hostq.IsUnknown(err); !ok {
			t.Errorf("%s: %v, want known after apply", c.name, err)
		}
	}
	// A file whose digest is known compares by digest.
	q := filepath.Join(dir, "g")
	r.model.Apply(hostq.NewSet(), hostq.WriteFile{Path: q, Perm: 0o644, Digest: hostq.SHA1([]byte("x"))})
	if ch, err := r.plan("copy", map[string]any{"dest": q, "content": "x"}); ch != nil || err != nil {
		t.Errorf("same digest: %v %v", ch, err)
	}
	if ch, err := r.plan("copy", map[string]any{"dest": q, "content": "y"}); err != nil || ch == nil || ch.Diffs[0].Attr != "checksum" {
		t.Errorf("other digest: %v %v", ch, err)
	}
	// force=no needs no content: the file is there.
	if ch, err := r.plan("copy", map[string]any{"dest": p, "content": "x", "force": false}); ch != nil || err != nil {
		t.Errorf("force=no: %v %v", ch, err)
	}
}
