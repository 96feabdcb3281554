package runlog

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultReportDir is where scheduled runs keep reports:
// /var/lib/tend/reports as root, else $XDG_STATE_HOME/tend/reports
// (~/.local/state/tend/reports).
func DefaultReportDir() (string, error) {
	if os.Geteuid() == 0 {
		return "/var/lib/tend/reports", nil
	}
	st, err := stateHome()
	if err != nil {
		return "", err
	}
	return filepath.Join(st, "tend", "reports"), nil
}

// DefaultLockDir is where run locks are: /run/tend/locks as root, else
// $XDG_STATE_HOME/tend/locks. It does not depend on the report directory,
// so an interactive run and a scheduled one exclude each other.
func DefaultLockDir() (string, error) {
	if os.Geteuid() == 0 {
		return "/run/tend/locks", nil
	}
	st, err := stateHome()
	if err != nil {
		return "", err
	}
	return filepath.Join(st, "tend", "locks"), nil
}

// stateHome is $XDG_STATE_HOME, or ~/.local/state when it is unset or
// relative (as the XDG spec says).
func stateHome() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for the state dir: %v", err)
	}
	return filepath.Join(home, ".local", "state"), nil
}

// AbsSources makes the inventory sources that name files or directories
// absolute; host lists ("a,b,") are kept as written.
func AbsSources(srcs []string) []string {
	out := make([]string, len(srcs))
	for i, s := range srcs {
		out[i] = s
		if _, err := os.Stat(s); err == nil {
			if a, err := filepath.Abs(s); err == nil {
				out[i] = a
			}
		}
	}
	return out
}

// RunKey names an inventory and playbook pair in file names: the lock and
// the state store are per pair. Paths are resolved to the real files, so
// that a symlink (or another spelling) of the same playbook or inventory is
// the same pair; host lists ("a,b,") are taken as written.
func RunKey(playbook string, inventories []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "playbook %q\n", realPath(playbook))
	for _, inv := range inventories {
		fmt.Fprintf(h, "inventory %q\n", realPath(inv))
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// realPath is p absolute with every symlink resolved, or p itself when it
// names no file.
func realPath(p string) string {
	if _, err := os.Stat(p); err != nil {
		return p
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		if a, err := filepath.Abs(r); err == nil {
			return a
		}
	}
	return p
}

// mkdirPrivate creates dir and its missing parents, 0700. An existing
// directory is left as it is (it may be one the user chose, like /tmp).
func mkdirPrivate(dir string) error {
	return os.MkdirAll(dir, 0o700)
}
