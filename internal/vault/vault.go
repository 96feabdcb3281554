// Package vault decrypts Ansible Vault data (format 1.1 and 1.2, cipher
// AES256) as ansible-vault writes it: whole files, and the values of
// YAML's !vault tag. Passwords come from files, scripts or a prompt, each
// under a vault id, and are tried as Ansible does: those whose id matches
// the data's label first, then the others.
//
// Decrypted text stays in memory. A Keyring also remembers the secrets it
// revealed, so that output can be redacted (Redact) before it reaches a
// terminal, a report or a saved plan.
package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Header starts every piece of vault data.
const Header = "$ANSIBLE_VAULT;"

// DefaultID is the vault id of a password given without a label, and of
// data whose header names none (format 1.1).
const DefaultID = "default"

// IsEncrypted says whether data is vault data: it starts with the header,
// as Ansible's is_encrypted checks (leading blank space allowed, which
// Ansible's loaders strip first).
func IsEncrypted(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte(Header))
}

// Envelope is a vault text's header and its hex body.
type Envelope struct {
	Version string // "1.1" or "1.2"
	Cipher  string // "AES256"
	ID      string // the 1.2 label; "" for 1.1
	body    []byte // hex of salt \n hmac \n ciphertext, newlines removed
}

// Parse reads the header line and joins the 80-column body.
func Parse(data []byte) (Envelope, error) {
	data = bytes.TrimSpace(data)
	line, rest, _ := bytes.Cut(data, []byte("\n"))
	fields := strings.Split(strings.TrimSpace(string(line)), ";")
	if len(fields) < 3 || fields[0] != strings.TrimSuffix(Header, ";") {
		return Envelope{}, errors.New("the first line is not a vault header ($ANSIBLE_VAULT;1.1;AES256)")
	}
	e := Envelope{Version: strings.TrimSpace(fields[1]), Cipher: strings.TrimSpace(fields[2])}
	if len(fields) >= 4 {
		e.ID = strings.TrimSpace(fields[3])
	}
	switch e.Version {
	case "1.1", "1.2":
	case "1.0":
		return e, errors.New("vault format 1.0 (AES, before Ansible 1.5) is not supported: rekey it with ansible-vault")
	default:
		return e, fmt.Errorf("unknown vault format version %q", e.Version)
	}
	if e.Cipher != "AES256" {
		return e, fmt.Errorf("cipher %q is not supported (only AES256)", e.Cipher)
	}
	var b bytes.Buffer
	for _, l := range bytes.Split(rest, []byte("\n")) {
		b.Write(bytes.TrimSpace(l))
	}
	e.body = b.Bytes()
	return e, nil
}

// errWrongPassword is a password that does not fit the data (its HMAC
// does not match).
var errWrongPassword = errors.New("HMAC verification failed")

// decrypt opens the envelope with one password, as VaultAES256.decrypt:
// PBKDF2-SHA256 (10000 iterations) gives an AES key, an HMAC key and the
// CTR counter; the HMAC-SHA256 of the ciphertext is checked first; the
// plaintext was PKCS#7 padded.
func (e Envelope) decrypt(password []byte) ([]byte, error) {
	inner, err := unhex(e.body)
	if err != nil {
		return nil, err
	}
	parts := bytes.SplitN(inner, []byte("\n"), 3)
	if len(parts) != 3 {
		return nil, errors.New("the vault body does not hold salt, HMAC and ciphertext")
	}
	salt, err := unhex(parts[0])
	if err != nil {
		return nil, err
	}
	mac, err := unhex(parts[1])
	if err != nil {
		return nil, err
	}
	ct, err := unhex(parts[2])
	if err != nil {
		return nil, err
	}
	dk, err := pbkdf2.Key(sha256.New, string(password), salt, 10000, 32+32+aes.BlockSize)
	if err != nil {
		return nil, err
	}
	key1, key2, iv := dk[:32], dk[32:64], dk[64:]
	h := hmac.New(sha256.New, key2)
	h.Write(ct)
	if !hmac.Equal(h.Sum(nil), mac) {
		return nil, errWrongPassword
	}
	block, err := aes.NewCipher(key1)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(ct))
	cipher.NewCTR(block, iv).XORKeyStream(plain, ct)
	return unpad(plain)
}

func unhex(b []byte) ([]byte, error) {
	out := make([]byte, hex.DecodedLen(len(b)))
	if _, err := hex.Decode(out, b); err != nil {
		return nil, fmt.Errorf("vault format unhexlify error: %v", err)
	}
	return out, nil
}

// unpad removes PKCS#7 padding (AES block size).
func unpad(b []byte) ([]byte, error) {
	if len(b) == 0 || len(b)%aes.BlockSize != 0 {
		return nil, errors.New("bad padding in the decrypted data")
	}
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize {
		return nil, errors.New("bad padding in the decrypted data")
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, errors.New("bad padding in the decrypted data")
		}
	}
	return b[:len(b)-n], nil
}

// Secret is one vault password with its id and where it came from (a file
// name, "prompt"), for messages: never the password itself.
type Secret struct {
	ID       string
	Source   string
	password []byte
}

// Keyring holds a run's vault passwords and the secrets they revealed. The
// zero value has no password: encrypted data is then an error saying how
// to give one. It is safe for concurrent use.
type Keyring struct {
	secrets []Secret

	mu       sync.Mutex
	revealed map[string]bool
	redactor *strings.Replacer
}

// Add adds a password under id ("" is DefaultID).
func (k *Keyring) Add(id string, password []byte, source string) {
	if id == "" {
		id = DefaultID
	}
	k.secrets = append(k.secrets, Secret{ID: id, Source: source, password: bytes.Clone(password)})
}

// Len is the number of passwords.
func (k *Keyring) Len() int {
	if k == nil {
		return 0
	}
	return len(k.secrets)
}

// Decrypt opens vault data read from source (a file name, "file:line"),
// trying the passwords whose id matches the data's label first, then the
// others, as Ansible does with vault_id_match off. Errors name source and
// never hold the plaintext or a password.
func (k *Keyring) Decrypt(data []byte, source string) ([]byte, error) {
	env, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: vault format error: %v", source, err)
	}
	if k.Len() == 0 {
		return nil, fmt.Errorf("%s is vault-encrypted and no vault password was given: "+
			"pass --vault-password-file FILE, --vault-id LABEL@FILE or --ask-vault-pass "+
			"(or set vault_password_file in ansible.cfg)", source)
	}
	var tried []string
	for _, pass := range []bool{true, false} {
		for _, s := range k.secrets {
			if (env.ID != "" && s.ID == env.ID) != pass {
				continue
			}
			plain, err := env.decrypt(s.password)
			if err == nil {
				return plain, nil
			}
			if !errors.Is(err, errWrongPassword) {
				return nil, fmt.Errorf("%s: vault format error: %v", source, err)
			}
			tried = append(tried, fmt.Sprintf("%s from %s", s.ID, s.Source))
		}
	}
	label := ""
	if env.ID != "" {
		label = fmt.Sprintf(" (vault id %q)", env.ID)
	}
	return nil, fmt.Errorf("%s%s: decryption failed: no vault password given fits (tried %s)",
		source, label, strings.Join(tried, ", "))
}
