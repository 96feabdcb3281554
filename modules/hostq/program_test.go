package hostq

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// shells are the interpreters the program must work under: dash and bash
// with the machine's tools, busybox sh with only busybox's applets.
func shells(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, s := range []string{"dash", "bash"} {
		p, err := exec.LookPath(s)
		if err != nil {
			t.Fatalf("%s not found: apt-get install dash bash busybox", s)
		}
		out[s] = []string{p, "-c"}
	}
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatalf("busybox not found: apt-get install busybox")
	}
	dir := t.TempDir()
	list, err := exec.Command(bb, "--list").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range strings.Fields(string(list)) {
		if err := os.Symlink(bb, filepath.Join(dir, a)); err != nil {
			t.Fatal(err)
		}
	}
	out["busybox"] = []string{"env", "PATH=" + dir, bb, "sh", "-c"}
	return out
}

func run(t testing.TB, argv []string, script string, env ...string) (stdout, stderr []byte, code int) {
	t.Helper()
	cmd := exec.Command(argv[0], append(argv[1:], script)...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.Bytes(), e.Bytes(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.Bytes(), e.Bytes(), 0
}

type tree struct {
	dir                              string
	file, big, odd, sub, empty, link string
	bigOdd, bigLast                  string // large, with a newline and a backslash in their names
	dirLink, broken, missing, under  string
	fileData, bigData, oddData       []byte
}

func makeTree(t testing.TB) tree {
	d := t.TempDir()
	tr := tree{dir: d, file: d + "/f", big: d + "/big", odd: d + "/a b\nc", sub: d + "/d", empty: d + "/e",
		link: d + "/l", dirLink: d + "/dl", broken: d + "/broken", missing: d + "/missing", under: d + "/f/x"}
	tr.fileData = []byte("hello\n")
	tr.bigData = bytes.Repeat([]byte("0123456789abcdef"), (ContentLimit+100)/16)
	tr.oddData = []byte("no newline at the end, and a \x00 NUL")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(tr.file, tr.fileData, 0o640))
	must(os.WriteFile(tr.big, tr.bigData, 0o600))
	tr.bigOdd, tr.bigLast = d+"/big\nodd\\", d+"/zz big\n"
	must(os.WriteFile(tr.bigOdd, tr.bigData, 0o600))
	must(os.WriteFile(tr.bigLast, tr.bigData, 0o600))
	must(os.WriteFile(tr.odd, tr.oddData, 0o644))
	must(os.Mkdir(tr.sub, 0o750))
	must(os.WriteFile(tr.sub+"/.hidden", nil, 0o644))
	must(os.Mkdir(tr.empty, 0o700))
	must(os.Symlink("f", tr.link))
	must(os.Symlink(tr.sub, tr.dirLink))
	must(os.Symlink("nowhere", tr.broken))
	return tr
}

func (tr tree) questions() []Question {
	var qs []Question
	for _, p := range []string{tr.file, tr.big, tr.odd, tr.sub, tr.empty, tr.link, tr.dirLink, tr.broken, tr.missing, tr.under} {
		qs = append(qs, Path{p, false}, Path{p, true}, Content{p}, Digest{p})
	}
	qs = append(qs, Digest{tr.bigOdd}, Digest{tr.bigLast})
	return append(qs, Umask{}, Accounts{}, Empty{tr.sub}, Empty{tr.empty}, Empty{tr.file}, Empty{tr.dirLink},
		Command{"cat"}, Command{"tend-no-such-command"}, Path{tr.file, false}, // asked twice
		Access{tr.file}, Access{tr.missing}, Real{tr.link}, Real{tr.file})
}

func TestProgramAnswersUnderEveryShell(t *testing.T) {
	tr := makeTree(t)
	p := Compile(tr.questions())
	for name, sh := range shells(t) {
		t.Run(name, func(t *testing.T) {
			out, errs, code := run(t, sh, p.Script())
			set, err := p.Parse(out, errs, code)
			if err != nil {
				t.Fatalf("%v\nstderr: %s", err, errs)
			}
			for _, x := range []string{tr.file, tr.big, tr.odd, tr.sub, tr.empty, tr.link, tr.dirLink, tr.broken, tr.missing, tr.under} {
				for _, follow := range []bool{false, true} {
					got, err := set.Path(x, follow)
					if err != nil {
						t.Errorf("Path(%q, %v): %v", x, follow, err)
						continue
					}
					checkPath(t, x, follow, got)
				}
			}
			if u, err := set.Umask(); err != nil || u != 0o022 {
				t.Errorf("umask %o, %v", u, err)
			}
			for p, want := range map[string][]byte{tr.file: tr.fileData, tr.odd: tr.oddData, tr.link: tr.fileData} {
				if got, err := set.Content(p); err != nil || !bytes.Equal(got, want) {
					t.Errorf("Content(%q) = %q, %v", p, got, err)
				}
				if got, err := set.Digest(p); err != nil || got != SHA1(want) {
					t.Errorf("Digest(%q) = %q, %v", p, got, err)
				}
			}
			if _, err := set.Content(tr.big); err != ErrTooBig {
				t.Errorf("Content(big): %v", err)
			}
			h := sha1.Sum(tr.bigData)
			for _, big := range []string{tr.big, tr.bigOdd, tr.bigLast} {
				// GNU's sha1sum escapes an odd name, busybox's prints it raw.
				if got, err := set.Digest(big); err != nil || got != "sha1:"+hex.EncodeToString(h[:]) {
					t.Errorf("Digest(%q) = %q, %v", big, got, err)
				}
			}
			for _, p := range []string{tr.sub, tr.missing, tr.broken, tr.under} {
				if _, err := set.Content(p); err != ErrNoContent {
					t.Errorf("Content(%q): %v, want ErrNoContent", p, err)
				}
			}
			for p, want := range map[string]bool{tr.sub: false, tr.empty: true, tr.file: true, tr.dirLink: true} {
				if got, err := set.Empty(p); err != nil || got != want {
					t.Errorf("Empty(%q) = %v, %v", p, got, err)
				}
			}
			if ok, _ := set.Command("cat"); !ok {
				t.Error("cat not found")
			}
			if ok, _ := set.Command("tend-no-such-command"); ok {
				t.Error("a missing command found")
			}
			if a, err := set.Access(tr.file); err != nil || !a.Read || !a.Write || a.Exec {
				t.Errorf("access %+v %v", a, err)
			}
			if a, err := set.Access(tr.missing); err != nil || a.Read {
				t.Errorf("access of a missing file %+v %v", a, err)
			}
			if r, err := set.Real(tr.link); err != nil || r != tr.file {
				t.Errorf("real %q %v", r, err)
			}
			if r, err := set.Real(tr.file); err != nil || r != "" {
				t.Errorf("real of a file %q %v", r, err)
			}
			db, err := set.Accounts()
			if err != nil || db.User("root") == nil || db.User("root").UID != "0" || db.Group("root") == nil {
				t.Errorf("accounts: %v %v", db, err)
			}
		})
	}
}

func checkPath(t *testing.T, p string, follow bool, got PathInfo) {
	t.Helper()
	st := os.Lstat
	if follow {
		st = os.Stat
	}
	fi, err := st(p)
	if err != nil {
		if got.Exists {
			t.Errorf("%q (follow %v) exists: %+v", p, follow, got)
		}
		return
	}
	want := map[os.FileMode]byte{0: '-', os.ModeDir: 'd', os.ModeSymlink: 'l'}[fi.Mode().Type()]
	if !got.Exists || got.Type != want || got.Perm != uint32(fi.Mode().Perm()) {
		t.Errorf("%q (follow %v) = %+v, want type %c perm %o", p, follow, got, want, fi.Mode().Perm())
	}
	if want == '-' && got.Size != fi.Size() {
		t.Errorf("%q size %d, want %d", p, got.Size, fi.Size())
	}
	if want == 'l' {
		target, _ := os.Readlink(p)
		if got.Target != target {
			t.Errorf("%q target %q, want %q", p, got.Target, target)
		}
	}
	if sys := fi.Sys().(*syscall.Stat_t); got.Inode != sys.Ino || got.Mtime != fi.ModTime().Unix() || got.Dev != uint64(sys.Dev) {
		t.Errorf("%q inode %d dev %d mtime %d, want %d %d %d", p, got.Inode, got.Dev, got.Mtime, sys.Ino, sys.Dev, fi.ModTime().Unix())
	}
	if got.UID != fmt.Sprint(os.Getuid()) || got.Owner == "" {
		t.Errorf("%q owner %q (%s)", p, got.Owner, got.UID)
	}
}

// The program's cost in processes does not grow with the number of paths:
// every command it starts is logged by a wrapper on the PATH.
func TestProgramProcessesDoNotGrowWithQuestions(t *testing.T) {
	count := func(n int) int {
		d := t.TempDir()
		var qs []Question
		for i := 0; i < n; i++ {
			p := fmt.Sprintf("%s/f%d", d, i)
			if err := os.WriteFile(p, []byte(strings.Repeat("x", i)), 0o644); err != nil {
				t.Fatal(err)
			}
			qs = append(qs, Path{p, false}, Path{p, true}, Content{p}, Digest{p})
		}
		qs = append(qs, Umask{}, Accounts{}, Empty{d}, Command{"stat"})
		bin, log := t.TempDir(), d+"/exec.log"
		for _, c := range []string{"stat", "find", "cat", "sha1sum", "readlink", "ls", "wc", "head"} {
			real, err := exec.LookPath(c)
			if err != nil {
				t.Fatal(err)
			}
			shim := fmt.Sprintf("#!/bin/sh\necho %s >> %s\nexec %s \"$@\"\n", c, log, real)
			if err := os.WriteFile(filepath.Join(bin, c), []byte(shim), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		p := Compile(qs)
		out, errs, code := run(t, []string{"dash", "-c"}, p.Script(), "PATH="+bin+":"+os.Getenv("PATH"))
		if _, err := p.Parse(out, errs, code); err != nil {
			t.Fatalf("%v: %s", err, errs)
		}
		b, _ := os.ReadFile(log)
		return len(strings.Fields(string(b)))
	}
	few, many := count(3), count(60)
	if few != many || many > 3 {
		t.Errorf("commands started: %d for 3 files, %d for 60 (want the same, at most 3: stat, stat -L, cat)", few, many)
	}
}

func TestParseRefusesCutOutput(t *testing.T) {
	p := Compile([]Question{Path{"/", false}, Umask{}})
	out, errs, code := run(t, []string{"dash", "-c"}, p.Script())
	for _, cut := range [][]byte{out[:len(out)-1], out[:len(out)/2], nil} {
		if _, err := p.Parse(cut, errs, code); err == nil {
			t.Errorf("cut output %q accepted", cut)
		}
	}
	if _, err := p.Parse(out, errs, code); err != nil {
		t.Fatal(err)
	}
}

// Files of /proc have no true size: they are read alone, and do not spoil
// the others' contents.
func TestProgramReadsProcFiles(t *testing.T) {
	tr := makeTree(t)
	p := Compile([]Question{Content{"/proc/version"}, Content{tr.file}, Digest{"/proc/version"}})
	out, errs, code := run(t, []string{"dash", "-c"}, p.Script())
	set, err := p.Parse(out, errs, code)
	if err != nil {
		t.Fatalf("%v: %s", err, errs)
	}
	if c, err := set.Content("/proc/version"); err != nil || !bytes.Contains(c, []byte("Linux")) {
		t.Errorf("/proc/version: %q %v", c, err)
	}
	if c, err := set.Content(tr.file); err != nil || !bytes.Equal(c, tr.fileData) {
		t.Errorf("file: %q %v", c, err)
	}
}

func TestProgramDigestAloneOfASmallFile(t *testing.T) {
	tr := makeTree(t)
	p := Compile([]Question{Digest{tr.file}})
	out, errs, code := run(t, []string{"dash", "-c"}, p.Script())
	set, err := p.Parse(out, errs, code)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := set.Digest(tr.file); err != nil || d != SHA1(tr.fileData) {
		t.Errorf("digest %q %v", d, err)
	}
}

// A batch's answers answer every question asked, absent files' contents
// included: a task must not ask again what its batch already told.
func TestProgramAnswersEverythingItAsked(t *testing.T) {
	tr := makeTree(t)
	qs := tr.questions()
	p := Compile(qs)
	out, errs, code := run(t, []string{"dash", "-c"}, p.Script())
	set, err := p.Parse(out, errs, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if !set.Has([]Question{q}) {
			t.Errorf("%#v has no answer", q)
		}
	}
	if set.Has([]Question{Path{"/not/asked", false}}) {
		t.Error("an unasked question has an answer")
	}
}

// The kernel's sysctl values are read by the shell: the same bytes as a
// read of the file, under every shell, and one process for all of them
// (the one stat -L of every path and one awk). Only reads: nothing is written.
func TestProgramReadsSysctlsInOneProcess(t *testing.T) {
	files := []string{"/proc/sys/vm/swappiness", "/proc/sys/kernel/ostype", "/proc/sys/net/ipv4/ip_local_port_range",
		"/proc/sys/kernel/hostname", "/proc/sys/fs/file-nr", "/proc/sys/net/ipv4/route/flush", "/proc/sys/no/such"}
	var qs []Question
	for _, f := range files {
		qs = append(qs, Content{f})
	}
	bin, log := t.TempDir(), t.TempDir()+"/exec.log"
	for _, c := range []string{"stat", "cat", "wc", "head", "awk"} {
		real, err := exec.LookPath(c)
		if err != nil {
			t.Fatal(err)
		}
		shim := fmt.Sprintf("#!/bin/sh\necho %s >> %s\nexec %s \"$@\"\n", c, log, real)
		if err := os.WriteFile(filepath.Join(bin, c), []byte(shim), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, argv := range shells(t) {
		p := Compile(qs)
		out, errs, code := run(t, argv, p.Script())
		set, err := p.Parse(out, errs, code)
		if err != nil {
			t.Fatalf("%s: %v: %s", name, err, errs)
		}
		for _, f := range files {
			want, werr := os.ReadFile(f)
			got, err := set.Content(f)
			if f == "/proc/sys/fs/file-nr" { // it moves: its shape only
				if err != nil || len(strings.Fields(string(got))) != 3 || !bytes.HasSuffix(got, []byte("\n")) {
					t.Errorf("%s: %s: %q %v", name, f, got, err)
				}
				continue
			}
			if (werr == nil) != (err == nil) || !bytes.Equal(got, want) {
				t.Errorf("%s: %s: %q %v, want %q %v", name, f, got, err, want, werr)
			}
		}
	}
	p := Compile(qs)
	out, errs, code := run(t, []string{"dash", "-c"}, p.Script(), "PATH="+bin+":"+os.Getenv("PATH"))
	if _, err := p.Parse(out, errs, code); err != nil {
		t.Fatalf("%v: %s", err, errs)
	}
	if b, _ := os.ReadFile(log); strings.Join(strings.Fields(string(b)), " ") != "stat awk" {
		t.Errorf("commands started: %q (want stat, awk)", b)
	}
	// Without awk, each is read alone, as the other files of /proc.
	noAwk := t.TempDir()
	for _, c := range []string{"stat", "cat", "wc"} {
		os.Symlink(filepath.Join(bin, c), filepath.Join(noAwk, c))
	}
	out, errs, code = run(t, []string{"dash", "-c"}, p.Script(), "PATH="+noAwk)
	set, err := p.Parse(out, errs, code)
	if err != nil {
		t.Fatalf("%v: %s", err, errs)
	}
	want, _ := os.ReadFile(files[0])
	if got, err := set.Content(files[0]); err != nil || !bytes.Equal(got, want) {
		t.Errorf("without awk: %q %v, want %q", got, err, want)
	}
	if _, err := set.Content("/proc/sys/net/ipv4/route/flush"); err == nil {
		t.Error("without awk: a file it cannot read has content")
	}
}

// A content the controller read before is not read again while stat finds
// the same file, and is read again when it changed, under every shell.
func TestProgramKnownContentIsNotReadAgain(t *testing.T) {
	dir := t.TempDir()
	f, g := filepath.Join(dir, "passwd"), filepath.Join(dir, "other")
	fdata := "root:x:0:0:marker-known:/root:/bin/sh\n"
	os.WriteFile(f, []byte(fdata), 0o644)
	os.WriteFile(g, []byte("other-content\n"), 0o644)
	qs := []Question{Content{f}, Content{g}}
	for name, sh := range shells(t) {
		first := Compile(qs)
		out, errs, code := run(t, sh, first.Script())
		set, err := first.Parse(out, errs, code)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fi, _ := set.Path(f, true)
		data, _ := set.Content(f)

		second := Compile(qs)
		second.Know(f, fi, data)
		out, errs, code = run(t, sh, second.Script())
		if bytes.Contains(out, []byte("marker-known")) || !bytes.Contains(out, []byte("other-content")) {
			t.Errorf("%s: the known file was read again, or the other not:\n%s", name, out)
		}
		set, err = second.Parse(out, errs, code)
		if got, err2 := set.Content(f); err != nil || err2 != nil || string(got) != fdata {
			t.Errorf("%s: known content %q %v %v", name, got, err, err2)
		}

		// Changed (another size): read again.
		changed := strings.Replace(fdata, "marker-known", "marker-changed!", 1)
		os.WriteFile(f, []byte(changed), 0o644)
		third := Compile(qs)
		third.Know(f, fi, data)
		out, errs, code = run(t, sh, third.Script())
		set, err = third.Parse(out, errs, code)
		if got, err2 := set.Content(f); err != nil || err2 != nil || string(got) != changed {
			t.Errorf("%s: changed content %q %v %v", name, got, err, err2)
		}
		os.WriteFile(f, []byte(fdata), 0o644)
	}
}

// The program runs in the host's persistent shell itself (contained): it
// must leave that shell as it found it, and read nothing from its stdin
// (the shell's commands).
func TestProgramLeavesTheShellAsItFoundIt(t *testing.T) {
	tr := makeTree(t)
	p := Compile(append(tr.questions(), Content{"/proc/sys/kernel/ostype"}, Content{"/proc/version"}))
	after := `printf '%s|%s|%s|%s|' "$#" "${LC_ALL-unset}" "${IFS-unset}" "$-" >&2; set | grep -c '^tend_' >&2; read -r next; printf 'next=%s\n' "$next" >&2`
	script := "{ " + p.Script() + "\n} </dev/null\n" + after
	for name, sh := range shells(t) {
		for _, lc := range []string{"", "C.UTF-8"} {
			var env []string
			want := "0|unset|"
			if lc != "" {
				env, want = []string{"LC_ALL=" + lc}, "0|"+lc+"|"
			}
			cmd := exec.Command(sh[0], append(sh[1:], script)...)
			cmd.Env = append(os.Environ(), env...)
			cmd.Stdin = strings.NewReader("the next command\n")
			var o, e bytes.Buffer
			cmd.Stdout, cmd.Stderr = &o, &e
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: %v: %s", name, err, e.String())
			}
			if _, err := p.Parse(o.Bytes(), nil, 0); err != nil {
				t.Fatalf("%s: %v\n%s", name, err, o.String())
			}
			got := e.String()
			fields := strings.Split(got, "|")
			if !strings.HasPrefix(got, want) || len(fields) != 5 || strings.Contains(fields[3], "f") ||
				!strings.HasPrefix(fields[4], "0\n") || !strings.HasSuffix(got, "next=the next command\n") {
				t.Errorf("%s, LC_ALL=%q: after the program: %q, want %s<IFS>|<flags without f>|0 tend_ variables, and stdin unread", name, lc, got, want)
			}
		}
	}
}
