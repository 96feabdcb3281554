package modules

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"tend/modules/hostq"
)

// lineinfileModule is Ansible's lineinfile. Its questions bring back the
// file (a configuration file, so small); Plan runs Ansible's algorithm on it in Go,
// with the task's Python regular expressions read as Go's (RE2, the same
// syntax without lookarounds and backreferences); Apply writes the new
// content atomically, and refuses if the file changed in between.
type lineinfileModule struct{ asksOnly }

func init() { Register("lineinfile", lineinfileModule{}) }

func (lineinfileModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "path", Kind: Path, Required: true, Aliases: []string{"dest", "destfile", "name"}},
			{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent"}},
			{Name: "regexp", Kind: String, Aliases: []string{"regex"}},
			{Name: "search_string", Kind: String},
			{Name: "line", Kind: String, Aliases: []string{"value"}},
			{Name: "insertafter", Kind: String},
			{Name: "insertbefore", Kind: String},
			{Name: "create", Kind: Bool, Default: false},
			{Name: "backup", Kind: Bool, Default: false},
			{Name: "backrefs", Kind: Bool, Default: false},
			{Name: "firstmatch", Kind: Bool, Default: false},
			{Name: "mode", Kind: Mode},
			{Name: "owner", Kind: String},
			{Name: "group", Kind: String},
			{Name: "validate", Kind: String},
		},
		Exclusive: [][]string{{"insertbefore", "insertafter"}, {"regexp", "search_string"}, {"backrefs", "search_string"}},
	}
}

// lineinfileLimit is the largest file lineinfile reads.
const lineinfileLimit = 16 << 20

type lineTask struct {
	path, state, line, search, insAfter, insBefore, mode, validate string
	hasLine, hasSearch                                             bool
	re, ins                                                        *regexp.Regexp
	own                                                            ownership
	create, backup, backrefs, firstmatch                           bool
}

func readLineTask(t *Task) (lineTask, error) {
	a := t.Args
	lt := lineTask{
		path:       a.String("path"),
		state:      a.String("state"),
		line:       a.String("line"),
		hasLine:    a.Has("line"),
		search:     a.String("search_string"),
		hasSearch:  a.Has("search_string"),
		insAfter:   a.String("insertafter"),
		insBefore:  a.String("insertbefore"),
		mode:       a.String("mode"),
		validate:   a.String("validate"),
		own:        ownership{a.String("owner"), a.String("group")},
		create:     a.Bool("create"),
		backup:     a.Bool("backup"),
		backrefs:   a.Bool("backrefs"),
		firstmatch: a.Bool("firstmatch"),
	}
	if lt.state == "" {
		lt.state = "present"
	}
	if err := checkAbs("path", lt.path); err != nil {
		return lt, err
	}
	lt.path = cleanPath(lt.path)
	if lt.validate != "" && !strings.Contains(lt.validate, "%s") {
		return lt, fmt.Errorf("validate must contain %%s: %s", lt.validate)
	}
	var err error
	if a.Has("regexp") {
		if lt.re, err = pyRegexp("regexp", a.String("regexp")); err != nil {
			return lt, err
		}
	}
	switch {
	case lt.insAfter != "" && lt.insAfter != "BOF" && lt.insAfter != "EOF":
		lt.ins, err = pyRegexp("insertafter", lt.insAfter)
	case lt.insBefore != "" && lt.insBefore != "BOF":
		lt.ins, err = pyRegexp("insertbefore", lt.insBefore)
	}
	if err != nil {
		return lt, err
	}
	if lt.state == "present" {
		if lt.backrefs && lt.re == nil {
			return lt, fmt.Errorf("regexp is required with backrefs=true")
		}
		if !lt.hasLine {
			return lt, fmt.Errorf("line is required with state=present")
		}
		if lt.insAfter == "" && lt.insBefore == "" {
			lt.insAfter = "EOF"
		}
	} else if lt.re == nil && !lt.hasSearch && !lt.hasLine {
		return lt, fmt.Errorf("one of line, search_string, or regexp is required with state=absent")
	}
	return lt, nil
}

// Questions asks for the file, its links and folders (see Asker).
func (lineinfileModule) Questions(t *Task) ([]hostq.Question, error) {
	lt, err := readLineTask(t)
	if err != nil {
		return nil, err
	}
	return textQuestions(lt.path, lt.own, lt.create), nil
}

// textProbe is the probe of the modules that edit a text file in Go and
// keep a probe (cron's cron_file, ini_file, replace): the file's
// metadata, its content, and the umask.
func textProbe(p string, own ownership) string {
	s := newScript()
	s.stat("p", q(p), true, own.Owner, own.Group)
	s.use("tend_content")
	s.add("tend_content c ", q(p), " ", strconv.Itoa(lineinfileLimit), ` -1 "$tend_sz" || exit 1`)
	s.umask()
	return s.String()
}

