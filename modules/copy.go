package modules

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"tend/modules/hostq"
)

// copyModule is Ansible's copy: a file with a given content (inline, or
// a controller file) and mode, owner and group.
type copyModule struct{}

func init() { Register("copy", copyModule{}) }

func (copyModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "src", Kind: Path},
			{Name: "content", Kind: Any, NoLog: true},
			{Name: "dest", Kind: Path, Required: true},
			{Name: "mode", Kind: Mode},
			{Name: "owner", Kind: String},
			{Name: "group", Kind: String},
			{Name: "backup", Kind: Bool, Default: false},
			{Name: "force", Kind: Bool, Default: true, Aliases: []string{"thirsty"}},
			{Name: "validate", Kind: String},
			{Name: "directory_mode", Kind: Mode},
			{Name: "remote_src", Kind: Bool, Default: false},
		},
		RequiredOneOf: [][]string{{"content", "src"}},
		Exclusive:     [][]string{{"content", "src"}},
	}
}

// Contents up to inlineLimit are printed by the probe, so Plan compares
// bytes and has the diff for nothing; bigger files are compared by size
// and checksum. A task that asks for diffs reads up to diffLimit.
const (
	inlineLimit = 64 << 10
	diffLimit   = 1 << 20
)

type copyTask struct {
	src, dest, mode, dirMode, validate string
	content                            []byte
	own                                ownership
	backup, force                      bool
	trailing                           bool      // dest ends in '/': a folder, made if missing
	tree                               *copyTree // src is a controller folder (copy_tree.go)
	big                                *diskFile // src is large: streamed, not read (copy_stream.go)
}

func readCopyTask(t *Task) (copyTask, error) {
	a := t.Args
	ct := copyTask{
		src:      a.String("src"),
		dest:     a.String("dest"),
		mode:     a.String("mode"),
		dirMode:  a.String("directory_mode"),
		validate: a.String("validate"),
		own:      ownership{a.String("owner"), a.String("group")},
		backup:   a.Bool("backup"),
		force:    !a.Has("force") || a.Bool("force"),
	}
	if a.Bool("remote_src") {
		return ct, fmt.Errorf("remote_src=yes is not supported: the source must be on the controller")
	}
	if err := checkAbs("dest", ct.dest); err != nil {
		return ct, err
	}
	if ct.validate != "" && !strings.Contains(ct.validate, "%s") {
		return ct, fmt.Errorf("validate must contain %%s: %s", ct.validate)
	}
	ct.trailing = strings.HasSuffix(ct.dest, "/") && ct.dest != "/"
	ct.dest = cleanPath(ct.dest)
	if v, ok := a["content"]; ok && v != nil {
		if ct.trailing {
			return ct, fmt.Errorf("can not use content with a dir as dest")
		}
		b, err := contentBytes(v)
		if err != nil {
			return ct, err
		}
		ct.content = b
		return ct, nil
	}
	if ct.src == "" {
		return ct, fmt.Errorf("src (or content) is required")
	}
	if t.Files == nil {
		return ct, fmt.Errorf("src %s: no controller files to read from", ct.src)
	}
	var b []byte
	var err error
	if !strings.HasSuffix(ct.src, "/") {
		b, ct.big, err = readCopySrc(t.Files, ct.src)
	}
	if strings.HasSuffix(ct.src, "/") || isDirErr(err) {
		ds, ok := dirSourceOf(t)
		if !ok {
			return ct, fmt.Errorf("src %s is a directory: copying directories is not supported yet", ct.src)
		}
		ct.tree, err = readCopyTree(ds, ct.src, ct.dest)
		return ct, err
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return ct, fmt.Errorf("could not find or access '%s': %v", ct.src, err)
		}
		return ct, fmt.Errorf("src %s: %v", ct.src, err)
	}
	ct.content = b
	return ct, nil
}

// contentBytes is what Ansible writes for content: a string as it is,
// lists and dictionaries as JSON (Python's json.dumps).
func contentBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return []byte(x), nil
	case []byte:
		return x, nil
	case map[string]any, []any, []string:
		var b strings.Builder
		if err := pyJSON(&b, x); err != nil {
			return nil, fmt.Errorf("content: %v", err)
		}
		return []byte(b.String()), nil
	case bool:
		if x {
			return []byte("True"), nil
		}
		return []byte("False"), nil
	case int, int64, float64:
		return []byte(fmt.Sprint(x)), nil
	}
	return nil, fmt.Errorf("content must be a string, not %T", v)
}

// copyTarget is the file the copy writes, with where its name came from.
func (ct copyTask) into() string {
	if ct.src == "" {
		return ct.dest
	}
	return path.Join(ct.dest, path.Base(ct.src))
}

