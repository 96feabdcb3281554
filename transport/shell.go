package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"tend/modules/shell"
)

// persistentShell drives one long-lived sh through its stdin, stdout and
// stderr. Each command is written as one frame: the script runs in a subshell
// (so `exit` and `cd` stay inside it) with stdin from /dev/null, then the shell
// prints an end marker with the exit status on stdout and one on stderr. The
// marker holds a random nonce chosen per command, so no output can forge it.
// A command therefore costs one round trip and no new process on the
// controller or channel on the connection.
type persistentShell struct {
	stdin  io.Writer
	stdout *markerReader
	stderr *markerReader
	// abort breaks the underlying stream so that blocked reads and writes
	// return; it is called when a context ends mid-command.
	abort  func()
	broken error
	stats  *counters
}

// counters are shared by everything that talks to one host.
type counters struct {
	roundTrips, sent, recv atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{RoundTrips: c.roundTrips.Load(), BytesSent: c.sent.Load(), BytesRecv: c.recv.Load()}
}

// outcome is how one stream of a frame was read.
type outcome struct {
	rest       string
	err, wrErr error
}

// errShellGone is returned once the shell has died or a command was aborted:
// the stream is then out of step and nothing more can be framed on it.
var errShellGone = errors.New("the remote shell is gone")

func newPersistentShell(stdin io.Writer, stdout, stderr io.Reader, abort func(), stats *counters) *persistentShell {
	return &persistentShell{
		stdin:  stdin,
		stdout: &markerReader{r: stdout, stats: stats},
		stderr: &markerReader{r: stderr, stats: stats},
		abort:  abort,
		stats:  stats,
	}
}

// frame returns the text that prints a begin line, runs script, then prints
// end marker lines. The begin line lets the reader drop whatever arrived
// between two commands (a background process of an earlier command still
// writing), so it is never taken for this command's output. The script
// runs in a subshell, unless it is contained (see Cmd.Contained).
func frame(script, marker string, contained bool) []byte {
	m, b := shell.Quote(marker), shell.Quote(beginOf(marker))
	run := inSubshell(script)
	if contained {
		run = inShell(script)
	}
	return []byte("printf '%s\\n' " + b + "; printf '%s\\n' " + b + " >&2\n" +
		run +
		"printf '%s%d\\n' " + m + " \"$?\"\n" +
		"printf '%s\\n' " + m + " >&2\n")
}

// inSubshell is the text that runs script in a subshell, through eval, its
// stdin /dev/null; inShell runs a contained script (see Cmd.Contained) in
// a brace group, in the shell itself, its stdin /dev/null too.
func inSubshell(script string) string { return "( eval " + shell.Quote(script) + "\n) </dev/null\n" }
func inShell(script string) string    { return "{ " + script + "\n} </dev/null\n" }

// beginOf derives a frame's begin line from its end marker.
func beginOf(marker string) string { return strings.TrimSuffix(marker, "END:") + "BEGIN" }

func (s *persistentShell) run(ctx context.Context, cmd Cmd) (Result, error) {
	stdout, stderr := cmd.Stdout, cmd.Stderr
	if s.broken != nil {
		return Result{ExitCode: -1}, s.broken
	}
	marker := newMarker()
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	outDone := make(chan outcome, 1)
	errDone := make(chan outcome, 1)
	writeDone := make(chan error, 1)
	outGate, errGate := &gate{w: stdout}, &gate{w: stderr}
	go func() {
		rest, wrErr, err := s.stdout.copyFrame(outGate, marker)
		outDone <- outcome{rest, err, wrErr}
	}()
	go func() {
		rest, wrErr, err := s.stderr.copyFrame(errGate, marker)
		errDone <- outcome{rest, err, wrErr}
	}()
	f := frame(cmd.Script, string(marker), cmd.Contained)
	s.stats.roundTrips.Add(1)
	s.stats.sent.Add(int64(len(f)))
	go func() {
		_, err := s.stdin.Write(f)
		writeDone <- err
	}()

	var out, serr *outcome
	for out == nil || serr == nil {
		select {
		case err := <-writeDone:
			if err != nil {
				return s.fail(fmt.Errorf("sending the command: %w", err))
			}
		case o := <-outDone:
			out = &o
		case o := <-errDone:
			serr = &o
		case <-ctx.Done():
			return s.failAndDrain(ctx.Err(), outGate, errGate)
		}
		for _, o := range []*outcome{out, serr} {
			if o != nil && o.err != nil {
				return s.failAndDrain(o.err, outGate, errGate)
			}
		}
	}
	code, err := strconv.Atoi(out.rest)
	if err != nil {
		s.abort()
		return s.fail(fmt.Errorf("garbled exit status %q", out.rest))
	}
	// The stream is still in step when only a local writer failed.
	if err := errors.Join(out.wrErr, serr.wrErr); err != nil {
		return Result{ExitCode: code}, fmt.Errorf("writing the command's output: %w", err)
	}
	return Result{ExitCode: code}, nil
}

