package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Aging, expiry and the lock are shadow's fields 4, 5, 8 and the '!'
// before the hash, set idempotently under every shell.
func TestUserAgingAndLock(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			root := fakeRoot(t, sh.name != "bash")
			// 1735689600 is 2025-01-01T00:00:00Z, day 20089; the time of
			// day is dropped, as usermod -e takes a date.
			m, task := newUserTask(t, root, "files", map[string]any{"name": "alice", "password_expire_max": 90, "password_expire_min": 1,
				"expires": 1735689600 + 3600, "password_lock": true})
			ch, _ := converge(t, sh, m, task)
			if got := acctLine(t, root, "shadow", "alice"); got != "alice:!$6$salt$alicehash:19000:1:90:7::20089:" {
				t.Errorf("shadow: %q", got)
			}
			for _, d := range [][3]string{{"password_expire_max", "99999", "90"}, {"password_expire_min", "0", "1"},
				{"expires", "never", "2025-01-01"}, {"password_lock", "false", "true"}} {
				if !hasDiff(ch, d[0], d[1], d[2]) {
					t.Errorf("diffs %+v lack %v", ch.Diffs, d)
				}
			}
			// The same hash, locked, is the same password (Ansible's lstrip('!')).
			m, task = newUserTask(t, root, "files", map[string]any{"name": "alice", "password": "$6$salt$alicehash", "password_lock": true})
			settled(t, sh, m, task)
			m, task = newUserTask(t, root, "files", map[string]any{"name": "alice", "expires": -1, "password_lock": false})
			converge(t, sh, m, task)
			if got := acctLine(t, root, "shadow", "alice"); got != "alice:$6$salt$alicehash:19000:1:90:7:::" {
				t.Errorf("shadow: %q", got)
			}
			// A new user gets them after its line is written; a new hash
			// set with password_lock is locked.
			m, task = newUserTask(t, root, "files", map[string]any{"name": "bob", "password": hashA, "password_lock": true, "password_expire_max": 30, "create_home": false})
			converge(t, sh, m, task)
			if got := acctLine(t, root, "shadow", "bob"); !regexp.MustCompile(`^bob:!` + regexp.QuoteMeta(hashA) + `:[0-9]+:0:30:7:::$`).MatchString(got) {
				t.Errorf("shadow: %q", got)
			}
			m, task = newUserTask(t, root, "files", map[string]any{"name": "bob", "password": hashB, "password_lock": true})
			converge(t, sh, m, task)
			if got := acctLine(t, root, "shadow", "bob"); !strings.HasPrefix(got, "bob:!"+hashB+":") {
				t.Errorf("shadow: %q", got)
			}
		})
	}
}

// Unlocking a user whose hash is only '!' would leave no password: the
// apply fails as usermod -U does.
func TestUserUnlockRefusesEmpty(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	m, task := newUserTask(t, root, "files", map[string]any{"name": "carl", "create_home": false})
	converge(t, sh, m, task)
	m, task = newUserTask(t, root, "files", map[string]any{"name": "carl", "password_lock": false})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatalf("%v %v", ch, err)
	}
	out := sh.run(t, ch.Apply)
	if res, _ := ch.Result(out); res["failed"] != true || !strings.Contains(res["msg"].(string), "passwordless") {
		t.Errorf("result %v", res)
	}
	if got := acctLine(t, root, "shadow", "carl"); !strings.HasPrefix(got, "carl:!:") {
		t.Errorf("shadow: %q", got)
	}
}

func needKeygen(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not found")
	}
	return p
}

// generate_ssh_key runs the real ssh-keygen (by its path: the busybox
// shell's PATH has none) on a fake root's home: once, then never again
// without force; the result has Ansible's keys.
func TestUserSSHKey(t *testing.T) {
	t.Parallel()
	keygen := needKeygen(t)
	host, _ := os.Hostname()
	for _, sh := range matrix(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			root := fakeRoot(t, sh.name == "dash")
			_, task := mkTask(t, "user", map[string]any{"name": "alice", "generate_ssh_key": true, "ssh_key_type": "ed25519"})
			m := userModule{env: acctEnv{root: root, lockTries: 2}, backend: "files", keygenCmd: keygen}
			ch, res := converge(t, sh, m, task)
			key := filepath.Join(root, "home/alice/.ssh/id_ed25519")
			pub := readFile(t, key+".pub")
			if !strings.HasPrefix(pub, "ssh-ed25519 ") || !strings.HasSuffix(pub, " ansible-generated on "+host+"\n") {
				t.Errorf("public key %q", pub)
			}
			wantMode(t, filepath.Dir(key), os.ModeDir|0o700)
			if u, g := owner(t, key); u != 1000 || g != 1000 {
				t.Errorf("key owned by %d:%d", u, g)
			}
			if u, _ := owner(t, filepath.Dir(key)); u != 1000 {
				t.Errorf(".ssh owned by %d", u)
			}
			if !hasDiff(ch, "ssh_key", "absent", "ed25519") {
				t.Errorf("diffs %+v", ch.Diffs)
			}
			if res["ssh_key_file"] != "/home/alice/.ssh/id_ed25519" || res["ssh_public_key"] != strings.TrimSpace(pub) ||
				!strings.Contains(res["ssh_fingerprint"].(string), "SHA256:") || !strings.HasSuffix(res["ssh_fingerprint"].(string), "(ED25519)") {
				t.Errorf("result %v", res)
			}
			rep := settled(t, sh, m, task)
			if rep["ssh_public_key"] != res["ssh_public_key"] || rep["ssh_fingerprint"] != res["ssh_fingerprint"] {
				t.Errorf("report %v", rep)
			}
			// force makes a new key every run, as in Ansible.
			_, task = mkTask(t, "user", map[string]any{"name": "alice", "generate_ssh_key": true, "ssh_key_type": "ed25519", "force": true, "ssh_key_comment": "c"})
			ch, _, err := probePlan(t, sh, m, task)
			if err != nil || ch == nil {
				t.Fatalf("force: %v %v", ch, err)
			}
			out := sh.run(t, ch.Apply)
			if r, err := ch.Result(out); err != nil || r["failed"] == true || r["ssh_public_key"] == res["ssh_public_key"] || !strings.HasSuffix(r["ssh_public_key"].(string), " c") {
				t.Errorf("force: %v %v", r, err)
			}
			noLeftovers(t, filepath.Dir(key))
			noPwned(t)
		})
	}
}