// Probe is a folder's (copy_tree.go): Questions cover a single file.
func (m copyModule) Probe(t *Task) (string, error) {
	ct, err := readCopyTask(t)
	if err != nil {
		return "", err
	}
	if ct.tree == nil {
		return "", errAsksOnly
	}
	return ct.treeProbe(t), nil
}

func init() {
	helperDeps["tend_content"] = []string{"tend_blob", "tend_sum"}
	// tend_content KEY FILE LIMIT SIZE [CURRENT]: a regular FILE's bytes (a
	// KEY blob) when it is at most LIMIT bytes long, else its checksum
	// (KEY.sum) when it is SIZE bytes long; nothing when it cannot be the
	// same. CURRENT is FILE's size when the caller knows it (tend_sz).
	helpers["tend_content"] = `tend_content() {
	[ -f "$2" ] || return 0
	tend_z=${5-}
	if [ -z "$tend_z" ]; then
		tend_z=$(ls -ldnL -- "$2") || return 1
		set -- "$1" "$2" "$3" "$4" $tend_z
		tend_z=$9
	fi
	if [ "$tend_z" -le "$3" ]; then
		tend_blob "$1" "$2" || return 1
	elif [ "$tend_z" = "$4" ]; then
		tend_z=$(tend_sum < "$2") || return 1
		printf '%s.sum=%s\n' "$1" "$tend_z"
	fi
}
`
}

// copyProbe is what Plan and Report learn from the probe.
type copyProbe struct {
	ct     copyTask
	target string
	fi     fileInfo
	dirOK  bool // the folder the file goes in exists
	umask  uint32
	// same says whether the content is already right; old is the current
	// content when the probe printed it.
	same   bool
	old    []byte
	hasOld bool
	oldSum string
	// asked says the answers to Questions made it; missing are the
	// folders a dest ending in '/' makes, names the owner and group as
	// names (known from answers only).
	asked   bool
	missing []string
	names   ownership
}

// readCopyProbe reads a single file's answers (it has no probe).
func readCopyProbe(ct copyTask, probe Output) (*copyProbe, error) {
	if probe.Answers == nil {
		return nil, errAsksOnly
	}
	return readCopyAnswers(ct, probe.Answers)
}

func (m copyModule) Plan(t *Task, probe Output) (*Change, error) {
	ct, err := readCopyTask(t)
	if err != nil {
		return nil, err
	}
	if ct.tree != nil {
		return ct.treePlan(probe)
	}
	cp, err := readCopyProbe(ct, probe)
	if err != nil {
		return nil, err
	}
	if !ct.force && cp.fi.Exists {
		return nil, nil
	}
	fi := cp.fi
	s := newScript()
	s.use("tend_die")
	var diffs []Diff
	var ap attrPlan
	if !fi.Exists {
		if !cp.dirOK && !ct.trailing {
			return nil, errorf("Destination directory %s does not exist", path.Dir(cp.target))
		}
		if !cp.dirOK {
			if err := mkdirsFor(s, path.Dir(cp.target), ct, cp.umask); err != nil {
				return nil, err
			}
		}
		if ap, err = newAttrs(cp.target, false, ct.mode, ct.own, cp.umask, `"$tend_d"`); err != nil {
			return nil, err
		}
		diffs = append(diffs, stateDiff(cp.target, "absent", "file"))
		if ct.streamed() && t.Diff {
			d, err := cp.contentDiff(true)
			if err != nil {
				return nil, err
			}
			diffs = append(diffs, d)
		} else if !ct.streamed() && (len(ct.content) <= inlineLimit || t.Diff) {
			diffs = append(diffs, Diff{Path: cp.target, Attr: "content", After: string(ct.content)})
		}
		diffs = append(diffs, ap.Diffs...)
	} else {
		if ap, err = planAttrs(cp.target, fi, ct.mode, ct.own, cp.umask, `"$tend_d"`, false); err != nil {
			return nil, err
		}
		if !cp.same {
			d, err := cp.contentDiff(t.Diff)
			if err != nil {
				return nil, err
			}
			diffs = append(diffs, d)
		}
		diffs = append(diffs, ap.Diffs...)
	}
	if len(diffs) == 0 {
		return nil, nil
	}
	var sent *sender
	if !cp.same {
		w := fileWrite{
			Path: cp.target, Content: ct.content, Mode: ap.Mode, Own: ct.own,
			Backup: ct.backup, Validate: ct.validate, IfSame: ap.Cmds, Umask: &cp.umask,
		}
		if fi.Exists {
			w.KeepUID, w.KeepGID = fi.UID, fi.GID
		}
		if ct.streamed() {
			sent, err = ct.streamWrite(s, w)
		} else {
			err = s.write(w)
		}
		if err != nil {
			return nil, err
		}
	} else {
		// Nothing to write: the attributes are set on the file itself (a
		// write gives the new file its owner, group and mode).
		s.add("tend_d=", q(cp.target))
		for _, c := range ap.Cmds {
			s.add(c)
		}
	}
	var later *LaterResult
	unread := t.Unread
	if !cp.same && !unread {
		// The write leaves a regular file there.
		later = &LaterResult{Apply: s.String(), Questions: []hostq.Question{hostq.Path{Path: cp.target, Follow: true}}}
	}
	if !unread {
		s.stat("r", `"$tend_d"`, true, "", "")
	}
	var effects []hostq.Effect
	if cp.asked {
		if effects, err = cp.effects(ap); err != nil {
			return nil, err
		}
	}
	target := cp.target
	change := &Change{
		Diffs:       diffs,
		Apply:       s.String(),
		SharesShell: true,
		Result: func(o Output) (Result, error) {
			if sent != nil {
				if err := sent.problem(o.ExitCode); err != nil {
					return Result{"failed": true, "changed": o.ExitCode == 0, "msg": err.Error()}, nil
				}
			}
			if o.ExitCode != 0 {
				return failedApply(o), nil
			}
			var fi *fileInfo
			if !unread {
				got, err := resultStat(o, target, true)
				if err != nil {
					return nil, err
				}
				fi = &got
			}
			res, err := copyResult(target, ct, fi)
			if err != nil {
				return nil, err
			}
			res["changed"] = true
			r, err := parseRecords(o.Stdout)
			if err != nil {
				return nil, fmt.Errorf("apply printed something unexpected: %v", err)
			}
			if b, err := backupPath(target, r); err != nil {
				return nil, err
			} else if b != "" {
				res["backup_file"] = b
			}
			return res, nil
		},
		Effects: effects,
		Later:   later,
	}
	if sent != nil {
		change.Stdin = sent.open
	}
	return change, nil
}

