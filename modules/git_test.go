package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitShells are dash, and busybox sh with git added to its PATH.
func gitShells(t *testing.T) []testShell {
	all := shells(t)
	g, err := exec.LookPath("git")
	if err != nil {
		t.Fatal("git not found: apt-get install git")
	}
	dir := t.TempDir()
	if err := os.Symlink(g, filepath.Join(dir, "git")); err != nil {
		t.Fatal(err)
	}
	bb := all[1]
	env := append([]string{}, bb.env[:len(bb.env)-1]...)
	env = append(env, "PATH="+dir+":"+strings.TrimPrefix(bb.env[len(bb.env)-1], "PATH="))
	return []testShell{all[0], {name: "busybox+git", argv: bb.argv, env: env}}
}

// gitRun runs git in dir with a fixed identity and returns its output.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// gitFixture makes a bare repository with main (two commits), an
// annotated tag v1 on the first, and a branch dev; it returns the bare
// repository, the work tree that pushes to it, and the commits.
func gitFixture(t *testing.T) (bare, work string, first, second, dev string) {
	root := t.TempDir()
	bare, work = filepath.Join(root, "bare.git"), filepath.Join(root, "work")
	gitRun(t, root, "init", "-q", "--bare", "-b", "main", bare)
	gitRun(t, root, "init", "-q", "-b", "main", work)
	commit := func(name, content string) string {
		writeFile(t, filepath.Join(work, name), content, 0o644)
		gitRun(t, work, "add", name)
		gitRun(t, work, "commit", "-q", "-m", name)
		return gitRun(t, work, "rev-parse", "HEAD")
	}
	first = commit("a", "1\n")
	gitRun(t, work, "tag", "-a", "-m", "v1", "v1")
	second = commit("b", "2\n")
	gitRun(t, work, "checkout", "-q", "-b", "dev")
	dev = commit("c", "3\n")
	gitRun(t, work, "checkout", "-q", "main")
	gitRun(t, work, "push", "-q", "--tags", bare, "main", "dev")
	return
}

func TestGit(t *testing.T) {
	t.Parallel()
	bare, work, first, second, dev := gitFixture(t)
	for _, sh := range matrixOf(t, gitShells(t)) {
		t.Run(sh.name, func(t *testing.T) {
			dest := filepath.Join(hostileDir(t), "sub", "clone")
			raw := map[string]any{"repo": bare, "dest": dest}
			m, task := mkTask(t, "git", raw)
			ch, res := converge(t, sh, m, task)
			if got := gitRun(t, dest, "rev-parse", "HEAD"); got != second || res["after"] != second || res["before"] != nil || res["changed"] != true {
				t.Fatalf("HEAD %s, result %v", got, res)
			}
			if !hasDiff(ch, "version", "", second) || !hasDiff(ch, "state", "absent", "directory") {
				t.Errorf("diffs %v", ch.Diffs)
			}
			if r := settled(t, sh, m, task); r["before"] != second || r["after"] != second || r["remote_url_changed"] != false {
				t.Errorf("report %v", r)
			}

			// An annotated tag, a branch, a commit.
			for _, c := range []struct{ version, want string }{{"v1", first}, {"dev", dev}, {first[:10], first}, {"main", second}} {
				raw["version"] = c.version
				m, task = mkTask(t, "git", raw)
				_, res = converge(t, sh, m, task)
				if got := gitRun(t, dest, "rev-parse", "HEAD"); got != c.want || res["after"] != c.want {
					t.Fatalf("%s: HEAD %s, result %v", c.version, got, res)
				}
			}
			if b := gitRun(t, dest, "symbolic-ref", "--short", "HEAD"); b != "main" {
				t.Errorf("on %s", b)
			}
			if sh.name != "dash" {
				return // the rest is git's work more than the shell's
			}

			// Local changes: refused, unless force.
			writeFile(t, filepath.Join(dest, "a"), "changed\n", 0o644)
			writeFile(t, filepath.Join(dest, "untracked"), "x\n", 0o644)
			planErr(t, sh, m, task, "Local modifications exist in the destination")
			raw["force"] = true
			m, task = mkTask(t, "git", raw)
			ch, res = converge(t, sh, m, task)
			if readFile(t, filepath.Join(dest, "a")) != "1\n" || res["changed"] != true || !hasDiff(ch, "local_modifications", "present", "reset") {
				t.Errorf("result %v diffs %v", res, ch.Diffs)
			}
			delete(raw, "force")

			// Another remote URL is changed back.
			gitRun(t, dest, "remote", "set-url", "origin", "file:///elsewhere")
			m, task = mkTask(t, "git", raw)
			ch, res = converge(t, sh, m, task)
			if res["remote_url_changed"] != true || !hasDiff(ch, "remote_url", "file:///elsewhere", "file://"+bare) || res["changed"] != true {
				t.Errorf("result %v diffs %v", res, ch.Diffs)
			}

			// Check mode sees a new commit on the remote before fetching it.
			writeFile(t, filepath.Join(work, "d"), sh.name+"\n", 0o644)
			gitRun(t, work, "add", "d")
			gitRun(t, work, "commit", "-q", "-m", "d")
			third := gitRun(t, work, "rev-parse", "HEAD")
			gitRun(t, work, "push", "-q", bare, "main")
			defer gitRun(t, work, "push", "-q", "--force", bare, second+":refs/heads/main")
			ch, _, err := probePlan(t, sh, m, task)
			if err != nil || ch == nil || !hasDiff(ch, "version", second, third) {
				t.Fatalf("plan %v %v", ch, err)
			}
			converge(t, sh, m, task)
			gitRun(t, work, "reset", "-q", "--hard", second)

			// update=no leaves the clone alone; clone=no makes none.
			m, task = mkTask(t, "git", map[string]any{"repo": bare, "dest": dest, "version": "v1", "update": false})
			settled(t, sh, m, task)
			m, task = mkTask(t, "git", map[string]any{"repo": bare, "dest": dest + "2", "clone": false})
			settled(t, sh, m, task)

			// A shallow single-branch clone of a branch.
			shallow := dest + "-shallow"
			m, task = mkTask(t, "git", map[string]any{"repo": "file://" + bare, "dest": shallow, "version": "dev", "depth": 1, "single_branch": true})
			converge(t, sh, m, task)
			if n := gitRun(t, shallow, "rev-list", "--count", "HEAD"); n != "1" || gitRun(t, shallow, "rev-parse", "HEAD") != dev {
				t.Errorf("shallow clone: %s commits", n)
			}

			m, task = mkTask(t, "git", map[string]any{"repo": bare + "-missing", "dest": dest + "3"})
			planErr(t, sh, m, task, "Could not determine remote revision")
		})
	}
	t.Run("no git", func(t *testing.T) {
		m, task := mkTask(t, "git", map[string]any{"repo": bare, "dest": "/nonexistent/x"})
		planErr(t, shells(t)[1], m, task, "the host needs git")
	})
}

func TestGitRefuses(t *testing.T) {
	t.Parallel()
	for _, raw := range []map[string]any{
		{"repo": "--upload-pack=touch /tmp/x", "dest": "/x"},
		{"repo": "file:///r", "dest": "/x", "version": "--orphan"},
		{"repo": "file:///r", "dest": "x"},
		{"repo": "file:///r", "dest": "/x", "archive": "/a.zip"},
		{"repo": "file:///r", "dest": "/x", "umask": "9"},
	} {
		m, task := mkTask(t, "git", raw)
		if _, err := m.Probe(task); err == nil {
			t.Errorf("%v: no error", raw)
		}
	}
}
