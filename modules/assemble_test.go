package modules

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAssembleRemote(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := hostileDir(t)
		src := filepath.Join(dir, "frag ments")
		if err := os.Mkdir(src, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(src, "10-b"), "b\n", 0o644)
		writeFile(t, filepath.Join(src, "02-a it's"), "a", 0o644)
		writeFile(t, filepath.Join(src, ".hidden"), "h\n", 0o644)
		writeFile(t, filepath.Join(src, "20-é\n"), "c\n", 0o644)
		if err := os.Mkdir(filepath.Join(src, "30-dir"), 0o755); err != nil {
			t.Fatal(err)
		}
		dest := filepath.Join(dir, "out")
		m, task := mkTask(t, "assemble", map[string]any{"src": src, "dest": dest, "mode": "0640"})
		_, res := converge(t, sh, m, task)
		if got := readFile(t, dest); got != "h\na\nb\nc\n" {
			t.Fatalf("%s: %q", sh.name, got)
		}
		if perm(t, dest).Perm() != 0o640 || res["checksum"] == nil || res["changed"] != true {
			t.Fatalf("%s: %v %v", sh.name, perm(t, dest), res)
		}
		// A fragment changes: dest is rewritten, with a backup.
		writeFile(t, filepath.Join(src, "10-b"), "B\n", 0o644)
		m, task = mkTask(t, "assemble", map[string]any{"src": src, "dest": dest, "ignore_hidden": true,
			"delimiter": `# --\x21`, "regexp": `^[0-9]`, "backup": true})
		_, res = converge(t, sh, m, task)
		if got := readFile(t, dest); got != "a\n# --!\nB\n# --!\nc\n" {
			t.Fatalf("%s: %q", sh.name, got)
		}
		if b, _ := res["backup_file"].(string); b == "" || readFile(t, b) != "h\na\nb\nc\n" {
			t.Fatalf("%s: %v", sh.name, res)
		}
		// Only the mode differs: no write.
		os.Chmod(dest, 0o600)
		m, task = mkTask(t, "assemble", map[string]any{"src": src, "dest": dest, "ignore_hidden": true,
			"delimiter": `# --\x21`, "regexp": `^[0-9]`, "mode": "0640"})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil || strings.Join(diffAttrs(ch), ",") != "mode" {
			t.Fatalf("%s: %v %v", sh.name, ch, err)
		}
		m, task = mkTask(t, "assemble", map[string]any{"src": filepath.Join(dir, "none"), "dest": dest})
		planErr(t, sh, m, task, "does not exist")
		m, task = mkTask(t, "assemble", map[string]any{"src": dest, "dest": dest + "2"})
		planErr(t, sh, m, task, "is not a directory")
		m, task = mkTask(t, "assemble", map[string]any{"src": src, "dest": dir})
		planErr(t, sh, m, task, "is a directory")
		noLeftovers(t, dir)
	}
}

// dirFiles is a DirSource over a real folder.
type dirFiles string

func (d dirFiles) ReadFile(n string) ([]byte, error) { return os.ReadFile(filepath.Join(string(d), n)) }
func (d dirFiles) ReadDir(n string) ([]fs.DirEntry, error) {
	return os.ReadDir(filepath.Join(string(d), n))
}

func TestAssembleController(t *testing.T) {
	t.Parallel()
	ctl := t.TempDir()
	os.Mkdir(filepath.Join(ctl, "parts"), 0o755)
	writeFile(t, filepath.Join(ctl, "parts", "b"), "2", 0o644)
	writeFile(t, filepath.Join(ctl, "parts", "a"), "1", 0o644)
	sh := shells(t)[0]
	dest := filepath.Join(t.TempDir(), "x")
	m, task := mkTask(t, "assemble", map[string]any{"src": "parts", "dest": dest, "remote_src": false, "delimiter": "--"})
	task.Files = dirFiles(ctl)
	converge(t, sh, m, task)
	if got := readFile(t, dest); got != "1\n--\n2" {
		t.Fatalf("%q", got)
	}
	task.Files = mapFiles{}
	if _, err := m.Plan(task, sh.run(t, mustProbe(t, m, task))); err == nil || !strings.Contains(err.Error(), "cannot list") {
		t.Fatalf("%v", err)
	}
}

func TestPyEscapeDecode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{`a\nb`: "a\nb", `\x41\101\q\\`: `AA\q\`, `\x4`: `\x4`, `end\`: `end\`} {
		if got := string(pyEscapeDecode(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