// textFile is what textProbe found.
type textFile struct {
	exists bool
	fi     fileInfo
	umask  uint32
	before []byte
	// From answers only (see readText): they answer for the effects;
	// real is where the write goes, through a link; names are the owner
	// and group asked for, as names.
	answers hostq.Answers
	real    string
	names   ownership
}

// readTextProbe reads textProbe's output; p must be a regular file or
// absent.
func readTextProbe(p string, probe Output) (textFile, error) {
	var tf textFile
	r, err := readProbe(probe)
	if err != nil {
		return tf, err
	}
	if tf.umask, err = r.umask(); err != nil {
		return tf, err
	}
	if tf.fi, err = r.stat("p"); err != nil {
		return tf, err
	}
	tf.exists = tf.fi.Exists
	if tf.exists {
		switch tf.fi.Type {
		case 'd':
			return tf, errorf("Path %s is a directory !", p)
		case '-':
		default:
			return tf, errorf("Path %s is a %s, not a regular file", p, tf.fi.Kind())
		}
		var ok bool
		if tf.before, ok = r.blob("c"); !ok {
			return tf, fmt.Errorf("%s is bigger than tend reads (%d MiB)", p, lineinfileLimit>>20)
		}
	}
	return tf, nil
}

// lineEdit is what Plan works out.
type lineEdit struct {
	textFile
	after      []byte
	changed    bool // content
	msg        string
	found      int
	notPresent bool // state=absent on a missing file
}

func (lt lineTask) edit(probe Output) (*lineEdit, error) {
	tf, err := readText(lt.path, lt.own, probe)
	if err != nil {
		return nil, err
	}
	e := &lineEdit{textFile: tf}
	if lt.state == "absent" {
		if !e.exists {
			e.notPresent = true
			e.msg = "file not present"
			return e, nil
		}
		lines := splitLines(string(e.before))
		kept := lines[:0:0]
		for _, l := range lines {
			if lt.matchesAbsent(l) {
				e.found++
			} else {
				kept = append(kept, l)
			}
		}
		e.after = []byte(strings.Join(kept, ""))
		e.changed = e.found > 0
		if e.changed {
			e.msg = fmt.Sprintf("%d line(s) removed", e.found)
		}
		return e, nil
	}
	if !e.exists && !lt.create {
		return nil, errorf("Destination %s does not exist !", lt.path)
	}
	lines, msg, changed, err := lt.present(splitLines(string(e.before)))
	if err != nil {
		return nil, err
	}
	e.after = []byte(strings.Join(lines, ""))
	e.changed, e.msg = changed, msg
	return e, nil
}

func (lt lineTask) matchesAbsent(l string) bool {
	switch {
	case lt.re != nil:
		return lt.re.MatchString(chomp(l))
	case lt.hasSearch:
		return strings.Contains(l, lt.search)
	}
	return lt.line == rstripCRLF(l)
}

// chomp drops the line's '\n': Python's $ matches before it, Go's only at
// the very end.
func chomp(l string) string { return strings.TrimSuffix(l, "\n") }

func rstripCRLF(l string) string { return strings.TrimRight(l, "\r\n") }

