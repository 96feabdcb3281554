package modules

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"tend/modules/hostq"
)

// fileModule is Ansible's file: the state of one path (file, directory,
// symbolic or hard link, absent, touched) and its mode, owner and group.
type fileModule struct{}

func init() { Register("file", fileModule{}) }

func (fileModule) Spec() Spec {
	return Spec{Params: append([]Param{
		{Name: "path", Kind: Path, Required: true, Aliases: []string{"dest", "name"}},
		{Name: "state", Kind: String, Choices: []string{"file", "directory", "link", "hard", "touch", "absent"}},
		{Name: "mode", Kind: Mode},
		{Name: "owner", Kind: String},
		{Name: "group", Kind: String},
		{Name: "recurse", Kind: Bool, Default: false},
		{Name: "src", Kind: Path},
		{Name: "force", Kind: Bool, Default: false},
		{Name: "follow", Kind: Bool, Default: true},
	}, fileExtraParams()...)}
}

type fileTask struct {
	path, state, src, mode string
	own                    ownership
	recurse, force, follow bool
	fx                     fileExtras
	unread                 bool // Task.Unread: the result is not stat'ed
}

func readFileTask(t *Task) (fileTask, error) {
	a := t.Args
	ft := fileTask{
		path:    a.String("path"),
		state:   a.String("state"),
		src:     a.String("src"),
		mode:    a.String("mode"),
		own:     ownership{a.String("owner"), a.String("group")},
		recurse: a.Bool("recurse"),
		force:   a.Bool("force"),
		follow:  !a.Has("follow") || a.Bool("follow"),
		unread:  t.Unread,
	}
	if err := checkAbs("path", ft.path); err != nil {
		return ft, err
	}
	ft.path = cleanPath(ft.path)
	var err error
	if ft.fx, err = readFileExtras(a, ft.state); err != nil {
		return ft, err
	}
	if ft.state == "link" && (ft.fx.compareTimes() || ft.fx.mtime == "now" || ft.fx.atime == "now") {
		return ft, fmt.Errorf("modification_time and access_time with state=link are not supported yet")
	}
	if ft.recurse && ft.state != "" && ft.state != "directory" {
		return ft, fmt.Errorf("recurse option requires state to be 'directory'")
	}
	if ft.src != "" && ft.state != "link" && ft.state != "hard" {
		return ft, fmt.Errorf("src option requires state to be 'link' or 'hard'")
	}
	if ft.state == "hard" && ft.src != "" {
		if err := checkAbs("src", ft.src); err != nil {
			return ft, fmt.Errorf("%v (a hard link's src)", err)
		}
	}
	if strings.ContainsRune(ft.src, 0) {
		return ft, fmt.Errorf("src holds a NUL byte")
	}
	return ft, nil
}

// linkSource is where a symbolic link's src points, seen from the link's
// folder (what Ansible checks with force=no).
func (ft fileTask) linkSource() string {
	if path.IsAbs(ft.src) {
		return ft.src
	}
	return path.Dir(ft.path) + "/" + ft.src
}

