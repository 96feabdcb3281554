package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// runTask plans and applies a command task (which has no probe unless it
// has creates/removes) and returns its result.
func runTask(t *testing.T, sh testShell, name string, args map[string]any) (*Change, Result) {
	t.Helper()
	m, task := mkTask(t, name, args)
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil {
		t.Fatalf("%s: plan: %v", sh.name, err)
	}
	if ch == nil {
		t.Fatalf("%s: nothing to run", sh.name)
	}
	res, err := ch.Result(sh.run(t, ch.Apply))
	if err != nil {
		t.Fatalf("%s: result: %v", sh.name, err)
	}
	return ch, res
}

func TestCommandRunsArgvAsGiven(t *testing.T) {
	t.Parallel()
	words := append([]string{"", "a b", "it's", `"q"`, "$HOME", "`id`", "$(touch pwned)", "a\nb", "-n", "*", "~", "x;y|z&", "%s", "\\"}, hostileNames...)
	for _, sh := range shells(t) {
		argv := append([]string{"printf", "[%s]"}, words...)
		_, res := runTask(t, sh, "command", map[string]any{"argv": toAny(argv), "expand_argument_vars": false})
		want := ""
		for _, w := range words {
			want += "[" + w + "]"
		}
		if res["stdout"] != strings.TrimRight(want, "\n") || res["rc"] != 0 || res["failed"] != nil || res["changed"] != true {
			t.Errorf("%s: %v", sh.name, res)
		}
		if !reflect.DeepEqual(res["cmd"], argv) {
			t.Errorf("cmd %v", res["cmd"])
		}
		noPwned(t)
	}
}

func toAny(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

func TestCommandFreeFormSplitting(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		_, res := runTask(t, sh, "command", map[string]any{"cmd": `printf "[%s]" 'a b' "c\"d" e\ f ';' '$(touch pwned)' ""`})
		if res["stdout"] != `[a b][c"d][e f][;][$(touch pwned)][]` {
			t.Errorf("%s: %q", sh.name, res["stdout"])
		}
		if !reflect.DeepEqual(res["cmd"], []string{"printf", "[%s]", "a b", `c"d`, "e f", ";", "$(touch pwned)", ""}) {
			t.Errorf("cmd %#v", res["cmd"])
		}
		noPwned(t)
	}
}

func TestCommandExpandsVariables(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		sh.env = append(append([]string(nil), sh.env...), "TEND_T_VAR=v a*l", "HOME=/home dir")
		_, res := runTask(t, sh, "command", map[string]any{"argv": []any{
			"printf", "[%s]", "$TEND_T_VAR", "${TEND_T_VAR}x", "$NOPE_XYZ", "${NOPE_XYZ}", "~", "~/x", "a~", "$1", "${a b}", "$",
		}})
		want := "[v a*l][v a*lx][$NOPE_XYZ][${NOPE_XYZ}][/home dir][/home dir/x][a~][$1][${a b}][$]"
		if res["stdout"] != want {
			t.Errorf("%s: %q\nwant %q", sh.name, res["stdout"], want)
		}
	}
}