// present is Ansible's present(), on lines that keep their '\n'.
func (lt lineTask) present(lines []string) ([]string, string, bool, error) {
	const sep = "\n"
	idx := [2]int{-1, -1}
	var match []int // submatch indexes of the regexp's match, on chomp(line)
	matched := false
	exact := false
	if lt.re != nil {
		for i, l := range lines {
			if m := lt.re.FindStringSubmatchIndex(chomp(l)); m != nil {
				idx[0], match, matched = i, m, true
				if lt.firstmatch {
					break
				}
			}
		}
	}
	if lt.hasSearch {
		for i, l := range lines {
			if strings.Contains(l, lt.search) {
				idx[0], matched = i, true
				if lt.firstmatch {
					break
				}
			}
		}
	}
	if !matched {
		for i, l := range lines {
			if lt.line == rstripCRLF(l) {
				idx[0] = i
				exact = true
			} else if lt.ins != nil && lt.ins.MatchString(chomp(l)) {
				if lt.insAfter != "" {
					idx[1] = i + 1
					if lt.firstmatch {
						break
					}
				}
				if lt.insBefore != "" {
					idx[1] = i
					if lt.firstmatch {
						break
					}
				}
			}
		}
	}
	insert := func(at int, l string) []string {
		out := make([]string, 0, len(lines)+1)
		out = append(out, lines[:at]...)
		out = append(out, l)
		return append(out, lines[at:]...)
	}
	endWithSep := func() {
		if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") && !strings.HasSuffix(lines[n-1], "\r") {
			lines[n-1] += sep
		}
	}
	switch {
	case idx[0] != -1:
		newLine := lt.line
		if lt.backrefs && matched {
			l := chomp(lines[idx[0]])
			var err error
			if newLine, err = pyExpand(lt.line, l, match, lt.re); err != nil {
				return nil, "", false, err
			}
		}
		if !strings.HasSuffix(newLine, sep) {
			newLine += sep
		}
		if lt.re == nil && !lt.hasSearch && !matched && !exact {
			// Not reached: idx[0] is only set by a match or an exact line.
			return lines, "", false, nil
		}
		if lines[idx[0]] != newLine {
			lines[idx[0]] = newLine
			return lines, "line replaced", true, nil
		}
		return lines, "", false, nil
	case lt.backrefs:
		// Without a match there is nothing to fill the backreferences in.
		return lines, "", false, nil
	case lt.insBefore == "BOF" || lt.insAfter == "BOF":
		return insert(0, lt.line+sep), "line added", true, nil
	case lt.insAfter == "EOF" || idx[1] == -1:
		if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") && !strings.HasSuffix(lines[n-1], "\r") {
			lines = append(lines, sep)
		}
		return append(lines, lt.line+sep), "line added", true, nil
	case lt.insAfter != "":
		endWithSep()
		if len(lines) == idx[1] {
			if rstripCRLF(lines[idx[1]-1]) != lt.line {
				return append(lines, lt.line+sep), "line added", true, nil
			}
			return lines, "", false, nil
		}
		if lt.line != rstripCRLF(lines[idx[1]]) {
			return insert(idx[1], lt.line+sep), "line added", true, nil
		}
		return lines, "", false, nil
	default:
		return insert(idx[1], lt.line+sep), "line added", true, nil
	}
}

func (m lineinfileModule) Plan(t *Task, probe Output) (*Change, error) {
	lt, err := readLineTask(t)
	if err != nil {
		return nil, err
	}
	e, err := lt.edit(probe)
	if err != nil || e.notPresent {
		return nil, err
	}
	var extra Result
	if lt.state == "absent" {
		extra = Result{"found": e.found}
	}
	return planTextEdit(e.textFile, textEdit{
		path: lt.path, after: e.after, changed: e.changed, msg: e.msg,
		mode: lt.mode, own: lt.own, backup: lt.backup, validate: lt.validate, extra: extra,
	})
}

// textEdit is what a module that edits a text file wants of it.
type textEdit struct {
	path           string
	after          []byte
	changed        bool   // after differs from the content
	msg            string // the result's msg when the content changes
	mode, validate string
	own            ownership
	backup         bool
	backupKey      string // the result's key for the backup's path: "backup" when empty
	extra          Result // more keys for the result
}

// planTextEdit plans writing te.after over tf (atomically, through links,
// refusing if the file changed since the probe) and setting its mode and
// ownership. The result's msg is te.msg, with Ansible's words for changed
// attributes.
func planTextEdit(tf textFile, te textEdit) (*Change, error) {
	var diffs []Diff
	var ap attrPlan
	var err error
	s := newScript()
	s.use("tend_die")
	if !tf.exists {
		if ap, err = newAttrs(te.path, false, te.mode, te.own, tf.umask, `"$tend_d"`); err != nil {
			return nil, err
		}
		diffs = append(diffs, stateDiff(te.path, "absent", "file"))
	} else if ap, err = planAttrs(te.path, tf.fi, te.mode, te.own, tf.umask, `"$tend_d"`, false); err != nil {
		return nil, err
	}
	if te.changed {
		diffs = append(diffs, Diff{Path: te.path, Attr: "content", Before: string(tf.before), After: string(te.after)})
	}
	diffs = append(diffs, ap.Diffs...)
	if len(diffs) == 0 {
		return nil, nil
	}
	msg := te.msg
	if len(ap.Diffs) > 0 && tf.exists {
		if te.changed {
			msg += " and "
		}
		msg += "ownership, perms or SE linux context changed"
	}
	if te.changed {
		if !tf.exists {
			d := q(path.Dir(te.path))
			s.add("[ -d ", d, " ] || mkdir -p -- ", d, " || tend_die ", q("cannot create directory "+path.Dir(te.path)))
		}
		w := fileWrite{
			Path: te.path, Content: te.after, Mode: ap.Mode, Own: te.own,
			Backup: te.backup, Validate: te.validate,
			CheckOld: true, Old: tf.before, OldAbsent: !tf.exists, Follow: true, IfSame: ap.Cmds,
			Umask: &tf.umask,
		}
		if tf.exists {
			w.KeepUID, w.KeepGID = tf.fi.UID, tf.fi.GID
		}
		if err := s.write(w); err != nil {
			return nil, err
		}
	} else {
		// Nothing to write: the attributes are set on what the path links
		// to (chmod and chown follow). A write gives the new file its
		// owner, group and mode.
		s.add("tend_d=", q(te.path))
		for _, c := range ap.Cmds {
			s.add(c)
		}
	}
	var effects []hostq.Effect
	if tf.answers != nil {
		effects = textEffects(tf, te, ap, te.changed)
	}
	p, extra, bkey := te.path, te.extra, te.backupKey
	if bkey == "" {
		bkey = "backup"
	}
	return &Change{
		Diffs:       diffs,
		Apply:       s.String(),
		SharesShell: true,
		Result: whenApplied(func(o Output) (Result, error) {
			r, err := parseRecords(o.Stdout)
			if err != nil {
				return nil, fmt.Errorf("apply printed something unexpected: %v", err)
			}
			b, err := backupPath(p, r)
			if err != nil {
				return nil, err
			}
			res := Result{"changed": true, "msg": msg}
			if bkey == "backup" || b != "" {
				res[bkey] = b
			}
			for k, v := range extra {
				res[k] = v
			}
			return res, nil
		}),
		Effects: effects,
	}, nil
}

