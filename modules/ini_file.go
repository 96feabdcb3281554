package modules

import (
	"fmt"
	"regexp"
	"strings"
)

// iniFileModule is community.general's ini_file (as of 8.x: with
// ignore_spaces and modify_inactive_option). The probe prints the file;
// Plan runs ini_file's do_ini on its lines in Go, step by step as
// ini_file.py does (its quirks included: a new file starts with a blank
// line before its first section, and options outside any section go
// before the first blank line at the top); Apply writes the result
// atomically and refuses if the file changed since the probe. As Python
// reads the file with universal newlines, a rewritten file has "\n" line
// ends and no UTF-8 byte order mark. tend always writes through a
// symbolic link (Ansible's follow=true); section_has and exact_value are
// not supported.
type iniFileModule struct{}

func init() {
	Register("ini_file", iniFileModule{})
	// Ansible 2.14 routes the short name to community.general's.
}

func (iniFileModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "path", Kind: Path, Required: true, Aliases: []string{"dest"}},
			{Name: "section", Kind: String},
			{Name: "option", Kind: String},
			{Name: "value", Kind: String},
			{Name: "values", Kind: List},
			{Name: "state", Kind: String, Default: "present", Choices: []string{"absent", "present"}},
			{Name: "exclusive", Kind: Bool, Default: true},
			{Name: "no_extra_spaces", Kind: Bool, Default: false},
			{Name: "ignore_spaces", Kind: Bool, Default: false},
			{Name: "allow_no_value", Kind: Bool, Default: false},
			{Name: "modify_inactive_option", Kind: Bool, Default: true},
			{Name: "create", Kind: Bool, Default: true},
			{Name: "follow", Kind: Bool, Default: false},
			{Name: "backup", Kind: Bool, Default: false},
			{Name: "mode", Kind: Mode},
			{Name: "owner", Kind: String},
			{Name: "group", Kind: String},
		},
		Exclusive: [][]string{{"value", "values"}},
	}
}

type iniTask struct {
	path, section, option, state, mode                   string
	hasOption                                            bool
	values                                               []string
	own                                                  ownership
	exclusive, noExtraSpaces, ignoreSpaces, allowNoValue bool
	modifyInactive, create, backup                       bool
	optRe, activeRe                                      *regexp.Regexp // match_opt, match_active_opt
}

func boolOr(a Args, name string, def bool) bool {
	if !a.Has(name) {
		return def
	}
	return a.Bool(name)
}

