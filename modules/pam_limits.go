package modules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"tend/modules/hostq"
)

// pamLimitsModule is community.general.pam_limits: main()'s loop over
// limits.conf, in Go, on the file its questions bring back.
type pamLimitsModule struct{ asksOnly }

func init() { Register("pam_limits", pamLimitsModule{}) }

var pamItems = []string{"core", "data", "fsize", "memlock", "nofile", "rss", "stack", "cpu", "nproc", "as", "maxlogins", "maxsyslogins",
	"priority", "locks", "sigpending", "msgqueue", "nice", "rtprio", "chroot"}

func (pamLimitsModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "domain", Kind: String, Required: true},
		{Name: "limit_type", Kind: String, Required: true, Choices: []string{"soft", "hard", "-"}},
		{Name: "limit_item", Kind: String, Required: true, Choices: pamItems},
		{Name: "value", Kind: String, Required: true},
		{Name: "use_max", Kind: Bool, Default: false},
		{Name: "use_min", Kind: Bool, Default: false},
		{Name: "backup", Kind: Bool, Default: false},
		{Name: "dest", Kind: String, Default: "/etc/security/limits.conf"},
		{Name: "comment", Kind: String, Default: ""},
	}}
}

type pamTask struct {
	domain, typ, item, value, dest, comment string
	useMax, useMin, backup                  bool
}

func readPamTask(a Args) (pamTask, error) {
	p := pamTask{domain: a.String("domain"), typ: a.String("limit_type"), item: a.String("limit_item"), value: a.String("value"),
		dest: a.String("dest"), comment: a.String("comment"), useMax: a.Bool("use_max"), useMin: a.Bool("use_min"), backup: a.Bool("backup")}
	if err := checkAbs("dest", p.dest); err != nil {
		return p, err
	}
	if p.useMax && p.useMin {
		return p, fmt.Errorf("Cannot use use_min and use_max at the same time.")
	}
	for _, f := range []struct{ k, v string }{{"domain", p.domain}, {"value", p.value}, {"comment", p.comment}} {
		if strings.ContainsAny(f.v, "\n\r\x00") {
			return p, fmt.Errorf("%s must be one line", f.k)
		}
	}
	if strings.TrimSpace(p.domain) == "" || strings.ContainsAny(p.domain, " \t#") {
		return p, fmt.Errorf("domain %q is not a limits.conf domain", p.domain)
	}
	return p, pamValid(p.item, p.value, "")
}

// pamValid is _assert_is_valid_value.
func pamValid(item, value, prefix string) error {
	if item == "nice" || item == "priority" {
		n, err := pyInt(value)
		if err != nil || n < -20 || n > 19 {
			return fmt.Errorf("%s Value of '%s' for item '%s' is invalid. Value must be a number in the range -20 to 19 inclusive. "+
				"Refer to the limits.conf(5) manual pages for more details.", prefix, value, item)
		}
		return nil
	}
	if value == "unlimited" || value == "infinity" || value == "-1" || pamDigits(value) {
		return nil
	}
	return fmt.Errorf("%s Value of '%s' for item '%s' is invalid. Value must either be 'unlimited', 'infinity' or -1, all of "+
		"which indicate no limit, or a limit of 0 or larger. Refer to the limits.conf(5) manual pages for "+
		"more details.", prefix, value, item)
}

func pamDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// pyInt is Python's int() of a string: blanks around, a sign.
func pyInt(s string) (int64, error) {
	return strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "+")), 10, 64)
}

// Questions asks for the file, where its links lead, its content and
// folder (see Asker).
func (pamLimitsModule) Questions(t *Task) ([]hostq.Question, error) {
	p, err := readPamTask(t.Args)
	if err != nil {
		return nil, err
	}
	return confQuestions(p.dest), nil
}

var pamSpace = regexp.MustCompile(`\s+`)

