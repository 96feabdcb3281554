package modules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuthorizedKeyAnsible replays cases whose results were recorded from
// Ansible's own enforce_state (ansible.posix 1.5).
func TestAuthorizedKeyAnsible(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/authorized_key/ansible.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Existing   *string `json:"existing"`
		Key        string  `json:"key"`
		State      string  `json:"state"`
		KeyOptions *string `json:"key_options"`
		Comment    *string `json:"comment"`
		Exclusive  bool    `json:"exclusive"`
		Changed    bool    `json:"changed"`
		After      *string `json:"after"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		raw := map[string]any{"user": "root", "key": c.Key, "exclusive": c.Exclusive}
		if c.State != "" {
			raw["state"] = c.State
		}
		if c.KeyOptions != nil {
			raw["key_options"] = *c.KeyOptions
		}
		if c.Comment != nil {
			raw["comment"] = *c.Comment
		}
		_, task := mkTask(t, "authorized_key", raw)
		existing := ""
		if c.Existing != nil {
			existing = *c.Existing
		}
		after, changed, err := enforceKeys(existing, task.Args)
		if err != nil || changed != c.Changed || changed && after != *c.After {
			t.Errorf("case %d: %v %v %q, want %v %v", i, err, changed, after, c.Changed, c.After)
		}
	}
	_, task := mkTask(t, "authorized_key", map[string]any{"user": "root", "key": "ssh-rsa"})
	if _, _, err := enforceKeys("", task.Args); err == nil || !strings.Contains(err.Error(), "invalid key specified") {
		t.Errorf("invalid key: %v", err)
	}
}

func TestAuthorizedKeyConverges(t *testing.T) {
	t.Parallel()
	needRoot(t)
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		ssh := filepath.Join(dir, "ssh dir")
		p := filepath.Join(ssh, "authorized_keys")
		key := "ssh-ed25519 AAAAC3Nza me@host\nno-pty ssh-rsa AAAAB3Nz other@host\n"
		m, task := mkTask(t, "authorized_key", map[string]any{"user": "root", "key": key, "path": p})
		ch, res := converge(t, sh, m, task)
		if got := readFile(t, p); got != "ssh-ed25519 AAAAC3Nza me@host\nno-pty ssh-rsa AAAAB3Nz other@host\n" {
			t.Errorf("%s: %q", sh.name, got)
		}
		if perm(t, p).Perm() != 0o600 || perm(t, ssh).Perm() != 0o700 {
			t.Errorf("%s: modes %v %v", sh.name, perm(t, p), perm(t, ssh))
		}
		if res["keyfile"] != p || res["changed"] != true || ch.Diffs[0].Attr != "content" {
			t.Errorf("%s: %v %+v", sh.name, res, ch.Diffs)
		}
		// Exclusive with one key removes the other; absent removes it.
		m, task = mkTask(t, "authorized_key", map[string]any{"user": "root", "key": "ssh-rsa AAAAB3Nz x", "key_options": "no-pty", "path": p, "exclusive": true})
		converge(t, sh, m, task)
		if got := readFile(t, p); got != "no-pty ssh-rsa AAAAB3Nz x\n" {
			t.Errorf("%s: exclusive: %q", sh.name, got)
		}
		m, task = mkTask(t, "authorized_key", map[string]any{"user": "root", "key": "ssh-rsa AAAAB3Nz", "path": p, "state": "absent", "manage_dir": false})
		converge(t, sh, m, task)
		if got := readFile(t, p); got != "" {
			t.Errorf("%s: absent: %q", sh.name, got)
		}
		noLeftovers(t, ssh)
		noPwned(t)
	}
}

func TestAuthorizedKeyUser(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	// The default path is the user's home's (read only here).
	m, task := mkTask(t, "authorized_key", map[string]any{"user": "root", "key": "ssh-rsa AAAA1 x"})
	ch, out, err := probePlan(t, sh, m, task)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := readProbe(out)
	if f, _ := r.blob("file"); string(f) != "/root/.ssh/authorized_keys" {
		t.Errorf("file %q", f)
	}
	_ = ch
	m, task = mkTask(t, "authorized_key", map[string]any{"user": "tend-nosuch-user", "key": "ssh-rsa AAAA1 x"})
	planErr(t, sh, m, task, "Failed to lookup user tend-nosuch-user")
	m, task = mkTask(t, "authorized_key", map[string]any{"user": "root", "key": "https://github.com/x.keys"})
	if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("URL: %v", err)
	}
}