func readIniTask(t *Task) (iniTask, error) {
	a := t.Args
	it := iniTask{
		path:           a.String("path"),
		section:        a.String("section"),
		option:         a.String("option"),
		hasOption:      a.Has("option"),
		state:          a.String("state"),
		mode:           a.String("mode"),
		own:            ownership{a.String("owner"), a.String("group")},
		exclusive:      boolOr(a, "exclusive", true),
		noExtraSpaces:  a.Bool("no_extra_spaces"),
		ignoreSpaces:   a.Bool("ignore_spaces"),
		allowNoValue:   a.Bool("allow_no_value"),
		modifyInactive: boolOr(a, "modify_inactive_option", true),
		create:         boolOr(a, "create", true),
		backup:         a.Bool("backup"),
	}
	if it.state == "" {
		it.state = "present"
	}
	if err := checkAbs("path", it.path); err != nil {
		return it, err
	}
	it.path = cleanPath(it.path)
	if it.state == "present" && !it.allowNoValue && !a.Has("value") && len(a.List("values")) == 0 {
		return it, fmt.Errorf("Parameter 'value(s)' must be defined if state=present and allow_no_value=False.")
	}
	raw := a.List("values")
	if a.Has("value") {
		raw = []string{a.String("value")}
	}
	for _, v := range raw {
		if !containsStr(it.values, v) {
			it.values = append(it.values, v)
		}
	}
	for _, v := range append([]string{it.section, it.option}, it.values...) {
		if strings.ContainsAny(v, "\n\r") {
			return it, fmt.Errorf("section, option and values must be one line each")
		}
	}
	o := regexp.QuoteMeta(it.option)
	it.optRe = regexp.MustCompile(`^([#;]?)[ \t]*` + o + `[ \t]*(=|$)[ \t]*(.*)`)
	it.activeRe = regexp.MustCompile(`^()[ \t]*` + o + `[ \t]*(=|$)[ \t]*(.*)`)
	return it, nil
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// iniFake is ini_file's made-up first section, for the lines before any.
const iniFake = "ad01e11446efb704fcdbdb21f2c43757423d91c5"

var iniBlankOrComment = regexp.MustCompile(`^[ \t]*([#;].*)?$`)

// match is re.match(PATTERN, line) on a line that keeps its "\n": the
// value group (.*) stops before it, as Python's does.
func iniMatch(re *regexp.Regexp, line string) []string {
	return re.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
}

// universalNewlines is how Python's text mode reads a file: "\r\n" and
// "\r" become "\n", and utf-8-sig drops a byte order mark.
func universalNewlines(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// doIni is do_ini: the new text, whether it changed, and the message.
func (it iniTask) doIni(before string) (string, bool, string) {
	values := append([]string(nil), it.values...)
	lines := splitLines(universalNewlines(before))
	changed := false
	if len(lines) == 0 {
		lines = []string{"\n"}
	}
	if last := lines[len(lines)-1]; !strings.HasSuffix(last, "\n") {
		lines[len(lines)-1] += "\n"
		changed = true
	}
	lines = append([]string{"[" + iniFake + "]"}, lines...)
	lines = append(lines, "[")
	section := it.section
	if section == "" {
		section = iniFake
	}
	msg := "OK"
	assign := func(opt, v string) string {
		if it.noExtraSpaces {
			return opt + "=" + v + "\n"
		}
		return opt + " = " + v + "\n"
	}
	optionNoValuePresent := false
	sectionRe := regexp.MustCompile(`^\[[\s\v]*` + regexp.QuoteMeta(strings.TrimSpace(section)) + `[\s\v]*]`)
	within := false
	start, end := 0, 0
	for i, l := range lines {
		if sectionRe.MatchString(l) {
			within, start = true, i
		} else if strings.HasPrefix(l, "[") && within {
			end = i
			break
		}
	}
	head := append([]string(nil), lines[:start]...)
	sec := append([]string(nil), lines[start:end]...)
	tail := append([]string(nil), lines[end:]...)
	changedLines := make([]bool, len(sec))
	match := it.activeRe
	if it.modifyInactive {
		match = it.optRe
	}
	update := func(i int, newline string) {
		var optionChanged, decided bool
		if it.ignoreSpaces {
			if old := iniMatch(it.optRe, sec[i]); old != nil && old[1] == "" {
				nw := iniMatch(it.optRe, newline)
				optionChanged, decided = nw == nil || old[3] != nw[3], true
			}
		}
		if !decided {
			optionChanged = sec[i] != newline
		}
		if optionChanged {
			sec[i] = newline
			changed = true
			msg = "option changed"
		}
		changedLines[i] = true
	}
	removeValue := func(v string) {
		for j, x := range values {
			if x == v {
				values = append(values[:j], values[j+1:]...)
				return
			}
		}
	}
	hasOpt := it.option != ""
	if it.state == "present" && hasOpt {
		for i, l := range sec {
			m := iniMatch(match, l)
			if m == nil {
				continue
			}
			if len(values) > 0 && containsStr(values, m[3]) {
				v := m[3]
				if v == "" && it.allowNoValue {
					update(i, it.option+"\n")
					optionNoValuePresent = true
				} else {
					update(i, assign(it.option, v))
				}
				removeValue(v)
			} else if len(values) == 0 && it.allowNoValue {
				update(i, it.option+"\n")
				optionNoValuePresent = true
				break
			}
		}
	}
	if it.state == "present" && it.exclusive && !it.allowNoValue && hasOpt {
		if len(values) > 0 {
			for i, l := range sec {
				if !changedLines[i] && iniMatch(match, l) != nil {
					v := values[0]
					values = values[1:]
					update(i, assign(it.option, v))
					if len(values) == 0 {
						break
					}
				}
			}
		}
		for i := len(sec) - 1; i > 0; i-- {
			if !changedLines[i] && iniMatch(match, sec[i]) != nil {
				sec = append(sec[:i], sec[i+1:]...)
				changedLines = append(changedLines[:i], changedLines[i+1:]...)
				changed = true
				msg = "option changed"
			}
		}
	}
	if it.state == "present" {
		for i := len(sec); i > 0; i-- {
			if iniBlankOrComment.MatchString(strings.TrimSuffix(sec[i-1], "\n")) {
				continue
			}
			var ins []string
			if hasOpt && len(values) > 0 {
				for _, v := range values {
					ins = append(ins, assign(it.option, v))
				}
			} else if hasOpt && len(values) == 0 && it.allowNoValue && !optionNoValuePresent {
				ins = []string{it.option + "\n"}
			}
			if len(ins) > 0 {
				sec = append(sec[:i], append(ins, sec[i:]...)...)
				msg = "option added"
				changed = true
			}
			break
		}
	}
	if it.state == "absent" {
		if hasOpt {
			var kept []string
			for _, l := range sec {
				m := iniMatch(it.activeRe, l)
				drop := m != nil && (it.exclusive || containsStr(values, m[3]))
				if !drop {
					kept = append(kept, l)
				}
			}
			if (it.exclusive || len(values) > 0) && len(kept) != len(sec) {
				sec = kept
				changed = true
				msg = "option changed"
			}
		} else if len(sec) > 0 {
			sec = nil
			msg = "section removed"
			changed = true
		}
	}
	out := append(append(head, sec...), tail...)
	out = out[1 : len(out)-1]
	if !within && it.state == "present" {
		out = append(out, "["+section+"]\n")
		msg = "section and option added"
		switch {
		case hasOpt && len(values) > 0:
			for _, v := range values {
				out = append(out, assign(it.option, v))
			}
		case hasOpt && it.allowNoValue:
			out = append(out, it.option+"\n")
		default:
			msg = "only section added"
		}
		changed = true
	}
	return strings.Join(out, ""), changed, msg
}

func (m iniFileModule) Probe(t *Task) (string, error) {
	it, err := readIniTask(t)
	if err != nil {
		return "", err
	}
	return textProbe(it.path, it.own), nil
}

// iniEdit is what Plan and Report work out.
type iniEdit struct {
	textFile
	after   string
	changed bool
	msg     string
}

func (it iniTask) edit(probe Output) (*iniEdit, error) {
	tf, err := readTextProbe(it.path, probe)
	if err != nil {
		return nil, err
	}
	if !tf.exists && !it.create {
		return nil, errorf("Destination %s does not exist!", it.path)
	}
	after, changed, msg := it.doIni(string(tf.before))
	return &iniEdit{textFile: tf, after: after, changed: changed, msg: msg}, nil
}

func (m iniFileModule) Plan(t *Task, probe Output) (*Change, error) {
	it, err := readIniTask(t)
	if err != nil {
		return nil, err
	}
	e, err := it.edit(probe)
	if err != nil {
		return nil, err
	}
	if !e.exists && !e.changed {
		return nil, nil
	}
	ch, err := planTextEdit(e.textFile, textEdit{
		path: it.path, after: []byte(e.after), changed: e.changed, msg: e.msg,
		mode: it.mode, own: it.own, backup: it.backup, backupKey: "backup_file",
		extra: Result{"path": it.path},
	})
	if ch == nil || err != nil {
		return ch, err
	}
	// ini_file's msg says nothing of attributes.
	inner, msg := ch.Result, e.msg
	ch.Result = func(o Output) (Result, error) {
		res, err := inner(o)
		if err == nil && res["failed"] != true {
			res["msg"] = msg
		}
		return res, err
	}
	return ch, nil
}

// Report is the result when nothing changes.
func (m iniFileModule) Report(t *Task, probe Output) (Result, error) {
	it, err := readIniTask(t)
	if err != nil {
		return nil, err
	}
	e, err := it.edit(probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "msg": e.msg, "path": it.path}, nil
}