// pamRewrite is main()'s loop: the new text, whether it changed, and msg.
// Ansible's quirks are kept, since the file's text depends on them: a
// comment not given is taken from the first line with a '#' after
// something, and the new line gets it.
func pamRewrite(content string, p pamTask) (string, bool, string, error) {
	var out strings.Builder
	changed, found := false, false
	newComment, newValue, message := p.comment, p.value, ""
	unlimited := func(v string) bool { return v == "unlimited" || v == "infinity" || v == "-1" }
	for _, line := range splitLines(content) {
		if strings.HasPrefix(line, "#") {
			out.WriteString(line)
			continue
		}
		nl := strings.TrimSpace(pamSpace.ReplaceAllString(line, " "))
		if nl == "" {
			out.WriteString(line)
			continue
		}
		nl, _, _ = strings.Cut(nl, "#")
		oldComment := ""
		if _, c, ok := strings.Cut(line, "#"); ok {
			oldComment = c
		}
		nl = strings.TrimRight(nl, " \t\n\r\f\v")
		if newComment == "" {
			newComment = oldComment
		}
		f := strings.Split(nl, " ")
		if len(f) != 4 {
			out.WriteString(line)
			continue
		}
		if err := pamValid(f[2], f[3], "Invalid configuration found in '"+p.dest+"'."); err != nil {
			return "", false, "", err
		}
		if f[0] != p.domain || f[1] != p.typ || f[2] != p.item {
			out.WriteString(line)
			continue
		}
		found = true
		actual := f[3]
		if p.value == actual {
			message = line
			out.WriteString(line)
			continue
		}
		au, vu := unlimited(actual), unlimited(p.value)
		switch {
		case p.useMax && au:
			newValue = actual
		case p.useMax && vu:
			newValue = p.value
		case p.useMax:
			a, _ := pyInt(actual)
			v, _ := pyInt(p.value)
			newValue = strconv.FormatInt(max(a, v), 10)
		case p.useMin && au && vu:
			newValue = actual
		case p.useMin && au:
			newValue = p.value
		case p.useMin && vu:
			newValue = actual
		case p.useMin:
			a, _ := pyInt(actual)
			v, _ := pyInt(p.value)
			newValue = strconv.FormatInt(min(a, v), 10)
		}
		if newValue != actual {
			changed = true
			if newComment != "" {
				newComment = "\t#" + newComment
			}
			message = p.domain + "\t" + p.typ + "\t" + p.item + "\t" + newValue + newComment + "\n"
			out.WriteString(message)
		} else {
			message = line
			out.WriteString(line)
		}
	}
	if !found {
		changed = true
		if newComment != "" {
			newComment = "\t#" + newComment
		}
		message = p.domain + "\t" + p.typ + "\t" + p.item + "\t" + newValue + newComment + "\n"
		// Ansible writes the line straight after a last line that lacks
		// its newline, joining the two; tend ends that line first.
		if s := out.String(); s != "" && !strings.HasSuffix(s, "\n") {
			out.WriteString("\n")
		}
		out.WriteString(message)
	}
	return out.String(), changed, message, nil
}

func (m pamLimitsModule) plan(t *Task, probe Output) (pamTask, confState, string, bool, string, error) {
	p, err := readPamTask(t.Args)
	if err != nil {
		return p, confState{}, "", false, "", err
	}
	c, err := readPamFile(p.dest, probe)
	if err != nil {
		return p, c, "", false, "", err
	}
	if !c.fi.Exists && !c.dirExists {
		return p, c, "", false, "", errorf("directory %s is not writable (check presence, access rights, use sudo)", dirOf(p.dest))
	}
	after, changed, msg, err := pamRewrite(c.content, p)
	// A file that is created counts as a change, even when its line was
	// all there is to write.
	return p, c, after, changed || !c.fi.Exists, msg, err
}

// readPamFile reads the file from answers.
func readPamFile(dest string, probe Output) (confState, error) {
	if probe.Answers == nil {
		return confState{}, errAsksOnly
	}
	return readConfAnswers(probe.Answers, dest)
}

func dirOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return "/"
}

func (m pamLimitsModule) Plan(t *Task, probe Output) (*Change, error) {
	p, c, after, changed, msg, err := m.plan(t, probe)
	if err != nil || !changed {
		return nil, err
	}
	s := newScript()
	if err := c.write(s, after, 0o644, p.backup); err != nil {
		return nil, err
	}
	return &Change{
		Diffs:   []Diff{{Path: p.dest, Attr: "content", Before: c.content, After: after}},
		Apply:   s.String(),
		Effects: c.effects(after, 0o644),
		Result: whenApplied(func(o Output) (Result, error) {
			res := Result{"changed": true, "msg": msg}
			if p.backup {
				r, err := parseRecords(o.Stdout)
				if err != nil {
					return nil, fmt.Errorf("apply printed something unexpected: %v", err)
				}
				if b, err := backupPath(p.dest, r); err != nil {
					return nil, err
				} else if b != "" {
					res["backup_file"] = b
				}
			}
			return res, nil
		}),
	}, nil
}

func (m pamLimitsModule) Report(t *Task, probe Output) (Result, error) {
	_, _, _, _, msg, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "msg": msg}, nil
}
