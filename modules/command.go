package modules

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// commandModule is Ansible's command (shell=false: the words run as they
// are, with no shell in between) and shell (the text runs under /bin/sh).
type commandModule struct{ shell bool }

func init() {
	Register("command", commandModule{})
	Register("shell", commandModule{shell: true})
}

func (m commandModule) Spec() Spec {
	params := []Param{
		{Name: "cmd", Kind: String},
		{Name: "chdir", Kind: Path},
		{Name: "creates", Kind: Path},
		{Name: "removes", Kind: Path},
		{Name: "stdin", Kind: String},
		{Name: "stdin_add_newline", Kind: Bool, Default: true},
		{Name: "strip_empty_ends", Kind: Bool, Default: true},
	}
	if m.shell {
		params[0].Required = true
		params = append(params, Param{Name: "executable", Kind: Path})
		return Spec{Params: params, FreeForm: "cmd"}
	}
	params = append(params,
		Param{Name: "argv", Kind: List},
		Param{Name: "expand_argument_vars", Kind: Bool, Default: true},
	)
	return Spec{
		Params:        params,
		FreeForm:      "cmd",
		RequiredOneOf: [][]string{{"cmd", "argv"}},
		Exclusive:     [][]string{{"cmd", "argv"}},
	}
}

type commandTask struct {
	shell                   bool
	text                    string   // shell: the script
	argv                    []string // command: the words
	chdir, creates, removes string
	stdin                   string
	hasStdin, addNL, strip  bool
	expand                  bool
	executable              string
}

func readCommandTask(t *Task, shell bool) (commandTask, error) {
	a := t.Args
	ct := commandTask{
		shell:      shell,
		chdir:      a.String("chdir"),
		creates:    a.String("creates"),
		removes:    a.String("removes"),
		stdin:      a.String("stdin"),
		hasStdin:   a.Has("stdin"),
		addNL:      !a.Has("stdin_add_newline") || a.Bool("stdin_add_newline"),
		strip:      !a.Has("strip_empty_ends") || a.Bool("strip_empty_ends"),
		expand:     !a.Has("expand_argument_vars") || a.Bool("expand_argument_vars"),
		executable: a.String("executable"),
	}
	for _, p := range []string{ct.chdir, ct.creates, ct.removes, ct.executable} {
		if strings.ContainsRune(p, 0) {
			return ct, fmt.Errorf("a path holds a NUL byte")
		}
	}
	if shell {
		ct.text = a.String("cmd")
		if strings.TrimSpace(ct.text) == "" {
			return ct, fmt.Errorf("no command given")
		}
		return ct, nil
	}
	if a.Has("argv") {
		ct.argv = a.List("argv")
	} else {
		argv, err := splitArgs(a.String("cmd"))
		if err != nil {
			return ct, fmt.Errorf("cmd: %v", err)
		}
		ct.argv = argv
	}
	if len(ct.argv) == 0 {
		return ct, fmt.Errorf("no command given")
	}
	return ct, nil
}

func (m commandModule) Probe(t *Task) (string, error) {
	ct, err := readCommandTask(t, m.shell)
	if err != nil {
		return "", err
	}
	if ct.creates == "" && ct.removes == "" {
		return "", nil
	}
	s := newScript()
	if ct.chdir != "" {
		s.add("if cd -- ", q(ct.chdir), " 2>/dev/null; then echo chdir=1; else echo chdir=0; exit 0; fi")
	}
	s.use("tend_exists")
	if ct.creates != "" {
		s.add("if tend_exists ", q(ct.creates), "; then echo creates=1; else echo creates=0; fi")
	}
	if ct.removes != "" {
		s.add("if tend_exists ", q(ct.removes), "; then echo removes=1; else echo removes=0; fi")
	}
	return s.String(), nil
}

func init() {
	// tend_exists PATTERN: whether a file matches, as Python's glob.glob
	// (which creates and removes use): a pattern without *, ? or [ names
	// one file, and a dangling link counts.
	helpers["tend_exists"] = `tend_exists() {
	case $1 in
	*[*?[]*)
		tend_v=$1
		set +f
		IFS=
		set -- $tend_v
		unset IFS
		set -f
		;;
	esac
	for tend_v do
		if [ -e "$tend_v" ] || [ -L "$tend_v" ]; then return 0; fi
	done
	return 1
}
`
}

