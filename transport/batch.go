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
	// Shared says that the script may run in one subshell with the
	// Shared steps next to it, each a Group of its own and Fatal (a
	// subshell is a process on the host): it never exits 0 before its
	// end, and leaves nothing the next script reads (options, umask,
	// directory, traps, environment).
	Shared bool
	// Contained runs the step in the shell itself, in a brace group with
	// stdin from /dev/null, not in a subshell: the script is contained
	// (see Cmd.Contained). It must not set s, f or r.
	Contained bool
}

// RunSteps runs steps one after the other in a single round trip, each in a
// subshell of its own (or shared: see Step.Shared) with its output framed
// as in RunBatch, and returns what each printed, one Output per step. When
// a Fatal step fails, the groups after its own do not run (their Outputs
// say Skipped), but for the steps that run Always.
func RunSteps(ctx context.Context, c Conn, user string, steps []Step) ([]Output, error) {
	if len(steps) == 0 {
		return nil, nil
	}
	marker := string(newMarker())
	m := shell.Quote(marker)
	blocks := sharedBlocks(steps)
	var b bytes.Buffer
	// The status lines of step i: "MARKERi:STATUS" on stdout, "MARKERi" on
	// stderr; a shared block's, tagged "MARKERbi" (i its first step).
	status := func(tag string) {
		fmt.Fprintf(&b, "printf '%%s%s:%%d\\n' %s \"$s\"\nprintf '%%s%s\\n' %s >&2\n", tag, m, tag, m)
	}
	// f: a Fatal step failed; r: it had when the current group started.
	b.WriteString("f=0 r=0\n")
	for i := 0; i < len(steps); i++ {
		s := steps[i]
		if s.Group && i > 0 && !s.Always {
			b.WriteString("r=$f\n")
		}
		if !s.Always {
			b.WriteString("if [ \"$r\" = 0 ]; then\n")
		}
		if last := blocks[i]; last > i {
			// One subshell: a step that fails ends it, and the steps
			// after it in the block do not run, as if skipped.
			b.WriteString("(\n")
			for k := i; k <= last; k++ {
				fmt.Fprintf(&b, "eval %s\ns=$?\n", shell.Quote(steps[k].Script))
				status(strconv.Itoa(k))
				b.WriteString("[ \"$s\" = 0 ] || exit \"$s\"\n")
			}
			b.WriteString(") </dev/null\ns=$?\n")
			status("b" + strconv.Itoa(i))
			b.WriteString("[ \"$s\" = 0 ] || f=1\nfi\n")
			i = last
			continue
		}
		if s.Contained {
			b.WriteString(inShell(s.Script))
		} else {
			b.WriteString(inSubshell(s.Script))
		}
		b.WriteString("s=$?\n")
		status(strconv.Itoa(i))
		if s.Fatal {
			b.WriteString("[ \"$s\" = 0 ] || f=1\n")
		}
		if !s.Always {
			b.WriteString("fi\n")
		}
	}
	b.WriteString("unset f r s\n")
	var stdout, stderr bytes.Buffer
	// Every step runs in a subshell of its own or is contained, and the
	// glue only sets f, r and s: the script is contained, and costs no
	// subshell of its own.
	res, err := c.Run(ctx, Cmd{Script: b.String(), User: user, Stdout: &stdout, Stderr: &stderr, Contained: true})
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("probe batch: exit status %d: %s", res.ExitCode, bytes.TrimSpace(stderr.Bytes()))
	}
	r := &framed{marker: marker, out: stdout.Bytes(), errs: stderr.Bytes()}
	outs := make([]Output, 0, len(steps))
	for i := 0; i < len(steps); i++ {
		last := blocks[i]
		if last <= i {
			o, ok, err := r.next(strconv.Itoa(i))
			switch {
			case err != nil:
				return nil, fmt.Errorf("probe batch: script %d: %v", i, err)
			case !ok && !steps[i].Always && failedBefore(steps[:i], outs):
				o = Output{Skipped: true} // a failed task stopped the steps here
			case !ok:
				return nil, fmt.Errorf("probe batch: the output of script %d is missing", i)
			}
			outs = append(outs, o)
			continue
		}
		code, ok, err := r.blockEnd("b" + strconv.Itoa(i))
		switch {
		case err != nil:
			return nil, fmt.Errorf("probe batch: scripts %d to %d: %v", i, last, err)
		case !ok && failedBefore(steps[:i], outs):
			for k := i; k <= last; k++ {
				outs = append(outs, Output{Skipped: true})
			}
			i = last
			continue
		case !ok:
			return nil, fmt.Errorf("probe batch: the output of scripts %d to %d is missing", i, last)
		}
		ended := false // a step of the block ended its subshell
		for k := i; k <= last; k++ {
			if ended {
				outs = append(outs, Output{Skipped: true})
				continue
			}
			o, ok, err := r.next(strconv.Itoa(k))
			if err != nil {
				return nil, fmt.Errorf("probe batch: script %d: %v", k, err)
			}
			if !ok {
				// It exited: what is left of the block's output is its.
				if code == 0 {
					return nil, fmt.Errorf("probe batch: script %d ended its shared subshell with status 0", k)
				}
				o, ended = r.rest(code), true
			} else if o.ExitCode != 0 {
				ended = true
			}
			outs = append(outs, o)
		}
		r.leaveBlock()
		i = last
	}
	return outs, nil
}

