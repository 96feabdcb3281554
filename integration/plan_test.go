package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"tend/integration/fleet"
)

// planPlaybook writes files in /srv (plan-*), a secret with no_log, runs a
// command guarded by creates, and renders a template.
const planPlaybook = `
- hosts: all
  gather_facts: false
  vars: {secret: hunter2-very-secret}
  tasks:
    - {name: motd, template: {src: motd.j2, dest: /srv/plan-motd, mode: "0644"}}
    - name: items
      copy: {content: "{{ item }}\n", dest: "/srv/plan-{{ item }}"}
      loop: [a, b]
    - name: secret
      copy: {content: "{{ secret }}\n", dest: /srv/plan-secret, mode: "0600"}
      no_log: true
    - name: once
      command: touch /srv/plan-once
      args: {creates: /srv/plan-once}
`

// planFixture is a playbook folder, the fleet and a digest key for a
// saved-plan test.
type planFixture struct {
	f        *fleet.Fleet
	dir, pb  string
	key      string
	planPath string
}

func newPlanFixture(t *testing.T, hosts int) *planFixture {
	fx := &planFixture{f: startFleet(t, hosts), dir: t.TempDir()}
	fx.pb = filepath.Join(fx.dir, "site.yml")
	fx.write(t, "site.yml", planPlaybook)
	fx.write(t, "templates/motd.j2", "welcome to {{ inventory_hostname }}\n")
	// Tests run as root: the default key would be /var/lib/tend's.
	fx.key = filepath.Join(t.TempDir(), "digest.key")
	fx.planPath = filepath.Join(t.TempDir(), "plan.json")
	return fx
}

