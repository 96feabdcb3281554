package modules

import (
	"errors"
	"path"
	"strings"

	"tend/modules/hostq"
)

// user as questions (accounts_ask.go), and the effects of its changes on
// the check run's model: the user and its own group with the ids useradd
// would pick, memberships, and the home it would make.

// Questions are the accounts' questions and the homes the plan may look
// at. A password (compared on the host, in the secret shadow file), aging
// and lock (shadow's fields), an SSH key (ssh-keygen) and a root other than
// / are the probe's.
func (m userModule) Questions(t *Task) ([]hostq.Question, error) {
	u, err := readUserTask(t)
	if err != nil {
		return nil, err
	}
	if m.env.root != "" || u.hasPassword || u.x.aging() || u.x.genKey && u.state == "present" {
		return nil, nil
	}
	qs := acctQuestions()
	if u.hasHome {
		qs = append(qs, hostq.Path{Path: u.home, Follow: true}, hostq.Path{Path: u.home})
	}
	// The home an existing user most likely has: only the answers say
	// which it is (another is asked in one more round, see curHome).
	guess := "/home/" + u.name
	if u.name == "root" {
		guess = "/root"
	}
	if guess != u.home {
		qs = append(qs, hostq.Path{Path: guess, Follow: true})
	}
	if u.state == "present" && u.createHome {
		qs = append(qs, hostq.Empty{Path: skel}) // a missing one is empty
	}
	return qs, nil
}

// readAnswers is what read gets from a probe, from answers.
func (m userModule) readAnswers(t *Task, u *userTask, a hostq.Answers) (*userProbe, error) {
	db, err := readAcctAnswers(a)
	if err != nil {
		return nil, err
	}
	p := &userProbe{db: db, answers: a, cur: db.User(u.name)}
	if p.backend, err = pickBackend(t.Facts, db.tools, m.backend); err != nil {
		return nil, err
	}
	if u.state == "present" && u.createHome {
		if p.skelEmpty, err = a.Empty(skel); err != nil {
			return nil, err
		}
	}
	if u.hasHome {
		// As the probe: dir through links, other for anything else
		// (a dangling link too), absent.
		fi, err := a.Path(u.home, true)
		if err != nil {
			return nil, err
		}
		l, err := a.Path(u.home, false)
		if err != nil {
			return nil, err
		}
		switch {
		case fi.Exists && fi.Type == 'd':
			p.homeWant = "dir"
		case l.Exists:
			p.homeWant = "other"
		default:
			p.homeWant = "absent"
		}
	}
	return p, nil
}

// curHome says whether the user's current home is a directory. Answers
// may not have it (a home other than the ones guessed): the error asks for
// it.
func (p *userProbe) curHome() (bool, error) {
	if p.answers == nil || p.cur == nil {
		return p.homeCur, nil
	}
	h := p.cur.Home
	if h == "" {
		return false, nil
	}
	fi, err := p.answers.Path(h, true)
	if errors.Is(err, hostq.ErrNotAsked) {
		return false, &askMoreError{qs: []hostq.Question{hostq.Path{Path: h, Follow: true}}, why: "user " + p.cur.Name + ": the home " + h}
	}
	return fi.Exists && fi.Type == 'd', err
}

// skel is what a new home gets a copy of.
const skel = "/etc/skel"

// makeHome are the effects of making a home: what /etc/skel holds is
// copied in, known after apply (unless skel is known to be empty).
func (p *userProbe) makeHome(name, home, group string, perm uint32) []hostq.Effect {
	fx := []hostq.Effect{hostq.MakeDir{Path: home, Perm: perm, Owner: name, Group: group}}
	if !p.skelEmpty {
		fx = append(fx, hostq.Taint{Path: home, Under: true})
	}
	return fx
}

// knownDir says whether h is known to be a directory.
func (p *userProbe) knownDir(u *userTask, h string) bool {
	if p.answers == nil {
		return u.hasHome && h == u.home && p.homeWant == "dir"
	}
	fi, err := p.answers.Path(h, true)
	return err == nil && fi.Exists && fi.Type == 'd'
}

// groupName is the name of the group with gid, else the gid.
func (db *acctDB) groupName(gid string) string {
	if g := db.groupByGID(gid); g != nil {
		return g.Name
	}
	return gid
}

func passwdLine(u hostq.User) string {
	return strings.Join([]string{u.Name, u.Password, u.UID, u.GID, u.Gecos, u.Home, u.Shell}, ":")
}

// addEffects are a new user's: its own group, the user with the ids
// planAdd chose (what useradd and adduser pick too), and its home.
func (p *userProbe) addEffects(u *userTask, a *userAdd) []hostq.Effect {
	var fx []hostq.Effect
	gid := a.gid
	if p.backend.name == "busybox" && a.sameGroupExists {
		gid = p.db.Group(u.name).GID // adduser -G NAME
	}
	group := p.db.groupName(gid)
	if a.newGroup != "" {
		fx = append(fx, hostq.PutGroup{Group: hostq.Group{Name: u.name, Password: "x", GID: gid, Line: a.newGroup}})
		group = u.name
	}
	user := hostq.User{Name: u.name, Password: a.pwField, UID: a.uid, GID: gid, Gecos: u.comment, Home: a.home, Shell: a.shell}
	user.Line = passwdLine(user)
	fx = append(fx, hostq.PutUser{User: user, Groups: a.groups})
	if u.createHome && !p.knownDir(u, a.home) {
		fx = append(fx, p.makeHome(u.name, a.home, group, a.homeMode)...)
	}
	return fx
}

// modEffects are an existing user's changes: f is the passwd line's
// fields after.
func (p *userProbe) modEffects(u *userTask, mod *userMod, f []string, home string, mkHome bool) []hostq.Effect {
	user := hostq.User{Name: f[0], Password: f[1], UID: f[2], GID: f[3], Gecos: f[4], Home: f[5], Shell: f[6]}
	user.Line = passwdLine(user)
	var groups []string
	if mod.setGroups {
		groups = append([]string{}, mod.groups...) // not nil: none is a list too
	}
	fx := []hostq.Effect{hostq.PutUser{User: user, Groups: groups}}
	if mod.move {
		// What the old home held is the new one's: known after apply.
		fx = append(fx, hostq.Remove{Path: mod.cur.Home}, hostq.Taint{Path: home})
	}
	if mkHome {
		fx = append(fx, p.makeHome(u.name, home, p.db.groupName(f[3]), p.db.homeMode())...)
	}
	return fx
}

// delEffects are a removed user's.
func (p *userProbe) delEffects(u *userTask, d *userDel) []hostq.Effect {
	fx := []hostq.Effect{hostq.RemoveUser{Name: u.name}}
	if d.primaryGroup != nil {
		fx = append(fx, hostq.RemoveGroup{Name: d.primaryGroup.Name})
	}
	if u.remove {
		fx = append(fx, hostq.Remove{Path: "/var/mail/" + u.name})
		if d.homeExists && path.Clean(d.cur.Home) != "/" {
			fx = append(fx, hostq.Remove{Path: d.cur.Home})
		}
	}
	return fx
}
