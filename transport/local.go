package transport

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"sync"
	"syscall"
)

// Local runs commands on the controller itself (ansible_connection=local),
// through the same framed persistent shell as SSH, so both behave alike.
type Local struct {
	cmd   *exec.Cmd
	sh    *persistentShell
	stats counters
	once  sync.Once
	// Shell is the interpreter; "/bin/sh" unless set before the first use.
	Shell string
	// BecomePassword answers sudo for commands run as another user.
	BecomePassword string
	become         becomeShells
	procs          []*exec.Cmd // sudo shells, killed on Close
}

// DialLocal starts the local persistent shell.
func DialLocal(shellPath string) (*Local, error) {
	if shellPath == "" {
		shellPath = "/bin/sh"
	}
	l := &Local{Shell: shellPath}
	l.cmd = exec.Command(shellPath)
	// Its own process group, so an abort also ends the commands it runs,
	// which would otherwise hold its output pipes open.
	l.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := l.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := l.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := l.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := l.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", shellPath, err)
	}
	abort := func() { killGroup(l.cmd) }
	l.sh = newPersistentShell(stdin, stdout, stderr, abort, &l.stats)
	return l, nil
}

func (l *Local) Run(ctx context.Context, c Cmd) (Result, error) {
	l.become.password = l.BecomePassword
	if c.Stdin != nil {
		return l.runWithStdin(ctx, c)
	}
	if c.User != "" && c.User != currentUser() {
		sh, err := l.become.shell(ctx, c.User, l.startCommand, &l.stats)
		if err != nil {
			return Result{ExitCode: -1}, err
		}
		return sh.run(ctx, c)
	}
	return l.sh.run(ctx, c)
}

// runWithStdin gives a command that reads stdin a process of its own, as on
// SSH (see stdin.go).
func (l *Local) runWithStdin(ctx context.Context, c Cmd) (Result, error) {
	command := c.Script
	var gate *sudoGate
	if c.User != "" && c.User != currentUser() {
		var err error
		if gate, err = l.become.gate(c.User); err != nil {
			return Result{ExitCode: -1}, err
		}
		command = gate.command(c.Script)
	}
	l.stats.roundTrips.Add(1)
	cmd := exec.Command(l.Shell, "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Result{ExitCode: -1}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{ExitCode: -1}, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return Result{ExitCode: -1}, err
	}
	if err := cmd.Start(); err != nil {
		return Result{ExitCode: -1}, fmt.Errorf("starting %s: %w", l.Shell, err)
	}
	p := oneShot{
		stdin: stdin, closeStdin: stdin.Close, stdout: stdout, stderr: stderr,
		abort: func() { killGroup(cmd) },
		wait: func() (int, error) {
			err := cmd.Wait()
			if ee, ok := err.(*exec.ExitError); ok {
				return ee.ExitCode(), nil
			}
			return 0, err
		},
	}
	res, err := runOneShot(ctx, p, c, gate, &l.stats)
	if err != nil {
		killGroup(cmd)
		_ = cmd.Wait()
	}
	l.become.note(c.User, err)
	return res, err
}

// startCommand starts a process with pipes (for sudo shells).
func (l *Local) startCommand(command string) (io.Writer, io.Reader, io.Reader, func(), error) {
	cmd := exec.Command(l.Shell, "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, nil, err
	}
	l.procs = append(l.procs, cmd)
	return stdin, stdout, stderr, func() { killGroup(cmd) }, nil
}

func (l *Local) Upload(ctx context.Context, r io.Reader, path string, mode fs.FileMode) error {
	return uploadViaShell(ctx, l, r, path, mode)
}

func (l *Local) Download(ctx context.Context, path string, w io.Writer) error {
	return downloadViaShell(ctx, l, path, w)
}

func (l *Local) Stats() Stats { return l.stats.snapshot() }

func (l *Local) Close() error {
	l.once.Do(func() {
		for _, p := range append(l.procs, l.cmd) {
			killGroup(p)
			_ = p.Wait()
		}
	})
	return nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// killGroup ends a process started in its own group, and its children.
func killGroup(c *exec.Cmd) {
	if c.Process != nil {
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
}
