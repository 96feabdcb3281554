package modules

import (
	"fmt"
	"regexp"
	"strings"

	"tend/modules/hostq"
)

// blockinfileModule is Ansible's blockinfile, on lineinfile's machinery:
// questions bring back the file, Plan runs Ansible's algorithm in Go (regular
// expressions read as RE2, see pyRegexp), Apply writes atomically through
// links and refuses if the file changed in between.
type blockinfileModule struct{ asksOnly }

func init() { Register("blockinfile", blockinfileModule{}) }

func (blockinfileModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "path", Kind: Path, Required: true, Aliases: []string{"dest", "destfile", "name"}},
			{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent"}},
			{Name: "marker", Kind: String, Default: "# {mark} ANSIBLE MANAGED BLOCK"},
			{Name: "block", Kind: String, Default: "", Aliases: []string{"content"}},
			{Name: "insertafter", Kind: String},
			{Name: "insertbefore", Kind: String},
			{Name: "create", Kind: Bool, Default: false},
			{Name: "backup", Kind: Bool, Default: false},
			{Name: "validate", Kind: String},
			{Name: "marker_begin", Kind: String, Default: "BEGIN"},
			{Name: "marker_end", Kind: String, Default: "END"},
			{Name: "append_newline", Kind: Bool, Default: false},
			{Name: "prepend_newline", Kind: Bool, Default: false},
			{Name: "encoding", Kind: String, Default: "utf-8"},
			{Name: "mode", Kind: Mode},
			{Name: "owner", Kind: String},
			{Name: "group", Kind: String},
		},
		Exclusive: [][]string{{"insertbefore", "insertafter"}},
	}
}

type blockTask struct {
	path, state, block, mode, validate  string
	marker0, marker1                    string // the marker lines, with their "\n"
	insAfter, insBefore                 string
	hasAfter, hasBefore                 bool // given at all (Python's "is not None")
	ins                                 *regexp.Regexp
	multiline                           bool // ins has Python's (?m): searched in the whole file
	own                                 ownership
	create, backup, appendNL, prependNL bool
}

// pyGlobalFlags is Python's inline flags at the start of a pattern, where
// Python 3.11 requires global flags to be.
var pyGlobalFlags = regexp.MustCompile(`^\(\?[aiLmsux]+\)`)

func readBlockTask(t *Task) (blockTask, error) {
	a := t.Args
	bt := blockTask{
		path:      a.String("path"),
		state:     a.String("state"),
		block:     a.String("block"),
		mode:      a.String("mode"),
		validate:  a.String("validate"),
		insAfter:  a.String("insertafter"),
		insBefore: a.String("insertbefore"),
		hasAfter:  a.Has("insertafter"),
		hasBefore: a.Has("insertbefore"),
		own:       ownership{a.String("owner"), a.String("group")},
		create:    a.Bool("create"),
		backup:    a.Bool("backup"),
		appendNL:  a.Bool("append_newline"),
		prependNL: a.Bool("prepend_newline"),
	}
	if bt.state == "" {
		bt.state = "present"
	}
	if err := checkAbs("path", bt.path); err != nil {
		return bt, err
	}
	bt.path = cleanPath(bt.path)
	switch strings.ToLower(strings.ReplaceAll(a.String("encoding"), "-", "")) {
	case "", "utf8":
	default:
		return bt, fmt.Errorf("encoding %q: tend reads and writes files as bytes, so only utf-8 is supported", a.String("encoding"))
	}
	if bt.validate != "" && !strings.Contains(bt.validate, "%s") {
		return bt, fmt.Errorf("validate must contain %%s: %s", bt.validate)
	}
	marker := a.String("marker")
	if !a.Has("marker") {
		marker = "# {mark} ANSIBLE MANAGED BLOCK"
	}
	begin, end := a.String("marker_begin"), a.String("marker_end")
	if !a.Has("marker_begin") {
		begin = "BEGIN"
	}
	if !a.Has("marker_end") {
		end = "END"
	}
	// Python's re.sub would read backslashes in marker_begin/marker_end
	// as a template; they are taken literally here.
	bt.marker0 = strings.ReplaceAll(marker, "{mark}", begin) + "\n"
	bt.marker1 = strings.ReplaceAll(marker, "{mark}", end) + "\n"
	if !bt.hasAfter && !bt.hasBefore {
		bt.insAfter, bt.hasAfter = "EOF", true
	}
	expr, arg := "", ""
	switch {
	case bt.hasAfter && bt.insAfter != "EOF":
		expr, arg = bt.insAfter, "insertafter"
	case bt.hasBefore && bt.insBefore != "BOF":
		expr, arg = bt.insBefore, "insertbefore"
	}
	if arg != "" {
		var err error
		if bt.ins, err = pyRegexp(arg, expr); err != nil {
			return bt, err
		}
		if f := pyGlobalFlags.FindString(expr); strings.Contains(f, "m") {
			bt.multiline = true
		}
	}
	return bt, nil
}

