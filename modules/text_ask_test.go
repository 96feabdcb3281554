package modules

import (
	"os"
	"path/filepath"
	"testing"

	"tend/modules/hostq"
)

// fakeAnswers answers a text module's questions about the file /etc/x
// holding content (nil: absent); every other path is a folder.
func fakeAnswers(t testing.TB, m Module, task *Task, content *string) Output {
	t.Helper()
	qs, err := askedOf(t, m, task)
	if err != nil {
		t.Fatal(err)
	}
	set := hostq.NewSet().SetUmask(0o022).SetAccounts(hostq.ParseAccounts([]byte("root:x:0:0::/root:/bin/sh\n"), []byte("root:x:0:\n")))
	for _, q := range qs {
		switch q := q.(type) {
		case hostq.Path:
			fi := hostq.PathInfo{Exists: true, Type: 'd', Perm: 0o755, Nlink: 2, UID: "0", GID: "0", Owner: "root", Group: "root", Size: 4096}
			if q.Path == "/etc/x" {
				fi = hostq.PathInfo{}
				if content != nil {
					fi = hostq.PathInfo{Exists: true, Type: '-', Perm: 0o644, Nlink: 1, UID: "0", GID: "0", Owner: "root", Group: "root", Size: int64(len(*content))}
				}
			}
			set.SetPath(q.Path, q.Follow, fi)
		case hostq.Real:
			set.SetReal(q.Path, "")
		case hostq.Content:
			if content != nil {
				set.SetContent(q.Path, []byte(*content))
			} else {
				set.SetError(q, hostq.ErrNoContent)
			}
		}
	}
	return Output{Answers: set}
}

// planText plans a text module's task on /etc/x holding content (nil:
// absent), as fakeAnswers says; an error of Questions is the plan's.
func planText(t testing.TB, m Module, task *Task, content *string) (*Change, Output, error) {
	t.Helper()
	if _, err := m.(Asker).Questions(task); err != nil {
		return nil, Output{}, err
	}
	out := fakeAnswers(t, m, task, content)
	ch, err := m.Plan(task, out)
	return ch, out, err
}

// The converge cases of both modules, on files, through questions.
func TestTextQuestionsConverge(t *testing.T) {
	t.Parallel()
	const blk = "# BEGIN ANSIBLE MANAGED BLOCK\nl1 $x `id`\n# END ANSIBLE MANAGED BLOCK\n"
	cases := []struct {
		module string
		setup  string // "" means absent
		mode   os.FileMode
		args   map[string]any
		want   string
		wmode  os.FileMode
		root   bool
	}{
		{"lineinfile", "a\n", 0o600, map[string]any{"line": "b $x `id`"}, "a\nb $x `id`\n", 0o600, false},
		{"lineinfile", "a=1\n", 0o644, map[string]any{"regexp": "^a=", "line": "a=2", "backup": true}, "a=2\n", 0o644, false},
		{"lineinfile", "", 0, map[string]any{"line": "x", "create": true, "mode": "0640"}, "x\n", 0o640, false},
		{"lineinfile", "a\nb\na\n", 0o644, map[string]any{"line": "a", "state": "absent"}, "b\n", 0o644, false},
		{"lineinfile", "a\n", 0o644, map[string]any{"line": "a", "mode": "0600"}, "a\n", 0o600, false},
		{"lineinfile", "a\n", 0o644, map[string]any{"line": "b", "owner": "nobody", "group": "65534"}, "a\nb\n", 0o644, true},
		{"lineinfile", "a\n", 0o644, map[string]any{"line": "a", "owner": "nobody"}, "a\n", 0o644, true},
		{"lineinfile", "a\n", 0o644, map[string]any{"line": "b", "validate": "grep -q b %s"}, "a\nb\n", 0o644, false},
		{"blockinfile", "a\nb\n", 0o600, map[string]any{"insertafter": "^a"}, "a\n" + blk + "b\n", 0o600, false},
		{"blockinfile", "", 0, map[string]any{"create": true, "mode": "0640"}, blk, 0o640, false},
		{"blockinfile", "a\n" + blk + "b\n", 0o644, map[string]any{"state": "absent"}, "a\nb\n", 0o644, false},
		{"blockinfile", blk, 0o644, map[string]any{"mode": "0600"}, blk, 0o600, false},
		{"blockinfile", "a\n", 0o644, map[string]any{"backup": true, "group": "nogroup"}, "a\n" + blk, 0o644, true},
	}
	sh := shells(t)[0]
	for i, c := range cases {
		if c.root && !isRoot() {
			continue
		}
		names := []string{"plain", "it's", "new\nline"}
		if !fullMatrix {
			names = names[i%3 : i%3+1] // in turn
		}
		for _, name := range names {
			dir := hostileDir(t)
			p := filepath.Join(dir, name)
			if c.setup != "" {
				writeFile(t, p, c.setup, c.mode)
			}
			args := map[string]any{"path": p}
			if c.module == "blockinfile" {
				args["block"] = "l1 $x `id`"
			}
			for k, v := range c.args {
				args[k] = v
			}
			m, task := mkTask(t, c.module, args)
			_, res := convergeAsked(t, sh, m, task)
			if got := readFile(t, p); got != c.want {
				t.Errorf("%s %v: content %q, want %q", c.module, c.args, got, c.want)
			}
			wantMode(t, p, c.wmode)
			for _, k := range []string{"backup", "backup_file"} {
				if b, _ := res[k].(string); b != "" {
					os.Remove(b)
				}
			}
			noLeftovers(t, dir)
		}
	}
}