// Report is the result when nothing changes.
func (m lineinfileModule) Report(t *Task, probe Output) (Result, error) {
	lt, err := readLineTask(t)
	if err != nil {
		return nil, err
	}
	e, err := lt.edit(probe)
	if err != nil {
		return nil, err
	}
	res := Result{"changed": false, "msg": e.msg, "backup": ""}
	if lt.state == "absent" && !e.notPresent {
		res["found"] = e.found
	}
	return res, nil
}

// pyRegexp compiles one of the task's Python regular expressions as Go's
// (see pyToGo).
func pyRegexp(arg, expr string) (*regexp.Regexp, error) { return compilePy(arg, expr, "") }

// pyExpand is Python's match.expand(template): \1, \g<1>, \g<name>, and the
// escapes \n \t \r \f \v \a \b \\ and octal \0NN. A group that did not take
// part in the match is empty.
func pyExpand(tmpl, s string, m []int, re *regexp.Regexp) (string, error) {
	group := func(n int) (string, error) {
		if n < 0 || 2*n+1 >= len(m) {
			return "", fmt.Errorf("backrefs: invalid group reference %d", n)
		}
		if m[2*n] < 0 {
			return "", nil
		}
		return s[m[2*n]:m[2*n+1]], nil
	}
	isOct := func(c byte) bool { return c >= '0' && c <= '7' }
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '\\' || i+1 >= len(tmpl) {
			b.WriteByte(c)
			continue
		}
		i++
		c = tmpl[i]
		switch {
		case c == 'g':
			if i+1 >= len(tmpl) || tmpl[i+1] != '<' {
				return "", fmt.Errorf("backrefs: missing < after \\g")
			}
			end := strings.IndexByte(tmpl[i+2:], '>')
			if end < 0 {
				return "", fmt.Errorf("backrefs: missing > in \\g<")
			}
			name := tmpl[i+2 : i+2+end]
			i += 2 + end
			n, err := strconv.Atoi(name)
			if err != nil {
				n = re.SubexpIndex(name)
				if n < 0 {
					return "", fmt.Errorf("backrefs: unknown group name %q", name)
				}
			}
			g, err := group(n)
			if err != nil {
				return "", err
			}
			b.WriteString(g)
		case c == '0':
			// Octal: \0, \0N, \0NN.
			v, j := 0, i+1
			for ; j < len(tmpl) && j < i+3 && isOct(tmpl[j]); j++ {
				v = v*8 + int(tmpl[j]-'0')
			}
			b.WriteByte(byte(v))
			i = j - 1
		case isDigit(c):
			if i+2 < len(tmpl) && isOct(c) && isOct(tmpl[i+1]) && isOct(tmpl[i+2]) {
				v := int(c-'0')*64 + int(tmpl[i+1]-'0')*8 + int(tmpl[i+2]-'0')
				if v > 0o377 {
					return "", fmt.Errorf("backrefs: octal escape \\%s is out of range", tmpl[i:i+3])
				}
				b.WriteByte(byte(v))
				i += 2
				continue
			}
			n := int(c - '0')
			if i+1 < len(tmpl) && isDigit(tmpl[i+1]) {
				n = n*10 + int(tmpl[i+1]-'0')
				i++
			}
			g, err := group(n)
			if err != nil {
				return "", err
			}
			b.WriteString(g)
		default:
			if e, ok := pyEscapes[c]; ok {
				b.WriteByte(e)
			} else if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
				return "", fmt.Errorf("backrefs: bad escape \\%c", c)
			} else {
				b.WriteByte('\\')
				b.WriteByte(c)
			}
		}
	}
	return b.String(), nil
}

var pyEscapes = map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', 'f': '\f', 'v': '\v', 'a': '\a', 'b': '\b', '\\': '\\'}
