package modules

import (
	"errors"
	"strings"

	"tend/modules/hostq"
)

// stat as questions (see Asker): the path, and its digest when a sha1
// checksum is asked for (the default); other algorithms stay on the probe.
//
// A Path answer holds less than the probe prints: the result read from
// answers lacks inode, dev, atime, mtime, ctime, readable, writeable,
// executable and lnk_source (realpath), which the probe's tend_extra
// reads. Every other key is the probe's, with the same value.
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
	qs := []hostq.Question{hostq.Path{Path: st.path, Follow: st.follow}, hostq.Accounts{}}
	if st.getChecksum {
		qs = append(qs, hostq.Digest{Path: st.path})
	}
	return qs, nil
}

func readStatAnswers(st statTask, a hostq.Answers) (Result, error) {
	fi, err := a.Path(st.path, st.follow)
	if err != nil {
		return nil, err
	}
	if !fi.Exists {
		return Result{"changed": false, "stat": map[string]any{"exists": false}}, nil
	}
	s := statKeys(st.path, fi)
	if fi.Type == 'l' {
		s["lnk_target"] = fi.Target
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
