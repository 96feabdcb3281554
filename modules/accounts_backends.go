package modules

import (
	"path"
	"strings"
)

// The three account backends. shadowOps runs shadow's tools (Debian, RHEL,
// SUSE, Arch), busyboxOps busybox's (Alpine): adduser and friends only
// create, delete and change memberships, so the other changes go through
// the files backend, as they would have to by hand. filesOps edits the
// databases itself, for boxes with neither tool set.

type shadowOps struct{}

// shadowCmd is one of shadow's tools, on the env's root.
func shadowCmd(env acctEnv, tool string, args ...string) string {
	w := []string{tool}
	if env.root != "" {
		w = append(w, "--prefix", q(env.root))
	}
	for _, a := range args {
		w = append(w, q(a))
	}
	return strings.Join(w, " ") + " || tend_die " + q(tool+" failed")
}

func (shadowOps) addUser(s *script, env acctEnv, a *userAdd) {
	u := a.u
	var args []string
	if u.hasUID {
		args = append(args, "-u", u.uid)
		if u.nonUnique {
			args = append(args, "-o")
		}
	}
	if u.hasGroup {
		args = append(args, "-g", a.group)
	} else if a.sameGroupExists {
		// Ansible's way: useradd would fail making the user's own group.
		args = append(args, "-N")
	}
	if len(a.groups) > 0 {
		args = append(args, "-G", strings.Join(a.groups, ","))
	}
	if u.hasComment {
		args = append(args, "-c", u.comment)
	}
	if u.hasHome {
		args = append(args, "-d", u.home)
	}
	if u.hasShell {
		args = append(args, "-s", u.shell)
	}
	if u.system {
		args = append(args, "-r")
	}
	if u.createHome {
		args = append(args, "-m")
	} else {
		args = append(args, "-M")
	}
	s.add(shadowCmd(env, "useradd", append(args, u.name)...))
	// Not useradd -p: a hash in argv is readable by every user of the host
	// (ps, /proc). The files edit passes it through the environment.
	if u.hasPassword {
		newFiles(s, env).password(u.name, u.password)
	}
}

func (shadowOps) modUser(s *script, env acctEnv, m *userMod) {
	var args []string
	if m.uid != "" {
		args = append(args, "-u", m.uid)
		if m.u.nonUnique {
			args = append(args, "-o")
		}
	}
	if m.gid != "" {
		args = append(args, "-g", m.group)
	}
	if m.setGroups {
		args = append(args, "-G", strings.Join(m.groups, ","))
	}
	if m.comment != nil {
		args = append(args, "-c", *m.comment)
	}
	if m.home != "" {
		args = append(args, "-d", m.home)
		if m.move {
			args = append(args, "-m")
		}
	}
	if m.shell != nil {
		args = append(args, "-s", *m.shell)
	}
	if len(args) > 0 {
		s.add(shadowCmd(env, "usermod", append(args, m.u.name)...))
	}
	if m.password { // not usermod -p: see addUser
		newFiles(s, env).password(m.u.name, m.u.password)
	}
}

func (shadowOps) delUser(s *script, env acctEnv, d *userDel) {
	var args []string
	if d.u.force {
		args = append(args, "-f")
	}
	if d.u.remove {
		args = append(args, "-r")
	}
	s.add(shadowCmd(env, "userdel", append(args, d.u.name)...))
}

func (shadowOps) addGroup(s *script, env acctEnv, g *groupAdd) {
	var args []string
	if g.hasGID {
		args = append(args, "-g", g.gid)
		if g.nonUnique {
			args = append(args, "-o")
		}
	}
	if g.system {
		args = append(args, "-r")
	}
	s.add(shadowCmd(env, "groupadd", append(args, g.name)...))
}

func (shadowOps) modGroup(s *script, env acctEnv, g *groupMod) {
	args := []string{"-g", g.gid}
	if g.nonUnique {
		args = append(args, "-o")
	}
	s.add(shadowCmd(env, "groupmod", append(args, g.name)...))
}

