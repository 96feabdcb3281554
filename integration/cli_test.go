package integration

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tend/integration/fleet"
	"tend/modules/shell"
)

func TestPingAndExecOverTenHosts(t *testing.T) {
	f := startFleet(t, 10)
	conn := []string{"-i", f.Inventory, "--known-hosts", f.KnownHosts}

	r := tend(t, nil, append([]string{"ping", "-v"}, conn...)...)
	if r.code != 0 {
		t.Fatalf("ping: %v", r)
	}
	for _, h := range f.Hosts {
		// A ping is the session channel plus one command: two round trips.
		if l := lineFor(r.stdout, h.Name); !strings.Contains(l, "| ok |") || !strings.Contains(l, "2 round trips") {
			t.Errorf("ping line for %s: %q", h.Name, l)
		}
	}
	if !strings.Contains(r.stdout, "10 hosts: 10 ok, 0 unreachable") {
		t.Errorf("no summary: %v", r)
	}

	// Several words: a command and its arguments, each quoted as given.
	r = tend(t, nil, append([]string{"exec"}, append(conn, "all", "--", "sh", "-c", `printf '%s|%s\n' "$(hostname)" "$1"`, "x", "it's $HOME")...)...)
	if r.code != 0 {
		t.Fatalf("exec: %v", r)
	}
	for _, h := range f.Hosts {
		if !strings.Contains(r.stdout, h.Name+"|it's $HOME\n") {
			t.Errorf("exec output lacks %s's line: %v", h.Name, r)
		}
	}
	// One word: a shell command line, with a pipe; a failure on some hosts.
	r = tend(t, nil, append([]string{"exec"}, append(conn, "all", "--", `hostname | grep -q 'host0[1-3]$'`)...)...)
	if r.code != 4 || !strings.Contains(r.stdout, "10 hosts: 3 ok, 7 failed, 0 unreachable") {
		t.Errorf("exec with failures: %v", r)
	}
	if l := lineFor(r.stdout, "host05"); !strings.Contains(l, "FAILED | rc=1") {
		t.Errorf("host05 line: %q", l)
	}
	// A change on one host is seen on that host only.
	r = tend(t, nil, append([]string{"exec"}, append(conn, "host02", "--", "touch", "/etc/tend-was-here")...)...)
	if r.code != 0 {
		t.Fatalf("touch: %v", r)
	}
	if !f.Hosts[1].Exists("/etc/tend-was-here") || f.Hosts[2].Exists("/etc/tend-was-here") {
		t.Errorf("the file is not where it should be")
	}
	if _, err := os.Stat("/etc/tend-was-here"); err == nil {
		t.Errorf("the file reached the real machine")
	}
}

