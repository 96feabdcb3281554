package modules

import (
	"errors"
	"strings"

	"tend/modules/hostq"
)

// stat as questions (see Asker): the path (its metadata holds the inode,
// device and times too), what the task's user may do with it, where a link
// finally leads, and its digest when a sha1 checksum is asked for (the
// default); other algorithms stay on the probe. The result has the probe's
// keys with the probe's values.
//
// In a check run, a path the model predicts has inode, dev and times 0: no
// one knows them before applying, and a task that reads them from a
// predicted file gets 0 rather than a failure.
func (m statModule) Questions(t *Task) ([]hostq.Question, error) {
	st, err := readStatTask(t)
	if err != nil {
		return nil, err
	}
	if st.getChecksum && st.algo != "sha1" {
		return nil, nil
	}
	// The accounts give a file a check run predicts its ids (the model
	// holds names).
	qs := []hostq.Question{hostq.Path{Path: st.path, Follow: st.followed()}, hostq.Accounts{}, hostq.Access{Path: st.path}}
	if !st.followed() {
		qs = append(qs, hostq.Real{Path: st.path})
	}
	if st.getChecksum {
		qs = append(qs, hostq.Digest{Path: st.path})
	}
	return qs, nil
}

// dirOnly says whether the path ends in a slash: then lstat, as the probe's
// stat and ls, goes through a link, and anything but a directory is not
// there (ENOTDIR). Questions clean their paths, so stat asks with Follow.
func (st statTask) dirOnly() bool {
	return strings.HasSuffix(st.path, "/") && strings.Trim(st.path, "/") != ""
}

// followed says whether the Path question goes through links.
func (st statTask) followed() bool { return st.follow || st.dirOnly() }

func readStatAnswers(st statTask, a hostq.Answers) (Result, error) {
	fi, err := a.Path(st.path, st.followed())
	if err != nil {
		return nil, err
	}
	if !fi.Exists || st.dirOnly() && fi.Type != 'd' {
		return Result{"changed": false, "stat": map[string]any{"exists": false}}, nil
	}
	s := statKeys(st.path, fi)
	s["inode"] = int64(fi.Inode)
	s["dev"] = int64(fi.Dev)
	s["atime"], s["mtime"], s["ctime"] = float64(fi.Atime), float64(fi.Mtime), float64(fi.Ctime)
	acc, err := a.Access(st.path)
	if err != nil {
		return nil, err
	}
	s["readable"], s["writeable"], s["executable"] = acc.Read, acc.Write, acc.Exec
	if fi.Type == 'l' {
		s["lnk_target"] = fi.Target
		// "" where readlink -f fails (a loop), as the probe's realpath.
		real, err := a.Real(st.path)
		if err != nil {
			return nil, err
		}
		if real != "" {
			s["lnk_source"] = real
		}
	}
	// Of a regular file only (not of a link unless following), as the
	// probe's; a file the host could not read has none.
	if st.getChecksum && fi.Type == '-' {
		d, err := a.Digest(st.path)
		if _, unknown := hostq.IsUnknown(err); unknown || errors.Is(err, hostq.ErrNotAsked) {
			return nil, err
		}
		if v, ok := strings.CutPrefix(d, "sha1:"); ok && err == nil {
			if !hexRE.MatchString(v) || len(v) != digests["sha1"] {
				return nil, errorf("bad sha1 digest %q", d)
			}
			s["checksum"] = v
		}
	}
	return Result{"changed": false, "stat": s}, nil
}