func (shadowOps) delGroup(s *script, env acctEnv, g *groupDel) {
	s.add(shadowCmd(env, "groupdel", g.name))
}

type busyboxOps struct{}

// busyboxCmd is one of busybox's tools. They know no root prefix: only
// tests set one, and they read this backend's scripts without running them.
func busyboxCmd(tool string, args ...string) string {
	w := []string{tool}
	for _, a := range args {
		w = append(w, q(a))
	}
	return strings.Join(w, " ") + " || tend_die " + q(tool+" failed")
}

func (busyboxOps) addUser(s *script, env acctEnv, a *userAdd) {
	u := a.u
	args := []string{"-D"}
	if u.hasUID {
		args = append(args, "-u", u.uid)
	}
	if u.hasGroup {
		args = append(args, "-G", a.groupName) // adduser takes no gid
	} else if a.sameGroupExists {
		// adduser would fail making the user's own group.
		args = append(args, "-G", u.name)
	}
	if u.hasComment {
		args = append(args, "-g", u.comment)
	}
	if u.hasHome {
		args = append(args, "-h", u.home)
	}
	if u.hasShell {
		args = append(args, "-s", u.shell)
	}
	if u.system {
		args = append(args, "-S")
	}
	if !u.createHome {
		args = append(args, "-H")
	}
	s.use("tend_member")
	s.add(busyboxCmd("adduser", append(args, u.name)...))
	for _, g := range a.groups {
		s.add("tend_member ", q(g), " ", q(u.name), " || ", busyboxCmd("adduser", u.name, g))
	}
	if u.hasPassword {
		newFiles(s, env).password(u.name, u.password)
	}
}

func (busyboxOps) modUser(s *script, env acctEnv, m *userMod) {
	s.use("tend_member")
	for _, g := range m.add {
		s.add("tend_member ", q(g), " ", q(m.u.name), " || ", busyboxCmd("adduser", m.u.name, g))
	}
	for _, g := range m.del {
		s.add("! tend_member ", q(g), " ", q(m.u.name), " || ", busyboxCmd("delgroup", m.u.name, g))
	}
	rest := *m
	rest.add, rest.del = nil, nil
	if rest.newLine != "" || rest.password {
		filesOps{}.modUser(s, env, &rest)
	}
}

func (busyboxOps) delUser(s *script, env acctEnv, d *userDel) {
	args := []string{}
	if d.u.remove {
		args = append(args, "--remove-home")
	}
	s.add(busyboxCmd("deluser", append(args, d.u.name)...))
}

func (busyboxOps) addGroup(s *script, env acctEnv, g *groupAdd) {
	var args []string
	if g.hasGID {
		args = append(args, "-g", g.gid)
	}
	if g.system {
		args = append(args, "-S")
	}
	s.add(busyboxCmd("addgroup", append(args, g.name)...))
}

func (busyboxOps) modGroup(s *script, env acctEnv, g *groupMod) {
	filesOps{}.modGroup(s, env, g)
}

func (busyboxOps) delGroup(s *script, env acctEnv, g *groupDel) {
	s.add(busyboxCmd("delgroup", g.name))
}

type filesOps struct{}

func (filesOps) addUser(s *script, env acctEnv, a *userAdd) {
	u := a.u
	f := newFiles(s, env)
	if a.newGroup != "" {
		f.replace("group", u.name, "", a.newGroup, a.gid)
		f.put("gshadow", u.name, u.name+":!::", true)
	}
	uniq := a.uid
	if u.nonUnique {
		uniq = ""
	}
	f.replace("passwd", u.name, "", strings.Join([]string{u.name, a.pwField, a.uid, a.gid, u.comment, a.home, a.shell}, ":"), uniq)
	// The day of the last change is the host's today.
	s.add("tend_k=", q(u.name), "; tend_new=", q(a.shadowLine[0]), "$(($(date +%s) / 86400))", q(a.shadowLine[1]), "; export tend_k tend_new")
	f.editIf("shadow", awkPut)
	f.members(u.name, a.groups, nil, false)
	if u.createHome {
		h := q(env.hostPath(a.home))
		s.use("tend_mkhome")
		s.add("if [ ! -d ", h, " ]; then tend_mkhome ", h, " ", a.uid, " ", a.gid, " ", octal(a.homeMode), "; fi")
	}
}

