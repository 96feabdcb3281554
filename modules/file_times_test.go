package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTouchStamp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ v, f, want, err string }{
		{"202001021504.05", defaultTimeFormat, "202001021504.05", ""},
		{"2020-01-02 3:04 PM", "%Y-%m-%d %I:%M %p", "202001021504.00", ""},
		{"02 Jan 99", "%d %b %y", "199901020000.00", ""},
		{"02 January 20", "%d %B %y", "202001020000.00", ""},
		{"2020", "%Y%%", "", "does not match"},
		{"202013021504.05", defaultTimeFormat, "", "out of range"},
		{"20200102", defaultTimeFormat, "", "does not match"},
		{"2020010215040", "%Y%m%d%H%M%S", "202001021504.00", ""},
		{"2020x", "%Y", "", "unconverted data remains"},
		{"1", "%j", "", "does not read"},
	} {
		got, err := touchStamp(c.v, c.f)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q %q: %q %v, want error %q", c.v, c.f, got, err, c.err)
			}
		} else if err != nil || got != c.want {
			t.Errorf("%q %q: %q %v, want %q", c.v, c.f, got, err, c.want)
		}
	}
}

func TestFileTimes(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		p := filepath.Join(dir, "f")
		// touch with both times preserved creates the file once, then
		// changes nothing.
		m, task := mkTask(t, "file", map[string]any{"path": p, "state": "touch", "modification_time": "preserve", "access_time": "preserve"})
		converge(t, sh, m, task)
		// The default (now) always changes.
		m, task = mkTask(t, "file", map[string]any{"path": p, "state": "touch"})
		for i := 0; i < 2; i++ {
			if ch, _, err := probePlan(t, sh, m, task); err != nil || ch == nil || !hasDiff(ch, "times", "", "now") {
				t.Fatalf("%s: touch: %v %+v", sh.name, err, ch)
			}
		}
		// A timestamp, in the host's local time.
		m, task = mkTask(t, "file", map[string]any{"path": p, "modification_time": "2001-02-03 04:05:06", "modification_time_format": "%Y-%m-%d %H:%M:%S",
			"access_time": "200102030405.07"})
		ch, _ := converge(t, sh, m, task)
		if !hasDiff(ch, "mtime", wallClockOf(t, p, false), "2001-02-03 04:05:06.000000000") && len(ch.Diffs) != 2 {
			t.Errorf("%s: diffs %+v", sh.name, ch.Diffs)
		}
		fi, _ := os.Stat(p)
		if want := time.Date(2001, 2, 3, 4, 5, 6, 0, time.Local); !fi.ModTime().Equal(want) {
			t.Errorf("%s: mtime %v, want %v", sh.name, fi.ModTime(), want)
		}
		// mtime now, atime preserved: always a change, and atime stays.
		m, task = mkTask(t, "file", map[string]any{"path": p, "modification_time": "now"})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil || !hasDiff(ch, "mtime", "", "now") {
			t.Fatalf("%s: now: %v %+v", sh.name, err, ch)
		}
		if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
			t.Fatalf("%s: %s", sh.name, out.Stderr)
		}
		if got := wallClockOf(t, p, true); got != "2001-02-03 04:05:07.000000000" {
			t.Errorf("%s: atime %q", sh.name, got)
		}
		// A directory created with times set.
		d := filepath.Join(dir, "d")
		m, task = mkTask(t, "file", map[string]any{"path": d, "state": "directory", "modification_time": "200102030405.06"})
		converge(t, sh, m, task)
		noPwned(t)
	}
}

// wallClockOf is a file's time as stat -c %y prints it, without the zone.
func wallClockOf(t *testing.T, p string, atime bool) string {
	t.Helper()
	f := "%y"
	if atime {
		f = "%x"
	}
	out := shells(t)[0].run(t, "stat -c "+f+" -- "+q(p))
	return wallClock(strings.TrimSpace(string(out.Stdout)))
}

func TestFileAttributesAndSELinux(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := t.TempDir()
		p := filepath.Join(dir, "f")
		writeFile(t, p, "x", 0o644)
		// On a host without SELinux the context arguments change nothing.
		m, task := mkTask(t, "file", map[string]any{"path": p, "setype": "etc_t", "seuser": "system_u", "unsafe_writes": true})
		probe, err := m.Probe(task)
		if err != nil {
			t.Fatal(err)
		}
		out := sh.run(t, probe)
		if _, err := os.Stat("/sys/fs/selinux/enforce"); err != nil {
			if ch, err := m.Plan(task, out); err != nil || ch != nil {
				t.Errorf("%s: se* without SELinux: %v %+v", sh.name, err, ch)
			}
		}
		out.Stdout = []byte(strings.Replace(string(out.Stdout), "selinux=0", "selinux=1", 1))
		if _, err := m.Plan(task, out); err == nil || !strings.Contains(err.Error(), "SELinux is enabled") {
			t.Errorf("%s: se* with SELinux: %v", sh.name, err)
		}
		// Attributes through lsattr and chattr; busybox has neither, and
		// then (as in Ansible) nothing is done.
		m, task = mkTask(t, "file", map[string]any{"path": p, "attributes": "+d"})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil {
			if strings.Contains(err.Error(), "lsattr failed") {
				t.Skipf("no attributes on %s", dir)
			}
			t.Fatal(err)
		}
		if sh.name == "busybox" {
			if ch != nil {
				t.Errorf("busybox: %+v", ch)
			}
			continue
		}
		if ch == nil || !hasDiff(ch, "attributes", "e", "+d") {
			t.Fatalf("%s: %+v", sh.name, ch)
		}
		converge(t, sh, m, task)
		m, task = mkTask(t, "file", map[string]any{"path": p, "attributes": "-d"})
		converge(t, sh, m, task)
		m, task = mkTask(t, "file", map[string]any{"path": p, "attributes": "e"})
		if ch, _, err := probePlan(t, sh, m, task); err != nil || ch != nil {
			t.Errorf("%s: =e: %v %+v", sh.name, err, ch)
		}
	}
}