func (m fileModule) Probe(t *Task) (string, error) {
	ft, err := readFileTask(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	p := q(ft.path)
	s.stat("p", p, false, ft.own.Owner, ft.own.Group)
	if ft.followsPath() {
		s.add("if [ -L ", p, " ]; then")
		s.stat("f", p, true, ft.own.Owner, ft.own.Group)
		s.add("fi")
	}
	if ft.state != "absent" && ft.state != "hard" {
		// A link's target: where a followed link's attributes go, in the
		// check run's model.
		s.use("tend_out")
		s.add("if [ -L ", p, " ]; then tend_out p.target readlink -- ", p, "; fi")
	}
	switch ft.state {
	case "link":
		if ft.src != "" {
			s.add("if [ -e ", q(ft.linkSource()), " ]; then echo src.exists=1; else echo src.exists=0; fi")
		}
		s.add("if [ -d ", p, " ] && [ ! -L ", p, " ]; then")
		s.add("	if [ -n \"$(ls -A -- ", p, " | head -n 1)\" ]; then echo p.empty=0; else echo p.empty=1; fi")
		s.add("fi")
	case "hard":
		if ft.src != "" {
			s.stat("s", q(ft.src), true, ft.own.Owner, ft.own.Group)
			s.add("if [ ! -L ", p, " ] && [ ", p, " -ef ", q(ft.src), " ]; then echo same=1; else echo same=0; fi")
		}
	case "directory", "":
		if ft.state == "directory" || ft.recurse {
			// How many of the folders down to the path are there: the
			// new ones are the Change's effects.
			words := make([]string, 0, 8)
			for _, d := range parentDirs(ft.path) {
				words = append(words, q(d))
			}
			if len(words) == 0 {
				s.add("echo parents=0")
			} else {
				s.add("tend_n=0; for tend_q in ", strings.Join(words, " "), `; do [ -d "$tend_q" ] || break; tend_n=$((tend_n + 1)); done; echo parents=$tend_n`)
			}
		}
		if ft.recurse {
			probeTree(s, ft)
		}
	}
	if ft.state != "absent" {
		ft.fx.probe(s, p)
	}
	s.umask()
	return s.String(), nil
}

// treeArgs are find's first arguments for the tree under the path.
func (ft fileTask) treeArgs() string {
	if ft.follow {
		return "-H " + q(ft.path)
	}
	return q(ft.path)
}

// probeTree prints whether anything under the path has another owner,
// group or mode. For a symbolic mode it prints the distinct modes found, so
// that Plan can work the new mode out for each.
func probeTree(s *script, ft fileTask) {
	s.use("tend_any")
	ta := ft.treeArgs()
	if ft.own.Owner != "" {
		s.add(`printf 'tree.owner=%s\n' "$(tend_any `, ta, ` ! -user `, q(ft.own.Owner), `)"`)
	}
	if ft.own.Group != "" {
		s.add(`printf 'tree.group=%s\n' "$(tend_any `, ta, ` ! -group `, q(ft.own.Group), `)"`)
	}
	switch {
	case ft.mode == "":
	case isOctalMode(ft.mode):
		m, _ := strconv.ParseUint(ft.mode, 8, 32)
		s.add(`printf 'tree.mode=%s\n' "$(tend_any `, ta, ` ! -type l ! -perm `, octal(uint32(m)), `)"`)
	default:
		// ls -ldn in batches; a path with a newline would split its line,
		// so those are listed one by one, keeping the first line.
		nl := q("*\n*")
		s.add(`tend_m=$( {`)
		s.add(`	find `, ta, ` ! -type l ! -path `, nl, ` -exec ls -ldn {} + | cut -d ' ' -f 1`)
		s.add(`	find `, ta, ` ! -type l -path `, nl, ` -exec sh -c 'for f do ls -ldn -- "$f" | head -n 1 | cut -d " " -f 1; done' sh {} +`)
		s.add(`} | sort -u | tr '\n' ' ')`)
		s.add(`printf 'tree.modes=%s\n' "$tend_m"`)
	}
}

func (m fileModule) Plan(t *Task, probe Output) (*Change, error) {
	ft, err := readFileTask(t)
	if err != nil {
		return nil, err
	}
	fp, err := readFileProbe(ft, probe)
	if err != nil {
		return nil, err
	}
	if fp.state != "absent" {
		// Times and attributes, set after the state's own commands.
		target := fp.attrTarget()
		created := !target.Exists && (fp.state == "touch" || fp.state == "directory")
		if target.Exists || created {
			if fp.extraDiffs, fp.extraCmds, err = ft.fx.plan(fp.seen, ft.path, created); err != nil {
				return nil, err
			}
		}
	}
	var ch *Change
	switch fp.state {
	case "absent":
		ch, err = fp.planAbsent()
	case "file":
		ch, err = fp.planFile()
	case "directory":
		ch, err = fp.planDirectory()
	case "touch":
		ch, err = fp.planTouch()
	case "link":
		ch, err = fp.planLink()
	case "hard":
		ch, err = fp.planHard()
	default:
		return nil, fmt.Errorf("unknown state %q", fp.state)
	}
	if err != nil || ch != nil || len(fp.extraCmds) == 0 {
		return ch, err
	}
	var extra Result
	switch fp.state {
	case "touch":
		extra = Result{"dest": ft.path}
	case "hard":
		extra = Result{"dest": ft.path, "src": ft.src}
	}
	ch = fp.change(fp.applyScript(), nil, extra)
	// Times and flags: nothing the model holds changes.
	ch.Effects = []hostq.Effect{fp.attrsEffect(nil, ownership{})}
	return ch, nil
}

// Report reports the path as it is when nothing changes.
func (m fileModule) Report(t *Task, probe Output) (Result, error) {
	ft, err := readFileTask(t)
	if err != nil {
		return nil, err
	}
	fp, err := readFileProbe(ft, probe)
	if err != nil {
		return nil, err
	}
	res := Result{"changed": false, "path": ft.path}
	if fp.state == "link" || fp.state == "hard" {
		res["dest"] = ft.path
		res["src"] = ft.src
	}
	fi := fp.p
	if fp.followed {
		fi = fp.f
	}
	for k, v := range pathInfo(fi) {
		res[k] = v
	}
	if fp.state == "link" && ft.src == "" && fp.p.Type == 'l' {
		res["src"] = string(fp.linkTo)
	}
	return res, nil
}

// fileProbe is what the probe (or the answers to the questions) found,
// with the state to reach.
type fileProbe struct {
	ft       fileTask
	state    string
	p, f, s  fileInfo // the path, what it links to (f, when followed), hard link's src
	followed bool
	umask    uint32
	r        *records // the probe's records (recurse reads the tree's); nil with answers
	linkTo   []byte   // a symbolic link's current target
	// srcExists (state=link with src): whether src is there; empty: the
	// path is an empty directory; same (state=hard with src): the path is
	// src's file already.
	srcExists, empty, same bool
	// parents is how many of parentDirs(path) are directories (state=directory).
	parents int
	seen    extrasSeen
	// extraDiffs and extraCmds set times and attributes (file_times.go).
	extraDiffs []Diff
	extraCmds  []string
}

func readFileProbe(ft fileTask, probe Output) (*fileProbe, error) {
	if probe.Answers != nil {
		return readFileAnswers(ft, probe.Answers)
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	fp := &fileProbe{ft: ft, state: ft.state, r: r, seen: readExtrasSeen(r)}
	if fp.umask, err = r.umask(); err != nil {
		return nil, err
	}
	if fp.p, err = r.stat("p"); err != nil {
		return nil, err
	}
	if _, ok := r.opt("f.type"); ok && fp.p.Type == 'l' {
		if fp.f, err = r.stat("f"); err != nil {
			return nil, err
		}
		fp.followed = true
	}
	if _, ok := r.opt("s.type"); ok {
		if fp.s, err = r.stat("s"); err != nil {
			return nil, err
		}
	}
	fp.linkTo, _ = r.blob("p.target")
	switch {
	case ft.state == "link" && ft.src != "":
		if fp.srcExists, err = r.flag("src.exists"); err != nil {
			return nil, err
		}
	case ft.state == "hard" && ft.src != "":
		if fp.same, err = r.flag("same"); err != nil {
			return nil, err
		}
	case ft.state == "directory" || ft.recurse:
		n, err := r.num("parents")
		if err != nil {
			return nil, err
		}
		fp.parents = int(n)
	}
	if ft.state == "link" && fp.p.Type == 'd' {
		if fp.empty, err = r.flag("p.empty"); err != nil {
			return nil, err
		}
	}
	fp.defaultState()
	return fp, nil
}

// defaultState is the state to reach when the task names none: the path's.
func (fp *fileProbe) defaultState() {
	ft := fp.ft
	if fp.state == "" {
		switch {
		case !fp.p.Exists && ft.recurse:
			fp.state = "directory"
		case !fp.p.Exists:
			fp.state = "file"
		case fp.p.Type == 'd':
			fp.state = "directory"
		case fp.p.Type == 'l' && fp.followed && fp.f.Exists && fp.f.Type == 'd':
			fp.state = "directory"
		case fp.p.Type == 'l' && fp.followed && fp.f.Exists:
			fp.state = "file"
		case fp.p.Type == 'l':
			fp.state = "link"
		default:
			fp.state = "file"
		}
	}
}

// applyScript starts an Apply script for the path.
func (fp *fileProbe) applyScript() *script {
	s := newScript()
	s.use("tend_die")
	s.add("tend_p=", q(fp.ft.path))
	return s
}

// change finishes an Apply: it prints the path's new state for Result.
func (fp *fileProbe) change(s *script, diffs []Diff, extra Result) *Change {
	follow := fp.followed || (fp.ft.follow && fp.state != "link" && fp.state != "hard" && fp.state != "absent")
	for _, c := range fp.extraCmds {
		s.add(c)
	}
	diffs = append(diffs, fp.extraDiffs...)
	p := fp.ft.path
	var later *LaterResult
	unread := fp.ft.unread
	if fp.state != "absent" && !unread {
		// A path that is not a link now is none after the apply unless
		// it makes one (state=link, whose result is the link's own): its
		// lstat, asked after a batch, is the result's.
		if !(follow && fp.p.Type == 'l') {
			later = &LaterResult{Apply: s.String(), Questions: []hostq.Question{hostq.Path{Path: p}}}
		}
		s.add(`if [ -L "$tend_p" ] && `, strconv.FormatBool(follow), `; then`)
		s.stat("r", `"$tend_p"`, true, "", "")
		s.add("else")
		s.stat("r", `"$tend_p"`, false, "", "")
		s.add("fi")
	}
	state := fp.state
	return &Change{
		Diffs:       diffs,
		Apply:       s.String(),
		Later:       later,
		SharesShell: true,
		Result: whenApplied(func(o Output) (Result, error) {
			res := Result{"changed": true, "path": p}
			for k, v := range extra {
				res[k] = v
			}
			if state == "absent" {
				res["state"] = "absent"
				return res, nil
			}
			if unread {
				return res, nil
			}
			fi, err := resultStat(o, p, false)
			if err != nil {
				return nil, err
			}
			for k, v := range pathInfo(fi) {
				res[k] = v
			}
			return res, nil
		}),
	}
}

// resultStat is the file an Apply left at p: the stat it printed as "r",
// or the answer about p (lstat'ed, or stat'ed when follow) when the
// runner asked it after the apply (Change.Later).
func resultStat(o Output, p string, follow bool) (fileInfo, error) {
	if o.Answers != nil {
		return o.Answers.Path(p, follow)
	}
	r, err := parseRecords(o.Stdout)
	if err != nil {
		return fileInfo{}, fmt.Errorf("apply printed something unexpected: %v", err)
	}
	return r.stat("r")
}

// pathInfo is what Ansible adds about a path to a result.
func pathInfo(fi fileInfo) Result {
	if !fi.Exists {
		return Result{"state": "absent"}
	}
	uid, _ := strconv.Atoi(fi.UID)
	gid, _ := strconv.Atoi(fi.GID)
	return Result{
		"state": fi.State(),
		"mode":  octal(fi.Perm),
		"uid":   uid,
		"gid":   gid,
		"owner": fi.Owner,
		"group": fi.Group,
		"size":  fi.Size,
	}
}

func stateDiff(p, before, after string) Diff {
	return Diff{Path: p, Attr: "state", Before: before, After: after}
}

func (fp *fileProbe) planAbsent() (*Change, error) {
	if !fp.p.Exists {
		return nil, nil
	}
	s := fp.applyScript()
	s.add(`rm -rf -- "$tend_p" || tend_die "rmtree failed: $tend_p"`)
	ch := fp.change(s, []Diff{stateDiff(fp.ft.path, fp.p.State(), "absent")}, nil)
	ch.Effects = []hostq.Effect{hostq.Remove{Path: fp.ft.path}}
	return ch, nil
}

// target is the file whose attributes the task sets: the path, or what it
// links to when following.
func (fp *fileProbe) attrTarget() fileInfo {
	if fp.followed {
		return fp.f
	}
	return fp.p
}

func (fp *fileProbe) planFile() (*Change, error) {
	ft := fp.ft
	fi := fp.attrTarget()
	if !fi.Exists {
		return nil, fmt.Errorf("file (%s) is absent, cannot continue", ft.path)
	}
	if fi.Type == 'd' || fi.Type == 'l' {
		return nil, fmt.Errorf("file (%s) is %s, cannot continue", ft.path, fi.State())
	}
	ap, err := planAttrs(ft.path, fi, ft.mode, ft.own, fp.umask, `"$tend_p"`, false)
	if err != nil || len(ap.Diffs) == 0 {
		return nil, err
	}
	s := fp.applyScript()
	for _, c := range ap.Cmds {
		s.add(c)
	}
	ch := fp.change(s, ap.Diffs, nil)
	ch.Effects = []hostq.Effect{fp.attrsEffect(&ap, ft.own)}
	return ch, nil
}

func (fp *fileProbe) planDirectory() (*Change, error) {
	ft := fp.ft
	fi := fp.attrTarget()
	if fp.p.Type == 'l' && !fp.followed {
		return nil, fmt.Errorf("%s already exists as a link", ft.path)
	}
	if fp.followed && !fi.Exists {
		return nil, fmt.Errorf("%s already exists as a link to a missing target", ft.path)
	}
	s := fp.applyScript()
	if !fi.Exists {
		ap, err := newAttrs(ft.path, true, ft.mode, ft.own, fp.umask, `"$tend_q"`)
		if err != nil {
			return nil, err
		}
		// Like mkdir -p, with the mode and owner on each new directory.
		words := make([]string, 0, 8)
		for _, d := range parentDirs(ft.path) {
			words = append(words, q(d))
		}
		s.add("for tend_q in ", strings.Join(words, " "), "; do")
		s.add(`	[ -d "$tend_q" ] && continue`)
		// mkdir -m sets the mode as chmod does, in the same process: POSIX
		// says so, GNU mkdir chmods when a default ACL or the umask left
		// other bits, busybox's always. Then owner and group, which leave
		// a folder's mode as it is.
		mode := ""
		if ft.mode != "" {
			mode = "-m " + chmodArg(ap.Mode) + " "
		}
		s.add(`	mkdir `, mode, `-- "$tend_q" || tend_die "cannot create directory $tend_q"`)
		for _, c := range ft.own.cmds(`"$tend_q"`, false) {
			s.add("	", c)
		}
		s.add("done")
		diffs := append([]Diff{stateDiff(ft.path, "absent", "directory")}, ap.Diffs...)
		ch := fp.change(s, diffs, nil)
		for _, d := range fp.newDirs() {
			ch.Effects = append(ch.Effects, hostq.MakeDir{Path: d, Perm: ap.Mode, Owner: ft.own.Owner, Group: ft.own.Group})
		}
		return ch, nil
	}
	if fi.Type != 'd' {
		return nil, fmt.Errorf("%s already exists as a %s", ft.path, fi.State())
	}
	ap, err := planAttrs(ft.path, fi, ft.mode, ft.own, fp.umask, `"$tend_p"`, false)
	if err != nil {
		return nil, err
	}
	diffs := ap.Diffs
	for _, c := range ap.Cmds {
		s.add(c)
	}
	if ft.recurse {
		td, err := fp.planTree(s)
		if err != nil {
			return nil, err
		}
		diffs = append(diffs, td...)
	}
	if len(diffs) == 0 {
		return nil, nil
	}
	ch := fp.change(s, diffs, nil)
	ch.Effects = []hostq.Effect{fp.attrsEffect(&ap, ft.own)}
	if len(diffs) > len(ap.Diffs) {
		// What is under the folder changes in ways only the tree would
		// tell; the folder itself stays known.
		ch.Effects = append(ch.Effects, hostq.Taint{Path: ft.path, Under: true})
		if lp := fp.linkedPath(); lp != ft.path {
			ch.Effects = append(ch.Effects, hostq.Taint{Path: lp, Under: true})
		}
	}
	return ch, nil
}

// findType is find's -type letter for ls's type character.
var findType = map[byte]string{'-': "f", 'd': "d", 'c': "c", 'b': "b", 'p': "p", 's': "s"}

// planTree adds the recursive part of state=directory, recurse=yes.
func (fp *fileProbe) planTree(s *script) ([]Diff, error) {
	ft, r := fp.ft, fp.r
	ta := ft.treeArgs()
	var diffs []Diff
	tree := ft.path + " (recursively)"
	check := func(key, kind, name, test, cmd string) error {
		if name == "" {
			return nil
		}
		v, err := r.get(key)
		if err != nil {
			return err
		}
		switch v {
		case "0":
		case "1":
			diffs = append(diffs, Diff{Path: tree, Attr: kind, Before: "differs", After: name})
			s.add("find ", ta, " ! ", test, " ", q(name), " -exec ", cmd, " -- ", q(name), ` {} + || tend_die "`, cmd, ` failed under $tend_p"`)
		case "error":
			return fmt.Errorf("%s failed: failed to look up %s %s (or find could not read the tree under %s)",
				strings.Fields(cmd)[0], map[string]string{"owner": "user", "group": "group"}[kind], name, ft.path)
		default:
			return fmt.Errorf("probe: %s=%q", key, v)
		}
		return nil
	}
	if err := check("tree.owner", "owner", ft.own.Owner, "-user", "chown -h"); err != nil {
		return nil, err
	}
	if err := check("tree.group", "group", ft.own.Group, "-group", "chgrp -h"); err != nil {
		return nil, err
	}
	switch {
	case ft.mode == "":
	case isOctalMode(ft.mode):
		v, err := r.flag("tree.mode")
		if err != nil {
			return nil, err
		}
		if v {
			m, _ := strconv.ParseUint(ft.mode, 8, 32)
			o := octal(uint32(m))
			diffs = append(diffs, Diff{Path: tree, Attr: "mode", Before: "differs", After: o})
			s.add("find ", ta, " ! -type l ! -perm ", o, " -exec chmod ", chmodArg(uint32(m)), ` {} + || tend_die "chmod failed under $tend_p"`)
		}
	default:
		v, err := r.get("tree.modes")
		if err != nil {
			return nil, err
		}
		var before, after []string
		for _, f := range strings.Fields(v) {
			typ, perm, err := parseLsMode(f)
			if err != nil {
				return nil, fmt.Errorf("probe: %v", err)
			}
			want, err := ApplyMode(ft.mode, perm, typ == 'd', fp.umask)
			if err != nil {
				return nil, err
			}
			if want == perm || typ == 'l' {
				continue
			}
			before = append(before, string(typ)+octal(perm))
			after = append(after, string(typ)+octal(want))
			s.add("find ", ta, " -type ", findType[typ], " -perm ", octal(perm), " -exec chmod ", chmodArg(want), ` {} + || tend_die "chmod failed under $tend_p"`)
		}
		if len(before) > 0 {
			diffs = append(diffs, Diff{Path: tree, Attr: "mode", Before: strings.Join(before, " "), After: strings.Join(after, " ")})
		}
	}
	return diffs, nil
}

func (fp *fileProbe) planTouch() (*Change, error) {
	ft := fp.ft
	fi := fp.attrTarget()
	s := fp.applyScript()
	var ap attrPlan
	var err error
	diffs := []Diff{stateDiff(ft.path, fi.State(), "touch")}
	if !fi.Exists {
		s.add(`touch -- "$tend_p" || tend_die "cannot touch $tend_p"`)
		diffs = []Diff{stateDiff(ft.path, "absent", "file")}
		ap, err = newAttrs(ft.path, false, ft.mode, ft.own, fp.umask, `"$tend_p"`)
	} else {
		ap, err = planAttrs(ft.path, fi, ft.mode, ft.own, fp.umask, `"$tend_p"`, false)
	}
	if err != nil {
		return nil, err
	}
	if fi.Exists && len(ap.Diffs) == 0 && len(fp.extraCmds) == 0 {
		// Times preserved (modification_time and access_time: preserve):
		// nothing to do, as Ansible's idiom for "create if missing".
		return nil, nil
	}
	for _, c := range ap.Cmds {
		s.add(c)
	}
	ch := fp.change(s, append(diffs, ap.Diffs...), Result{"dest": ft.path})
	if fi.Exists {
		ch.Effects = []hostq.Effect{fp.attrsEffect(&ap, ft.own)}
	} else {
		// touch makes the file a followed link points at, or the path.
		ch.Effects = []hostq.Effect{hostq.WriteFile{Path: fp.linkedPath(), Known: true, Perm: ap.Mode, Owner: ft.own.Owner, Group: ft.own.Group}}
	}
	return ch, nil
}

// replaceWith adds the commands that put a new link (made by mk at
// "$tend_t") in place of the path: a link to a directory is removed first,
// since mv would move into the directory.
func replaceWith(s *script, mk string, rmdir bool) {
	if rmdir {
		s.add(`if [ -d "$tend_p" ] && [ ! -L "$tend_p" ]; then rmdir -- "$tend_p" || tend_die "cannot remove directory $tend_p"; fi`)
	}
	// Where nothing is, the link is made in place: one process, not three.
	s.add(`if [ ! -e "$tend_p" ] && [ ! -L "$tend_p" ]; then tend_t=$tend_p; fi`)
	s.add(`if [ "$tend_t" != "$tend_p" ] && { [ -e "$tend_t" ] || [ -L "$tend_t" ]; }; then rm -f -- "$tend_t"; fi`)
	s.add(mk, ` || { tend_t=; tend_die "cannot create a link beside $tend_p"; }`)
	s.add(`if [ "$tend_t" != "$tend_p" ]; then`)
	s.add(`	if [ -d "$tend_p" ] && [ -L "$tend_p" ]; then rm -f -- "$tend_p"; fi`)
	s.add(`	mv -f -- "$tend_t" "$tend_p" || tend_die "cannot rename the new link to $tend_p"`)
	s.add(`fi`)
	s.add(`tend_t=`)
}

func (fp *fileProbe) planLink() (*Change, error) {
	ft := fp.ft
	p := fp.p
	extra := Result{"dest": ft.path, "src": ft.src}
	if ft.src == "" {
		if p.Type != 'l' {
			return nil, fmt.Errorf("src is required for creating new symlinks")
		}
		extra["src"] = string(fp.linkTo)
		ap, err := planAttrs(ft.path, p, "", ft.own, fp.umask, `"$tend_p"`, true)
		if err != nil || len(ap.Diffs) == 0 {
			return nil, err
		}
		s := fp.applyScript()
		for _, c := range ap.Cmds {
			s.add(c)
		}
		ch := fp.change(s, ap.Diffs, extra)
		ch.Effects = []hostq.Effect{hostq.Attrs{Path: ft.path, Owner: ft.own.Owner, Group: ft.own.Group}}
		return ch, nil
	}
	if !ft.force && !fp.srcExists {
		return nil, fmt.Errorf("src file does not exist, use \"force=yes\" if you really want to create the link: %s", ft.linkSource())
	}
	var diffs []Diff
	switch p.State() {
	case "directory":
		if !ft.force {
			return nil, fmt.Errorf("refusing to convert from directory to symlink for %s", ft.path)
		}
		if !fp.empty {
			return nil, fmt.Errorf("the directory %s is not empty, refusing to convert it", ft.path)
		}
		diffs = append(diffs, stateDiff(ft.path, "directory", "link"))
	case "file", "hard":
		if !ft.force {
			return nil, fmt.Errorf("refusing to convert from %s to symlink for %s", p.State(), ft.path)
		}
		diffs = append(diffs, stateDiff(ft.path, p.State(), "link"))
	case "absent":
		diffs = append(diffs, stateDiff(ft.path, "absent", "link"))
	case "link":
		if fp.linkTo == nil {
			return nil, fmt.Errorf("probe output lacks the link's target")
		}
		if string(fp.linkTo) != ft.src {
			diffs = append(diffs, Diff{Path: ft.path, Attr: "target", Before: string(fp.linkTo), After: ft.src})
		}
	}
	s := fp.applyScript()
	s.add("tend_t=", q(tempName(ft.path)))
	if len(diffs) == 0 {
		ap, err := planAttrs(ft.path, p, "", ft.own, fp.umask, `"$tend_p"`, true)
		if err != nil || len(ap.Diffs) == 0 {
			return nil, err
		}
		for _, c := range ap.Cmds {
			s.add(c)
		}
		ch := fp.change(s, ap.Diffs, extra)
		ch.Effects = []hostq.Effect{hostq.Attrs{Path: ft.path, Owner: ft.own.Owner, Group: ft.own.Group}}
		return ch, nil
	}
	s.add(`if [ -L "$tend_p" ] && [ "$(readlink -- "$tend_p"; echo .)" = `, q(ft.src+"\n."), ` ]; then :; else`)
	replaceWith(s, `ln -s -- `+q(ft.src)+` "$tend_t"`, ft.force)
	s.add("fi")
	for _, c := range ft.own.cmds(`"$tend_p"`, true) {
		s.add(c)
	}
	if ft.own.Owner != "" {
		diffs = append(diffs, Diff{Path: ft.path, Attr: "owner", Before: ownerBefore(p, p.Owner, p.UID), After: ft.own.Owner})
	}
	if ft.own.Group != "" {
		diffs = append(diffs, Diff{Path: ft.path, Attr: "group", Before: ownerBefore(p, p.Group, p.GID), After: ft.own.Group})
	}
	ch := fp.change(s, diffs, extra)
	ch.Effects = []hostq.Effect{hostq.Link{Path: ft.path, Target: ft.src}}
	if ft.own != (ownership{}) {
		ch.Effects = append(ch.Effects, hostq.Attrs{Path: ft.path, Owner: ft.own.Owner, Group: ft.own.Group})
	}
	return ch, nil
}

func ownerBefore(fi fileInfo, name, id string) string {
	if !fi.Exists {
		return ""
	}
	return nameOr(name, id)
}

func (fp *fileProbe) planHard() (*Change, error) {
	ft := fp.ft
	p := fp.p
	extra := Result{"dest": ft.path, "src": ft.src}
	if ft.src == "" {
		if p.State() != "hard" {
			return nil, fmt.Errorf("src is required for creating new hardlinks")
		}
		return fp.planFile()
	}
	if !fp.s.Exists {
		return nil, fmt.Errorf("src does not exist")
	}
	var diffs []Diff
	switch {
	case fp.same:
	case p.Type == 'd':
		return nil, fmt.Errorf("refusing to replace directory %s with a hard link", ft.path)
	case p.State() == "absent", p.State() == "link":
		diffs = append(diffs, stateDiff(ft.path, p.State(), "hard"))
	case !ft.force && p.State() == "hard":
		return nil, errorf("Cannot link, different hard link exists at destination")
	case !ft.force:
		return nil, errorf("Cannot link, %s exists at destination", p.State())
	default:
		diffs = append(diffs, stateDiff(ft.path, p.State(), "hard"))
	}
	// The link and src are one file: its attributes are src's.
	ap, err := planAttrs(ft.path, fp.s, ft.mode, ft.own, fp.umask, `"$tend_p"`, false)
	if err != nil {
		return nil, err
	}
	diffs = append(diffs, ap.Diffs...)
	if len(diffs) == 0 {
		return nil, nil
	}
	s := fp.applyScript()
	s.add("tend_t=", q(tempName(ft.path)))
	s.add(`if [ ! -L "$tend_p" ] && [ "$tend_p" -ef `, q(ft.src), ` ]; then :; else`)
	// ln (GNU and busybox) links a symbolic link itself; Ansible's
	// os.link links the file it leads to.
	s.add("tend_s=", q(ft.src))
	s.add(`if [ -L "$tend_s" ]; then tend_s=$(readlink -f "$tend_s" && echo .) || tend_die "cannot resolve the link $tend_s"; tend_s=${tend_s%??}; fi`)
	replaceWith(s, `ln -- "$tend_s" "$tend_t"`, false)
	s.add("fi")
	for _, c := range ap.Cmds {
		s.add(c)
	}
	ch := fp.change(s, diffs, extra)
	// src's attributes, then the path as a second name of src's file: its
	// content is src's, which the model may not know.
	ch.Effects = []hostq.Effect{hostq.Attrs{Path: ft.src, Follow: true, Perm: &ap.Mode, Owner: ft.own.Owner, Group: ft.own.Group}}
	if fp.same {
		ch.Effects = append(ch.Effects, hostq.Attrs{Path: ft.path, Perm: &ap.Mode, Owner: ft.own.Owner, Group: ft.own.Group})
	} else {
		o, g := ft.own.Owner, ft.own.Group
		if o == "" {
			o = nameOr(fp.s.Owner, fp.s.UID)
		}
		if g == "" {
			g = nameOr(fp.s.Group, fp.s.GID)
		}
		ch.Effects = append(ch.Effects, hostq.WriteFile{Path: ft.path, Perm: ap.Mode, Owner: o, Group: g})
	}
	return ch, nil
}
