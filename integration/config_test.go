package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tend/integration/fleet"
)

// bareInventory lists the fleet's hosts with their address and port only:
// user, key and known_hosts must come from elsewhere (ansible.cfg, ssh
// arguments). extra is appended to every host line.
func bareInventory(t *testing.T, f *fleet.Fleet, extra string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("[fleet]\n")
	for _, h := range f.Hosts {
		fmt.Fprintf(&b, "%s ansible_host=%s ansible_port=%d %s\n", h.Name, h.Addr, h.Port, extra)
	}
	return writeFile(t, "hosts.ini", b.String())
}

const markerPlaybook = `- hosts: all
  gather_facts: false
  tasks:
    - copy: {dest: /etc/tend-config-marker, content: "from ansible.cfg\n"}
`

// ansible.cfg alone says where the inventory is, who to log in as, with
// which key, and which known_hosts file: `tend converge site.yml` needs no
// flag, as ansible-playbook would not.
func TestAnsibleCfgGivesTheDefaults(t *testing.T) {
	f := startFleet(t, 3)
	inv := bareInventory(t, f, "")
	cfg := writeFile(t, "ansible.cfg", fmt.Sprintf(`[defaults]
inventory = %s
remote_user = root
private_key_file = %s
forks = 2
timeout = 5
retry_files_enabled = False
[ssh_connection]
ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=%s
`, inv, f.ClientKey, f.KnownHosts))
	pb := writeFile(t, "site.yml", markerPlaybook)
	env := []string{"ANSIBLE_CONFIG=" + cfg}

	r := tend(t, env, "converge", pb)
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Fatalf("converge with ansible.cfg only: %v", r)
	}
	for _, h := range f.Hosts {
		if got := content(t, h, "/etc/tend-config-marker"); got != "from ansible.cfg\n" {
			t.Errorf("%s: marker %q", h.Name, got)
		}
	}
	// A flag wins over ansible.cfg: this user does not exist.
	r = tend(t, env, "ping", "-u", "nobody-here")
	if r.code != 4 || !strings.Contains(r.stdout, "authentication failed for nobody-here@") {
		t.Errorf("-u over remote_user: %v", r)
	}
	// So does an ANSIBLE_* variable.
	r = tend(t, append(env, "ANSIBLE_REMOTE_USER=nobody-here"), "ping")
	if r.code != 4 || !strings.Contains(r.stdout, "nobody-here@") {
		t.Errorf("ANSIBLE_REMOTE_USER over remote_user: %v", r)
	}
}

// A bad value stops the run before any host is touched; an unknown key is
// a warning only.
func TestAnsibleCfgBadValueTouchesNoHost(t *testing.T) {
	f := startFleet(t, 1)
	cfg := writeFile(t, "ansible.cfg", fmt.Sprintf("[defaults]\ninventory = %s\n# forks below\nforks = abc\n", f.Inventory))
	pb := writeFile(t, "site.yml", markerPlaybook)
	r := tend(t, []string{"ANSIBLE_CONFIG=" + cfg}, "converge", "--known-hosts", f.KnownHosts, pb)
	if r.code != 1 || !strings.Contains(r.stderr, cfg+":4: forks = abc: not a whole number") {
		t.Errorf("bad forks: %v", r)
	}
	if f.Hosts[0].Exists("/etc/tend-config-marker") {
		t.Error("a host was touched")
	}
	cfg = writeFile(t, "ansible.cfg", fmt.Sprintf("[defaults]\ninventory = %s\nforsk = 3\n", f.Inventory))
	r = tend(t, []string{"ANSIBLE_CONFIG=" + cfg}, "converge", "--known-hosts", f.KnownHosts, pb)
	if r.code != 0 || !strings.Contains(r.stderr, `:3: unknown key "forsk" in [defaults]`) || !strings.Contains(r.stderr, `did you mean "forks"?`) {
		t.Errorf("unknown key: %v", r)
	}
}

