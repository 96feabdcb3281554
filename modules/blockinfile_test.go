package modules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// contentAfter is the content a change writes ("" without a content diff).
func contentAfter(ch *Change) (string, bool) {
	for _, d := range ch.Diffs {
		if d.Attr == "content" {
			return d.After, true
		}
	}
	return "", false
}

// TestBlockinfileAsAnsible replays what Ansible 2.14's blockinfile did to
// each file (testdata/blockinfile/record.py) against Plan.
func TestBlockinfileAsAnsible(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/blockinfile/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name    string
		Before  *string
		Args    map[string]any
		Changed bool
		Failed  bool
		Msg     string
		After   *string
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			args := map[string]any{"path": "/etc/x"}
			for k, v := range c.Args {
				args[k] = v
			}
			m, task := mkTask(t, "blockinfile", args)
			ch, probe, err := planText(t, m, task, c.Before)
			if c.Failed {
				want := strings.ReplaceAll(c.Msg, filepathOf(c.Msg), "/etc/x")
				if err == nil || err.Error() != want {
					t.Fatalf("error %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.Changed {
				if ch != nil {
					t.Fatalf("change %v", ch.Diffs)
				}
				res, err := m.(Reporter).Report(task, probe)
				if err != nil || res["msg"] != strings.ReplaceAll(c.Msg, filepathOf(c.Msg), "/etc/x") {
					t.Errorf("report %v %v, want msg %q", res, err, c.Msg)
				}
				return
			}
			if ch == nil {
				t.Fatal("no change")
			}
			mustParse(t, ch.Apply)
			if got, ok := contentAfter(ch); !ok || got != *c.After {
				t.Errorf("after %q, want %q", got, *c.After)
			}
			res, err := ch.Result(Output{})
			if err != nil || res["msg"] != c.Msg {
				t.Errorf("result %v %v, want msg %q", res, err, c.Msg)
			}
		})
	}
}

// filepathOf finds the temporary path record.py used in a message.
func filepathOf(msg string) string {
	i := strings.Index(msg, "/tmp/")
	if i < 0 {
		return "\x00"
	}
	j := strings.Index(msg[i:], " ")
	if j < 0 {
		return msg[i:]
	}
	return msg[i : i+j]
}

// append_newline and prepend_newline came with Ansible 2.16, after the
// recorded version: these follow its code.
func TestBlockinfileNewlines(t *testing.T) {
	t.Parallel()
	const blk = "# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n"
	for _, c := range []struct {
		name, before string
		args         map[string]any
		want         string
	}{
		{"prepend", "a\n", map[string]any{"prepend_newline": true}, "a\n\n" + blk},
		{"prepend after a blank line", "a\n\n", map[string]any{"prepend_newline": true}, "a\n\n" + blk},
		{"prepend at BOF", "a\n", map[string]any{"prepend_newline": true, "insertbefore": "BOF"}, blk + "a\n"},
		{"append", "a\nb\n", map[string]any{"append_newline": true, "insertafter": "^a"}, "a\n" + blk + "\nb\n"},
		{"append before a blank line", "a\n\nb\n", map[string]any{"append_newline": true, "insertafter": "^a"}, "a\n" + blk + "\nb\n"},
		{"append at EOF", "a\n", map[string]any{"append_newline": true}, "a\n" + blk},
		{"both", "a\nb\n", map[string]any{"append_newline": true, "prepend_newline": true, "insertbefore": "^b"}, "a\n\n" + blk + "\nb\n"},
		{"both, block already there", "a\n\n" + blk + "\nb\n", map[string]any{"append_newline": true, "prepend_newline": true}, ""},
	} {
		args := map[string]any{"path": "/etc/x", "block": "x"}
		for k, v := range c.args {
			args[k] = v
		}
		m, task := mkTask(t, "blockinfile", args)
		ch, _, err := planText(t, m, task, &c.before)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.want == "" {
			if ch != nil {
				t.Errorf("%s: change %v", c.name, ch.Diffs)
			}
			continue
		}
		if ch == nil {
			t.Fatalf("%s: no change", c.name)
		}
		if got, _ := contentAfter(ch); got != c.want {
			t.Errorf("%s: after %q, want %q", c.name, got, c.want)
		}
	}
}

func TestBlockinfileArgErrors(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]map[string]any{
		"lookarounds":              {"block": "x", "insertafter": "a(?=b)"},
		"must be an absolute path": {"path": "rel/x", "block": "x"},
		"only utf-8 is supported":  {"block": "x", "encoding": "latin-1"},
		"validate must contain %s": {"block": "x", "validate": "true"},
	} {
		raw := map[string]any{"path": "/etc/x"}
		for k, v := range want {
			raw[k] = v
		}
		m, task := mkTask(t, "blockinfile", raw)
		if _, err := m.(Asker).Questions(task); err == nil || !strings.Contains(err.Error(), args) {
			t.Errorf("%v: %v, want %q", raw, err, args)
		}
	}
	m, _ := Lookup("blockinfile")
	if _, errs := m.Spec().Check(map[string]any{"path": "/x", "insertafter": "a", "insertbefore": "b"}, false); len(errs) == 0 {
		t.Error("insertafter and insertbefore together accepted")
	}
	if _, errs := m.Spec().Check(map[string]any{"dest": "/x", "content": "a", "blok": "b"}, false); len(errs) != 1 {
		t.Errorf("errors %v, want one for blok", errs)
	}
}

