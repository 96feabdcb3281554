package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tend/internal/vault"
)

// The fixtures were written by ansible-vault (see internal/vault's tests):
// vars11.yml with password tend-test-pass, inline.yml's db_pass likewise,
// its multi with vault id dev and password tend-dev-pass.
func vaultFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "internal", "vault", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestVaultedVarsFilesAndValues(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "group_vars"), 0o755)
	os.WriteFile(filepath.Join(dir, "hosts.yml"), []byte("all:\n  hosts:\n    h1:\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "group_vars", "all.yml"), vaultFixture(t, "vars11.yml"), 0o644)
	os.MkdirAll(filepath.Join(dir, "host_vars"), 0o755)
	os.WriteFile(filepath.Join(dir, "host_vars", "h1.yml"), vaultFixture(t, "inline.yml"), 0o644)

	ring := &vault.Keyring{}
	ring.Add("", []byte("tend-test-pass"), "test")
	ring.Add("dev", []byte("tend-dev-pass"), "test")
	inv, err := LoadWith(LoadOptions{Vault: ring}, filepath.Join(dir, "hosts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "vaulted file", hostVar(t, inv, "h1", "db_password"), "s3cret-value")
	equal(t, "vaulted file's int", hostVar(t, inv, "h1", "port"), 5432)
	equal(t, "inline value", hostVar(t, inv, "h1", "db_pass"), "inline-secret")
	equal(t, "inline value, id dev", hostVar(t, inv, "h1", "multi"), "line one\nline two")
	equal(t, "plain value", hostVar(t, inv, "h1", "plain"), "visible")
	// Every decrypted string is a secret to redact; plain ones are not.
	got := ring.Redact("s3cret-value inline-secret line two visible")
	equal(t, "redacted", got, "******** ******** ******** visible")

	// No password: an error naming the file, and how to give one.
	_, err = Load(filepath.Join(dir, "hosts.yml"))
	wantError(t, err, "h1.yml:2:10: the !vault value is vault-encrypted and no vault password was given", "--vault-password-file")

	// A wrong password: an error naming the file and the vault id tried.
	wrong := &vault.Keyring{}
	wrong.Add("", []byte("nope"), "/etc/pass")
	_, err = LoadWith(LoadOptions{Vault: wrong}, filepath.Join(dir, "hosts.yml"))
	if err == nil || !strings.Contains(err.Error(), "decryption failed") || strings.Contains(err.Error(), "nope") {
		t.Errorf("wrong password: %v", err)
	}
}
