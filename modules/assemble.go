package modules

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"tend/internal/pyesc"
)

// assembleModule is Ansible's assemble: dest is the concatenation of the
// regular files in src, sorted by name, with a delimiter between them. The
// fragments are on the host (remote_src, the default), read by the probe,
// or on the controller; Plan assembles them and writes dest only when its
// content differs.
type assembleModule struct{}

func init() { Register("assemble", assembleModule{}) }

func (assembleModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "src", Kind: Path, Required: true},
		{Name: "dest", Kind: Path, Required: true},
		{Name: "delimiter", Kind: String},
		{Name: "regexp", Kind: String},
		{Name: "ignore_hidden", Kind: Bool, Default: false},
		{Name: "remote_src", Kind: Bool, Default: true},
		{Name: "backup", Kind: Bool, Default: false},
		{Name: "validate", Kind: String},
		{Name: "decrypt", Kind: Bool, Default: true},
		{Name: "mode", Kind: Mode},
		{Name: "owner", Kind: String},
		{Name: "group", Kind: String},
	}}
}

// DirSource is a FileSource that can also list a controller folder, for
// the modules whose src may be one (assemble with remote_src=no).
type DirSource interface {
	FileSource
	ReadDir(name string) ([]fs.DirEntry, error)
}

type assembleTask struct {
	src, dest, validate string
	delim               []byte
	hasDelim            bool
	match               func(string) bool
	ignoreHidden        bool
	remote, backup      bool
	mode                string
	own                 ownership
}

func readAssembleTask(t *Task) (assembleTask, error) {
	a := t.Args
	at := assembleTask{
		src: a.String("src"), dest: a.String("dest"), validate: a.String("validate"),
		ignoreHidden: a.Bool("ignore_hidden"), remote: !a.Has("remote_src") || a.Bool("remote_src"),
		backup: a.Bool("backup"), mode: a.String("mode"),
		own: ownership{a.String("owner"), a.String("group")},
	}
	if err := checkAbs("dest", at.dest); err != nil {
		return at, err
	}
	at.dest = cleanPath(at.dest)
	if at.remote {
		if err := checkAbs("src", at.src); err != nil {
			return at, err
		}
		at.src = cleanPath(at.src)
	}
	if at.validate != "" && !strings.Contains(at.validate, "%s") {
		return at, fmt.Errorf("validate must contain %%s: %s", at.validate)
	}
	if d := a.String("delimiter"); d != "" {
		at.delim, at.hasDelim = pyEscapeDecode(d), true
	}
	at.match = func(string) bool { return true }
	if a.Has("regexp") && a["regexp"] != nil {
		re, err := compilePy("regexp", a.String("regexp"), "")
		if err != nil {
			return at, fmt.Errorf("Invalid Regexp (%v) in %q", err, a.String("regexp"))
		}
		at.match = re.MatchString
	}
	return at, nil
}

// fragment is one file of src: its name and bytes.
type fragment struct {
	name string
	data []byte
}

// assemble is Ansible's assemble_from_fragments: fragments sorted by name,
// the delimiter between them (with a newline after it), and a newline
// after a fragment that lacks one when another follows.
func (at assembleTask) assemble(frags []fragment) []byte {
	sort.Slice(frags, func(i, j int) bool { return frags[i].name < frags[j].name })
	var b bytes.Buffer
	first, addNL := true, false
	for _, f := range frags {
		if !at.match(f.name) || (at.ignoreHidden && strings.HasPrefix(f.name, ".")) {
			continue
		}
		if addNL {
			b.WriteByte('\n')
		}
		if !first && at.hasDelim {
			b.Write(at.delim)
			if len(at.delim) == 0 || at.delim[len(at.delim)-1] != '\n' {
				b.WriteByte('\n')
			}
		}
		b.Write(f.data)
		first = false
		addNL = !bytes.HasSuffix(f.data, []byte("\n"))
	}
	return b.Bytes()
}

// controllerFragments reads the regular files of a controller folder.
func (at assembleTask) controllerFragments(t *Task) ([]fragment, error) {
	ds, ok := t.Files.(DirSource)
	if !ok {
		return nil, fmt.Errorf("src %s: remote_src=no needs a controller folder, which this runner cannot list", at.src)
	}
	ents, err := ds.ReadDir(at.src)
	if err != nil {
		return nil, fmt.Errorf("Source (%s) does not exist or is not a directory: %v", at.src, err)
	}
	var out []fragment
	for _, e := range ents {
		if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		b, err := ds.ReadFile(path.Join(at.src, e.Name()))
		if err != nil {
			continue // a link to a folder, or to nothing: not a file
		}
		out = append(out, fragment{e.Name(), b})
	}
	return out, nil
}

