package playbooks

import (
	"bytes"
	"context"
	"io"

	"tend/modules"
	"tend/transport"
)

// applyWithStdin runs an apply that reads a large content on its stdin
// (modules.Change.Stdin), streamed as it is read. It runs on a channel of
// its own, so it carries no look-ahead: the next task probes what follows
// in a batch of its own. A content that cannot be opened is the apply's
// failure, not the connection's.
func (h *hostRun) applyWithStdin(ctx context.Context, script, user string, open func() (io.ReadCloser, error)) (modules.Output, error) {
	h.dropProbes()
	in, err := open()
	if err != nil {
		return modules.Output{ExitCode: 1, Stderr: []byte(err.Error())}, nil
	}
	defer in.Close()
	var stdout, stderr bytes.Buffer
	res, err := h.hs.conn.Run(ctx, transport.Cmd{Script: script, User: user, Stdin: in, Stdout: &stdout, Stderr: &stderr})
	return modules.Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: res.ExitCode}, err
}
