package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tend/internal/vault"
)

// vaultFixture reads a file ansible-vault wrote (see internal/vault's
// tests): vars11.yml and inline.yml's db_pass under password
// tend-test-pass, inline.yml's multi under vault id dev, tend-dev-pass.
func vaultFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vaultTestdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

var vaultTestdata, _ = filepath.Abs(filepath.Join("..", "..", "internal", "vault", "testdata"))

func loadVaulted(t *testing.T, ring *vault.Keyring) (*Playbook, error) {
	t.Helper()
	files := map[string]string{
		"site.yml":                    "- hosts: all\n  vars_files: [secrets.yml]\n  roles: [app]\n  tasks:\n    - debug: {msg: '{{ db_pass }}'}\n",
		"secrets.yml":                 vaultFixture(t, "vars11.yml"),
		"roles/app/defaults/main.yml": vaultFixture(t, "inline.yml"),
		"roles/app/tasks/main.yml":    "- debug: {msg: hi}\n",
	}
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(text), 0o644)
	}
	t.Chdir(dir)
	o := opts
	o.Vault = ring
	return Load("site.yml", o)
}

func TestVaultedVarsFilesAndRoleDefaults(t *testing.T) {
	ring := &vault.Keyring{}
	ring.Add("", []byte("tend-test-pass"), "test")
	ring.Add("dev", []byte("tend-dev-pass"), "test")
	pb, err := loadVaulted(t, ring)
	if err != nil {
		t.Fatal(err)
	}
	p := pb.Plays[0]
	if got := p.VarsFiles[0].Vars["db_password"]; got != "s3cret-value" {
		t.Errorf("vars_files: %v", got)
	}
	role := p.Tasks[0].Role
	if role.Defaults["db_pass"] != "inline-secret" || role.Defaults["multi"] != "line one\nline two" || role.Defaults["plain"] != "visible" {
		t.Errorf("role defaults: %v", role.Defaults)
	}
	if got := ring.Redact("s3cret-value inline-secret line one visible bravo"); got != "******** ******** ******** visible bravo" {
		t.Errorf("redacted: %q", got)
	}
}

func TestVaultWithoutOrWithWrongPassword(t *testing.T) {
	_, err := loadVaulted(t, nil)
	if err == nil || !strings.Contains(err.Error(), "secrets.yml is vault-encrypted and no vault password was given") ||
		!strings.Contains(err.Error(), "the !vault value is vault-encrypted") {
		t.Errorf("no password: %v", err)
	}
	wrong := &vault.Keyring{}
	wrong.Add("", []byte("wrong-pass"), "/etc/pw")
	_, err = loadVaulted(t, wrong)
	if err == nil || !strings.Contains(err.Error(), "decryption failed") || strings.Contains(err.Error(), "wrong-pass") {
		t.Errorf("wrong password: %v", err)
	}
}