// failAndDrain aborts the stream and shuts the gates of the caller's
// writers: a copying goroutine still running (a remote command may hold the
// stream open until it ends) must not write into them after run returns.
func (s *persistentShell) failAndDrain(err error, gates ...*gate) (Result, error) {
	s.abort()
	for _, g := range gates {
		g.shut()
	}
	return s.fail(err)
}

// gate passes writes through until it is shut.
type gate struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (g *gate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return len(p), nil
	}
	return g.w.Write(p)
}

func (g *gate) shut() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// fail marks the shell unusable: after an interrupted frame the streams are
// out of step, and guessing where the next command's output starts would be
// worse than reconnecting.
func (s *persistentShell) fail(err error) (Result, error) {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("%w (it exited or the connection closed)", errShellGone)
	}
	s.broken = fmt.Errorf("%w: %v", errShellGone, err)
	return Result{ExitCode: -1}, err
}

func newMarker() []byte {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // cannot happen on Linux
	}
	return []byte("TEND-" + hex.EncodeToString(b[:]) + "-END:")
}

// markerReader copies a stream until an end marker and keeps what it read past
// the marker's line for the next command.
type markerReader struct {
	r       io.Reader
	pending []byte
	stats   *counters
	// buf is the read buffer, one per stream for the connection's life
	// rather than one per command: a fleet of hundreds of connections
	// otherwise keeps the garbage collector busy and the heap large.
	buf []byte
}

// readBuf returns the stream's read buffer.
func (m *markerReader) readBuf() []byte {
	if m.buf == nil {
		m.buf = make([]byte, 16*1024)
	}
	return m.buf
}

// copyFrame skips to the frame's begin line, then copies up to its end
// marker (see copyUntil).
func (m *markerReader) copyFrame(w io.Writer, marker []byte) (rest string, wErr, err error) {
	begin := []byte(beginOf(string(marker)) + "\n")
	buf := m.readBuf()
	for {
		if i := bytes.Index(m.pending, begin); i >= 0 {
			m.pending = append(m.pending[:0], m.pending[i+len(begin):]...)
			return m.copyUntil(w, marker)
		}
		// Stray bytes from before this frame: keep only what could be the
		// start of the begin line.
		if keep := len(begin) - 1; len(m.pending) > keep {
			m.pending = append(m.pending[:0], m.pending[len(m.pending)-keep:]...)
		}
		n, rerr := m.r.Read(buf)
		m.stats.recv.Add(int64(n))
		m.pending = append(m.pending, buf[:n]...)
		if rerr != nil && n == 0 {
			return "", nil, rerr
		}
	}
}

// copyUntil writes everything before marker to w as it arrives and returns the
// text between the marker and the end of its line. Up to len(marker)-1 bytes
// are held back at a time, in case they are the start of the marker. A failing
// w does not stop the copy: the stream must still be read up to the marker.
func (m *markerReader) copyUntil(w io.Writer, marker []byte) (rest string, wErr, err error) {
	buf := m.readBuf()
	emit := func(p []byte) {
		if wErr == nil && len(p) > 0 {
			_, wErr = w.Write(p)
		}
	}
	for {
		if i := bytes.Index(m.pending, marker); i >= 0 {
			if nl := bytes.IndexByte(m.pending[i:], '\n'); nl >= 0 {
				emit(m.pending[:i])
				rest = string(m.pending[i+len(marker) : i+nl])
				m.pending = append([]byte(nil), m.pending[i+nl+1:]...)
				return rest, wErr, nil
			}
		} else if keep := len(marker) - 1; len(m.pending) > keep {
			emit(m.pending[:len(m.pending)-keep])
			m.pending = append(m.pending[:0], m.pending[len(m.pending)-keep:]...)
		}
		n, err := m.r.Read(buf)
		m.stats.recv.Add(int64(n))
		m.pending = append(m.pending, buf[:n]...)
		if err != nil && n == 0 {
			emit(m.pending)
			m.pending = nil
			return "", wErr, err
		}
	}
}
