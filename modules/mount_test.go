package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fstab0 = "# fstab\nUUID=abc / ext4 errors=remount-ro 0 1\n/dev/sdb1 /srv/data ext4 defaults\n/dev/sdc1 /srv/data xfs defaults 0 0\nnone none swap sw 0 0\n/dev/x /a\\040b ext4 rw 0 0"

// fstabSet and fstabUnset against what ansible.posix 1.5's mount wrote for
// the same file (recorded with ansible -m, states present and
// absent_from_fstab, on a temporary fstab).
func TestFstabRecorded(t *testing.T) {
	t.Parallel()
	mk := func(raw map[string]any) mountArgs {
		_, task := mkTask(t, "mount", raw)
		a, err := readMountArgs(task.Args)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, c := range []struct {
		raw     map[string]any
		after   string
		changed bool
	}{
		{map[string]any{"path": "/srv/data", "src": "/dev/sdb1", "fstype": "ext4", "state": "present"},
			"# fstab\nUUID=abc / ext4 errors=remount-ro 0 1\n/dev/sdb1 /srv/data ext4 defaults 0 0\n/dev/sdb1 /srv/data ext4 defaults 0 0\nnone none swap sw 0 0\n/dev/x /a\\040b ext4 rw 0 0\n", true},
		{map[string]any{"path": "/srv/new", "src": "/dev/sdd1", "fstype": "ext4", "opts": "noatime,nodev", "boot": false, "state": "present"},
			"# fstab\nUUID=abc / ext4 errors=remount-ro 0 1\n/dev/sdb1 /srv/data ext4 defaults\n/dev/sdc1 /srv/data xfs defaults 0 0\nnone none swap sw 0 0\n/dev/x /a\\040b ext4 rw 0 0\n/dev/sdd1 /srv/new ext4 noatime,nodev,noauto 0 0\n", true},
		{map[string]any{"path": "/a b", "src": "/dev/x", "fstype": "ext4", "opts": "rw", "state": "present"}, fstab0 + "\n", false},
		{map[string]any{"path": "none", "src": "/dev/sw2", "fstype": "swap", "opts": "sw", "state": "present"},
			fstab0 + "\n/dev/sw2 none swap sw 0 0\n", true},
	} {
		after, changed := fstabSet(fstab0, mk(c.raw))
		if after != c.after || changed != c.changed {
			t.Errorf("%v:\n got %q %v\nwant %q %v", c.raw, after, changed, c.after, c.changed)
		}
	}
	after, changed := fstabUnset(fstab0, mk(map[string]any{"path": "/srv/data", "state": "absent_from_fstab"}))
	if want := "# fstab\nUUID=abc / ext4 errors=remount-ro 0 1\n/dev/sdb1 /srv/data ext4 defaults\nnone none swap sw 0 0\n/dev/x /a\\040b ext4 rw 0 0"; after != want || !changed {
		t.Errorf("unset: %q %v", after, changed)
	}
}

func TestParseMountinfo(t *testing.T) {
	t.Parallel()
	info := "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n42 22 0:35 / /tmp rw shared:1 - tmpfs tmpfs rw\n78 42 0:35 /aaa /tmp/b\\040b rw - tmpfs tmpfs rw\n"
	m := parseMountinfo(info)
	if m["/"].src != "/dev/sda1" || m["/tmp"].src != "/" || m["/tmp/b b"].src != "/tmp/aaa" || m["/tmp/b b"].fs != "tmpfs" {
		t.Errorf("%+v", m)
	}
}

// mountRoot is a root with fake mount and umount (by path) that keep a
// mountinfo file: mount [-T FSTAB] DIR looks DIR up in the fstab, mount
// -t TYPE [-o OPTS] SRC DIR mounts SRC; /dev/bad never mounts.
func mountRoot(t *testing.T) (string, mountModule) {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"etc", "bin", "srv"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m := mountModule{root: root, mountCmd: filepath.Join(root, "bin/mount"), umountCmd: filepath.Join(root, "bin/umount"), mountinfo: filepath.Join(root, "mountinfo")}
	r := shQuoteTest(root)
	writeFile(t, m.mountinfo, "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n", 0o644)
	writeFile(t, filepath.Join(root, "etc/fstab"), "# fstab\nUUID=abc / ext4 defaults 0 1\n", 0o644)
	writeFile(t, m.mountCmd, "#!/bin/sh\nR="+r+`
echo "mount $*" >> "$R/log"
F=$R/etc/fstab; T=; S=; remount=
while [ $# -gt 1 ]; do
	case $1 in
	-T) F=$2; shift ;;
	-t) T=$2; shift ;;
	-o) case $2 in remount*) remount=1 ;; esac; shift ;;
	*) S=$1 ;;
	esac
	shift
done
D=${1#"$R"}
if [ -n "$remount" ]; then grep -q " $D rw " "$R/mountinfo"; exit; fi
if [ -z "$T" ]; then set -- $(awk -v d="$D" '$2 == d { print $1, $3 }' "$F"); S=$1; T=$2; fi
[ -n "$S" ] && [ "$S" != /dev/bad ] || { echo "mount: $D: special device $S does not exist." >&2; exit 32; }
printf '99 22 0:99 / %s rw - %s %s rw\n' "$D" "$T" "$S" >> "$R/mountinfo"
`, 0o755)
	writeFile(t, m.umountCmd, "#!/bin/sh\nR="+r+`
echo "umount $*" >> "$R/log"
D=${1#"$R"}
grep -q " $D rw " "$R/mountinfo" || { echo "umount: $D: not mounted." >&2; exit 32; }
awk -v d="$D" '$5 != d' "$R/mountinfo" > "$R/mountinfo.new" && mv "$R/mountinfo.new" "$R/mountinfo"
`, 0o755)
	return root, m
}

func mountTask(t *testing.T, raw map[string]any) *Task {
	_, task := mkTask(t, "mount", raw)
	return task
}

func TestMountConverges(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		root, m := mountRoot(t)
		fstab := filepath.Join(root, "etc/fstab")
		task := mountTask(t, map[string]any{"path": "/srv/data/x", "src": "/dev/sdb1", "fstype": "ext4", "state": "mounted"})
		ch, res := converge(t, sh, m, task)
		if got := readFile(t, fstab); got != "# fstab\nUUID=abc / ext4 defaults 0 1\n/dev/sdb1 /srv/data/x ext4 defaults 0 0\n" {
			t.Errorf("%s: fstab %q", sh.name, got)
		}
		if !strings.Contains(readFile(t, m.mountinfo), " /srv/data/x rw - ext4 /dev/sdb1 ") {
			t.Errorf("%s: not mounted: %q", sh.name, readFile(t, m.mountinfo))
		}
		if !hasDiff(ch, "state", "absent", "directory") || !hasDiff(ch, "mounted", "no", "yes") || res["opts"] != "defaults" || res["boot"] != "yes" || res["src"] != "/dev/sdb1" {
			t.Errorf("%s: %+v %v", sh.name, ch.Diffs, res)
		}
		// New options: fstab changes and the mount is remounted.
		task = mountTask(t, map[string]any{"path": "/srv/data/x", "src": "/dev/sdb1", "fstype": "ext4", "opts": "noatime", "state": "mounted", "backup": true})
		ch, res = converge(t, sh, m, task)
		if !hasDiff(ch, "mounted", "yes", "remounted") || !strings.Contains(readFile(t, filepath.Join(root, "log")), "mount -o remount "+root+"/srv/data/x") {
			t.Errorf("%s: %+v %q", sh.name, ch.Diffs, readFile(t, filepath.Join(root, "log")))
		}
		if b, _ := res["backup_file"].(string); !strings.HasPrefix(b, "/etc/fstab.") {
			t.Errorf("%s: result %v", sh.name, res)
		}
		converge(t, sh, m, mountTask(t, map[string]any{"path": "/srv/data/x", "state": "unmounted"}))
		if strings.Contains(readFile(t, m.mountinfo), "/srv/data/x") {
			t.Errorf("%s: still mounted", sh.name)
		}
		converge(t, sh, m, mountTask(t, map[string]any{"path": "/srv/data/x", "state": "absent"}))
		if got := readFile(t, fstab); got != "# fstab\nUUID=abc / ext4 defaults 0 1\n" {
			t.Errorf("%s: fstab %q", sh.name, got)
		}
		if _, err := os.Stat(filepath.Join(root, "srv/data/x")); err == nil {
			t.Errorf("%s: mount point not removed", sh.name)
		}
		// A mount that fails puts fstab back and removes the folders made.
		task = mountTask(t, map[string]any{"path": "/srv/bad/y", "src": "/dev/bad", "fstype": "ext4", "state": "mounted"})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatalf("%s: %v %v", sh.name, ch, err)
		}
		r, _ := ch.Result(sh.run(t, ch.Apply))
		if r["failed"] != true || !strings.Contains(r["msg"].(string), "Error mounting /srv/bad/y: mount: ") {
			t.Errorf("%s: result %v", sh.name, r)
		}
		if got := readFile(t, fstab); got != "# fstab\nUUID=abc / ext4 defaults 0 1\n" {
			t.Errorf("%s: fstab not put back: %q", sh.name, got)
		}
		if _, err := os.Stat(filepath.Join(root, "srv/bad")); err == nil {
			t.Errorf("%s: folders made are left", sh.name)
		}
		noLeftovers(t, filepath.Join(root, "etc"))
		noPwned(t)
	}
}