func (assembleModule) Probe(t *Task) (string, error) {
	at, err := readAssembleTask(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	s.use("tend_blob")
	if at.remote {
		src := q(at.src)
		s.stat("s", src, true, "", "")
		// Every regular file (through links, as Python's isfile), hidden
		// ones too: Plan filters and sorts. Names are printed as blobs.
		s.add("if [ -d ", src, " ]; then")
		s.add("	tend_i=0")
		s.add("	set +f")
		s.add("	for tend_f in ", src, "/* ", src, "/.*; do")
		s.add("		tend_n=${tend_f##*/}")
		s.add("		case $tend_n in .|..) continue ;; esac")
		s.add(`		[ -f "$tend_f" ] || continue`)
		s.add(`		printf 'n%s:%s\n%s\n' "$tend_i" "${#tend_n}" "$tend_n"`)
		s.add(`		tend_blob "c$tend_i" "$tend_f" || exit 1`)
		s.add("		tend_i=$((tend_i + 1))")
		s.add("	done")
		s.add("	set -f")
		s.add("	echo count=$tend_i")
		s.add("fi")
	}
	dest := q(at.dest)
	s.stat("d", dest, true, at.own.Owner, at.own.Group)
	s.add("if [ -f ", dest, " ]; then tend_blob o ", dest, " || exit 1; fi")
	s.umask()
	return s.String(), nil
}

// assembled is what Plan and Report learn: the new content and dest.
type assembled struct {
	at      assembleTask
	content []byte
	fi      fileInfo
	old     []byte
	hasOld  bool
	umask   uint32
}

func readAssembled(t *Task, probe Output) (*assembled, error) {
	at, err := readAssembleTask(t)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	as := &assembled{at: at}
	var frags []fragment
	if at.remote {
		si, err := r.stat("s")
		if err != nil {
			return nil, err
		}
		if !si.Exists {
			return nil, fmt.Errorf("Source (%s) does not exist", at.src)
		}
		if si.Type != 'd' {
			return nil, fmt.Errorf("Source (%s) is not a directory", at.src)
		}
		n, err := r.num("count")
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < n; i++ {
			k := strconv.FormatInt(i, 10)
			name, ok1 := r.blob("n" + k)
			data, ok2 := r.blob("c" + k)
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("probe: fragment %d missing", i)
			}
			frags = append(frags, fragment{string(name), data})
		}
	} else if frags, err = at.controllerFragments(t); err != nil {
		return nil, err
	}
	as.content = at.assemble(frags)
	if as.umask, err = r.umask(); err != nil {
		return nil, err
	}
	if as.fi, err = r.stat("d"); err != nil {
		return nil, err
	}
	if as.fi.Exists && as.fi.Type == 'd' {
		return nil, fmt.Errorf("dest %s is a directory", at.dest)
	}
	as.old, as.hasOld = r.blob("o")
	return as, nil
}

func (as *assembled) result(fi fileInfo) Result {
	s1 := sha1.Sum(as.content)
	m5 := md5.Sum(as.content)
	res := Result{
		"src": as.at.src, "dest": as.at.dest, "msg": "OK",
		"checksum": hex.EncodeToString(s1[:]), "md5sum": hex.EncodeToString(m5[:]),
	}
	for k, v := range pathInfo(fi) {
		res[k] = v
	}
	return res
}

func (assembleModule) Plan(t *Task, probe Output) (*Change, error) {
	as, err := readAssembled(t, probe)
	if err != nil {
		return nil, err
	}
	at, fi := as.at, as.fi
	same := as.hasOld && bytes.Equal(as.old, as.content)
	var ap attrPlan
	var diffs []Diff
	if fi.Exists {
		if ap, err = planAttrs(at.dest, fi, at.mode, at.own, as.umask, `"$tend_d"`, false); err != nil {
			return nil, err
		}
		if !same {
			diffs = append(diffs, Diff{Path: at.dest, Attr: "content", Before: string(as.old), After: string(as.content)})
		}
	} else {
		if ap, err = newAttrs(at.dest, false, at.mode, at.own, as.umask, `"$tend_d"`); err != nil {
			return nil, err
		}
		diffs = append(diffs, stateDiff(at.dest, "absent", "file"),
			Diff{Path: at.dest, Attr: "content", After: string(as.content)})
	}
	diffs = append(diffs, ap.Diffs...)
	if len(diffs) == 0 {
		return nil, nil
	}
	s := newScript()
	s.use("tend_die")
	if same {
		s.add("tend_d=", q(at.dest))
		for _, c := range ap.Cmds {
			s.add(c)
		}
	} else {
		w := fileWrite{
			Path: at.dest, Content: as.content, Mode: ap.Mode, Own: at.own,
			Backup: at.backup && fi.Exists, Validate: at.validate, IfSame: ap.Cmds,
			CheckOld: true, Old: as.old, OldAbsent: !fi.Exists,
		}
		if fi.Exists {
			w.KeepUID, w.KeepGID = fi.UID, fi.GID
		}
		if err := s.write(w); err != nil {
			return nil, err
		}
	}
	s.stat("r", `"$tend_d"`, true, "", "")
	return &Change{
		Diffs: diffs,
		Apply: s.String(),
		Result: whenApplied(func(o Output) (Result, error) {
			r, err := parseRecords(o.Stdout)
			if err != nil {
				return nil, fmt.Errorf("apply printed something unexpected: %v", err)
			}
			fi, err := r.stat("r")
			if err != nil {
				return nil, err
			}
			res := as.result(fi)
			res["changed"] = true
			if b, err := backupPath(at.dest, r); err != nil {
				return nil, err
			} else if b != "" {
				res["backup_file"] = b
			}
			return res, nil
		}),
	}, nil
}

// Report is the result when dest is already right.
func (assembleModule) Report(t *Task, probe Output) (Result, error) {
	as, err := readAssembled(t, probe)
	if err != nil {
		return nil, err
	}
	res := as.result(as.fi)
	res["changed"] = false
	return res, nil
}

// pyEscapeDecode is Python's codecs.escape_decode, which assemble applies
// to the delimiter: backslash escapes (\n, \t, \\, \xHH, octal) become
// bytes; an unknown escape stays as it is.
func pyEscapeDecode(s string) []byte {
	b, _ := pyesc.Decode(s, pyesc.Syntax{Bytes: true, Continuation: true})
	return []byte(b)
}
