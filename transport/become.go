package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"tend/modules/shell"
)

// Privilege escalation: commands with Cmd.User set run in a second
// persistent shell started once per user through `sudo`, on the same
// connection. The become password, when sudo asks for one, is written to that
// shell's stdin: it never appears in argv, in the environment or in output.
//
// The start command is
//
//	sudo -S -p PROMPT -u USER -- sh -c 'printf READY >&2; exec sh'
//
// and its stderr is read until READY: if PROMPT shows up first, the password is
// sent; a second PROMPT means it was wrong. PROMPT and READY hold a random
// nonce, so nothing else can mimic them.

// shellStarter starts a command with pipes on a host: a new channel on SSH, a
// new process locally.
type shellStarter func(command string) (stdin io.Writer, stdout, stderr io.Reader, abort func(), err error)

// ErrBecomePassword is returned when sudo wants a password tend does not have.
var ErrBecomePassword = errors.New("sudo asks for a password: pass --ask-become-pass or set ansible_become_password")

func startBecomeShell(ctx context.Context, start shellStarter, user, password string, stats *counters) (*persistentShell, error) {
	nonce := string(newMarker()[5:21])
	prompt := "tend-sudo-prompt-" + nonce + ":"
	ready := "tend-sudo-ready-" + nonce
	command := "sudo -S -p " + shell.Quote(prompt) + " -u " + shell.Quote(user) +
		" -- sh -c " + shell.Quote("printf '%s\\n' "+shell.Quote(ready)+" >&2; exec sh")
	stats.roundTrips.Add(1)
	stdin, stdout, stderr, abort, err := start(command)
	if err != nil {
		return nil, err
	}
	sh := newPersistentShell(stdin, stdout, stderr, abort, stats)

	done := make(chan error, 1)
	go func() { done <- awaitSudo(sh.stderr, stdin, []byte(prompt), []byte(ready), password, stats) }()
	select {
	case err := <-done:
		if err != nil {
			abort()
			return nil, &BecomeError{User: user, Err: err}
		}
		return sh, nil
	case <-time.After(becomeTimeout):
		abort()
		return nil, &BecomeError{User: user, Err: errors.New("sudo did not start a shell in time: it may ask something tend cannot answer (a custom prompt, a second factor)")}
	case <-ctx.Done():
		abort()
		return nil, ctx.Err()
	}
}

// becomeTimeout bounds sudo's start: a prompt tend does not recognise would
// otherwise wait for an answer forever.
const becomeTimeout = 30 * time.Second

// BecomeError says that a command could not run as another user. The
// connection itself is fine.
type BecomeError struct {
	User string
	Err  error
}

func (e *BecomeError) Error() string { return "become " + e.User + ": " + e.Err.Error() }
func (e *BecomeError) Unwrap() error { return e.Err }

// awaitSudo reads sudo's stderr until the ready line, answering one password
// prompt on the way.
func awaitSudo(r *markerReader, stdin io.Writer, prompt, ready []byte, password string, stats *counters) error {
	buf := make([]byte, 4096)
	answered := false
	for {
		if i := bytes.Index(r.pending, ready); i >= 0 {
			if nl := bytes.IndexByte(r.pending[i:], '\n'); nl >= 0 {
				r.pending = append([]byte(nil), r.pending[i+nl+1:]...)
				return nil
			}
		}
		if i := bytes.Index(r.pending, prompt); i >= 0 {
			if answered {
				return errors.New("sudo refused the become password")
			}
			if password == "" {
				return ErrBecomePassword
			}
			r.pending = append(r.pending[:i:i], r.pending[i+len(prompt):]...)
			stats.roundTrips.Add(1)
			if _, err := io.WriteString(stdin, password+"\n"); err != nil {
				return err
			}
			answered = true
			continue
		}
		n, err := r.r.Read(buf)
		r.pending = append(r.pending, buf[:n]...)
		if err != nil && n == 0 {
			msg := strings.TrimSpace(string(r.pending))
			if msg == "" {
				msg = "sudo exited"
			}
			return errors.New(msg)
		}
	}
}

// becomeShells are a connection's sudo shells, one per user, started on
// first use.
type becomeShells struct {
	password string
	shells   map[string]*persistentShell
	// failed remembers why sudo refused a user: one attempt per
	// connection, so a wrong password does not lock the account.
	failed map[string]error
}

func (b *becomeShells) shell(ctx context.Context, user string, start shellStarter, stats *counters) (*persistentShell, error) {
	if sh, ok := b.shells[user]; ok {
		return sh, nil
	}
	if err := b.failed[user]; err != nil {
		return nil, err
	}
	sh, err := startBecomeShell(ctx, start, user, b.password, stats)
	if err != nil {
		if be := (*BecomeError)(nil); errors.As(err, &be) {
			if b.failed == nil {
				b.failed = map[string]error{}
			}
			b.failed[user] = err
		}
		return nil, err
	}
	if b.shells == nil {
		b.shells = map[string]*persistentShell{}
	}
	b.shells[user] = sh
	return sh, nil
}
