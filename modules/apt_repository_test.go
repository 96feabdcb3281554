package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAptSuggestFilename(t *testing.T) {
	t.Parallel()
	for repo, want := range map[string]string{
		"deb http://dl.google.com/linux/chrome/deb/ stable main":                         "dl_google_com_linux_chrome_deb.list",
		"deb [arch=amd64 signed-by=/k.gpg] https://u:p@download.docker.com/linux stable": "download_docker_com_linux.list",
		"deb-src  http://archive.canonical.com/ubuntu   hardy partner":                   "archive_canonical_com_ubuntu.list",
	} {
		if got := aptSuggestFilename(parseAptSourceLine(repo).source, ""); got != want {
			t.Errorf("%q: %q, want %q", repo, got, want)
		}
	}
	if got := aptSuggestFilename("deb http://x y", "mine"); got != "mine.list" {
		t.Errorf("filename: %q", got)
	}
}

func TestAptSourceLineDump(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"deb   http://a  b c # note  \n": "deb http://a b c # note\n",
		"#deb http://a b\n":              "# deb http://a b\n",
		"## hello # world\n":             "# # hello # world\n",
		"\n":                             "\n",
		"   junk words\n":                "junk words\n",
	} {
		if got := parseAptSourceLine(in).String(); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func aptRepoMod(t *testing.T, root string, raw map[string]any) (Module, *Task) {
	t.Helper()
	_, task := mkTask(t, "apt_repository", raw)
	return aptRepositoryModule{root: root, aptGet: filepath.Join(root, "apt-get")}, task
}

func TestAptRepository(t *testing.T) {
	t.Parallel()
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		t.Run(sh.name, func(t *testing.T) {
			root := hostileDir(t)
			d := filepath.Join(root, "etc/apt/sources.list.d")
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			main := filepath.Join(root, "etc/apt/sources.list")
			writeFile(t, main, "deb http://deb.debian.org/debian bookworm main\n#deb  http://old.example/x  y z\n", 0o640)
			repo := "deb [arch=amd64] https://download.example.com/linux/debian bookworm stable"
			m, task := aptRepoMod(t, root, map[string]any{"repo": repo, "update_cache": false, "mode": "0600"})
			ch, res := converge(t, sh, m, task)
			f := filepath.Join(d, "download_example_com_linux_debian.list")
			if got := readFile(t, f); got != repo+"\n" {
				t.Fatalf("content %q", got)
			}
			wantMode(t, f, 0o600)
			if !hasDiff(ch, "content", "", repo+"\n") || res["repo"] != repo || res["state"] != "present" {
				t.Errorf("diffs %v result %v", ch.Diffs, res)
			}
			noLeftovers(t, d)

			// A commented-out line is enabled where it is, and the file
			// keeps its mode.
			m, task = aptRepoMod(t, root, map[string]any{"repo": "deb http://old.example/x y z", "update_cache": false})
			converge(t, sh, m, task)
			if got := readFile(t, main); got != "deb http://deb.debian.org/debian bookworm main\ndeb http://old.example/x y z\n" {
				t.Fatalf("sources.list %q", got)
			}
			wantMode(t, main, 0o640)

			// absent: the line goes, and the file with it.
			m, task = aptRepoMod(t, root, map[string]any{"repo": repo, "state": "absent", "update_cache": false})
			ch, _ = converge(t, sh, m, task)
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("%s not removed: %v", f, err)
			}
			if !hasDiff(ch, "state", "file", "absent") {
				t.Errorf("diffs %v", ch.Diffs)
			}

			// update_cache: apt-get update runs; when it fails the file
			// goes back as it was.
			writeFile(t, filepath.Join(root, "apt-get"), "#!/bin/sh\necho \"$@\" >> \"${0%/*}/ran\"\n[ ! -e \"${0%/*}/fail\" ] || { echo 'E: no network'; exit 100; }\n", 0o755)
			m, task = aptRepoMod(t, root, map[string]any{"repo": repo, "filename": "docker"})
			converge(t, sh, m, task)
			if got := readFile(t, filepath.Join(root, "ran")); got != "update -q\nupdate -q\n" {
				t.Errorf("apt-get ran %q", got)
			}
			if _, err := os.Stat(filepath.Join(root, "var/lib/apt/periodic/update-success-stamp")); err != nil {
				t.Error(err)
			}
			writeFile(t, filepath.Join(root, "fail"), "", 0o644)
			m, task = aptRepoMod(t, root, map[string]any{"repo": "deb http://other.example/ x y", "filename": "docker"})
			ch, _, err := probePlan(t, sh, m, task)
			if err != nil || ch == nil {
				t.Fatalf("plan %v %v", ch, err)
			}
			out := sh.run(t, ch.Apply)
			res, _ = ch.Result(out)
			if out.ExitCode == 0 || !strings.Contains(res["msg"].(string), "Failed to update apt cache: E: no network") {
				t.Errorf("apply %d %v", out.ExitCode, res)
			}
			if got := readFile(t, filepath.Join(d, "docker.list")); got != repo+"\n" {
				t.Errorf("not reverted: %q", got)
			}
			noLeftovers(t, d)
		})
	}
}

func TestAptRepositoryRefuses(t *testing.T) {
	t.Parallel()
	for _, raw := range []map[string]any{
		{"repo": "ppa:nginx/stable"},
		{"repo": "http://x y z"},
		{"repo": "# deb http://x y z"},
	} {
		m, task := mkTask(t, "apt_repository", raw)
		if _, err := m.Probe(task); err == nil {
			t.Errorf("%v: no error", raw)
		}
	}
}
