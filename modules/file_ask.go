package modules

import (
	"path"

	"tend/modules/hostq"
)

// file as questions (see Asker): the path, lstat'ed and, for the states
// that follow links, stat'ed; the umask; the accounts when an owner or group
// is asked for; src for links and hard links (whether the path is src's
// file already: the inodes and devices of both); the folders above a
// directory to create. Recursion, times other than now and preserve, and
// attributes stay on the probe (find over a tree, stat -c %y, lsattr).
func (m fileModule) Questions(t *Task) ([]hostq.Question, error) {
	ft, err := readFileTask(t)
	if err != nil {
		return nil, err
	}
	if ft.recurse || ft.fx.compareTimes() || ft.fx.attrOp != 0 {
		return nil, nil
	}
	qs := []hostq.Question{hostq.Path{Path: ft.path}, hostq.Umask{}}
	if ft.followsPath() {
		qs = append(qs, hostq.Path{Path: ft.path, Follow: true})
	}
	if ft.own != (ownership{}) {
		qs = append(qs, hostq.Accounts{})
	}
	switch ft.state {
	case "link":
		if ft.src != "" {
			qs = append(qs, hostq.Path{Path: ft.linkSource(), Follow: true})
		}
		qs = append(qs, hostq.Empty{Path: ft.path})
	case "hard":
		if ft.src != "" {
			qs = append(qs, hostq.Path{Path: ft.src, Follow: true})
		}
	case "directory":
		dirs := parentDirs(ft.path)
		for _, d := range dirs[:max(len(dirs)-1, 0)] {
			qs = append(qs, hostq.Path{Path: d, Follow: true})
		}
	}
	if ft.fx.hasSE {
		qs = append(qs, hostq.Path{Path: selinuxEnforce, Follow: true})
	}
	return qs, nil
}

// followsPath says whether the task's attributes go through a link at the
// path to what it points at.
func (ft fileTask) followsPath() bool {
	return ft.follow && ft.state != "link" && ft.state != "hard" && ft.state != "absent"
}

// readFileAnswers reads what Questions asked into what the probe would
// have printed. An owner or group the local databases lack is a change
// here (chown decides when applying), where the probe's find said so ahead.
func readFileAnswers(ft fileTask, a hostq.Answers) (*fileProbe, error) {
	fp := &fileProbe{ft: ft, state: ft.state}
	var err error
	if fp.umask, err = a.Umask(); err != nil {
		return nil, err
	}
	var db *hostq.AccountDB
	if ft.own != (ownership{}) {
		if db, err = a.Accounts(); err != nil {
			return nil, err
		}
	}
	stat := func(p string, follow bool) (fileInfo, error) {
		fi, err := a.Path(p, follow)
		if err == nil && db != nil {
			db.MatchOwner(&fi, ft.own.Owner, ft.own.Group)
		}
		return fi, err
	}
	if fp.p, err = stat(ft.path, false); err != nil {
		return nil, err
	}
	if fp.p.Type == 'l' {
		fp.linkTo = []byte(fp.p.Target)
		if ft.followsPath() {
			if fp.f, err = stat(ft.path, true); err != nil {
				return nil, err
			}
			fp.followed = true
		}
	}
	switch ft.state {
	case "link":
		if ft.src != "" {
			fi, err := a.Path(ft.linkSource(), true)
			if err != nil {
				return nil, err
			}
			fp.srcExists = fi.Exists
		}
		if fp.p.Type == 'd' {
			if fp.empty, err = a.Empty(ft.path); err != nil {
				return nil, err
			}
		}
	case "hard":
		if ft.src != "" {
			if fp.s, err = stat(ft.src, true); err != nil {
				return nil, err
			}
			if fp.same, err = fp.sameFile(); err != nil {
				return nil, err
			}
		}
	case "directory":
		dirs := parentDirs(ft.path)
		for _, d := range dirs[:max(len(dirs)-1, 0)] {
			fi, err := a.Path(d, true)
			if err != nil {
				return nil, err
			}
			if !fi.Exists || fi.Type != 'd' {
				break
			}
			fp.parents++
		}
	}
	if ft.fx.hasSE {
		fi, err := a.Path(selinuxEnforce, true)
		if err != nil {
			return nil, err
		}
		fp.seen.selinux = fi.Exists
	}
	fp.defaultState()
	return fp, nil
}

// sameFile says whether the path is src's file (not a symbolic link to
// it): the probe's [ ! -L path ] && [ path -ef src ]. A file a check run
// predicts has no inode (0): whether it is src's file is known after apply.
func (fp *fileProbe) sameFile() (bool, error) {
	p, s := fp.p, fp.s
	if !p.Exists || p.Type == 'l' || !s.Exists {
		return false, nil
	}
	if p.Type == '-' && s.Type == '-' && (p.Inode == 0 || s.Inode == 0) {
		return false, &hostq.Unknown{Why: "whether " + fp.ft.path + " is a hard link of " + fp.ft.src}
	}
	return p.Inode == s.Inode && p.Dev == s.Dev, nil
}

// linkedPath is where a followed link at the path points, one link deep:
// the file touch creates through a dangling link, and the tree a recursive
// change goes down to (hostq's WriteFile and Taint do not follow links).
func (fp *fileProbe) linkedPath() string {
	if fp.followed && fp.linkTo != nil {
		t := string(fp.linkTo)
		if !path.IsAbs(t) {
			t = path.Join(path.Dir(fp.ft.path), t)
		}
		return path.Clean(t)
	}
	return fp.ft.path
}

// attrsEffect is the model's view of giving the path (what it links to,
// when followed) own and, when the task asks for a mode, ap's mode (ap nil:
// nothing the model holds).
func (fp *fileProbe) attrsEffect(ap *attrPlan, own ownership) hostq.Effect {
	e := hostq.Attrs{Path: fp.ft.path, Follow: fp.followed, Owner: own.Owner, Group: own.Group}
	if ap != nil && fp.ft.mode != "" {
		m := ap.Mode
		e.Perm = &m
	}
	return e
}

// newDirs are the folders state=directory creates, from the top.
func (fp *fileProbe) newDirs() []string {
	dirs := parentDirs(fp.ft.path)
	return dirs[min(fp.parents, len(dirs)):]
}
