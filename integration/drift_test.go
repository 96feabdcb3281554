package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tend/cronjob"
	"tend/integration/fleet"
	"tend/runlog"
)

// driftEvent is the part of a JSON task event the drift tests read.
type driftEvent struct {
	Kind, Host, Task, Status, Change string
}

// driftRun runs `tend converge --output json` with a report and lock dir.
func driftRun(t *testing.T, f *fleet.Fleet, reports, locks, playbook string, args ...string) (result, []driftEvent) {
	t.Helper()
	all := append([]string{"converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--output", "json",
		"--report-dir", reports, "--lock-dir", locks, "--detailed-exitcode"}, args...)
	r := tend(t, nil, append(all, playbook)...)
	var events []driftEvent
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e driftEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("bad JSON event %q: %v", sc.Text(), err)
		}
		if e.Kind == "task" {
			events = append(events, e)
		}
	}
	return r, events
}

// changeKinds lists host:task=kind of the changed tasks, sorted (hosts'
// events interleave in any order).
func changeKinds(events []driftEvent) string {
	var out []string
	for _, e := range events {
		if e.Status == "changed" {
			out = append(out, e.Host+":"+e.Task+"="+e.Change)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

const driftPlaybook = `
- hosts: all
  gather_facts: false
  vars:
    secret: s3cr3t-value
  tasks:
    - name: motd
      copy: {content: "VERSION\n", dest: /srv/motd, mode: "0644"}
    - name: secret
      copy: {content: "{{ secret }}\n", dest: /srv/secret, mode: "0600"}
      no_log: true
`

// Converge, drift a host by hand, find it with a check run, correct it,
// then change the playbook: the reports, the output and the history tell
// corrective changes from intentional ones, and keep no secret.
func TestDriftCorrectiveAndIntentional(t *testing.T) {
	f := startFleet(t, 2)
	h1, h2 := f.Hosts[0], f.Hosts[1]
	work := t.TempDir()
	reports, locks := filepath.Join(work, "reports"), filepath.Join(work, "locks")
	repo := filepath.Join(work, "repo")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	pb := filepath.Join(repo, "site.yml")
	if err := os.WriteFile(pb, []byte(strings.Replace(driftPlaybook, "VERSION", "v1", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "init", "-q")
	git(t, repo, "add", "site.yml")
	git(t, repo, "commit", "-q", "-m", "v1")
	commit := git(t, repo, "rev-parse", "HEAD")

	r, ev := driftRun(t, f, reports, locks, pb)
	if r.code != 2 || changeKinds(ev) != "host01:motd=intentional host01:secret=intentional host02:motd=intentional host02:secret=intentional" {
		t.Fatalf("first converge: %s\n%v", changeKinds(ev), r)
	}

	// By hand, on host01 only.
	if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, h1.Name, "--", "echo hacked > /srv/motd; echo leaked > /srv/secret"); r.code != 0 {
		t.Fatalf("drift: %v", r)
	}
	before := snapshot(t, h1)
	r, ev = driftRun(t, f, reports, locks, pb, "--check")
	if r.code != 2 || changeKinds(ev) != "host01:motd=corrective host01:secret=corrective" {
		t.Errorf("check run: exit %d, %s\n%v", r.code, changeKinds(ev), r)
	}
	if d := diffSnapshots(before, snapshot(t, h1)); len(d) > 0 {
		t.Errorf("the check run changed host01: %v", d)
	}
	r, ev = driftRun(t, f, reports, locks, pb)
	if r.code != 2 || changeKinds(ev) != "host01:motd=corrective host01:secret=corrective" {
		t.Errorf("correcting converge: exit %d, %s\n%v", r.code, changeKinds(ev), r)
	}
	if c := content(t, h1, "/srv/motd"); c != "v1\n" {
		t.Errorf("host01 motd not corrected: %q", c)
	}
	// The text output says it too.
	text := tend(t, nil, "converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--report-dir", reports, "--lock-dir", locks, "--check", pb)
	if text.code != 0 || strings.Contains(text.stdout, "would change") {
		t.Errorf("nothing should be pending: %v", text)
	}

	// An intentional change: the playbook asks for something new.
	if err := os.WriteFile(pb, []byte(strings.Replace(driftPlaybook, "VERSION", "v2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r, ev = driftRun(t, f, reports, locks, pb, "--limit", h2.Name)
	if r.code != 2 || changeKinds(ev) != "host02:motd=intentional" {
		t.Errorf("new playbook: exit %d, %s\n%v", r.code, changeKinds(ev), r)
	}
	text = tend(t, nil, "converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--report-dir", reports, "--lock-dir", locks, "--limit", h1.Name, pb)
	if text.code != 0 || !strings.Contains(text.stdout, "changed (intentional): host01") {
		t.Errorf("text output: %v", text)
	}

	// The reports: one per run, private, with the commit, no secret.
	runs, _, err := runlog.ReadReports(reports, runlog.Filter{})
	if err != nil || len(runs) != 6 {
		t.Fatalf("%d reports, %v", len(runs), err)
	}
	entries, _ := os.ReadDir(reports)
	for _, e := range entries {
		p := filepath.Join(reports, e.Name())
		if st, err := os.Stat(p); err != nil || st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: %v %v", p, st, err)
		}
	}
	filepath.WalkDir(reports, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte("s3cr3t")) || bytes.Contains(data, []byte("leaked")) {
				t.Errorf("%s holds the no_log value", p)
			}
		}
		return nil
	})
	correcting := runs[2]
	if correcting.Mode != "apply" || correcting.Git == nil || correcting.Git.Commit != commit || correcting.Git.Dirty ||
		correcting.Playbook != pb || correcting.Inventory[0] != f.Inventory || correcting.ExitCode != 2 ||
		correcting.Totals.Corrective != 2 || correcting.Totals.Changed != 1 || correcting.Hosts[0].Status == "" {
		t.Errorf("report of the correcting run: %+v", correcting)
	}
	for _, h := range correcting.Hosts {
		for _, task := range h.Tasks {
			if h.Name == h1.Name && task.Task == "motd" && (task.Change != "corrective" || len(task.Diffs) == 0 || task.Module != "copy" || task.Pos != "site.yml:7") {
				t.Errorf("motd on host01: %+v", task)
			}
		}
	}
	if runs[1].Mode != "check" || runs[4].Git == nil || !runs[4].Git.Dirty {
		t.Errorf("check run %+v; edited run git %+v", runs[1], runs[4].Git)
	}

	// The history.
	hist := tend(t, nil, "history", "--report-dir", reports)
	lines := strings.Split(strings.TrimSpace(hist.stdout), "\n")
	if hist.code != 0 || len(lines) != 7 {
		t.Fatalf("history: %v", hist)
	}
	// MODE HOSTS CHANGED CORRECTIVE INTENTIONAL FAILED UNREACHABLE, newest
	// run first
	for i, want := range []string{"apply 1 1 0 1 0 0", "apply 1 1 0 1 0 0", "check 2 0 0 0 0 0", "apply 2 1 2 0 0 0", "check 2 1 2 0 0 0", "apply 2 2 0 4 0 0"} {
		if got := strings.Join(strings.Fields(lines[i+1])[2:9], " "); got != want {
			t.Errorf("history line %d: %q, want %q\n%s", i+1, got, want, hist.stdout)
		}
	}
	if c := strings.Fields(lines[4])[10]; c != commit[:10] { // the correcting run
		t.Errorf("commit column %q, want %q", c, commit[:10])
	}
	hj := tend(t, nil, "history", "--report-dir", reports, "--host", h2.Name, "--since", "1d", "--json")
	var hosts2 []runlog.Entry
	if err := json.Unmarshal([]byte(hj.stdout), &hosts2); err != nil || len(hosts2) != 5 || hosts2[2].Changed != 0 || hosts2[4].Intentional != 1 {
		t.Errorf("history of host02: %v %+v\n%v", err, hosts2, hj)
	}

	page := filepath.Join(work, "history.html")
	if r := tend(t, nil, "history", "--report-dir", reports, "--html", page); r.code != 0 || !strings.Contains(r.stdout, "wrote "+page) {
		t.Fatalf("history --html: %v", r)
	}
	if st, err := os.Stat(page); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("history page: %v %v (want mode 0600, as the reports)", st.Mode(), err)
	}
	checkHistoryPage(t, page, map[string]string{
		h1.Name: "intentional, corrective check, corrective, ok check, intentional",
		h2.Name: "intentional, ok check, ok, ok check, intentional",
	})
}

// checkHistoryPage renders the page in a real browser (Debian's chromium,
// headless): the DOM it built has each host's timeline cells in order, and
// the screenshot shows the drift and change colours.
func checkHistoryPage(t *testing.T, page string, want map[string]string) {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		// Like the fleet's own requirements: missing is a failure, so the
		// page is never silently left unchecked (.ci/run installs it).
		t.Fatal("chromium is missing: apt-get install chromium (the history page is checked in a real browser)")
	}
	profile := t.TempDir()
	browser := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, chromium, append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
			"--user-data-dir=" + profile, "--window-size=1000,600"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+profile)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
		}
		return out.Bytes()
	}
	dom := string(browser("--dump-dom", "file://"+page))
	for host, cells := range want {
		m := regexp.MustCompile(`<g class="host" data-host="` + host + `"[^>]*>([\s\S]*?)</g>`).FindStringSubmatch(dom)
		if m == nil {
			t.Errorf("no timeline for %s in the rendered DOM:\n%s", host, dom)
			continue
		}
		var got []string
		for _, c := range regexp.MustCompile(`<rect class="cell ([^"]+)"`).FindAllStringSubmatch(m[1], -1) {
			got = append(got, c[1])
		}
		if strings.Join(got, ", ") != cells {
			t.Errorf("%s's timeline: %s, want %s", host, strings.Join(got, ", "), cells)
		}
	}
	shot := filepath.Join(t.TempDir(), "page.png")
	browser("--screenshot="+shot, "file://"+page)
	fh, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	// Opaque cells (14x18, rounded corners) are drawn in exactly these
	// colours (see runlog/html.go); a solid 12x16 block of one is a cell,
	// since the legend's swatches and the table's borders are smaller.
	colours := map[string][3]uint32{"corrective": {0xf0, 0x8c, 0x00}, "intentional": {0x35, 0x67, 0xd6}, "ok": {0x2e, 0x9e, 0x5b}}
	b := img.Bounds()
	for name, c := range colours {
		run := make([][]int, b.Dy()) // run[y][x]: pixels of colour c ending at x on row y
		for y := range run {
			run[y] = make([]int, b.Dx())
			for x := range run[y] {
				r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				if r>>8 == c[0] && g>>8 == c[1] && bl>>8 == c[2] {
					run[y][x] = 1
					if x > 0 {
						run[y][x] += run[y][x-1]
					}
				}
			}
		}
		found := false
		for x := 0; x < b.Dx() && !found; x++ {
			tall := 0
			for y := 0; y < b.Dy() && !found; y++ {
				if run[y][x] >= 12 {
					tall++
				} else {
					tall = 0
				}
				found = tall >= 16
			}
		}
		if !found {
			t.Errorf("the screenshot shows no %s cell", name)
		}
	}
}

