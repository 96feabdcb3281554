package transport

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
	xknownhosts "golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyPolicy says what to do with a host key that known_hosts does not
// have. A key that differs from the recorded one is refused under Strict and
// AcceptNew.
type HostKeyPolicy string

const (
	// Strict refuses hosts that are not in known_hosts (the default).
	Strict HostKeyPolicy = "strict"
	// AcceptNew records unknown hosts' keys in known_hosts and connects.
	AcceptNew HostKeyPolicy = "accept-new"
	// AcceptAny is OpenSSH's StrictHostKeyChecking=no, and what Ansible's
	// host_key_checking=False asks for: unknown hosts' keys are recorded,
	// and a changed key is accepted, with a loud warning each time, but
	// neither recorded nor trusted with a password.
	AcceptAny HostKeyPolicy = "accept-any"
	// Off accepts every key and records none; a key that differs from a
	// known one is still warned about (and no password is sent), as under
	// AcceptAny. Only for throwaway hosts.
	Off HostKeyPolicy = "off"
)

// ParseHostKeyPolicy checks a --host-key-checking value.
func ParseHostKeyPolicy(s string) (HostKeyPolicy, error) {
	switch p := HostKeyPolicy(s); p {
	case Strict, AcceptNew, AcceptAny, Off:
		return p, nil
	}
	return "", fmt.Errorf("unknown host key policy %q: use strict, accept-new, accept-any or off", s)
}

// HostKeys verifies host keys against one known_hosts file (OpenSSH's format,
// hashed entries and several key types per host included). One value is
// shared by all connections of a run, so accept-new appends are serialised.
type HostKeys struct {
	File   string
	Policy HostKeyPolicy
	// Also are further files read but never written (OpenSSH's
	// GlobalKnownHostsFile, the rest of a UserKnownHostsFile list).
	Also []string
	// Warn, when set, is told of each changed key AcceptAny or Off accepts.
	Warn func(host, msg string)

	mu      sync.Mutex
	db      *knownhosts.HostKeyDB
	changed map[string]bool // hosts AcceptAny let in with a changed key
}

// NewHostKeys reads file. A missing file is an empty one: under accept-new it
// is created on the first new host.
func NewHostKeys(file string, policy HostKeyPolicy, also ...string) (*HostKeys, error) {
	h := &HostKeys{File: file, Policy: policy, Also: also}
	if err := h.reload(); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *HostKeys) reload() error {
	var files []string
	for _, f := range append([]string{h.File}, h.Also...) {
		if f == os.DevNull {
			continue // ssh -o UserKnownHostsFile=/dev/null: nothing known
		}
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("known_hosts: %w", err)
		}
	}
	db, err := knownhosts.NewDB(files...)
	if err != nil {
		return fmt.Errorf("known_hosts %s: %w", h.File, err)
	}
	h.db = db
	return nil
}

// algorithms returns the host key algorithms to ask the server for: the types
// recorded for the host, so the server shows the key we can check rather than
// one we have never seen. Nil (any) for unknown hosts.
func (h *HostKeys) algorithms(hostport string) []string {
	if h.Policy == Off {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.db.HostKeyAlgorithms(hostport)
}

// callback verifies the key a host presents.
func (h *HostKeys) callback() ssh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		err := h.db.HostKeyCallback()(hostname, remote, key)
		if err == nil {
			return nil
		}
		var ke *xknownhosts.KeyError
		if !errors.As(err, &ke) {
			if h.Policy == Off {
				return nil
			}
			return fmt.Errorf("checking the host key of %s: %w", hostname, err)
		}
		if len(ke.Want) > 0 {
			// Off accepts it too, but never silently.
			changed := &HostKeyError{Host: hostname, Key: key, Known: ke.Want, File: h.File, Changed: true}
			if h.Policy != AcceptAny && h.Policy != Off {
				return changed
			}
			h.acceptChanged(changed)
			return nil
		}
		if h.Policy == Off {
			return nil // a new host: recorded nowhere
		}
		switch {
		case h.Policy != AcceptNew && h.Policy != AcceptAny:
			return &HostKeyError{Host: hostname, Key: key, File: h.File}
		case h.File == os.DevNull:
			return nil // recorded nowhere, as OpenSSH with /dev/null
		}
		return h.appendKey(hostname, remote, key)
	}
}

