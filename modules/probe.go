package modules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"tend/modules/hostq"
)

// Probe scripts, and Apply scripts that report something back, print
// records that parseRecords reads strictly:
//
//	key=value\n        a value: one line of text, never a path
//	key:N\n<N bytes>\n a blob: N raw bytes (file contents, a link target)
//
// Keys are lower-case words joined by '.' and '_' ("dest.mode",
// "tree.owner"). Anything else, a key printed twice, or a blob whose length
// does not match is an error: a probe that printed something unexpected
// must not be read as "nothing to do".
type records struct {
	vals  map[string]string
	blobs map[string][]byte
}

func parseRecords(out []byte) (*records, error) {
	vals, blobs, err := hostq.ParseRecords(out)
	if err != nil {
		return nil, err
	}
	return &records{vals: vals, blobs: blobs}, nil
}

// readProbe checks how a probe ended and parses what it printed.
func readProbe(o Output) (*records, error) {
	if o.ExitCode != 0 {
		msg := strings.TrimSpace(string(o.Stderr))
		if msg == "" {
			msg = "no message"
		}
		return nil, fmt.Errorf("probe failed (exit status %d): %s", o.ExitCode, msg)
	}
	r, err := parseRecords(o.Stdout)
	if err != nil {
		return nil, fmt.Errorf("probe printed something unexpected: %v", err)
	}
	return r, nil
}

// get returns a required value.
func (r *records) get(key string) (string, error) {
	v, ok := r.vals[key]
	if !ok {
		return "", fmt.Errorf("probe output lacks %s", key)
	}
	return v, nil
}

// opt returns a value that may be missing.
func (r *records) opt(key string) (string, bool) {
	v, ok := r.vals[key]
	return v, ok
}

// flag reads a required "1" or "0".
func (r *records) flag(key string) (bool, error) {
	v, err := r.get(key)
	if err != nil {
		return false, err
	}
	switch v {
	case "1":
		return true, nil
	case "0":
		return false, nil
	}
	return false, fmt.Errorf("probe: %s=%q is not 1 or 0", key, v)
}

// num reads a required non-negative decimal number.
func (r *records) num(key string) (int64, error) {
	v, err := r.get(key)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("probe: %s=%q is not a number", key, v)
	}
	return n, nil
}

// blob returns a blob that may be missing.
func (r *records) blob(key string) ([]byte, bool) {
	b, ok := r.blobs[key]
	return b, ok
}

// fileInfo is what tend_stat prints about one path: the same as a
// hostq.Path answer, so that a module reads both alike.
type fileInfo = hostq.PathInfo

var numericID = regexp.MustCompile(`^[0-9]+$`)

// stat reads the records tend_stat printed under prefix.
func (r *records) stat(prefix string) (fileInfo, error) {
	var fi fileInfo
	t, err := r.get(prefix + ".type")
	if err != nil {
		return fi, err
	}
	fi.OwnerMatch, _ = r.opt(prefix + ".owner_ok")
	fi.GroupMatch, _ = r.opt(prefix + ".group_ok")
	for _, m := range []string{fi.OwnerMatch, fi.GroupMatch} {
		if m != "" && m != "1" && m != "0" && m != "error" {
			return fi, fmt.Errorf("probe: bad ownership match %q", m)
		}
	}
	switch t {
	case "absent":
		return fi, nil
	case "present":
	default:
		return fi, fmt.Errorf("probe: %s.type=%q", prefix, t)
	}
	fi.Exists = true
	m, err := r.get(prefix + ".mode")
	if err != nil {
		return fi, err
	}
	if fi.Type, fi.Perm, err = parseLsMode(m); err != nil {
		return fi, fmt.Errorf("probe: %v", err)
	}
	if fi.Nlink, err = r.num(prefix + ".nlink"); err != nil {
		return fi, err
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{".uid", &fi.UID}, {".gid", &fi.GID}, {".owner", &fi.Owner}, {".group", &fi.Group}} {
		if *f.dst, err = r.get(prefix + f.key); err != nil {
			return fi, err
		}
	}
	if !numericID.MatchString(fi.UID) || !numericID.MatchString(fi.GID) {
		return fi, fmt.Errorf("probe: bad uid/gid %q/%q", fi.UID, fi.GID)
	}
	if fi.Type == '-' || fi.Type == 'd' || fi.Type == 'l' {
		if fi.Size, err = r.num(prefix + ".size"); err != nil {
			return fi, err
		}
	}
	return fi, nil
}

// umask reads the umask the probe printed.
func (r *records) umask() (uint32, error) {
	v, err := r.get("umask")
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
	if err != nil || n > 0o777 {
		return 0, fmt.Errorf("probe: umask=%q", v)
	}
	return uint32(n), nil
}
