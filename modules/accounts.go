package modules

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"tend/modules/hostq"
)

// Users and groups (user.go, group.go) share what is here: the probe that
// reads the account databases, their parsing, the choice of backend, and
// the shell helpers of the "files" backend, which edits /etc/passwd,
// /etc/shadow, /etc/group and /etc/gshadow itself.
//
// The probe reads the databases directly (getent may be missing on busybox
// systems) and brings /etc/passwd and /etc/group back whole: they are world
// readable, small, and Plan needs them for names, ids, memberships and free
// ids. The secret files (shadow, gshadow) never come back: a password is
// compared inside the probe, which prints only whether it is the same.

// acctEnv is where the databases are: root "" is the host's /, tests point
// it at a temporary folder. Every backend honours it (shadow's tools through
// --prefix, the files backend by prefixing every path).
type acctEnv struct {
	root string
	// lockTries is how many seconds the files backend waits for a lock
	// another process holds (0: acctLockTries).
	lockTries int
}

const acctLockTries = 30

// acctTools are the commands the probe looks for.
var acctTools = []string{"useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel", "adduser", "deluser", "addgroup", "delgroup"}

// acctBackend is one way of changing the databases.
type acctBackend struct {
	name  string
	needs []string // commands that must all be on the host
	ops   acctOps
}

// acctBackends in order of preference; files needs nothing and comes last.
var acctBackends = []acctBackend{
	{name: "shadow", needs: []string{"useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel"}, ops: shadowOps{}},
	{name: "busybox", needs: []string{"adduser", "deluser", "addgroup", "delgroup"}, ops: busyboxOps{}},
	{name: "files", ops: filesOps{}},
}

// acctFamilyFirst names the backend an OS family prefers when its tools are
// there (Ansible uses busybox's tools on Alpine even with shadow installed).
var acctFamilyFirst = map[string]string{"Alpine": "busybox"}

// pickBackend chooses by the tools the probe found; facts only reorder.
// forced (tests) names one outright.
func pickBackend(facts map[string]any, tools map[string]bool, forced string) (acctBackend, error) {
	order := make([]acctBackend, 0, len(acctBackends))
	if fam, _ := facts["ansible_os_family"].(string); acctFamilyFirst[fam] != "" {
		for _, b := range acctBackends {
			if b.name == acctFamilyFirst[fam] {
				order = append(order, b)
			}
		}
	}
	order = append(order, acctBackends...)
	for _, b := range order {
		if forced != "" {
			if b.name == forced {
				return b, nil
			}
			continue
		}
		ok := true
		for _, c := range b.needs {
			ok = ok && tools[c]
		}
		if ok {
			return b, nil
		}
	}
	return acctBackend{}, fmt.Errorf("no account backend %q", forced)
}

// acctOps makes the changes Plan decided. Each method adds script lines
// that end the script with tend_die on failure.
type acctOps interface {
	addUser(s *script, env acctEnv, a *userAdd)
	modUser(s *script, env acctEnv, m *userMod)
	delUser(s *script, env acctEnv, d *userDel)
	addGroup(s *script, env acctEnv, g *groupAdd)
	modGroup(s *script, env acctEnv, g *groupMod)
	delGroup(s *script, env acctEnv, g *groupDel)
}

