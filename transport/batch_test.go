package transport

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
)

func TestRunBatch(t *testing.T) {
	scripts := []string{
		"echo one; echo err1 >&2",
		"printf 'no newline'; exit 3",
		"",
		"printf 'TEND-00-END:0\\n'; cat", // looks like a marker; stdin is empty
		"exit 0",
	}
	want := []Output{
		{Stdout: []byte("one\n"), Stderr: []byte("err1\n")},
		{Stdout: []byte("no newline"), ExitCode: 3},
		{},
		{Stdout: []byte("TEND-00-END:0\n")},
		{},
	}
	for name, sh := range localShells(t) {
		before := sh.Stats().RoundTrips
		got, err := RunBatch(context.Background(), sh, "", scripts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rt := sh.Stats().RoundTrips - before; rt != 1 {
			t.Errorf("%s: a batch cost %d round trips", name, rt)
		}
		for i := range want {
			if string(got[i].Stdout) != string(want[i].Stdout) || string(got[i].Stderr) != string(want[i].Stderr) || got[i].ExitCode != want[i].ExitCode {
				t.Errorf("%s: script %d: got %q %q %d, want %q %q %d", name, i, got[i].Stdout, got[i].Stderr, got[i].ExitCode,
					want[i].Stdout, want[i].Stderr, want[i].ExitCode)
			}
		}
	}
}

// A failed Fatal step stops the groups after its own, not the rest of its
// group (a task's other loop items), and a non-fatal failure stops nothing.
func TestRunStepsStopsAfterAFailedGroup(t *testing.T) {
	steps := []Step{
		{Script: "echo a", Group: true, Fatal: true},
		{Script: "echo b; exit 1", Group: true}, // ignore_errors: not fatal
		{Script: "echo c; exit 2", Group: true, Fatal: true},
		{Script: "echo d", Fatal: true}, // the same task's next item still runs
		{Script: "echo e >&2", Group: true, Fatal: true},
		{Script: "echo f", Group: true},
		{Script: "echo g", Always: true}, // completes the results of a, b, c, d
		{Script: "echo h", Group: true},
	}
	for name, sh := range localShells(t) {
		got, err := RunSteps(context.Background(), sh, "", steps)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(steps) {
			t.Fatalf("%s: %d outputs for %d steps: %+v", name, len(got), len(steps), got)
		}
		for i, want := range []string{"a\n", "b\n", "c\n", "d\n", "", "", "g\n", ""} {
			if string(got[i].Stdout) != want || got[i].Skipped != (i == 4 || i == 5 || i == 7) {
				t.Errorf("%s: step %d printed %q (skipped %v), want %q", name, i, got[i].Stdout, got[i].Skipped, want)
			}
		}
		if got[2].ExitCode != 2 || got[1].ExitCode != 1 {
			t.Errorf("%s: exit codes %d %d", name, got[1].ExitCode, got[2].ExitCode)
		}
	}
}

// Shared steps run in one subshell: each has its own output and status, a
// failure (exit or a last command's status) ends the block, and the steps
// after it are skipped as after any failed task; Always still runs.
func TestRunStepsSharedBlocks(t *testing.T) {
	sh := func(script string) Step { return Step{Script: script, Group: true, Fatal: true, Shared: true} }
	cases := []struct {
		name  string
		steps []Step
		want  []string // stdout+"|"+stderr+"|"+code, or "skipped"
	}{
		{"all ran", []Step{sh("x=1; echo a"), sh(`echo "b$x"; echo e >&2`), sh("echo c"), {Script: "echo d", Group: true, Fatal: true}},
			[]string{"a\n||0", "b1\n|e\n|0", "c\n||0", "d\n||0"}},
		{"exit", []Step{sh("echo a"), sh("echo b; echo why >&2; exit 3"), sh("echo c"), {Script: "echo d", Group: true}, {Script: "echo p", Always: true}},
			[]string{"a\n||0", "b\n|why\n|3", "skipped", "skipped", "p\n||0"}},
		{"status", []Step{sh("echo a; false"), sh("echo b")},
			[]string{"a\n||1", "skipped"}},
		{"skipped block", []Step{{Script: "exit 1", Group: true, Fatal: true}, sh("echo a"), sh("echo b")},
			[]string{"||1", "skipped", "skipped"}},
		// A contained step runs in the shell itself, its stdin /dev/null.
		{"contained", []Step{{Script: "read -r x; echo \"[${x-}]\"; false", Group: true, Contained: true}, sh("echo a"), {Script: "echo p", Always: true, Contained: true}},
			[]string{"[]\n||1", "a\n||0", "p\n||0"}},
	}
	for name, conn := range localShells(t) {
		for _, c := range cases {
			got, err := RunSteps(context.Background(), conn, "", c.steps)
			if err != nil {
				t.Fatalf("%s %s: %v", name, c.name, err)
			}
			for i, w := range c.want {
				g := "skipped"
				if !got[i].Skipped {
					g = string(got[i].Stdout) + "|" + string(got[i].Stderr) + "|" + strconv.Itoa(got[i].ExitCode)
				}
				if g != w {
					t.Errorf("%s %s: step %d: %q, want %q", name, c.name, i, g, w)
				}
			}
		}
		// A shared script that exits 0 early would hide the ones after it.
		if _, err := RunSteps(context.Background(), conn, "", []Step{sh("exit 0"), sh("echo b")}); err == nil {
			t.Errorf("%s: an early exit 0 went unnoticed", name)
		}
	}
}

// RunSteps runs in the persistent shell itself (Cmd.Contained): whatever
// its steps do to their shell (exit, cd, umask, variables, a failed group)
// must leave the next command's shell as it was.
func TestRunStepsLeaveTheShellAsItWas(t *testing.T) {
	shared := func(script string) Step { return Step{Script: script, Group: true, Fatal: true, Shared: true} }
	steps := []Step{
		{Script: "cd /; umask 077; x=1; set -e", Group: true, Fatal: true},
		shared("cd /; s=9; f=9"), shared("r=5; umask 0; exit 4"),
		{Script: "exit 7", Group: true, Fatal: true},
		{Script: "cd /; r=1; exit 1", Always: true},
	}
	probe := `printf '%s|%s|%s|%s|' "${x-}" "${f-}" "${r-}" "${s-}"; umask; pwd; false; echo alive`
	for name, conn := range localShells(t) {
		var before, after bytes.Buffer
		// Contained on purpose, against its contract: the shell's own
		// directory is then one a step's cd would differ from.
		if _, err := conn.Run(context.Background(), Cmd{Script: "cd /tmp", Contained: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Run(context.Background(), Cmd{Script: probe, Stdout: &before}); err != nil {
			t.Fatal(err)
		}
		if _, err := RunSteps(context.Background(), conn, "", steps); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := conn.Run(context.Background(), Cmd{Script: probe, Stdout: &after}); err != nil {
			t.Fatal(err)
		}
		if before.String() != after.String() || !strings.HasPrefix(before.String(), "||||") {
			t.Errorf("%s: the shell was %q before the steps and %q after", name, before.String(), after.String())
		}
	}
}
