package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckoutName(t *testing.T) {
	a := checkoutName("https://git.example.com/ops/site.git")
	if !strings.HasPrefix(a, "site-") || len(a) != len("site-")+12 {
		t.Errorf("checkout name %q", a)
	}
	if b := checkoutName("https://git.example.com/other/site.git"); a == b {
		t.Error("two repositories share a checkout")
	}
	if n := checkoutName("/"); !strings.HasPrefix(n, "repo-") {
		t.Errorf("checkout name of / : %q", n)
	}
	if n := checkoutName("git@host:a b/x y"); strings.ContainsAny(n, " /:") {
		t.Errorf("checkout name %q", n)
	}
}

func TestPullPlaybook(t *testing.T) {
	dir := t.TempDir()
	if _, err := pullPlaybook(dir, ""); err == nil || !strings.Contains(err.Error(), "local.yml") {
		t.Errorf("empty checkout: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "local.yml"), []byte("- hosts: all\n"), 0o600)
	if p, err := pullPlaybook(dir, ""); err != nil || p != filepath.Join(dir, "local.yml") {
		t.Errorf("default: %q %v", p, err)
	}
	host, _ := os.Hostname()
	os.WriteFile(filepath.Join(dir, host+".yml"), []byte("- hosts: all\n"), 0o600)
	if p, err := pullPlaybook(dir, ""); err != nil || p != filepath.Join(dir, host+".yml") {
		t.Errorf("hostname playbook: %q %v", p, err)
	}
	for _, bad := range []string{"../x.yml", "/etc/passwd", "missing.yml", "a/../../x.yml"} {
		if _, err := pullPlaybook(dir, bad); err == nil {
			t.Errorf("--playbook %s accepted", bad)
		}
	}
	os.MkdirAll(filepath.Join(dir, "sub"), 0o700)
	os.WriteFile(filepath.Join(dir, "sub", "p.yml"), []byte("- hosts: all\n"), 0o600)
	if p, err := pullPlaybook(dir, "sub/p.yml"); err != nil || p != filepath.Join(dir, "sub", "p.yml") {
		t.Errorf("sub/p.yml: %q %v", p, err)
	}
}