func (filesOps) modUser(s *script, env acctEnv, m *userMod) {
	f := newFiles(s, env)
	if m.newLine != "" {
		uniq := m.uid
		if m.u.nonUnique {
			uniq = ""
		}
		f.replace("passwd", m.u.name, m.cur.Line, m.newLine, uniq)
	}
	f.members(m.u.name, m.add, m.del, false)
	if m.password {
		f.password(m.u.name, m.u.password)
	}
	home := m.cur.Home
	if m.home != "" {
		home = m.home
	}
	if m.move {
		from, to := q(env.hostPath(m.cur.Home)), q(env.hostPath(m.home))
		s.add("if [ -d ", from, " ] && [ ! -e ", to, " ]; then")
		if parent := path.Dir(m.home); parent != "/" {
			s.add("mkdir -p -- ", q(env.hostPath(parent)), " || tend_die ", q("cannot create "+parent))
		}
		s.add("mv -- ", from, " ", to, " || tend_die ", q("cannot move "+m.cur.Home+" to "+m.home))
		s.add("fi")
	}
	// As usermod does: the home's files follow the new ids.
	if home != "" && home != "/" && (m.uid != "" || m.gid != "") {
		h := q(env.hostPath(home))
		s.add("if [ -d ", h, " ]; then")
		if m.uid != "" {
			s.add("find ", h, " -xdev -user ", m.cur.UID, " -exec chown -h ", m.uid, " {} \\; || tend_die ", q("cannot chown the files in "+home))
		}
		if m.gid != "" {
			s.add("find ", h, " -xdev -group ", m.cur.GID, " -exec chgrp -h ", m.gid, " {} \\; || tend_die ", q("cannot chgrp the files in "+home))
		}
		s.add("fi")
	}
}

func (filesOps) delUser(s *script, env acctEnv, d *userDel) {
	f := newFiles(s, env)
	if g := d.primaryGroup; g != nil {
		f.replace("group", g.Name, g.Line, "", "")
		f.put("gshadow", g.Name, "", true)
	}
	f.replace("passwd", d.u.name, d.cur.Line, "", "")
	f.put("shadow", d.u.name, "", true)
	f.members(d.u.name, nil, nil, true)
	if d.u.remove {
		s.add("rm -f -- \"$tend_r/var/mail/\"", q(d.u.name))
		if h := d.cur.Home; h != "" && path.Clean(h) != "/" {
			// Only a home that is the user's own, as userdel checks.
			hq := q(env.hostPath(h))
			s.add("if [ -d ", hq, " ] && [ -n \"$(find ", hq, " -prune -user ", d.cur.UID, ")\" ]; then rm -rf -- ", hq, " || tend_die ", q("cannot remove "+h), "; fi")
		}
	}
}

func (filesOps) addGroup(s *script, env acctEnv, g *groupAdd) {
	f := newFiles(s, env)
	uniq := g.gid
	if g.nonUnique {
		uniq = ""
	}
	f.replace("group", g.name, "", g.name+":x:"+g.gid+":", uniq)
	f.put("gshadow", g.name, g.name+":!::", true)
}

func (filesOps) modGroup(s *script, env acctEnv, g *groupMod) {
	f := newFiles(s, env)
	uniq := g.gid
	if g.nonUnique {
		uniq = ""
	}
	fields := strings.SplitN(g.cur.Line, ":", 4)
	fields[2] = g.gid
	f.replace("group", g.name, g.cur.Line, strings.Join(fields, ":"), uniq)
}

func (filesOps) delGroup(s *script, env acctEnv, g *groupDel) {
	f := newFiles(s, env)
	f.replace("group", g.name, g.cur.Line, "", "")
	f.put("gshadow", g.name, "", true)
}
