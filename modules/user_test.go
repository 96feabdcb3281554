package modules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const (
	fakePasswd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
	fakeGroup  = "root:x:0:\ndaemon:x:1:\nwheel:x:10:alice\naudio:x:29:\nusers:x:100:\nalice:x:1000:\n"
	fakeShadow = "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nalice:$6$salt$alicehash:19000:0:99999:7:::\n"
	fakeGshad  = "root:*::\ndaemon:*::\nwheel:*::alice\naudio:*::\nusers:*::\nalice:!::\n"
	fakeDefs   = "# login.defs\nUID_MIN 1000\nUID_MAX 60000\nSYS_UID_MIN 100\nSYS_UID_MAX 999\nGID_MIN 1000\nGID_MAX 60000\nSYS_GID_MIN 100\nSYS_GID_MAX 999\nUMASK 022\nUSERGROUPS_ENAB yes\nPASS_MAX_DAYS 99999\nPASS_MIN_DAYS 0\nPASS_WARN_AGE 7\n"
)

// fakeRoot is a folder with the account databases of a small host, for
// scripts run with a root prefix. hostile puts it under a hostile path.
func fakeRoot(t testing.TB, hostile bool) string {
	t.Helper()
	d := t.TempDir()
	if hostile {
		d = hostileDir(t)
	}
	for _, p := range []string{"etc/skel", "etc/default", "home/alice", "var/mail"} {
		if err := os.MkdirAll(filepath.Join(d, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for f, c := range map[string]string{"passwd": fakePasswd, "group": fakeGroup, "login.defs": fakeDefs,
		"default/useradd": "GROUP=100\nHOME=/home\nSHELL=/bin/sh\n", "skel/.profile": "# profile\n"} {
		writeFile(t, filepath.Join(d, "etc", f), c, 0o644)
	}
	writeFile(t, filepath.Join(d, "etc/shadow"), fakeShadow, 0o640)
	writeFile(t, filepath.Join(d, "etc/gshadow"), fakeGshad, 0o640)
	return d
}

// acctLine is name's line in one of root's databases ("" none).
func acctLine(t testing.TB, root, db, name string) string {
	t.Helper()
	for _, l := range strings.Split(readFile(t, filepath.Join(root, "etc", db)), "\n") {
		if strings.HasPrefix(l, name+":") {
			return l
		}
	}
	return ""
}

// membersOf lists the groups whose members name user in root's db.
func membersOf(t testing.TB, root, db, user string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(readFile(t, filepath.Join(root, "etc", db)), "\n") {
		f := strings.Split(l, ":")
		if len(f) == 4 {
			for _, m := range strings.Split(f[3], ",") {
				if m == user {
					out = append(out, f[0])
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func newUserTask(t testing.TB, root, backend string, args map[string]any) (Module, *Task) {
	t.Helper()
	_, task := mkTask(t, "user", args)
	return userModule{env: acctEnv{root: root, lockTries: 2}, backend: backend}, task
}

const hashA = "$6$rounds=5000$abc$QJ0Zk1V7bB5Pz.kA"
const hashB = "$y$j9T$xyz$K0o/Vr2Gm3"

// The files backend converges users for real under every shell: create,
// idempotent second run, change, remove.
func TestUserFilesLifecycle(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			root := fakeRoot(t, sh.name != "bash")
			m, task := newUserTask(t, root, "files", map[string]any{
				"name": "bob", "comment": "Bob B", "groups": "wheel, audio", "password": hashA,
			})
			ch, res := converge(t, sh, m, task)
			if got := acctLine(t, root, "passwd", "bob"); got != "bob:x:1001:1001:Bob B:/home/bob:/bin/sh" {
				t.Errorf("passwd: %q", got)
			}
			if got := acctLine(t, root, "group", "bob"); got != "bob:x:1001:" {
				t.Errorf("group: %q", got)
			}
			if got := acctLine(t, root, "gshadow", "bob"); got != "bob:!::" {
				t.Errorf("gshadow: %q", got)
			}
			if got := acctLine(t, root, "shadow", "bob"); !regexp.MustCompile(`^bob:` + regexp.QuoteMeta(hashA) + `:[0-9]{5}:0:99999:7:::$`).MatchString(got) {
				t.Errorf("shadow: %q", got)
			}
			if got := membersOf(t, root, "group", "bob"); strings.Join(got, ",") != "audio,wheel" {
				t.Errorf("member of %v", got)
			}
			if got := membersOf(t, root, "gshadow", "bob"); strings.Join(got, ",") != "audio,wheel" {
				t.Errorf("gshadow member of %v", got)
			}
			if got := acctLine(t, root, "group", "wheel"); got != "wheel:x:10:alice,bob" {
				t.Errorf("wheel: %q", got)
			}
			home := filepath.Join(root, "home/bob")
			wantMode(t, home, os.ModeDir|0o755)
			if readFile(t, filepath.Join(home, ".profile")) != "# profile\n" {
				t.Error("skel not copied")
			}
			if isRoot() {
				if u, g := owner(t, filepath.Join(home, ".profile")); u != 1001 || g != 1001 {
					t.Errorf(".profile owned by %d:%d", u, g)
				}
			}
			wantPerm(t, filepath.Join(root, "etc/shadow"), 0o640)
			for _, a := range []string{"state", "groups", "comment", "password"} {
				if !contains(diffAttrs(ch), a) {
					t.Errorf("diffs %v lack %s", diffAttrs(ch), a)
				}
			}
			if res["uid"] != 1001 || res["group"] != 1001 || res["home"] != "/home/bob" || res["shell"] != "/bin/sh" ||
				res["comment"] != "Bob B" || res["groups"] != "wheel,audio" || res["password"] != "NOT_LOGGING_PASSWORD" || res["system"] != false {
				t.Errorf("result %v", res)
			}
			for _, f := range []string{"passwd.lock", "shadow.lock", "group.lock", "gshadow.lock", "passwd+"} {
				if _, err := os.Lstat(filepath.Join(root, "etc", f)); err == nil {
					t.Errorf("%s left behind", f)
				}
			}
			noPidFiles(t, root)

			// Changes: uid, shell, groups replaced, password.
			m, task = newUserTask(t, root, "files", map[string]any{
				"name": "bob", "uid": 1500, "shell": "/bin/bash", "groups": []any{"audio", "users"}, "password": hashB,
			})
			ch, res = converge(t, sh, m, task)
			if got := acctLine(t, root, "passwd", "bob"); got != "bob:x:1500:1001:Bob B:/home/bob:/bin/bash" {
				t.Errorf("passwd: %q", got)
			}
			if got := membersOf(t, root, "group", "bob"); strings.Join(got, ",") != "audio,users" {
				t.Errorf("member of %v", got)
			}
			if !strings.HasPrefix(acctLine(t, root, "shadow", "bob"), "bob:"+hashB+":") {
				t.Errorf("shadow: %q", acctLine(t, root, "shadow", "bob"))
			}
			if isRoot() {
				if u, _ := owner(t, filepath.Join(home, ".profile")); u != 1500 {
					t.Errorf("home files not given to the new uid: %d", u)
				}
			}
			if !hasDiff(ch, "uid", "1001", "1500") || !hasDiff(ch, "groups", "audio,wheel", "audio,users") || !hasDiff(ch, "shell", "/bin/sh", "/bin/bash") {
				t.Errorf("diffs %v", ch.Diffs)
			}
			if res["uid"] != 1500 || res["append"] != false {
				t.Errorf("result %v", res)
			}

			// append adds; groups=[] without append removes them all.
			m, task = newUserTask(t, root, "files", map[string]any{"name": "bob", "groups": "wheel", "append": true})
			converge(t, sh, m, task)
			if got := membersOf(t, root, "group", "bob"); strings.Join(got, ",") != "audio,users,wheel" {
				t.Errorf("member of %v", got)
			}
			m, task = newUserTask(t, root, "files", map[string]any{"name": "bob", "groups": []any{}})
			converge(t, sh, m, task)
			if got := membersOf(t, root, "group", "bob"); len(got) != 0 {
				t.Errorf("member of %v", got)
			}
			if got := acctLine(t, root, "group", "wheel"); got != "wheel:x:10:alice" {
				t.Errorf("wheel: %q", got)
			}

			// The same password: nothing to do; on_create: never changed.
			m, task = newUserTask(t, root, "files", map[string]any{"name": "bob", "password": hashB})
			settled(t, sh, m, task)
			m, task = newUserTask(t, root, "files", map[string]any{"name": "bob", "password": hashA, "update_password": "on_create"})
			settled(t, sh, m, task)

			// Removed, with the home and the user's own group.
			m, task = newUserTask(t, root, "files", map[string]any{"name": "bob", "state": "absent", "remove": true})
			_, res = converge(t, sh, m, task)
			for _, db := range []string{"passwd", "shadow", "group", "gshadow"} {
				if l := acctLine(t, root, db, "bob"); l != "" {
					t.Errorf("%s still has %q", db, l)
				}
			}
			if _, err := os.Stat(home); err == nil {
				t.Error("home not removed")
			}
			if res["state"] != "absent" || res["remove"] != true {
				t.Errorf("result %v", res)
			}
			if got := readFile(t, filepath.Join(root, "etc/passwd")); got != fakePasswd {
				t.Errorf("passwd after all: %q", got)
			}
			if got := readFile(t, filepath.Join(root, "etc/group")); got != fakeGroup {
				t.Errorf("group after all: %q", got)
			}
			if got := readFile(t, filepath.Join(root, "etc/gshadow")); got != fakeGshad {
				t.Errorf("gshadow after all: %q", got)
			}
		})
	}
}

func wantPerm(t *testing.T, p string, want os.FileMode) {
	t.Helper()
	if got := perm(t, p).Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", p, got, want)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// The files backend ends where shadow's tools end: the same steps run
// through useradd and friends (with --prefix, on a fake root) and through
// the files backend leave the same databases and homes.
func TestUserFilesMatchesShadow(t *testing.T) {
	t.Parallel()
	needRoot(t)
	for _, c := range []string{"useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s not found", c)
		}
	}
	steps := []struct {
		module string
		args   map[string]any
	}{
		{"user", map[string]any{"name": "bob", "comment": "Bob B", "groups": "wheel,audio", "password": hashA}},
		{"user", map[string]any{"name": "bob", "uid": 1500, "shell": "/bin/bash", "groups": "audio,users", "password": hashB}},
		{"user", map[string]any{"name": "sys1", "system": true, "create_home": false}},
		{"user", map[string]any{"name": "carl", "group": "users", "home": "/srv/carl", "shell": "/bin/sh"}},
		{"user", map[string]any{"name": "carl", "groups": "wheel", "append": true, "comment": "C"}},
		{"group", map[string]any{"name": "devs"}},
		{"group", map[string]any{"name": "devs", "gid": 2000}},
		{"group", map[string]any{"name": "sysg", "system": true}},
		{"user", map[string]any{"name": "dave", "uid": 1500, "non_unique": true, "home": "/home/dave"}},
		{"user", map[string]any{"name": "bob", "state": "absent", "remove": true}},
		{"group", map[string]any{"name": "audio", "state": "absent"}},
	}
	sh := shells(t)[0]
	roots := map[string]string{}
	for _, backend := range []string{"shadow", "files"} {
		root := fakeRoot(t, false)
		// useradd --prefix copies the host's skel, not the prefix's.
		if err := exec.Command("cp", "-R", "-p", "/etc/skel/.", filepath.Join(root, "etc/skel")).Run(); err != nil {
			t.Fatal(err)
		}
		roots[backend] = root
		for i, st := range steps {
			var m Module
			_, task := mkTask(t, st.module, st.args)
			if st.module == "user" {
				m = userModule{env: acctEnv{root: root}, backend: backend}
			} else {
				m = groupModule{env: acctEnv{root: root}, backend: backend}
			}
			t.Logf("%s step %d: %v", backend, i, st.args)
			converge(t, sh, m, task)
		}
	}
	day := regexp.MustCompile(`^([^:]*:[^:]*:)[0-9]+:`)
	for _, db := range []string{"passwd", "group", "shadow", "gshadow"} {
		read := func(backend string) string {
			var ls []string
			for _, l := range strings.Split(readFile(t, filepath.Join(roots[backend], "etc", db)), "\n") {
				ls = append(ls, day.ReplaceAllString(l, "${1}DAY:"))
			}
			return strings.Join(ls, "\n")
		}
		if a, b := read("shadow"), read("files"); a != b {
			t.Errorf("%s differs:\nshadow's tools:\n%s\nfiles backend:\n%s", db, a, b)
		}
	}
	tree := func(root string) string {
		var out []string
		filepath.Walk(filepath.Join(root, "home"), func(p string, fi os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			u, g := owner(t, p)
			rel, _ := filepath.Rel(root, p)
			out = append(out, fmt.Sprintf("%s %v %d:%d", rel, fi.Mode(), u, g))
			return nil
		})
		return strings.Join(out, "\n")
	}
	if a, b := tree(roots["shadow"]), tree(roots["files"]); a != b {
		t.Errorf("homes differ:\nshadow's tools:\n%s\nfiles backend:\n%s", a, b)
	}
}

func TestUserErrors(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	// A missing group may be one an earlier task creates, which check mode
	// cannot see: the plan is a change, and its apply fails if the group
	// is still missing when it runs.
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "bob", "group": "nogroup"}, "group nogroup does not exist"},
		{map[string]any{"name": "bob", "groups": "wheel,nosuch"}, "group nosuch does not exist"},
		{map[string]any{"name": "alice", "group": "4242"}, "group 4242 does not exist"},
	} {
		m, task := newUserTask(t, root, "files", c.args)
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil || len(ch.Diffs) != 1 || !strings.Contains(ch.Diffs[0].After, "does not exist yet") {
			t.Fatalf("%v: plan %+v, %v", c.args, ch, err)
		}
		if out := sh.run(t, ch.Apply); out.ExitCode == 0 || !strings.Contains(string(out.Stderr), c.want) {
			t.Errorf("%v: apply: exit %d, %q; want %q", c.args, out.ExitCode, out.Stderr, c.want)
		}
	}
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "bob", "uid": 1000}, "UID 1000 is not unique"},
		{map[string]any{"name": "alice", "uid": 0}, "UID 0 is not unique"},
		{map[string]any{"name": "alice", "home": "/var/mail", "move_home": true}, "cannot move the home /home/alice to /var/mail: it exists"},
	} {
		m, task := newUserTask(t, root, "files", c.args)
		planErr(t, sh, m, task, c.want)
	}
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "-rf"}, "invalid user name"},
		{map[string]any{"name": "a:b"}, "invalid user name"},
		{map[string]any{"name": "bob", "comment": "a:b"}, "comment must not contain ':'"},
		{map[string]any{"name": "bob", "shell": "/bin/sh\nroot::0:0::/:/bin/sh"}, "shell must not contain"},
		{map[string]any{"name": "bob", "password": "x:y"}, "password must not contain"},
		{map[string]any{"name": "bob", "home": "rel/dir"}, "home must be an absolute path"},
		{map[string]any{"name": "bob", "uid": -1}, "uid -1 is out of range"},
	} {
		_, task := mkTask(t, "user", c.args)
		if _, err := (userModule{}).Probe(task); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	if _, errs := (userModule{}).Spec().Check(map[string]any{"name": "x", "update_password": "never"}, false); len(errs) == 0 {
		t.Error("update_password=never accepted")
	}
	if _, errs := (userModule{}).Spec().Check(map[string]any{"name": "x", "createhome": false}, false); len(errs) != 0 {
		t.Errorf("alias createhome: %v", errs)
	}
}

