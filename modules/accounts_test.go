package modules

import (
	"fmt"
	"strings"
	"testing"
)

func TestPickBackend(t *testing.T) {
	t.Parallel()
	all := map[string]bool{}
	for _, c := range acctTools {
		all[c] = true
	}
	busybox := map[string]bool{"adduser": true, "deluser": true, "addgroup": true, "delgroup": true}
	shadowOnly := map[string]bool{"useradd": true, "usermod": true, "userdel": true, "groupadd": true, "groupmod": true, "groupdel": true}
	partial := map[string]bool{"useradd": true, "adduser": true}
	for _, c := range []struct {
		facts map[string]any
		tools map[string]bool
		want  string
	}{
		{nil, all, "shadow"},        // Debian: shadow and its own adduser
		{nil, shadowOnly, "shadow"}, // RHEL, SUSE, Arch
		{nil, busybox, "busybox"},   // Alpine without shadow
		{map[string]any{"ansible_os_family": "Alpine"}, all, "busybox"}, // as Ansible on Alpine
		{map[string]any{"ansible_os_family": "Alpine"}, shadowOnly, "shadow"},
		{map[string]any{"ansible_os_family": "Debian"}, busybox, "busybox"}, // tools decide
		{nil, nil, "files"}, // Debian's busybox-static: no account tools
		{nil, partial, "files"},
	} {
		b, err := pickBackend(c.facts, c.tools, "")
		if err != nil || b.name != c.want {
			t.Errorf("%v %v: %s %v, want %s", c.facts, c.tools, b.name, err, c.want)
		}
	}
}

// busybox's tools are not on this machine: the busybox backend's scripts
// are planned from a real probe of a fake root, parsed, and read.
func TestUserBusyboxScripts(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	for _, c := range []struct {
		module string
		args   map[string]any
		want   []string
		not    []string
	}{
		{"user", map[string]any{"name": "bob", "uid": 1500, "group": "users", "groups": "wheel,audio", "comment": "Bob B", "home": "/srv/bob", "shell": "/bin/ash", "password": hashA}, []string{
			`if ! tend_in "$tend_e/passwd" bob; then`,
			`adduser -D -u 1500 -G users -g 'Bob B' -h /srv/bob -s /bin/ash bob || tend_die 'adduser failed'`,
			`tend_member audio bob || adduser bob audio || tend_die 'adduser failed'`,
			`tend_member wheel bob || adduser bob wheel || tend_die 'adduser failed'`,
			`tend_k=bob; export tend_k`,
			`tend_pw='` + hashA + `'; export tend_pw`,
		}, nil},
		{"user", map[string]any{"name": "sys", "system": true, "create_home": false, "group": 100}, []string{
			`adduser -D -G users -S -H sys || tend_die 'adduser failed'`,
		}, []string{"tend_lockdb"}},
		{"user", map[string]any{"name": "audio"}, []string{
			`adduser -D -G audio audio || tend_die 'adduser failed'`,
		}, nil},
		{"user", map[string]any{"name": "alice", "groups": "audio", "shell": "/bin/ash"}, []string{
			`tend_member audio alice || adduser alice audio || tend_die 'adduser failed'`,
			`! tend_member wheel alice || delgroup alice wheel || tend_die 'delgroup failed'`,
			`tend_new='alice:x:1000:1000:Alice:/home/alice:/bin/ash'; export tend_new`,
		}, []string{"usermod"}},
		{"user", map[string]any{"name": "alice", "state": "absent", "remove": true}, []string{
			`if tend_in "$tend_e/passwd" alice; then`,
			`deluser --remove-home alice || tend_die 'deluser failed'`,
		}, nil},
		{"group", map[string]any{"name": "devs", "gid": 2000, "system": true}, []string{
			`addgroup -g 2000 -S devs || tend_die 'addgroup failed'`,
		}, nil},
		{"group", map[string]any{"name": "audio", "gid": 2001}, []string{
			`tend_new='audio:x:2001:'; export tend_new`,
		}, []string{"groupmod"}},
		{"group", map[string]any{"name": "audio", "state": "absent"}, []string{
			`delgroup audio || tend_die 'delgroup failed'`,
		}, nil},
	} {
		_, task := mkTask(t, c.module, c.args)
		var m Module = userModule{env: acctEnv{root: root}, backend: "busybox"}
		if c.module == "group" {
			m = groupModule{env: acctEnv{root: root}, backend: "busybox"}
		}
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatalf("%v: %v %v", c.args, ch, err)
		}
		lines := strings.Split(ch.Apply, "\n")
		for _, w := range c.want {
			if !contains(lines, w) {
				t.Errorf("%v: apply lacks\n%s\n%s", c.args, w, numbered(ch.Apply))
			}
		}
		for _, w := range c.not {
			if strings.Contains(ch.Apply, w) {
				t.Errorf("%v: apply has %q", c.args, w)
			}
		}
	}
}