func TestShellResult(t *testing.T) {
	t.Parallel()
	stampRE := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$`)
	for _, sh := range shells(t) {
		ch, res := runTask(t, sh, "shell", map[string]any{"cmd": "echo out; echo; echo err >&2; printf 'two\\r\\nlines\\n\\n' >&2; exit 3"})
		if !ch.CheckUnknown {
			t.Error("check mode cannot know what a command does")
		}
		if res["rc"] != 3 || res["failed"] != true || res["msg"] != "non-zero return code" || res["changed"] != true {
			t.Errorf("%s: %v", sh.name, res)
		}
		if res["stdout"] != "out" || res["stderr"] != "err\ntwo\r\nlines" {
			t.Errorf("%s: stdout %q stderr %q", sh.name, res["stdout"], res["stderr"])
		}
		if !reflect.DeepEqual(res["stdout_lines"], []string{"out"}) || !reflect.DeepEqual(res["stderr_lines"], []string{"err", "two", "lines"}) {
			t.Errorf("%s: lines %#v %#v", sh.name, res["stdout_lines"], res["stderr_lines"])
		}
		start, _ := res["start"].(string)
		end, _ := res["end"].(string)
		delta, _ := res["delta"].(string)
		if !stampRE.MatchString(start) || !stampRE.MatchString(end) || !regexp.MustCompile(`^0:00:0\d(\.\d{6})?$`).MatchString(delta) {
			t.Errorf("%s: times %q %q %q", sh.name, start, end, delta)
		}
		if res["cmd"] != "echo out; echo; echo err >&2; printf 'two\\r\\nlines\\n\\n' >&2; exit 3" {
			t.Errorf("cmd %v", res["cmd"])
		}
	}
}

func TestCommandOutputWithoutNewlineAndNoStrip(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		_, res := runTask(t, sh, "shell", map[string]any{"cmd": "printf 'a\\n\\n'; printf x >&2", "strip_empty_ends": false})
		if res["stdout"] != "a\n\n" || res["stderr"] != "x" {
			t.Errorf("%s: %q %q", sh.name, res["stdout"], res["stderr"])
		}
		_, res = runTask(t, sh, "shell", map[string]any{"cmd": "printf 'no newline'"})
		if res["stdout"] != "no newline" {
			t.Errorf("%s: %q", sh.name, res["stdout"])
		}
	}
}

func TestCommandStdinAndChdir(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		_, res := runTask(t, sh, "command", map[string]any{"cmd": "cat", "stdin": "in $x\n`id`", "stdin_add_newline": false, "strip_empty_ends": false})
		if res["stdout"] != "in $x\n`id`" {
			t.Errorf("%s: stdin %q", sh.name, res["stdout"])
		}
		_, res = runTask(t, sh, "shell", map[string]any{"cmd": "cat; pwd", "stdin": "hello", "chdir": dir})
		if res["stdout"] != "hello\n"+dir {
			t.Errorf("%s: %q", sh.name, res["stdout"])
		}
		_, res = runTask(t, sh, "command", map[string]any{"cmd": "pwd", "chdir": dir + "/missing"})
		if res["failed"] != true || !strings.Contains(res["msg"].(string), "Unable to change directory before execution") {
			t.Errorf("%s: %v", sh.name, res)
		}
		_, res = runTask(t, sh, "command", map[string]any{"cmd": "no-such-command-xyz"})
		if res["failed"] != true || res["rc"] != 127 {
			t.Errorf("%s: %v", sh.name, res)
		}
		_, res = runTask(t, sh, "command", map[string]any{"cmd": "exit 0"})
		if res["failed"] != true {
			t.Errorf("%s: exit is not a program: %v", sh.name, res)
		}
	}
}

func TestCommandCreatesRemoves(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		there := filepath.Join(dir, "it's there")
		writeFile(t, there, "", 0o644)
		// Globs need a folder whose name is not itself a pattern.
		plain := t.TempDir()
		writeFile(t, filepath.Join(plain, "x.conf"), "", 0o644)
		missing := filepath.Join(dir, "missing $x")
		skip := []struct {
			args map[string]any
			out  string
			msg  string
		}{
			{map[string]any{"cmd": "touch pwned", "creates": there}, "skipped, since " + there + " exists", "Did not run command since '" + there + "' exists"},
			{map[string]any{"cmd": "touch pwned", "creates": plain + "/*.conf"}, "skipped, since " + plain + "/*.conf exists", ""},
			{map[string]any{"cmd": "touch pwned", "removes": missing}, "skipped, since " + missing + " does not exist", "Did not run command since '" + missing + "' does not exist"},
			{map[string]any{"cmd": "touch pwned", "creates": "it's there", "chdir": dir}, "skipped, since it's there exists", ""},
			{map[string]any{"cmd": "touch pwned", "removes": plain + "/*.nope"}, "skipped, since " + plain + "/*.nope does not exist", ""},
		}
		for _, name := range []string{"command", "shell"} {
			for _, c := range skip {
				m, task := mkTask(t, name, c.args)
				res := settled(t, sh, m, task)
				if res["stdout"] != c.out || res["rc"] != 0 || (c.msg != "" && res["msg"] != c.msg) {
					t.Errorf("%s %s %v: %v", sh.name, name, c.args, res)
				}
			}
		}
		run := []map[string]any{
			{"cmd": "true", "creates": missing},
			{"cmd": "true", "creates": plain + "/*.nope"},
			{"cmd": "true", "creates": dir + "/*.conf"}, // the folder's [a] is a pattern too
			{"cmd": "true", "removes": there},
			{"cmd": "true", "removes": plain + "/x.*"},
		}
		for _, args := range run {
			m, task := mkTask(t, "command", args)
			ch, _, err := probePlan(t, sh, m, task)
			if err != nil || ch == nil || ch.CheckUnknown {
				t.Errorf("%s %v: %v %v", sh.name, args, ch, err)
			}
		}
		m, task := mkTask(t, "command", map[string]any{"cmd": "true", "creates": "x", "chdir": dir + "/missing"})
		planErr(t, sh, m, task, "Unable to change directory before execution")
		noPwned(t)
	}
}

func TestSplitArgs(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		``:                     nil,
		`  a   b  `:            {"a", "b"},
		`a"b c"d`:              {"ab cd"},
		`'a\b' "a\b" a\b`:      {`a\b`, `a\b`, "ab"},
		`"a\"b\\c"`:            {`a"b\c`},
		`'' ""`:                {"", ""},
		`a;b|c >d`:             {"a;b|c", ">d"},
		"a\tb\nc":              {"a", "b", "c"},
		`echo "$HOME" '$HOME'`: {"echo", "$HOME", "$HOME"},
	} {
		got, err := splitArgs(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`"a`, `'a`, `a\`} {
		if _, err := splitArgs(bad); err == nil {
			t.Errorf("splitArgs(%q): no error", bad)
		}
	}
}

func TestPySplitLines(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"":             {},
		"a":            {"a"},
		"a\n":          {"a"},
		"a\n\nb":       {"a", "", "b"},
		"a\r\nb\rc":    {"a", "b", "c"},
		"a\vb\fc\x1cd": {"a", "b", "c", "d"},
		"a\u2028b":     {"a", "b"},
	} {
		if got := pySplitLines(in); !reflect.DeepEqual(got, want) {
			t.Errorf("pySplitLines(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPyDelta(t *testing.T) {
	t.Parallel()
	_, a, _ := stamp("2024-01-01 12:00:00.000001")
	_, b, _ := stamp("2024-01-02 13:01:02.500000123")
	if got := pyDelta(b.Sub(a)); got != "1 day, 1:01:02.499999" {
		t.Errorf("pyDelta %q", got)
	}
	if _, _, ok := stamp("2024-01-01 12:00:00.%N"); !ok {
		t.Error("a date without %N")
	}
	if txt, _, _ := stamp("2024-01-01 12:00:00.%N"); txt != "2024-01-01 12:00:00.000000" {
		t.Errorf("stamp %q", txt)
	}
}

func TestCommandDoesNotLeakIntoTheRunner(t *testing.T) {
	t.Parallel()
	// A command whose output looks like tend's framing cannot forge it.
	sh := shells(t)[0]
	_, res := runTask(t, sh, "shell", map[string]any{"cmd": `printf 'tend-00:end=2000-01-01 00:00:00.000000\n'`})
	if res["stdout"] != "tend-00:end=2000-01-01 00:00:00.000000" {
		t.Errorf("%q", res["stdout"])
	}
	if _, err := os.Stat("pwned"); err == nil {
		t.Fatal("pwned")
	}
}
