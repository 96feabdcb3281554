package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// iniCases are what community.general 6.6.2's do_ini (on this machine)
// made of each file; "new file" cases start without one.
var iniCases = []struct {
	name, content string
	args          map[string]any
	after         string
	changed       bool
	msg           string
}{
	{"new option in section", "[a]\nx = 1\n\n[b]\ny = 2\n", map[string]any{"section": "a", "option": "z", "values": []any{"3"}}, "[a]\nx = 1\nz = 3\n\n[b]\ny = 2\n", true, "option added"},
	{"change option", "[a]\nx = 1\n", map[string]any{"section": "a", "option": "x", "values": []any{"2"}}, "[a]\nx = 2\n", true, "option changed"},
	{"same", "[a]\nx = 1\n", map[string]any{"section": "a", "option": "x", "values": []any{"1"}}, "[a]\nx = 1\n", false, "OK"},
	{"spaces differ", "[a]\nx=1\n", map[string]any{"section": "a", "option": "x", "values": []any{"1"}}, "[a]\nx = 1\n", true, "option changed"},
	{"no extra spaces", "[a]\nx=1\n", map[string]any{"section": "a", "option": "x", "values": []any{"1"}, "no_extra_spaces": true}, "[a]\nx=1\n", false, "OK"},
	{"commented option", "[a]\n#x = 0\ny = 1\n", map[string]any{"section": "a", "option": "x", "values": []any{"2"}}, "[a]\nx = 2\ny = 1\n", true, "option changed"},
	{"new section", "[a]\nx = 1\n", map[string]any{"section": "b", "option": "x", "values": []any{"2"}}, "[a]\nx = 1\n[b]\nx = 2\n", true, "section and option added"},
	{"new file", "", map[string]any{"section": "b", "option": "x", "values": []any{"2"}}, "\n[b]\nx = 2\n", true, "section and option added"},
	{"new file no section", "", map[string]any{"option": "x", "values": []any{"2"}}, "x = 2\n\n", true, "option added"},
	{"top option", "x = 1\n[a]\ny = 2\n", map[string]any{"option": "x", "values": []any{"5"}}, "x = 5\n[a]\ny = 2\n", true, "option changed"},
	{"no trailing newline", "[a]\nx = 1", map[string]any{"section": "a", "option": "x", "values": []any{"1"}}, "[a]\nx = 1\n", true, "OK"},
	{"multiple values exclusive", "[a]\nx = 1\nx = 2\nx = 3\n", map[string]any{"section": "a", "option": "x", "values": []any{"3", "4"}}, "[a]\nx = 4\nx = 3\n", true, "option changed"},
	{"multiple values not exclusive", "[a]\nx = 1\nx = 2\n", map[string]any{"section": "a", "option": "x", "values": []any{"3"}, "exclusive": false}, "[a]\nx = 1\nx = 2\nx = 3\n", true, "option added"},
	{"dup values", "[a]\n", map[string]any{"section": "a", "option": "x", "values": []any{"1", "1", "2"}}, "[a]\nx = 1\nx = 2\n", true, "option added"},
	{"absent option", "[a]\nx = 1\n#x = 2\ny = 3\n", map[string]any{"section": "a", "option": "x", "state": "absent"}, "[a]\n#x = 2\ny = 3\n", true, "option changed"},
	{"absent value not exclusive", "[a]\nx = 1\nx = 2\n", map[string]any{"section": "a", "option": "x", "values": []any{"2"}, "state": "absent", "exclusive": false}, "[a]\nx = 1\n", true, "option changed"},
	{"absent section", "[a]\nx = 1\n[b]\ny = 2\n", map[string]any{"section": "a", "state": "absent"}, "[b]\ny = 2\n", true, "section removed"},
	{"absent missing", "[a]\nx = 1\n", map[string]any{"section": "c", "option": "x", "state": "absent"}, "[a]\nx = 1\n", false, "OK"},
	{"allow no value", "[a]\ny = 1\n", map[string]any{"section": "a", "option": "skip-name-resolve", "allow_no_value": true}, "[a]\ny = 1\nskip-name-resolve\n", true, "option added"},
	{"allow no value present", "[a]\nskip-name-resolve\n", map[string]any{"section": "a", "option": "skip-name-resolve", "allow_no_value": true}, "[a]\nskip-name-resolve\n", false, "OK"},
	{"only section", "[a]\n", map[string]any{"section": "b", "allow_no_value": true}, "[a]\n[b]\n", true, "only section added"},
	{"insert before trailing blanks and comments", "[a]\nx = 1\n\n# c\n\n[b]\n", map[string]any{"section": "a", "option": "y", "values": []any{"2"}}, "[a]\nx = 1\ny = 2\n\n# c\n\n[b]\n", true, "option added"},
	{"crlf", "[a]\r\nx = 1\r\n", map[string]any{"section": "a", "option": "y", "values": []any{"2"}}, "[a]\nx = 1\ny = 2\n", true, "option added"},
	{"empty value", "[a]\nx = 1\n", map[string]any{"section": "a", "option": "x", "values": []any{""}}, "[a]\nx = \n", true, "option changed"},
	{"section with dots", "[a.b]\nx = 1\n[aXb]\n", map[string]any{"section": "a.b", "option": "x", "values": []any{"2"}}, "[a.b]\nx = 2\n[aXb]\n", true, "option changed"}}