func (fx *planFixture) write(t *testing.T, name, content string) {
	t.Helper()
	p := filepath.Join(fx.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (fx *planFixture) plan(t *testing.T, args ...string) result {
	t.Helper()
	all := append([]string{"plan", "-i", fx.f.Inventory, "--known-hosts", fx.f.KnownHosts, "--digest-key", fx.key, "-o", fx.planPath}, args...)
	return tend(t, nil, append(all, fx.pb)...)
}

func (fx *planFixture) apply(t *testing.T, args ...string) result {
	t.Helper()
	all := append([]string{"apply", "--known-hosts", fx.f.KnownHosts, "--digest-key", fx.key}, args...)
	return tend(t, nil, append(all, fx.planPath)...)
}

// login makes a first login on each host, whose traces (see scenario.run)
// must not be taken for tend's changes.
func (fx *planFixture) login(t *testing.T, hosts ...*fleet.Host) {
	t.Helper()
	for _, h := range hosts {
		if r := tend(t, nil, "exec", "-i", fx.f.Inventory, "--known-hosts", fx.f.KnownHosts, h.Name, "--", "true"); r.code != 0 {
			t.Fatalf("login on %s: %v", h.Name, r)
		}
	}
}

func TestSavedPlanAppliesExactlyThePlannedHosts(t *testing.T) {
	fx := newPlanFixture(t, 3)
	h0, h1, h2 := fx.f.Hosts[0], fx.f.Hosts[1], fx.f.Hosts[2]
	// h1 is converged already: the plan holds no change for it. h2 is not
	// in the plan (--limit).
	if r, _ := converge(t, fx.f, fx.pb, "--limit", h1.Name); r.code != 0 {
		t.Fatalf("converging %s: %v", h1.Name, r)
	}
	fx.login(t, h0)
	r := fx.plan(t, "--limit", h0.Name+","+h1.Name, "--detailed-exitcode")
	if r.code != 2 || !strings.Contains(r.stdout, "plan saved to "+fx.planPath+": 5 changes on 1 host") {
		t.Fatalf("plan: %v", r)
	}
	st, err := os.Stat(fx.planPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("plan file mode %v", st.Mode())
	}
	data, err := os.ReadFile(fx.planPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "hunter2") {
		t.Errorf("the plan holds the no_log secret:\n%s", data)
	}
	var saved struct {
		Hosts []struct {
			Name    string
			Status  string
			Changes []struct {
				Task, Planned string
				Hidden        bool `json:"no_log"`
			}
		}
		Files []struct{ Path string }
	}
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range saved.Hosts {
		var tasks []string
		for _, c := range h.Changes {
			if c.Planned == "" {
				t.Errorf("%s: change %s has no digest", h.Name, c.Task)
			}
			if c.Hidden != (c.Task == "secret") {
				t.Errorf("%s: change %s: no_log %v", h.Name, c.Task, c.Hidden)
			}
			tasks = append(tasks, c.Task)
		}
		got = append(got, h.Name+":"+h.Status+":"+strings.Join(tasks, ","))
	}
	if want := []string{h0.Name + ":changed:motd,items,items,secret,once", h1.Name + ":ok:"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("plan hosts %q, want %q", got, want)
	}
	if len(saved.Files) != 2 || saved.Files[0].Path != "site.yml" || saved.Files[1].Path != "templates/motd.j2" {
		t.Errorf("plan files: %+v", saved.Files)
	}
	if h0.Exists("/srv/plan-motd") {
		t.Fatal("plan changed the host")
	}

	before1, before2 := snapshot(t, h1), snapshot(t, h2)
	r = fx.apply(t, "--detailed-exitcode")
	if r.code != 2 {
		t.Fatalf("apply: %v", r)
	}
	if !strings.Contains(r.stdout, "the plan was applied on 1 of 1 host; 0 refused, 0 stopped as stale") ||
		!strings.Contains(r.stdout, "1 host with no planned changes: not touched") {
		t.Errorf("apply output: %v", r)
	}
	if got := content(t, h0, "/srv/plan-motd"); got != "welcome to "+h0.Name+"\n" {
		t.Errorf("motd: %q", got)
	}
	for _, p := range []string{"/srv/plan-a", "/srv/plan-b", "/srv/plan-secret", "/srv/plan-once"} {
		if !h0.Exists(p) {
			t.Errorf("%s: %s missing", h0.Name, p)
		}
	}
	if d := diffSnapshots(before1, snapshot(t, h1)); len(d) > 0 {
		t.Errorf("apply touched %s, which had no planned change:\n%s", h1.Name, strings.Join(d, "\n"))
	}
	if d := diffSnapshots(before2, snapshot(t, h2)); len(d) > 0 {
		t.Errorf("apply touched %s, which is not in the plan:\n%s", h2.Name, strings.Join(d, "\n"))
	}
	// h0 now matches the playbook: a converge is a no-op.
	if r, events := converge(t, fx.f, fx.pb, "--limit", h0.Name, "--detailed-exitcode"); r.code != 0 {
		t.Errorf("converge after apply: changed %v\n%v", changedTasks(events, h0.Name), r)
	}
}

func TestSavedPlanRefusesAStaleHost(t *testing.T) {
	fx := newPlanFixture(t, 2)
	h0, h1 := fx.f.Hosts[0], fx.f.Hosts[1]
	fx.login(t, h0, h1)
	if r := fx.plan(t); r.code != 0 {
		t.Fatalf("plan: %v", r)
	}
	// Someone changes h1 by hand between plan and apply.
	if r := tend(t, nil, "exec", "-i", fx.f.Inventory, "--known-hosts", fx.f.KnownHosts, h1.Name, "--",
		"echo hand-made > /srv/plan-motd"); r.code != 0 {
		t.Fatalf("hand edit: %v", r)
	}
	before := snapshot(t, h1)
	r := fx.apply(t, "--format", "json")
	if r.code != 4 {
		t.Fatalf("apply: %v", r)
	}
	var refused []map[string]any
	var summary map[string]any
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("bad JSON line %q: %v", l, err)
		}
		switch e["kind"] {
		case "refused":
			refused = append(refused, e)
		case "summary":
			summary = e
		}
	}
	if len(refused) != 1 || refused[0]["host"] != h1.Name {
		t.Fatalf("refused: %v\n%v", refused, r)
	}
	reason, _ := refused[0]["reason"].(string)
	if !strings.Contains(reason, `its state differs from the plan's: task "motd" (site.yml:6): planned [/srv/plan-motd content,mode,state] (`) ||
		!strings.Contains(reason, "found [/srv/plan-motd content] (") {
		t.Errorf("refusal reason: %s", reason)
	}
	if summary == nil || summary["changed"] != float64(1) || summary["failed"] != float64(0) {
		t.Errorf("summary: %v", summary)
	}
	if d := diffSnapshots(before, snapshot(t, h1)); len(d) > 0 {
		t.Errorf("apply touched the refused host:\n%s", strings.Join(d, "\n"))
	}
	if got := content(t, h1, "/srv/plan-motd"); got != "hand-made\n" {
		t.Errorf("%s: motd %q", h1.Name, got)
	}
	if got := content(t, h0, "/srv/plan-motd"); got != "welcome to "+h0.Name+"\n" {
		t.Errorf("%s: motd %q", h0.Name, got)
	}
}

