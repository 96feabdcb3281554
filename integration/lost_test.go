package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// lostPlaybook holds every host in its first task until /srv/go exists.
const lostPlaybook = `
- hosts: all
  gather_facts: false
  tasks:
    - name: hold
      shell: 'touch /srv/started-{{ mark }}; while [ ! -e /srv/go ]; do sleep 0.05; done'
    - name: after
      command: 'true'
`

// Two hosts are lost in the middle of a run: the first frozen (every
// process stopped, its TCP still up), the second killed (sshd and all in
// it). Keepalives give up on the frozen one (the default: 3 missed 5 s
// probes), and both the text and the JSON output name each host and why it
// was lost, not only unreachable=1 in the recap.
func TestLostHostsSayWhy(t *testing.T) {
	f := startFleet(t, 2)
	frozen, killed := f.Hosts[0], f.Hosts[1]
	pb := writeFile(t, "lost.yml", lostPlaybook)
	run := func(format string) (string, int) {
		t.Helper()
		// Each run marks its start in a file of its own.
		mark := "/srv/started-" + format
		cmd := exec.Command(tendBin, "converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--format", format, "-e", "mark="+format, pb)
		cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		defer func() { cmd.Process.Kill(); <-done }()
		for deadline := time.Now().Add(time.Minute); !frozen.Exists(mark) || !killed.Exists(mark); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the hosts did not start the task:\n%s", out.String())
			}
		}
		if err := frozen.Pause(); err != nil {
			t.Fatal(err)
		}
		defer frozen.Resume()
		if err := killed.Stop(); err != nil {
			t.Fatal(err)
		}
		// The deadline only ends a hung test: keepalives end the run.
		select {
		case <-done:
		case <-time.After(3 * time.Minute):
			t.Fatalf("the run hung on a frozen host:\n%s", out.String())
		}
		return out.String(), cmd.ProcessState.ExitCode()
	}

	text, code := run("text")
	if code != 4 {
		t.Errorf("exit %d, want 4", code)
	}
	for _, want := range []string{
		"UNREACHABLE: " + frozen.Name + " => connection to 127.0.0.1:",
		"lost: no answer to keepalives for 15s (the host is frozen or the network is down)",
		"UNREACHABLE: " + killed.Name + " => connection to 127.0.0.1:",
		"lost: the host closed the connection (sshd was killed or restarted, or the host went down)",
		"  unreachable: connection to 127.0.0.1:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}

	if err := frozen.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := killed.Start(); err != nil {
		t.Fatal(err)
	}
	out, _ := run("json")
	why := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Kind == "task" && e.Status == "unreachable" {
			why[e.Host] = e.Msg
		}
	}
	if !strings.Contains(why[frozen.Name], "lost: no answer to keepalives for 15s") ||
		!strings.Contains(why[killed.Name], "lost: the host closed the connection") {
		t.Errorf("JSON unreachable events: %q\n%s", why, out)
	}
}
