package modules

import (
	"fmt"
	"path"
	"strings"
)

// tempfileModule is Ansible's tempfile: a new, private file or folder
// with a unique name, every time (it always changes).
type tempfileModule struct{}

func init() { Register("tempfile", tempfileModule{}) }

func (tempfileModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "state", Kind: String, Default: "file", Choices: []string{"file", "directory"}},
		{Name: "path", Kind: Path},
		{Name: "prefix", Kind: String, Default: "ansible."},
		{Name: "suffix", Kind: String, Default: ""},
	}}
}

type tempfileTask struct {
	dir, prefix, suffix string
	isDir               bool
}

func readTempfileTask(t *Task) (tempfileTask, error) {
	a := t.Args
	tt := tempfileTask{dir: a.String("path"), prefix: "ansible.", suffix: a.String("suffix"), isDir: a.String("state") == "directory"}
	if a.Has("prefix") {
		tt.prefix = a.String("prefix")
	}
	if tt.dir != "" {
		if err := checkAbs("path", tt.dir); err != nil {
			return tt, err
		}
		tt.dir = cleanPath(tt.dir)
	}
	// A slash would put the file in another folder (as mkstemp would),
	// which is not what a prefix is for.
	for _, s := range []string{tt.prefix, tt.suffix} {
		if strings.ContainsAny(s, "/\x00") {
			return tt, fmt.Errorf("prefix and suffix may not hold '/' or NUL: %q", s)
		}
	}
	return tt, nil
}

// The temporary folder is the host's: nothing to probe.
func (tempfileModule) Probe(t *Task) (string, error) {
	_, err := readTempfileTask(t)
	return "", err
}

func (tempfileModule) Plan(t *Task, _ Output) (*Change, error) {
	tt, err := readTempfileTask(t)
	if err != nil {
		return nil, err
	}
	s := newScript()
	s.use("tend_die")
	if tt.dir != "" {
		s.add("tend_q=", q(tt.dir))
	} else {
		// Python's tempfile.gettempdir: $TMPDIR, else /tmp.
		s.add("tend_q=${TMPDIR:-/tmp}")
	}
	s.add("tend_p=", q(tt.prefix), " tend_s=", q(tt.suffix))
	// mktemp when there is one and no suffix (POSIX has no mktemp, and
	// busybox's takes no --suffix); else names from the shell's pid and a
	// counter, made exclusively: set -C (O_EXCL) for a file, mkdir for a
	// folder, so a name taken (or a planted link) is never used.
	mk := `( umask 077; set -C; : > "$tend_r" ) 2>/dev/null`
	d, kind := "", "file"
	if tt.isDir {
		mk, d, kind = `mkdir -m 700 -- "$tend_r" 2>/dev/null`, "-d ", "directory"
	}
	s.add(`tend_r=`)
	s.add(`if [ -z "$tend_s" ] && command -v mktemp >/dev/null 2>&1; then`)
	s.add(`	tend_r=$(mktemp `, d, `-- "$tend_q/${tend_p}XXXXXXXX") || tend_r=`)
	s.add(`fi`)
	s.add(`if [ -z "$tend_r" ]; then`)
	s.add(`	[ -d "$tend_q" ] || tend_die "[Errno 2] No such file or directory: $tend_q"`)
	s.add(`	tend_i=0`)
	s.add(`	while :; do`)
	s.add(`		tend_r=$tend_q/$tend_p$$.$tend_i$tend_s`)
	s.add(`		if `, mk, `; then break; fi`)
	s.add(`		tend_i=$((tend_i + 1))`)
	s.add(`		[ "$tend_i" -lt 1000 ] || tend_die "cannot create a temporary `, kind, ` in $tend_q"`)
	s.add(`	done`)
	s.add(`fi`)
	s.add(`printf 'path:%s\n%s\n' "${#tend_r}" "$tend_r"`)
	dir := tt.dir
	if dir == "" {
		dir = "/tmp"
	}
	// What check mode reports: the name's shape, not the name.
	predicted := path.Join(dir, tt.prefix+"XXXXXXXX"+tt.suffix)
	return &Change{
		Diffs: []Diff{stateDiff(predicted, "absent", kind)},
		Apply: s.String(),
		Result: whenApplied(func(o Output) (Result, error) {
			r, err := parseRecords(o.Stdout)
			if err != nil {
				return nil, fmt.Errorf("apply printed something unexpected: %v", err)
			}
			p, ok := r.blob("path")
			if !ok {
				return nil, fmt.Errorf("apply printed no path")
			}
			return Result{"changed": true, "path": string(p)}, nil
		}),
	}, nil
}
