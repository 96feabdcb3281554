package modules

import (
	"fmt"
	"strconv"

	"tend/modules/hostq"
)

// Modules that rewrite a configuration file in Go (pam_limits, mount's
// fstab, locale_gen's list, timezone's /etc/timezone) read it with
// confProbe and write it with confWrite: the whole file comes back, Plan
// computes the new text as Ansible's module would, and the write is
// atomic, keeps the file's mode and owner, and refuses to go on if the
// file changed since it was read.

// confProbe prints the file at p (a shell word) under key: its stat
// (through links), its bytes as the blob key.c, and its folder's stat as
// key.dir.
func confProbe(s *script, key, p string) {
	s.stat(key, p, true, "", "")
	s.use("tend_content")
	s.add("tend_content ", key, ".c ", p, " ", strconv.Itoa(lineinfileLimit), ` -1 "$tend_sz" || exit 1`)
	s.stat(key+".dir", `"$(dirname -- `+p+`)"`, true, "", "")
}

// confState is a file as confProbe read it.
type confState struct {
	path      string
	fi        fileInfo
	content   string
	dirExists bool
	// From answers only (readConfAnswers): they answer for the effects;
	// real is where the write goes, through links.
	answers hostq.Answers
	real    string
}

func readConf(r *records, key, p string) (confState, error) {
	c := confState{path: p}
	var err error
	if c.fi, err = r.stat(key); err != nil {
		return c, err
	}
	if c.fi.Exists {
		if c.fi.Type != '-' {
			return c, fmt.Errorf("%s is not a regular file", p)
		}
		b, ok := r.blob(key + ".c")
		if !ok {
			return c, fmt.Errorf("%s is bigger than tend reads (%d MiB)", p, lineinfileLimit>>20)
		}
		c.content = string(b)
	}
	d, err := r.stat(key + ".dir")
	if err != nil {
		return c, err
	}
	c.dirExists = d.Exists && d.Type == 'd'
	return c, nil
}

// write adds the script that replaces the file with after; a new file
// gets mode. It prints backup= when backup is set and there was a file.
func (c confState) write(s *script, after string, mode uint32, backup bool) error {
	w := fileWrite{Path: c.path, Content: []byte(after), Mode: mode, Follow: true, Backup: backup,
		CheckOld: true, Old: []byte(c.content), OldAbsent: !c.fi.Exists}
	if c.fi.Exists {
		w.Mode, w.KeepUID, w.KeepGID = c.fi.Perm, c.fi.UID, c.fi.GID
	}
	return s.write(w)
}