// The inventory Ansible users write for throwaway hosts: every host is
// reachable only thanks to the known_hosts file its ssh arguments name.
func TestSSHCommonArgsKnownHostsFile(t *testing.T) {
	f := startFleet(t, 3)
	key := "ansible_user=root ansible_ssh_private_key_file=" + f.ClientKey
	// Without the arguments, tend's default known_hosts (an empty home)
	// knows no host.
	r := tend(t, nil, "ping", "-i", bareInventory(t, f, key))
	if r.code != 4 || !strings.Contains(r.stdout, "3 hosts: 0 ok, 3 unreachable") {
		t.Fatalf("without ssh args: %v", r)
	}
	inv := bareInventory(t, f, key+fmt.Sprintf(` ansible_ssh_common_args='-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o ServerAliveInterval=5 -o ForwardX11=no'`, f.KnownHosts))
	r = tend(t, nil, "ping", "-i", inv)
	if r.code != 0 || !strings.Contains(r.stdout, "3 hosts: 3 ok") {
		t.Fatalf("with UserKnownHostsFile: %v", r)
	}
	// The option tend ignores is named once, not once per host.
	if n := strings.Count(r.stderr, `"ForwardX11=no" is not supported`); n != 1 {
		t.Errorf("warned %d times: %v", n, r)
	}

	// The throwaway-host idiom: nothing known, nothing checked, nothing
	// written anywhere.
	inv = bareInventory(t, f, key+` ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no'`)
	r = tend(t, nil, "ping", "-i", inv)
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Fatalf("with /dev/null: %v", r)
	}
	// -i, -p and -l in the arguments reach a host the inventory names by
	// address only.
	h := f.Hosts[0]
	inv = writeFile(t, "hosts.ini", fmt.Sprintf("%s ansible_host=%s ansible_ssh_extra_args='-p %d -l root -i %s -o IdentitiesOnly=yes -o UserKnownHostsFile=%s'\n",
		h.Name, h.Addr, h.Port, f.ClientKey, f.KnownHosts))
	r = tend(t, nil, "ping", "-i", inv)
	if r.code != 0 {
		t.Errorf("-p -l -i in ansible_ssh_extra_args: %v", r)
	}
}

