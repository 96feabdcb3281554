package fleet

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// A busybox host stands for a minimal box (buildroot, an initramfs, a
// router): root's login shell is busybox sh with a PATH that holds only
// busybox's applets, so no GNU tool, no sudo, no useradd and no package
// manager can be reached by name. Its os-release says ID=buildroot.
//
// The applets and the shell wrapper live in the fleet's dir (which hosts
// see at the same path); each busybox host's upper dir gets its own
// /etc/passwd (root's shell changed), /etc/os-release, and the crontab
// spool busybox's crontab writes to.

// busyboxOSRelease is a busybox host's /etc/os-release.
const busyboxOSRelease = `NAME="Buildroot"
ID=buildroot
VERSION_ID=2024.02
PRETTY_NAME="Buildroot 2024.02 (tend fleet busybox host)"
`

// busyboxApplets are what a busybox host needs beyond the shell: every test
// that runs there relies on them, so the fleet refuses a busybox without them.
var busyboxApplets = []string{"sh", "awk", "sed", "crontab", "hostname", "mktemp", "chown", "find", "ls"}

// makeBusyboxBin creates DIR/busybox/bin (one symlink per applet) and
// DIR/busybox/sh, the login shell of busybox hosts.
func (f *Fleet) makeBusyboxBin() error {
	bb, err := exec.LookPath("busybox")
	if err != nil {
		return fmt.Errorf("fleet: busybox hosts need busybox: apt-get install busybox-static")
	}
	out, err := exec.Command(bb, "--list").Output()
	if err != nil {
		return fmt.Errorf("fleet: busybox --list: %w", err)
	}
	applets := strings.Fields(string(out))
	have := map[string]bool{}
	for _, a := range applets {
		have[a] = true
	}
	for _, a := range busyboxApplets {
		if !have[a] {
			return fmt.Errorf("fleet: %s has no %s applet: apt-get install busybox-static (Debian's busybox package lacks it)", bb, a)
		}
	}
	dir := filepath.Join(f.Dir, "busybox")
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	f.created = append(f.created, dir)
	if !have["busybox"] {
		applets = append(applets, "busybox")
	}
	for _, a := range applets {
		if err := os.Symlink(bb, filepath.Join(bin, a)); err != nil {
			return err
		}
	}
	f.busyboxShell = filepath.Join(dir, "sh")
	wrapper := fmt.Sprintf("#!%s sh\n# The login shell of fleet busybox hosts: busybox sh, busybox applets only.\nPATH=%s\nexport PATH\nexec %s sh \"$@\"\n", bb, bin, bb)
	return os.WriteFile(f.busyboxShell, []byte(wrapper), 0o755)
}

// prepareBusybox writes a busybox host's own system files into its upper
// dir, before its overlay is first mounted.
func (h *Host) prepareBusybox() error {
	etc := filepath.Join(h.Upper, "etc")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		return err
	}
	// os-release is a symlink on Debian; a file in the upper dir hides it.
	if err := os.WriteFile(filepath.Join(etc, "os-release"), []byte(busyboxOSRelease), 0o644); err != nil {
		return err
	}
	passwd, err := withRootShell(filepath.Join(h.lower, "etc/passwd"), h.fleet.busyboxShell)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(etc, "passwd"), passwd, 0o644); err != nil {
		return err
	}
	return os.MkdirAll(filepath.Join(h.Upper, "var/spool/cron/crontabs"), 0o755)
}

// withRootShell returns the passwd file with root's login shell replaced.
func withRootShell(passwd, shell string) ([]byte, error) {
	data, err := os.ReadFile(passwd)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	found := false
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Split(line, ":"); len(fields) == 7 && fields[0] == "root" {
			fields[6] = shell
			line = strings.Join(fields, ":")
			found = true
		}
		b.WriteString(line + "\n")
	}
	if !found {
		return nil, fmt.Errorf("fleet: %s has no root entry", passwd)
	}
	return []byte(b.String()), sc.Err()
}
