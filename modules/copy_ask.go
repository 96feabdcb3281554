package modules

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"

	"tend/modules/hostq"
)

// Questions lists what copy of one file needs to know (see Asker): one
// file has no probe script. A folder as src (copy_tree.go) keeps its
// probe; remote_src is refused by it.
func (copyModule) Questions(t *Task) ([]hostq.Question, error) {
	if t.Args.Bool("remote_src") {
		return nil, nil
	}
	ct, err := readCopyTask(t)
	if err != nil {
		return nil, err
	}
	if ct.tree != nil {
		return nil, nil
	}
	qs := []hostq.Question{hostq.Path{Path: ct.dest, Follow: true}, hostq.Path{Path: path.Dir(ct.dest), Follow: true}, hostq.Umask{}}
	if ct.trailing {
		// The folders a dest ending in '/' makes: which are missing.
		for _, d := range parentDirs(ct.dest) {
			qs = append(qs, hostq.Path{Path: d, Follow: true})
		}
	}
	// The file goes to dest, or into it when it is a folder (src only).
	targets := []string{ct.dest}
	switch {
	case ct.trailing:
		targets = []string{ct.into()}
	case ct.src != "":
		targets = append(targets, ct.into())
	}
	for _, p := range targets {
		qs = append(qs, hostq.Path{Path: p, Follow: true})
		if !ct.force {
			continue // only whether the file exists matters
		}
		qs = append(qs, hostq.Content{Path: p})
		if ct.size() > hostq.ContentLimit {
			// Only a file as large could be the same: compared by digest.
			qs = append(qs, hostq.Digest{Path: p})
		}
	}
	if ct.own != (ownership{}) {
		qs = append(qs, hostq.Accounts{})
	}
	return qs, nil
}

// readCopyAnswers builds from answers what readCopyProbe reads from the
// probe's records.
func readCopyAnswers(ct copyTask, a hostq.Answers) (*copyProbe, error) {
	cp := &copyProbe{ct: ct, asked: true, names: ct.own}
	var err error
	if cp.umask, err = a.Umask(); err != nil {
		return nil, err
	}
	d, err := a.Path(ct.dest, true)
	if err != nil {
		return nil, err
	}
	isDir := d.Exists && d.Type == 'd'
	if ct.trailing || ct.src != "" && isDir {
		cp.target = ct.into()
		cp.dirOK = isDir
		if cp.fi, err = a.Path(cp.target, true); err != nil {
			return nil, err
		}
	} else {
		if isDir {
			return nil, fmt.Errorf("can not use content with a dir as dest")
		}
		cp.target = ct.dest
		up, err := a.Path(path.Dir(ct.dest), true)
		if err != nil {
			return nil, err
		}
		cp.dirOK = up.Exists && up.Type == 'd'
		cp.fi = d
	}
	if ct.own != (ownership{}) {
		db, err := a.Accounts()
		if err != nil {
			return nil, err
		}
		db.MatchOwner(&cp.fi, ct.own.Owner, ct.own.Group)
		cp.names = namesOf(db, ct.own)
	}
	if cp.fi.Exists && cp.fi.Type == 'd' {
		return nil, fmt.Errorf("dest %s is a directory", cp.target)
	}
	if ct.trailing && !cp.dirOK {
		for _, dir := range parentDirs(ct.dest) {
			fi, err := a.Path(dir, true)
			if err != nil {
				return nil, err
			}
			if !fi.Exists {
				cp.missing = append(cp.missing, dir)
			}
		}
	}
	if !ct.force || !cp.fi.Exists || cp.fi.Type != '-' {
		// A device or fifo is never the same as a file's content.
		return cp, nil
	}
	old, err := a.Content(cp.target)
	switch {
	case err == nil:
		cp.old, cp.hasOld = old, true
		cp.same = int64(len(old)) == ct.size() && !ct.streamed() && bytes.Equal(old, ct.content)
	case errors.Is(err, hostq.ErrNoContent):
	case errors.Is(err, hostq.ErrTooBig) && ct.size() <= hostq.ContentLimit:
		// Larger than the content: not the same.
	default:
		// Too big to read, or only known after apply: the digest may
		// still tell (asked for large contents; the model may know it).
		sum, derr := a.Digest(cp.target)
		if derr != nil {
			if errors.Is(err, hostq.ErrTooBig) {
				return nil, derr
			}
			return nil, err
		}
		cp.oldSum = sum
		if cp.same, err = ct.hasSum(sum); err != nil {
			return nil, err
		}
	}
	return cp, nil
}

// effects is what the host looks like once the change is applied: the
// folders made, and the file written (or its attributes set). A backup's
// name is only known after apply, so it is not among them.
func (cp *copyProbe) effects(ap attrPlan) ([]hostq.Effect, error) {
	ct, own := cp.ct, cp.names
	var out []hostq.Effect
	if len(cp.missing) > 0 {
		dap, err := newAttrs(ct.dest, true, ct.dirMode, ct.own, cp.umask, "")
		if err != nil {
			return nil, err
		}
		for _, d := range cp.missing {
			out = append(out, hostq.MakeDir{Path: d, Perm: dap.Mode, Owner: own.Owner, Group: own.Group})
		}
	}
	mode := ap.Mode
	if cp.same {
		return append(out, hostq.Attrs{Path: cp.target, Follow: true, Perm: &mode, Owner: own.Owner, Group: own.Group}), nil
	}
	owner, group := own.Owner, own.Group
	if cp.fi.Exists {
		// The write keeps the replaced file's owner and group.
		owner, group = nameOr(owner, cp.fi.Owner), nameOr(group, cp.fi.Group)
	}
	w := hostq.WriteFile{Path: cp.target, Data: ct.content, Known: true, Perm: mode, Owner: owner, Group: group}
	if ct.streamed() {
		// Not held in memory: the model keeps its digest only.
		d, err := ct.digests()
		if err != nil {
			return nil, err
		}
		w.Data, w.Known, w.Digest = nil, false, "sha1:"+d.sha1
	}
	return append(out, w), nil
}

// namesOf is the owner and group a task asks for as the names stat will
// print: an id that is not a name is the name the databases give it (chown
// takes it as the id).
func namesOf(db *hostq.AccountDB, own ownership) ownership {
	if own.Owner != "" && db.User(own.Owner) == nil {
		for _, u := range db.Users {
			if isID(own.Owner, u.UID) {
				own.Owner = u.Name
				break
			}
		}
	}
	if own.Group != "" && db.Group(own.Group) == nil {
		for _, g := range db.Groups {
			if isID(own.Group, g.GID) {
				own.Group = g.Name
				break
			}
		}
	}
	return own
}

// isID says whether want, all digits, is the numeric id.
func isID(want, id string) bool {
	a, err := strconv.ParseUint(want, 10, 32)
	b, err2 := strconv.ParseUint(id, 10, 32)
	return err == nil && err2 == nil && a == b
}
