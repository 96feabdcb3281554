package hostq

import (
	"errors"
	"path"
)

// Layer answers from the model first, then from the host's answers: a
// check run's view of the host after the changes so far.
func Layer(m *Model, host Answers) Answers {
	if m == nil || !m.Changed() {
		return host
	}
	return layer{m, host}
}

func (m *Model) layered(base Answers) Answers { return layer{m, base} }

type layer struct {
	m    *Model
	host Answers
}

// maxLinks bounds how many symbolic links a path may go through, as the
// kernel's ELOOP does.
const maxLinks = 40

// tainted returns the taint that covers p.
func (l layer) tainted(p string) *Unknown {
	for i := len(l.m.taints) - 1; i >= 0; i-- {
		t := l.m.taints[i]
		if p == t.path && !t.under || p != t.path && under(p, t.path) {
			return &Unknown{Why: t.why}
		}
	}
	return nil
}

// find returns the model's node for p, or for an ancestor of p that
// decides p's fate (removed, or not a directory): then gone is true.
func (l layer) find(p string) (n *node, gone bool) {
	if n := l.m.nodes[p]; n != nil {
		return n, false
	}
	for d := path.Dir(p); ; d = path.Dir(d) {
		if a := l.m.nodes[d]; a != nil && (!a.fi.Exists || a.fi.Type == '-') {
			return a, true
		}
		if d == "/" || d == "." {
			return nil, false
		}
	}
}

func (l layer) Path(p string, follow bool) (PathInfo, error) {
	return l.path(path.Clean(p), follow, 0)
}

func (l layer) path(p string, follow bool, depth int) (PathInfo, error) {
	if u := l.tainted(p); u != nil {
		return PathInfo{}, u
	}
	n, gone := l.find(p)
	switch {
	case gone:
		return PathInfo{}, nil
	case n != nil:
		if follow && n.fi.Type == 'l' {
			return l.follow(p, n.fi.Target, depth)
		}
		return l.ids(n.fi), nil
	}
	if follow {
		// The host's link may point at something the model changed.
		if fi, err := l.host.Path(p, false); err == nil && fi.Type == 'l' && fi.Target != "" {
			return l.follow(p, fi.Target, depth)
		}
	}
	return l.host.Path(p, follow)
}

func (l layer) follow(p, target string, depth int) (PathInfo, error) {
	if depth >= maxLinks {
		return PathInfo{}, nil // stat fails: too many levels of links
	}
	if !path.IsAbs(target) {
		target = path.Join(path.Dir(p), target)
	}
	target = path.Clean(target)
	fi, err := l.path(target, true, depth+1)
	if errors.Is(err, ErrNotAsked) {
		// The host was not asked about the target itself: the answer
		// through the link is the host's.
		return l.host.Path(p, true)
	}
	return fi, err
}

func isUnknown(err error) bool { _, ok := IsUnknown(err); return ok }

// ids fills numeric ids of a predicted path from the model's databases.
func (l layer) ids(fi PathInfo) PathInfo {
	if fi.UID != "" && fi.GID != "" || !fi.Exists {
		return fi
	}
	db, err := l.Accounts()
	if err != nil {
		return fi
	}
	if fi.UID == "" {
		if u := db.User(fi.Owner); u != nil {
			fi.UID = u.UID
		} else if numericID.MatchString(fi.Owner) {
			fi.UID = fi.Owner
		}
	}
	if fi.GID == "" {
		if g := db.Group(fi.Group); g != nil {
			fi.GID = g.GID
		} else if numericID.MatchString(fi.Group) {
			fi.GID = fi.Group
		}
	}
	return fi
}

// regular returns the model's node for a regular file p (through links),
// or ok false when the model has nothing to say.
func (l layer) regular(p string) (n *node, ok bool, err error) {
	p = path.Clean(p)
	if u := l.tainted(p); u != nil {
		return nil, true, u
	}
	fi, err := l.Path(p, true)
	if err != nil {
		if isUnknown(err) {
			return nil, true, err
		}
		return nil, false, nil
	}
	// Which node is the file, after links?
	target := p
	for i := 0; i < maxLinks; i++ {
		n, gone := l.find(target)
		if gone {
			return nil, true, ErrNoContent
		}
		if n == nil {
			if hf, err := l.host.Path(target, false); err == nil && hf.Type == 'l' && hf.Target != "" {
				target = resolve(target, hf.Target)
				continue
			}
			if target == p {
				return nil, false, nil
			}
			// A link (predicted or the host's) to a path the model
			// does not know: the host's file.
			return nil, false, nil
		}
		if n.fi.Type == 'l' {
			target = resolve(target, n.fi.Target)
			continue
		}
		if !fi.Exists || fi.Type != '-' {
			return nil, true, ErrNoContent
		}
		return n, true, nil
	}
	return nil, true, ErrNoContent
}

