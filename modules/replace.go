package modules

import (
	"fmt"
	"regexp"
	"strings"
)

// replaceModule is Ansible's replace: every match of a Python regular
// expression (multi-line mode) in a file, or in the part of it between
// after and before, replaced by a template with \1, \g<1>, \g<name>. The
// probe prints the file; Plan substitutes in Go (see pyToGo for the
// regular expressions); Apply writes the result atomically, through links,
// and refuses if the file changed since the probe.
type replaceModule struct{}

func init() { Register("replace", replaceModule{}) }

func (replaceModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "path", Kind: Path, Required: true, Aliases: []string{"dest", "destfile", "name"}},
			{Name: "regexp", Kind: String, Required: true},
			{Name: "replace", Kind: String, Default: ""},
			{Name: "after", Kind: String},
			{Name: "before", Kind: String},
			{Name: "backup", Kind: Bool, Default: false},
			{Name: "validate", Kind: String},
			{Name: "encoding", Kind: String, Default: "utf-8"},
			{Name: "mode", Kind: Mode},
			{Name: "owner", Kind: String},
			{Name: "group", Kind: String},
		},
	}
}

type replaceTask struct {
	path, tmpl, mode, validate string
	re, section                *regexp.Regexp // section: nil without after/before
	sectionExpr                string         // the Python pattern, for the message
	own                        ownership
	backup                     bool
}

func readReplaceTask(t *Task) (replaceTask, error) {
	a := t.Args
	rt := replaceTask{
		path:     a.String("path"),
		tmpl:     a.String("replace"),
		mode:     a.String("mode"),
		validate: a.String("validate"),
		own:      ownership{a.String("owner"), a.String("group")},
		backup:   a.Bool("backup"),
	}
	if err := checkAbs("path", rt.path); err != nil {
		return rt, err
	}
	rt.path = cleanPath(rt.path)
	if enc := strings.ToLower(strings.ReplaceAll(a.String("encoding"), "_", "-")); enc != "" && enc != "utf-8" && enc != "utf8" {
		return rt, fmt.Errorf("encoding %s is not supported: tend edits files as UTF-8", a.String("encoding"))
	}
	if rt.validate != "" && !strings.Contains(rt.validate, "%s") {
		return rt, fmt.Errorf("validate must contain %%s: %s", rt.validate)
	}
	var err error
	if rt.re, err = compilePy("regexp", a.String("regexp"), "(?m)"); err != nil {
		return rt, err
	}
	// Ansible joins after and before into one pattern (DOTALL): each is
	// translated on its own, the group between them is Go's.
	after, before := a.String("after"), a.String("before")
	var ga, gb string
	if after != "" {
		if ga, err = pyToGo(after); err != nil {
			return rt, fmt.Errorf("after %q: %v", after, err)
		}
	}
	if before != "" {
		if gb, err = pyToGo(before); err != nil {
			return rt, fmt.Errorf("before %q: %v", before, err)
		}
	}
	switch {
	case after != "" && before != "":
		rt.sectionExpr = after + "(?P<subsection>.*?)" + before
		ga, gb = "(?:"+ga+")", "(?:"+gb+")"
		rt.section, err = regexp.Compile("(?s)" + ga + "(?P<subsection>.*?)" + gb)
	case after != "":
		rt.sectionExpr = after + "(?P<subsection>.*)"
		rt.section, err = regexp.Compile("(?s)(?:" + ga + ")(?P<subsection>.*)")
	case before != "":
		rt.sectionExpr = "(?P<subsection>.*)" + before
		rt.section, err = regexp.Compile("(?s)(?P<subsection>.*)(?:" + gb + ")")
	}
	if err != nil {
		return rt, fmt.Errorf("after/before %q: %v", rt.sectionExpr, err)
	}
	return rt, nil
}

// replaceEdit is what Plan works out.
type replaceEdit struct {
	textFile
	after   []byte
	changed bool
	msg     string
}

func (rt replaceTask) edit(probe Output) (*replaceEdit, error) {
	tf, err := readTextProbe(rt.path, probe)
	if err != nil {
		return nil, err
	}
	if !tf.exists {
		return nil, errorf("Path %s does not exist !", rt.path)
	}
	e := &replaceEdit{textFile: tf}
	contents := string(tf.before)
	section, lo, hi := contents, 0, len(contents)
	if rt.section != nil {
		m := rt.section.FindStringSubmatchIndex(contents)
		if m == nil {
			e.msg = "Pattern for before/after params did not match the given file: " + rt.sectionExpr
			return e, nil
		}
		g := rt.section.SubexpIndex("subsection")
		lo, hi = m[2*g], m[2*g+1]
		section = contents[lo:hi]
	}
	out, n, err := pySubn(rt.re, rt.tmpl, section)
	if err != nil {
		return nil, err
	}
	if n > 0 && out != section {
		e.after = []byte(contents[:lo] + out + contents[hi:])
		e.changed = true
		e.msg = fmt.Sprintf("%d replacements made", n)
	}
	return e, nil
}

// pySubn is Python's re.subn(re, tmpl, s): every match replaced by the
// expanded template, and how many there were.
func pySubn(re *regexp.Regexp, tmpl, s string) (string, int, error) {
	var b strings.Builder
	last, n := 0, 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		r, err := pyExpand(tmpl, s, m, re)
		if err != nil {
			return "", 0, fmt.Errorf("replace: %v", err)
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(r)
		last = m[1]
		n++
	}
	b.WriteString(s[last:])
	return b.String(), n, nil
}

func (m replaceModule) Probe(t *Task) (string, error) {
	rt, err := readReplaceTask(t)
	if err != nil {
		return "", err
	}
	return textProbe(rt.path, rt.own), nil
}

func (m replaceModule) Plan(t *Task, probe Output) (*Change, error) {
	rt, err := readReplaceTask(t)
	if err != nil {
		return nil, err
	}
	e, err := rt.edit(probe)
	if err != nil {
		return nil, err
	}
	return planTextEdit(e.textFile, textEdit{
		path: rt.path, after: e.after, changed: e.changed, msg: e.msg,
		mode: rt.mode, own: rt.own, backup: rt.backup, validate: rt.validate,
		backupKey: "backup_file", extra: Result{"rc": 0},
	})
}

// Report is the result when nothing changes.
func (m replaceModule) Report(t *Task, probe Output) (Result, error) {
	rt, err := readReplaceTask(t)
	if err != nil {
		return nil, err
	}
	e, err := rt.edit(probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "msg": e.msg, "rc": 0}, nil
}