func TestPatternAndLimit(t *testing.T) {
	f := startFleet(t, 4)
	conn := []string{"-i", f.Inventory, "--known-hosts", f.KnownHosts}
	r := tend(t, nil, append([]string{"ping", "fleet:!host02", "--limit", "host0*:!host04"}, conn...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "2 hosts: 2 ok") || lineFor(r.stdout, "host02") != "" {
		t.Errorf("pattern with exclusion and limit: %v", r)
	}
	r = tend(t, nil, append([]string{"ping", "nosuchgroup"}, conn...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "matches no host") {
		t.Errorf("unmatched pattern: %v", r)
	}
}

func TestUnknownHostKeyIsRefused(t *testing.T) {
	f := startFleet(t, 1)
	empty := writeFile(t, "known_hosts", "")
	r := tend(t, nil, "ping", "-i", f.Inventory, "--known-hosts", empty)
	h := f.Hosts[0]
	l := lineFor(r.stdout, h.Name)
	if r.code != 4 || !strings.Contains(l, "UNREACHABLE") || !strings.Contains(l, "is not known") {
		t.Fatalf("unknown host: %v", r)
	}
	// The message shows the fingerprint and how to trust the host.
	fp := fingerprint(t, h.HostKeyPub)
	for _, want := range []string{fp, fmt.Sprintf("ssh-keyscan -p %d 127.0.0.1", h.Port), "accept-new"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("message lacks %q: %v", want, r)
		}
	}
}

func TestChangedHostKeyIsRefusedUnderStrictAndAcceptNew(t *testing.T) {
	f := startFleet(t, 3)
	if err := f.Hosts[1].RotateHostKey(); err != nil {
		t.Fatal(err)
	}
	for _, policy := range []string{"strict", "accept-new"} {
		r := tend(t, nil, "ping", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--host-key-checking", policy)
		if r.code != 4 || !strings.Contains(r.stdout, "3 hosts: 2 ok, 1 unreachable") {
			t.Errorf("%s: %v", policy, r)
		}
		if l := lineFor(r.stdout, "host02"); !strings.Contains(l, "HAS CHANGED") || !strings.Contains(l, "ssh-keygen -R") {
			t.Errorf("%s: host02 line: %q", policy, l)
		}
	}
	// off connects anyway (for throwaway hosts only).
	r := tend(t, nil, "ping", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--host-key-checking", "off")
	if r.code != 0 {
		t.Errorf("off: %v", r)
	}
}

func TestAcceptNewRecordsKeysThenStrictIsClean(t *testing.T) {
	f := startFleet(t, 5)
	kh := filepath.Join(t.TempDir(), "ssh", "known_hosts") // the folder does not exist yet
	r := tend(t, nil, "ping", "-i", f.Inventory, "--known-hosts", kh, "--host-key-checking", "accept-new")
	if r.code != 0 {
		t.Fatalf("accept-new: %v", r)
	}
	data, err := os.ReadFile(kh)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range f.Hosts {
		want := fmt.Sprintf("[127.0.0.1]:%d %s", h.Port, strings.TrimSpace(h.HostKeyPub))
		if !strings.Contains(string(data), want) {
			t.Errorf("known_hosts lacks %q:\n%s", want, data)
		}
	}
	if n := strings.Count(string(data), "\n"); n != 5 {
		t.Errorf("known_hosts has %d lines, want 5", n)
	}
	r = tend(t, nil, "ping", "-i", f.Inventory, "--known-hosts", kh)
	if r.code != 0 {
		t.Errorf("strict after accept-new: %v", r)
	}
	// The file OpenSSH's client reads the same way.
	h := f.Hosts[0]
	ssh := exec.Command("ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile="+kh,
		"-i", f.ClientKey, "-p", fmt.Sprint(h.Port), "root@127.0.0.1", "true")
	if out, err := ssh.CombinedOutput(); err != nil {
		t.Errorf("OpenSSH rejects the known_hosts tend wrote: %v %s", err, out)
	}
}

func TestStoppedHostIsUnreachableOthersSucceed(t *testing.T) {
	f := startFleet(t, 4)
	if err := f.Hosts[2].Stop(); err != nil {
		t.Fatal(err)
	}
	r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "all", "--", "true")
	if r.code != 4 || !strings.Contains(r.stdout, "4 hosts: 3 ok, 0 failed, 1 unreachable") {
		t.Fatalf("%v", r)
	}
	if l := lineFor(r.stdout, "host03"); !strings.Contains(l, "UNREACHABLE") || !strings.Contains(l, "connection refused") {
		t.Errorf("host03 line: %q", l)
	}
	if err := f.Hosts[2].Start(); err != nil {
		t.Fatal(err)
	}
	if r := tend(t, nil, "ping", "-i", f.Inventory, "--known-hosts", f.KnownHosts); r.code != 0 {
		t.Errorf("after restart: %v", r)
	}
}

func TestSilentHostTimesOut(t *testing.T) {
	f := startFleet(t, 1)
	// A server that accepts TCP and never says a word.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	inv := writeFile(t, "hosts", fmt.Sprintf("silent ansible_host=127.0.0.1 ansible_port=%d\n%s ansible_host=127.0.0.1 ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s\n",
		port, f.Hosts[0].Name, f.Hosts[0].Port, f.ClientKey))
	start := time.Now()
	r := tend(t, nil, "ping", "-i", inv, "--known-hosts", f.KnownHosts, "--timeout", "2s")
	took := time.Since(start)
	if r.code != 4 || !strings.Contains(lineFor(r.stdout, "silent"), "did not complete the SSH handshake within 2s") {
		t.Errorf("%v", r)
	}
	if !strings.Contains(lineFor(r.stdout, f.Hosts[0].Name), "| ok |") {
		t.Errorf("the healthy host was held up: %v", r)
	}
	// Not a benchmark: a run without a deadline would never return at all.
	if took > 60*time.Second {
		t.Errorf("the deadline did not bound the run: %v", took)
	}
}

