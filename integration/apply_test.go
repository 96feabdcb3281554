package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tend/runlog"
)

// applyLockPlaybook holds the run (with -e hold=true) until /srv/go exists
// on the host, then writes /srv/apply-lock.
const applyLockPlaybook = `
- hosts: all
  gather_facts: false
  tasks:
    - name: hold
      shell: 'while [ ! -e /srv/go ]; do sleep 0.05; done'
      when: hold | default(false)
    - name: file
      copy: {content: "{{ msg | default('planned') }}\n", dest: /srv/apply-lock}
`

// tend apply takes the run lock converge takes, keyed by the real paths
// (a converge through a symlink to the playbook still holds it), waits for
// it with --lock-wait, writes reports marked as an applied plan (with
// --report-dir or $TEND_REPORT_DIR), and removes the lock file at the end.
func TestApplyTakesTheRunLockAndWritesReports(t *testing.T) {
	fx := newPlanFixture(t, 1)
	h := fx.f.Hosts[0]
	fx.write(t, "site.yml", applyLockPlaybook)
	work := t.TempDir()
	reports, locks := filepath.Join(work, "reports"), filepath.Join(work, "locks")
	link := filepath.Join(work, "link.yml")
	if err := os.Symlink(fx.pb, link); err != nil {
		t.Fatal(err)
	}
	if r := fx.plan(t); r.code != 0 || !strings.Contains(r.stdout, "1 change on 1 host") {
		t.Fatalf("plan: %v", r)
	}

	// A converge through the symlink, with other content, holds the lock.
	stderrFile := func() (*os.File, string) {
		p := filepath.Join(t.TempDir(), "stderr")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		return f, p
	}
	start := func(args ...string) (*exec.Cmd, string) {
		fe, p := stderrFile()
		cmd := exec.Command(tendBin, args...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
		cmd.Stderr, cmd.Stdout = fe, fe
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		fe.Close()
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd, p
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting for %s", what)
			}
		}
	}
	conv, _ := start("converge", "-i", fx.f.Inventory, "--known-hosts", fx.f.KnownHosts, "--lock-dir", locks,
		"--report-dir", reports, "-e", "hold=true", "-e", "msg=converged", link)
	inv, _ := filepath.Abs(fx.f.Inventory)
	lockFile := runlog.LockPath(locks, runlog.RunKey(fx.pb, []string{inv}))
	waitFor("the converge to take the lock", func() bool {
		data, _ := os.ReadFile(lockFile)
		return strings.Contains(string(data), fmt.Sprintf(`"pid":%d,`, conv.Process.Pid))
	})

	// apply is refused at once, naming the converge; nothing touched.
	r := fx.apply(t, "--lock-dir", locks, "--report-dir", reports)
	if r.code != 1 || !strings.Contains(r.stderr, "PID "+strconv.Itoa(conv.Process.Pid)) || !strings.Contains(r.stderr, "--lock-wait") {
		t.Errorf("apply during a converge: %v", r)
	}
	if h.Exists("/srv/apply-lock") {
		t.Error("the refused apply wrote the file")
	}

	// With --lock-wait it waits; after the converge the host no longer is
	// as planned, so the apply refuses it rather than undo the converge.
	apply, applyOut := start("apply", "--known-hosts", fx.f.KnownHosts, "--digest-key", fx.key, "--lock-dir", locks,
		"--report-dir", reports, "--lock-wait", "10m", fx.planPath)
	waitFor("the apply to wait", func() bool {
		data, _ := os.ReadFile(applyOut)
		return strings.Contains(string(data), "waiting up to 10m0s for the run lock, held by PID "+strconv.Itoa(conv.Process.Pid))
	})
	if r := tend(t, nil, "exec", "-i", fx.f.Inventory, "--known-hosts", fx.f.KnownHosts, "all", "--", "touch /srv/go"); r.code != 0 {
		t.Fatalf("touch: %v", r)
	}
	if err := conv.Wait(); err != nil {
		t.Errorf("converge: %v", err)
	}
	err := apply.Wait()
	out, _ := os.ReadFile(applyOut)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 4 || !strings.Contains(string(out), "refused: "+h.Name) {
		t.Errorf("apply after the converge: %v\n%s", err, out)
	}
	if got, _ := h.ReadFile("/srv/apply-lock"); string(got) != "converged\n" {
		t.Errorf("file: %q, want the converge's", got)
	}

	// A new plan, applied with $TEND_REPORT_DIR, changes the host.
	if r := fx.plan(t); r.code != 0 {
		t.Fatalf("plan: %v", r)
	}
	all := []string{"apply", "--known-hosts", fx.f.KnownHosts, "--digest-key", fx.key, "--lock-dir", locks, fx.planPath}
	if r := tend(t, []string{"TEND_REPORT_DIR=" + reports}, all...); r.code != 0 || !strings.Contains(r.stdout, "applied on 1 of 1 host") {
		t.Errorf("apply: %v", r)
	}
	if got, _ := h.ReadFile("/srv/apply-lock"); string(got) != "planned\n" {
		t.Errorf("file: %q, want the plan's", got)
	}

	// Reports: the converge, the refused apply, the apply (the apply
	// refused at once at the lock wrote none).
	runs, warnings, err := runlog.ReadReports(reports, runlog.Filter{})
	if err != nil || len(warnings) > 0 || len(runs) != 3 {
		t.Fatalf("reports: %d %v %v", len(runs), warnings, err)
	}
	for i, want := range []struct{ plan, status string }{{"", "changed"}, {fx.planPath, "refused"}, {fx.planPath, "changed"}} {
		rep := runs[i]
		if rep.Plan != want.plan || rep.Mode != "apply" || len(rep.Hosts) != 1 || rep.Hosts[0].Status != want.status {
			t.Errorf("report %d: plan %q mode %s hosts %+v, want plan %q status %s", i, rep.Plan, rep.Mode, rep.Hosts, want.plan, want.status)
		}
	}
	if runs[1].Start.Before(runs[0].End) || runs[1].Hosts[0].Refused == "" || runs[1].ExitCode != 4 {
		t.Errorf("refused apply's report: %+v", runs[1])
	}
	hist := tend(t, nil, "history", "--report-dir", reports)
	if hist.code != 0 || strings.Count(hist.stdout, "apply plan") != 2 || !strings.Contains(hist.stdout, "(1 refused)") {
		t.Errorf("history: %v", hist)
	}
	if _, err := os.Stat(lockFile); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
}
