package modules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// statModule is Ansible's stat: it changes nothing, and its result is what
// the probe read (see Reader).
type statModule struct{}

func init() { Register("stat", statModule{}) }

func (statModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "path", Kind: Path, Required: true, Aliases: []string{"dest", "name"}},
		{Name: "follow", Kind: Bool, Default: false},
		{Name: "get_checksum", Kind: Bool, Default: true},
		{Name: "checksum_algorithm", Kind: String, Default: "sha1", Aliases: []string{"checksum", "checksum_algo"},
			Choices: []string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512"}},
		// Accepted for compatibility; tend reports neither.
		{Name: "get_mime", Kind: Bool, Default: true, Aliases: []string{"mime", "mime_type", "mime-type"}},
		{Name: "get_attributes", Kind: Bool, Default: true, Aliases: []string{"attr", "attributes"}},
	}}
}

type statTask struct {
	path, algo          string
	follow, getChecksum bool
}

func readStatTask(t *Task) (statTask, error) {
	a := t.Args
	st := statTask{
		path:        a.String("path"),
		algo:        a.String("checksum_algorithm"),
		follow:      a.Bool("follow"),
		getChecksum: !a.Has("get_checksum") || a.Bool("get_checksum"),
	}
	if st.algo == "" {
		st.algo = "sha1"
	}
	if err := checkAbs("path", st.path); err != nil {
		return st, err
	}
	return st, nil
}

func init() {
	// tend_out KEY COMMAND...: the command's output, less the newline it
	// ends with, as a blob; nothing when the command fails.
	helpers["tend_out"] = `tend_out() {
	tend_k=$1
	shift
	tend_v=$("$@" 2>/dev/null && echo .) || return 0
	tend_v=${tend_v%??}
	printf '%s:%s\n%s\n' "$tend_k" "$(printf '%s' "$tend_v" | wc -c)" "$tend_v"
}
`
	// tend_extra PATH [L]: what stat reports beyond ls: inode, times and
	// device (stat -c, stat -f or date -r, whichever there is), access for
	// this user, and owner and group names that ls may have cut short.
	helpers["tend_extra"] = `tend_extra() {
	tend_v=$(ls -ldi${2-} -- "$1") || return 1
	set -- "$1" "${2-}" $tend_v
	printf 's.inode=%s\n' "$3"
	if tend_v=$(stat ${2:+-L} -c '%X %Y %Z %d' -- "$1" 2>/dev/null); then printf 's.times=%s\n' "$tend_v"
	elif tend_v=$(stat ${2:+-L} -f '%a %m %c %d' "$1" 2>/dev/null); then printf 's.times=%s\n' "$tend_v"
	elif tend_v=$(date -r "$1" +%s 2>/dev/null); then printf 's.mtime=%s\n' "$tend_v"
	fi
	if [ -r "$1" ]; then echo s.readable=1; else echo s.readable=0; fi
	if [ -w "$1" ]; then echo s.writeable=1; else echo s.writeable=0; fi
	if [ -x "$1" ]; then echo s.executable=1; else echo s.executable=0; fi
	tend_v=$(ls -ldn${2-} -- "$1") || return 1
	set -- $tend_v
	if tend_v=$(id -un -- "$3" 2>/dev/null); then printf 's.pw_name=%s\n' "$tend_v"; fi
	if tend_v=$(getent group "$4" 2>/dev/null); then printf 's.gr_name=%s\n' "${tend_v%%:*}"; fi
	return 0
}
`
	// tend_digest ALGORITHM FILE: the file's digest as s.checksum, with
	// md5sum/sha1sum/..., shasum or openssl; nothing when none is there.
	helpers["tend_digest"] = `tend_digest() {
	if command -v "$1sum" >/dev/null 2>&1; then tend_v=$("$1sum" < "$2") || return 1
	elif [ "$1" != md5 ] && command -v shasum >/dev/null 2>&1; then tend_v=$(shasum -a "${1#sha}" < "$2") || return 1
	elif command -v openssl >/dev/null 2>&1; then tend_v=$(openssl dgst -"$1" -r < "$2") || return 1
	else return 0
	fi
	set -- $tend_v
	printf 's.checksum=%s\n' "$1"
}
`
}

