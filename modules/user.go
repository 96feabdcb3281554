package modules

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"tend/modules/hostq"
)

// userModule is Ansible's user. The probe reads the account databases
// (accounts.go); Plan compares and picks a backend (shadow's tools,
// busybox's, or direct edits of the files); Apply makes the changes and
// prints the user's line, which the result reports.
type userModule struct {
	env acctEnv
	// backend forces a backend (tests); "" picks by the tools found.
	backend string
	// keygenCmd is the ssh-keygen to run ("" from the PATH; tests).
	keygenCmd string
}

func init() { Register("user", userModule{}) }

func (userModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "name", Kind: String, Required: true, Aliases: []string{"user"}},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent"}},
		{Name: "uid", Kind: Int},
		{Name: "group", Kind: String},
		{Name: "groups", Kind: List},
		{Name: "append", Kind: Bool, Default: false},
		{Name: "comment", Kind: String},
		{Name: "home", Kind: Path},
		{Name: "shell", Kind: String},
		{Name: "password", Kind: String, NoLog: true},
		{Name: "update_password", Kind: String, Default: "always", Choices: []string{"always", "on_create"}},
		{Name: "create_home", Kind: Bool, Default: true, Aliases: []string{"createhome"}},
		{Name: "move_home", Kind: Bool, Default: false},
		{Name: "system", Kind: Bool, Default: false},
		{Name: "non_unique", Kind: Bool, Default: false},
		{Name: "remove", Kind: Bool, Default: false},
		{Name: "force", Kind: Bool, Default: false},
		{Name: "expires", Kind: String},
		{Name: "password_lock", Kind: Bool},
		{Name: "password_expire_max", Kind: Int},
		{Name: "password_expire_min", Kind: Int},
		{Name: "generate_ssh_key", Kind: Bool},
		{Name: "ssh_key_bits", Kind: Int, Default: 0},
		{Name: "ssh_key_type", Kind: String, Default: "rsa"},
		{Name: "ssh_key_file", Kind: Path},
		// Ansible's default is "ansible-generated on " and the host's name,
		// which the apply asks the host for.
		{Name: "ssh_key_comment", Kind: String},
		{Name: "ssh_key_passphrase", Kind: String, NoLog: true},
	}}
}

type userTask struct {
	name, state                                  string
	uid, group, comment, home, shell, password   string
	groups                                       []string
	hasUID, hasGroup, hasGroups, hasComment      bool
	hasHome, hasShell, hasPassword, updateAlways bool
	appendGroups, createHome, moveHome, system   bool
	nonUnique, remove, force                     bool
	x                                            userExtras
}