func TestBlockinfileConverges(t *testing.T) {
	t.Parallel()
	const blk = "# BEGIN ANSIBLE MANAGED BLOCK\nl1 $x `id`\nl2 'q'\n# END ANSIBLE MANAGED BLOCK\n"
	cases := []struct {
		name  string
		setup string // "" means absent
		mode  os.FileMode
		args  map[string]any
		want  string
		wmode os.FileMode
		msg   string
	}{
		{name: "insert keeps mode", setup: "a\nb\n", mode: 0o600, args: map[string]any{"insertafter": "^a"}, want: "a\n" + blk + "b\n", wmode: 0o600, msg: "Block inserted"},
		{name: "create with mode", args: map[string]any{"create": true, "mode": "0640"}, want: blk, wmode: 0o640, msg: "File created"},
		{name: "replace with backup", setup: "a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\n", mode: 0o644, args: map[string]any{"backup": true}, want: "a\n" + blk, wmode: 0o644, msg: "Block inserted"},
		{name: "remove", setup: "a\n" + blk + "b\n", mode: 0o644, args: map[string]any{"state": "absent"}, want: "a\nb\n", wmode: 0o644, msg: "Block removed"},
		{name: "mode only", setup: blk, mode: 0o644, args: map[string]any{"mode": "0600"}, want: blk, wmode: 0o600, msg: "ownership, perms or SE linux context changed"},
		{name: "validate", setup: "a\n", mode: 0o644, args: map[string]any{"validate": "grep -q l2 %s"}, want: "a\n" + blk, wmode: 0o644, msg: "Block inserted"},
	}
	for _, sh := range shells(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			for i, c := range cases {
				if !sh.turn(t, i) {
					continue
				}
				names := sh.caseNames(t, i)
				for _, name := range names[:min(3, len(names))] {
					dir := hostileDir(t)
					p := filepath.Join(dir, name)
					if c.setup != "" {
						writeFile(t, p, c.setup, c.mode)
					}
					args := map[string]any{"path": p, "block": "l1 $x `id`\nl2 'q'"}
					for k, v := range c.args {
						args[k] = v
					}
					m, task := mkTask(t, "blockinfile", args)
					_, res := converge(t, sh, m, task)
					if got := readFile(t, p); got != c.want {
						t.Errorf("%s %q: content %q, want %q", c.name, name, got, c.want)
					}
					wantMode(t, p, c.wmode)
					if res["msg"] != c.msg {
						t.Errorf("%s: msg %q, want %q", c.name, res["msg"], c.msg)
					}
					if b, _ := res["backup_file"].(string); (b != "") != (c.args["backup"] == true) {
						t.Errorf("%s: backup %q", c.name, b)
					} else if b != "" {
						if readFile(t, b) != c.setup {
							t.Errorf("%s: backup holds %q", c.name, readFile(t, b))
						}
						os.Remove(b)
					}
					noLeftovers(t, dir)
					noPwned(t)
				}
			}
		})
	}
}

func TestBlockinfileOnHost(t *testing.T) {
	t.Parallel()
	sh := shells(t)[1] // busybox
	dir := hostileDir(t)
	m, task := mkTask(t, "blockinfile", map[string]any{"path": dir, "block": "x"})
	planErr(t, sh, m, task, "is a directory !")
	m, task = mkTask(t, "blockinfile", map[string]any{"path": dir + "/nope", "block": "x"})
	planErr(t, sh, m, task, "Path "+dir+"/nope does not exist !")
	m, task = mkTask(t, "blockinfile", map[string]any{"path": dir + "/nope", "state": "absent"})
	planErr(t, sh, m, task, "Path "+dir+"/nope does not exist !")
	m, task = mkTask(t, "blockinfile", map[string]any{"path": dir + "/nope", "state": "absent", "create": true})
	if res := settled(t, sh, m, task); res["msg"] != "File "+dir+"/nope not present" {
		t.Errorf("report %v", res)
	}
	// Through links, into a folder that create makes.
	os.Symlink("sub/real", dir+"/link")
	m, task = mkTask(t, "blockinfile", map[string]any{"path": dir + "/sub/real", "block": "x", "create": true})
	converge(t, sh, m, task)
	m, task = mkTask(t, "blockinfile", map[string]any{"path": dir + "/link", "block": "y", "marker": "# {mark} two"})
	converge(t, sh, m, task)
	if got, _ := os.Readlink(dir + "/link"); got != "sub/real" {
		t.Error("the link was replaced")
	}
	want := "# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n# BEGIN two\ny\n# END two\n"
	if got := readFile(t, dir+"/sub/real"); got != want {
		t.Errorf("content %q", got)
	}
	// A file changed between the probe and the apply is left alone.
	m, task = mkTask(t, "blockinfile", map[string]any{"path": dir + "/sub/real", "block": "z"})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	writeFile(t, dir+"/sub/real", "someone else\n", 0o644)
	if out := sh.run(t, ch.Apply); out.ExitCode == 0 || !strings.Contains(string(out.Stderr), "changed since it was read") {
		t.Errorf("apply: %d %s", out.ExitCode, out.Stderr)
	}
	if readFile(t, dir+"/sub/real") != "someone else\n" {
		t.Error("overwrote the other change")
	}
}
