package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tend/integration/fleet"
	"tend/modules/shell"
	"tend/transport"
)

// dial connects to a fleet host with the transport package directly.
func dial(t *testing.T, f *fleet.Fleet, h *fleet.Host, mod func(*transport.SSHOptions)) (*transport.SSH, error) {
	t.Helper()
	hk, err := transport.NewHostKeys(f.KnownHosts, transport.Strict)
	if err != nil {
		t.Fatal(err)
	}
	o := transport.SSHOptions{Host: h.Addr, Port: h.Port, User: "root", KeyFiles: []string{f.ClientKey}, HostKeys: hk, Timeout: 10 * time.Second}
	if mod != nil {
		mod(&o)
	}
	c, err := transport.DialSSH(context.Background(), o)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

func TestSSHPersistentShellAndFiles(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	f := startFleet(t, 1)
	h := f.Hosts[0]
	c, err := dial(t, f, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// One channel for the shell, then one round trip per command.
	if rt := c.Stats().RoundTrips; rt != 1 {
		t.Errorf("connecting cost %d round trips, want 1", rt)
	}
	for i := 0; i < 20; i++ {
		var out bytes.Buffer
		res, err := c.Run(ctx, transport.Cmd{Script: fmt.Sprintf("echo %d; exit %d", i, i%3), Stdout: &out})
		if err != nil || res.ExitCode != i%3 || out.String() != fmt.Sprintf("%d\n", i) {
			t.Fatalf("command %d: %q %d %v", i, out.String(), res.ExitCode, err)
		}
	}
	if rt := c.Stats().RoundTrips; rt != 21 {
		t.Errorf("20 commands cost %d round trips, want 21 in all", rt)
	}

	// Uploads land atomically with their mode; odd names are data.
	payload := make([]byte, 3<<20)
	rand.Read(payload)
	for _, p := range []string{"/etc/tend test/it's $x", "/root/-rf", "/tmp/a\nb"} {
		if _, err := c.Run(ctx, transport.Cmd{Script: "mkdir -p '/etc/tend test'"}); err != nil {
			t.Fatal(err)
		}
		if err := c.Upload(ctx, bytes.NewReader(payload), p, 0o640); err != nil {
			t.Fatalf("upload %q: %v", p, err)
		}
		got, err := h.ReadFile(p)
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("%q on the host: %d bytes, %v", p, len(got), err)
		}
		var back bytes.Buffer
		if err := c.Download(ctx, p, &back); err != nil || !bytes.Equal(back.Bytes(), payload) {
			t.Errorf("download %q: %d bytes, %v", p, back.Len(), err)
		}
	}
	st, err := os.Stat(h.Path("/root/-rf"))
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("mode: %v %v", st, err)
	}
	if _, err := os.Stat("/root/-rf"); err == nil {
		t.Errorf("the upload reached the real machine")
	}

	// A command with stdin runs on its own channel.
	var out bytes.Buffer
	res, err := c.Run(ctx, transport.Cmd{Script: "wc -c", Stdin: bytes.NewReader(payload), Stdout: &out})
	if err != nil || res.ExitCode != 0 || strings.TrimSpace(out.String()) != fmt.Sprint(len(payload)) {
		t.Errorf("stdin: %q %v", out.String(), err)
	}
	// Cancelling a command ends it promptly.
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := c.Run(cctx, transport.Cmd{Script: "sleep 60"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled command: %v", err)
	}
}

func TestSSHPassphraseKeyAgentAndPassword(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	f := startFleet(t, 1, func(o *fleet.Options) {
		o.ExtraSSHDConfig = "PasswordAuthentication yes\nKbdInteractiveAuthentication yes\n"
	})
	h := f.Hosts[0]
	dir := t.TempDir()

	// A passphrase-protected key, authorised on the host.
	key := filepath.Join(dir, "locked")
	run(t, "ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret", "-f", key)
	c, err := dial(t, f, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := os.ReadFile(key + ".pub")
	if _, err := c.Run(context.Background(), transport.Cmd{Script: "echo root:pw-for-test | chpasswd"}); err != nil {
		t.Fatal(err)
	}
	// The fleet's sshd reads the client key from AuthorizedKeysFile; add the
	// new key there inside this host only.
	authorise(t, c, f, string(pub))

	asked := 0
	keys := &transport.Keys{Passphrase: func(string) ([]byte, error) { asked++; return []byte("s3cret"), nil }}
	for i := 0; i < 3; i++ {
		if _, err := dial(t, f, h, func(o *transport.SSHOptions) { o.KeyFiles = []string{key}; o.Keys = keys }); err != nil {
			t.Fatalf("passphrase key: %v", err)
		}
	}
	if asked != 1 {
		t.Errorf("passphrase asked %d times for 3 connections", asked)
	}
	_, err = dial(t, f, h, func(o *transport.SSHOptions) { o.KeyFiles = []string{key} })
	if err == nil || !strings.Contains(err.Error(), "passphrase") {
		t.Errorf("locked key without a way to ask: %v", err)
	}

	// ssh-agent: no key file at all.
	sock := filepath.Join(dir, "agent.sock")
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
	waitFor(t, func() bool { _, err := os.Stat(sock); return err == nil })
	addKey := exec.Command("ssh-add", f.ClientKey)
	addKey.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := addKey.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v %s", err, out)
	}
	t.Setenv("SSH_AUTH_SOCK", sock)
	if _, err := dial(t, f, h, func(o *transport.SSHOptions) { o.KeyFiles = nil }); err != nil {
		t.Errorf("agent: %v", err)
	}
	t.Setenv("SSH_AUTH_SOCK", "")

	// Password.
	if _, err := dial(t, f, h, func(o *transport.SSHOptions) { o.KeyFiles = nil; o.Password = "pw-for-test" }); err != nil {
		t.Errorf("password: %v", err)
	}
	_, err = dial(t, f, h, func(o *transport.SSHOptions) { o.KeyFiles = nil; o.Password = "wrong" })
	var ae *transport.AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "password") {
		t.Errorf("wrong password: %v", err)
	}
	if strings.Contains(fmt.Sprint(err), "wrong") {
		t.Errorf("the error shows the password: %v", err)
	}
}