func readUserTask(t *Task) (*userTask, error) {
	a := t.Args
	u := &userTask{
		name: a.String("name"), state: a.String("state"),
		group: a.String("group"), groups: a.List("groups"),
		comment: a.String("comment"), home: a.String("home"), shell: a.String("shell"),
		password: a.String("password"),
		hasUID:   a.Has("uid"), hasGroup: a.Has("group"), hasGroups: a.Has("groups"),
		hasComment: a.Has("comment"), hasHome: a.Has("home"), hasShell: a.Has("shell"),
		hasPassword:  a.Has("password"),
		updateAlways: a.String("update_password") != "on_create",
		appendGroups: a.Bool("append"), createHome: a.Bool("create_home"),
		moveHome: a.Bool("move_home"), system: a.Bool("system"),
		nonUnique: a.Bool("non_unique"), remove: a.Bool("remove"), force: a.Bool("force"),
	}
	if u.state == "" {
		u.state = "present"
	}
	var err error
	if u.x, err = readUserExtras(a); err != nil {
		return nil, err
	}
	if err := checkAcctName("user", u.name); err != nil {
		return nil, err
	}
	if u.hasUID {
		n := a.Int("uid")
		if n < 0 || n > 1<<32-2 {
			return nil, fmt.Errorf("uid %d is out of range", n)
		}
		u.uid = strconv.Itoa(n)
	}
	if u.hasGroup && u.group == "" {
		return nil, fmt.Errorf("group is empty")
	}
	for _, g := range u.groups {
		if g == "" || strings.ContainsAny(g, ":,\n") {
			return nil, fmt.Errorf("invalid group %q in groups", g)
		}
	}
	if u.hasHome {
		if err := checkAbs("home", u.home); err != nil {
			return nil, err
		}
		u.home = cleanPath(u.home)
	}
	for _, f := range []struct{ arg, v string }{{"group", u.group}, {"comment", u.comment}, {"home", u.home}, {"shell", u.shell}, {"password", u.password}} {
		if err := checkField(f.arg, f.v); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (m userModule) Probe(t *Task) (string, error) {
	u, err := readUserTask(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	acctProbe(s, m.env)
	s.add("tend_n=", q(u.name), "; export tend_n")
	if u.hasPassword {
		// Compared here: the hash never travels back.
		s.add("tend_pw=", q(u.password), "; export tend_pw")
		// As Ansible compares them: a lock's '!' left out.
		const cmp = `'$1 == ENVIRON["tend_n"] { a = $2; b = ENVIRON["tend_pw"]; sub(/^!+/, "", a); sub(/^!+/, "", b); print (a == b) ? 1 : 0; exit }'`
		s.add(`tend_s=; if [ -f "$tend_e/shadow" ]; then tend_s=$(awk -F: `, cmp, ` "$tend_e/shadow") || exit 1; fi`)
		s.add(`[ -n "$tend_s" ] || tend_s=$(awk -F: `, cmp, ` "$tend_e/passwd") || exit 1`)
		s.add(`echo "password_same=${tend_s:-0}"`)
	}
	s.add(`tend_c=$(awk -F: '$1 == ENVIRON["tend_n"] { print $6; exit }' "$tend_e/passwd") || exit 1`)
	s.add(`if [ -n "$tend_c" ] && [ -d "$tend_r$tend_c" ]; then echo home.cur=1; else echo home.cur=0; fi`)
	if u.hasHome {
		s.add(`tend_h=`, q(m.env.hostPath(u.home)))
		s.add(`if [ -d "$tend_h" ]; then echo home.want=dir; elif [ -e "$tend_h" ] || [ -L "$tend_h" ]; then echo home.want=other; else echo home.want=absent; fi`)
	}
	m.probeExtras(s, u)
	return s.String(), nil
}

// userProbe is what the probe found, read.
type userProbe struct {
	db           *acctDB
	backend      acctBackend
	cur          *hostq.User
	passwordSame bool
	homeCur      bool   // the current home is a directory (probe only: see curHome)
	homeWant     string // the requested home: dir, other, absent ("" not asked)
	answers      hostq.Answers
	skelEmpty    bool // answers only: /etc/skel has nothing to copy
	shadow       shadowState
	key          keyState
}

func (m userModule) read(t *Task, probe Output) (*userTask, *userProbe, error) {
	u, err := readUserTask(t)
	if err != nil {
		return nil, nil, err
	}
	if probe.Answers != nil {
		p, err := m.readAnswers(t, u, probe.Answers)
		return u, p, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, nil, err
	}
	p := &userProbe{}
	if p.db, err = readAcctDB(r); err != nil {
		return nil, nil, err
	}
	if p.backend, err = pickBackend(t.Facts, p.db.tools, m.backend); err != nil {
		return nil, nil, err
	}
	p.cur = p.db.User(u.name)
	if u.hasPassword {
		if p.passwordSame, err = r.flag("password_same"); err != nil {
			return nil, nil, err
		}
	}
	if p.homeCur, err = r.flag("home.cur"); err != nil {
		return nil, nil, err
	}
	if u.hasHome {
		if p.homeWant, err = r.get("home.want"); err != nil {
			return nil, nil, err
		}
	}
	if p.shadow, err = readShadowState(r); err != nil {
		return nil, nil, err
	}
	if u.x.genKey && u.state == "present" {
		if p.key, err = readKeyState(r); err != nil {
			return nil, nil, err
		}
	}
	return u, p, nil
}

// userAdd is a user to create. The files backend uses the ids and
// defaults Plan chose; the tools choose their own.
type userAdd struct {
	u               *userTask
	group           string   // as given ("" none)
	groupName       string   // the group's name
	groups          []string // names
	sameGroupExists bool     // a group named like the user exists (and no group given)
	// For the files backend.
	uid, gid, home, shell string
	newGroup              string // a group line to add ("" none)
	pwField               string // passwd's field 2
	shadowLine            [2]string
	homeMode              uint32
}

// userMod is a change to an existing user.
type userMod struct {
	u          *userTask
	cur        *hostq.User
	newLine    string // passwd line after ("" unchanged)
	uid, gid   string // changed ids ("" unchanged)
	group      string // the group as given, when the primary group changes
	setGroups  bool
	groups     []string // the supplementary groups after, when setGroups
	add, del   []string
	comment    *string
	home       string // changed home ("" unchanged)
	move       bool   // move the home's content
	shell      *string
	password   bool // set u.password
	usermodArg bool // something usermod changes
}

// userDel is a user to remove.
type userDel struct {
	u            *userTask
	cur          *hostq.User
	homeExists   bool
	primaryGroup *hostq.Group // the user's own group, which goes with it (files)
}

func (m userModule) Plan(t *Task, probe Output) (*Change, error) {
	u, p, err := m.read(t, probe)
	if err != nil {
		return nil, err
	}
	ch, err := m.plan(u, p)
	var missing missingGroupError
	if probe.Answers == nil && errors.As(err, &missing) {
		// In check mode the group may be one an earlier task would create,
		// which no probe can see: report the change the task asks for, and
		// let the apply (run only once that earlier task did run) fail if
		// the group is truly missing. Answers come from the check run's
		// model, which has that group: there, a missing group is an error.
		return &Change{
			Diffs: []Diff{{Path: userPath(u.name), Attr: "group", After: string(missing) + " (does not exist yet)"}},
			Apply: "printf '%s\\n' " + q(err.Error()) + " >&2; exit 1",
		}, nil
	}
	if errors.As(err, &missing) && p != nil && p.db.Unsure != "" {
		// An earlier change (a package) may well add it.
		return nil, &hostq.Unknown{Why: "whether group " + string(missing) + " exists (" + p.db.Unsure + ")"}
	}
	return ch, err
}

// missingGroupError names a group the task wants that the host lacks.
type missingGroupError string

func (e missingGroupError) Error() string { return "group " + string(e) + " does not exist" }

func (m userModule) plan(u *userTask, p *userProbe) (*Change, error) {
	switch {
	case u.state == "absent" && p.cur == nil:
		return nil, nil
	case u.state == "absent":
		return m.planDel(u, p)
	case p.cur == nil:
		return m.planAdd(u, p)
	}
	return m.planMod(u, p)
}

func userPath(name string) string { return "user " + name }

// resolveGroups turns names and gids into names; a missing one is an error.
func resolveGroups(db *acctDB, gs []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, g := range gs {
		e := db.findGroup(g)
		if e == nil {
			return nil, missingGroupError(g)
		}
		if !seen[e.Name] {
			seen[e.Name] = true
			out = append(out, e.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// uidTaken reports whether another user has uid.
func (db *acctDB) uidTaken(uid, except string) bool {
	for _, e := range db.Users {
		if e.Name != except && sameID(e.UID, uid) {
			return true
		}
	}
	return false
}

func sameID(a, b string) bool {
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	return err1 == nil && err2 == nil && x == y
}

func (m userModule) planAdd(u *userTask, p *userProbe) (*Change, error) {
	db := p.db
	a := &userAdd{u: u, group: u.group}
	path := userPath(u.name)
	diffs := []Diff{{Path: path, Attr: "state", Before: "absent", After: "present"}}
	if u.hasUID {
		if !u.nonUnique && db.uidTaken(u.uid, u.name) {
			return nil, fmt.Errorf("UID %s is not unique (non_unique allows it)", u.uid)
		}
		diffs = append(diffs, Diff{Path: path, Attr: "uid", After: u.uid})
	}
	var grp *hostq.Group
	if u.hasGroup {
		if grp = db.findGroup(u.group); grp == nil {
			return nil, missingGroupError(u.group)
		}
		a.groupName = grp.Name
		diffs = append(diffs, Diff{Path: path, Attr: "group", After: grp.Name})
	} else {
		a.sameGroupExists = db.Group(u.name) != nil
	}
	var err error
	if a.groups, err = resolveGroups(db, u.groups); err != nil {
		return nil, err
	}
	if len(a.groups) > 0 {
		diffs = append(diffs, Diff{Path: path, Attr: "groups", After: strings.Join(a.groups, ",")})
	}
	if u.hasComment && u.comment != "" {
		diffs = append(diffs, Diff{Path: path, Attr: "comment", After: u.comment})
	}
	if u.hasHome {
		diffs = append(diffs, Diff{Path: path, Attr: "home", After: u.home})
	}
	if u.hasShell {
		diffs = append(diffs, Diff{Path: path, Attr: "shell", After: u.shell})
	}
	if u.hasPassword {
		diffs = append(diffs, Diff{Path: path, Attr: "password", After: "(hidden)"})
	}

	// What the files backend writes, with useradd's defaults.
	if a.uid = u.uid; a.uid == "" {
		if a.uid, err = db.nextUID(u.system); err != nil {
			return nil, err
		}
	}
	switch {
	case grp != nil:
		a.gid = grp.GID
	case a.sameGroupExists:
		// useradd -N, as Ansible runs it: the default group.
		if a.gid = db.defaults["group"]; a.gid == "" {
			a.gid = "100"
		}
		if e := db.findGroup(a.gid); e != nil {
			a.gid = e.GID
		}
	default:
		// A group of the user's own, with the uid as gid when it is free.
		a.gid = a.uid
		if n, _ := strconv.ParseInt(a.uid, 10, 64); db.usedGIDs()[n] {
			if a.gid, err = db.nextGID(u.system); err != nil {
				return nil, err
			}
		}
		a.newGroup = u.name + ":x:" + a.gid + ":"
	}
	if a.home = u.home; !u.hasHome {
		base := db.defaults["home"]
		if base == "" || !strings.HasPrefix(base, "/") {
			base = "/home"
		}
		a.home = cleanPath(base + "/" + u.name)
	}
	if a.shell = u.shell; !u.hasShell {
		if a.shell = db.defaults["shell"]; a.shell == "" {
			a.shell = "/bin/sh"
		}
	}
	hash := "!"
	if u.hasPassword {
		hash = u.password
	}
	a.pwField = "x"
	if !db.shadow {
		a.pwField = hash
	}
	// Password aging from login.defs, empty where it says nothing (as
	// useradd writes it).
	aging := ""
	for _, k := range []string{"pass_min_days", "pass_max_days", "pass_warn_age"} {
		aging += ":"
		if v, ok := db.defs[k]; ok {
			aging += strconv.FormatInt(v, 10)
		}
	}
	aging += ":::"
	if u.system {
		aging = "::::::"
	}
	a.shadowLine = [2]string{u.name + ":" + hash + ":", aging}
	a.homeMode = db.homeMode()
	if u.createHome && p.homeWant != "dir" {
		diffs = append(diffs, Diff{Path: a.home, Attr: "state", Before: "absent", After: "directory"})
	}

	x, err := planExtras(u, p.shadow, p.key, a.home, true, u.hasPassword)
	if err != nil {
		return nil, err
	}
	diffs = append(diffs, x.diffs...)
	s := acctStart(m.env)
	guard(s, "passwd", u.name, false, func() { p.backend.ops.addUser(s, m.env, a) })
	m.applyExtras(s, u, x)
	m.printUser(s, u.name)
	return &Change{Diffs: diffs, Apply: s.String(), Result: m.result(u, true, x.keyPath), Effects: p.addEffects(u, a)}, nil
}

func (m userModule) planMod(u *userTask, p *userProbe) (*Change, error) {
	db, cur := p.db, p.cur
	mod := &userMod{u: u, cur: cur}
	path := userPath(u.name)
	var diffs []Diff
	f := []string{cur.Name, cur.Password, cur.UID, cur.GID, cur.Gecos, cur.Home, cur.Shell}
	if u.hasUID && !sameID(u.uid, cur.UID) {
		if !u.nonUnique && db.uidTaken(u.uid, u.name) {
			return nil, fmt.Errorf("UID %s is not unique (non_unique allows it)", u.uid)
		}
		mod.uid, f[2] = u.uid, u.uid
		diffs = append(diffs, Diff{Path: path, Attr: "uid", Before: cur.UID, After: u.uid})
	}
	if u.hasGroup {
		g := db.findGroup(u.group)
		if g == nil {
			return nil, missingGroupError(u.group)
		}
		if !sameID(g.GID, cur.GID) {
			before := cur.GID
			if e := db.groupByGID(cur.GID); e != nil {
				before = e.Name
			}
			mod.gid, mod.group, f[3] = g.GID, u.group, g.GID
			diffs = append(diffs, Diff{Path: path, Attr: "group", Before: before, After: g.Name})
		}
	}
	if u.hasGroups {
		want, err := resolveGroups(db, u.groups)
		if err != nil {
			return nil, err
		}
		have := db.memberOf(u.name)
		after := want
		if u.appendGroups {
			after = union(have, want)
		}
		if strings.Join(after, ",") != strings.Join(have, ",") {
			mod.setGroups, mod.groups = true, after
			mod.add, mod.del = minus(after, have), minus(have, after)
			diffs = append(diffs, Diff{Path: path, Attr: "groups", Before: strings.Join(have, ","), After: strings.Join(after, ",")})
		}
	}
	if u.hasComment && u.comment != cur.Gecos {
		mod.comment, f[4] = &u.comment, u.comment
		diffs = append(diffs, Diff{Path: path, Attr: "comment", Before: cur.Gecos, After: u.comment})
	}
	home := cur.Home
	var homeExists bool
	var err error
	homeChanged := u.hasHome && u.home != cur.Home
	if homeChanged {
		mod.home, f[5], home = u.home, u.home, u.home
		homeExists = p.homeWant == "dir"
		diffs = append(diffs, Diff{Path: path, Attr: "home", Before: cur.Home, After: u.home})
		curDir := false
		if u.moveHome {
			if curDir, err = p.curHome(); err != nil {
				return nil, err
			}
		}
		if curDir {
			if p.homeWant != "absent" {
				return nil, fmt.Errorf("cannot move the home %s to %s: it exists", cur.Home, u.home)
			}
			mod.move, homeExists = true, true
			diffs = append(diffs, Diff{Path: cur.Home, Attr: "moved", Before: cur.Home, After: u.home})
		}
	} else if u.createHome && home != "" {
		if homeExists, err = p.curHome(); err != nil {
			return nil, err
		}
	}
	if u.hasShell && u.shell != cur.Shell {
		mod.shell, f[6] = &u.shell, u.shell
		diffs = append(diffs, Diff{Path: path, Attr: "shell", Before: cur.Shell, After: u.shell})
	}
	if u.hasPassword && u.updateAlways && !p.passwordSame {
		mod.password = true
		diffs = append(diffs, Diff{Path: path, Attr: "password", Before: "(hidden)", After: "(hidden, changed)"})
	}
	if line := strings.Join(f, ":"); line != cur.Line {
		mod.newLine = line
	}
	mod.usermodArg = mod.newLine != "" || mod.setGroups || mod.password
	// Ansible creates a missing home for an existing user itself.
	mkHome := u.createHome && !homeExists && home != ""
	if mkHome {
		diffs = append(diffs, Diff{Path: home, Attr: "state", Before: "absent", After: "directory"})
	}
	x, err := planExtras(u, p.shadow, p.key, home, false, mod.password)
	if err != nil {
		return nil, err
	}
	diffs = append(diffs, x.diffs...)
	if len(diffs) == 0 {
		return nil, nil
	}
	s := acctStart(m.env)
	if mod.usermodArg {
		p.backend.ops.modUser(s, m.env, mod)
	}
	if mkHome {
		s.use("tend_mkhome")
		h := q(m.env.hostPath(home))
		s.add("if [ ! -d ", h, " ]; then tend_mkhome ", h, " ", f[2], " ", f[3], " ", octal(db.homeMode()), "; fi")
	}
	m.applyExtras(s, u, x)
	m.printUser(s, u.name)
	return &Change{Diffs: diffs, Apply: s.String(), Result: m.result(u, false, x.keyPath),
		Effects: p.modEffects(u, mod, f, home, mkHome)}, nil
}

func (m userModule) planDel(u *userTask, p *userProbe) (*Change, error) {
	d := &userDel{u: u, cur: p.cur}
	diffs := []Diff{{Path: userPath(u.name), Attr: "state", Before: "present", After: "absent"}}
	if u.remove {
		var err error
		if d.homeExists, err = p.curHome(); err != nil {
			return nil, err
		}
	}
	if u.remove && d.homeExists {
		diffs = append(diffs, Diff{Path: p.cur.Home, Attr: "state", Before: "directory", After: "absent"})
	}
	// userdel removes the user's own group when nobody else uses it.
	if g := p.db.Group(u.name); g != nil && sameID(g.GID, p.cur.GID) {
		alone := true
		for _, o := range p.db.Users {
			alone = alone && (o.Name == u.name || !sameID(o.GID, g.GID))
		}
		for _, mb := range g.Members {
			alone = alone && mb == u.name
		}
		if alone {
			d.primaryGroup = g
		}
	}
	s := acctStart(m.env)
	guard(s, "passwd", u.name, true, func() { p.backend.ops.delUser(s, m.env, d) })
	res := Result{"changed": true, "name": u.name, "state": "absent", "force": u.force, "remove": u.remove}
	return &Change{Diffs: diffs, Apply: s.String(), Effects: p.delEffects(u, d), Result: appliedResult(res)}, nil
}

// printUser ends an apply with the user's line, for the result.
func (m userModule) printUser(s *script, name string) {
	s.add("tend_e=", q(m.env.root), "/etc; tend_n=", q(name), "; export tend_n")
	s.add(`awk -F: '$1 == ENVIRON["tend_n"] { print "uid=" $3; print "gid=" $4; print "comment=" $5; print "home=" $6; print "shell=" $7; exit }' "$tend_e/passwd" || exit 1`)
}

func (m userModule) result(u *userTask, created bool, keyPath string) func(Output) (Result, error) {
	return whenApplied(func(o Output) (Result, error) {
		r, err := parseRecords(o.Stdout)
		if err != nil {
			return nil, fmt.Errorf("apply printed something unexpected: %v", err)
		}
		res := Result{"changed": true, "name": u.name, "state": "present"}
		if created {
			res["system"], res["create_home"] = u.system, u.createHome
		} else {
			res["append"], res["move_home"] = u.appendGroups, u.moveHome
		}
		for _, k := range []string{"uid", "gid", "comment", "home", "shell"} {
			v, err := r.get(k)
			if err != nil {
				return nil, fmt.Errorf("apply: the user is not there after it ran (%v)", err)
			}
			res[k] = v
		}
		for _, k := range []string{"uid", "gid"} {
			if n, err := strconv.Atoi(res[k].(string)); err == nil {
				res[k] = n
			}
		}
		res["group"] = res["gid"]
		delete(res, "gid")
		u.report(res)
		if u.x.genKey {
			var k keyState
			readKeyFacts(r, &k)
			reportKey(res, keyPath, k)
		}
		return res, nil
	})
}

// report adds the keys Ansible adds from the task itself.
func (u *userTask) report(res Result) {
	if u.hasGroups {
		res["groups"] = strings.Join(u.groups, ",")
	}
	if u.hasPassword {
		res["password"] = "NOT_LOGGING_PASSWORD"
	}
}

// Report is the result when nothing changes.
func (m userModule) Report(t *Task, probe Output) (Result, error) {
	u, p, err := m.read(t, probe)
	if err != nil {
		return nil, err
	}
	res := Result{"changed": false, "name": u.name, "state": u.state}
	if u.state == "absent" || p.cur == nil {
		return res, nil
	}
	c := p.cur
	res["append"], res["move_home"] = u.appendGroups, u.moveHome
	res["comment"], res["home"], res["shell"] = c.Gecos, c.Home, c.Shell
	res["uid"], _ = strconv.Atoi(c.UID)
	res["group"], _ = strconv.Atoi(c.GID)
	u.report(res)
	if u.x.genKey {
		reportKey(res, u.x.keyPath(c.Home), p.key)
	}
	return res, nil
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range [][]string{a, b} {
		for _, x := range l {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	sort.Strings(out)
	return out
}

// minus is a without b's elements.
func minus(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}