func TestTextQuestionsOnHost(t *testing.T) {
	t.Parallel()
	sh := shells(t)[1] // busybox
	dir := hostileDir(t)
	for _, module := range []string{"lineinfile", "blockinfile"} {
		for _, args := range []map[string]any{
			{"path": dir, "line": "x"},
			{"path": dir + "/nope", "line": "x"},
			{"path": dir + "/nope", "line": "x", "state": "absent"},
			{"path": dir + "/nope", "state": "absent", "create": true},
		} {
			if module == "blockinfile" {
				delete(args, "line")
			}
			m, task := mkTask(t, module, args)
			bothWays(t, sh, m, task)
		}
	}
	// Through links (the write goes to the target), into folders create makes.
	mkdir(t, dir+"/real dir", 0o755)
	writeFile(t, dir+"/real dir/conf", "a\n", 0o640)
	os.Symlink("real dir/conf", dir+"/link")
	os.Symlink("link", dir+"/link2")
	m, task := mkTask(t, "lineinfile", map[string]any{"path": dir + "/link2", "line": "b"})
	ch, _ := convergeAsked(t, sh, m, task)
	if w, ok := ch.Effects[0].(hostq.WriteFile); !ok || w.Path != dir+"/real dir/conf" {
		t.Errorf("effects %#v", ch.Effects)
	}
	m, task = mkTask(t, "blockinfile", map[string]any{"path": dir + "/link", "block": "y"})
	ch, _ = convergeAsked(t, sh, m, task)
	if w, ok := ch.Effects[0].(hostq.WriteFile); !ok || w.Path != dir+"/real dir/conf" {
		t.Errorf("effects %#v", ch.Effects)
	}
	if got, _ := os.Readlink(dir + "/link2"); got != "link" || readFile(t, dir+"/real dir/conf") != "a\nb\n# BEGIN ANSIBLE MANAGED BLOCK\ny\n# END ANSIBLE MANAGED BLOCK\n" {
		t.Errorf("link %q, target %q", got, readFile(t, dir+"/real dir/conf"))
	}
	p := filepath.Join(dir, "a b", "c", "f")
	m, task = mkTask(t, "lineinfile", map[string]any{"path": p, "line": "x", "create": true})
	ch, _ = convergeAsked(t, sh, m, task)
	if len(ch.Effects) != 3 {
		t.Errorf("effects %#v", ch.Effects)
	}
}
