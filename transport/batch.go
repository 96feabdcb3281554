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
}

// RunBatch runs several read-only scripts, one after the other, in a single
// round trip, and returns what each printed. Each runs in a subshell of its
// own; a marker with a per-batch nonce and the script's index separates their
// outputs, so no script's output can be mistaken for another's.
func RunBatch(ctx context.Context, c Conn, user string, scripts []string) ([]Output, error) {
	if len(scripts) == 0 {
		return nil, nil
	}
	marker := string(newMarker())
	m := shell.Quote(marker)
	var b bytes.Buffer
	for i, s := range scripts {
		fmt.Fprintf(&b, "( eval %s\n) </dev/null\nprintf '%%s%d:%%d\\n' %s \"$?\"\nprintf '%%s%d\\n' %s >&2\n", shell.Quote(s), i, m, i, m)
	}
	var stdout, stderr bytes.Buffer
	res, err := c.Run(ctx, Cmd{Script: b.String(), User: user, Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("probe batch: exit status %d: %s", res.ExitCode, bytes.TrimSpace(stderr.Bytes()))
	}
	outs := make([]Output, len(scripts))
	out, errs := stdout.Bytes(), stderr.Bytes()
	for i := range scripts {
		tag := []byte(marker + strconv.Itoa(i))
		j := bytes.Index(out, append(tag, ':'))
		k := bytes.Index(errs, append(tag, '\n'))
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
		outs[i] = Output{Stdout: out[:j:j], Stderr: errs[:k:k], ExitCode: code}
		out, errs = rest[nl+1:], errs[k+len(tag)+1:]
	}
	return outs, nil
}