// sharedBlocks says, for each step that starts a block of two or more
// steps run in one subshell (see Step.Shared), the index of its last step;
// -1 for the others.
func sharedBlocks(steps []Step) []int {
	blocks := make([]int, len(steps))
	shares := func(s Step) bool { return s.Shared && s.Group && s.Fatal && !s.Always }
	for i := 0; i < len(steps); {
		blocks[i] = -1
		j := i
		for j+1 < len(steps) && shares(steps[i]) && shares(steps[j+1]) {
			j++
		}
		if j > i {
			blocks[i] = j
			for k := i + 1; k <= j; k++ {
				blocks[k] = -1
			}
		}
		i = j + 1
	}
	return blocks
}

// framed reads RunSteps' output: each step's stdout and stderr up to its
// status lines. Inside a shared block (after blockEnd), it reads only up to
// the block's status lines.
type framed struct {
	marker    string
	out, errs []byte
	inBlock   bool
	// blockOut and blockErrs are where the block's status lines start in
	// out and errs; blockOutLen and blockErrLen their lengths.
	blockOut, blockErrs, blockOutLen, blockErrLen int
}

// status finds tag's status lines in out and errs: their places, lengths
// and the status; ok is false when neither is there.
func (r *framed) status(tag string, out, errs []byte) (j, k, outLen, errLen, code int, ok bool, err error) {
	t := r.marker + tag
	j = bytes.Index(out, []byte(t+":"))
	k = bytes.Index(errs, []byte(t+"\n"))
	if j < 0 && k < 0 {
		return 0, 0, 0, 0, 0, false, nil
	}
	if j < 0 || k < 0 {
		return 0, 0, 0, 0, 0, false, fmt.Errorf("half its status is missing")
	}
	rest := out[j+len(t)+1:]
	nl := bytes.IndexByte(rest, '\n')
	if nl < 0 {
		return 0, 0, 0, 0, 0, false, fmt.Errorf("garbled status")
	}
	if code, err = strconv.Atoi(string(rest[:nl])); err != nil {
		return 0, 0, 0, 0, 0, false, fmt.Errorf("garbled status")
	}
	return j, k, len(t) + 1 + nl + 1, len(t) + 1, code, true, nil
}

// next reads the output of the step tagged tag, if it printed its status.
func (r *framed) next(tag string) (Output, bool, error) {
	out, errs := r.out, r.errs
	if r.inBlock {
		out, errs = r.out[:r.blockOut], r.errs[:r.blockErrs]
	}
	j, k, outLen, errLen, code, ok, err := r.status(tag, out, errs)
	if !ok || err != nil {
		return Output{}, false, err
	}
	o := Output{Stdout: out[:j:j], Stderr: errs[:k:k], ExitCode: code}
	r.out, r.errs = r.out[j+outLen:], r.errs[k+errLen:]
	if r.inBlock {
		r.blockOut -= j + outLen
		r.blockErrs -= k + errLen
	}
	return o, true, nil
}

// blockEnd finds the status lines of the shared block tagged tag and
// returns the block's status; next then reads inside the block until
// leaveBlock.
func (r *framed) blockEnd(tag string) (int, bool, error) {
	j, k, outLen, errLen, code, ok, err := r.status(tag, r.out, r.errs)
	if !ok || err != nil {
		return 0, false, err
	}
	r.inBlock = true
	r.blockOut, r.blockErrs, r.blockOutLen, r.blockErrLen = j, k, outLen, errLen
	return code, true, nil
}

// rest is what the block printed that no step's status claimed: the
// output of the step that ended the block's subshell.
func (r *framed) rest(code int) Output {
	return Output{Stdout: r.out[:r.blockOut:r.blockOut], Stderr: r.errs[:r.blockErrs:r.blockErrs], ExitCode: code}
}

// leaveBlock moves past the block's status lines.
func (r *framed) leaveBlock() {
	r.out = r.out[r.blockOut+r.blockOutLen:]
	r.errs = r.errs[r.blockErrs+r.blockErrLen:]
	r.inBlock = false
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
