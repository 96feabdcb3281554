package bench

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tend/modules"
	"tend/modules/hostq"
)

// Planning runs on the controller for every task on every host, so its cost
// multiplies by both: these benchmarks plan over the output of a real probe
// or the answers to a module's questions (run once, here, with sh), as a
// no-op converge does.

// planTask checks raw against the module's spec and runs its probe, or
// answers its questions, on this machine, as the runner would.
func planTask(b *testing.B, name string, raw map[string]any) (modules.Module, *modules.Task, modules.Output) {
	b.Helper()
	m, ok := modules.Lookup(name)
	if !ok {
		b.Fatalf("no module %s", name)
	}
	args, errs := m.Spec().Check(raw, false)
	if len(errs) > 0 {
		b.Fatalf("%s args: %v", name, errs)
	}
	t := &modules.Task{Args: args}
	if a, ok := m.(modules.Asker); ok {
		qs, err := a.Questions(t)
		if err != nil {
			b.Fatal(err)
		}
		if qs != nil {
			p := hostq.Compile(qs)
			out := runSh(b, p.Script())
			set, err := p.Parse(out.Stdout, out.Stderr, out.ExitCode)
			if err != nil {
				b.Fatal(err)
			}
			return m, t, modules.Output{Answers: set}
		}
	}
	script, err := m.Probe(t)
	if err != nil {
		b.Fatal(err)
	}
	return m, t, runSh(b, script)
}

// runSh runs script with sh on this machine.
func runSh(b *testing.B, script string) modules.Output {
	b.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("sh", "-c", script)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	out := modules.Output{}
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			b.Fatal(err)
		}
		out.ExitCode = ee.ExitCode()
	}
	out.Stdout, out.Stderr = stdout.Bytes(), stderr.Bytes()
	return out
}

func benchPlan(b *testing.B, name string, raw map[string]any, wantChange bool) {
	m, t, out := planTask(b, name, raw)
	c, err := m.Plan(t, out)
	if err != nil {
		b.Fatalf("plan: %v (probe printed %q, stderr %q)", err, out.Stdout, out.Stderr)
	}
	if (c != nil) != wantChange {
		b.Fatalf("plan returned change %v, want a change: %v", c, wantChange)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Plan(t, out); err != nil {
			b.Fatal(err)
		}
	}
}

// content is a config file of typical size (4 KiB).
var content = strings.Repeat("key = some configuration value\n", 132)

func BenchmarkPlanCopyNoChange(b *testing.B) {
	dest := filepath.Join(b.TempDir(), "app.conf")
	if err := os.WriteFile(dest, []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
	benchPlan(b, "copy", map[string]any{"content": content, "dest": dest, "mode": "0644"}, false)
}

func BenchmarkPlanCopyChange(b *testing.B) {
	dest := filepath.Join(b.TempDir(), "app.conf")
	if err := os.WriteFile(dest, []byte(strings.ToUpper(content)), 0o600); err != nil {
		b.Fatal(err)
	}
	benchPlan(b, "copy", map[string]any{"content": content, "dest": dest, "mode": "0644"}, true)
}

func BenchmarkPlanFileDirectoryNoChange(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "d")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		b.Fatal(err)
	}
	benchPlan(b, "file", map[string]any{"path": dir, "state": "directory", "mode": "0755"}, false)
}

func BenchmarkPlanFileDirectoryChange(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "d")
	benchPlan(b, "file", map[string]any{"path": dir, "state": "directory", "mode": "0755"}, true)
}
