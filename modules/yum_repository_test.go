package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRawConfig(t *testing.T) {
	t.Parallel()
	secs, err := parseRawConfig("# c\n[a]\nName : x\nbaseurl = http://1\n  http://2\n\n; c\n[b]\nk=\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := writeRawConfig(secs); got != "[a]\nname = x\nbaseurl = http://1\n\thttp://2\n\n[b]\nk = \n\n" {
		t.Errorf("%q", got)
	}
	for _, bad := range []string{"k = v\n", "[a]\n[a]\n", "[a]\nk=1\nK=2\n", "[a]\njunk\n"} {
		if _, err := parseRawConfig(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestYumRepository(t *testing.T) {
	t.Parallel()
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		t.Run(sh.name, func(t *testing.T) {
			dir := hostileDir(t)
			m, task := mkTask(t, "yum_repository", map[string]any{
				"name": "epel", "description": "EPEL YUM repo", "reposdir": dir,
				"baseurl":  []any{"https://download.example.org/pub/epel/$releasever/", "https://mirror.example/epel/"},
				"gpgcheck": true, "enabled": "no", "exclude": []any{"kernel*", "foo"}, "priority": 10, "mode": "0640",
			})
			ch, res := converge(t, sh, m, task)
			f := filepath.Join(dir, "epel.repo")
			want := "[epel]\nbaseurl = https://download.example.org/pub/epel/$releasever/\n\thttps://mirror.example/epel/\nenabled = 0\nexclude = kernel* foo\ngpgcheck = 1\nname = EPEL YUM repo\npriority = 10\n\n"
			if got := readFile(t, f); got != want {
				t.Fatalf("content %q", got)
			}
			wantMode(t, f, 0o640)
			if !hasDiff(ch, "state", "absent", "file") || res["repo"] != "epel" {
				t.Errorf("diffs %v result %v", ch.Diffs, res)
			}

			// Another section in the same file; the first one moves to the
			// end when it is rewritten, as configparser does.
			m2, task2 := mkTask(t, "yum_repository", map[string]any{"name": "other", "file": "epel", "description": "O", "reposdir": dir, "mirrorlist": "http://m/"})
			converge(t, sh, m2, task2)
			task.Args["enabled"] = true
			converge(t, sh, m, task)
			if got := readFile(t, f); got != "[other]\nmirrorlist = http://m/\nname = O\n\n[epel]\nbaseurl = https://download.example.org/pub/epel/$releasever/\n\thttps://mirror.example/epel/\nenabled = 1\nexclude = kernel* foo\ngpgcheck = 1\nname = EPEL YUM repo\npriority = 10\n\n" {
				t.Fatalf("content %q", got)
			}

			// Only the mode differs: chmod, no rewrite.
			os.Chmod(f, 0o600)
			ch, _ = converge(t, sh, m, task)
			if len(ch.Diffs) != 1 || !hasDiff(ch, "mode", "0600", "0640") {
				t.Errorf("diffs %v", ch.Diffs)
			}

			// absent, twice: the file goes with its last section.
			for _, name := range []string{"epel", "other"} {
				m, task = mkTask(t, "yum_repository", map[string]any{"name": name, "file": "epel", "reposdir": dir, "state": "absent"})
				converge(t, sh, m, task)
			}
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("not removed: %v", err)
			}
			noLeftovers(t, dir)

			// Passwords are written, never shown.
			m, task = mkTask(t, "yum_repository", map[string]any{"name": "p", "description": "P", "baseurl": "http://p/", "reposdir": dir, "password": "s3cret-pw"})
			ch, res = converge(t, sh, m, task)
			if !strings.Contains(readFile(t, filepath.Join(dir, "p.repo")), "password = s3cret-pw\n") || strings.Contains(fmt.Sprint(ch.Diffs, res), "s3cret-pw") {
				t.Errorf("diffs %v result %v", ch.Diffs, res)
			}

			m, task = mkTask(t, "yum_repository", map[string]any{"name": "x", "description": "x", "baseurl": "http://x", "reposdir": dir + "/missing"})
			planErr(t, sh, m, task, "Repo directory")
		})
	}
}
