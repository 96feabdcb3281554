// Package privfile writes files that only their owner may read (mode 0600)
// atomically: through a hidden temporary file beside the target and a
// rename, so a reader sees the old file or the new one, never half of one.
// Reports, saved plans, run state and cron.d entries go through it, since
// they may name hosts, paths and commands an operator keeps private.
package privfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data, mode 0600. The temporary name starts with
// a dot (cron and run-parts skip such names).
func Write(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename: fails harmlessly
	// CreateTemp makes 0600 files; Chmod says so whatever the umask did.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
