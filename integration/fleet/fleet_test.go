package fleet

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// helperEnv makes the test binary act as a process that starts a fleet and
// then gets killed: see TestParentDeath.
const helperEnv = "TEND_FLEET_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "parent-death" {
		os.Exit(parentDeathHelper())
	}
	os.Exit(m.Run())
}

func requireSSHClient(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Fatalf("the ssh client is missing: apt-get install openssh-client (%v)", err)
	}
}

// ssh runs command on h with the system ssh client, through the fleet's
// ClientKey and KnownHosts only.
func ssh(h *Host, command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ssh", append(h.SSHArgs(), command)...).CombinedOutput()
	return string(out), err
}

func mustSSH(t *testing.T, h *Host, command string) string {
	t.Helper()
	out, err := ssh(h, command)
	if err != nil {
		t.Fatalf("ssh %s %q: %v\n%s", h.Name, command, err, out)
	}
	return out
}

// testDir returns a new directory on the root mount, so the hosts see what
// the test puts in it.
func testDir(t *testing.T) string {
	t.Helper()
	base, err := defaultBase()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(base, "tend-fleet-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func randomName(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// pinAll pins every running host's mount namespace for the test itself, so
// the test can look for leftovers after Stop released the fleet's own pins.
func pinAll(t *testing.T, f *Fleet) map[nsID]bool {
	t.Helper()
	set := map[nsID]bool{}
	for _, h := range f.Hosts {
		ns, id, err := pinNS(h.Pid())
		if err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		t.Cleanup(func() { ns.Close() })
		set[id] = true
	}
	return set
}

// await polls cond until it holds or timeout passes.
func await(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hasComm reports whether one of the processes found is named comm.
func hasComm(found map[nsID][]int, comm string) bool {
	for _, pids := range found {
		for _, pid := range pids {
			if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); string(b) == comm+"\n" {
				return true
			}
		}
	}
	return false
}

// processesMentioning lists live processes whose command line contains s.
func processesMentioning(s string) []string {
	var found []string
	names, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err == nil && strings.Contains(string(b), s) {
			found = append(found, filepath.Base(filepath.Dir(name))+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return found
}

func TestFleet(t *testing.T) {
	Require(t)
	requireSSHClient(t)
	dir := testDir(t)
	// Real files that a host will delete. The test made them, so deleting
	// them is harmless, and the real ones must survive it anyway.
	victim := filepath.Join(dir, "victim.txt")
	tree := filepath.Join(dir, "tree")
	if err := os.WriteFile(victim, []byte("real\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(tree, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tree, "old"), []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	f := StartT(t, Options{Hosts: 3, Dir: dir})
	if len(f.Hosts) != 3 {
		t.Fatalf("%d hosts, want 3", len(f.Hosts))
	}
	h1, h2, h3 := f.Hosts[0], f.Hosts[1], f.Hosts[2]
	inv, err := os.ReadFile(f.Inventory)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range f.Hosts {
		want := fmt.Sprintf("%s ansible_host=127.0.0.1 ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s\n", h.Name, h.Port, f.ClientKey)
		if !strings.Contains(string(inv), want) {
			t.Errorf("inventory lacks %q:\n%s", want, inv)
		}
		// Each host is its own machine, reached through KnownHosts.
		if got := strings.TrimSpace(mustSSH(t, h, "hostname")); got != h.Name {
			t.Errorf("hostname on %s = %q", h.Name, got)
		}
	}
	if !strings.HasPrefix(string(inv), "# Written by") || !strings.Contains(string(inv), "\n[fleet]\nhost01 ") {
		t.Errorf("inventory:\n%s", inv)
	}
	if out, err := exec.Command("ssh", "-F", f.SSHConfig, "host02", "hostname").CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "host02" {
		t.Errorf("ssh -F %s host02 hostname: %v %q", f.SSHConfig, err, out)
	}

	t.Run("write", func(t *testing.T) {
		name := "/etc/tend-fleet-" + randomName(t)
		mustSSH(t, h1, "echo hello >"+name)
		if b, err := os.ReadFile(filepath.Join(h1.Upper, name)); err != nil || string(b) != "hello\n" {
			t.Errorf("upper dir of host01: %q, %v", b, err)
		}
		if !h1.Exists(name) {
			t.Errorf("host01: Exists(%s) = false", name)
		}
		if b, err := h1.ReadFile(name); err != nil || string(b) != "hello\n" {
			t.Errorf("host01: ReadFile(%s) = %q, %v", name, b, err)
		}
		if got, want := h1.Path(name), filepath.Join(h1.Upper, name); got != want {
			t.Errorf("host01: Path = %s, want %s", got, want)
		}
		if h2.Exists(name) {
			t.Errorf("host02 sees host01's %s", name)
		}
		if _, err := h2.ReadFile(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("host02: ReadFile(%s): %v, want not exist", name, err)
		}
		if out := mustSSH(t, h2, "test -e "+name+" && echo present || echo absent"); out != "absent\n" {
			t.Errorf("inside host02: %q", out)
		}
		if _, err := os.Lstat(name); !os.IsNotExist(err) {
			t.Errorf("the real machine has %s: %v", name, err)
		}
		// An untouched file is read from the real tree.
		if got := h1.Path("/etc/passwd"); got != "/etc/passwd" {
			t.Errorf("Path(/etc/passwd) = %s", got)
		}
	})

	t.Run("delete", func(t *testing.T) {
		mustSSH(t, h1, "rm "+victim)
		if h1.Exists(victim) {
			t.Errorf("host01 still has %s", victim)
		}
		if fi, err := os.Lstat(filepath.Join(h1.Upper, victim)); err != nil || !isWhiteout(fi) {
			t.Errorf("no whiteout for %s in host01's upper dir: %v", victim, err)
		}
		if _, err := h1.Stat(victim); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("host01: Stat: %v, want not exist", err)
		}
		if b, err := os.ReadFile(victim); err != nil || string(b) != "real\n" {
			t.Errorf("real %s: %q, %v", victim, b, err)
		}
		if !h2.Exists(victim) || h2.Path(victim) != victim {
			t.Errorf("host02: Exists = %v, Path = %s", h2.Exists(victim), h2.Path(victim))
		}

		// A directory deleted and made again is opaque: nothing of the
		// real one shows through.
		mustSSH(t, h1, "rm -r "+tree+" && mkdir "+tree+" && echo new >"+tree+"/new")
		if h1.Exists(tree + "/old") {
			t.Errorf("host01 still has %s/old", tree)
		}
		if names, err := h1.ReadDir(tree); err != nil || !reflect.DeepEqual(names, []string{"new"}) {
			t.Errorf("host01: ReadDir(%s) = %q, %v", tree, names, err)
		}
		if names, err := h2.ReadDir(tree); err != nil || !reflect.DeepEqual(names, []string{"old"}) {
			t.Errorf("host02: ReadDir(%s) = %q, %v", tree, names, err)
		}
		if b, err := h1.ReadFile(tree + "/new"); err != nil || string(b) != "new\n" {
			t.Errorf("host01: ReadFile(new) = %q, %v", b, err)
		}
		if _, err := os.Stat(filepath.Join(tree, "old")); err != nil {
			t.Errorf("real %s/old: %v", tree, err)
		}
		// Merged listing: what the host sees.
		want := strings.Fields(mustSSH(t, h1, "LC_ALL=C ls -A /etc"))
		if got, err := h1.ReadDir("/etc"); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ReadDir(/etc) = %q, %v; ls -A in host01: %q", got, err, want)
		}
	})

	t.Run("symlinks", func(t *testing.T) {
		target := "/etc/tend-fleet-" + randomName(t)
		link := "/root/tend-fleet-link-" + randomName(t)
		mustSSH(t, h1, "echo via-link >"+target+" && ln -s "+target+" "+link)
		if b, err := h1.ReadFile(link); err != nil || string(b) != "via-link\n" {
			t.Errorf("ReadFile through a host's link: %q, %v", b, err)
		}
		if got, err := h1.Readlink(link); err != nil || got != target {
			t.Errorf("Readlink = %q, %v", got, err)
		}
		if fi, err := h1.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("Lstat = %v, %v", fi, err)
		}
		real, err := filepath.EvalSymlinks("/bin/sh")
		if err != nil {
			t.Fatal(err)
		}
		if got := h2.Path("/bin/sh"); got != real {
			t.Errorf("Path(/bin/sh) = %s, want %s", got, real)
		}
	})

	t.Run("stop-start", func(t *testing.T) {
		mustSSH(t, h2, "echo kept >/root/tend-fleet-kept")
		port := h2.Port
		if err := h2.Stop(); err != nil {
			t.Fatal(err)
		}
		if err := h2.Stop(); err != nil {
			t.Fatalf("second Stop: %v", err)
		}
		if h2.Running() || h2.Pid() != 0 {
			t.Fatal("host02 still running after Stop")
		}
		if out, err := ssh(h2, "true"); err == nil || !strings.Contains(out, "Connection refused") {
			t.Errorf("ssh to a stopped host: %v %q, want connection refused", err, out)
		}
		if err := h2.Start(); err != nil {
			t.Fatal(err)
		}
		if h2.Port != port {
			t.Errorf("port changed from %d to %d", port, h2.Port)
		}
		if out := mustSSH(t, h2, "cat /root/tend-fleet-kept"); out != "kept\n" {
			t.Errorf("after restart: %q", out)
		}
	})

	t.Run("pause", func(t *testing.T) {
		if err := h3.Pause(); err != nil {
			t.Fatal(err)
		}
		// TCP still connects, but no banner comes.
		err := probeSSH(fmt.Sprintf("127.0.0.1:%d", h3.Port), time.Now().Add(300*time.Millisecond))
		if err == nil {
			t.Error("a paused host answered")
		}
		if err := h3.Resume(); err != nil {
			t.Fatal(err)
		}
		mustSSH(t, h3, "true")
	})

	t.Run("rotate-host-key", func(t *testing.T) {
		old := h3.HostKeyPub
		if err := h3.RotateHostKey(); err != nil {
			t.Fatal(err)
		}
		if h3.HostKeyPub == old || !strings.HasPrefix(h3.HostKeyPub, "ssh-ed25519 ") {
			t.Fatalf("host key %q after rotation (was %q)", h3.HostKeyPub, old)
		}
		out, err := ssh(h3, "true")
		if err == nil || !strings.Contains(out, "REMOTE HOST IDENTIFICATION HAS CHANGED") {
			t.Errorf("ssh with the old known_hosts: %v %q, want a changed-key error", err, out)
		}
		if err := f.WriteKnownHosts(); err != nil {
			t.Fatal(err)
		}
		mustSSH(t, h3, "true")
	})

	t.Run("teardown", func(t *testing.T) {
		pins := pinAll(t, f)
		// A session that would outlive its sshd if nothing killed it.
		session := exec.Command("ssh", append(h1.SSHArgs(), "exec sleep 600")...)
		if err := session.Start(); err != nil {
			t.Fatal(err)
		}
		sessionDone := make(chan error, 1)
		go func() { sessionDone <- session.Wait() }()
		await(t, time.Minute, "the session's sleep on host01", func() bool { return hasComm(procsIn(pins), "sleep") })
		if n := len(procsIn(pins)); n < 3 {
			t.Fatalf("only %d namespaces with processes before Stop", n)
		}

		if err := f.Stop(); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if left := procsIn(pins); len(left) > 0 {
			t.Errorf("processes left in the fleet's namespaces: %s", describe(left))
		}
		if left := processesMentioning(f.Dir); len(left) > 0 {
			t.Errorf("processes left that mention %s:\n%s", f.Dir, strings.Join(left, "\n"))
		}
		select {
		case <-sessionDone: // the client saw its connection close
		case <-time.After(30 * time.Second):
			session.Process.Kill()
			t.Error("the ssh session did not end with the fleet")
		}
		if err := f.Stop(); err != nil {
			t.Errorf("second Stop: %v", err)
		}
		// The fleet removed what it made in the caller's Dir, nothing more.
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if !reflect.DeepEqual(names, []string{"tree", "victim.txt"}) {
			t.Errorf("left in Dir after Stop: %q", names)
		}
		if err := h1.Start(); err == nil {
			t.Error("Host.Start after Fleet.Stop succeeded")
		}
	})
}

func TestHostKeyTypes(t *testing.T) {
	Require(t)
	requireSSHClient(t)
	for _, typ := range []string{"ed25519", "ecdsa", "rsa"} {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			// VERBOSE replaces the harness's LogLevel ERROR, so sshd logs
			// that it listens.
			f := StartT(t, Options{Hosts: 1, HostKeyType: typ, ExtraSSHDConfig: "LogLevel VERBOSE"})
			h := f.Hosts[0]
			if !strings.HasPrefix(h.HostKeyPub, keyType(typ)+" ") {
				t.Errorf("HostKeyPub = %q", h.HostKeyPub)
			}
			mustSSH(t, h, "true")
			// OpenSSH derives the same public keys from the private key files.
			for key, want := range map[string]string{h.key: h.HostKeyPub, f.ClientKey: ""} {
				out, err := exec.Command("ssh-keygen", "-y", "-f", key).CombinedOutput()
				if err != nil {
					t.Fatalf("ssh-keygen -y -f %s: %v %s", key, err, out)
				}
				if want == "" {
					pub, _ := os.ReadFile(key + ".pub")
					want = strings.Join(strings.Fields(string(pub))[:2], " ")
				}
				if got := strings.Join(strings.Fields(string(out))[:2], " "); got != want {
					t.Errorf("%s: ssh-keygen -y = %q, want %q", key, got, want)
				}
			}
			log, _ := os.ReadFile(h.Log)
			if !strings.Contains(string(log), fmt.Sprintf("Server listening on 127.0.0.1 port %d", h.Port)) {
				t.Errorf("ExtraSSHDConfig did not take effect; sshd log:\n%s", log)
			}
		})
	}
}

// TestParentDeath checks that no host outlives the process that started it
// when that process is killed outright (as go test -timeout or kill -9 do),
// sessions included: the parent-death signal must survive sh's exec of
// chroot and chroot's exec of sshd.
func TestParentDeath(t *testing.T) {
	Require(t)
	requireSSHClient(t)
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"=parent-death")
	stdin, err := helper.StdinPipe() // never written: the helper waits on it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	helper.Stderr = &stderr
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(2 * time.Minute):
		helper.Process.Kill()
		helper.Wait()
		t.Fatalf("helper did not start its fleet:\n%s", stderr.String())
	}
	// READY dir sshpid pid1 pid2
	f := strings.Fields(line)
	if len(f) != 5 || f[0] != "READY" {
		helper.Process.Kill()
		helper.Wait()
		t.Fatalf("helper said %q:\n%s", line, stderr.String())
	}
	t.Cleanup(func() { os.RemoveAll(f[1]) }) // the killed helper cannot
	set := map[nsID]bool{}
	for _, s := range f[3:] {
		pid, _ := strconv.Atoi(s)
		ns, id, err := pinNS(pid)
		if err != nil {
			helper.Process.Kill()
			helper.Wait()
			t.Fatal(err)
		}
		defer ns.Close()
		set[id] = true
	}
	// Should this test fail, do not leave the helper's hosts behind.
	t.Cleanup(func() { _ = killNamespaces(set, stopTimeout) })
	if n := len(procsIn(set)); n != 2 {
		t.Fatalf("%d of 2 helper hosts have processes", n)
	}

	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	helper.Wait()
	// The kernel kills the sshds when the helper dies and each takes its
	// PID namespace with it; wait for that, without ever signalling them.
	deadline := time.Now().Add(30 * time.Second)
	for len(procsIn(set)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("hosts outlived the process that started them: %s", describe(procsIn(set)))
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The orphaned ssh client saw its connection close and ended (it is
	// at most a zombie now, waiting for init).
	sshPid, _ := strconv.Atoi(f[2])
	await(t, 30*time.Second, "the helper's ssh client to end", func() bool {
		state := procState(sshPid)
		return state == 0 || state == 'Z'
	})
}

// parentDeathHelper starts a fleet of two hosts with a session on the first,
// reports them on stdout and waits to be killed.
func parentDeathHelper() int {
	f, err := Start(context.Background(), Options{Hosts: 2})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fail := func(err error) int { // not killed after all: clean up
		fmt.Fprintln(os.Stderr, err)
		f.Stop()
		return 1
	}
	h := f.Hosts[0]
	ssh := exec.Command("ssh", append(h.SSHArgs(), "exec sleep 600")...)
	if err := ssh.Start(); err != nil {
		return fail(err)
	}
	ns, id, err := pinNS(h.Pid())
	if err != nil {
		return fail(err)
	}
	defer ns.Close()
	// Generous: on a loaded machine one ssh login can take seconds.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if hasComm(procsIn(map[nsID]bool{id: true}), "sleep") {
			break
		}
		if time.Now().After(deadline) {
			ssh.Process.Kill()
			return fail(errors.New("the session did not start"))
		}
	}
	fmt.Printf("READY %s %d %d %d\n", f.Dir, ssh.Process.Pid, f.Hosts[0].Pid(), f.Hosts[1].Pid())
	_, _ = io.Copy(io.Discard, os.Stdin) // until killed
	return 0
}

