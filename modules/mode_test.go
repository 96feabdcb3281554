package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestApplyMode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		spec  string
		cur   uint32
		dir   bool
		umask uint32
		want  uint32
	}{
		{"0644", 0o777, false, 0o22, 0o644},
		{"644", 0, false, 0o22, 0o644},
		{"1777", 0, true, 0o22, 0o1777},
		{"u=rw,g=r,o=", 0o777, false, 0o22, 0o640},
		{"a+X", 0o644, false, 0o22, 0o644},
		{"a+X", 0o744, false, 0o22, 0o755},
		{"a+X", 0o644, true, 0o22, 0o755},
		{"u=rwX,g=rX,o=rX", 0o600, false, 0o22, 0o644},
		{"u=rwX,g=rX,o=rX", 0o700, true, 0o22, 0o755},
		// Ansible evaluates X against the mode as it evolves.
		{"u+x,g+X", 0o600, false, 0o22, 0o710},
		{"=rw", 0o777, false, 0o22, 0o644},
		{"=rw", 0o777, false, 0o77, 0o600},
		{"+x", 0o600, false, 0o22, 0o711},
		{"+w", 0o444, false, 0o22, 0o644},
		{"o=u", 0o750, false, 0o22, 0o757},
		{"g=u-w", 0o700, false, 0o22, 0o750},
		{"u+s,g+s,+t", 0o755, true, 0o22, 0o7755},
		{"u=rwx", 0o4755, false, 0o22, 0o755},
		{"o-t", 0o1777, true, 0o22, 0o777},
		{"a=", 0o777, false, 0o22, 0},
		{"go-rwx", 0o755, false, 0o22, 0o700},
		{"ug=rw,o-rwx", 0o777, false, 0o22, 0o660},
		{"u=rw-x+x", 0o000, false, 0o22, 0o700},
	}
	for _, c := range cases {
		got, err := ApplyMode(c.spec, c.cur, c.dir, c.umask)
		if err != nil || got != c.want {
			t.Errorf("ApplyMode(%q, %04o, dir=%v, umask %03o) = %04o, %v; want %04o", c.spec, c.cur, c.dir, c.umask, got, err, c.want)
		}
	}
	if _, err := ApplyMode("rwx", 0, false, 0); err == nil {
		t.Error("rwx is not a mode")
	}
}

// Where Ansible and chmod agree (a who-list, no X), the host's chmod is the
// reference.
func TestApplyModeAgreesWithChmod(t *testing.T) {
	t.Parallel()
	// One file for each start mode and spec, all changed by one script.
	dir := t.TempDir()
	type modeCase struct {
		spec  string
		start uint32
		file  string
	}
	var cases []modeCase
	specs := []string{"u=rw,g=r,o=", "a+x", "go-w", "u+s", "g+s,o+t", "a=r", "ug+rw,o-r", "o=u", "g=o", "u=g", "u-x+w", "a-s"}
	var script, files strings.Builder
	for start := uint32(0); start <= 0o7777; start += 0o1113 {
		for _, spec := range specs {
			c := modeCase{spec, start, filepath.Join(dir, fmt.Sprintf("f%03d", len(cases)))}
			if err := os.WriteFile(c.file, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Chmod(c.file, start); err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c)
			fmt.Fprintf(&script, "chmod %s %s || exit 1\n", spec, q(c.file))
			files.WriteString(" " + q(c.file))
		}
	}
	// ls lists its operands sorted, as the names number them.
	script.WriteString("ls -ld --" + files.String() + "\n")
	out := shells(t)[0].run(t, script.String())
	lines := strings.Split(strings.TrimSuffix(string(out.Stdout), "\n"), "\n")
	if out.ExitCode != 0 || len(lines) != len(cases) {
		t.Fatalf("%d lines for %d files (%d): %s", len(lines), len(cases), out.ExitCode, out.Stderr)
	}
	for i, c := range cases {
		fields := strings.Fields(lines[i])
		if len(fields) == 0 || fields[len(fields)-1] != c.file {
			t.Fatalf("line %d is not %s: %q", i, c.file, lines[i])
		}
		typ, wantPerm, err := parseLsMode(fields[0])
		if err != nil || typ != '-' {
			t.Fatal(err)
		}
		got, err := ApplyMode(c.spec, c.start, false, 0o22)
		if err != nil || got != wantPerm {
			t.Errorf("%s on %04o: %04o, chmod says %04o", c.spec, c.start, got, wantPerm)
		}
	}
}

func TestParseLsMode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"drwxr-sr-t":  "d3755",
		"-rwSr-Sr-T":  "-7644",
		"-rw-r--r--.": "-0644",
		"lrwxrwxrwx":  "l0777",
		"crw-rw-rw-+": "c0666",
		"prw-------":  "p0600",
		"srwxr-xr-x@": "s0755",
		"----------":  "-0000",
	} {
		typ, p, err := parseLsMode(in)
		if err != nil || string(typ)+octal(p) != want {
			t.Errorf("parseLsMode(%q) = %c %04o %v, want %s", in, typ, p, err, want)
		}
	}
	for _, bad := range []string{"", "drwxr-xr-", "xrwxr-xr-x", "-rwxr-xr-xx", "-rwqr-xr-x", "total"} {
		if _, _, err := parseLsMode(bad); err == nil {
			t.Errorf("parseLsMode(%q): no error", bad)
		}
	}
	if octal(0o644) != "0644" || strconv.Itoa(0) != "0" {
		t.Error("octal")
	}
}
