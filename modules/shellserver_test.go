package modules

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"tend/modules/shell"
)

// Starting a shell costs far more than forking one, and the tests run
// some twelve thousand scripts: each testShell keeps a few long-lived
// shells (servers) that run scripts one after the other, each as the
// transport frames it (in a subshell, through eval, stdin from
// /dev/null). A script sees what a fresh shell would give it: the
// subshell starts from the server's untouched state, in the test's
// environment and folder.

// A shellServer is one long-lived shell, used by one test at a time.
type shellServer struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	dir    string // the stdout and stderr files of the script running
	marker string // starts the line the server prints a script's status on
}

var (
	serversMu sync.Mutex
	idle      = map[string][]*shellServer{} // by testShell.key
	started   []*shellServer
)

// key tells apart shells that differ: tests change a shell's environment.
func (sh testShell) key() string {
	return strings.Join(sh.argv, "\x00") + "\x01" + strings.Join(sh.env, "\x00")
}

// server takes an idle server of sh, or starts one.
func (sh testShell) server(t testing.TB) *shellServer {
	t.Helper()
	k := sh.key()
	serversMu.Lock()
	if n := len(idle[k]); n > 0 {
		s := idle[k][n-1]
		idle[k] = idle[k][:n-1]
		serversMu.Unlock()
		return s
	}
	serversMu.Unlock()
	dir, err := os.MkdirTemp("", "tend-shell-")
	if err != nil {
		t.Fatal(err)
	}
	// Some tests run their shell as another user (setpriv).
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sh.argv[0], sh.argv[1:]...)
	cmd.Env = sh.env
	cmd.Stderr = os.Stderr // the server's own complaints, never a script's
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", sh.name, err)
	}
	s := &shellServer{cmd: cmd, in: in, out: bufio.NewReader(out), dir: dir, marker: "tend-test-status-" + strconv.Itoa(cmd.Process.Pid) + ":"}
	serversMu.Lock()
	started = append(started, s)
	serversMu.Unlock()
	return s
}

// release makes s available to the next test.
func (sh testShell) release(s *shellServer) {
	serversMu.Lock()
	idle[sh.key()] = append(idle[sh.key()], s)
	serversMu.Unlock()
}

// exec runs one script on s. A server that fails (it died, or printed
// something unexpected) is not reused.
func (s *shellServer) exec(script string) (Output, error) {
	stdout, stderr := filepath.Join(s.dir, "out"), filepath.Join(s.dir, "err")
	framed := "( eval " + shell.Quote(script) + "\n) </dev/null >" + shell.Quote(stdout) + " 2>" + shell.Quote(stderr) +
		"\nprintf '%s%d\\n' " + shell.Quote(s.marker) + " \"$?\"\n"
	if _, err := io.WriteString(s.in, framed); err != nil {
		return Output{}, err
	}
	line, err := s.out.ReadString('\n')
	if err != nil {
		return Output{}, fmt.Errorf("the shell died: %v", err)
	}
	code, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, s.marker), "\n"))
	if !strings.HasPrefix(line, s.marker) || err != nil {
		return Output{}, fmt.Errorf("the shell printed %q", line)
	}
	o := Output{ExitCode: code}
	if o.Stdout, err = os.ReadFile(stdout); err != nil {
		return Output{}, err
	}
	if o.Stderr, err = os.ReadFile(stderr); err != nil {
		return Output{}, err
	}
	if len(o.Stdout) == 0 {
		o.Stdout = nil // as a fresh shell's empty output
	}
	if len(o.Stderr) == 0 {
		o.Stderr = nil
	}
	return o, nil
}

// stopServers ends every server (TestMain).
func stopServers() {
	serversMu.Lock()
	defer serversMu.Unlock()
	for _, s := range started {
		s.in.Close()
		s.cmd.Wait()
		os.RemoveAll(s.dir)
	}
	started, idle = nil, map[string][]*shellServer{}
}
