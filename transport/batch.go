package transport

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"tend/modules/shell"
)

// Output is one script's output in a batch.
type Output struct {
	Stdout, Stderr []byte
	ExitCode       int
	// Skipped is set for a step of RunSteps that did not run: a Fatal
	// step of an earlier group failed.
	Skipped bool
}

// RunBatch runs several read-only scripts, one after the other, in a single
// round trip, and returns what each printed. Each runs in a subshell of its
// own; a marker with a per-batch nonce and the script's index separates their
// outputs, so no script's output can be mistaken for another's.
func RunBatch(ctx context.Context, c Conn, user string, scripts []string) ([]Output, error) {
	steps := make([]Step, len(scripts))
	for i, s := range scripts {
		steps[i] = Step{Script: s}
	}
	return RunSteps(ctx, c, user, steps)
}

// A Step is one script of a sequence run in a single round trip: the
// changes of several tasks, then probes of what follows them.
type Step struct {
	Script string
	// Group starts a group of steps (a task's, all its loop items): the
	// group runs only if no Fatal step of an earlier group failed.
	Group bool
	// Fatal says that this step exiting non-zero fails its task: the
	// groups after its own do not run, as a failed task stops the host.
	Fatal bool
	// Always runs the step even when a Fatal step failed before it (the
	// probe that completes the results of the changes that ran).
	Always bool
}

// RunSteps runs steps one after the other in a single round trip, each in a
// subshell of its own with its output framed as in RunBatch, and returns
// what each printed, one Output per step. When a Fatal step fails, the
// groups after its own do not run (their Outputs say Skipped), but for the
// steps that run Always.
func RunSteps(ctx context.Context, c Conn, user string, steps []Step) ([]Output, error) {
	if len(steps) == 0 {
		return nil, nil
	}
	marker := string(newMarker())
	m := shell.Quote(marker)
	var b bytes.Buffer
	// f: a Fatal step failed; r: it had when the current group started.
	b.WriteString("f=0 r=0\n")
	for i, s := range steps {
		if s.Group && i > 0 && !s.Always {
			b.WriteString("r=$f\n")
		}
		if !s.Always {
			b.WriteString("if [ \"$r\" = 0 ]; then\n")
		}
		fmt.Fprintf(&b, "( eval %s\n) </dev/null\ns=$?\nprintf '%%s%d:%%d\\n' %s \"$s\"\nprintf '%%s%d\\n' %s >&2\n", shell.Quote(s.Script), i, m, i, m)
		if s.Fatal {
			b.WriteString("[ \"$s\" = 0 ] || f=1\n")
		}
		if !s.Always {
			b.WriteString("fi\n")
		}
	}
	var stdout, stderr bytes.Buffer
	res, err := c.Run(ctx, Cmd{Script: b.String(), User: user, Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("probe batch: exit status %d: %s", res.ExitCode, bytes.TrimSpace(stderr.Bytes()))
	}
	outs := make([]Output, 0, len(steps))
	out, errs := stdout.Bytes(), stderr.Bytes()
	for i := range steps {
		tag := []byte(marker + strconv.Itoa(i))
		j := bytes.Index(out, append(tag, ':'))
		k := bytes.Index(errs, append(tag, '\n'))
		if j < 0 && k < 0 && !steps[i].Always && failedBefore(steps[:i], outs) {
			outs = append(outs, Output{Skipped: true}) // a failed task stopped the steps here
			continue
		}
		if j < 0 || k < 0 {
			return nil, fmt.Errorf("probe batch: the output of script %d is missing", i)
		}
		rest := out[j+len(tag)+1:]
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			return nil, fmt.Errorf("probe batch: garbled status of script %d", i)
		}
		code, err := strconv.Atoi(string(rest[:nl]))
		if err != nil {
			return nil, fmt.Errorf("probe batch: garbled status of script %d", i)
		}
		outs = append(outs, Output{Stdout: out[:j:j], Stderr: errs[:k:k], ExitCode: code})
		out, errs = rest[nl+1:], errs[k+len(tag)+1:]
	}
	return outs, nil
}

// failedBefore says whether a Fatal step among those that ran failed.
func failedBefore(steps []Step, outs []Output) bool {
	for i, o := range outs {
		if steps[i].Fatal && !o.Skipped && o.ExitCode != 0 {
			return true
		}
	}
	return false
}