// Through shadow's tools, each task is one command with the task's values.
func TestUserShadowScripts(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "bob", "uid": 1500, "non_unique": true, "group": "users", "groups": "wheel,audio", "comment": "Bob", "home": "/srv/bob", "shell": "/bin/sh", "password": hashA, "system": true},
			"useradd --prefix " + q(root) + " -u 1500 -o -g users -G audio,wheel -c Bob -d /srv/bob -s /bin/sh -r -m bob || tend_die 'useradd failed'"},
		{map[string]any{"name": "alice", "password": hashA}, "tend_edit \"$tend_e/shadow\" " + q(awkPassword)},
		{map[string]any{"name": "audio", "create_home": false}, "useradd --prefix " + q(root) + " -N -M audio || tend_die 'useradd failed'"},
		{map[string]any{"name": "alice", "groups": []any{}, "uid": 1600, "group": "users", "home": "/srv/alice", "move_home": true},
			"usermod --prefix " + q(root) + " -u 1600 -g users -G '' -d /srv/alice -m alice || tend_die 'usermod failed'"},
		{map[string]any{"name": "alice", "groups": "audio", "append": true}, "usermod --prefix " + q(root) + " -G audio,wheel alice || tend_die 'usermod failed'"},
		{map[string]any{"name": "alice", "state": "absent", "remove": true, "force": true}, "userdel --prefix " + q(root) + " -f -r alice || tend_die 'userdel failed'"},
	} {
		_, task := mkTask(t, "user", c.args)
		ch, _, err := probePlan(t, sh, userModule{env: acctEnv{root: root}, backend: "shadow"}, task)
		if err != nil || ch == nil {
			t.Fatalf("%v: %v %v", c.args, ch, err)
		}
		if !strings.Contains(ch.Apply, c.want) {
			t.Errorf("%v: apply lacks\n%s\n%s", c.args, c.want, numbered(ch.Apply))
		}
		// A hash on a command line is readable by every user of the host.
		for _, line := range strings.Split(ch.Apply, "\n") {
			if strings.Contains(line, "$6$") && !strings.Contains(line, "tend_pw=") {
				t.Errorf("%v: the hash reaches a command line: %s", c.args, line)
			}
		}
	}
}

// The probe's records as Plan reads them, from a recorded probe.
func TestReadAcctDB(t *testing.T) {
	t.Parallel()
	pw := "root:x:0:0:root:/root:/bin/bash\n+nis::::::\nbad:line\n"
	gr := "root:x:0:\nwheel:x:10:a,b\n"
	out := fmt.Sprintf("tools= useradd usermod\npasswd:%d\n%s\ngroup:%d\n%s\nshadow=1\ndefs.uid_min=500\ndefs.umask=027\ndefu.shell=/bin/ash\n", len(pw), pw, len(gr), gr)
	r, err := readProbe(Output{Stdout: []byte(out)})
	if err != nil {
		t.Fatal(err)
	}
	db, err := readAcctDB(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Users) != 1 || db.Users[0].Home != "/root" || len(db.Groups) != 2 || strings.Join(db.Groups[1].Members, ",") != "a,b" {
		t.Errorf("db %+v", db)
	}
	if !db.tools["usermod"] || db.tools["adduser"] || !db.shadow {
		t.Errorf("db %+v", db)
	}
	if db.def("uid_min", 1000) != 500 || db.homeMode() != 0o750 || db.defaults["shell"] != "/bin/ash" {
		t.Errorf("defs %v %o %v", db.defs, db.homeMode(), db.defaults)
	}
	if g := db.findGroup("10"); g == nil || g.Name != "wheel" {
		t.Errorf("findGroup(10) = %v", g)
	}
	if n, _ := db.nextUID(false); n != "500" {
		t.Errorf("next uid %s", n)
	}
}
