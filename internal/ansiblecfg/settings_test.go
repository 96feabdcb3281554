package ansiblecfg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// load writes an ansible.cfg in a fresh folder and loads it through
// ANSIBLE_CONFIG, with env as the only other variables.
func load(t *testing.T, cfg string, env map[string]string) *Config {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "ansible.cfg")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "ANSIBLE_CONFIG" {
			return p
		}
		if k == "HOME" {
			return "/home/u"
		}
		return env[k]
	}
	c, err := Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSettingsFromFile(t *testing.T) {
	c := load(t, `[defaults]
inventory = hosts.ini, /etc/other
remote_user = "deploy"
forks = 7 ; inline comment
timeout = 3
private_key_file = ~/.ssh/deploy
host_key_checking = False
vault_password_file = .vault_pass
vault_identity_list = dev@dev.pass, prod@prompt
[privilege_escalation]
become = yes
become_user = app
become_method = sudo
[ssh_connection]
ssh_args = -o UserKnownHostsFile=/tmp/kh # not a comment
`, nil)
	s, err := c.Settings()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(c.Path)
	if len(s.Inventory) != 2 || s.Inventory[0] != filepath.Join(dir, "hosts.ini") || s.Inventory[1] != "/etc/other" {
		t.Errorf("inventory %q", s.Inventory)
	}
	if s.RemoteUser != "deploy" || s.Forks != 7 || s.Timeout != 3*time.Second || s.PrivateKeyFile != "/home/u/.ssh/deploy" {
		t.Errorf("got %+v", s)
	}
	if s.HostKeyChecking == nil || *s.HostKeyChecking || s.Become == nil || !*s.Become || s.BecomeUser != "app" {
		t.Errorf("booleans: %+v", s)
	}
	if s.VaultPasswordFile != filepath.Join(dir, ".vault_pass") ||
		strings.Join(s.VaultIdentityList, " ") != "dev@"+filepath.Join(dir, "dev.pass")+" prod@prompt" {
		t.Errorf("vault: %q %q", s.VaultPasswordFile, s.VaultIdentityList)
	}
	if s.SSHArgs != "-o UserKnownHostsFile=/tmp/kh # not a comment" {
		t.Errorf("ssh_args %q", s.SSHArgs)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %q", c.Warnings)
	}
}

// The environment wins over the file; an empty variable counts as unset;
// relative paths from the environment are from the working directory.
func TestEnvironmentWins(t *testing.T) {
	c := load(t, "[defaults]\nforks = 7\nremote_user = a\n[ssh_connection]\ntimeout = 9\n",
		map[string]string{"ANSIBLE_FORKS": "3", "ANSIBLE_REMOTE_USER": "", "ANSIBLE_INVENTORY": "inv",
			"ANSIBLE_HOST_KEY_CHECKING": "false", "ANSIBLE_TIMEOUT": "2"})
	s, err := c.Settings()
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if s.Forks != 3 || s.RemoteUser != "a" || s.Inventory[0] != filepath.Join(wd, "inv") || *s.HostKeyChecking {
		t.Errorf("got %+v", s)
	}
	if s.Timeout != 2*time.Second {
		t.Errorf("timeout %v: the variable wins over both ini entries", s.Timeout)
	}
}

func TestSSHConnectionSectionWinsOverDefaults(t *testing.T) {
	c := load(t, "[defaults]\ntimeout = 5\nhost_key_checking = true\n[ssh_connection]\ntimeout = 9\nhost_key_checking = false\n", nil)
	s, err := c.Settings()
	if err != nil || s.Timeout != 9*time.Second || *s.HostKeyChecking {
		t.Fatalf("got %+v, %v", s, err)
	}
}

func TestBadValuesNameFileAndLine(t *testing.T) {
	c := load(t, "[defaults]\n# comment\nforks = abc\nhost_key_checking = maybe\n[privilege_escalation]\nbecome_method = su\n", nil)
	_, err := c.Settings()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{c.Path + ":3: forks = abc: not a whole number",
		c.Path + ":4: host_key_checking = maybe: not a boolean", c.Path + ":6: become_method = su: tend becomes other users with sudo only"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	c = load(t, "", map[string]string{"ANSIBLE_FORKS": "0"})
	if _, err := c.Settings(); err == nil || !strings.Contains(err.Error(), "ANSIBLE_FORKS = 0") {
		t.Errorf("env: %v", err)
	}
}

func TestUnknownKeysAreWarnings(t *testing.T) {
	c := load(t, "[defaults]\nforks = 5\nforsk = 5\nretry_files_enabled = False\nstdout_callback = yaml\n[ssh_conection]\nssh_args = -C\n[callback_profile_tasks]\nsort_order = none\n", nil)
	got := strings.Join(c.Warnings, "\n")
	if !strings.Contains(got, `:3: unknown key "forsk" in [defaults]`) || !strings.Contains(got, `did you mean "forks"?`) {
		t.Errorf("warnings: %s", got)
	}
	if !strings.Contains(got, "section [ssh_conection] is not one Ansible knows") {
		t.Errorf("warnings: %s", got)
	}
	if len(c.Warnings) != 2 {
		t.Errorf("want 2 warnings, got %q", c.Warnings)
	}
}

func TestPercentAndInlineComments(t *testing.T) {
	c := load(t, "[ssh_connection]\ncontrol_path = %%(directory)s/%%h ; comment\nssh_args = -o A=b#c\n", nil)
	if got := c.Get("", "ssh_connection", "control_path"); got != "%(directory)s/%h" {
		t.Errorf("control_path %q", got)
	}
	if got := c.Get("", "ssh_connection", "ssh_args"); got != "-o A=b#c" {
		t.Errorf("ssh_args %q", got)
	}
}