// Questions asks for the file, its links and folders (see Asker).
func (blockinfileModule) Questions(t *Task) ([]hostq.Question, error) {
	bt, err := readBlockTask(t)
	if err != nil {
		return nil, err
	}
	return textQuestions(bt.path, bt.own, bt.create), nil
}

// blockEdit is what the algorithm works out.
type blockEdit struct {
	textFile
	after      []byte
	changed    bool
	msg        string
	notPresent bool // state=absent on a missing file
}

func (bt blockTask) edit(probe Output) (*blockEdit, error) {
	tf, err := readText(bt.path, bt.own, probe)
	if err != nil {
		return nil, err
	}
	e := &blockEdit{textFile: tf}
	present := bt.state == "present"
	if !e.exists {
		// Ansible checks create first, whatever the state.
		if !bt.create {
			return nil, errorf("Path %s does not exist !", bt.path)
		}
		if !present {
			e.notPresent = true
			e.msg = "File " + bt.path + " not present"
			return e, nil
		}
	}
	original := string(e.before)
	lines := pyBytesLines(original)
	var blocklines []string
	if present && bt.block != "" {
		block := bt.block
		if !strings.HasSuffix(block, "\n") {
			block += "\n"
		}
		blocklines = append(blocklines, bt.marker0)
		blocklines = append(blocklines, pyBytesLines(block)...)
		blocklines = append(blocklines, bt.marker1)
	}
	n0, n1 := -1, -1
	for i, l := range lines {
		if l == bt.marker0 {
			n0 = i
		}
		if l == bt.marker1 {
			n1 = i
		}
	}
	switch {
	case n0 < 0 || n1 < 0:
		n0 = -1
		switch {
		case bt.ins != nil:
			if bt.multiline {
				if m := bt.ins.FindStringIndex(original); m != nil {
					if bt.insAfter != "" {
						n0 = strings.Count(original[:m[1]], "\n")
					} else if bt.insBefore != "" {
						n0 = strings.Count(original[:m[0]], "\n")
					}
				}
			} else {
				for i, l := range lines {
					// Python's $ also matches before the line's "\n".
					if bt.ins.MatchString(l) || bt.ins.MatchString(chomp(l)) {
						n0 = i
					}
				}
			}
			if n0 < 0 {
				n0 = len(lines)
			} else if bt.hasAfter {
				n0++
			}
			// A multiline match at the very end would make Python fail
			// with an IndexError; the end of the file is meant.
			n0 = min(n0, len(lines))
		case bt.hasBefore:
			n0 = 0 // BOF
		default:
			n0 = len(lines) // EOF
		}
	case n0 < n1:
		lines = append(lines[:n0], lines[n1+1:]...)
	default:
		lines = append(lines[:n1], lines[n0+1:]...)
		n0 = n1
	}
	if n0 > 0 && !strings.HasSuffix(lines[n0-1], "\n") {
		lines[n0-1] += "\n"
	}
	insert := func(at int, add ...string) {
		out := make([]string, 0, len(lines)+len(add))
		out = append(out, lines[:at]...)
		out = append(out, add...)
		lines = append(out, lines[at:]...)
	}
	if bt.prependNL && present && n0 != 0 && lines[n0-1] != "\n" {
		insert(n0, "\n")
		n0++
	}
	insert(n0, blocklines...)
	if bt.appendNL && present {
		if after := n0 + len(blocklines); after < len(lines) && lines[after] != "\n" {
			insert(after, "\n")
		}
	}
	result := strings.Join(lines, "")
	e.after = []byte(result)
	switch {
	case e.exists && original == result:
	case !e.exists:
		e.changed, e.msg = true, "File created"
	case len(blocklines) == 0:
		e.changed, e.msg = true, "Block removed"
	default:
		e.changed, e.msg = true, "Block inserted"
	}
	return e, nil
}

func (blockinfileModule) Plan(t *Task, probe Output) (*Change, error) {
	bt, err := readBlockTask(t)
	if err != nil {
		return nil, err
	}
	e, err := bt.edit(probe)
	if err != nil || e.notPresent {
		return nil, err
	}
	return planTextEdit(e.textFile, textEdit{
		path: bt.path, after: e.after, changed: e.changed, msg: e.msg,
		mode: bt.mode, own: bt.own, backup: bt.backup, backupKey: "backup_file", validate: bt.validate,
	})
}

// Report is the result when nothing changes.
func (blockinfileModule) Report(t *Task, probe Output) (Result, error) {
	bt, err := readBlockTask(t)
	if err != nil {
		return nil, err
	}
	e, err := bt.edit(probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "msg": e.msg}, nil
}

// pyBytesLines is Python's bytes.splitlines(True), which blockinfile uses:
// lines end at "\r\n", "\n" or "\r", and keep their ends.
func pyBytesLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case '\n':
		default:
			continue
		}
		out = append(out, s[start:i+1])
		start = i + 1
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