// Two runs on one inventory and playbook: the second is refused at once,
// naming the first; with --lock-wait it waits and runs after it.
func TestDriftLockOneRunAtATime(t *testing.T) {
	f := startFleet(t, 1)
	work := t.TempDir()
	reports, locks := filepath.Join(work, "reports"), filepath.Join(work, "locks")
	pb := filepath.Join(work, "site.yml")
	// The run holds until the test creates /srv/go on the host.
	if err := os.WriteFile(pb, []byte(`
- hosts: all
  gather_facts: false
  tasks:
    - shell: 'while [ ! -e /srv/go ]; do sleep 0.05; done'
`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "--report-dir", reports, "--lock-dir", locks}
	background := func(extra ...string) (*exec.Cmd, string) {
		errFile := filepath.Join(t.TempDir(), "stderr")
		fe, err := os.Create(errFile)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(tendBin, append(append(append([]string{}, args...), extra...), pb)...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}
		cmd.Stderr = fe
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		fe.Close()
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd, errFile
	}
	// waitFor polls until cond holds; the deadline only ends a hung test.
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting for %s", what)
			}
		}
	}
	first, _ := background()
	inv, _ := filepath.Abs(f.Inventory)
	lockFile := runlog.LockPath(locks, runlog.RunKey(pb, []string{inv}))
	waitFor("the first run to take the lock", func() bool {
		data, _ := os.ReadFile(lockFile)
		return strings.Contains(string(data), fmt.Sprintf(`"pid":%d,`, first.Process.Pid))
	})

	r := tend(t, nil, append(args, "--splay", "1ms", pb)...)
	if r.code != 1 || !strings.Contains(r.stderr, "PID "+strconv.Itoa(first.Process.Pid)) || !strings.Contains(r.stderr, "--lock-wait") {
		t.Errorf("second run: %v", r)
	}

	third, thirdErr := background("--lock-wait", "10m")
	waitFor("the third run to wait", func() bool {
		data, _ := os.ReadFile(thirdErr)
		return strings.Contains(string(data), "waiting up to 10m0s for the run lock, held by PID "+strconv.Itoa(first.Process.Pid))
	})
	if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "all", "--", "touch /srv/go"); r.code != 0 {
		t.Fatalf("touch: %v", r)
	}
	if err := first.Wait(); err != nil {
		t.Errorf("first run: %v", err)
	}
	if err := third.Wait(); err != nil {
		data, _ := os.ReadFile(thirdErr)
		t.Errorf("third run: %v\n%s", err, data)
	}
	// The refused run left no report; the third ran after the first ended.
	runs, _, _ := runlog.ReadReports(reports, runlog.Filter{})
	if len(runs) != 2 || runs[1].Start.Before(runs[0].End) {
		t.Errorf("reports: %d, %+v", len(runs), runs)
	}
	if _, err := os.Stat(lockFile); !os.IsNotExist(err) {
		t.Errorf("lock file not removed at release: %v", err)
	}
}