func TestIniAlgorithm(t *testing.T) {
	t.Parallel()
	for _, c := range iniCases {
		args := map[string]any{"path": "/etc/x.ini"}
		for k, v := range c.args {
			args[k] = v
		}
		if args["values"] == nil && args["state"] == nil && args["allow_no_value"] == nil {
			args["values"] = []any{}
		}
		m, task := mkTask(t, "ini_file", args)
		probe := fakeProbe(&c.content)
		if strings.HasPrefix(c.name, "new file") {
			probe = fakeProbe(nil)
		}
		ch, err := m.Plan(task, probe)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !c.changed {
			if ch != nil {
				t.Errorf("%s: change %v", c.name, ch.Diffs)
			}
			if res, err := m.(Reporter).Report(task, probe); err != nil || res["msg"] != c.msg {
				t.Errorf("%s: report %v %v", c.name, res, err)
			}
			continue
		}
		var got *Diff
		for i := range ch.Diffs {
			if ch.Diffs[i].Attr == "content" {
				got = &ch.Diffs[i]
			}
		}
		if got == nil || got.After != c.after {
			t.Errorf("%s: after %q, want %q", c.name, got, c.after)
			continue
		}
		if res, _ := ch.Result(Output{}); res["msg"] != c.msg || res["changed"] != true {
			t.Errorf("%s: result %v, want msg %q", c.name, res, c.msg)
		}
	}
}

// TestIniNewerOptions covers what community.general added after 6.6.2,
// from its ini_file.py (8.x).
func TestIniNewerOptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, content string
		args          map[string]any
		after         string // "" : no change
	}{
		{"ignore_spaces keeps spacing", "[a]\nx=1\n", map[string]any{"section": "a", "option": "x", "value": "1", "ignore_spaces": true}, ""},
		{"ignore_spaces still changes values", "[a]\nx=1\n", map[string]any{"section": "a", "option": "x", "value": "2", "ignore_spaces": true}, "[a]\nx = 2\n"},
		{"modify_inactive_option=false leaves comments", "[a]\n#x = 0\ny = 1\n", map[string]any{"section": "a", "option": "x", "value": "2", "modify_inactive_option": false}, "[a]\n#x = 0\ny = 1\nx = 2\n"},
		{"section with spaces", "[ a ]\nx = 1\n", map[string]any{"section": "a", "option": "x", "value": "2"}, "[ a ]\nx = 2\n"},
	}
	for _, c := range cases {
		args := map[string]any{"path": "/etc/x.ini"}
		for k, v := range c.args {
			args[k] = v
		}
		m, task := mkTask(t, "ini_file", args)
		ch, err := m.Plan(task, fakeProbe(&c.content))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.after == "" {
			if ch != nil {
				t.Errorf("%s: change %v", c.name, ch.Diffs)
			}
			continue
		}
		if ch == nil || ch.Diffs[0].After != c.after {
			t.Errorf("%s: %v, want %q", c.name, ch, c.after)
		}
	}
	m, task := mkTask(t, "ini_file", map[string]any{"path": "/etc/x", "option": "x"})
	if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), "Parameter 'value(s)' must be defined") {
		t.Errorf("no value: %v", err)
	}
	m, task = mkTask(t, "ini_file", map[string]any{"path": "/etc/x", "option": "x", "value": "1", "create": false})
	if _, err := m.Plan(task, fakeProbe(nil)); err == nil || err.Error() != "Destination /etc/x does not exist!" {
		t.Errorf("create=false: %v", err)
	}
}

func TestIniConverges(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		t.Run(sh.name, func(t *testing.T) {
			// A few hostile names: lineinfile_test tries them all on the same write path.
			for _, name := range []string{"-rf", "it's", "new\nline"} {
				dir := hostileDir(t)
				p := filepath.Join(dir, name)
				writeFile(t, p, "[mysqld]\nport = 3306\n#bind-address = 127.0.0.1\n\n[client]\n", 0o644)
				m, task := mkTask(t, "ini_file", map[string]any{"path": p, "section": "mysqld", "option": "bind-address", "value": "0.0.0.0 $(id)", "backup": true, "mode": "0600"})
				ch, res := converge(t, sh, m, task)
				if got := readFile(t, p); got != "[mysqld]\nport = 3306\nbind-address = 0.0.0.0 $(id)\n\n[client]\n" {
					t.Errorf("%q: %q", name, got)
				}
				wantMode(t, p, 0o600)
				if res["msg"] != "option changed" || res["path"] != p {
					t.Errorf("result %v", res)
				}
				if b, _ := res["backup_file"].(string); b == "" {
					t.Errorf("no backup: %v", res)
				} else {
					os.Remove(b)
				}
				if !hasDiff(ch, "mode", "0644", "0600") {
					t.Errorf("diffs %v", ch.Diffs)
				}
				noLeftovers(t, dir)
				noPwned(t)
			}
			// A new file in a new folder.
			dir := hostileDir(t)
			p := filepath.Join(dir, "sub dir", "new.ini")
			m, task := mkTask(t, "ini_file", map[string]any{"path": p, "section": "s", "option": "o", "value": "v"})
			converge(t, sh, m, task)
			if got := readFile(t, p); got != "\n[s]\no = v\n" {
				t.Errorf("new: %q", got)
			}
			// state=absent on a missing file creates nothing.
			m, task = mkTask(t, "ini_file", map[string]any{"path": dir + "/none.ini", "section": "s", "state": "absent"})
			settled(t, sh, m, task)
			if _, err := os.Stat(dir + "/none.ini"); err == nil {
				t.Error("created")
			}
		})
	}
}
