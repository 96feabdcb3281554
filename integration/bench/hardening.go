package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// The hardening scenario is a real public role, unchanged:
// dev-sec/ansible-collection-hardening's os_hardening, at the commit
// docs/compat.md pins, with facts gathered. Its code is other people's and
// stays out of this repository: it is read from a bare mirror of the
// repository (MIRRORS/dev-sec+ansible-collection-hardening/repo, the layout
// integration/compat uses) and written into the benchmark's work folder.
//
// The fleet's hosts share the machine's kernel and have no package mirror,
// so the parts that install or remove packages (auditd, pam, modprobe,
// apt), write the kernel's sysctls (sysctl) or remount /proc, /dev and /run
// (minimize_access) are turned off by the role's own switches, as are its
// user_accounts tasks (their user module argument password_expire_warn is
// not ansible-core 2.14's). What remains is the role's file work in /etc:
// cron permissions, limits, login.defs, profile.d, securetty, suid/sgid
// bits, .rhosts and .netrc, and ctrl-alt-del (skipped: no systemd).
// Nothing of it is under one folder, so the benchmark makes a host fresh
// again by replacing it.

// HardeningRepo is the mirror's folder name under MIRRORS, and
// HardeningCommit the pinned commit (docs/compat.md).
const (
	HardeningRepo   = "dev-sec+ansible-collection-hardening"
	HardeningCommit = "c3822fca2d101ab93a40a614d9618f69fbbb52e9"
)

// HardeningSkipTags is --skip-tags for every tool's runs (see above).
const HardeningSkipTags = "user_accounts,rhosts,netrc"

// ErrNoMirror is returned when the role's mirror is absent: the scenario is
// then skipped, not failed.
var ErrNoMirror = errors.New("no mirror of the role")

const hardeningPlaybook = `- hosts: all
  become: true
  vars:
    os_auditd_enabled: false
    os_pam_enabled: false
    os_modprobe_enabled: false
    os_apt_enabled: false
    os_sysctl_enabled: false
    os_minimize_access_enabled: false
  roles:
    - os_hardening
`

// WriteHardening writes the hardening scenario into dir, with the role
// taken from the mirror under mirrors, and returns its playbook's path.
func WriteHardening(dir, mirrors string) (string, error) {
	repo := filepath.Join(mirrors, HardeningRepo, "repo")
	if mirrors == "" {
		return "", fmt.Errorf("%w: set MIRRORS or -mirrors to a folder holding %s/repo (a bare clone of github.com/dev-sec/ansible-collection-hardening)", ErrNoMirror, HardeningRepo)
	}
	if _, err := os.Stat(repo); err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoMirror, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// git archive | tar, without a shell: the role's tree at the pinned commit.
	archive := exec.Command("git", "--git-dir", repo, "archive", HardeningCommit, "roles/os_hardening")
	var stderr bytes.Buffer
	archive.Stderr = &stderr
	out, err := archive.Output()
	if err != nil {
		return "", fmt.Errorf("%w: git archive %s in %s: %v %s", ErrNoMirror, HardeningCommit, repo, err, stderr.String())
	}
	untar := exec.Command("tar", "-x", "-C", dir)
	untar.Stdin = bytes.NewReader(out)
	if out, err := untar.CombinedOutput(); err != nil {
		return "", fmt.Errorf("extracting the role: %v %s", err, out)
	}
	return writeFiles(dir, map[string]string{"site.yml": hardeningPlaybook})
}
