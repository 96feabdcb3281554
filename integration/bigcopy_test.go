package integration

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"tend/integration/fleet"
	"tend/modules/shell"
)

// writeBigFile writes n pseudo-random bytes (no two seeds alike) to path
// and returns their SHA-256.
func writeBigFile(t testing.TB, path string, n int64, seed uint64) [sha256.Size]byte {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	src := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	if _, err := io.CopyN(w, src, n); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// hostSum is the SHA-256 of a file a host wrote.
func hostSum(t *testing.T, h *fleet.Host, p string) [sha256.Size]byte {
	t.Helper()
	f, err := os.Open(h.Path(p))
	if err != nil {
		t.Fatalf("%s %s: %v", h.Name, p, err)
	}
	defer f.Close()
	s := sha256.New()
	if _, err := io.Copy(s, f); err != nil {
		t.Fatal(err)
	}
	var sum [sha256.Size]byte
	copy(sum[:], s.Sum(nil))
	return sum
}

// A 50 MB file is streamed to a Debian host as a login user who becomes
// root with a sudo password, and to a busybox box as root. It lands whole,
// with its mode and owner and no temporary file beside it; a second run
// changes nothing (compared by digest); a host copy changed in place (same
// size) is found by its digest and put right.
func TestCopyLargeFile(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	f := startFleet(t, 2, func(o *fleet.Options) { o.BusyboxHosts = 1 })
	deb, bb := f.Hosts[0], f.Hosts[1]
	// alice may sudo with her password; sshd reads the client key as
	// alice (in this host's overlay only), as in TestBecomeWithSudo.
	setup := `useradd -m -s /bin/sh alice && echo 'alice:alice-pw' | chpasswd &&
echo 'alice ALL=(ALL) ALL' > /etc/sudoers.d/alice && chmod 0440 /etc/sudoers.d/alice &&
k=` + shell.Quote(f.ClientKey+".pub") + `; chmod o+r "$k"; d=$(dirname "$k")
while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done`
	if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, deb.Name, "--", setup); r.code != 0 {
		t.Fatalf("setup: %v", r)
	}
	inv := writeFile(t, "hosts.ini", fmt.Sprintf(`[fleet]
%s ansible_host=%s ansible_port=%d ansible_user=alice ansible_become_password=alice-pw ansible_ssh_private_key_file=%s
%s ansible_host=%s ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s
`, deb.Name, deb.Addr, deb.Port, f.ClientKey, bb.Name, bb.Addr, bb.Port, f.ClientKey))

	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	const size = 50 << 20
	want := writeBigFile(t, filepath.Join(dir, "files", "big.bin"), size, 1)
	pb := filepath.Join(dir, "site.yml")
	if err := os.WriteFile(pb, []byte(`
- hosts: all
  gather_facts: false
  become: true
  tasks:
    - copy: {src: big.bin, dest: /srv/big/, mode: "0640", owner: root, group: root}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(what string) []event {
		t.Helper()
		r, events := convergeWith(t, inv, f, pb)
		if r.code != 0 {
			t.Fatalf("%s: %v", what, r)
		}
		return events
	}

	events := run("first converge")
	for _, h := range f.Hosts {
		if s := statuses(events, h.Name); s["changed"] != 1 {
			t.Fatalf("%s: first converge %v", h.Name, events)
		}
		const p = "/srv/big/big.bin"
		if hostSum(t, h, p) != want {
			t.Errorf("%s: the content differs", h.Name)
		}
		st, err := h.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o640 || st.Sys().(*syscall.Stat_t).Uid != 0 || st.Sys().(*syscall.Stat_t).Gid != 0 {
			t.Errorf("%s: mode %v, owner %d:%d", h.Name, st.Mode(), st.Sys().(*syscall.Stat_t).Uid, st.Sys().(*syscall.Stat_t).Gid)
		}
		noTempFiles(t, h, "/srv/big")
	}

	events = run("second converge")
	for _, h := range f.Hosts {
		if s := statuses(events, h.Name); s["ok"] != 1 || s["changed"] != 0 {
			t.Errorf("%s: second converge %v", h.Name, events)
		}
	}

	// The same size, one byte changed: only a digest tells.
	flip := `f=/srv/big/big.bin; printf 'X' | dd of="$f" bs=1 seek=1000000 conv=notrunc 2>/dev/null`
	for _, h := range f.Hosts {
		if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, h.Name, "--", flip); r.code != 0 {
			t.Fatalf("%s: flip: %v", h.Name, r)
		}
		if hostSum(t, h, "/srv/big/big.bin") == want {
			t.Fatalf("%s: the flip changed nothing", h.Name)
		}
	}
	events = run("converge after the change")
	for _, h := range f.Hosts {
		if s := statuses(events, h.Name); s["changed"] != 1 {
			t.Errorf("%s: converge after the change %v", h.Name, events)
		}
		if hostSum(t, h, "/srv/big/big.bin") != want {
			t.Errorf("%s: not put right", h.Name)
		}
		noTempFiles(t, h, "/srv/big")
	}
}

// noTempFiles checks that no temporary file of tend's is left in a host's
// folder.
func noTempFiles(t *testing.T, h *fleet.Host, dir string) {
	t.Helper()
	ents, err := h.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e, ".tend-") || strings.HasSuffix(e, ".tmp") {
			t.Errorf("%s: temporary file left: %s/%s", h.Name, dir, e)
		}
	}
}
