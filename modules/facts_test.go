package modules

import (
	"os/exec"
	"testing"
)

func TestParseFacts(t *testing.T) {
	out := []byte("id=ubuntu\nid_like=debian\nversion_id=22.04\npretty_name=Ubuntu 22.04.4 LTS\nsystem=Linux\nkernel=5.15.0\n" +
		"machine=aarch64\nhostname=web1.example.org\nfqdn=web1.example.org\nuser=deploy\nuid=1000\ngid=1000\npkg_mgr=apt-get\nservice_mgr=systemd\n")
	f, err := ParseFacts(out)
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
	// ID_LIKE decides the family of a distribution tend has no entry for.
	f, _ = ParseFacts([]byte("id=pop\nid_like=ubuntu debian\nsystem=Linux\n"))
	if f["ansible_os_family"] != "Debian" || f["ansible_distribution"] != "Pop" {
		t.Errorf("derived: %v %v", f["ansible_os_family"], f["ansible_distribution"])
	}
	if _, err := ParseFacts([]byte("garbage")); err == nil {
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
		f, err := ParseFacts(out)
		if err != nil || f["ansible_system"] != "Linux" || f["ansible_user_id"] == "" {
			t.Errorf("%v: %v %v", sh, f, err)
		}
	}
}