// The passphrase reaches ssh-keygen through an askpass program and its
// environment, never a command line; the key opens with it.
func TestUserSSHKeyPassphrase(t *testing.T) {
	t.Parallel()
	keygen := needKeygen(t)
	const pass = "correct 'horse' $(touch pwned)"
	for _, sh := range matrix(t) {
		root := fakeRoot(t, false)
		_, task := mkTask(t, "user", map[string]any{"name": "alice", "generate_ssh_key": true, "ssh_key_type": "ed25519",
			"ssh_key_file": "/home/alice/keys/k", "ssh_key_passphrase": pass})
		if err := os.MkdirAll(filepath.Join(root, "home/alice/keys"), 0o700); err != nil {
			t.Fatal(err)
		}
		m := userModule{env: acctEnv{root: root, lockTries: 2}, backend: "files", keygenCmd: keygen}
		ch, res := converge(t, sh, m, task)
		for _, l := range strings.Split(ch.Apply, "\n") {
			if strings.Contains(l, "horse") && !strings.Contains(l, "$(tend_pp="+q(pass)+" SSH_ASKPASS=") {
				t.Errorf("%s: the passphrase is on a line other than the askpass environment: %s", sh.name, l)
			}
		}
		for _, d := range ch.Diffs {
			if strings.Contains(d.Before+d.After, "horse") {
				t.Errorf("%s: diff shows the passphrase: %v", sh.name, d)
			}
		}
		key := filepath.Join(root, "home/alice/keys/k")
		if err := exec.Command(keygen, "-y", "-P", pass, "-f", key).Run(); err != nil {
			t.Errorf("%s: the key does not open with the passphrase: %v", sh.name, err)
		}
		if err := exec.Command(keygen, "-y", "-P", "", "-f", key).Run(); err == nil {
			t.Errorf("%s: the key opens without a passphrase", sh.name)
		}
		if res["ssh_key_file"] != "/home/alice/keys/k" {
			t.Errorf("%s: result %v", sh.name, res)
		}
		noLeftovers(t, filepath.Dir(key))
		noPwned(t)
	}
}

func TestUserSSHKeyErrors(t *testing.T) {
	t.Parallel()
	keygen := needKeygen(t)
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	// No home, and create_home=false: Ansible's error, from the apply.
	_, task := mkTask(t, "user", map[string]any{"name": "nohome", "create_home": false, "generate_ssh_key": true})
	m := userModule{env: acctEnv{root: root, lockTries: 2}, backend: "files", keygenCmd: keygen}
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatalf("%v %v", ch, err)
	}
	if r, _ := ch.Result(sh.run(t, ch.Apply)); r["failed"] != true || r["msg"] != "User nohome home directory does not exist" {
		t.Errorf("result %v", r)
	}
	// No ssh-keygen on the host.
	m.keygenCmd = filepath.Join(root, "no-ssh-keygen")
	_, task = mkTask(t, "user", map[string]any{"name": "alice", "generate_ssh_key": true})
	planErr(t, sh, m, task, "Failed to find required executable ssh-keygen")
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "a", "ssh_key_type": "-b 1"}, "not a key type"},
		{map[string]any{"name": "a", "expires": "soon"}, "Invalid value for 'expires'"},
		{map[string]any{"name": "a", "password_expire_max": -2}, "-1 or more"},
		{map[string]any{"name": "a", "ssh_key_passphrase": "a\nb"}, "one line"},
	} {
		_, task := mkTask(t, "user", c.args)
		if _, err := (userModule{}).Probe(task); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

func TestExpiryDate(t *testing.T) {
	t.Parallel()
	for days, want := range map[int64]string{0: "1970-01-01", 20089: "2025-01-01", 19782: "2024-02-29", -1: "never", 11016: "2000-02-29"} {
		if got := expiryDate(days); got != want {
			t.Errorf("%d: %s, want %s", days, got, want)
		}
	}
}