func TestSavedPlanRefusedWhenThePlaybookChanged(t *testing.T) {
	fx := newPlanFixture(t, 1)
	h := fx.f.Hosts[0]
	fx.login(t, h)
	if r := fx.plan(t, "-e", "x=1"); r.code != 0 {
		t.Fatalf("plan: %v", r)
	}
	before := snapshot(t, h)
	// Other extra variables: refused.
	r := fx.apply(t, "-e", "x=2")
	if r.code != 1 || !strings.Contains(r.stderr, "the extra variables (-e) are not the plan's") {
		t.Errorf("apply with other -e: %v", r)
	}
	// Another digest key: refused.
	other := filepath.Join(t.TempDir(), "other.key")
	os.WriteFile(other, []byte("another key, 32 bytes long......"), 0o600)
	r = tend(t, nil, "apply", "--known-hosts", fx.f.KnownHosts, "--digest-key", other, "-e", "x=1", fx.planPath)
	if r.code != 1 || !strings.Contains(r.stderr, "the plan was made with another digest key") {
		t.Errorf("apply with another key: %v", r)
	}
	// A template the playbook uses is edited: refused.
	fx.write(t, "templates/motd.j2", "welcome, {{ inventory_hostname }}\n")
	r = fx.apply(t, "-e", "x=1")
	if r.code != 1 || !strings.Contains(r.stderr, "the playbook changed since the plan was made (templates/motd.j2 (changed))") {
		t.Errorf("apply after a template changed: %v", r)
	}
	// And the playbook itself.
	fx.write(t, "templates/motd.j2", "welcome to {{ inventory_hostname }}\n")
	fx.write(t, "site.yml", planPlaybook+"    - {name: more, file: {path: /srv/plan-more, state: directory}}\n")
	r = fx.apply(t, "-e", "x=1")
	if r.code != 1 || !strings.Contains(r.stderr, "the playbook changed since the plan was made (site.yml (changed))") {
		t.Errorf("apply after the playbook changed: %v", r)
	}
	if d := diffSnapshots(before, snapshot(t, h)); len(d) > 0 {
		t.Errorf("a refused apply touched the host:\n%s", strings.Join(d, "\n"))
	}
	// Back as planned, the plan applies.
	fx.write(t, "site.yml", planPlaybook)
	if r := fx.apply(t, "-e", "x=1"); r.code != 0 || !h.Exists("/srv/plan-once") {
		t.Errorf("apply of the restored playbook: %v", r)
	}
}

// A change that depends on an earlier one of the same run looks different
// once the earlier one is applied than check mode saw it: the guard stops
// the host before applying it, after the changes before it.
func TestSavedPlanStopsTheHostBeforeAStaleChange(t *testing.T) {
	fx := newPlanFixture(t, 1)
	h := fx.f.Hosts[0]
	fx.write(t, "site.yml", `
- hosts: all
  gather_facts: false
  tasks:
    - {name: first, shell: "echo z > /srv/dep"}
    - {name: second, lineinfile: {path: /srv/dep, line: b, create: true}}
    - {name: third, copy: {content: "c\n", dest: /srv/third}}
`)
	// The plan cannot know what the shell command writes (it states no
	// effects): it plans second against the host as it is, where /srv/dep
	// is missing. At apply the command has written it, so second's change
	// is not the planned one: the host stops there, first applied.
	fx.login(t, h)
	if r := fx.plan(t); r.code != 0 {
		t.Fatalf("plan: %v", r)
	}
	r := fx.apply(t)
	if r.code != 4 {
		t.Fatalf("apply: %v", r)
	}
	if !strings.Contains(r.stdout, "failed: "+h.Name+` => stale: task "second" (site.yml:6): planned [/srv/dep `) ||
		!strings.Contains(r.stdout, "stopped: "+h.Name+": stale: ") {
		t.Errorf("apply output: %v", r)
	}
	if got := content(t, h, "/srv/dep"); got != "z\n" {
		t.Errorf("/srv/dep: %q (the stale change was applied?)", got)
	}
	if h.Exists("/srv/third") {
		t.Error("a change after the stale one was applied")
	}
}

