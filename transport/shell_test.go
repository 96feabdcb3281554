package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// localShells returns a Local connection per POSIX shell the targets may have:
// dash (Debian's sh), busybox sh (minimal systems) and bash.
func localShells(t *testing.T) map[string]*Local {
	t.Helper()
	dir := t.TempDir()
	out := map[string]*Local{}
	for name, target := range map[string]string{"dash": "dash", "busybox": "busybox", "bash": "bash"} {
		p, err := exec.LookPath(target)
		if err != nil {
			t.Fatalf("%s not found: apt-get install %s", target, target)
		}
		// busybox picks its applet from argv[0], so call it "sh".
		link := filepath.Join(dir, name, "sh")
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p, link); err != nil {
			t.Fatal(err)
		}
		l, err := DialLocal(link)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		out[name] = l
	}
	return out
}

func run(t *testing.T, c Conn, script string) (string, string, int) {
	t.Helper()
	var o, e bytes.Buffer
	res, err := c.Run(context.Background(), Cmd{Script: script, Stdout: &o, Stderr: &e})
	if err != nil {
		t.Fatalf("Run(%q): %v", script, err)
	}
	return o.String(), e.String(), res.ExitCode
}

func TestPersistentShellFraming(t *testing.T) {
	cases := []struct {
		name, script, stdout, stderr string
		code                         int
	}{
		{"output", "echo hello; echo oops >&2", "hello\n", "oops\n", 0},
		{"no trailing newline", "printf abc", "abc", "", 0},
		{"exit status", "exit 3", "", "", 3},
		{"false", "false", "", "", 1},
		{"stdin is empty", "cat; echo done", "done\n", "", 0},
		{"quotes and dollars", `x='a b'; echo "$x" '$HOME' "it's"`, "a b $HOME it's\n", "", 0},
		{"comment at the end", "echo a # trailing comment", "a\n", "", 0},
		{"forged marker", "echo TEND-0000-END:7", "TEND-0000-END:7\n", "", 0},
		{"binary", `printf '\000\001\377'`, "\x00\x01\xff", "", 0},
		{"heredoc", "cat <<'EOF'\nline $x\nEOF", "line $x\n", "", 0},
	}
	for name, sh := range localShells(t) {
		for _, c := range cases {
			o, e, code := run(t, sh, c.script)
			if o != c.stdout || code != c.code || (c.stderr != "" && e != c.stderr) {
				t.Errorf("%s/%s: got (%q, %q, %d) want (%q, %q, %d)", name, c.name, o, e, code, c.stdout, c.stderr, c.code)
			}
		}
	}
}

func TestPersistentShellIsolatesCommands(t *testing.T) {
	for name, sh := range localShells(t) {
		run(t, sh, "cd /tmp; X=1; exit 0")
		if o, _, _ := run(t, sh, `echo "$(pwd) [$X]"`); o == "/tmp [1]\n" {
			t.Errorf("%s: cd and variables leaked from one command to the next", name)
		}
	}
}

func TestPersistentShellSyntaxErrorIsAnExitStatus(t *testing.T) {
	for name, sh := range localShells(t) {
		_, e, code := run(t, sh, "if then fi")
		if code == 0 || e == "" {
			t.Errorf("%s: syntax error gave code %d, stderr %q", name, code, e)
		}
		if o, _, _ := run(t, sh, "echo still here"); o != "still here\n" {
			t.Errorf("%s: shell unusable after a syntax error: %q", name, o)
		}
	}
}

func TestPersistentShellLargeOutput(t *testing.T) {
	for name, sh := range localShells(t) {
		// 4 MiB on stdout and stderr at once: neither stream may block the other.
		o, e, code := run(t, sh, `i=0; while [ $i -lt 64 ]; do head -c 65536 /dev/zero; head -c 65536 /dev/zero >&2; i=$((i+1)); done`)
		if len(o) != 4<<20 || len(e) != 4<<20 || code != 0 {
			t.Errorf("%s: got %d bytes out, %d err, code %d", name, len(o), len(e), code)
		}
	}
}

func TestPersistentShellDeathIsAnError(t *testing.T) {
	for name, sh := range localShells(t) {
		// $$ is the persistent shell itself, even inside the subshell.
		_, err := sh.Run(context.Background(), Cmd{Script: "kill -9 $$"})
		if err == nil {
			t.Errorf("%s: killing the shell was not reported", name)
		}
		if _, err := sh.Run(context.Background(), Cmd{Script: "true"}); err == nil {
			t.Errorf("%s: a dead shell accepted another command", name)
		}
	}
}

