package modules

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pathFiles is a FileSource over a folder on disk that can name its files
// (a FilePather), as the runner's is.
type pathFiles string

func (d pathFiles) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), name))
}
func (d pathFiles) Path(name string) (string, error) { return filepath.Join(string(d), name), nil }

// bigData is n bytes that no two calls with another seed share.
func bigData(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

// runStdin runs script as the transport runs an apply with stdin: sh -c,
// the content on its standard input.
func (sh testShell) runStdin(t testing.TB, script string, in io.Reader) Output {
	t.Helper()
	mustParse(t, script)
	cmd := exec.Command(sh.argv[0], append(sh.argv[1:], "-c", script)...)
	cmd.Stdin, cmd.Env = in, sh.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", sh.name, err)
	}
	return Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: cmd.ProcessState.ExitCode()}
}

// applyStreamed runs a change's apply with its Stdin, and its Result.
func applyStreamed(t testing.TB, sh testShell, ch *Change) (Output, Result) {
	t.Helper()
	if ch.Stdin == nil {
		t.Fatalf("%s: the change has no Stdin: the content is not streamed", sh.name)
	}
	in, err := ch.Stdin()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out := sh.runStdin(t, ch.Apply, in)
	res, err := ch.Result(out)
	if err != nil {
		t.Fatalf("%s: result: %v", sh.name, err)
	}
	return out, res
}

func TestCopyStreamsALargeSrc(t *testing.T) {
	t.Parallel()
	data := bigData(streamLimit+12345, 1)
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "big.bin"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	s1, m5 := sha1.Sum(data), md5.Sum(data)
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		p := filepath.Join(dir, "big")
		m, task := mkTask(t, "copy", map[string]any{"src": "big.bin", "dest": p, "mode": "0640"})
		task.Files = pathFiles(src)
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatalf("%s: plan %v %v", sh.name, ch, err)
		}
		if strings.Contains(ch.Apply, string(data[:64])) || len(ch.Apply) > 16<<10 {
			t.Fatalf("%s: the content is inside the apply script (%d bytes)", sh.name, len(ch.Apply))
		}
		out, res := applyStreamed(t, sh, ch)
		if out.ExitCode != 0 || res["failed"] == true {
			t.Fatalf("%s: apply: %s %v", sh.name, out.Stderr, res)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
			t.Fatalf("%s: content differs (%d bytes)", sh.name, len(got))
		}
		wantMode(t, p, 0o640)
		if res["checksum"] != hex.EncodeToString(s1[:]) || res["md5sum"] != hex.EncodeToString(m5[:]) || res["changed"] != true || res["size"] != int64(len(data)) {
			t.Errorf("%s: result %v", sh.name, res)
		}
		noLeftovers(t, dir)
		// Compared by digest: a second run plans nothing and reports the
		// file.
		rep := settled(t, sh, m, task)
		if rep["checksum"] != hex.EncodeToString(s1[:]) {
			t.Errorf("%s: report %v", sh.name, rep)
		}
		// The same apply again (the file got the content since the probe):
		// the file is left as it is, and no temporary file stays.
		before := inode(t, p)
		if out, res := applyStreamed(t, sh, ch); out.ExitCode != 0 || res["failed"] == true {
			t.Fatalf("%s: second apply: %s %v", sh.name, out.Stderr, res)
		}
		if inode(t, p) != before {
			t.Errorf("%s: the file was rewritten with the same content", sh.name)
		}
		noLeftovers(t, dir)
		noPwned(t)
	}
}

// A host file of the same size but another content is found by its
// digest, and replaced.
func TestCopyStreamSameSizeOtherContent(t *testing.T) {
	t.Parallel()
	data := bigData(streamLimit+1, 2)
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "big"), data, 0o600)
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		p := filepath.Join(dir, "f")
		writeFile(t, p, string(bigData(len(data), 3)), 0o644)
		m, task := mkTask(t, "copy", map[string]any{"src": "big", "dest": p})
		task.Files = pathFiles(src)
		task.Diff = true
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatalf("%s: plan %v %v", sh.name, ch, err)
		}
		// No 1 MB texts in the diff, even with --diff: sizes and digests.
		if len(ch.Diffs) != 1 || ch.Diffs[0].Attr != "checksum" || !strings.Contains(ch.Diffs[0].After, "sha1:") || !strings.HasPrefix(ch.Diffs[0].Before, "1048577 bytes, ") {
			t.Fatalf("%s: diffs %v", sh.name, ch.Diffs)
		}
		if out, res := applyStreamed(t, sh, ch); out.ExitCode != 0 || res["failed"] == true {
			t.Fatalf("%s: apply: %s %v", sh.name, out.Stderr, res)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
			t.Fatalf("%s: not written", sh.name)
		}
		wantMode(t, p, 0o644)
		settled(t, sh, m, task)
	}
}

