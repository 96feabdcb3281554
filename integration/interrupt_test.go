package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tend/integration/fleet"
)

// hostProcs lists the PIDs of the processes in h's PID namespace whose
// command line is argv.
func hostProcs(t *testing.T, h *fleet.Host, argv ...string) []int {
	t.Helper()
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", h.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(argv, "\x00") + "\x00"
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); l != ns {
			continue
		}
		if c, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); string(c) == want {
			out = append(out, pid)
		}
	}
	return out
}

// Ctrl-C during a run: the hosts are reported interrupted (not unreachable),
// the commands the run started on them are ended (the remote session's
// process group gets SIGTERM through sshd), and tend exits 130.
func TestInterruptEndsRemoteCommands(t *testing.T) {
	f := startFleet(t, 2)
	pb := writeFile(t, "site.yml", `
- hosts: all
  gather_facts: false
  tasks:
    - name: long
      shell: sleep 987654
    - name: after
      copy: {content: "x\n", dest: /srv/after-interrupt}
`)
	cmd := exec.Command(tendBin, "converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, pb)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting for %s\nstdout:\n%s\nstderr:\n%s", what, out.String(), errb.String())
			}
		}
	}
	for _, h := range f.Hosts {
		waitUntil("sleep to run on "+h.Name, func() bool { return len(hostProcs(t, h, "sleep", "987654")) > 0 })
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	code := -1
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	r := result{code: code, stdout: out.String(), stderr: errb.String()}
	if r.code != 130 {
		t.Errorf("exit %d, want 130\n%v", r.code, r)
	}
	// Both hosts were cut short the same way: one block names them.
	if !strings.Contains(r.stdout, "interrupted: "+f.Hosts[0].Name+", "+f.Hosts[1].Name+" => ") {
		t.Errorf("the hosts are not reported interrupted at the task:\n%v", r)
	}
	for _, h := range f.Hosts {
		if !strings.Contains(lineFor(r.stdout, h.Name), "interrupted") {
			t.Errorf("%s not reported interrupted:\n%v", h.Name, r)
		}
		if h.Exists("/srv/after-interrupt") {
			t.Errorf("%s ran a task after the interruption", h.Name)
		}
	}
	if strings.Contains(r.stdout, "UNREACHABLE") || !strings.Contains(r.stdout, "0 failed, 0 unreachable") ||
		!strings.Contains(r.stdout, "2 interrupted") {
		t.Errorf("interrupted hosts reported failed or unreachable:\n%v", r)
	}
	// The sleeps are gone from the hosts (sshd signals the sessions'
	// process groups; the kernel takes a moment to reap them).
	for _, h := range f.Hosts {
		waitUntil("sleep to end on "+h.Name, func() bool { return len(hostProcs(t, h, "sleep", "987654")) == 0 })
	}
	_ = filepath.Join
}