func (m statModule) Probe(t *Task) (string, error) {
	st, err := readStatTask(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	p := q(st.path)
	s.stat("s", p, st.follow, "", "")
	l := ""
	exists := "[ -e " + p + " ] || [ -L " + p + " ]"
	if st.follow {
		l = " L"
		exists = "[ -e " + p + " ]"
	}
	s.use("tend_extra", "tend_out")
	s.add("if ", exists, "; then")
	s.add("	tend_extra ", p, l, " || exit 1")
	if !st.follow {
		s.add("	if [ -L ", p, " ]; then tend_out s.target readlink -- ", p, "; tend_out s.source realpath ", p, "; fi")
	}
	if st.getChecksum {
		// Of a regular file only: not of a link, unless following.
		notLink := ""
		if !st.follow {
			notLink = " && [ ! -L " + p + " ]"
		}
		s.use("tend_digest")
		s.add("	if [ -f ", p, " ] && [ -r ", p, " ]", notLink, "; then tend_digest ", st.algo, " ", p, " || exit 1; fi")
	}
	s.add("fi")
	return s.String(), nil
}

// Plan: stat changes nothing.
func (m statModule) Plan(t *Task, probe Output) (*Change, error) {
	if _, err := readStatTask(t); err != nil {
		return nil, err
	}
	if probe.Answers != nil {
		return nil, nil
	}
	if _, err := readProbe(probe); err != nil {
		return nil, err
	}
	return nil, nil
}

// statKeys are the keys of stat's result that the path's metadata tells.
func statKeys(p string, fi fileInfo) map[string]any {
	m := fi.Perm
	s := map[string]any{
		"exists": true,
		"path":   p,
		"mode":   octal(m),
		"isdir":  fi.Type == 'd',
		"ischr":  fi.Type == 'c',
		"isblk":  fi.Type == 'b',
		"isreg":  fi.Type == '-',
		"isfifo": fi.Type == 'p',
		"islnk":  fi.Type == 'l',
		"issock": fi.Type == 's',
		"size":   fi.Size,
		"nlink":  fi.Nlink,
		"rusr":   m&0o400 != 0, "wusr": m&0o200 != 0, "xusr": m&0o100 != 0,
		"rgrp": m&0o040 != 0, "wgrp": m&0o020 != 0, "xgrp": m&0o010 != 0,
		"roth": m&0o004 != 0, "woth": m&0o002 != 0, "xoth": m&0o001 != 0,
		"isuid": m&sUID != 0, "isgid": m&sGID != 0,
	}
	// Ids and size are unknown for a file a check run only predicts
	// (an owner the databases lack, content known after apply): left out
	// rather than made up.
	if uid, err := strconv.Atoi(fi.UID); err == nil {
		s["uid"] = uid
	}
	if gid, err := strconv.Atoi(fi.GID); err == nil {
		s["gid"] = gid
	}
	if fi.Size < 0 {
		delete(s, "size")
	}
	// A name that is the id: no such user, and Ansible leaves it out.
	if fi.Owner != fi.UID {
		s["pw_name"] = fi.Owner
	}
	if fi.Group != fi.GID {
		s["gr_name"] = fi.Group
	}
	return s
}

var (
	hexRE   = regexp.MustCompile(`^[0-9a-f]+$`)
	digests = map[string]int{"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
)

// Read is stat's result: {"changed": false, "stat": {...}} with Ansible's
// keys.
func (m statModule) Read(t *Task, probe Output) (Result, error) {
	st, err := readStatTask(t)
	if err != nil {
		return nil, err
	}
	if probe.Answers != nil {
		return readStatAnswers(st, probe.Answers)
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	fi, err := r.stat("s")
	if err != nil {
		return nil, err
	}
	if !fi.Exists {
		return Result{"changed": false, "stat": map[string]any{"exists": false}}, nil
	}
	s := statKeys(st.path, fi)
	// id and getent know the names of users NSS has beyond ls's width.
	if v, ok := r.opt("s.pw_name"); ok && v != "" {
		s["pw_name"] = v
	}
	if v, ok := r.opt("s.gr_name"); ok && v != "" {
		s["gr_name"] = v
	}
	if n, err := r.num("s.inode"); err == nil {
		s["inode"] = n
	} else {
		return nil, err
	}
	for _, k := range []string{"readable", "writeable", "executable"} {
		v, err := r.flag("s." + k)
		if err != nil {
			return nil, err
		}
		s[k] = v
	}
	if v, ok := r.opt("s.times"); ok {
		f := strings.Fields(v)
		if len(f) != 4 {
			return nil, fmt.Errorf("probe: s.times=%q", v)
		}
		for i, k := range []string{"atime", "mtime", "ctime", "dev"} {
			n, err := strconv.ParseInt(f[i], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("probe: s.times=%q", v)
			}
			if k == "dev" {
				s[k] = n
			} else {
				s[k] = float64(n)
			}
		}
	} else if v, ok := r.opt("s.mtime"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("probe: s.mtime=%q", v)
		}
		s["mtime"] = float64(n)
	}
	if b, ok := r.blob("s.target"); ok {
		s["lnk_target"] = string(b)
	}
	if b, ok := r.blob("s.source"); ok {
		s["lnk_source"] = string(b)
	}
	if v, ok := r.opt("s.checksum"); ok {
		if !hexRE.MatchString(v) || len(v) != digests[st.algo] {
			return nil, fmt.Errorf("probe: bad %s checksum %q", st.algo, v)
		}
		s["checksum"] = v
	}
	return Result{"changed": false, "stat": s}, nil
}
