package modules

import (
	"fmt"
	"strconv"
	"strings"

	"tend/modules/hostq"
)

// groupModule is Ansible's group, on the same probe and backends as user.
type groupModule struct {
	env     acctEnv
	backend string // forces a backend (tests)
}

func init() { Register("group", groupModule{}) }

func (groupModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "name", Kind: String, Required: true},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent"}},
		{Name: "gid", Kind: Int},
		{Name: "system", Kind: Bool, Default: false},
		{Name: "non_unique", Kind: Bool, Default: false},
	}}
}

type groupTask struct {
	name, state, gid          string
	hasGID, system, nonUnique bool
}

func readGroupTask(t *Task) (*groupTask, error) {
	a := t.Args
	g := &groupTask{name: a.String("name"), state: a.String("state"), hasGID: a.Has("gid"),
		system: a.Bool("system"), nonUnique: a.Bool("non_unique")}
	if g.state == "" {
		g.state = "present"
	}
	if err := checkAcctName("group", g.name); err != nil {
		return nil, err
	}
	if g.hasGID {
		n := a.Int("gid")
		if n < 0 || n > 1<<32-2 {
			return nil, fmt.Errorf("gid %d is out of range", n)
		}
		g.gid = strconv.Itoa(n)
	}
	return g, nil
}

// Questions are the accounts' (accounts_ask.go); a root other than / is
// the probe's.
func (m groupModule) Questions(t *Task) ([]hostq.Question, error) {
	if _, err := readGroupTask(t); err != nil {
		return nil, err
	}
	if m.env.root != "" {
		return nil, nil
	}
	return acctQuestions(), nil
}

func (m groupModule) Probe(t *Task) (string, error) {
	if _, err := readGroupTask(t); err != nil {
		return "", err
	}
	s := newScript()
	acctProbe(s, m.env)
	return s.String(), nil
}

// groupAdd is a group to create; gid is the one asked for or, for the
// files backend, the one Plan picked.
type groupAdd struct {
	name, gid                 string
	hasGID, system, nonUnique bool
}

type groupMod struct {
	name, gid string
	cur       *hostq.Group
	nonUnique bool
}

type groupDel struct {
	name string
	cur  *hostq.Group
}

func (m groupModule) read(t *Task, probe Output) (*groupTask, *acctDB, acctBackend, error) {
	g, err := readGroupTask(t)
	if err != nil {
		return nil, nil, acctBackend{}, err
	}
	var db *acctDB
	if probe.Answers != nil {
		db, err = readAcctAnswers(probe.Answers)
	} else {
		var r *records
		if r, err = readProbe(probe); err == nil {
			db, err = readAcctDB(r)
		}
	}
	if err != nil {
		return nil, nil, acctBackend{}, err
	}
	be, err := pickBackend(t.Facts, db.tools, m.backend)
	return g, db, be, err
}

func (db *acctDB) gidTaken(gid, except string) bool {
	for _, e := range db.Groups {
		if e.Name != except && sameID(e.GID, gid) {
			return true
		}
	}
	return false
}

func (m groupModule) Plan(t *Task, probe Output) (*Change, error) {
	g, db, be, err := m.read(t, probe)
	if err != nil {
		return nil, err
	}
	cur := db.Group(g.name)
	p := "group " + g.name
	s := acctStart(m.env)
	var diffs []Diff
	var effects []hostq.Effect
	switch {
	case g.state == "absent" && cur == nil:
		return nil, nil
	case g.state == "absent":
		for _, u := range db.Users {
			if sameID(u.GID, cur.GID) {
				return nil, fmt.Errorf("cannot remove the primary group of user '%s'", u.Name)
			}
		}
		guard(s, "group", g.name, true, func() { be.ops.delGroup(s, m.env, &groupDel{name: g.name, cur: cur}) })
		effects = []hostq.Effect{hostq.RemoveGroup{Name: g.name}}
		diffs = append(diffs, Diff{Path: p, Attr: "state", Before: "present", After: "absent"})
		res := Result{"changed": true, "name": g.name, "state": "absent"}
		return &Change{Diffs: diffs, Apply: s.String(), Effects: effects, Result: appliedResult(res)}, nil
	case cur == nil:
		a := &groupAdd{name: g.name, gid: g.gid, hasGID: g.hasGID, system: g.system, nonUnique: g.nonUnique}
		diffs = append(diffs, Diff{Path: p, Attr: "state", Before: "absent", After: "present"})
		if g.hasGID {
			if !g.nonUnique && db.gidTaken(g.gid, g.name) {
				return nil, fmt.Errorf("GID '%s' already exists (non_unique allows it)", g.gid)
			}
			diffs = append(diffs, Diff{Path: p, Attr: "gid", After: g.gid})
		} else if a.gid, err = db.nextGID(g.system); err != nil {
			return nil, err
		}
		guard(s, "group", g.name, false, func() { be.ops.addGroup(s, m.env, a) })
		// The gid groupadd or addgroup would pick, as the files backend does.
		line := g.name + ":x:" + a.gid + ":"
		effects = []hostq.Effect{hostq.PutGroup{Group: hostq.Group{Name: g.name, Password: "x", GID: a.gid, Line: line}}}
	case g.hasGID && !sameID(g.gid, cur.GID):
		if !g.nonUnique && db.gidTaken(g.gid, g.name) {
			return nil, fmt.Errorf("GID '%s' already exists (non_unique allows it)", g.gid)
		}
		diffs = append(diffs, Diff{Path: p, Attr: "gid", Before: cur.GID, After: g.gid})
		be.ops.modGroup(s, m.env, &groupMod{name: g.name, gid: g.gid, cur: cur, nonUnique: g.nonUnique})
		fields := strings.SplitN(cur.Line, ":", 4)
		fields[2] = g.gid
		effects = []hostq.Effect{hostq.PutGroup{Group: hostq.Group{Name: g.name, Password: cur.Password, GID: g.gid, Line: strings.Join(fields, ":")}}}
	default:
		return nil, nil
	}
	s.add("tend_e=", q(m.env.root), "/etc; tend_k=", q(g.name), "; export tend_k")
	s.add(`awk -F: '$1 == ENVIRON["tend_k"] { print "gid=" $3; exit }' "$tend_e/group" || exit 1`)
	return &Change{Diffs: diffs, Apply: s.String(), Effects: effects, Result: whenApplied(func(o Output) (Result, error) {
		r, err := parseRecords(o.Stdout)
		if err != nil {
			return nil, fmt.Errorf("apply printed something unexpected: %v", err)
		}
		gid, err := r.num("gid")
		if err != nil {
			return nil, fmt.Errorf("apply: the group is not there after it ran (%v)", err)
		}
		return Result{"changed": true, "name": g.name, "state": "present", "gid": int(gid), "system": g.system}, nil
	})}, nil
}

// Report is the result when nothing changes.
func (m groupModule) Report(t *Task, probe Output) (Result, error) {
	g, db, _, err := m.read(t, probe)
	if err != nil {
		return nil, err
	}
	res := Result{"changed": false, "name": g.name, "state": g.state}
	if cur := db.Group(g.name); cur != nil && g.state == "present" {
		res["gid"], _ = strconv.Atoi(cur.GID)
		res["system"] = g.system
	}
	return res, nil
}
