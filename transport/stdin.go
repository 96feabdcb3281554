package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"tend/modules/shell"
)

// Commands with stdin. The persistent shell's stdin carries its frames, so a
// command that reads input (a large file streamed to a host: copy's apply)
// runs on a channel (SSH) or process (local) of its own, with the input
// copied to it as it is read: nothing is held whole in memory. As another
// user it runs through sudo, started as the become shells are (see
// become.go): the input is sent only once sudo has let the command through,
// so sudo never reads the data as a password, nor the command the password.

// oneShot is a started command with its own stdin.
type oneShot struct {
	stdin      io.Writer
	closeStdin func() error // end of input
	stdout     io.Reader
	stderr     io.Reader
	// wait returns the exit status once stdout and stderr are read to
	// their end.
	wait  func() (int, error)
	abort func() // breaks the streams so blocked reads and writes return
}

// sudoGate is what runs a one-shot command as another user: the sudo
// command line, and the nonce-tagged prompt and ready line it prints.
type sudoGate struct {
	user, password string
	prompt, ready  string
}

func newSudoGate(user, password string) *sudoGate {
	nonce := string(newMarker()[5:21])
	return &sudoGate{user: user, password: password,
		prompt: "tend-sudo-prompt-" + nonce + ":", ready: "tend-sudo-ready-" + nonce}
}

// command is the sudo command line that runs script (as sh -c's $1, so it is
// quoted once) after printing the ready line on stderr.
func (g *sudoGate) command(script string) string {
	inner := "printf '%s\\n' " + shell.Quote(g.ready) + " >&2; exec sh -c \"$1\""
	return "sudo -S -p " + shell.Quote(g.prompt) + " -u " + shell.Quote(g.user) +
		" -- sh -c " + shell.Quote(inner) + " tend " + shell.Quote(script)
}

// runOneShot feeds cmd.Stdin to a started command and collects its output
// and exit status. With gate, it first waits for sudo's ready line on stderr
// (answering its password prompt). A read error on cmd.Stdin ends the
// command's input early: the caller learns of it from its reader, and the
// command sees its input end (tend's scripts check what they received).
func runOneShot(ctx context.Context, p oneShot, cmd Cmd, gate *sudoGate, stats *counters) (Result, error) {
	stderr := p.stderr
	if gate != nil {
		mr := &markerReader{r: p.stderr, stats: stats}
		done := make(chan error, 1)
		go func() {
			done <- awaitSudo(mr, p.stdin, []byte(gate.prompt), []byte(gate.ready), gate.password, stats)
		}()
		timer := time.NewTimer(becomeTimeout)
		defer timer.Stop()
		select {
		case err := <-done:
			if err != nil {
				p.abort()
				return Result{ExitCode: -1}, &BecomeError{User: gate.user, Err: err}
			}
		case <-timer.C:
			p.abort()
			return Result{ExitCode: -1}, &BecomeError{User: gate.user, Err: errors.New("sudo did not start the command in time: it may ask something tend cannot answer (a custom prompt, a second factor)")}
		case <-ctx.Done():
			p.abort()
			return Result{ExitCode: -1}, ctx.Err()
		}
		stderr = io.MultiReader(bytes.NewReader(mr.pending), p.stderr)
	}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		if cmd.Stdin != nil {
			n, _ := io.Copy(p.stdin, cmd.Stdin)
			stats.sent.Add(n)
		}
		_ = p.closeStdin()
	}()
	go func() { defer wg.Done(); _, _ = io.Copy(orDiscard(cmd.Stdout), counting(p.stdout, stats)) }()
	go func() { defer wg.Done(); _, _ = io.Copy(orDiscard(cmd.Stderr), counting(stderr, stats)) }()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		p.abort()
		return Result{ExitCode: -1}, ctx.Err()
	}
	code, err := p.wait()
	if err != nil {
		return Result{ExitCode: -1}, err
	}
	return Result{ExitCode: code}, nil
}

// countingReader adds what it reads to a connection's received bytes.
type countingReader struct {
	r     io.Reader
	stats *counters
}

func counting(r io.Reader, stats *counters) io.Reader { return countingReader{r, stats} }

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.stats.recv.Add(int64(n))
	return n, err
}

// gate returns what runs a one-shot command as user, or the reason sudo
// already refused that user on this connection.
func (b *becomeShells) gate(user string) (*sudoGate, error) {
	if err := b.failed[user]; err != nil {
		return nil, err
	}
	return newSudoGate(user, b.password), nil
}

// note remembers a refusal of sudo, as shell does: one attempt per
// connection, so a wrong password does not lock the account.
func (b *becomeShells) note(user string, err error) {
	var be *BecomeError
	if errors.As(err, &be) {
		if b.failed == nil {
			b.failed = map[string]error{}
		}
		b.failed[user] = err
	}
}
