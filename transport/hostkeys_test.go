package transport

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	xknownhosts "golang.org/x/crypto/ssh/knownhosts"
)

func newHostKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var remote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}

func TestHostKeyPolicies(t *testing.T) {
	key, other := newHostKey(t), newHostKey(t)
	file := filepath.Join(t.TempDir(), "sub", "known_hosts")

	strict, err := NewHostKeys(file, Strict)
	if err != nil {
		t.Fatal(err)
	}
	var hk *HostKeyError
	err = strict.callback()("127.0.0.1:2222", remote, key)
	if !errors.As(err, &hk) || hk.Changed {
		t.Fatalf("strict accepted or misreported an unknown host: %v", err)
	}
	for _, want := range []string{"[127.0.0.1]:2222", ssh.FingerprintSHA256(key), "ssh-keyscan -p 2222 127.0.0.1", "accept-new"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("unknown-host message lacks %q:\n%s", want, err)
		}
	}

	acceptNew, _ := NewHostKeys(file, AcceptNew)
	if err := acceptNew.callback()("127.0.0.1:2222", remote, key); err != nil {
		t.Fatalf("accept-new refused a new host: %v", err)
	}
	// The key is now on disk: a strict checker accepts it.
	strict2, _ := NewHostKeys(file, Strict)
	if err := strict2.callback()("127.0.0.1:2222", remote, key); err != nil {
		t.Fatalf("strict refused a key accept-new recorded: %v", err)
	}
	if got := strict2.algorithms("127.0.0.1:2222"); len(got) != 1 || got[0] != ssh.KeyAlgoED25519 {
		t.Errorf("algorithms for a known ed25519 host = %v", got)
	}
	// A changed key is refused by both strict and accept-new, loudly.
	for _, h := range []*HostKeys{strict2, acceptNew} {
		err := h.callback()("127.0.0.1:2222", remote, other)
		if !errors.As(err, &hk) || !hk.Changed || !strings.Contains(err.Error(), "HAS CHANGED") || !strings.Contains(err.Error(), "ssh-keygen -R") {
			t.Errorf("%s: changed key: %v", h.Policy, err)
		}
	}
	// Off lets anything in, but a changed key never silently, and no
	// password goes to that host.
	off, _ := NewHostKeys(file, Off)
	var warned []string
	off.Warn = func(host, msg string) { warned = append(warned, host+": "+msg) }
	if err := off.callback()("127.0.0.1:2222", remote, other); err != nil {
		t.Errorf("off refused: %v", err)
	}
	if err := off.callback()("127.0.0.1:2299", remote, other); err != nil {
		t.Errorf("off refused a new host: %v", err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "ACCEPTED A CHANGED HOST KEY (host key checking is off") || !off.keyChanged("127.0.0.1:2222") {
		t.Errorf("off: warnings %q", warned)
	}
	if data, _ := os.ReadFile(file); strings.Contains(string(data), "2299") {
		t.Error("off recorded a new host")
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("known_hosts mode: %v %v", st, err)
	}
}

func TestAcceptNewFromManyConnectionsAndProcesses(t *testing.T) {
	file := filepath.Join(t.TempDir(), "known_hosts")
	// Two checkers stand for two tend processes sharing the file.
	a, _ := NewHostKeys(file, AcceptNew)
	b, _ := NewHostKeys(file, AcceptNew)
	keys := make([]ssh.PublicKey, 40)
	for i := range keys {
		keys[i] = newHostKey(t)
	}
	var wg sync.WaitGroup
	for i, k := range keys {
		for _, h := range []*HostKeys{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := h.callback()(fmt.Sprintf("10.0.0.%d:22", i), remote, k); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	data, _ := os.ReadFile(file)
	if lines := strings.Count(string(data), "\n"); lines != len(keys) {
		t.Errorf("known_hosts has %d lines for %d hosts:\n%s", lines, len(keys), data)
	}
}

func TestHashedAndMultiTypeEntries(t *testing.T) {
	ed := newHostKey(t)
	file := filepath.Join(t.TempDir(), "known_hosts")
	rsaLike := newHostKey(t) // a second entry for the same host, other line
	// A hashed entry, as ssh-keygen -H writes, for host "db.example.org".
	line := xknownhosts.Line([]string{xknownhosts.HashHostname("db.example.org")}, ed)
	other := xknownhosts.Line([]string{"other.example.org"}, rsaLike)
	os.WriteFile(file, []byte(other+"\n"+line+"\n"), 0o600)
	h, err := NewHostKeys(file, Strict)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.callback()("db.example.org:22", remote, ed); err != nil {
		t.Errorf("hashed entry not matched: %v", err)
	}
}

// accept-any (StrictHostKeyChecking=no, host_key_checking=False) records
// new keys, lets a changed key through with a loud warning, leaves
// known_hosts alone and remembers the host so no password is sent to it.
func TestAcceptAny(t *testing.T) {
	key, other := newHostKey(t), newHostKey(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "known_hosts")
	var warned []string
	h, _ := NewHostKeys(file, AcceptAny)
	h.Warn = func(host, msg string) { warned = append(warned, host+": "+msg) }
	if err := h.callback()("127.0.0.1:2222", remote, key); err != nil || len(warned) != 0 {
		t.Fatalf("new host: %v %q", err, warned)
	}
	before, _ := os.ReadFile(file)
	if !strings.Contains(string(before), "[127.0.0.1]:2222") || h.keyChanged("127.0.0.1:2222") {
		t.Fatalf("new key not recorded: %s", before)
	}
	if err := h.callback()("127.0.0.1:2222", remote, other); err != nil {
		t.Fatalf("changed key refused: %v", err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "ACCEPTED A CHANGED HOST KEY") || !strings.Contains(warned[0], ssh.FingerprintSHA256(other)) {
		t.Errorf("warning: %q", warned)
	}
	after, _ := os.ReadFile(file)
	if string(after) != string(before) || !h.keyChanged("127.0.0.1:2222") {
		t.Errorf("known_hosts changed or host not remembered:\n%s", after)
	}
}

// UserKnownHostsFile=/dev/null: nothing is known, and nothing is written.
func TestDevNullKnownHosts(t *testing.T) {
	key := newHostKey(t)
	strict, err := NewHostKeys(os.DevNull, Strict)
	if err != nil {
		t.Fatal(err)
	}
	if err := strict.callback()("h:22", remote, key); err == nil {
		t.Error("strict accepted a host with /dev/null as known_hosts")
	}
	for _, p := range []HostKeyPolicy{AcceptNew, AcceptAny} {
		h, _ := NewHostKeys(os.DevNull, p)
		if err := h.callback()("h:22", remote, key); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	// Keys in Also files are known, but never written to.
	global := filepath.Join(t.TempDir(), "ssh_known_hosts")
	os.WriteFile(global, []byte(xknownhosts.Line([]string{"g.example"}, key)+"\n"), 0o644)
	h, _ := NewHostKeys(os.DevNull, Strict, global)
	if err := h.callback()("g.example:22", remote, key); err != nil {
		t.Errorf("global file not read: %v", err)
	}
}