// The hash never comes back from the host, and never shows in Diffs or
// results: the probe compares it.
func TestUserPasswordStaysHidden(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	for _, c := range []struct {
		name, hash string
		same       bool
	}{{"alice", "$6$salt$alicehash", true}, {"alice", hashB, false}, {"bob", hashB, false}} {
		m, task := newUserTask(t, root, "files", map[string]any{"name": c.name, "password": c.hash})
		script, err := m.Probe(task)
		if err != nil {
			t.Fatal(err)
		}
		out := sh.run(t, script)
		if strings.Contains(string(out.Stdout), "hash") || strings.Contains(string(out.Stdout), hashB) {
			t.Errorf("probe printed a hash:\n%s", out.Stdout)
		}
		r, err := readProbe(out)
		if err != nil {
			t.Fatal(err)
		}
		if same, _ := r.flag("password_same"); same != c.same {
			t.Errorf("%s: password_same=%v", c.name, same)
		}
		ch, err := m.Plan(task, out)
		if err != nil {
			t.Fatal(err)
		}
		if c.same {
			if ch != nil {
				t.Errorf("same hash: change %v", ch.Diffs)
			}
			continue
		}
		for _, d := range ch.Diffs {
			if strings.Contains(d.Before+d.After, "$") {
				t.Errorf("diff shows the hash: %v", d)
			}
		}
		if !contains(diffAttrs(ch), "password") {
			t.Errorf("diffs %v", ch.Diffs)
		}
		res, err := ch.Result(sh.run(t, ch.Apply))
		if err != nil || res["password"] != "NOT_LOGGING_PASSWORD" {
			t.Errorf("result %v %v", res, err)
		}
	}
}