// skip says why the command need not run ("" when it must).
func (ct commandTask) skip(probe Output) (stdout, msg string, err error) {
	if ct.creates == "" && ct.removes == "" {
		return "", "", nil
	}
	var found func(key string) (bool, error)
	if probe.Answers != nil {
		found = func(key string) (bool, error) { return ct.answer(probe.Answers, key) }
	} else {
		r, err := readProbe(probe)
		if err != nil {
			return "", "", err
		}
		found = r.flag
	}
	if ct.chdir != "" {
		ok, err := found("chdir")
		if err != nil {
			return "", "", err
		}
		if !ok {
			return "", "", errorf("Unable to change directory before execution: %s", ct.chdir)
		}
	}
	if ct.creates != "" {
		exists, err := found("creates")
		if err != nil {
			return "", "", err
		}
		if exists {
			return "skipped, since " + ct.creates + " exists", "Did not run command since '" + ct.creates + "' exists", nil
		}
	}
	if ct.removes != "" {
		exists, err := found("removes")
		if err != nil {
			return "", "", err
		}
		if !exists {
			return "skipped, since " + ct.removes + " does not exist", "Did not run command since '" + ct.removes + "' does not exist", nil
		}
	}
	return "", "", nil
}

func (ct commandTask) cmdValue() any {
	if ct.shell {
		return ct.text
	}
	return append([]string(nil), ct.argv...)
}

// Report is the result of a command that did not run (creates/removes).
func (m commandModule) Report(t *Task, probe Output) (Result, error) {
	ct, err := readCommandTask(t, m.shell)
	if err != nil {
		return nil, err
	}
	out, msg, err := ct.skip(probe)
	if err != nil {
		return nil, err
	}
	return Result{
		"changed": false, "rc": 0, "cmd": ct.cmdValue(), "msg": msg,
		"stdout": out, "stderr": out,
		"stdout_lines": pySplitLines(out), "stderr_lines": pySplitLines(out),
		"start": nil, "end": nil, "delta": nil,
	}, nil
}

func (m commandModule) Plan(t *Task, probe Output) (*Change, error) {
	ct, err := readCommandTask(t, m.shell)
	if err != nil {
		return nil, err
	}
	if out, _, err := ct.skip(probe); err != nil || out != "" {
		return nil, err
	}
	var nb [12]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return nil, err
	}
	nonce := "tend-" + hex.EncodeToString(nb[:]) + ":"
	var s strings.Builder
	if ct.chdir != "" {
		s.WriteString("cd -- " + q(ct.chdir) + " || { printf '%s\\n' " +
			q("Unable to change directory before execution: "+ct.chdir) + " >&2; exit 1; }\n")
	}
	// The start and end times cost a date each: left out when nothing
	// reads them (Task.Unread). The header stays: it says that the command
	// started.
	now := ` "$(` + nowCmd + `)"`
	if t.Unread {
		now = ` ''`
	}
	s.WriteString(`printf '%sstart=%s\n' ` + q(nonce) + now + "\n")
	var run string
	if ct.shell {
		sh := "/bin/sh"
		if ct.executable != "" {
			sh = ct.executable
		}
		run = q(sh) + " -c " + q(ct.text)
	} else {
		words := make([]string, len(ct.argv))
		for i, a := range ct.argv {
			if ct.expand {
				words[i] = expandWord(a)
			} else {
				words[i] = q(a)
			}
		}
		run = "( " + execWord(ct.argv[0], ct.expand) + strings.Join(words, " ") + " )"
	}
	if ct.hasStdin {
		in := ct.stdin
		if ct.addNL {
			in += "\n"
		}
		s.WriteString(printfAll([]byte(in)) + " | " + run + "\n")
	} else {
		s.WriteString(run + " </dev/null\n")
	}
	s.WriteString("tend_rc=$?\n")
	s.WriteString(`printf '\n%send=%s\n' ` + q(nonce) + now + "\n")
	// The command's status is the script's, through a function's return
	// rather than exit: the script may then share its shell.
	s.WriteString("tend_status() { return \"$1\"; }; tend_status \"$tend_rc\"\n")

	cmd := ct.cmdValue()
	strip := ct.strip
	var diffs []Diff
	return &Change{
		Diffs:        diffs,
		Apply:        s.String(),
		CheckUnknown: ct.creates == "" && ct.removes == "",
		// Its command runs in a process of its own; chdir is the one thing
		// it would leave behind.
		SharesShell: ct.chdir == "",
		Effects:     ct.effects(),
		Result: func(o Output) (Result, error) {
			return commandResult(o, nonce, cmd, strip), nil
		},
	}, nil
}