// ephemeral mounts with -t and -o, leaves fstab alone, and (as Ansible)
// remounts every run once mounted; another source there is an error.
func TestMountEphemeral(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root, m := mountRoot(t)
	task := mountTask(t, map[string]any{"path": "/srv/e", "src": "/dev/sdc1", "fstype": "xfs", "opts": "ro", "state": "ephemeral"})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil {
		t.Fatal(ch, err)
	}
	if out := sh.run(t, ch.Apply); out.ExitCode != 0 {
		t.Fatalf("%s", out.Stderr)
	}
	if log := readFile(t, filepath.Join(root, "log")); log != "mount -t xfs -o ro /dev/sdc1 "+root+"/srv/e\n" {
		t.Errorf("log %q", log)
	}
	if readFile(t, filepath.Join(root, "etc/fstab")) != "# fstab\nUUID=abc / ext4 defaults 0 1\n" {
		t.Error("fstab changed")
	}
	ch, _, err = probePlan(t, sh, m, task)
	if err != nil || ch == nil || !hasDiff(ch, "mounted", "yes", "remounted") {
		t.Errorf("again: %v %v", ch, err)
	}
	task = mountTask(t, map[string]any{"path": "/srv/e", "src": "/dev/other", "fstype": "xfs", "state": "ephemeral"})
	planErr(t, sh, m, task, "Ephemeral mount point is already mounted with a different source")
	// remounted always acts.
	ch, _, err = probePlan(t, sh, m, mountTask(t, map[string]any{"path": "/srv/e", "state": "remounted"}))
	if err != nil || ch == nil {
		t.Errorf("remounted: %v %v", ch, err)
	}
}

func TestMountArgs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"path": "/m", "state": "mounted", "src": "/dev/x"}, "missing: fstype"},
		{map[string]any{"path": "m", "state": "unmounted"}, "absolute"},
		{map[string]any{"path": "/m", "state": "present", "src": "/dev/x", "fstype": "ext4", "opts": "a b"}, "cannot be an fstab field"},
		{map[string]any{"path": "/m\nx", "state": "unmounted"}, "newline"},
	} {
		m, task := mkTask(t, "mount", c.raw)
		if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.raw, err, c.want)
		}
	}
}
