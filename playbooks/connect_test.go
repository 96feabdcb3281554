package playbooks

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"tend/inventory"
	"tend/transport"
)

func TestSSHArgsJumpHosts(t *testing.T) {
	cases := []struct {
		in, jump, proxy string
		notes           int
	}{
		{"-J bastion", "bastion", "", 0},
		{"-Jme@bastion:2200", "me@bastion:2200", "", 0},
		{"-o ProxyJump=me@b", "me@b", "", 0},
		{"-o 'ProxyJump me@b'", "me@b", "", 0},
		{`-o ProxyCommand="ssh -W %h:%p -q deploy@bastion.example.com"`, "deploy@bastion.example.com", "", 0},
		{`-o ProxyCommand="ssh -p 2222 -l ops -W %h:%p bastion"`, "ops@bastion:2222", "", 0},
		{`-o ProxyCommand="nc -X connect -x proxy:8080 %h %p"`, "", "nc -X connect -x proxy:8080 %h %p", 0},
		{"-C -o ControlMaster=auto -o ControlPersist=60s", "", "", 0},
		{"-o ForwardAgent=yes -4 stray", "", "", 3},
	}
	for _, c := range cases {
		var a sshArgs
		err := a.parse("args", c.in)
		if err != nil || a.jump != c.jump || a.proxyCommand != c.proxy || len(a.notes) != c.notes {
			t.Errorf("parse(%q) = jump %q proxy %q notes %q, %v; want %q %q with %d notes", c.in, a.jump, a.proxyCommand, a.notes, err, c.jump, c.proxy, c.notes)
		}
	}
	var a sshArgs
	if err := a.parse("args", "-o 'unterminated"); err == nil {
		t.Error("unterminated quote accepted")
	}
	if err := a.parse("args", "-p"); err == nil {
		t.Error("-p without a value accepted")
	}
}

// Every option tend honours, in the spellings people use; the first value
// given wins, as in OpenSSH, and identities add up.
func TestSSHArgsOptions(t *testing.T) {
	var a sshArgs
	err := a.parse("common", `-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o "IdentityFile=\"/k 1\"" -i /k2 `+
		`-oIdentitiesOnly=yes -p2222 -l ops -o Port=2 -o User=x -o ConnectTimeout=7 -o ServerAliveInterval=5 `+
		`-o ServerAliveCountMax=4 -o GlobalKnownHostsFile="/g1 /g2" -vC`)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.parse("extra", "-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/other -i /k3"); err != nil {
		t.Fatal(err)
	}
	want := sshArgs{knownHosts: []string{"/dev/null"}, globalKnownHosts: []string{"/g1", "/g2"}, strict: "no",
		identities: []string{"/k 1", "/k2", "/k3"}, port: 2222, user: "ops", connectTimeout: 7 * time.Second,
		aliveInterval: 5 * time.Second, aliveCountMax: 4}
	yes := true
	want.identitiesOnly = &yes
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got  %+v\nwant %+v", a, want)
	}
}

func TestSSHOptionsPrecedence(t *testing.T) {
	dir := t.TempDir()
	base, err := transport.NewHostKeys(filepath.Join(dir, "known_hosts"), transport.Strict)
	if err != nil {
		t.Fatal(err)
	}
	var warned []string
	o := ConnectOptions{HostKeys: base, KnownHosts: &KnownHosts{}, Timeout: 10 * time.Second, User: "cli",
		SSHArgs: "-o ControlMaster=auto -o StrictHostKeyChecking=accept-new -o Frobnicate=1", Warn: func(_, m string) { warned = append(warned, m) }}
	vars := inventory.Connection{Host: "h", Port: 22,
		SSHCommonArgs: "-o UserKnownHostsFile=" + dir + "/kh -o StrictHostKeyChecking=no -p 2200 -o ConnectTimeout=3"}
	so, err := sshOptions("h", vars, o)
	if err != nil {
		t.Fatal(err)
	}
	// ansible_port and -u win over -p; ssh_args' accept-new over the
	// inventory's no (first wins); the file is the inventory's.
	if so.Port != 22 || so.User != "cli" || so.Timeout != 3*time.Second {
		t.Errorf("port %d user %q timeout %v", so.Port, so.User, so.Timeout)
	}
	if so.HostKeys.File != dir+"/kh" || so.HostKeys.Policy != transport.AcceptNew {
		t.Errorf("host keys %s %s", so.HostKeys.File, so.HostKeys.Policy)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], `ansible.cfg ssh_args: ssh option "Frobnicate=1" is not supported`) {
		t.Errorf("warnings %q", warned)
	}
	// The same arguments share one checker.
	so2, _ := sshOptions("h2", vars, o)
	if so2.HostKeys != so.HostKeys {
		t.Error("a second host with the same arguments got another checker")
	}
	// Flags given on the command line win over the arguments.
	o.TimeoutSet, o.KnownHostsSet, o.HostKeyPolicySet = true, true, true
	so, _ = sshOptions("h", vars, o)
	if so.HostKeys != base || so.Timeout != 10*time.Second {
		t.Errorf("flags lost: %s %s %v", so.HostKeys.File, so.HostKeys.Policy, so.Timeout)
	}
}

// ansible.cfg's become and become_user (ConnectOptions) apply where no
// keyword or host variable says otherwise.
func TestBecomeDefaultsFromConfig(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to sudo to another user without a password")
	}
	if _, err := exec.LookPath("sudo"); err != nil {
		t.Skip("no sudo")
	}
	yes := true
	events, _, _ := runLocal(t, `- hosts: all
  gather_facts: false
  tasks:
    - {name: default, command: id -un}
    - {name: keyword, command: id -un, become: false}
`, func(o *Options) { o.Connect.Become, o.Connect.BecomeUser = &yes, "nobody" })
	got := map[string]any{}
	for _, e := range events {
		got[e.Task] = e.Result["stdout"]
	}
	if got["default"] != "nobody" || got["keyword"] != "root" {
		t.Errorf("got %v", got)
	}
}

// A become method tend does not have fails the host's connection, naming
// the variable: never a task run as the wrong user.
func TestConnectRefusesOtherBecomeMethods(t *testing.T) {
	inv, err := inventory.Parse("hosts", []byte("h ansible_become_method=su ansible_connection=local\nk ansible_connection=local ansible_shell_executable=/bin/bash\n"))
	if err != nil {
		t.Fatal(err)
	}
	h, _ := inv.Host("h")
	k, _ := inv.Host("k")
	_, err = Connect(t.Context(), h, ConnectOptions{})
	if err == nil || !strings.Contains(err.Error(), "ansible_become_method=su is not supported") {
		t.Errorf("su: %v", err)
	}
	var warned []string
	c, err := Connect(t.Context(), k, ConnectOptions{Warn: func(_, m string) { warned = append(warned, m) }})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if len(warned) != 1 || !strings.Contains(warned[0], "ansible_shell_executable=/bin/bash is not applied") {
		t.Errorf("warnings %q", warned)
	}
}