func TestRunHonoursContext(t *testing.T) {
	for name, sh := range localShells(t) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		start := time.Now()
		_, err := sh.Run(ctx, Cmd{Script: "sleep 30"})
		cancel()
		if err == nil || time.Since(start) > 10*time.Second {
			t.Errorf("%s: cancelled run returned %v after %v", name, err, time.Since(start))
		}
	}
}

func TestRunWithStdin(t *testing.T) {
	for name, sh := range localShells(t) {
		var o bytes.Buffer
		res, err := sh.Run(context.Background(), Cmd{Script: "tr a-z A-Z; exit 4", Stdin: strings.NewReader("abc"), Stdout: &o})
		if err != nil || res.ExitCode != 4 || o.String() != "ABC" {
			t.Errorf("%s: got %q, %d, %v", name, o.String(), res.ExitCode, err)
		}
	}
}

func TestRoundTripsAreCounted(t *testing.T) {
	for name, sh := range localShells(t) {
		before := sh.Stats().RoundTrips
		for i := 0; i < 5; i++ {
			run(t, sh, "true")
		}
		if got := sh.Stats().RoundTrips - before; got != 5 {
			t.Errorf("%s: 5 commands counted as %d round trips", name, got)
		}
	}
}

func TestUploadDownload(t *testing.T) {
	big := make([]byte, uploadChunk*2+12345) // three chunks
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	for name, sh := range localShells(t) {
		dir := t.TempDir()
		for _, c := range []struct {
			file string
			data []byte
			mode fs.FileMode
		}{
			{"small", []byte("hello\n"), 0o640},
			{"empty", nil, 0o600},
			{"big", big, 0o755},
			{"we'ird $name -x", []byte("%s\\n"), 0o644},
		} {
			dst := filepath.Join(dir, c.file)
			before := sh.Stats().RoundTrips
			if err := sh.Upload(context.Background(), bytes.NewReader(c.data), dst, c.mode); err != nil {
				t.Fatalf("%s: upload %s: %v", name, c.file, err)
			}
			if want := int64(len(c.data)/uploadChunk + 1); sh.Stats().RoundTrips-before != want {
				t.Errorf("%s: upload of %d bytes took %d round trips, want %d", name, len(c.data), sh.Stats().RoundTrips-before, want)
			}
			got, err := os.ReadFile(dst)
			if err != nil || !bytes.Equal(got, c.data) {
				t.Fatalf("%s: %s: read back %d bytes (%v), want %d", name, c.file, len(got), err, len(c.data))
			}
			if st, _ := os.Stat(dst); st.Mode().Perm() != c.mode {
				t.Errorf("%s: %s: mode %v want %v", name, c.file, st.Mode().Perm(), c.mode)
			}
			var back bytes.Buffer
			if err := sh.Download(context.Background(), dst, &back); err != nil || !bytes.Equal(back.Bytes(), c.data) {
				t.Errorf("%s: download %s: %d bytes, %v", name, c.file, back.Len(), err)
			}
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 4 {
			t.Errorf("%s: temporary files left behind: %v", name, entries)
		}
		if err := sh.Upload(context.Background(), strings.NewReader("x"), dir, 0o644); err == nil || !strings.Contains(err.Error(), "is a directory") {
			t.Errorf("%s: upload over a directory: %v", name, err)
		}
		if err := sh.Download(context.Background(), filepath.Join(dir, "missing"), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "No such file") {
			t.Errorf("%s: download of a missing file: %v", name, err)
		}
	}
}

// Output a background process writes after its command ended is not taken
// for the next command's output.
func TestStrayOutputDoesNotLeakIntoTheNextCommand(t *testing.T) {
	for name, sh := range localShells(t) {
		if o, _, _ := run(t, sh, "(sleep 0.2; echo late; echo late >&2) & echo first"); o != "first\n" {
			t.Errorf("%s: first: %q", name, o)
		}
		time.Sleep(400 * time.Millisecond)
		if o, e, _ := run(t, sh, "echo second"); o != "second\n" || e != "" {
			t.Errorf("%s: the next command got %q %q", name, o, e)
		}
	}
}