func TestWrongKeyIsAClearAuthError(t *testing.T) {
	f := startFleet(t, 1)
	wrong := filepath.Join(t.TempDir(), "wrong")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", wrong).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	inv := inventoryFor(t, f, "")
	r := tend(t, nil, "ping", "-i", inv, "--known-hosts", f.KnownHosts, "--private-key", wrong)
	l := lineFor(r.stdout, f.Hosts[0].Name)
	if r.code != 4 || !strings.Contains(l, "authentication failed for root@127.0.0.1:") || !strings.Contains(l, "key "+wrong) {
		t.Errorf("%v", r)
	}
	// The right key from the command line works when the inventory names none.
	if r := tend(t, nil, "ping", "-i", inv, "--known-hosts", f.KnownHosts, "--private-key", f.ClientKey); r.code != 0 {
		t.Errorf("right key: %v", r)
	}
}

func TestJumpHost(t *testing.T) {
	f := startFleet(t, 2)
	jump, target := f.Hosts[0], f.Hosts[1]
	// "hidden-target" resolves on the jump host only, so reaching it
	// proves the connection went through the jump host.
	r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, jump.Name, "--",
		"sh", "-c", "echo '127.0.0.1 hidden-target' >> /etc/hosts")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	kh := writeFile(t, "known_hosts", fmt.Sprintf("[127.0.0.1]:%d %s\n[hidden-target]:%d %s\n",
		jump.Port, jump.HostKeyPub, target.Port, target.HostKeyPub))

	// 1. ansible_ssh_common_args with -J, as Ansible users write it.
	inv := writeFile(t, "hosts", fmt.Sprintf("behind ansible_host=hidden-target ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s ansible_ssh_common_args='-J root@127.0.0.1:%d'\n",
		target.Port, f.ClientKey, jump.Port))
	// The jump host is offered the target's key too.
	r = tend(t, nil, "exec", "-i", inv, "--known-hosts", kh, "--ssh-config", "none", "all", "--", "hostname")
	if r.code != 0 || !strings.Contains(r.stdout, "  "+target.Name+"\n") {
		t.Errorf("-J: %v", r)
	}

	// 2. ProxyJump and the rest from ~/.ssh/config, with a bare inventory.
	cfg := writeFile(t, "ssh_config", fmt.Sprintf(`Host behind
  HostName hidden-target
  Port %d
  User root
  ProxyJump jumpbox
Host jumpbox
  HostName 127.0.0.1
  Port %d
  User root
Host *
  IdentityFile %s
`, target.Port, jump.Port, f.ClientKey))
	inv = writeFile(t, "hosts", "behind\n")
	r = tend(t, nil, "exec", "-i", inv, "--known-hosts", kh, "--ssh-config", cfg, "all", "--", "hostname")
	if r.code != 0 || !strings.Contains(r.stdout, "  "+target.Name+"\n") {
		t.Errorf("ProxyJump from ssh_config: %v", r)
	}

	// 3. A jump host that is down: the error says which hop failed.
	if err := jump.Stop(); err != nil {
		t.Fatal(err)
	}
	r = tend(t, nil, "ping", "-i", inv, "--known-hosts", kh, "--ssh-config", cfg)
	if l := lineFor(r.stdout, "behind"); r.code != 4 || !strings.Contains(l, "jump host 127.0.0.1:") || !strings.Contains(l, "connection refused") {
		t.Errorf("jump host down: %v", r)
	}
}

