package load

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Seeds live in testdata/fuzz/FuzzLoad/, so plain `go test` runs them as
// regression tests; `go test -fuzz FuzzLoad` explores further.

// fuzzFixture gives fuzzed playbooks something to pull in: a role, a task
// file, a vars file and another playbook.
var fuzzFixture = map[string]string{
	"roles/r/tasks/main.yml":    "- name: role task\n  testcommand: ls\n  notify: h\n- import_tasks: inc.yml\n",
	"roles/r/handlers/main.yml": "- name: h\n  testcommand: ls\n",
	"roles/r/defaults/main.yml": "d: 1\n",
	"inc.yml":                   "- testfile: path=/x state=touch\n- block:\n    - testdebug: msg={{ d }}\n",
	"vars.yml":                  "v: [1, 2]\n",
	"other.yml":                 "- hosts: all\n  roles: [r]\n",
}

func FuzzLoad(f *testing.F) {
	dir := f.TempDir()
	for name, text := range fuzzFixture {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	site := filepath.Join(dir, "site.yml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(site, data, 0o644); err != nil {
			t.Fatal(err)
		}
		pb, err := Load(site, opts)
		if err != nil {
			checkErrors(t, err)
			return
		}
		if pb == nil || len(pb.Files) == 0 || pb.Files[0] != site {
			t.Fatalf("playbook %+v", pb)
		}
		_ = dump(pb)
		for _, p := range pb.Plays {
			if p.Pos.File == "" || p.Pos.Line == 0 {
				t.Fatalf("play without a position: %+v", p)
			}
			for _, l := range [][]*Task{p.PreTasks, p.Tasks, p.PostTasks, p.Handlers} {
				checkTasks(t, l)
			}
		}
	})
}

func checkErrors(t *testing.T, err error) {
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %v is %T, want a non-empty ErrorList", err, err)
	}
	for i, e := range list {
		if e.File == "" || e.Msg == "" {
			t.Fatalf("error without file or message: %#v", e)
		}
		if i > 0 && i < len(list)-1 { // the last may be "too many problems"
			a, b := list[i-1], e
			if cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col)) > 0 {
				t.Fatalf("errors out of order: %v before %v", a, b)
			}
		}
	}
	_ = err.Error()
}

func checkTasks(t *testing.T, ts []*Task) {
	for _, task := range ts {
		if task.Pos.File == "" || task.Pos.Line == 0 {
			t.Fatalf("task without a position: %+v", task)
		}
		if task.Module == "" && (task.Args != nil || task.Loop != nil) {
			t.Fatalf("block with arguments or a loop: %+v", task)
		}
		if task.Module != "" && (task.Block != nil || task.Args == nil) {
			t.Fatalf("module task with a block or without arguments: %+v", task)
		}
		checkTasks(t, task.Block)
		checkTasks(t, task.Rescue)
		checkTasks(t, task.Always)
	}
}