// A large content given inline (a template's rendering) streams too; a
// small one stays inside the script.
func TestCopyStreamsLargeContentOnly(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	dir := hostileDir(t)
	small := filepath.Join(dir, "small")
	m, task := mkTask(t, "copy", map[string]any{"content": string(bigData(streamLimit, 4)), "dest": small})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil || ch.Stdin != nil {
		t.Fatalf("1 MiB: %v %v (streamed: %v)", ch, err, ch != nil && ch.Stdin != nil)
	}
	big := filepath.Join(dir, "big")
	data := bigData(streamLimit+1, 5)
	m, task = mkTask(t, "copy", map[string]any{"content": string(data), "dest": big})
	ch, _, err = probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	if out, res := applyStreamed(t, sh, ch); out.ExitCode != 0 || res["failed"] == true {
		t.Fatalf("apply: %s %v", out.Stderr, res)
	}
	if got, _ := os.ReadFile(big); !bytes.Equal(got, data) {
		t.Fatal("not written")
	}
	settled(t, sh, m, task)
	noLeftovers(t, dir)
}

// What arrives without the sender's trailer, or of another size, is
// refused, and leaves nothing behind: the target keeps its old content.
func TestCopyStreamRefusesWhatArrivedWrong(t *testing.T) {
	t.Parallel()
	data := bigData(streamLimit+100, 6)
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "big"), data, 0o600)
	s1 := sha1.Sum(data)
	trailer := sentMark + hex.EncodeToString(s1[:])
	cat := func(b ...[]byte) []byte { return bytes.Join(b, nil) }
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		p := filepath.Join(dir, "f")
		writeFile(t, p, "old\n", 0o644)
		m, task := mkTask(t, "copy", map[string]any{"src": "big", "dest": p})
		task.Files = pathFiles(src)
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatal(ch, err)
		}
		for _, in := range [][]byte{
			data, // the connection broke before the trailer
			cat(data[:len(data)-1], []byte(trailer)),
			cat(data, []byte(trailer), []byte("x")),
			cat(data, []byte(trailer[:len(trailer)-1])),
			cat(data, []byte(trailer[:len(trailer)-1]+"\x00")),
			nil,
		} {
			out := sh.runStdin(t, ch.Apply, bytes.NewReader(in))
			if out.ExitCode == 0 || string(out.Stderr) != "big arrived incomplete or changed: the connection broke, or it changed while it was sent\n" {
				t.Errorf("%s: %d bytes: exit %d, %q", sh.name, len(in), out.ExitCode, out.Stderr)
			}
			if readFile(t, p) != "old\n" {
				t.Fatalf("%s: the target changed", sh.name)
			}
			noLeftovers(t, dir)
		}
		// What the sender sends is taken, and cut to the content.
		if out := sh.runStdin(t, ch.Apply, bytes.NewReader(cat(data, []byte(trailer)))); out.ExitCode != 0 {
			t.Fatalf("%s: %s", sh.name, out.Stderr)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
			t.Errorf("%s: %d bytes written", sh.name, len(got))
		}
		noLeftovers(t, dir)
	}
}

// The controller file changes between the plan and the sending: no
// trailer is sent, the host refuses, and the sender says why.
func TestCopyStreamSrcChangedWhileSent(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	src := t.TempDir()
	f := filepath.Join(src, "big")
	os.WriteFile(f, bigData(streamLimit+10, 7), 0o600)
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	m, task := mkTask(t, "copy", map[string]any{"src": "big", "dest": p})
	task.Files = pathFiles(src)
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	os.WriteFile(f, bigData(streamLimit+10, 8), 0o600)
	out, res := applyStreamed(t, sh, ch)
	if out.ExitCode == 0 || res["failed"] != true || !strings.Contains(res["msg"].(string), "big changed since the plan") {
		t.Errorf("exit %d %q %v", out.ExitCode, out.Stderr, res)
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("the changed file was put in place")
	}
	noLeftovers(t, dir)
	// The sender knows why: it read another content than the planned.
	s := &sender{ct: copyTask{content: []byte("abc")}, what: "x", want: "not-this"}
	r, _ := s.open()
	io.Copy(io.Discard, r)
	if err := s.problem(1); err == nil || !strings.Contains(err.Error(), "x changed since the plan") {
		t.Errorf("sender: %v", err)
	}
	if r, _ := s.open(); r != nil {
		io.CopyN(io.Discard, r, 1)
		if err := s.problem(1); err != nil {
			t.Errorf("sender stopped by the host: %v", err)
		}
	}
}

