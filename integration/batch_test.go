package integration

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// batchPlaybook's changes are applied in batches (playbooks/batch.go): the
// failures in it must stop, rescue and be ignored exactly as when each
// change is applied on its own, as Ansible does. A copy whose validate
// command fails is a change that plans fine and fails when applied.
const batchPlaybook = `
- hosts: all
  gather_facts: false
  handlers:
    - name: mark
      copy: {content: "handled\n", dest: /srv/b/handled}
  tasks:
    - file: {path: /srv/b, state: directory, mode: "0755"}
    - copy: {content: "one\n", dest: /srv/b/one}
      notify: mark
    - copy: {content: "ignored\n", dest: /srv/b/ignored, validate: "false %s"}
      ignore_errors: true
    - lineinfile: {path: /srv/b/one, line: two}
    - file: {path: "/srv/b/d-{{ item }}", state: directory}
      loop: [a, b, c]
    - copy: {content: "{{ item }}\n", dest: "/srv/b/item-{{ item }}", validate: "test {{ item }} != b -a -f %s"}
      loop: [a, b, c]
      ignore_errors: true
    - block:
        - copy: {content: "x\n", dest: /srv/b/d-a/in-block}
        - copy: {content: "y\n", dest: /srv/b/fails, validate: "false %s"}
        - copy: {content: "z\n", dest: /srv/b/after-failure}
      rescue:
        - lineinfile: {path: /srv/b/d-a/in-block, line: rescued}
    - meta: flush_handlers
    - user: {name: batchuser, home: /srv/b/home-batchuser}
    - copy: {content: "key\n", dest: /srv/b/home-batchuser/.profile2, owner: batchuser}
    - copy: {content: "last\n", dest: /srv/b/last, validate: "false %s"}
    - copy: {content: "never\n", dest: /srv/b/never}
`

// The recap line of ansible-playbook's default output for the host twin.
var ansibleRecap = regexp.MustCompile(`twin\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)`)

