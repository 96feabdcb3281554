package hostq

import (
	"path"
	"strings"
)

// Model is the controller's picture of one host during a check run: what
// the tasks so far would have changed. It starts empty (the host as it is)
// and takes the Effects of each change the run reports; Layer answers
// questions from it first.
type Model struct {
	nodes    map[string]*node // predicted paths, cleaned
	taints   []taint          // paths whose state only applying would tell
	accounts *AccountDB       // the databases once a change touched them
	// RunAs is the user tasks run as (the become user, else the login
	// user): the owner of files a task creates without an owner.
	RunAs string
	// Cause names the change whose effects are being applied ("task at
	// file:line"), for the reasons of unknown answers.
	Cause string
	// Opaque names the changes whose effects no one stated (a package's
	// install, a command): the runner's to fill, for its reasons.
	Opaque []string
}

type node struct {
	fi      PathInfo // fi.Exists false: removed
	content []byte   // nil with known false: only applying would tell
	known   bool
	digest  string // when content is not known but its digest is
	cause   string // the change that made it
}

type taint struct {
	path, why string
	under     bool
}

// NewModel returns the model of a host nothing has changed yet.
func NewModel(runAs string) *Model { return &Model{nodes: map[string]*node{}, RunAs: runAs} }

// Changed says whether the model predicts anything.
func (m *Model) Changed() bool {
	return len(m.nodes) > 0 || len(m.taints) > 0 || m.accounts != nil
}

// An Effect is what a change does to a host, as data.
type Effect interface {
	applyTo(m *Model, base Answers)
}

// WriteFile makes Path a regular file with Data (Known false: content
// known after apply; Digest may still say what it will be), Perm, Owner
// and Group ("": the task's user and its primary group).
type WriteFile struct {
	Path         string
	Data         []byte
	Known        bool
	Digest       string
	Perm         uint32
	Owner, Group string
}

// MakeDir makes Path a directory.
type MakeDir struct {
	Path         string
	Perm         uint32
	Owner, Group string
}

// Link makes Path a symbolic link to Target.
type Link struct{ Path, Target string }

// Remove removes Path and everything under it.
type Remove struct{ Path string }

// Attrs changes an existing path's mode and ownership ("" and nil: as it
// is).
type Attrs struct {
	Path         string
	Follow       bool
	Perm         *uint32
	Owner, Group string
}

// PutUser adds or changes a user; Groups, when not nil, are the groups
// whose member lists name it.
type PutUser struct {
	User   User
	Groups []string
}

// RemoveUser removes a user (and from member lists).
type RemoveUser struct{ Name string }

// PutGroup adds or changes a group (Members kept when nil).
type PutGroup struct{ Group Group }

// RemoveGroup removes a group.
type RemoveGroup struct{ Name string }

// UnsureAccounts says that a change may add users and groups nobody can
// predict (a package's install scripts): see AccountDB.Unsure.
type UnsureAccounts struct{ Why string }

func (e UnsureAccounts) applyTo(m *Model, base Answers) {
	db := m.db(base)
	if db.Unsure == "" {
		db.Unsure = e.Why
		if db.Unsure == "" {
			db.Unsure = m.Cause
		}
	}
}

// Taint says that Path (and what is under it) changes in ways only
// applying will tell: Why names the change. With Under, only what is under
// Path does (a recursive chmod of a folder the model knows).
type Taint struct {
	Path, Why string
	Under     bool
}

// Apply records a change's effects. base answers for the host as it is
// (the effects of earlier changes are the model's own).
func (m *Model) Apply(base Answers, effects ...Effect) {
	for _, e := range effects {
		e.applyTo(m, base)
	}
}

func (m *Model) put(p string, n *node) {
	p = path.Clean(p)
	n.cause = m.Cause
	// What was under a path that is replaced is gone.
	for k := range m.nodes {
		if k != p && under(k, p) {
			delete(m.nodes, k)
		}
	}
	m.nodes[p] = n
}

// owner fills a new path's owner and group from the user tasks run as.
func (m *Model) owner(owner, group string, base Answers) (string, string) {
	if owner != "" && group != "" {
		return owner, group
	}
	user := m.RunAs
	if user == "" {
		user = "root"
	}
	if owner == "" {
		owner = user
	}
	if group == "" {
		group = user
		if db, err := m.layered(base).Accounts(); err == nil {
			if u := db.User(user); u != nil {
				for _, g := range db.Groups {
					if g.GID == u.GID {
						group = g.Name
					}
				}
			}
		}
	}
	return owner, group
}

func (e WriteFile) applyTo(m *Model, base Answers) {
	o, g := m.owner(e.Owner, e.Group, base)
	n := &node{fi: PathInfo{Exists: true, Type: '-', Perm: e.Perm, Nlink: 1, Owner: o, Group: g, Size: int64(len(e.Data))},
		content: e.Data, known: e.Known, digest: e.Digest}
	if e.Known {
		n.digest = SHA1(e.Data)
	} else {
		n.fi.Size = -1
	}
	m.put(e.Path, n)
}