// host_key_checking = False in ansible.cfg lets a host whose key changed
// in, as Ansible does, but loudly, and known_hosts is left as it was.
func TestHostKeyCheckingFalseWarnsOnChangedKey(t *testing.T) {
	f := startFleet(t, 2)
	before, err := os.ReadFile(f.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Hosts[1].RotateHostKey(); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, "ansible.cfg", "[defaults]\nhost_key_checking = False\n")
	r := tend(t, []string{"ANSIBLE_CONFIG=" + cfg}, "ping", "-i", f.Inventory, "--known-hosts", f.KnownHosts)
	if r.code != 0 || !strings.Contains(r.stdout, "2 hosts: 2 ok") {
		t.Fatalf("host_key_checking=False: %v", r)
	}
	if !strings.Contains(r.stderr, "ACCEPTED A CHANGED HOST KEY") || !strings.Contains(r.stderr, fingerprint(t, f.Hosts[1].HostKeyPub)) {
		t.Errorf("no loud warning: %v", r)
	}
	after, _ := os.ReadFile(f.KnownHosts)
	if string(after) != string(before) {
		t.Errorf("known_hosts changed:\n%s", after)
	}
	// --host-key-checking on the command line wins over ansible.cfg.
	r = tend(t, []string{"ANSIBLE_CONFIG=" + cfg}, "ping", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--host-key-checking", "strict")
	if r.code != 4 || !strings.Contains(lineFor(r.stdout, "host02"), "HAS CHANGED") {
		t.Errorf("strict flag over host_key_checking=False: %v", r)
	}
}

// A vaulted group_vars file and a !vault value in the playbook, with the
// password from ansible.cfg's vault_password_file: the values reach the
// hosts, never the output; a wrong password touches no host.
func TestVaultEndToEnd(t *testing.T) {
	f := startFleet(t, 2)
	dir := t.TempDir()
	fixtures := filepath.Join("..", "internal", "vault", "testdata")
	vars11, err := os.ReadFile(filepath.Join(fixtures, "vars11.yml"))
	if err != nil {
		t.Fatal(err)
	}
	inline, err := os.ReadFile(filepath.Join(fixtures, "inline.yml"))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "group_vars"), 0o755)
	os.WriteFile(filepath.Join(dir, "group_vars", "all.yml"), vars11, 0o600)
	inv, _ := os.ReadFile(f.Inventory)
	os.WriteFile(filepath.Join(dir, "hosts.ini"), inv, 0o600)
	os.WriteFile(filepath.Join(dir, "vars.yml"), inline, 0o600)
	os.WriteFile(filepath.Join(dir, "pass"), []byte("tend-test-pass\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "dev.pass"), []byte("tend-dev-pass\n"), 0o600)
	pb := filepath.Join(dir, "site.yml")
	os.WriteFile(pb, []byte(`- hosts: all
  gather_facts: false
  vars_files: [vars.yml]
  tasks:
    - copy: {dest: /etc/app.conf, content: "password={{ db_password }} token={{ db_pass }}\n"}
    - debug: {msg: "token is {{ db_pass }}"}
`), 0o600)
	cfg := filepath.Join(dir, "ansible.cfg")
	os.WriteFile(cfg, []byte("[defaults]\ninventory = hosts.ini\nvault_password_file = pass\n"), 0o600)
	env := []string{"ANSIBLE_CONFIG=" + cfg}

	r := tend(t, env, "converge", "--known-hosts", f.KnownHosts, "--diff", "--vault-id", "dev@"+filepath.Join(dir, "dev.pass"), pb)
	if r.code != 0 {
		t.Fatalf("converge: %v", r)
	}
	for _, h := range f.Hosts {
		if got := content(t, h, "/etc/app.conf"); got != "password=s3cret-value token=inline-secret\n" {
			t.Errorf("%s: %q", h.Name, got)
		}
	}
	for _, secret := range []string{"s3cret-value", "inline-secret"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("the output shows %q: %v", secret, r)
		}
	}
	if !strings.Contains(r.stdout, "token is ********") {
		t.Errorf("debug not masked: %v", r)
	}
	r = tend(t, env, "converge", "--known-hosts", f.KnownHosts, "--format", "json", "--vault-id", "dev@"+filepath.Join(dir, "dev.pass"), pb)
	if r.code != 0 || strings.Contains(r.stdout, "s3cret-value") || strings.Contains(r.stdout, "inline-secret") {
		t.Errorf("json events: %v", r)
	}

	// A wrong password: a clear error, no host touched.
	os.WriteFile(filepath.Join(dir, "pass"), []byte("wrong\n"), 0o600)
	for _, h := range f.Hosts {
		os.Remove(h.Path("/etc/app.conf"))
	}
	r = tend(t, env, "converge", "--known-hosts", f.KnownHosts, pb)
	if r.code != 1 || !strings.Contains(r.stderr, "decryption failed") {
		t.Errorf("wrong password: %v", r)
	}
	for _, h := range f.Hosts {
		if h.Exists("/etc/app.conf") {
			t.Errorf("%s was touched", h.Name)
		}
	}
}

// A ProxyCommand that is not the classic "ssh -W" is run by sh, and the
// connection goes over its stdin and stdout (here: OpenSSH's client through
// env, reaching the host itself).
func TestProxyCommandIsRun(t *testing.T) {
	f := startFleet(t, 1)
	h := f.Hosts[0]
	proxy := fmt.Sprintf("/usr/bin/env ssh -o BatchMode=yes -o UserKnownHostsFile=%s -i %s -p %d -W %%h:%%p root@%s",
		f.KnownHosts, f.ClientKey, h.Port, h.Addr)
	inv := writeFile(t, "hosts.ini", fmt.Sprintf("%s ansible_host=%s ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s ansible_ssh_common_args='-o ProxyCommand=\"%s\"'\n",
		h.Name, h.Addr, h.Port, f.ClientKey, proxy))
	r := tend(t, nil, "exec", "-i", inv, "--known-hosts", f.KnownHosts, "all", "--", "hostname")
	if r.code != 0 || !strings.Contains(r.stdout, h.Name) {
		t.Fatalf("ProxyCommand: %v", r)
	}
}