// TestPathRules checks the overlay rules of Path and friends on layers made
// by hand, with a lower layer that is not the real root.
func TestPathRules(t *testing.T) {
	Require(t) // whiteouts and trusted.* xattrs need root
	dir := t.TempDir()
	low, up := filepath.Join(dir, "lower"), filepath.Join(dir, "upper")
	h := &Host{Name: "rules", Upper: up, lower: low}
	mk := func(p, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ln := func(target, p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	mk(low+"/etc/passwd", "lower passwd")
	mk(low+"/etc/hosts", "lower hosts")
	mk(low+"/usr/bin/sh", "lower sh")
	mk(low+"/dir/a", "a")
	mk(low+"/dir/b", "b")
	ln("usr/bin", low+"/bin")         // relative
	ln("/etc", low+"/abs")            // absolute: the host's /etc, not the machine's
	ln("../etc/hosts", low+"/dir/up") // relative with ..
	mk(up+"/etc/new", "upper new")
	mk(up+"/etc/hosts", "upper hosts")
	if err := syscall.Mknod(up+"/etc/passwd", syscall.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	mk(up+"/dir/c", "c")
	if err := syscall.Setxattr(up+"/dir", "trusted.overlay.opaque", []byte("y"), 0); err != nil {
		t.Fatal(err)
	}
	ln("loop", up+"/loop")

	for _, c := range []struct {
		path string
		want string // content; "" means does not exist
		real string // Path
	}{
		{"/etc/passwd", "", up + "/etc/passwd"},
		{"/etc/hosts", "upper hosts", up + "/etc/hosts"},
		{"/etc/new", "upper new", up + "/etc/new"},
		{"/bin/sh", "lower sh", low + "/usr/bin/sh"},
		{"/abs/hosts", "upper hosts", up + "/etc/hosts"},
		{"/abs/../usr/bin/sh", "lower sh", low + "/usr/bin/sh"},
		{"/dir/a", "", up + "/dir/a"}, // hidden by the opaque dir
		{"/dir/c", "c", up + "/dir/c"},
		{"/dir/up", "", up + "/dir/up"}, // the link is in the hidden lower dir
		{"/etc/../etc/./new", "upper new", up + "/etc/new"},
		{"/nope/x", "", up + "/nope/x"},
		{"/loop", "", up + "/loop"},
	} {
		b, err := h.ReadFile(c.path)
		if c.want == "" {
			if err == nil || h.Exists(c.path) {
				t.Errorf("%s exists (%q), want not", c.path, b)
			}
		} else if err != nil || string(b) != c.want || !h.Exists(c.path) {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", c.path, b, err, c.want)
		}
		if got := h.Path(c.path); got != c.real {
			t.Errorf("Path(%s) = %s, want %s", c.path, got, c.real)
		}
	}
	if _, err := h.Stat("/loop"); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("Stat(/loop): %v, want ELOOP", err)
	}
	if _, err := h.Stat("/etc/new/x"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("Stat(/etc/new/x): %v, want ENOTDIR", err)
	}
	if names, err := h.ReadDir("/etc"); err != nil || !reflect.DeepEqual(names, []string{"hosts", "new"}) {
		t.Errorf("ReadDir(/etc) = %q, %v", names, err)
	}
	if names, err := h.ReadDir("/dir"); err != nil || !reflect.DeepEqual(names, []string{"c"}) {
		t.Errorf("ReadDir(/dir) = %q, %v", names, err)
	}
	if names, err := h.ReadDir("/"); err != nil || !reflect.DeepEqual(names, []string{"abs", "bin", "dir", "etc", "loop", "usr"}) {
		t.Errorf("ReadDir(/) = %q, %v", names, err)
	}
	if fi, err := h.Lstat("/bin"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(/bin) = %v, %v", fi, err)
	}
	if target, err := h.Readlink("/abs"); err != nil || target != "/etc" {
		t.Errorf("Readlink(/abs) = %q, %v", target, err)
	}
}

func TestSSHDConfig(t *testing.T) {
	f := &Fleet{ClientKey: "/d/client", opts: Options{ExtraSSHDConfig: "loglevel=DEBUG3\n  Subsystem sftp /usr/lib/openssh/sftp-server\nMatch User nobody\n  PermitRootLogin no\n"}}
	h := &Host{Name: "host01", Addr: "127.0.0.1", Port: 2222, key: "/d/hostkey", fleet: f}
	cfg := h.sshdConfig()
	for _, want := range []string{"Port 2222\n", "HostKey /d/hostkey\n", "AuthorizedKeysFile /d/client.pub\n", "PermitRootLogin yes\n", "MaxStartups 1000:30:2000\n", "AllowTcpForwarding yes\n", "loglevel=DEBUG3\n"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("sshd_config lacks %q:\n%s", want, cfg)
		}
	}
	for _, unwanted := range []string{"LogLevel ERROR", "internal-sftp", "\nAcceptEnv "} {
		if strings.Contains(cfg, unwanted) {
			t.Errorf("sshd_config has %q:\n%s", unwanted, cfg)
		}
	}
}

// TestScale times a larger fleet: TEND_FLEET_SCALE=50 go test -run Scale -v.
func TestScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TEND_FLEET_SCALE"))
	if n == 0 {
		t.Skip("set TEND_FLEET_SCALE=N to time an N-host fleet")
	}
	Require(t)
	requireSSHClient(t)
	t0 := time.Now()
	f := StartT(t, Options{Hosts: n})
	t.Logf("%d hosts up in %v", n, time.Since(t0))
	t1 := time.Now()
	var failed atomic.Int32
	_ = parallel(f.Hosts, 16, func(h *Host) error {
		if out, err := ssh(h, "hostname"); err != nil || strings.TrimSpace(out) != h.Name {
			failed.Add(1)
			t.Errorf("%s: %v %q", h.Name, err, out)
		}
		return nil
	})
	t.Logf("ssh to each of %d hosts (16 at a time) in %v", n, time.Since(t1))
	t2 := time.Now()
	if err := f.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d hosts stopped in %v", n, time.Since(t2))
}