// An existing user's missing home is created (as Ansible does); move_home
// moves it; a system user gets a uid from the top of the system range.
func TestUserHomes(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			root := fakeRoot(t, sh.name == "dash")
			if err := os.Remove(filepath.Join(root, "home/alice")); err != nil {
				t.Fatal(err)
			}
			m, task := newUserTask(t, root, "files", map[string]any{"name": "alice"})
			ch, res := converge(t, sh, m, task)
			if !hasDiff(ch, "state", "absent", "directory") || res["home"] != "/home/alice" {
				t.Errorf("diffs %v result %v", ch.Diffs, res)
			}
			if readFile(t, filepath.Join(root, "home/alice/.profile")) != "# profile\n" {
				t.Error("skel not copied")
			}
			writeFile(t, filepath.Join(root, "home/alice/mine"), "x", 0o600)
			m, task = newUserTask(t, root, "files", map[string]any{"name": "alice", "home": "/srv/users/alice", "move_home": true})
			ch, _ = converge(t, sh, m, task)
			if !hasDiff(ch, "home", "/home/alice", "/srv/users/alice") {
				t.Errorf("diffs %v", ch.Diffs)
			}
			if readFile(t, filepath.Join(root, "srv/users/alice/mine")) != "x" {
				t.Error("home not moved")
			}
			if _, err := os.Stat(filepath.Join(root, "home/alice")); err == nil {
				t.Error("old home still there")
			}
			m, task = newUserTask(t, root, "files", map[string]any{"name": "svc", "system": true, "create_home": false, "shell": "/usr/sbin/nologin"})
			ch, res = converge(t, sh, m, task)
			if got := acctLine(t, root, "passwd", "svc"); got != "svc:x:999:999::/home/svc:/usr/sbin/nologin" {
				t.Errorf("passwd: %q", got)
			}
			if _, err := os.Stat(filepath.Join(root, "home/svc")); err == nil || contains(diffAttrs(ch), "directory") {
				t.Error("home created with create_home=false")
			}
			if res["system"] != true || res["create_home"] != false {
				t.Errorf("result %v", res)
			}
			// A group named like the user exists: as useradd -N, the default group.
			m, task = newUserTask(t, root, "files", map[string]any{"name": "audio", "create_home": false})
			converge(t, sh, m, task)
			if got := acctLine(t, root, "passwd", "audio"); got != "audio:x:1001:100::/home/audio:/bin/sh" {
				t.Errorf("passwd: %q", got)
			}
		})
	}
}