// contentDiff describes a content change: both texts when the probe
// printed the old one, sizes and checksums when it did not.
func (cp *copyProbe) contentDiff(wantDiff bool) (Diff, error) {
	d := Diff{Path: cp.target, Attr: "content"}
	if cp.hasOld && !cp.ct.streamed() && (len(cp.ct.content) <= inlineLimit || wantDiff) {
		d.Before, d.After = string(cp.old), string(cp.ct.content)
		return d, nil
	}
	d.Attr = "checksum"
	if cp.fi.Exists {
		d.Before = fmt.Sprintf("%d bytes", cp.fi.Size)
	}
	if cp.fi.Size < 0 {
		d.Before = "size known after apply" // a model's file, by digest
	}
	switch {
	case cp.oldSum != "":
		d.Before += ", " + cp.oldSum
	case cp.hasOld:
		d.Before += ", " + hostq.SHA1(cp.old)
	}
	sums, err := cp.ct.digests()
	d.After = fmt.Sprintf("%d bytes, sha1:%s", cp.ct.size(), sums.sha1)
	return d, err
}

// mkdirsFor creates dir and its missing parents, as copy does for a dest
// ending in '/': with the task's owner and group, and directory_mode.
func mkdirsFor(s *script, dir string, ct copyTask, umask uint32) error {
	ap, err := newAttrs(dir, true, ct.dirMode, ct.own, umask, `"$tend_q"`)
	if err != nil {
		return err
	}
	words := make([]string, 0, 8)
	for _, d := range parentDirs(dir) {
		words = append(words, q(d))
	}
	s.add("for tend_q in ", strings.Join(words, " "), "; do")
	s.add(`	[ -d "$tend_q" ] && continue`)
	s.add(`	mkdir -- "$tend_q" || tend_die "cannot create directory $tend_q"`)
	for _, c := range ap.Cmds {
		s.add("	", c)
	}
	s.add("done")
	return nil
}

func copyResult(target string, ct copyTask, fi *fileInfo) (Result, error) {
	sums, err := ct.digests()
	if err != nil {
		return nil, err
	}
	res := Result{
		"dest":     target,
		"checksum": sums.sha1,
		"md5sum":   sums.md5,
	}
	if ct.src != "" {
		res["src"] = ct.src
	}
	if fi != nil { // nil: nothing reads it (Task.Unread)
		for k, v := range pathInfo(*fi) {
			res[k] = v
		}
	}
	return res, nil
}

// Report reports the file when nothing changes.
func (m copyModule) Report(t *Task, probe Output) (Result, error) {
	ct, err := readCopyTask(t)
	if err != nil {
		return nil, err
	}
	if ct.tree != nil {
		return ct.treeResult(false), nil
	}
	cp, err := readCopyProbe(ct, probe)
	if err != nil {
		return nil, err
	}
	if !ct.force && cp.fi.Exists {
		return Result{"changed": false, "dest": cp.target, "src": ct.src, "msg": "file already exists"}, nil
	}
	res, err := copyResult(cp.target, ct, &cp.fi)
	if err != nil {
		return nil, err
	}
	res["changed"] = false
	return res, nil
}
