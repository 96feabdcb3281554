package transport

import (
	"context"
	"io"
	"io/fs"
)

// Conn is an open connection to one host. It is not safe for concurrent use:
// a host runs one command at a time, which is also what keeps its persistent
// shell framed correctly.
type Conn interface {
	// Run runs script with the host's POSIX sh and waits for it. Output is
	// streamed to cmd.Stdout and cmd.Stderr as it arrives. A non-zero exit
	// status is not an error: it is in Result.ExitCode. An error means the
	// command could not be run or the connection broke.
	Run(ctx context.Context, cmd Cmd) (Result, error)
	// Upload writes r to path with mode: into a temporary file beside path,
	// flushed to disk, then renamed over path, so readers never see a
	// partial file.
	Upload(ctx context.Context, r io.Reader, path string, mode fs.FileMode) error
	// Download copies the file at path to w.
	Download(ctx context.Context, path string, w io.Writer) error
	// Stats reports what the connection has cost so far.
	Stats() Stats
	// Close ends the connection. It is safe to call more than once.
	Close() error
}

// Cmd is one script to run.
type Cmd struct {
	Script string
	// Stdin, when set, is the script's standard input. Without it the script
	// reads /dev/null. On SSH a command with stdin runs on a channel of its
	// own, which costs a round trip more than the persistent shell.
	Stdin  io.Reader
	Stdout io.Writer // nil discards
	Stderr io.Writer // nil discards
	// User, when set and not the login user, runs the script as that user
	// through sudo (see become.go).
	User string
	// Contained says that the script keeps the shell it runs in as it
	// found it: it never exits, whatever could change the shell for good
	// (a module's script, cd, umask, traps) runs in a subshell of its own,
	// as RunSteps' steps do, and it restores what it sets (options,
	// positional parameters, its variables) before it ends. Such a script
	// runs in the persistent shell itself, without the subshell a command
	// frame costs otherwise (a process on the host per round trip).
	Contained bool
}

// Result is how a command ended.
type Result struct {
	ExitCode int
}

// Stats counts a connection's cost. A round trip is one exchange in which tend
// waits for the host's answer; the SSH handshake itself is not counted.
type Stats struct {
	RoundTrips int64
	BytesSent  int64
	BytesRecv  int64
}