// The files backend takes shadow's lock files: a stale one (its process is
// gone) is taken over, a live one makes the apply fail, and leaves it.
func TestUserFilesLocks(t *testing.T) {
	t.Parallel()
	sh := shells(t)[1] // busybox: kill and ln are its applets
	root := fakeRoot(t, false)
	lock := filepath.Join(root, "etc/group.lock")
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, lock, strconv.Itoa(dead.Process.Pid), 0o600)
	m, task := newUserTask(t, root, "files", map[string]any{"name": "bob", "create_home": false})
	converge(t, sh, m, task)
	if _, err := os.Stat(lock); err == nil {
		t.Error("stale lock left")
	}
	writeFile(t, lock, strconv.Itoa(os.Getpid()), 0o600)
	m, task = newUserTask(t, root, "files", map[string]any{"name": "carl", "create_home": false})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil {
		t.Fatal(err)
	}
	out := sh.run(t, ch.Apply)
	if out.ExitCode == 0 || !strings.Contains(string(out.Stderr), "group.lock is held by process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("apply under a live lock: %d %s", out.ExitCode, out.Stderr)
	}
	if readFile(t, lock) != strconv.Itoa(os.Getpid()) {
		t.Error("someone else's lock was removed")
	}
	for _, f := range []string{"passwd.lock", "shadow.lock"} {
		if _, err := os.Stat(filepath.Join(root, "etc", f)); err == nil {
			t.Errorf("%s left after the failure", f)
		}
	}
	noPidFiles(t, root)
	if acctLine(t, root, "passwd", "carl") != "" {
		t.Error("carl added without the lock")
	}
}

// noPidFiles fails if a lock's file of its holder's PID (DB.PID, linked to
// DB.lock while it is held) is left in root's etc.
func noPidFiles(t *testing.T, root string) {
	t.Helper()
	for _, db := range []string{"passwd", "shadow", "group", "gshadow"} {
		left, err := filepath.Glob(filepath.Join(root, "etc", db+".[0-9]*"))
		if err != nil {
			t.Fatal(err)
		}
		if len(left) > 0 {
			t.Errorf("lock PID files left behind: %v", left)
		}
	}
}
