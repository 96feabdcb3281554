package integration

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// On a real terminal (a pseudo-terminal here) tend colours its output and
// keeps a progress line; NO_COLOR and TERM=dumb turn both off, and so does
// output to a pipe.
func TestColoursAndProgressOnATerminal(t *testing.T) {
	f := startFleet(t, 2)
	pb := writeFile(t, "site.yml", `- hosts: all
  gather_facts: false
  tasks:
    - name: a file
      copy: {content: "x\n", dest: /srv/terminal-test}
`)
	args := []string{"converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--check", pb}
	const progress = "hosts done"
	for _, c := range []struct {
		name   string
		env    []string
		colour bool // colour codes and the progress line expected
	}{
		{"terminal", []string{"TERM=xterm-256color"}, true},
		{"NO_COLOR", []string{"TERM=xterm-256color", "NO_COLOR=1"}, false},
		{"TERM=dumb", []string{"TERM=dumb"}, false},
	} {
		out, code := onTerminal(t, c.env, args...)
		if code != 0 {
			t.Errorf("%s: exit %d\n%q", c.name, code, out)
			continue
		}
		if !strings.Contains(out, ": host01, host02\r\n") {
			t.Errorf("%s: the run's output is missing:\n%q", c.name, out)
		}
		hasEsc, hasProgress := strings.Contains(out, "\x1b["), strings.Contains(out, progress)
		switch {
		case c.colour && (!strings.Contains(out, "\x1b[1mPLAY [all]\x1b[0m") || !strings.Contains(out, "\x1b[33mwould change\x1b[0m")):
			t.Errorf("%s: no colours:\n%q", c.name, out)
		case c.colour && (!hasProgress || !strings.Contains(out, "\r\x1b[K")):
			t.Errorf("%s: no progress line (or it is not cleared):\n%q", c.name, out)
		case !c.colour && (hasEsc || hasProgress):
			t.Errorf("%s: escape codes or a progress line:\n%q", c.name, out)
		}
	}

	// A pipe is not a terminal, whatever TERM says.
	cmd := exec.Command(tendBin, args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color"}
	out, err := cmd.CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("\x1b")) || bytes.Contains(out, []byte(progress)) {
		t.Errorf("to a pipe: %v\n%q", err, out)
	}
}

// onTerminal runs tend with a new pseudo-terminal as its standard input,
// output and error (and controlling terminal), and returns what it wrote
// there and its exit code.
func onTerminal(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	master, slave := openPTY(t)
	defer master.Close()
	cmd := exec.Command(tendBin, args...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		slave.Close()
		t.Fatal(err)
	}
	// Only the child holds the terminal now: once it exits, reading the
	// master side ends (EIO).
	slave.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&out, master)
		close(done)
	}()
	err := cmd.Wait()
	<-done
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

// openPTY opens a pseudo-terminal pair (as posix_openpt, unlockpt and
// ptsname do), 40 rows by 120 columns.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		t.Fatalf("ptsname: %v", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		master.Close()
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		t.Fatal(err)
	}
	return master, slave
}