// gitRun runs git in dir for a test.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	c := exec.Command("git", append([]string{"-c", "user.name=tend test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	c.Dir = dir
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestPull converges this machine (connection local) from a local bare
// repository. Its playbook writes only under a temporary folder.
func TestPull(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("tend pull needs git")
	}
	out := t.TempDir()
	bare, work, checkout := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "checkout")
	gitRun(t, bare, "init", "-q", "--bare")
	gitRun(t, work, "init", "-q")
	commit := func(content string) string {
		t.Helper()
		pb := fmt.Sprintf(`
- hosts: localhost
  gather_facts: false
  tasks:
    - {name: conf, copy: {content: %q, dest: %q, mode: "0600"}}
`, content, filepath.Join(out, "conf"))
		if err := os.WriteFile(filepath.Join(work, "local.yml"), []byte(pb), 0o644); err != nil {
			t.Fatal(err)
		}
		gitRun(t, work, "add", "local.yml")
		gitRun(t, work, "commit", "-q", "-m", content)
		gitRun(t, work, "push", "-q", bare, "HEAD:main")
		return gitRun(t, work, "rev-parse", "HEAD")
	}
	reports := t.TempDir()
	pull := func(args ...string) result {
		t.Helper()
		return tend(t, nil, append([]string{"pull", "--repo", bare, "--dir", checkout, "--detailed-exitcode", "--report-dir", reports}, args...)...)
	}
	// lastReport reads the newest run report (their names sort by start).
	lastReport := func() (rep struct {
		Git   struct{ Commit string }
		Hosts []struct{ Corrective, Intentional int }
	}) {
		t.Helper()
		names, _ := filepath.Glob(filepath.Join(reports, "*.json"))
		if len(names) == 0 {
			t.Fatal("pull wrote no report")
		}
		sort.Strings(names)
		data, err := os.ReadFile(names[len(names)-1])
		if err != nil || json.Unmarshal(data, &rep) != nil || len(rep.Hosts) != 1 {
			t.Fatalf("report %s: %v\n%s", names[len(names)-1], err, data)
		}
		return rep
	}
	conf := func() string {
		data, err := os.ReadFile(filepath.Join(out, "conf"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	c1 := commit("one\n")
	r := pull()
	if r.code != 2 || !strings.Contains(r.stdout, "pull: "+bare+" at commit "+c1+" (no earlier successful pull)") ||
		!strings.Contains(r.stdout, "commit applied: "+c1) || conf() != "one\n" {
		t.Fatalf("first pull: %v", r)
	}
	if rep := lastReport(); rep.Git.Commit != c1 || rep.Hosts[0].Intentional != 1 {
		t.Errorf("first pull's report: %+v", rep)
	}
	// Drift is corrected although the repository did not change.
	os.WriteFile(filepath.Join(out, "conf"), []byte("drifted\n"), 0o600)
	r = pull("--format", "json")
	if r.code != 2 || conf() != "one\n" {
		t.Fatalf("pull after drift: %v", r)
	}
	if rep := lastReport(); rep.Git.Commit != c1 || rep.Hosts[0].Corrective != 1 {
		t.Errorf("the report of the pull that corrected drift: %+v", rep)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var summary map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &summary); err != nil || summary["kind"] != "summary" ||
		summary["commit"] != c1 || summary["changed"] != float64(1) {
		t.Errorf("JSON summary %v (%v)", summary, err)
	}
	// --only-if-changed skips an unchanged repository, and says so.
	os.WriteFile(filepath.Join(out, "conf"), []byte("drifted\n"), 0o600)
	r = pull("--only-if-changed")
	if r.code != 0 || !strings.Contains(r.stdout, "unchanged since the last successful pull, skipped (--only-if-changed)") || conf() != "drifted\n" {
		t.Errorf("pull --only-if-changed, repository unchanged: %v", r)
	}
	// A new commit is applied, with or without it.
	c2 := commit("two\n")
	r = pull("--only-if-changed")
	if r.code != 2 || !strings.Contains(r.stdout, "at commit "+c2+" (the repository changed since the last successful pull)") || conf() != "two\n" {
		t.Errorf("pull --only-if-changed, new commit: %v", r)
	}
	// --ref checks out another commit; nothing to do is exit 0.
	r = pull("--ref", c1)
	if r.code != 2 || !strings.Contains(r.stdout, "commit applied: "+c1) || conf() != "one\n" {
		t.Errorf("pull --ref %s: %v", c1, r)
	}
	if r = pull("--ref", c1); r.code != 0 {
		t.Errorf("pull with nothing to do: %v", r)
	}
	// Local edits in the checkout are discarded.
	os.WriteFile(filepath.Join(checkout, "local.yml"), []byte("- not: a playbook\n"), 0o644)
	if r = pull("--ref", "main"); r.code != 2 || conf() != "two\n" {
		t.Errorf("pull over an edited checkout: %v", r)
	}
	if r = tend(t, nil, "pull", "--repo", work, "--dir", checkout); r.code != 1 || !strings.Contains(r.stderr, "is a checkout of "+bare) {
		t.Errorf("pull of another repository into the checkout: %v", r)
	}
}
