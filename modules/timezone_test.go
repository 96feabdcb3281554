package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tzRoot is a root with two zone files, /etc/timezone and a link from
// /etc/localtime, and fake commands (run by path, never the host's):
// timedatectl keeps its state in files, hwclock writes adjtime,
// dpkg-reconfigure logs its arguments.
func tzRoot(t *testing.T, systemd bool) (string, timezoneModule) {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"usr/share/zoneinfo/Etc", "usr/share/zoneinfo/Europe", "etc/default", "bin", "state"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(root, "usr/share/zoneinfo/Etc/UTC"), "TZif utc", 0o644)
	writeFile(t, filepath.Join(root, "usr/share/zoneinfo/Europe/Paris"), "TZif paris", 0o644)
	writeFile(t, filepath.Join(root, "etc/timezone"), "Etc/UTC\n", 0o644)
	writeFile(t, filepath.Join(root, "etc/default/rcS"), "# rcS\nUTC=yes\n", 0o644)
	writeFile(t, filepath.Join(root, "etc/adjtime"), "0.0 0 0.0\n0\nUTC\n", 0o644)
	if err := os.Symlink(root+"/usr/share/zoneinfo/Etc/UTC", filepath.Join(root, "etc/localtime")); err != nil {
		t.Fatal(err)
	}
	st := shQuoteTest(filepath.Join(root, "state"))
	writeFile(t, filepath.Join(root, "state/tz"), "Etc/UTC", 0o644)
	writeFile(t, filepath.Join(root, "state/rtc"), "no", 0o644)
	m := timezoneModule{root: root, hwclock: filepath.Join(root, "bin/hwclock"), dpkgReconfigure: filepath.Join(root, "bin/dpkg-reconfigure"),
		timedatectl: filepath.Join(root, "bin/timedatectl")}
	writeFile(t, m.hwclock, "#!/bin/sh\nL=UTC; [ \"$2\" = --localtime ] && L=LOCAL\nprintf '0.0 0 0.0\\n0\\n%s\\n' $L > "+shQuoteTest(root+"/etc/adjtime")+"\n", 0o755)
	writeFile(t, m.dpkgReconfigure, "#!/bin/sh\necho \"$*\" >> "+st+"/dpkg.log\n", 0o755)
	if systemd {
		writeFile(t, m.timedatectl, "#!/bin/sh\nS="+st+`
case $1 in
''|status) printf '               Local time: Mon 2025-01-06 10:00:00 UTC\n                Time zone: %s (UTC, +0000)\n          RTC in local TZ: %s\n' "$(cat $S/tz)" "$(cat $S/rtc)" ;;
set-timezone) printf '%s' "$2" > $S/tz ;;
set-local-rtc) printf '%s' "$2" > $S/rtc ;;
*) exit 1 ;;
esac
`, 0o755)
	}
	return root, m
}

func tzTaskOf(t *testing.T, raw map[string]any) *Task {
	_, task := mkTask(t, "timezone", raw)
	return task
}

func TestTimezoneSystemd(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		root, m := tzRoot(t, true)
		task := tzTaskOf(t, map[string]any{"name": "Europe/Paris", "rtc": "local"})
		ch, res := converge(t, sh, m, task)
		if got := readFile(t, filepath.Join(root, "state/tz")) + " " + readFile(t, filepath.Join(root, "state/rtc")); got != "Europe/Paris yes" {
			t.Errorf("%s: timedatectl state %q", sh.name, got)
		}
		if !hasDiff(ch, "name", "Etc/UTC", "Europe/Paris") || !hasDiff(ch, "hwclock", "UTC", "local") {
			t.Errorf("%s: diffs %+v", sh.name, ch.Diffs)
		}
		if res["msg"] != "executed `timedatectl set-local-rtc yes`\nexecuted `timedatectl set-timezone Europe/Paris`" {
			t.Errorf("%s: result %v", sh.name, res)
		}
		// The files are left to timedatectl.
		if readFile(t, filepath.Join(root, "etc/timezone")) != "Etc/UTC\n" {
			t.Errorf("%s: /etc/timezone edited", sh.name)
		}
		planErr(t, sh, m, tzTaskOf(t, map[string]any{"name": "Mars/Olympus"}), `given timezone "Mars/Olympus" is not available`)
	}
}

func TestTimezoneDebianFiles(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		root, m := tzRoot(t, false)
		task := tzTaskOf(t, map[string]any{"name": "Europe/Paris", "hwclock": "local"})
		ch, res := converge(t, sh, m, task)
		if got := readFile(t, filepath.Join(root, "etc/timezone")); got != "Europe/Paris\n" {
			t.Errorf("%s: /etc/timezone %q", sh.name, got)
		}
		if l, _ := os.Readlink(filepath.Join(root, "etc/localtime")); l != root+"/usr/share/zoneinfo/Europe/Paris" {
			t.Errorf("%s: link %q", sh.name, l)
		}
		if got := readFile(t, filepath.Join(root, "etc/default/rcS")); got != "# rcS\nUTC=no\n" {
			t.Errorf("%s: rcS %q", sh.name, got)
		}
		if got := readFile(t, filepath.Join(root, "state/dpkg.log")); got != "--frontend noninteractive tzdata\n" {
			t.Errorf("%s: dpkg-reconfigure ran %q", sh.name, got)
		}
		if !hasDiff(ch, "name", "Etc/UTC", "Europe/Paris") || !hasDiff(ch, "hwclock", "UTC", "local") ||
			!strings.Contains(res["msg"].(string), "Added 1 line and deleted 1 line(s) on /etc/timezone") {
			t.Errorf("%s: %+v %v", sh.name, ch.Diffs, res)
		}
		// /etc/timezone right but the link elsewhere: the link's zone is
		// the current one; a broken link's is n/a.
		for target, before := range map[string]string{"/usr/share/zoneinfo/Etc/UTC": "Etc/UTC", "/usr/share/zoneinfo/Nowhere": "n/a"} {
			os.Remove(filepath.Join(root, "etc/localtime"))
			os.Symlink(root+target, filepath.Join(root, "etc/localtime"))
			ch, _, err := probePlan(t, sh, m, tzTaskOf(t, map[string]any{"name": "Europe/Paris"}))
			if err != nil || ch == nil || !hasDiff(ch, "name", before, "Europe/Paris") {
				t.Errorf("%s: link to %s: %v %v", sh.name, target, ch, err)
			}
		}
		// Not Debian: a clear error.
		m.dpkgReconfigure = filepath.Join(root, "no-dpkg")
		planErr(t, sh, m, tzTaskOf(t, map[string]any{"name": "Europe/Paris"}), "tend sets the time zone without systemd on Debian only")
		noPwned(t)
	}
}

func TestTimezoneArgs(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"../../etc/passwd", "/etc/passwd", "Europe/Paris x", "a/../b"} {
		if _, err := (timezoneModule{}).Probe(tzTaskOf(t, map[string]any{"name": n})); err == nil {
			t.Errorf("%q accepted", n)
		}
	}
	if _, errs := (timezoneModule{}).Spec().Check(map[string]any{}, false); len(errs) == 0 {
		t.Error("neither name nor hwclock accepted")
	}
}
