package modules

import (
	"os/exec"
	"strings"
	"testing"
)

func TestParseFacts(t *testing.T) {
	out := []byte("id=ubuntu\nid_like=debian\nversion_id=22.04\npretty_name=Ubuntu 22.04.4 LTS\nsystem=Linux\nkernel=5.15.0\n" +
		"machine=aarch64\nhostname=web1.example.org\nfqdn=web1.example.org\nuser=deploy\nuid=1000\ngid=1000\ncommands= apt-get systemctl\n" +
		"systemd_booted=1\nroute=1.0.0.0 via 10.0.0.1 dev ens3 src 10.0.0.7 uid 1000\n")
	f, err := ParseFacts(out, FactOverrides{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"ansible_os_family": "Debian", "ansible_distribution": "Ubuntu", "ansible_distribution_version": "22.04",
		"ansible_distribution_major_version": "22", "ansible_hostname": "web1", "ansible_fqdn": "web1.example.org",
		"ansible_architecture": "aarch64", "ansible_pkg_mgr": "apt", "ansible_service_mgr": "systemd",
		"ansible_user_id": "deploy", "ansible_user_uid": 1000,
	}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %#v, want %#v", k, f[k], v)
		}
	}
	if f["ansible_facts"].(map[string]any)["distribution"] != "Ubuntu" {
		t.Errorf("ansible_facts: %v", f["ansible_facts"])
	}
	ip := f["ansible_default_ipv4"].(map[string]any)
	if ip["address"] != "10.0.0.7" || ip["interface"] != "ens3" || ip["gateway"] != "10.0.0.1" {
		t.Errorf("default_ipv4: %v", ip)
	}
	// Inventory variables overrule detection.
	f, _ = ParseFacts(out, FactOverrides{PkgMgr: "apk", ServiceMgr: "openrc"})
	if f["ansible_pkg_mgr"] != "apk" || f["ansible_service_mgr"] != "openrc" {
		t.Errorf("overrides: %v %v", f["ansible_pkg_mgr"], f["ansible_service_mgr"])
	}
	// ID_LIKE decides the family of a distribution tend has no entry for.
	f, _ = ParseFacts([]byte("id=pop\nid_like=ubuntu debian\nsystem=Linux\ncommands= apt-get\n"), FactOverrides{})
	if f["ansible_os_family"] != "Debian" || f["ansible_distribution"] != "Pop" || f["ansible_pkg_mgr"] != "apt" {
		t.Errorf("derived: %v %v %v", f["ansible_os_family"], f["ansible_distribution"], f["ansible_pkg_mgr"])
	}
	if ip := f["ansible_default_ipv4"].(map[string]any); len(ip) != 0 {
		t.Errorf("no route, default_ipv4 = %v", ip)
	}
	if _, err := ParseFacts([]byte("garbage"), FactOverrides{}); err == nil {
		t.Error("garbage accepted")
	}
}

// The facts script runs under every shell a target may have.
func TestFactsScriptRuns(t *testing.T) {
	for _, sh := range [][]string{{"dash"}, {"busybox", "sh"}, {"bash", "--posix"}} {
		out, err := exec.Command(sh[0], append(sh[1:], "-c", FactsScript)...).Output()
		if err != nil {
			t.Fatalf("%v: %v", sh, err)
		}
		f, err := ParseFacts(out, FactOverrides{})
		if err != nil || f["ansible_system"] != "Linux" || f["ansible_user_id"] == "" {
			t.Errorf("%v: %v %v", sh, f, err)
		}
	}
}

// Package managers: the family's own first, dnf before yum, the command
// must exist, and "unknown" when none does.
func TestDetectPkgMgr(t *testing.T) {
	cases := []struct {
		families []string
		cmds     string
		want     string
	}{
		{[]string{"RedHat"}, "dnf yum", "dnf"},
		{[]string{"RedHat"}, "yum", "yum"},
		{[]string{"Debian"}, "apk", "apk"}, // what the host has wins over a missing apt-get
		{[]string{"Debian"}, "", "unknown"},
		{nil, "zypper", "zypper"},
		{[]string{"Alpine"}, "apk apt-get", "apk"},
	}
	for _, c := range cases {
		cmds := map[string]bool{}
		for _, w := range strings.Fields(c.cmds) {
			cmds[w] = true
		}
		if got := detectPkgMgr(c.families, cmds); got != c.want {
			t.Errorf("%v %q: %s, want %s", c.families, c.cmds, got, c.want)
		}
	}
	if got := detectServiceMgr(map[string]string{}, map[string]bool{"rc-service": true}); got != "openrc" {
		t.Errorf("openrc: %s", got)
	}
	if got := detectServiceMgr(map[string]string{"systemd_booted": "1"}, map[string]bool{"rc-service": true}); got != "systemd" {
		t.Errorf("systemd: %s", got)
	}
}