// The cron entry's line parses, and its command run as cron runs it (sh -c,
// an empty environment but for a minimal PATH, no terminal) converges the
// hosts and writes a report that `tend cron list` shows.
func TestDriftCronEntryRunsAsCron(t *testing.T) {
	f := startFleet(t, 1)
	work := t.TempDir()
	crond, reports, locks, logFile := filepath.Join(work, "cron.d"), filepath.Join(work, "reports"), filepath.Join(work, "locks"), filepath.Join(work, "log", "nightly.log")
	if err := os.Mkdir(crond, 0o755); err != nil {
		t.Fatal(err)
	}
	pbDir := filepath.Join(work, "pb")
	os.Mkdir(pbDir, 0o755)
	if err := os.WriteFile(filepath.Join(pbDir, "site.yml"), []byte(`
- hosts: all
  gather_facts: false
  tasks:
    - copy: {content: "{{ greeting }}\n", dest: /srv/cron}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"TEND_CRON_DIR=" + crond}
	cron := func(args ...string) result {
		cmd := exec.Command(tendBin, args...)
		cmd.Dir = pbDir // relative playbook path: the entry must make it absolute
		cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}, env...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		r := result{stdout: o.String(), stderr: e.String()}
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		}
		return r
	}
	install := []string{"cron", "install", "nightly", "--every", "30m", "--report-dir", reports, "--log", logFile, "--",
		"-i", f.Inventory, "--known-hosts", f.KnownHosts, "--lock-dir", locks, "-e", `{"greeting": "100% hi"}`, "site.yml"}
	// Bad schedules and playbooks write nothing.
	for _, bad := range [][]string{
		{"cron", "install", "nightly", "--every", "7m", "--", "-i", f.Inventory, "site.yml"},
		{"cron", "install", "nightly", "--schedule", "61 * * * *", "--", "-i", f.Inventory, "site.yml"},
		{"cron", "install", "nightly", "--every", "30m", "--", "-i", f.Inventory, "missing.yml"},
	} {
		if r := cron(bad...); r.code != 1 {
			t.Errorf("%v: %v", bad, r)
		}
	}
	if entries, _ := os.ReadDir(crond); len(entries) != 0 {
		t.Fatalf("a failed install wrote %v", entries)
	}
	for range 2 {
		if r := cron(install...); r.code != 0 {
			t.Fatalf("install: %v", r)
		}
	}
	entries, _ := os.ReadDir(crond)
	if len(entries) != 1 || entries[0].Name() != "tend-nightly" {
		t.Fatalf("cron.d: %v", entries)
	}
	data, err := os.ReadFile(filepath.Join(crond, "tend-nightly"))
	if err != nil {
		t.Fatal(err)
	}
	var jobs []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") && !regexp.MustCompile(`^[A-Z_]+=`).MatchString(l) {
			jobs = append(jobs, l)
		}
	}
	if len(jobs) != 1 {
		t.Fatalf("want one cron line:\n%s", data)
	}
	sched, user, command, err := cronjob.ParseLine(jobs[0], true)
	if err != nil || sched != "*/30 * * * *" || user != "root" {
		t.Fatalf("cron line %q: %q %q %v", jobs[0], sched, user, err)
	}
	for _, want := range []string{tendBin, filepath.Join(pbDir, "site.yml"), f.Inventory, reports, "--detailed-exitcode", logFile, "cd " + pbDir} {
		if !strings.Contains(command, want) {
			t.Errorf("the command lacks %q: %s", want, command)
		}
	}

	// As cron would: sh -c, env -i with a minimal PATH, no terminal.
	cmd := exec.Command("env", "-i", "PATH=/usr/bin:/bin", "SHELL=/bin/sh", "HOME=/nonexistent", "LOGNAME=root", "/bin/sh", "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Stdin = nil
	err = cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		log, _ := os.ReadFile(logFile)
		t.Fatalf("the cron command: %v (want exit 2: changed)\n%s", err, log)
	}
	if c := content(t, f.Hosts[0], "/srv/cron"); c != "100% hi\n" {
		t.Errorf("/srv/cron: %q", c)
	}
	if log, _ := os.ReadFile(logFile); !strings.Contains(string(log), "changed (intentional): host01") {
		t.Errorf("log:\n%s", log)
	}
	runs, _, _ := runlog.ReadReports(reports, runlog.Filter{Label: "nightly"})
	if len(runs) != 1 || runs[0].ExitCode != 2 || runs[0].Playbook != filepath.Join(pbDir, "site.yml") {
		t.Fatalf("reports: %+v", runs)
	}
	list := cron("cron", "list")
	if l := lineFor(list.stdout, "nightly"); !strings.Contains(l, "*/30 * * * *") || !strings.Contains(l, "exit 2: 1 hosts, 1 changed (0 corrective, 1 intentional)") {
		t.Errorf("cron list: %v", list)
	}
	if r := cron("cron", "remove", "nightly"); r.code != 0 {
		t.Errorf("remove: %v", r)
	}
	if entries, _ := os.ReadDir(crond); len(entries) != 0 {
		t.Errorf("after remove: %v", entries)
	}
	if r := cron("cron", "remove", "nightly"); r.code != 1 {
		t.Errorf("second remove: %v", r)
	}
}
