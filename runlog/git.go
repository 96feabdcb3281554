package runlog

import (
	"bytes"
	"os/exec"
	"strings"
)

// GitInfo is the commit a playbook was run from.
type GitInfo struct {
	Commit string `json:"commit"`
	// Dirty: the work tree differs from the commit (changed or untracked
	// files), so the commit alone does not say what ran.
	Dirty bool `json:"dirty"`
}

// gitInfo asks the system git about the work tree holding dir; nil when git
// is missing or dir is in no work tree. Repository hooks and fsmonitor are
// never run, and git's refusal of a repository owned by another user
// (safe.directory) is respected: tend may run as root on a user's checkout.
func gitInfo(dir string) *GitInfo {
	if _, err := exec.LookPath("git"); err != nil {
		return nil
	}
	run := func(args ...string) (string, bool) {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"}, args...)...)
		cmd.Env = append(cmd.Environ(), "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			return "", false
		}
		return strings.TrimSpace(out.String()), true
	}
	commit, ok := run("rev-parse", "--verify", "HEAD")
	if !ok || commit == "" {
		return nil
	}
	status, ok := run("status", "--porcelain")
	return &GitInfo{Commit: commit, Dirty: !ok || status != ""}
}
