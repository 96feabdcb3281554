package bench

import (
	"os"
	"path/filepath"
)

// writeFiles writes files (path relative to dir: content) under dir and
// returns the path of dir/site.yml, every scenario's playbook.
func writeFiles(dir string, files map[string]string) (string, error) {
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, "site.yml"), nil
}