// execWord is what runs a command's program in its subshell: exec, which
// runs a program, never a builtin or function of this shell ("exit 3" is
// not a program, as under Ansible), with no process of its own. A first
// word that exec could take for an option (dash's exec knows no "--") goes
// through env instead, which costs an exec more; one with '=' runs bare,
// since env would take it for an assignment, and quoted it is none for sh.
func execWord(first string, expand bool) string {
	switch {
	case strings.Contains(first, "="):
		return ""
	case strings.HasPrefix(first, "-"), expand && strings.ContainsAny(first, "$~"):
		// An expanded word is known only on the host.
		return "env -- "
	}
	return "exec "
}

// nowCmd prints the time as Ansible does, to the microsecond where date
// knows %N (GNU), to the second elsewhere. It is not a function: in a
// command substitution, a function's last command costs a process more.
const nowCmd = `date '+%Y-%m-%d %H:%M:%S.%N'`

var stampRE = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(.*)$`)

// stamp turns nowCmd's output into Ansible's format and a time.
func stamp(s string) (string, time.Time, bool) {
	m := stampRE.FindStringSubmatch(s)
	if m == nil {
		return "", time.Time{}, false
	}
	frac := m[2]
	if len(frac) < 6 || strings.Trim(frac, "0123456789") != "" {
		frac = "000000"
	}
	frac = frac[:6]
	txt := m[1] + "." + frac
	t, err := time.Parse("2006-01-02 15:04:05.000000", txt)
	return txt, t, err == nil
}

// pyDelta formats a duration as Python's str(timedelta).
func pyDelta(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	us := d.Microseconds()
	days := us / (86400 * 1e6)
	us -= days * 86400 * 1e6
	h := us / 3600e6
	us -= h * 3600e6
	m := us / 60e6
	us -= m * 60e6
	sec := us / 1e6
	us -= sec * 1e6
	out := fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	if us != 0 {
		out += fmt.Sprintf(".%06d", us)
	}
	if days == 1 {
		out = "1 day, " + out
	} else if days > 1 {
		out = fmt.Sprintf("%d days, %s", days, out)
	}
	return out
}

func commandResult(o Output, nonce string, cmd any, strip bool) Result {
	res := Result{"cmd": cmd, "rc": o.ExitCode, "changed": true, "msg": ""}
	stdout := o.Stdout
	head := []byte(nonce + "start=")
	var startTxt, endTxt string
	var start, end time.Time
	var okS, okE bool
	if bytes.HasPrefix(stdout, head) {
		nl := bytes.IndexByte(stdout, '\n')
		startTxt, start, okS = stamp(string(stdout[len(head):nl]))
		body := stdout[nl+1:]
		tail := []byte("\n" + nonce + "end=")
		if i := bytes.LastIndex(body, tail); i >= 0 && bytes.HasSuffix(body, []byte("\n")) {
			endTxt, end, okE = stamp(string(body[i+len(tail) : len(body)-1]))
			body = body[:i]
		}
		stdout = body
	} else {
		// The command never started (chdir failed): no header.
		res["changed"] = false
	}
	out, errOut := string(stdout), string(o.Stderr)
	if strip {
		out = strings.TrimRight(out, "\r\n")
		errOut = strings.TrimRight(errOut, "\r\n")
	}
	res["stdout"], res["stderr"] = out, errOut
	res["stdout_lines"], res["stderr_lines"] = pySplitLines(out), pySplitLines(errOut)
	res["start"], res["end"], res["delta"] = nil, nil, nil
	if okS {
		res["start"] = startTxt
	}
	if okE {
		res["end"] = endTxt
	}
	if okS && okE {
		res["delta"] = pyDelta(end.Sub(start))
	}
	if o.ExitCode != 0 {
		res["failed"] = true
		res["msg"] = "non-zero return code"
		if _, ok := res["start"].(string); !ok {
			res["msg"] = strings.TrimSpace(errOut)
		}
	}
	return res
}

// pySplitLines is Python's str.splitlines().
func pySplitLines(s string) []string {
	out := []string{}
	start := 0
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= 0x80 {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			out = append(out, s[start:i])
			start = i + size
		case '\r':
			out = append(out, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				size = 2
			}
			start = i + size
		}
		i += size
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