func (e MakeDir) applyTo(m *Model, base Answers) {
	o, g := m.owner(e.Owner, e.Group, base)
	m.put(e.Path, &node{fi: PathInfo{Exists: true, Type: 'd', Perm: e.Perm, Nlink: 2, Owner: o, Group: g, Size: 4096}, known: true})
}

func (e Link) applyTo(m *Model, base Answers) {
	o, g := m.owner("", "", base)
	m.put(e.Path, &node{fi: PathInfo{Exists: true, Type: 'l', Perm: 0o777, Nlink: 1, Owner: o, Group: g,
		Size: int64(len(e.Target)), Target: e.Target}, known: true})
}

func (e Remove) applyTo(m *Model, _ Answers) { m.put(e.Path, &node{known: true}) }

func (e Attrs) applyTo(m *Model, base Answers) {
	l := layer{m, base}
	p := path.Clean(e.Path)
	if e.Follow {
		p = l.final(p) // the attributes go to what the links lead to
	}
	fi, err := l.Path(e.Path, e.Follow)
	if err != nil || !fi.Exists {
		return
	}
	n := m.nodes[p]
	if n == nil {
		// A path the host has: its content stays the host's.
		n = &node{}
		if c, err := base.Content(p); err == nil {
			n.content, n.known = c, true
		} else if d, err := base.Digest(p); err == nil {
			n.digest = d
		}
		m.nodes[p] = n
	}
	n.fi = fi
	if e.Perm != nil {
		n.fi.Perm = *e.Perm
	}
	if e.Owner != "" {
		n.fi.Owner, n.fi.UID = e.Owner, ""
	}
	if e.Group != "" {
		n.fi.Group, n.fi.GID = e.Group, ""
	}
	n.fi.OwnerMatch, n.fi.GroupMatch = "", ""
}

func (e Taint) applyTo(m *Model, _ Answers) {
	why := e.Why
	if why == "" {
		why = m.Cause
	}
	m.taints = append(m.taints, taint{path.Clean(e.Path), why, e.Under})
}

// db returns the model's databases, starting from the host's.
func (m *Model) db(base Answers) *AccountDB {
	if m.accounts == nil {
		db, err := base.Accounts()
		if err != nil {
			db = &AccountDB{}
		}
		m.accounts = db.clone()
	}
	return m.accounts
}

func (e PutUser) applyTo(m *Model, base Answers) {
	db := m.db(base)
	if u := db.User(e.User.Name); u != nil {
		*u = e.User
	} else {
		db.Users = append(db.Users, e.User)
	}
	if e.Groups == nil {
		return
	}
	want := map[string]bool{}
	for _, g := range e.Groups {
		want[g] = true
	}
	for i := range db.Groups {
		g := &db.Groups[i]
		var members []string
		has := false
		for _, mb := range g.Members {
			if mb == e.User.Name {
				has = true
				if !want[g.Name] {
					continue
				}
			}
			members = append(members, mb)
		}
		if want[g.Name] && !has {
			members = append(members, e.User.Name)
		}
		g.Members = members
	}
}

func (e RemoveUser) applyTo(m *Model, base Answers) {
	db := m.db(base)
	var users []User
	for _, u := range db.Users {
		if u.Name != e.Name {
			users = append(users, u)
		}
	}
	db.Users = users
	for i := range db.Groups {
		g := &db.Groups[i]
		var members []string
		for _, mb := range g.Members {
			if mb != e.Name {
				members = append(members, mb)
			}
		}
		g.Members = members
	}
}

func (e PutGroup) applyTo(m *Model, base Answers) {
	db := m.db(base)
	if g := db.Group(e.Group.Name); g != nil {
		members := g.Members
		*g = e.Group
		if g.Members == nil {
			g.Members = members
		}
	} else {
		db.Groups = append(db.Groups, e.Group)
	}
}

func (e RemoveGroup) applyTo(m *Model, base Answers) {
	db := m.db(base)
	var groups []Group
	for _, g := range db.Groups {
		if g.Name != e.Name {
			groups = append(groups, g)
		}
	}
	db.Groups = groups
}

// Touches says whether e may change what a stat of p says: an effect on
// p, on what is under it (a folder's size and links count) or on a folder
// above it. An effect on the accounts (the names of owners), a taint, and
// a change through a link may touch anything.
func Touches(e Effect, p string) bool {
	var q string
	switch e := e.(type) {
	case WriteFile:
		q = e.Path
	case MakeDir:
		q = e.Path
	case Link:
		q = e.Path
	case Remove:
		q = e.Path
	case Attrs:
		if e.Follow {
			return true
		}
		q = e.Path
	default:
		return true
	}
	p, q = path.Clean(p), path.Clean(q)
	return p == q || under(q, p) || under(p, q)
}

// under says whether p is inside folder d.
func under(p, d string) bool {
	return d == "/" || strings.HasPrefix(p, d+"/")
}