func TestInventoryCommand(t *testing.T) {
	inv := writeFile(t, "hosts", "[web]\nweb[1:2] ansible_port=2222\n[db]\ndb1\n[prod:children]\nweb\ndb\n")
	r := tend(t, nil, "inventory", "-i", inv, "--graph")
	if r.code != 0 || !strings.Contains(r.stdout, "@prod:") || !strings.Contains(r.stdout, "web2") {
		t.Errorf("graph: %v", r)
	}
	r = tend(t, nil, "inventory", "-i", inv, "--host", "web2")
	if r.code != 0 || !strings.Contains(r.stdout, `"ansible_port": 2222`) {
		t.Errorf("host: %v", r)
	}
	r = tend(t, nil, "inventory", "-i", inv, "--list", "--limit", "db")
	if r.code != 0 || strings.Contains(r.stdout, "web1") || !strings.Contains(r.stdout, "db1") {
		t.Errorf("list with limit: %v", r)
	}
}

// fingerprint is OpenSSH's SHA256 fingerprint of an authorized_keys line.
func fingerprint(t *testing.T, pub string) string {
	t.Helper()
	out, err := exec.Command("ssh-keygen", "-l", "-f", writeFile(t, "key.pub", pub+"\n")).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))[1]
}

var _ = fleet.Options{}

func TestInterruptEndsTheRunCleanly(t *testing.T) {
	f := startFleet(t, 3)
	cmd := exec.Command(tendBin, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "all", "--", "echo started; sleep 60")
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until every host runs the command, then interrupt.
	waitFor(t, func() bool { return countProcs("sleep 60") >= len(f.Hosts) })
	start := time.Now()
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 || !strings.Contains(out.String(), "interrupted") {
		t.Errorf("interrupted run: %v\n%s", err, out.String())
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the run took %v to end after SIGINT", took)
	}
}

// countProcs counts the machine's processes whose command line is cmdline
// (fleet hosts' processes are visible from here).
func countProcs(cmdline string) int {
	out, _ := exec.Command("pgrep", "-fx", cmdline).Output()
	return strings.Count(string(out), "\n")
}

func TestFactsCommand(t *testing.T) {
	f := startFleet(t, 2)
	r := tend(t, nil, "facts", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--json")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	var facts map[string]map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &facts); err != nil {
		t.Fatalf("%v\n%v", err, r)
	}
	for _, h := range f.Hosts {
		if facts[h.Name]["hostname"] != h.Name || facts[h.Name]["os_family"] != "Debian" || facts[h.Name]["pkg_mgr"] != "apt" {
			t.Errorf("%s: %v", h.Name, facts[h.Name])
		}
	}
}

// Extra vars win over the inventory's connection variables, as in Ansible:
// an inventory naming a user that does not exist connects with -e's.
func TestExtraVarsWinOverConnectionVars(t *testing.T) {
	f := startFleet(t, 1)
	inv, err := os.ReadFile(f.Inventory)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(bad, []byte(strings.ReplaceAll(string(inv), "ansible_user=root", "ansible_user=nosuchuser")), 0o644); err != nil {
		t.Fatal(err)
	}
	pb := filepath.Join(t.TempDir(), "site.yml")
	os.WriteFile(pb, []byte("- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -un\n      register: who\n      changed_when: false\n    - assert: {that: [\"who.stdout == 'root'\"]}\n"), 0o644)
	if r := tend(t, nil, "converge", "-i", bad, "--known-hosts", f.KnownHosts, pb); r.code == 0 {
		t.Fatalf("the inventory's user should not be able to log in: %v", r)
	}
	if r := tend(t, nil, "converge", "-i", bad, "--known-hosts", f.KnownHosts, "-e", "ansible_user=root", pb); r.code != 0 {
		t.Fatalf("-e ansible_user=root: %v", r)
	}
}