// acctName is what useradd accepts without --badname, which also keeps
// names from meaning anything to sh, awk or the databases' syntax.
var acctName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$`)

func checkAcctName(kind, n string) error {
	if !acctName.MatchString(n) || len(n) > 32 {
		return fmt.Errorf("invalid %s name %q: use letters, digits, '_', '.', '-' (not first), at most 32 characters", kind, n)
	}
	if numericID.MatchString(n) {
		return fmt.Errorf("invalid %s name %q: a name cannot be all digits", kind, n)
	}
	return nil
}

// checkField refuses what would break a database line.
func checkField(arg, v string) error {
	if strings.ContainsAny(v, ":\n\r\x00") {
		return fmt.Errorf("%s must not contain ':', a newline or a NUL byte", arg)
	}
	return nil
}

// acctDB is what Plan knows of the host's accounts: the databases (parsed
// by hostq, from the probe's copy of them or from the answers), the tools
// and the defaults useradd would apply.
type acctDB struct {
	*hostq.AccountDB
	tools    map[string]bool
	shadow   bool              // /etc/shadow exists
	defs     map[string]int64  // login.defs numbers, lower-case keys
	defaults map[string]string // /etc/default/useradd
}

func newAcctDB(accounts *hostq.AccountDB) *acctDB {
	return &acctDB{AccountDB: accounts, tools: map[string]bool{}, defs: map[string]int64{}, defaults: map[string]string{}}
}

func (db *acctDB) groupByGID(gid string) *hostq.Group {
	for i := range db.Groups {
		if db.Groups[i].GID == gid {
			return &db.Groups[i]
		}
	}
	return nil
}

// findGroup takes a name or a gid, as useradd's -g and -G do (a name
// first).
func (db *acctDB) findGroup(g string) *hostq.Group {
	if e := db.Group(g); e != nil {
		return e
	}
	if n, err := strconv.ParseInt(g, 10, 64); err == nil && numericID.MatchString(g) {
		return db.groupByGID(strconv.FormatInt(n, 10))
	}
	return nil
}

// memberOf lists the groups whose member list names user, sorted.
func (db *acctDB) memberOf(user string) []string {
	var out []string
	for _, g := range db.Groups {
		for _, m := range g.Members {
			if m == user {
				out = append(out, g.Name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

func (db *acctDB) def(key string, dflt int64) int64 {
	if v, ok := db.defs[key]; ok {
		return v
	}
	return dflt
}

// setDef records a login.defs number as the module reads it: UMASK and
// HOME_MODE are octal.
func (db *acctDB) setDef(key, v string) error {
	base := 10
	if key == "umask" || key == "home_mode" {
		base = 8
	}
	n, err := strconv.ParseInt(v, base, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("login.defs: %s=%q is not a number", strings.ToUpper(key), v)
	}
	db.defs[key] = n
	return nil
}

// readAcctDB parses the records acctProbe printed.
func readAcctDB(r *records) (*acctDB, error) {
	pw, ok := r.blob("passwd")
	if !ok {
		return nil, fmt.Errorf("probe output lacks passwd")
	}
	gr, ok := r.blob("group")
	if !ok {
		return nil, fmt.Errorf("probe output lacks group")
	}
	db := newAcctDB(hostq.ParseAccounts(pw, gr))
	tools, err := r.get("tools")
	if err != nil {
		return nil, err
	}
	for _, t := range strings.Fields(tools) {
		db.tools[t] = true
	}
	if db.shadow, err = r.flag("shadow"); err != nil {
		return nil, err
	}
	for k, v := range r.vals {
		switch {
		case strings.HasPrefix(k, "defs."):
			if err := db.setDef(strings.TrimPrefix(k, "defs."), v); err != nil {
				return nil, fmt.Errorf("probe: %v", err)
			}
		case strings.HasPrefix(k, "defu."):
			db.defaults[strings.TrimPrefix(k, "defu.")] = v
		}
	}
	return db, nil
}

// acctProbe adds the commands that print the databases and the tools.
func acctProbe(s *script, env acctEnv) {
	s.use("tend_blob")
	s.add("tend_r=", q(env.root), "; tend_e=$tend_r/etc")
	s.add(`printf 'tools='; for tend_x in `, strings.Join(acctTools, " "), `; do if command -v "$tend_x" >/dev/null 2>&1; then printf ' %s' "$tend_x"; fi; done; echo`)
	for _, f := range []string{"passwd", "group"} {
		s.add(`[ -f "$tend_e/`, f, `" ] || { echo "$tend_e/`, f, ` is missing" >&2; exit 1; }`)
		s.add(`tend_blob `, f, ` "$tend_e/`, f, `" || exit 1`)
	}
	s.add(`if [ -f "$tend_e/shadow" ]; then echo shadow=1; else echo shadow=0; fi`)
	s.add(`if [ -f "$tend_e/login.defs" ]; then awk '$1 ~ /^(`, strings.Join(loginDefsKeys, "|"), `)$/ && $2 ~ /^[0-9]+$/ { v[tolower($1)] = $2 } END { for (k in v) print "defs." k "=" v[k] }' "$tend_e/login.defs" || exit 1; fi`)
	s.add(`if [ -f "$tend_e/default/useradd" ]; then awk -F= '$1 ~ /^(`, strings.Join(useraddKeys, "|"), `)$/ && $2 !~ /[:\\]/ { v[tolower($1)] = $2 } END { for (k in v) print "defu." k "=" v[k] }' "$tend_e/default/useradd" || exit 1; fi`)
}

// nextID picks a free id as useradd does: above the highest used one in
// [min, max] for normal accounts, below the lowest used one in the system
// range for system accounts, else the first gap.
func nextID(used map[int64]bool, lo, hi int64, system bool) (int64, error) {
	var minUsed, maxUsed int64 = -1, -1
	for id := range used {
		if id < lo || id > hi {
			continue
		}
		if minUsed < 0 || id < minUsed {
			minUsed = id
		}
		if id > maxUsed {
			maxUsed = id
		}
	}
	if system {
		if minUsed < 0 {
			return hi, nil
		}
		if minUsed-1 >= lo {
			return minUsed - 1, nil
		}
		for id := hi; id >= lo; id-- {
			if !used[id] {
				return id, nil
			}
		}
	} else {
		if maxUsed < 0 {
			return lo, nil
		}
		if maxUsed+1 <= hi {
			return maxUsed + 1, nil
		}
		for id := lo; id <= hi; id++ {
			if !used[id] {
				return id, nil
			}
		}
	}
	return 0, fmt.Errorf("no free id left between %d and %d", lo, hi)
}

func (db *acctDB) usedUIDs() map[int64]bool {
	m := map[int64]bool{}
	for _, u := range db.Users {
		if n, err := strconv.ParseInt(u.UID, 10, 64); err == nil {
			m[n] = true
		}
	}
	return m
}

func (db *acctDB) usedGIDs() map[int64]bool {
	m := map[int64]bool{}
	for _, g := range db.Groups {
		if n, err := strconv.ParseInt(g.GID, 10, 64); err == nil {
			m[n] = true
		}
	}
	return m
}

func (db *acctDB) nextUID(system bool) (string, error) {
	lo, hi := db.def("uid_min", 1000), db.def("uid_max", 60000)
	if system {
		lo, hi = db.def("sys_uid_min", 100), db.def("sys_uid_max", lo-1)
	}
	n, err := nextID(db.usedUIDs(), lo, hi, system)
	return strconv.FormatInt(n, 10), err
}

func (db *acctDB) nextGID(system bool) (string, error) {
	lo, hi := db.def("gid_min", 1000), db.def("gid_max", 60000)
	if system {
		lo, hi = db.def("sys_gid_min", 100), db.def("sys_gid_max", lo-1)
	}
	n, err := nextID(db.usedGIDs(), lo, hi, system)
	return strconv.FormatInt(n, 10), err
}

// homeMode is the mode of a new home: HOME_MODE, else from UMASK.
func (db *acctDB) homeMode() uint32 {
	if m, ok := db.defs["home_mode"]; ok {
		return uint32(m) & 0o7777
	}
	return 0o777 &^ uint32(db.def("umask", 0o22))
}

// ---- the files backend's shell helpers ----

func init() {
	for k, v := range acctHelpers {
		helpers[k] = v
	}
	helperDeps["tend_lockdb"] = []string{"tend_die", "tend_lock", "tend_unlockdb"}
	helperDeps["tend_lock"] = []string{"tend_die"}
	helperDeps["tend_edit"] = []string{"tend_die"}
	helperDeps["tend_mkhome"] = []string{"tend_die"}
	helperDeps["tend_member"] = []string{"tend_in"}
}

// acctHelpers are the files backend's shell functions. $tend_e is the
// folder of the databases.
var acctHelpers = map[string]string{
	// tend_in FILE KEY: whether a database has a line for KEY.
	"tend_in": `tend_in() {
	tend_q=$2; export tend_q
	awk -F: '$1 == ENVIRON["tend_q"] { f = 1 } END { exit !f }' "$1"
}
`,
	// tend_member GROUP USER: whether USER is listed in GROUP's members.
	"tend_member": `tend_member() {
	tend_q=$1 tend_m=$2; export tend_q tend_m
	awk -F: '$1 == ENVIRON["tend_q"] { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == ENVIRON["tend_m"]) f = 1 } END { exit !f }' "$tend_e/group"
}
`,
	// tend_lock FILE: takes FILE.lock as shadow's tools do: a file holding
	// our pid (FILE.PID, removed with the lock by tend_unlockdb) is linked
	// to it (link is atomic, and fails if the lock exists); a lock whose
	// process is gone is stale and removed. Waits $tend_lw seconds for a
	// live holder.
	"tend_lock": `tend_lock() {
	tend_lf=$1.lock tend_lt=$1.$$ tend_li=0
	if [ -e "$tend_lt" ] || [ -L "$tend_lt" ]; then rm -f -- "$tend_lt"; fi
	printf '%s' "$$" > "$tend_lt" || tend_die "cannot write $tend_lt"
	until ln -- "$tend_lt" "$tend_lf" 2>/dev/null; do
		tend_lp=$(cat -- "$tend_lf" 2>/dev/null) || tend_lp=
		case $tend_lp in
		'' | *[!0-9]*) ;;
		*) if ! kill -0 "$tend_lp" 2>/dev/null; then rm -f -- "$tend_lf"; continue; fi ;;
		esac
		tend_li=$((tend_li + 1))
		if [ "$tend_li" -ge "$tend_lw" ]; then
			rm -f -- "$tend_lt"
			tend_die "cannot lock $1: $tend_lf is held by process $tend_lp"
		fi
		sleep 1
	done
}
`,
	// tend_lockdb: locks the databases that exist, in useradd's order, and
	// unlocks them when the script ends, however it ends. A script that
	// edits twice locks once.
	"tend_lockdb": `tend_lockdb() {
	[ -z "${tend_locked-}" ] || return 0
	tend_locked=1
	trap tend_unlockdb EXIT
	trap 'exit 1' HUP INT TERM
	for tend_x in passwd shadow group gshadow; do
		[ -f "$tend_e/$tend_x" ] || continue
		tend_lock "$tend_e/$tend_x"
		eval "tend_lk_$tend_x=1"
	done
}
`,
	// tend_unlockdb: one rm for every lock and the file of its PID (which
	// tend_lock leaves until then, linked to the lock), a process rather
	// than two per database. It runs as the script exits.
	"tend_unlockdb": `tend_unlockdb() {
	set --
	for tend_x in passwd shadow group gshadow; do
		eval "tend_y=\${tend_lk_$tend_x-}"
		[ -z "$tend_y" ] || set -- "$@" "$tend_e/$tend_x.lock" "$tend_e/$tend_x.$$"
	done
	[ $# -eq 0 ] || rm -f -- "$@"
}
`,
	// tend_edit FILE PROGRAM: rewrites a database through awk (values come
	// from the environment, never from the program text), atomically,
	// keeping its mode and owner, with FILE- as the previous version (as
	// shadow's tools keep it). The awk program exits non-zero, with its
	// reason on stderr, when the file is not as Plan saw it.
	"tend_edit": `tend_edit() {
	tend_t=$1+
	cp -p -- "$1" "$tend_t" || tend_die "cannot copy $1"
	awk -F: -v OFS=: "$2" "$1" > "$tend_t" || tend_die "$1 was not changed"
	cp -p -- "$1" "$1-" 2>/dev/null || :
	mv -f -- "$tend_t" "$1" || tend_die "cannot replace $1"
	tend_t=
}
`,
	// tend_mkhome DIR UID GID MODE: a new home, with /etc/skel's files,
	// owned by the user.
	"tend_mkhome": `tend_mkhome() {
	tend_hp=${1%/*}
	if [ -n "$tend_hp" ] && [ ! -d "$tend_hp" ]; then mkdir -p -- "$tend_hp" || tend_die "cannot create $tend_hp"; fi
	mkdir -- "$1" || tend_die "cannot create the home directory $1"
	if [ -d "$tend_e/skel" ]; then cp -R -p -- "$tend_e/skel/." "$1" || tend_die "cannot copy $tend_e/skel to $1"; fi
	chown -R -h -- "$2:$3" "$1" || tend_die "cannot chown $1"
	chmod "$4" "$1" || tend_die "cannot chmod $1"
}
`,
}

// The awk programs tend_edit runs. Each reads its values from tend_*
// environment variables.
const (
	// awkReplace: the line keyed by $1 == tend_k must be tend_old
	// (tend_old empty: there must be none) or already tend_new; it becomes
	// tend_new (empty: deleted; appended when there was none). tend_id,
	// when set, must not be field 3 of another line (uid or gid
	// uniqueness).
	awkReplace = `BEGIN { k = ENVIRON["tend_k"]; o = ENVIRON["tend_old"]; w = ENVIRON["tend_new"]; id = ENVIRON["tend_id"] }
id != "" && $3 == id && $1 != k { dup = 1 }
$1 == k { n++; if ($0 != o && $0 != w) bad = 1; if (w != "") print w; next }
{ print }
END {
	if (dup) { print "id " id " is not unique" > "/dev/stderr"; exit 1 }
	if (n > 1 || bad || (n == 0 && o != "" && w != "")) { print k " is not as it was read; run the task again" > "/dev/stderr"; exit 1 }
	if (n == 0 && w != "") print w
}`
	// awkPut: lines keyed by tend_k go; tend_new, if set, is appended.
	awkPut = `BEGIN { k = ENVIRON["tend_k"]; w = ENVIRON["tend_new"] }
$1 == k { next }
{ print }
END { if (w != "") print w }`
	// awkPassword: field 2 of tend_k's line becomes tend_pw, field 3 (the
	// day of the last change, in shadow) tend_day when set.
	awkPassword = `BEGIN { k = ENVIRON["tend_k"]; p = ENVIRON["tend_pw"]; d = ENVIRON["tend_day"] }
$1 == k { $2 = p; if (d != "") $3 = d; n++ }
{ print }
END { if (n != 1) { print k " changed since it was read; run the task again" > "/dev/stderr"; exit 1 } }`
	// awkMembers: tend_u joins the groups listed in tend_add and leaves
	// those in tend_del (comma-separated; tend_all=1: every group), in
	// field 4 (the members of group and gshadow lines).
	awkMembers = `BEGIN {
	u = ENVIRON["tend_u"]; all = ENVIRON["tend_all"] == "1"
	na = split(ENVIRON["tend_add"], a, ","); for (i = 1; i <= na; i++) add[a[i]] = 1
	nd = split(ENVIRON["tend_del"], d, ","); for (i = 1; i <= nd; i++) del[d[i]] = 1
}
($1 in add) || ($1 in del) || (all && NF >= 4) {
	n = split($4, m, ","); s = ""; has = 0
	for (i = 1; i <= n; i++) {
		if (m[i] == "") continue
		if (m[i] == u) { if (has || all || ($1 in del)) continue; has = 1 }
		s = s (s == "" ? "" : ",") m[i]
	}
	if (($1 in add) && !has) s = s (s == "" ? "" : ",") u
	$4 = s
}
{ print }`
)

// files is the files backend's script writer.
type files struct {
	s   *script
	env acctEnv
}

func newFiles(s *script, env acctEnv) files {
	s.use("tend_lockdb", "tend_edit")
	s.add("tend_r=", q(env.root), "; tend_e=$tend_r/etc")
	tries := env.lockTries
	if tries <= 0 {
		tries = acctLockTries
	}
	s.add("tend_lw=", strconv.Itoa(tries))
	s.add("tend_lockdb")
	return files{s, env}
}

// set exports values for an awk program (empty unsets nothing: every
// program reads all its variables, so each is set every time).
func (f files) set(kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		f.s.add(kv[i], "=", q(kv[i+1]), "; export ", kv[i])
	}
}

func (f files) edit(db, prog string) {
	f.s.add(`tend_edit "$tend_e/`, db, `" `, q(prog))
}

// editIf edits a database that may not exist (shadow, gshadow).
func (f files) editIf(db, prog string) {
	f.s.add(`if [ -f "$tend_e/`, db, `" ]; then tend_edit "$tend_e/`, db, `" `, q(prog), `; fi`)
}

func (f files) replace(db, key, old, new, uniqueID string) {
	f.set("tend_k", key, "tend_old", old, "tend_new", new, "tend_id", uniqueID)
	f.edit(db, awkReplace)
}

func (f files) put(db, key, new string, optional bool) {
	f.set("tend_k", key, "tend_new", new)
	if optional {
		f.editIf(db, awkPut)
	} else {
		f.edit(db, awkPut)
	}
}

// members changes user's memberships in group and gshadow.
func (f files) members(user string, add, del []string, all bool) {
	if len(add) == 0 && len(del) == 0 && !all {
		return
	}
	a := "0"
	if all {
		a = "1"
	}
	f.set("tend_u", user, "tend_add", strings.Join(add, ","), "tend_del", strings.Join(del, ","), "tend_all", a)
	f.edit("group", awkMembers)
	f.editIf("gshadow", awkMembers)
}

// password sets a hash in shadow when the user has a line there, else in
// passwd.
func (f files) password(user, hash string) {
	f.set("tend_k", user, "tend_pw", hash)
	f.s.add(`if [ -f "$tend_e/shadow" ] && awk -F: '$1 == ENVIRON["tend_k"] { f = 1 } END { exit !f }' "$tend_e/shadow"; then`)
	f.s.add(`tend_day=$(($(date +%s) / 86400)); export tend_day`)
	f.s.add(`tend_edit "$tend_e/shadow" `, q(awkPassword))
	f.s.add(`else tend_day=; export tend_day; tend_edit "$tend_e/passwd" `, q(awkPassword), `; fi`)
}

// acctStart begins an apply script: where the databases are.
func acctStart(env acctEnv) *script {
	s := newScript()
	s.use("tend_die", "tend_in")
	s.add("tend_r=", q(env.root), "; tend_e=$tend_r/etc")
	return s
}

// guard runs what body adds only when the database has (has) or has not a
// line for key: a second run of the apply changes nothing.
func guard(s *script, db, key string, has bool, body func()) {
	not := "! "
	if has {
		not = ""
	}
	s.add("if ", not, `tend_in "$tend_e/`, db, `" `, q(key), "; then")
	body()
	s.add("fi")
}

// hostPath is a path on the host under the root.
func (env acctEnv) hostPath(p string) string { return env.root + path.Clean(p) }