// acceptChanged lets a changed key through under AcceptAny, loudly, and
// remembers the host so that no password is sent to it.
func (h *HostKeys) acceptChanged(e *HostKeyError) {
	if h.changed == nil {
		h.changed = map[string]bool{}
	}
	h.changed[e.Host] = true
	if h.Warn != nil {
		h.Warn(e.Host, "ACCEPTED A CHANGED HOST KEY (host key checking is "+string(h.Policy)+": accept-any, off, "+
			"StrictHostKeyChecking=no or host_key_checking=False): "+e.change()+
			" Connecting anyway, without sending a password; known_hosts is left as it was")
	}
}

// keyChanged says whether AcceptAny let hostport through with a changed
// key: OpenSSH then refuses password authentication, and so does tend.
func (h *HostKeys) keyChanged(hostport string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.changed[hostport]
}

// appendKey records a new host's key. Another tend may append at the same
// time, so the file is locked and read again before writing; a key recorded
// meanwhile is checked rather than written twice.
func (h *HostKeys) appendKey(hostname string, remote net.Addr, key ssh.PublicKey) error {
	if err := os.MkdirAll(filepath.Dir(h.File), 0o700); err != nil {
		return fmt.Errorf("known_hosts: %w", err)
	}
	f, err := os.OpenFile(h.File, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("known_hosts: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("known_hosts: locking %s: %w", h.File, err)
	}
	if err := h.reload(); err != nil {
		return err
	}
	if err := h.db.HostKeyCallback()(hostname, remote, key); err == nil {
		return nil
	} else if ke := (*xknownhosts.KeyError)(nil); !errors.As(err, &ke) {
		return fmt.Errorf("checking the host key of %s: %w", hostname, err) // revoked, say
	} else if len(ke.Want) > 0 {
		changed := &HostKeyError{Host: hostname, Key: key, Known: ke.Want, File: h.File, Changed: true}
		if h.Policy != AcceptAny {
			return changed
		}
		h.acceptChanged(changed)
		return nil
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key) + "\n"
	if _, err := f.WriteString(line); err != nil {
		return fmt.Errorf("known_hosts: writing %s: %w", h.File, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("known_hosts: %w", err)
	}
	return h.reload()
}

// HostKeyError is an unknown or changed host key. Its message says what was
// seen and what to do, as OpenSSH's does.
type HostKeyError struct {
	Host    string
	Key     ssh.PublicKey
	Known   []xknownhosts.KnownKey // the recorded keys, when Changed
	File    string
	Changed bool
}

func (e *HostKeyError) Error() string {
	host := knownhosts.Normalize(e.Host)
	fp := e.Key.Type() + " " + ssh.FingerprintSHA256(e.Key)
	if !e.Changed {
		h, port, _ := net.SplitHostPort(e.Host)
		if h == "" {
			h, port = e.Host, "22"
		}
		return fmt.Sprintf("host key of %s is not known (%s offered a %s key). "+
			"Check the fingerprint with the host's owner, then trust it with:\n"+
			"    ssh-keyscan -p %s %s >> %s\n"+
			"or connect once with --host-key-checking accept-new", host, host, fp, port, h, e.File)
	}
	return e.change() + " Refusing to connect. " +
		fmt.Sprintf("If the change is expected, remove the old key with: ssh-keygen -R '%s' -f %s", host, e.File)
}

// change says what changed, and what that may mean.
func (e *HostKeyError) change() string {
	var known []string
	for _, k := range e.Known {
		known = append(known, fmt.Sprintf("%s %s at %s:%d", k.Key.Type(), ssh.FingerprintSHA256(k.Key), k.Filename, k.Line))
	}
	return fmt.Sprintf("HOST KEY OF %s HAS CHANGED: it now offers %s %s, known_hosts has %s. "+
		"Someone may be intercepting the connection, or the host was reinstalled.",
		knownhosts.Normalize(e.Host), e.Key.Type(), ssh.FingerprintSHA256(e.Key), strings.Join(known, ", "))
}