// TestStartFailure checks that a host that cannot start fails Start at once
// with sshd's own complaint, and leaves nothing behind.
func TestStartFailure(t *testing.T) {
	Require(t)
	dir := filepath.Join(testDir(t), "fleet") // made, so removed, by Start
	f, err := Start(context.Background(), Options{Hosts: 3, Dir: dir, ExtraSSHDConfig: "NoSuchKeyword yes"})
	if err == nil {
		f.Stop()
		t.Fatal("Start succeeded with a broken sshd_config")
	}
	// "exited", not a timeout: Start noticed at once.
	if !strings.Contains(err.Error(), "NoSuchKeyword") || !strings.Contains(err.Error(), "sshd exited") {
		t.Errorf("error does not show sshd's complaint: %v", err)
	}
	if left := processesMentioning(dir); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s left behind: %v", dir, err)
	}
	t.Log(err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if f, err := Start(ctx, Options{Hosts: 2}); !errors.Is(err, context.Canceled) {
		if f != nil {
			f.Stop()
		}
		t.Errorf("Start with a cancelled context: %v", err)
	}
	if _, err := Start(context.Background(), Options{Hosts: 1, HostKeyType: "dsa"}); err == nil || !strings.Contains(err.Error(), "dsa") {
		t.Errorf("HostKeyType dsa: %v", err)
	}
}