// Per task, hosts with the same change are one block naming them (in
// inventory order); a host whose change differs has its own.
func TestIdenticalChangesAreGroupedByTask(t *testing.T) {
	f := startFleet(t, 3)
	pb := writeFile(t, "site.yml", `- hosts: all
  gather_facts: false
  tasks:
    - name: the file
      copy: {content: "same\n", dest: /srv/grouped, mode: "0644"}
`)
	// host01 has the file with another mode: its change is not the others'.
	if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "host01", "--",
		"printf 'same\\n' > /srv/grouped && chmod 0600 /srv/grouped"); r.code != 0 {
		t.Fatalf("setup: %v", r)
	}
	r := tend(t, nil, "plan", "-i", f.Inventory, "--known-hosts", f.KnownHosts, pb)
	if r.code != 0 {
		t.Fatalf("plan: %v", r)
	}
	for _, want := range []string{
		"  would change: host01\n      /srv/grouped: mode 0600 -> 0644\n",
		"  would change: host02, host03\n      /srv/grouped: state absent -> file\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q: %v", want, r)
		}
	}
}

// A task that writes where only root may, run without become, fails with
// what happened in user terms and the fix; -v keeps the host's own words.
func TestPermissionDeniedSaysBecome(t *testing.T) {
	f := startFleet(t, 1)
	h := f.Hosts[0]
	// bob may log in with the fleet's key (read by sshd as bob, in this
	// host's overlay only); without a password sshd counts him locked.
	setup := `useradd -m -s /bin/sh bob && echo bob:bob-pw | chpasswd && k=` + shell.Quote(f.ClientKey+".pub") + `; chmod o+r "$k"; d=$(dirname "$k")
while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done`
	if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, h.Name, "--", setup); r.code != 0 {
		t.Fatalf("setup: %v", r)
	}
	pb := writeFile(t, "site.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: {content: \"x\\n\", dest: /etc/tend-denied.conf}\n")
	args := []string{"converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "-e", "ansible_user=bob", pb}
	r := tend(t, nil, args...)
	want := "failed: " + h.Name + " => permission denied writing /etc/tend-denied.conf; if the task needs root, add become: true\n"
	if r.code != 4 || !strings.Contains(r.stdout, want) {
		t.Errorf("want %q in: %v", want, r)
	}
	r = tend(t, nil, append(args, "-v")...)
	if !strings.Contains(r.stdout, "become: true\n      | ") || !strings.Contains(r.stdout, "Permission denied") {
		t.Errorf("-v does not show the host's error: %v", r)
	}
}

// A host apply refuses (it changed since the plan) is shown with the
// planned change and the one found now, as diffs.
func TestApplyShowsWhyAHostIsRefused(t *testing.T) {
	f := startFleet(t, 2)
	dir := t.TempDir()
	pb := filepath.Join(dir, "site.yml")
	if err := os.WriteFile(pb, []byte("- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: {content: \"v1\\n\", dest: /srv/refused}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, "plan.json")
	key := []string{"--digest-key", filepath.Join(dir, "digest.key")}
	if r := tend(t, nil, append([]string{"plan", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "-o", plan, pb}, key...)...); r.code != 0 {
		t.Fatalf("plan: %v", r)
	}
	if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "host02", "--", "echo other > /srv/refused"); r.code != 0 {
		t.Fatalf("drift: %v", r)
	}
	r := tend(t, nil, append([]string{"apply", plan}, key...)...)
	want := "    planned:\n      /srv/refused: state absent -> file\n      --- before: /srv/refused\n      +++ after: /srv/refused\n      @@ -0,0 +1 @@\n      +v1\n" +
		"    found now:\n      --- before: /srv/refused\n      +++ after: /srv/refused\n      @@ -1 +1 @@\n      -other\n      +v1\n"
	if r.code != 4 || !strings.Contains(r.stdout, "refused: host02, left untouched: ") || !strings.Contains(r.stdout, want) {
		t.Errorf("want %q in: %v", want, r)
	}
}