func TestBatchedChangesFailAsAnsible(t *testing.T) {
	tw := runTwins(t, batchPlaybook, nil, "")
	if tw.ansibleErr == nil || tw.tend.code != 4 { // 4: a host failed
		t.Fatalf("both must fail the host: ansible %v, tend exit %d\n%s\n%v", tw.ansibleErr, tw.tend.code, tw.ansibleOut, tw.tend)
	}
	m := ansibleRecap.FindSubmatch(tw.ansibleOut)
	if m == nil {
		t.Fatalf("no recap in Ansible's output:\n%s", tw.ansibleOut)
	}
	var want []int
	for _, s := range m[1:] {
		n, _ := strconv.Atoi(string(s))
		want = append(want, n)
	}
	lines := strings.Split(strings.TrimSpace(tw.tend.stdout), "\n")
	var sum struct {
		Hosts map[string]struct {
			OK, Changed, Unreachable, Failed, Skipped, Rescued, Ignored int
		} `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatalf("summary: %v", err)
	}
	r := sum.Hosts["twin"]
	got := []int{r.OK, r.Changed, r.Unreachable, r.Failed, r.Skipped, r.Rescued, r.Ignored}
	if !slices.Equal(got, want) {
		t.Errorf("recap ok/changed/unreachable/failed/skipped/rescued/ignored: tend %v, ansible %v", got, want)
	}
	if diffs := compareStates("twin", endState(t, tw.ansibleHost, "/srv/b"), endState(t, tw.tendHost, "/srv/b")); len(diffs) > 0 {
		t.Errorf("end states differ:\n%s", strings.Join(diffs, "\n"))
	}
	for _, p := range []string{"/srv/b/after-failure", "/srv/b/never", "/srv/b/ignored", "/srv/b/item-b"} {
		if _, err := tw.tendHost.Lstat(p); err == nil {
			t.Errorf("%s exists: a change after a failure was applied", p)
		}
	}
	// The events come in task order (handlers run where they are flushed).
	last := -1
	for _, e := range tw.events {
		if e.Handler {
			continue
		}
		if e.TaskIndex < last {
			t.Errorf("event of task %d (%s) after task %d", e.TaskIndex, e.Task, last)
		}
		last = e.TaskIndex
	}
	// The batches: the tasks before the handlers' flush in one or two round
	// trips each side of a failure, not one per change.
	for h, c := range costs(t, tw.tend) {
		if c.RoundTrips > 12 {
			t.Errorf("%s: %d round trips", h, c.RoundTrips)
		}
	}
}

// A path argument's leading ~ and ~user are homes from the host's passwd,
// as Ansible's type='path' (os.path.expanduser on the host), a user's
// created by a change still in the queue included.
func TestHomePathsAsAnsible(t *testing.T) {
	tw := runTwins(t, `
- hosts: all
  gather_facts: false
  tasks:
    - file: {path: "~/hometest", state: directory}
    - copy: {content: "x\n", dest: "~root/hometest/f"}
    - user: {name: homeuser, home: /srv/homeuser}
    - file: {path: "~homeuser/sub", state: directory, owner: homeuser}
    - lineinfile: {path: "~/hometest/f", line: "y"}
`, nil, "")
	if tw.ansibleErr != nil || tw.tend.code != 0 {
		t.Fatalf("ansible: %v\n%s\ntend: %v", tw.ansibleErr, tw.ansibleOut, tw.tend)
	}
	for _, root := range []string{"/root/hometest", "/srv/homeuser"} {
		if diffs := compareStates(root, endState(t, tw.ansibleHost, root), endState(t, tw.tendHost, root)); len(diffs) > 0 {
			t.Errorf("end states differ:\n%s", strings.Join(diffs, "\n"))
		}
	}
}

// laterPlaybook's changes wait in batches; the results of those nothing
// after them touches are read by the program that runs after the batch
// (Change.Later) or, in a batch that ends with a command, before the
// command; the others by a stat of their own. Either way each result must
// be the host's as the change left it.
const laterPlaybook = `
- hosts: all
  gather_facts: false
  tasks:
    - file: {path: /srv/r, state: directory, mode: "0750"}
    - copy: {content: "a\n", dest: /srv/r/a, mode: "0640", owner: daemon, group: daemon}
    - copy: {content: "bb\n", dest: /srv/r/b, mode: "0604"}
    - file: {path: /srv/r/d, state: directory, mode: "0711", owner: daemon}
    - file: {src: /srv/r/a, dest: /srv/r/l, state: link}
    - file: {path: /srv/r/t, state: touch, mode: "0600"}
    - copy: {content: "ccc\n", dest: /srv/r/c, mode: "0644"}
    - stat: {path: /srv/r/a}
    - copy: {content: "e\n", dest: /srv/r/e, mode: "0600"}
    - copy: {content: "ff\n", dest: /srv/r/d/f, mode: "0640"}
    - file: {path: /srv/r/g, state: directory, mode: "0700"}
    - command: touch /srv/r/d/cmd
`

func TestBatchedResultsAreTheHosts(t *testing.T) {
	f := startFleet(t, 1)
	h := f.Hosts[0]
	pb := writeFile(t, "later.yml", laterPlaybook)
	r, events := converge(t, f, pb)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	names := map[uint32]string{0: "root", 1: "daemon"}
	checked := 0
	for _, e := range events {
		p, _ := e.Result["path"].(string)
		if p == "" {
			p, _ = e.Result["dest"].(string)
		}
		if e.Status != "changed" || p == "" {
			continue
		}
		fi, err := h.Lstat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		state := map[bool]string{true: "directory", false: "file"}[fi.IsDir()]
		if fi.Mode()&fs.ModeSymlink != 0 {
			state = "link"
		}
		want := map[string]any{
			"mode": fmt.Sprintf("%04o", st.Mode&0o7777), "uid": float64(st.Uid), "gid": float64(st.Gid),
			"owner": names[st.Uid], "group": names[st.Gid], "size": float64(st.Size),
		}
		if e.Module == "file" {
			want["state"] = state
		}
		for k, v := range want {
			if e.Result[k] != v {
				t.Errorf("%s (%s): result %s = %v, the host says %v", e.Task, p, k, e.Result[k], v)
			}
		}
		checked++
	}
	if checked != 10 {
		t.Errorf("%d results checked, want 10", checked)
	}
}
