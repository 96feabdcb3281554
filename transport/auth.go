package transport

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Keys loads private keys once per run and shares them among connections, so
// that 500 hosts cost one parse and at most one passphrase prompt per key.
type Keys struct {
	// Passphrase is asked for a passphrase-protected key; nil means such keys
	// are an error. It is called at most once per file.
	Passphrase func(file string) ([]byte, error)

	mu      sync.Mutex
	signers map[string]keyResult
}

type keyResult struct {
	signer ssh.Signer
	err    error
}

// signer returns the key in file, parsed once.
func (k *Keys) signer(file string) (ssh.Signer, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r, ok := k.signers[file]; ok {
		return r.signer, r.err
	}
	s, err := k.load(file)
	if k.signers == nil {
		k.signers = map[string]keyResult{}
	}
	k.signers[file] = keyResult{s, err}
	return s, err
}

func (k *Keys) load(file string) (ssh.Signer, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	s, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		if err != nil {
			return nil, fmt.Errorf("private key %s: %w", file, err)
		}
		return s, nil
	}
	if k.Passphrase == nil {
		return nil, fmt.Errorf("private key %s is protected by a passphrase: add it to ssh-agent, set TEND_SSH_PASSPHRASE, or run on a terminal to be asked", file)
	}
	pass, err := k.Passphrase(file)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", file, err)
	}
	s, err = ssh.ParsePrivateKeyWithPassphrase(pem, pass)
	clear(pass)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w (wrong passphrase?)", file, err)
	}
	return s, nil
}

// authPlan is the authentication a connection will try, and a description of
// it for the error message when every method fails.
type authPlan struct {
	methods []ssh.AuthMethod
	tried   []string
	close   func()
}

// planAuth builds the methods in OpenSSH's order: agent keys and key files
// (public key), then the password (keyboard-interactive and password). Missing
// default key files are skipped; a missing explicit one is an error.
//
// useAgent false leaves the agent out (IdentitiesOnly). passwordOK is asked
// before the password is sent: false refuses it.
func planAuth(keys *Keys, explicit, defaults []string, password string, useAgent bool, passwordOK func() bool) (*authPlan, error) {
	p := &authPlan{close: func() {}}
	var signers []ssh.Signer
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" && useAgent {
		if conn, err := net.Dial("unix", sock); err == nil {
			ag := agent.NewClient(conn)
			if list, err := ag.Signers(); err == nil {
				signers = append(signers, list...)
				p.tried = append(p.tried, fmt.Sprintf("%d agent key(s)", len(list)))
			}
			p.close = func() { conn.Close() }
		}
	}
	for _, f := range explicit {
		s, err := keys.signer(f)
		if err != nil {
			p.close()
			return nil, err
		}
		signers = append(signers, s)
		p.tried = append(p.tried, "key "+f)
	}
	for _, f := range defaults {
		if _, err := os.Stat(f); err != nil {
			continue
		}
		s, err := keys.signer(f)
		if err != nil {
			// As OpenSSH does, a default key that cannot be used (say,
			// locked with no way to ask) is skipped: the agent may hold it.
			continue
		}
		signers = append(signers, s)
		p.tried = append(p.tried, "key "+f)
	}
	if len(signers) > 0 {
		p.methods = append(p.methods, ssh.PublicKeys(signers...))
	}
	if password != "" {
		refused := errors.New("not sending the password: the host's key has changed")
		answer := func(_, _ string, questions []string, _ []bool) ([]string, error) {
			if !passwordOK() {
				return nil, refused
			}
			a := make([]string, len(questions))
			for i := range a {
				a[i] = password
			}
			return a, nil
		}
		p.methods = append(p.methods, ssh.KeyboardInteractive(answer), ssh.PasswordCallback(func() (string, error) {
			if !passwordOK() {
				return "", refused
			}
			return password, nil
		}))
		p.tried = append(p.tried, "password")
	}
	return p, nil
}

// AuthError says that the host refused every credential offered.
type AuthError struct {
	User, Addr string
	Tried      []string
}

func (e *AuthError) Error() string {
	tried := "nothing (no agent, no key file, no password)"
	if len(e.Tried) > 0 {
		tried = strings.Join(e.Tried, ", ")
	}
	return fmt.Sprintf("authentication failed for %s@%s: the host refused %s. "+
		"Check the user (-u, ansible_user) and that the key is in that user's authorized_keys, "+
		"or name a key with --private-key or ansible_ssh_private_key_file", e.User, e.Addr, tried)
}
