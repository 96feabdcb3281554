package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `tend apply PLAN`, exactly as `tend plan -o` prints it, reaches the hosts
// as plan did: the plan keeps the connection flags plan was given (user,
// key, known_hosts, the digest key). A flag given to apply wins over the
// plan's.
func TestApplyAsPlanPrintsIt(t *testing.T) {
	f := startFleet(t, 1)
	h := f.Hosts[0]
	// The inventory names neither user nor key: only the flags reach the host.
	inv := writeFile(t, "hosts.ini", fmt.Sprintf("%s ansible_host=%s ansible_port=%d\n", h.Name, h.Addr, h.Port))
	dir := t.TempDir()
	pb := filepath.Join(dir, "site.yml")
	if err := os.WriteFile(pb, []byte(`
- hosts: all
  gather_facts: false
  tasks:
    - {name: file, copy: {content: "planned\n", dest: /srv/planconn}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "digest.key")
	planPath := filepath.Join(t.TempDir(), "plan.json")
	r := tend(t, nil, "plan", "-i", inv, "--user", "root", "--private-key", f.ClientKey, "--known-hosts", f.KnownHosts,
		"--digest-key", key, "-o", planPath, pb)
	if r.code != 0 {
		t.Fatalf("plan: %v", r)
	}
	var printed []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if cmd, ok := strings.CutPrefix(l, "apply it with: "); ok {
			printed = strings.Fields(cmd)
		}
	}
	if len(printed) != 3 || printed[0] != "tend" {
		t.Fatalf("plan printed no apply command: %v", r)
	}

	// A flag on apply wins: known_hosts without the host's key refuses it.
	empty := writeFile(t, "known_hosts", "")
	if r := tend(t, nil, append(printed[1:2], "--known-hosts", empty, printed[2])...); r.code != 4 || !strings.Contains(r.stdout+r.stderr, "known_hosts") {
		t.Fatalf("apply --known-hosts EMPTY: want the host refused for its unknown key: %v", r)
	}
	if h.Exists("/srv/planconn") {
		t.Fatal("an apply that could not check the host key changed the host")
	}

	// As printed, in another folder and with another HOME (tend runs each
	// command with a new one).
	r = tend(t, nil, printed[1:]...)
	if r.code != 0 || !strings.Contains(r.stdout, "applied on 1 of 1 host") {
		t.Fatalf("tend apply as printed: %v", r)
	}
	if data, err := h.ReadFile("/srv/planconn"); err != nil || string(data) != "planned\n" {
		t.Fatalf("/srv/planconn after apply: %q, %v", data, err)
	}
}
