package transport

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A large input streams through, with output and error apart.
func TestRunWithLargeStdin(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef\x00\n"), 500_000) // 9 MB
	sum := sha1.Sum(data)
	for name, sh := range localShells(t) {
		var o, e bytes.Buffer
		res, err := sh.Run(context.Background(), Cmd{Script: "echo start >&2; wc -c; exit 3", Stdin: bytes.NewReader(data), Stdout: &o, Stderr: &e})
		if err != nil || res.ExitCode != 3 || strings.TrimSpace(o.String()) != "9000000" || e.String() != "start\n" {
			t.Errorf("%s: got %q %q, %d, %v", name, o.String(), e.String(), res.ExitCode, err)
		}
		o.Reset()
		if _, err := sh.Run(context.Background(), Cmd{Script: "sha1sum", Stdin: bytes.NewReader(data), Stdout: &o}); err != nil || !strings.HasPrefix(o.String(), hex.EncodeToString(sum[:])) {
			t.Errorf("%s: sha1sum %q, %v", name, o.String(), err)
		}
	}
}

// failingReader gives some bytes, then fails.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

// An input that fails to read ends the command's input early: the
// command sees a short input and decides.
func TestRunWithFailingStdin(t *testing.T) {
	for name, sh := range localShells(t) {
		var o bytes.Buffer
		res, err := sh.Run(context.Background(), Cmd{Script: "wc -c", Stdin: &failingReader{n: 100_000}, Stdout: &o})
		if err != nil || res.ExitCode != 0 || strings.TrimSpace(o.String()) != "100000" {
			t.Errorf("%s: got %q, %d, %v", name, o.String(), res.ExitCode, err)
		}
	}
}

// As another user, the command runs through sudo and still gets all its
// input (root needs no password; the fleet tests the password prompt).
func TestRunWithStdinAsAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to sudo without a password")
	}
	if _, err := exec.LookPath("sudo"); err != nil {
		t.Fatal("sudo not found: apt-get install sudo")
	}
	data := bytes.Repeat([]byte("x"), 3<<20)
	for name, sh := range localShells(t) {
		var o, e bytes.Buffer
		res, err := sh.Run(context.Background(), Cmd{Script: "id -un; wc -c; echo to-stderr >&2; exit 5", User: "nobody", Stdin: bytes.NewReader(data), Stdout: &o, Stderr: &e})
		if err != nil || res.ExitCode != 5 || strings.Fields(o.String())[0] != "nobody" || strings.Fields(o.String())[1] != "3145728" || e.String() != "to-stderr\n" {
			t.Errorf("%s: got %q %q, %d, %v", name, o.String(), e.String(), res.ExitCode, err)
		}
		// The sudo command line carries no input and no ready line of
		// another command: a second run works the same.
		o.Reset()
		if _, err := sh.Run(context.Background(), Cmd{Script: "cat", User: "nobody", Stdin: strings.NewReader("again"), Stdout: &o}); err != nil || o.String() != "again" {
			t.Errorf("%s: second run %q, %v", name, o.String(), err)
		}
	}
}

// A refused sudo is a BecomeError, remembered for the connection.
func TestRunWithStdinAsUnknownUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to sudo without a password")
	}
	sh := localShells(t)["dash"]
	_, err := sh.Run(context.Background(), Cmd{Script: "cat", User: "no-such-user-tend", Stdin: strings.NewReader("x")})
	var be *BecomeError
	if !errors.As(err, &be) {
		t.Fatalf("unknown user: %v", err)
	}
	_, err2 := sh.Run(context.Background(), Cmd{Script: "cat", User: "no-such-user-tend", Stdin: io.LimitReader(strings.NewReader("x"), 1)})
	if err2 != err {
		t.Errorf("second try: %v, want the first refusal again", err2)
	}
}