// authorise adds a public key to the host's authorized keys: the fleet's
// sshd reads them from the client key's .pub file, which each host sees
// through its own overlay, so the change stays on this host.
func authorise(t *testing.T, c *transport.SSH, f *fleet.Fleet, pub string) {
	t.Helper()
	if err := c.Upload(context.Background(), strings.NewReader(pub), "/root/new.pub", 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), transport.Cmd{Script: "cat /root/new.pub >> " + shell.Quote(f.ClientKey+".pub")}); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", name, err, out)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBecomeWithSudo(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	f := startFleet(t, 1)
	h := f.Hosts[0]
	root, err := dial(t, f, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	// alice may sudo with her password; the fleet's sshd takes the client key
	// for every user.
	setup := `useradd -m -s /bin/sh alice && echo 'alice:alice-pw' | chpasswd &&
echo 'alice ALL=(ALL) ALL' > /etc/sudoers.d/alice && chmod 0440 /etc/sudoers.d/alice
` +
		// sshd reads the authorized keys as the user: let alice reach them
		// (in this host's overlay only).
		"k=" + shell.Quote(f.ClientKey+".pub") + `; chmod o+r "$k"; d=$(dirname "$k")
while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done`
	var errOut bytes.Buffer
	if res, err := root.Run(context.Background(), transport.Cmd{Script: setup, Stderr: &errOut}); err != nil || res.ExitCode != 0 {
		t.Fatalf("setup: %v %s", err, errOut.String())
	}
	ctx := context.Background()
	asAlice := func(password string) *transport.SSH {
		c, err := dial(t, f, h, func(o *transport.SSHOptions) { o.User = "alice"; o.BecomePassword = password })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	whoami := func(c *transport.SSH, user string) (string, error) {
		var out bytes.Buffer
		_, err := c.Run(ctx, transport.Cmd{Script: "id -un", User: user, Stdout: &out})
		return strings.TrimSpace(out.String()), err
	}

	if _, err := whoami(asAlice(""), "root"); !errors.Is(err, transport.ErrBecomePassword) {
		t.Errorf("no password: %v", err)
	}
	_, err = whoami(asAlice("wrong"), "root")
	if err == nil || !strings.Contains(err.Error(), "refused the become password") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v", err)
	}
	c := asAlice("alice-pw")
	if who, err := whoami(c, ""); err != nil || who != "alice" {
		t.Errorf("login user: %q %v", who, err)
	}
	before := c.Stats().RoundTrips
	for i := 0; i < 3; i++ {
		if who, err := whoami(c, "root"); err != nil || who != "root" {
			t.Fatalf("become root: %q %v", who, err)
		}
	}
	// One sudo shell (start and password) for three commands.
	if got := c.Stats().RoundTrips - before; got != 5 {
		t.Errorf("three commands as root cost %d round trips, want 5", got)
	}
	// The password is on no command line in the host.
	var ps bytes.Buffer
	if _, err := c.Run(ctx, transport.Cmd{Script: "cat /proc/[0-9]*/cmdline | tr '\\0' ' '", User: "root", Stdout: &ps}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ps.String(), "alice-pw") {
		t.Errorf("the become password shows in a process's argv")
	}
	// Files written as root through the sudo shell belong to root.
	if _, err := c.Run(ctx, transport.Cmd{Script: "echo x > /etc/written-by-become", User: "root"}); err != nil {
		t.Fatal(err)
	}
	if st, err := h.Stat("/etc/written-by-become"); err != nil || st.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Errorf("file written as root: %v %v", st, err)
	}
}

// A host that stops answering (its processes frozen, its TCP still up) must
// not hang a command: keepalives notice and close the connection.
func TestKeepaliveEndsAStuckConnection(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	f := startFleet(t, 1)
	h := f.Hosts[0]
	c, err := dial(t, f, h, func(o *transport.SSHOptions) { o.KeepAlive = 200 * time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Pause(); err != nil {
		t.Fatal(err)
	}
	defer h.Resume()
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(context.Background(), transport.Cmd{Script: "true"})
		done <- err
	}()
	select {
	case err := <-done:
		var lost *transport.LostError
		if !errors.As(err, &lost) || !strings.Contains(err.Error(), "no answer to keepalives for 600ms") {
			t.Errorf("a command on a frozen host: %v, want a lost connection", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a command on a frozen host hung: keepalives did not close the connection")
	}
}