// A read error on the controller fails the task with that error, and the
// host keeps nothing.
func TestCopyStreamReadError(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	data := bigData(streamLimit+10, 9)
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	m, task := mkTask(t, "copy", map[string]any{"content": string(data), "dest": p})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	in, _ := ch.Stdin()
	in.(*sending).r = io.NopCloser(io.MultiReader(bytes.NewReader(data[:1000]), errReader{}))
	out := sh.runStdin(t, ch.Apply, in)
	res, err := ch.Result(out)
	if err != nil || out.ExitCode == 0 || res["failed"] != true || res["msg"] != "reading the content: disk on fire" {
		t.Errorf("exit %d: %v %v", out.ExitCode, res, err)
	}
	if _, err := os.Stat(p); err == nil {
		t.Error("a short content was put in place")
	}
	noLeftovers(t, dir)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// A directory at the target fails before anything is received.
func TestCopyStreamDirectoryTarget(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "big"), bigData(streamLimit+1, 10), 0o600)
	dir := hostileDir(t)
	p := filepath.Join(dir, "f")
	m, task := mkTask(t, "copy", map[string]any{"src": "big", "dest": p})
	task.Files = pathFiles(src)
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	mkdir(t, p, 0o755)
	out, res := applyStreamed(t, sh, ch)
	if out.ExitCode == 0 || !strings.Contains(res["msg"].(string), "is a directory") {
		t.Errorf("exit %d %v", out.ExitCode, res)
	}
	noLeftovers(t, dir)
}

// Owner, group and backup on the streamed path, as root.
func TestCopyStreamOwnerAndBackup(t *testing.T) {
	t.Parallel()
	needRoot(t)
	data := bigData(streamLimit+3, 11)
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "big"), data, 0o600)
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		p := filepath.Join(dir, "f")
		writeFile(t, p, "old\n", 0o644)
		m, task := mkTask(t, "copy", map[string]any{"src": "big", "dest": p, "owner": "nobody", "group": 65534, "mode": "0600", "backup": true})
		task.Files = pathFiles(src)
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatal(ch, err)
		}
		out, res := applyStreamed(t, sh, ch)
		if out.ExitCode != 0 || res["failed"] == true {
			t.Fatalf("%s: %s %v", sh.name, out.Stderr, res)
		}
		if u, g := owner(t, p); u != 65534 || g != 65534 {
			t.Errorf("%s: owner %d:%d", sh.name, u, g)
		}
		wantMode(t, p, 0o600)
		b, _ := res["backup_file"].(string)
		if readFile(t, b) != "old\n" {
			t.Errorf("%s: backup %q", sh.name, b)
		}
		os.Remove(b)
		settled(t, sh, m, task)
		noLeftovers(t, dir)
	}
}

// A src that is a folder, or small, is read as before.
func TestReadCopySrc(t *testing.T) {
	t.Parallel()
	d := t.TempDir()
	os.Mkdir(filepath.Join(d, "adir"), 0o755)
	os.WriteFile(filepath.Join(d, "small"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(d, "big"), bigData(streamLimit+1, 12), 0o600)
	if b, big, err := readCopySrc(pathFiles(d), "small"); string(b) != "x" || big != nil || err != nil {
		t.Errorf("small: %q %v %v", b, big, err)
	}
	if _, big, err := readCopySrc(pathFiles(d), "adir"); big != nil || !isDirErr(err) {
		t.Errorf("folder: %v %v", big, err)
	}
	if _, _, err := readCopySrc(pathFiles(d), "none"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	if b, big, err := readCopySrc(pathFiles(d), "big"); b != nil || big == nil || big.size != streamLimit+1 || err != nil {
		t.Errorf("big: %d %v %v", len(b), big, err)
	}
	// Without a FilePather, everything is read.
	if b, big, err := readCopySrc(mapFiles{"big": bigData(streamLimit+1, 12)}, "big"); len(b) != streamLimit+1 || big != nil || err != nil {
		t.Errorf("mapFiles: %d %v %v", len(b), big, err)
	}
}

// digestOf gives what tend_sum prints, for each algorithm, and the table
// cksum is POSIX's.
func TestDigestOfMatchesSums(t *testing.T) {
	t.Parallel()
	for _, data := range [][]byte{nil, []byte("a"), bigData(70000, 13)} {
		for _, want := range sumsOf(data) {
			alg, _, _ := strings.Cut(want, ":")
			got, err := digestOf(alg, bytes.NewReader(data))
			if err != nil || got != want {
				t.Errorf("%s of %d bytes: %s %v, want %s", alg, len(data), got, err, want)
			}
		}
	}
	if got, _ := digestOf("none", strings.NewReader("x")); got != "" {
		t.Errorf("none: %q", got)
	}
	// hasSum on a streamed content, every algorithm.
	data := bigData(streamLimit+1, 14)
	ct := copyTask{content: data}
	for _, s := range sumsOf(data) {
		if ok, err := ct.hasSum(s); !ok || err != nil {
			t.Errorf("hasSum(%s): %v %v", s, ok, err)
		}
	}
	if ok, _ := ct.hasSum("sha1:0000"); ok {
		t.Error("hasSum of a wrong digest")
	}
}