// A busybox host: root's commands run under busybox sh, with nothing but
// busybox applets by name, and it says it is not Debian; the other hosts
// are untouched.
func TestBusyboxHost(t *testing.T) {
	f := StartT(t, Options{Hosts: 2, BusyboxHosts: 1})
	deb, bb := f.Hosts[0], f.Hosts[1]
	if deb.Busybox || !bb.Busybox {
		t.Fatalf("Busybox flags: %v %v", deb.Busybox, bb.Busybox)
	}
	const probe = `. /etc/os-release; echo "id=$ID"; for c in useradd sudo apt-get gawk awk crontab; do ` +
		`if command -v $c >/dev/null; then echo "$c=yes"; else echo "$c=no"; fi; done; ls -l /proc/$$/exe | sed 's/.*-> //'`
	got := mustSSH(t, bb, probe)
	for _, want := range []string{"id=buildroot", "useradd=no", "sudo=no", "apt-get=no", "gawk=no", "awk=yes", "crontab=yes", "busybox"} {
		if !strings.Contains(got, want+"\n") && !strings.HasSuffix(strings.TrimSpace(got), want) {
			t.Errorf("busybox host: want %q in\n%s", want, got)
		}
	}
	if got := mustSSH(t, deb, probe); !strings.Contains(got, "id=debian") || !strings.Contains(got, "useradd=yes") {
		t.Errorf("debian host changed too:\n%s", got)
	}
	inv, err := os.ReadFile(f.Inventory)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(inv), "[busybox]\n"+bb.Name+"\n") || !strings.Contains(string(inv), "[debian]\n"+deb.Name+"\n") {
		t.Errorf("inventory groups:\n%s", inv)
	}
}
