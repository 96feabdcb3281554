package vault

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The files in testdata were written by Ansible 2.14's ansible-vault:
//
//	ansible-vault encrypt --vault-password-file <(echo tend-test-pass) vars11.yml
//	ansible-vault encrypt --vault-id dev@<(echo tend-dev-pass) vars12-dev.yml
//	ansible-vault encrypt --vault-id prod@<(echo tend-prod-pass) vars12-prod.yml
//	ansible-vault encrypt_string ... 'inline-secret' --name db_pass    (inline.yml)
const (
	testPass = "tend-test-pass"
	devPass  = "tend-dev-pass"
	prodPass = "tend-prod-pass"
)

const vars11Plain = "db_password: s3cret-value\nport: 5432\nusers:\n  - alice\n  - bob\n"

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecryptAnsibleVaultFiles(t *testing.T) {
	var k Keyring
	k.Add("", []byte(testPass), "pw-file")
	k.Add("dev", []byte(devPass), "dev-file")
	k.Add("prod", []byte(prodPass), "prod-file")
	for name, want := range map[string]string{
		"vars11.yml":      vars11Plain,
		"vars12-dev.yml":  "api_token: tok-dev-123\n",
		"vars12-prod.yml": "api_token: tok-prod-456\n",
	} {
		got, err := k.Decrypt(fixture(t, name), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if string(got) != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}

func TestEnvelopeHeader(t *testing.T) {
	e, err := Parse(fixture(t, "vars12-dev.yml"))
	if err != nil || e.Version != "1.2" || e.Cipher != "AES256" || e.ID != "dev" {
		t.Fatalf("got %+v, %v", e, err)
	}
	e, err = Parse(fixture(t, "vars11.yml"))
	if err != nil || e.Version != "1.1" || e.ID != "" {
		t.Fatalf("got %+v, %v", e, err)
	}
}

func TestWrongPasswordSaysWhatWasTried(t *testing.T) {
	var k Keyring
	k.Add("dev", []byte("not-it"), "/etc/dev.pass")
	_, err := k.Decrypt(fixture(t, "vars12-dev.yml"), "group_vars/all.yml")
	if err == nil {
		t.Fatal("a wrong password decrypted")
	}
	msg := err.Error()
	for _, want := range []string{"group_vars/all.yml", `vault id "dev"`, "decryption failed", "dev from /etc/dev.pass"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "not-it") {
		t.Errorf("error shows the password: %q", msg)
	}
}

func TestNoPasswordSaysHowToGiveOne(t *testing.T) {
	var k Keyring
	_, err := k.Decrypt(fixture(t, "vars11.yml"), "vars/secrets.yml")
	if err == nil || !strings.Contains(err.Error(), "vars/secrets.yml is vault-encrypted") ||
		!strings.Contains(err.Error(), "--vault-password-file") {
		t.Fatalf("got %v", err)
	}
}

// A password whose id matches the label is tried first, but the others
// are tried too (vault_id_match is off by default in Ansible).
func TestLabelMismatchStillTriesEveryPassword(t *testing.T) {
	var k Keyring
	k.Add("other", []byte(devPass), "f")
	got, err := k.Decrypt(fixture(t, "vars12-dev.yml"), "x")
	if err != nil || string(got) != "api_token: tok-dev-123\n" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestBadDataIsAFormatError(t *testing.T) {
	var k Keyring
	k.Add("", []byte(testPass), "f")
	good := fixture(t, "vars11.yml")
	for name, data := range map[string][]byte{
		"version":  []byte("$ANSIBLE_VAULT;9.9;AES256\n3031\n"),
		"cipher":   []byte("$ANSIBLE_VAULT;1.1;DES\n3031\n"),
		"hex":      []byte("$ANSIBLE_VAULT;1.1;AES256\nzz\n"),
		"short":    []byte("$ANSIBLE_VAULT;1.1;AES256\n3031\n"),
		"header":   []byte("$ANSIBLE_VAULT\n"),
		"truncate": good[:len(good)/2],
		"empty":    nil,
	} {
		if _, err := k.Decrypt(data, "f"); err == nil {
			t.Errorf("%s: decrypted", name)
		}
	}
}

// Tampering with the ciphertext is caught by the HMAC.
func TestTamperedCiphertextFails(t *testing.T) {
	var k Keyring
	k.Add("", []byte(testPass), "f")
	data := fixture(t, "vars11.yml")
	lines := bytes.Split(data, []byte("\n"))
	last := lines[len(lines)-2]
	if last[0] == '3' {
		last[0] = '4'
	} else {
		last[0] = '3'
	}
	if _, err := k.Decrypt(bytes.Join(lines, []byte("\n")), "f"); err == nil {
		t.Fatal("tampered data decrypted")
	}
}

func TestInlineValues(t *testing.T) {
	var doc map[string]yaml.Node
	if err := yaml.Unmarshal(fixture(t, "inline.yml"), &doc); err != nil {
		t.Fatal(err)
	}
	var k Keyring
	k.Add("", []byte(testPass), "f")
	k.Add("dev", []byte(devPass), "g")
	for key, want := range map[string]string{"db_pass": "inline-secret", "multi": "line one\nline two"} {
		n := doc[key]
		if n.Tag != "!vault" {
			t.Fatalf("%s: tag %q", key, n.Tag)
		}
		got, err := k.Decrypt([]byte(n.Value), key)
		if err != nil || string(got) != want {
			t.Errorf("%s: got %q, %v", key, got, err)
		}
	}
}

func TestIsEncrypted(t *testing.T) {
	if !IsEncrypted(fixture(t, "vars11.yml")) || !IsEncrypted([]byte("\n  $ANSIBLE_VAULT;1.1;AES256\n")) {
		t.Error("vault data not recognised")
	}
	if IsEncrypted([]byte("a: $ANSIBLE_VAULT;1.1")) || IsEncrypted(nil) {
		t.Error("plain data taken for vault data")
	}
}

func TestParseID(t *testing.T) {
	for spec, want := range map[string][2]string{
		"dev@/etc/dev.pass": {"dev", "/etc/dev.pass"},
		"/etc/pass":         {"default", "/etc/pass"},
		"prod@prompt":       {"prod", "prompt"},
	} {
		l, s := ParseID(spec)
		if l != want[0] || s != want[1] {
			t.Errorf("%s: got %s %s", spec, l, s)
		}
	}
}

func TestPasswordFileAndScript(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pass")
	os.WriteFile(file, []byte("  tend-test-pass \n"), 0o600)
	pw, err := ReadPasswordFile(file, "default")
	if err != nil || string(pw) != testPass {
		t.Fatalf("file: got %q, %v", pw, err)
	}
	script := filepath.Join(dir, "pass.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho tend-test-pass\n"), 0o700)
	if pw, err = ReadPasswordFile(script, "default"); err != nil || string(pw) != testPass {
		t.Fatalf("script: got %q, %v", pw, err)
	}
	// A client script is told the vault id; exit 2 means it has none.
	client := filepath.Join(dir, "vault-client.sh")
	os.WriteFile(client, []byte("#!/bin/sh\n[ \"$1 $2\" = '--vault-id dev' ] || { echo \"no id $2\" >&2; exit 2; }\necho tend-dev-pass\n"), 0o700)
	if pw, err = ReadPasswordFile(client, "dev"); err != nil || string(pw) != devPass {
		t.Fatalf("client: got %q, %v", pw, err)
	}
	if _, err = ReadPasswordFile(client, "prod"); err == nil || !strings.Contains(err.Error(), "did not find a secret for vault-id=prod") {
		t.Fatalf("client without the id: %v", err)
	}
	failing := filepath.Join(dir, "fail.sh")
	os.WriteFile(failing, []byte("#!/bin/sh\nexit 3\n"), 0o700)
	if _, err = ReadPasswordFile(failing, ""); err == nil || !strings.Contains(err.Error(), "exited with status 3") {
		t.Fatalf("failing script: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, err = ReadPasswordFile(empty, ""); err == nil || !strings.Contains(err.Error(), "empty password") {
		t.Fatalf("empty: %v", err)
	}
	if _, err = ReadPasswordFile(filepath.Join(dir, "missing"), ""); err == nil {
		t.Fatal("missing file read")
	}
}

func TestRedact(t *testing.T) {
	var k Keyring
	if k.Redact("abc") != "abc" || k.Revealed() {
		t.Fatal("nothing revealed, yet redacted")
	}
	k.RevealValue(map[string]any{"a": "s3cret-value", "b": []any{"no", "-----BEGIN KEY-----\nAAAAline\n-----END KEY-----"}, "n": 5432})
	got := k.Redact("pw=s3cret-value; +AAAAline; no change; 5432")
	want := "pw=********; +********; no change; 5432"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	v := k.RedactValue(map[string]any{"msg": []any{"x s3cret-value"}}).(map[string]any)
	if v["msg"].([]any)[0] != "x ********" {
		t.Errorf("RedactValue: %v", v)
	}
}

// Round trip with the real ansible-vault, when it is installed: what it
// encrypts now (with a password containing odd bytes) decrypts here.
func TestRoundTripWithAnsibleVault(t *testing.T) {
	bin, err := exec.LookPath("ansible-vault")
	if err != nil {
		t.Skip("ansible-vault is not installed")
	}
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	pass := "p@ss wörd;$x"
	os.WriteFile(pwFile, []byte(pass+"\n"), 0o600)
	plain := "ünïcode: \"value\"\nempty:\nblock: |\n  a\n  b\n" + strings.Repeat("x", 100) + "\n"
	f := filepath.Join(dir, "f.yml")
	os.WriteFile(f, []byte(plain), 0o600)
	out, err := exec.Command(bin, "encrypt", "--vault-id", "ops@"+pwFile, f).CombinedOutput()
	if err != nil {
		t.Fatalf("ansible-vault: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(f)
	pw, err := ReadPasswordFile(pwFile, "ops")
	if err != nil {
		t.Fatal(err)
	}
	var k Keyring
	k.Add("ops", pw, pwFile)
	got, err := k.Decrypt(data, f)
	if err != nil || string(got) != plain {
		t.Fatalf("got %q, %v", got, err)
	}
}

// No input may panic the decryptor.
func FuzzDecrypt(f *testing.F) {
	good, _ := os.ReadFile(filepath.Join("testdata", "vars11.yml"))
	f.Add(good)
	f.Add([]byte("$ANSIBLE_VAULT;1.2;AES256;x\n30\n"))
	f.Add([]byte("$ANSIBLE_VAULT;1.1;AES256\n" + strings.Repeat("3", 200)))
	var k Keyring
	k.Add("", []byte(testPass), "f")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = k.Decrypt(data, "fuzz")
	})
}
