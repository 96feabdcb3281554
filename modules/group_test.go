package modules

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func newGroupTask(t testing.TB, root, backend string, args map[string]any) (Module, *Task) {
	t.Helper()
	_, task := mkTask(t, "group", args)
	return groupModule{env: acctEnv{root: root, lockTries: 2}, backend: backend}, task
}

func TestGroupFilesLifecycle(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		t.Run(sh.name, func(t *testing.T) {
			t.Parallel()
			root := fakeRoot(t, sh.name != "bash")
			m, task := newGroupTask(t, root, "files", map[string]any{"name": "devs"})
			ch, res := converge(t, sh, m, task)
			if got := acctLine(t, root, "group", "devs"); got != "devs:x:1001:" {
				t.Errorf("group: %q", got)
			}
			if got := acctLine(t, root, "gshadow", "devs"); got != "devs:!::" {
				t.Errorf("gshadow: %q", got)
			}
			if res["gid"] != 1001 || res["state"] != "present" || res["system"] != false || !hasDiff(ch, "state", "absent", "present") {
				t.Errorf("result %v, diffs %v", res, ch.Diffs)
			}
			m, task = newGroupTask(t, root, "files", map[string]any{"name": "devs", "gid": "2000"})
			ch, res = converge(t, sh, m, task)
			if got := acctLine(t, root, "group", "devs"); got != "devs:x:2000:" || res["gid"] != 2000 || !hasDiff(ch, "gid", "1001", "2000") {
				t.Errorf("group: %q, result %v, diffs %v", got, res, ch.Diffs)
			}
			r := settled(t, sh, m, task)
			if r["gid"] != 2000 || r["name"] != "devs" {
				t.Errorf("report %v", r)
			}
			m, task = newGroupTask(t, root, "files", map[string]any{"name": "sysg", "system": true})
			converge(t, sh, m, task)
			if got := acctLine(t, root, "group", "sysg"); got != "sysg:x:999:" {
				t.Errorf("system group: %q", got)
			}
			for _, n := range []string{"devs", "sysg"} {
				m, task = newGroupTask(t, root, "files", map[string]any{"name": n, "state": "absent"})
				converge(t, sh, m, task)
			}
			if got := readFile(t, filepath.Join(root, "etc/group")); got != fakeGroup {
				t.Errorf("group after all: %q", got)
			}
			if got := readFile(t, filepath.Join(root, "etc/gshadow")); got != fakeGshad {
				t.Errorf("gshadow after all: %q", got)
			}
			m, task = newGroupTask(t, root, "files", map[string]any{"name": "nothere", "state": "absent"})
			settled(t, sh, m, task)
		})
	}
}

func TestGroupErrors(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root := fakeRoot(t, false)
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "devs", "gid": 10}, "GID '10' already exists"},
		{map[string]any{"name": "audio", "gid": 0}, "GID '0' already exists"},
		{map[string]any{"name": "alice", "state": "absent"}, "cannot remove the primary group of user 'alice'"},
	} {
		m, task := newGroupTask(t, root, "files", c.args)
		planErr(t, sh, m, task, c.want)
	}
	m, task := newGroupTask(t, root, "files", map[string]any{"name": "devs", "gid": 10, "non_unique": true})
	converge(t, sh, m, task)
	if got := acctLine(t, root, "group", "devs"); got != "devs:x:10:" {
		t.Errorf("group: %q", got)
	}
	for _, bad := range []string{"-x", "a:b", "a b", "123", "x\ny", strings.Repeat("a", 33)} {
		_, task := mkTask(t, "group", map[string]any{"name": bad})
		if _, err := (groupModule{}).Probe(task); err == nil || !strings.Contains(err.Error(), "invalid group name") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// The shadow backend runs groupadd, groupmod and groupdel for real on a fake
// root (--prefix), under the shells that have them.
func TestGroupShadow(t *testing.T) {
	t.Parallel()
	needRoot(t)
	for _, sh := range matrix(t) {
		if sh.name == "busybox" {
			continue
		}
		root := fakeRoot(t, false)
		m, task := newGroupTask(t, root, "shadow", map[string]any{"name": "devs", "gid": 3000})
		ch, res := converge(t, sh, m, task)
		if !strings.Contains(ch.Apply, "groupadd --prefix") || res["gid"] != 3000 {
			t.Errorf("%s: %v\n%s", sh.name, res, ch.Apply)
		}
		m, task = newGroupTask(t, root, "shadow", map[string]any{"name": "devs", "gid": 3001})
		converge(t, sh, m, task)
		m, task = newGroupTask(t, root, "shadow", map[string]any{"name": "devs", "state": "absent"})
		converge(t, sh, m, task)
		if got := readFile(t, filepath.Join(root, "etc/group")); got != fakeGroup {
			t.Errorf("%s: group after all: %q", sh.name, got)
		}
	}
}

// nextID allocates as useradd does.
func TestNextID(t *testing.T) {
	t.Parallel()
	used := func(ids ...int64) map[int64]bool {
		m := map[int64]bool{}
		for _, i := range ids {
			m[i] = true
		}
		return m
	}
	for _, c := range []struct {
		used   map[int64]bool
		lo, hi int64
		system bool
		want   string
	}{
		{used(0, 1, 65534), 1000, 60000, false, "1000"},
		{used(0, 1000, 1001, 1005), 1000, 60000, false, "1006"},
		{used(1000, 60000), 1000, 60000, false, "1001"},
		{used(0, 1, 65534), 100, 999, true, "999"},
		{used(999, 998, 995), 100, 999, true, "994"},
		{used(100, 999), 100, 999, true, "998"},
		{used(100, 101), 100, 101, true, "error"},
	} {
		n, err := nextID(c.used, c.lo, c.hi, c.system)
		got := strconv.FormatInt(n, 10)
		if err != nil {
			got = "error"
		}
		if got != c.want {
			t.Errorf("%v [%d,%d] system=%v: %s, want %s", c.used, c.lo, c.hi, c.system, got, c.want)
		}
	}
}