func resolve(p, target string) string {
	if !path.IsAbs(target) {
		target = path.Join(path.Dir(p), target)
	}
	return path.Clean(target)
}

func (l layer) Content(p string) ([]byte, error) {
	n, ok, err := l.regular(p)
	switch {
	case !ok:
		return l.host.Content(p)
	case err != nil:
		return nil, err
	case !n.known:
		return nil, &Unknown{Why: "the content of " + p + " (" + n.cause + ")"}
	case len(n.content) > ContentLimit:
		return nil, ErrTooBig
	}
	return n.content, nil
}

func (l layer) Digest(p string) (string, error) {
	n, ok, err := l.regular(p)
	switch {
	case !ok:
		return l.host.Digest(p)
	case err != nil:
		return "", err
	case n.known:
		return SHA1(n.content), nil
	case n.digest != "":
		return n.digest, nil
	}
	return "", &Unknown{Why: "the content of " + p + " (" + n.cause + ")"}
}

func (l layer) Umask() (uint32, error) { return l.host.Umask() }

func (l layer) Command(name string) (bool, error) { return l.host.Command(name) }

func (l layer) Accounts() (*AccountDB, error) {
	if l.m.accounts != nil {
		return l.m.accounts, nil
	}
	return l.host.Accounts()
}

func (l layer) Empty(p string) (bool, error) {
	p = path.Clean(p)
	if u := l.tainted(p); u != nil {
		return false, u
	}
	created := false
	if n, gone := l.find(p); gone || n != nil && n.fi.Type != 'd' {
		return true, nil
	} else if n != nil {
		created = true
	}
	for k, n := range l.m.nodes {
		if k != p && under(k, p) && n.fi.Exists {
			return false, nil
		}
	}
	if created {
		if e, err := l.host.Empty(p); err == nil {
			return e, nil
		}
		return true, nil
	}
	return l.host.Empty(p)
}

func (l layer) Access(p string) (Perms, error) {
	p = path.Clean(p)
	if u := l.tainted(p); u != nil {
		return Perms{}, u
	}
	if n, gone := l.find(p); n == nil && !gone {
		return l.host.Access(p)
	}
	fi, err := l.Path(p, true)
	if err != nil || !fi.Exists {
		return Perms{}, err
	}
	// The permission bits that apply to the user tasks run as.
	bits := fi.Perm & 0o7
	switch {
	case l.m.RunAs == "" || l.m.RunAs == "root":
		x := fi.Perm&0o111 != 0 || fi.Type == 'd'
		return Perms{Read: true, Write: true, Exec: x}, nil
	case fi.Owner == l.m.RunAs:
		bits = fi.Perm >> 6 & 0o7
	}
	return Perms{Read: bits&4 != 0, Write: bits&2 != 0, Exec: bits&1 != 0}, nil
}

func (l layer) Real(p string) (string, error) {
	p = path.Clean(p)
	if u := l.tainted(p); u != nil {
		return "", u
	}
	n, gone := l.find(p)
	switch {
	case gone || n != nil && n.fi.Type != 'l':
		return "", nil
	case n == nil:
		return l.host.Real(p)
	}
	target := p
	for i := 0; i < maxLinks; i++ {
		fi, err := l.Path(target, false)
		if err != nil || fi.Type != 'l' {
			return target, nil
		}
		target = resolve(target, fi.Target)
	}
	return target, nil
}

// final is where p leads through the links the model or the host knows.
func (l layer) final(p string) string {
	p = path.Clean(p)
	for i := 0; i < maxLinks; i++ {
		fi, err := l.Path(p, false)
		if err != nil || fi.Type != 'l' || fi.Target == "" {
			return p
		}
		p = resolve(p, fi.Target)
	}
	return p
}
