package playbooks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"tend/inventory"
	"tend/modules"
	"tend/playbooks/load"
)

// runLocal runs playbook text on one local host (ansible_connection=local)
// with the variable dir set to a fresh folder, and returns its task events.
func runLocal(t *testing.T, playbook string, mod func(*Options)) ([]Event, *Summary, string) {
	t.Helper()
	return runFiles(t, map[string]string{"site.yml": playbook}, "local ansible_connection=local\n", mod)
}

// runFiles is runLocal with more files beside the playbook (site.yml):
// roles, task files, vars files; and an inventory of local hosts.
func runFiles(t *testing.T, files map[string]string, hosts string, mod func(*Options)) ([]Event, *Summary, string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pbPath := filepath.Join(dir, "site.yml")
	env := NewTemplateEnv()
	pb, err := load.Load(pbPath, LoadOptions(env, nil))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	inv, err := inventory.Parse("hosts", []byte(hosts))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var events []Event
	o := Options{Forks: 5, ExtraVars: map[string]any{"dir": dir}, Events: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == EventTask {
			events = append(events, e)
		}
	}}
	if mod != nil {
		mod(&o)
	}
	sum, err := Run(context.Background(), pb, inv, o)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return events, sum, dir
}

// trail renders events as "task:status" for comparison.
func trail(events []Event) string {
	var out []string
	for _, e := range events {
		s := e.Task + ":" + string(e.Status)
		if e.Item != "" {
			s += "[" + e.Item + "]"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestBlockRescueAlways(t *testing.T) {
	events, sum, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - block:
        - {name: boom, command: "false"}
        - {name: not reached, debug: {msg: x}}
      rescue:
        - {name: rescued, debug: {msg: "rescued {{ ansible_failed_task | default('') }}"}}
      always:
        - {name: always, debug: {msg: y}}
    - {name: after, debug: {msg: z}}
`, nil)
	if got, want := trail(events), "boom:failed rescued:ok always:ok after:ok"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if rc := sum.Hosts["local"]; rc.Failed != 0 || rc.Rescued != 1 {
		t.Errorf("recap %+v", rc)
	}
}

func TestHandlersRunOnceInDefinitionOrderOnlyWhenNotified(t *testing.T) {
	events, _, dir := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - {name: one, copy: {content: "1", dest: "{{ dir }}/one"}, notify: [second, first]}
    - {name: two, copy: {content: "2", dest: "{{ dir }}/two"}, notify: second}
    - {name: unchanged, debug: {msg: x}, notify: never}
  handlers:
    - {name: first, copy: {content: "f", dest: "{{ dir }}/first"}}
    - {name: second, listen: topic, copy: {content: "s", dest: "{{ dir }}/second"}}
    - {name: never, copy: {content: "n", dest: "{{ dir }}/never"}}
`, nil)
	if got, want := trail(events), "one:changed two:changed unchanged:ok first:changed second:changed"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "never")); err == nil {
		t.Error("a handler ran without being notified")
	}
}

func TestTags(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - {name: a, debug: {msg: a}, tags: [web]}
    - {name: b, debug: {msg: b}, tags: [db]}
    - {name: c, debug: {msg: c}, tags: [always]}
    - {name: d, debug: {msg: d}, tags: [never, debug]}
    - {name: e, debug: {msg: e}}
`
	cases := []struct {
		tags, skip []string
		want       string
	}{
		{nil, nil, "a:ok b:ok c:ok e:ok"},
		{[]string{"web"}, nil, "a:ok c:ok"},
		{[]string{"debug"}, nil, "c:ok d:ok"},
		{[]string{"untagged"}, nil, "c:ok e:ok"},
		{nil, []string{"db", "always"}, "a:ok e:ok"},
	}
	for _, c := range cases {
		events, _, _ := runLocal(t, pb, func(o *Options) { o.Tags, o.SkipTags = c.tags, c.skip })
		if got := trail(events); got != c.want {
			t.Errorf("tags %v skip %v: got %s want %s", c.tags, c.skip, got, c.want)
		}
	}
}

func TestLoopsRegisterAndConditions(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - name: echo
      command: echo {{ item }}
      loop: [a, b, c]
      when: item != "b"
      register: out
      changed_when: false
    - name: results
      assert:
        that:
          - out.results | length == 3
          - out.results[0].stdout == "a"
          - out.results[1].skipped
          - out.results[2].stdout_lines == ["c"]
    - name: rc
      shell: exit 3
      register: r
      failed_when: r.rc != 3
    - name: seen
      assert: {that: ["r.rc == 3", "r is changed"]}
    - name: flattened
      debug: {msg: "{{ item }}"}
      with_items: [[1, 2], 3]
`, nil)
	want := "echo:ok[a] echo:skipped[b] echo:ok[c] results:ok rc:changed seen:ok flattened:ok[1] flattened:ok[2] flattened:ok[3]"
	if got := trail(events); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestCheckModeChangesNothing(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - {name: file, copy: {content: "x\n", dest: "{{ dir }}/f"}}
    - {name: cmd, command: "touch {{ dir }}/cmd"}
    - {name: decided, command: "touch {{ dir }}/c2", args: {creates: "{{ dir }}/c2"}}
    - {name: forced, command: "touch {{ dir }}/forced", check_mode: false}
`
	events, sum, dir := runLocal(t, pb, func(o *Options) { o.Check, o.Diff = true, true })
	// A command without creates would run: a change whose effect is known
	// after apply (Ansible skips it, and so hides it from the plan).
	if got, want := trail(events), "file:changed cmd:changed decided:changed forced:changed"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if events[1].Unknown == "" || events[0].Unknown != "" {
		t.Errorf("known after apply: %q, %q", events[0].Unknown, events[1].Unknown)
	}
	for _, f := range []string{"f", "cmd", "c2"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("check mode created %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "forced")); err != nil {
		t.Errorf("check_mode: false did not run: %v", err)
	}
	if len(events[0].Diffs) == 0 || !events[0].Check {
		t.Errorf("no diff in check mode: %+v", events[0])
	}
	if sum.Changed() != 1 {
		t.Errorf("summary: %d changed", sum.Changed())
	}
}

func TestNoLogHidesEverything(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  vars: {secret: hunter2}
  tasks:
    - name: secret
      copy: {content: "{{ secret }}", dest: "{{ dir }}/s"}
      no_log: true
    - name: failing secret
      command: "sh -c 'echo {{ secret }} >&2; exit 1'"
      no_log: true
      ignore_errors: true
`, func(o *Options) { o.Diff = true })
	for _, e := range events {
		if s := fmt.Sprintf("%+v", e); strings.Contains(s, "hunter2") {
			t.Errorf("event shows the secret: %s", s)
		}
	}
	if len(events) != 2 || events[1].Status != StatusFailed || !events[1].Ignored {
		t.Errorf("events: %s", trail(events))
	}
}

func TestSetFactOutlivesThePlayAndUndefinedIsAnError(t *testing.T) {
	events, sum, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - set_fact: {color: blue}
- hosts: all
  gather_facts: false
  tasks:
    - {name: color, debug: {msg: "{{ color }}"}}
    - {name: undefined, debug: {msg: "{{ nope }}"}}
    - {name: not reached, debug: {msg: x}}
`, nil)
	if events[1].Msg != "blue" {
		t.Errorf("set_fact lost: %+v", events[1])
	}
	if e := events[2]; e.Status != StatusFailed || !strings.Contains(e.Msg, "site.yml:10") || !strings.Contains(e.Msg, "'nope' is undefined") {
		t.Errorf("undefined variable: %+v", e)
	}
	if len(events) != 3 || sum.Failed() != 1 {
		t.Errorf("the host went on after a failure: %s", trail(events))
	}
}

func TestGatheredFacts(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  tasks:
    - debug: {msg: "{{ ansible_system }} {{ ansible_facts.kernel }} {{ ansible_user_id }}"}
`, nil)
	if len(events) != 1 || !strings.HasPrefix(events[0].Msg, "Linux ") || slices.Contains(strings.Fields(events[0].Msg), "") {
		t.Errorf("facts: %+v", events)
	}
}

// Text a host returns is data: a template in it is never evaluated on the
// controller, where the secrets are.
func TestHostOutputIsNeverTemplated(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  vars: {secret: s3cr3t}
  tasks:
    - command: printf '%s' '{{ "{{" }} secret }}'
      register: r
    - set_fact: {remote: "{{ r.stdout }}"}
    - {name: show, debug: {msg: "{{ remote }}"}}
`, nil)
	if e := events[len(events)-1]; e.Msg != "{{ secret }}" {
		t.Errorf("host output was evaluated: %q", e.Msg)
	}
}

func TestLoopVarsRegisterAndRecap(t *testing.T) {
	events, sum, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - name: per item
      debug: {msg: "{{ x }}"}
      vars: {x: "v-{{ item }}"}
      loop: [a, b]
      register: r
    - name: items
      assert: {that: ["r.results | map(attribute='item') | list == ['a', 'b']", "r.results[0].msg == 'v-a'"]}
    - name: empty
      debug: {msg: x}
      loop: []
      register: e
    - name: empty skipped
      assert: {that: ["e is skipped"]}
    - block:
        - {name: two failures, command: "false", loop: [1, 2]}
      rescue:
        - {name: rescued, debug: {msg: ok}}
`, nil)
	if events[0].Msg != "v-a" || events[1].Msg != "v-b" {
		t.Errorf("task vars not rendered per item: %q %q", events[0].Msg, events[1].Msg)
	}
	if got := trail(events); strings.Contains(got, "failed") && !strings.Contains(got, "two failures:failed[1] two failures:failed[2] rescued:ok") {
		t.Errorf("trail: %s", got)
	}
	if rc := sum.Hosts["local"]; rc.Failed != 0 || rc.Rescued != 1 || rc.OK != 4 || rc.Skipped != 1 {
		t.Errorf("recap counts tasks, not items, and a rescue clears the failure: %+v", rc)
	}
}

func TestHostsPatternTakesExtraVars(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - debug: {msg: reached}
`, func(o *Options) { o.ExtraVars["target"] = "local" })
	if len(events) != 1 || events[0].Msg != "reached" {
		t.Errorf("templated hosts: %s", trail(events))
	}
}

func TestDigestsStableAndKeyed(t *testing.T) {
	args := modules.Args{"path": "/etc/x", "mode": "0644", "state": "file"}
	same := modules.Args{"state": "file", "mode": "0644", "path": "/etc/x"}
	d1 := desiredDigest(nil, "file", args)
	if d1 != desiredDigest(nil, "file", same) {
		t.Fatal("desired digest depends on map order")
	}
	if d1 == desiredDigest(nil, "file", modules.Args{"path": "/etc/x", "mode": "0600", "state": "file"}) {
		t.Fatal("different arguments, same digest")
	}
	if d1 == desiredDigest([]byte("k"), "file", args) {
		t.Fatal("the key does not change the digest")
	}
	diffs := []modules.Diff{{Path: "/etc/x", Attr: "mode", Before: "0600", After: "0644"}}
	if plannedDigest(nil, d1, diffs) == plannedDigest(nil, d1, nil) {
		t.Fatal("planned digest ignores the diffs")
	}
}

func TestGuardRefusesAndStopsTheHost(t *testing.T) {
	var seen []Event
	events, sum, dir := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - name: first
      copy: {content: "1\n", dest: "{{ dir }}/{{ item }}"}
      loop: [a]
    - block:
        - name: second
          copy: {content: "2\n", dest: "{{ dir }}/b"}
          ignore_errors: true
          failed_when: false
      rescue:
        - {name: rescued, copy: {content: "r\n", dest: "{{ dir }}/r"}}
      always:
        - {name: always, copy: {content: "w\n", dest: "{{ dir }}/w"}}
    - {name: after, copy: {content: "z\n", dest: "{{ dir }}/z"}}
`, func(o *Options) {
		o.Guard = func(e Event) error {
			seen = append(seen, e)
			if e.Task == "first" {
				return nil
			}
			return fmt.Errorf("stale: %s", e.Task)
		}
	})
	if got, want := trail(events), "first:changed[a] second:failed always:failed"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(seen) != 2 || seen[0].Item != "a" || seen[0].Planned == "" || seen[0].Planned != events[0].Planned ||
		seen[0].Status != StatusChanged || len(seen[0].Diffs) == 0 || seen[1].Task != "second" {
		t.Errorf("guard saw %+v", seen)
	}
	if events[1].Ignored || events[1].Msg != "stale: second" {
		t.Errorf("refused event: %+v", events[1])
	}
	if !strings.Contains(events[2].Msg, "an earlier change on this host was refused") {
		t.Errorf("always event: %+v", events[2])
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); err != nil {
		t.Errorf("the allowed change was not applied: %v", err)
	}
	for _, f := range []string{"b", "r", "w", "z"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was written after a refusal", f)
		}
	}
	if sum.Failed() != 1 {
		t.Errorf("summary: %d failed", sum.Failed())
	}
}

func TestGuardNotCalledInCheckMode(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - {name: one, copy: {content: "1\n", dest: "{{ dir }}/a"}}
`, func(o *Options) {
		o.Check = true
		o.Guard = func(e Event) error { return fmt.Errorf("called") }
	})
	if got := trail(events); got != "one:changed" {
		t.Errorf("got %s", got)
	}
}

func TestOnlyHosts(t *testing.T) {
	events, sum, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - {name: one, debug: {msg: x}}
`, func(o *Options) { o.OnlyHosts = map[string]bool{"other": true} })
	if len(events) != 0 || len(sum.Hosts) != 0 {
		t.Errorf("a host outside OnlyHosts ran: %s", trail(events))
	}
	events, _, _ = runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - {name: one, debug: {msg: "{{ groups['all'] | length }}"}}
`, func(o *Options) { o.OnlyHosts = map[string]bool{"local": true} })
	if trail(events) != "one:ok" || events[0].Msg != "1" {
		t.Errorf("got %s %q", trail(events), events[0].Msg)
	}
}

// An apply looks ahead only as far as the next task the earlier answers say
// will change. A task beyond that window must still see the host as the
// applies before it left it, also when the forecast was wrong (second: first
// already wrote its file) and when the task's answer from an earlier batch is
// stale (fourth and fifth: h did not exist when they were first probed).
func TestLookAheadAfterAnApplyNeverUsesStaleAnswers(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - {name: first, copy: {content: "x\n", dest: "{{ dir }}/f"}}
    - {name: second, copy: {content: "x\n", dest: "{{ dir }}/f"}}
    - {name: third, lineinfile: {path: "{{ dir }}/h", line: "z", create: true}}
    - {name: fourth, lineinfile: {path: "{{ dir }}/h", line: "y"}}
    - {name: items, file: {path: "{{ dir }}/{{ item }}", state: directory}, loop: [a, b, c]}
    - {name: fifth, lineinfile: {path: "{{ dir }}/h", line: "w"}}
`
	dir := t.TempDir()
	withDir := func(o *Options) { o.ExtraVars = map[string]any{"dir": dir} }
	events, sum, _ := runLocal(t, pb, withDir)
	want := "first:changed second:ok third:changed fourth:changed items:changed[a] items:changed[b] items:changed[c] fifth:changed"
	if got := trail(events); got != want {
		t.Errorf("first run:\ngot  %s\nwant %s", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "h")); err != nil || string(b) != "z\ny\nw\n" {
		t.Errorf("h = %q, %v", b, err)
	}
	// 8 in the first batch; after first, second (forecast to change); as
	// it did not, everything ahead again (6); then after each change the
	// next item or task: fourth, a, b, c, fifth.
	if rc := sum.Hosts["local"]; rc.Probes > 8+1+6+5 {
		t.Errorf("%d probes", rc.Probes)
	}
	events, _, _ = runLocal(t, pb, withDir)
	if got, want := trail(events), "first:ok second:ok third:ok fourth:ok items:ok[a] items:ok[b] items:ok[c] fifth:ok"; got != want {
		t.Errorf("second run:\ngot  %s\nwant %s", got, want)
	}
}

// In a check run, what a command would print is known after apply: the
// tasks that use it are changes known after apply, never failures.
func TestCheckModeKnownAfterApply(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - {name: cmd, command: "echo hi", register: out}
    - {name: uses, copy: {content: "{{ out.stdout }}", dest: "{{ dir }}/x"}}
    - {name: shows, debug: {msg: "{{ out.stdout }}"}}
    - {name: decides, command: "echo again", when: out.rc == 0}
    - {name: quiet, command: "echo", changed_when: false}
    - {name: plain, copy: {content: "y", dest: "{{ dir }}/y"}}
`
	events, _, dir := runLocal(t, pb, func(o *Options) { o.Check = true })
	if got, want := trail(events), "cmd:changed uses:changed shows:ok decides:changed quiet:ok plain:changed"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	for i, e := range events {
		if wantUnknown := i < 4; (e.Unknown != "") != wantUnknown {
			t.Errorf("%s: known after apply %q", e.Task, e.Unknown)
		}
	}
	if !strings.Contains(events[1].Unknown, `command "cmd"`) || !strings.Contains(events[3].Unknown, "when: out.rc == 0") {
		t.Errorf("reasons: %q / %q", events[1].Unknown, events[3].Unknown)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("check mode wrote x")
	}
}

// In a check run, a module that probes with a script and fails after a
// change the run could not predict is a change known after apply, naming
// that change; without such a change, the same failure is a failure.
func TestCheckModeFailureAfterAnUnpredictedChange(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - {name: install, command: "true", when: with_install}
    - {name: start, service: {name: tend-no-such-unit, state: started}}
`
	for _, install := range []bool{true, false} {
		events, _, _ := runLocal(t, pb, func(o *Options) {
			o.Check = true
			o.ExtraVars = map[string]any{"with_install": install}
		})
		start := events[len(events)-1]
		if install && (start.Status != StatusChanged || !strings.Contains(start.Unknown, `may depend on command "install"`)) {
			t.Errorf("after an unpredicted change: %s %q %q", start.Status, start.Unknown, start.Msg)
		}
		if !install && (start.Status != StatusFailed || start.Unknown != "") {
			t.Errorf("alone: %s %q %q", start.Status, start.Unknown, start.Msg)
		}
	}
}

// As Ansible: a loop over what a skipped task registered fails only when
// the task's condition does not skip the task first.
func TestUndefinedLoopOfASkippedTask(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - name: never
      command: echo hi
      register: r
      when: false
    - name: over results
      debug: {msg: "{{ item }}"}
      loop: "{{ r.results }}"
      when: r is not skipped
    - name: undefined and false
      debug: {msg: "{{ item }}"}
      loop: "{{ nothing_here }}"
      when: false
    - name: undefined and true
      debug: {msg: "{{ item }}"}
      loop: "{{ nothing_here }}"
      when: true
`, nil)
	want := "never:skipped over results:skipped undefined and false:skipped undefined and true:failed"
	if got := trail(events); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Controller files are found where Ansible looks (the first that exists
// wins): a folder named without a trailing / is copied itself, and a task
// file's own folder is searched.
func TestControllerFilesFoundAsAnsible(t *testing.T) {
	events, _, dir := runFiles(t, map[string]string{
		"site.yml": `
- hosts: all
  gather_facts: false
  tasks:
    - file: {path: "{{ dir }}/out", state: directory}
    - copy: {src: adir, dest: "{{ dir }}/out/"}
    - import_tasks: tasks/more.yml
`,
		"files/adir/x":   "in a folder\n",
		"tasks/more.yml": "- copy: {src: own.txt, dest: \"{{ dir }}/out/own.txt\"}\n",
		"tasks/own.txt":  "beside the task file\n",
	}, "local ansible_connection=local\n", nil)
	if got, want := trail(events), "file:changed copy:changed copy:changed"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	for p, want := range map[string]string{"out/adir/x": "in a folder\n", "out/own.txt": "beside the task file\n"} {
		if b, err := os.ReadFile(filepath.Join(dir, p)); err != nil || string(b) != want {
			t.Errorf("%s: %q %v", p, b, err)
		}
	}
}

// A loop's registered result says how its items went, as Ansible's:
// skipped always set, and msg.
func TestLoopRegisteredSummary(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - debug: {msg: "{{ item }}"}
      loop: [1, 2]
      when: item == 1
      register: some
    - debug: {msg: "{{ item }}"}
      loop: [1, 2]
      when: false
      register: none
    - debug: {msg: "{{ item }}"}
      loop: []
      register: empty
    - command: "false"
      loop: [1]
      register: bad
      ignore_errors: true
    - assert:
        that:
          - some.skipped == false and some.msg == "All items completed"
          - none.skipped and none.msg == "All items skipped"
          - empty.skipped and empty.msg is not defined and empty.skipped_reason == "No items in the list"
          - bad.msg == "One or more items failed"
`, nil)
	if got := trail(events); !strings.HasSuffix(got, "assert:ok") {
		t.Errorf("got %s", got)
	}
}

// A loop over no items is reported skipped on the host, as Ansible prints.
func TestEmptyLoopIsReportedSkipped(t *testing.T) {
	events, sum, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - name: nothing
      debug: {msg: "{{ item }}"}
      loop: []
`, nil)
	if got := trail(events); got != "nothing:skipped" {
		t.Errorf("got %s", got)
	}
	if r := sum.Hosts["local"]; r.Skipped != 1 {
		t.Errorf("recap %+v", r)
	}
}

// With StatusOnly, the results nothing reads are left without what costs
// the host a process (a written path's stat, a command's times); a result
// that is registered, or that changed_when reads, stays whole. Without it,
// every result is whole.
func TestStatusOnlyLeavesOutWhatNothingReads(t *testing.T) {
	const playbook = `
- hosts: all
  gather_facts: false
  tasks:
    - name: unread dir
      file: {path: "{{ dir }}/a", state: directory}
    - name: unread copy
      copy: {content: "x\n", dest: "{{ dir }}/a/x"}
    - name: unread command
      command: touch {{ dir }}/a/t
    - name: registered dir
      file: {path: "{{ dir }}/b", state: directory}
      register: b
    - name: read by changed_when
      command: touch {{ dir }}/b/t
      changed_when: true
    - name: registered is whole
      assert: {that: ["b.mode == '0755'", "b.state == 'directory'"]}
`
	for _, statusOnly := range []bool{false, true} {
		events, _, _ := runLocal(t, playbook, func(o *Options) { o.StatusOnly = statusOnly })
		want := "unread dir:changed unread copy:changed unread command:changed registered dir:changed read by changed_when:changed registered is whole:ok"
		if got := trail(events); got != want {
			t.Fatalf("status only %v:\ngot  %s\nwant %s", statusOnly, got, want)
		}
		whole := map[string]string{"unread dir": "mode", "unread copy": "size", "unread command": "start",
			"registered dir": "mode", "read by changed_when": "start"}
		for _, e := range events {
			key, ok := whole[e.Task]
			if !ok {
				continue
			}
			_, has := e.Result[key]
			has = has && e.Result[key] != nil
			if want := !statusOnly || strings.HasPrefix(e.Task, "registered") || strings.HasPrefix(e.Task, "read"); has != want {
				t.Errorf("status only %v: %s: %s in the result: %v, want %v (%v)", statusOnly, e.Task, key, has, want, e.Result)
			}
		}
	}
}

// The look-ahead of a no-op goes on into a block's tasks and past tasks its
// condition skips (a set_fact, a loop over what a skipped task registers):
// one round trip asks every question. The tasks' outcomes are the same as
// each task asking its own.
func TestLookAheadCrossesBlocksAndSkippedTasks(t *testing.T) {
	const playbook = `
- hosts: all
  gather_facts: false
  vars: {enabled: false}
  tasks:
    - name: a
      file: {path: "{{ dir }}/a", state: directory}
    - name: registers
      command: echo hi
      register: found
      when: enabled
    - name: loops over it
      file: {path: "{{ dir }}/{{ item }}", state: touch}
      loop: "{{ found.stdout_lines }}"
      when: enabled
    - name: sets
      set_fact: {x: 1}
      when: enabled
    - block:
        - name: b
          file: {path: "{{ dir }}/a/b", state: directory}
        - name: c
          copy: {content: "c\n", dest: "{{ dir }}/a/c"}
    - name: d
      file: {path: "{{ dir }}/a/d", state: directory}
`
	dir := t.TempDir()
	at := func(o *Options) { o.ExtraVars["dir"] = dir }
	events, _, _ := runLocal(t, playbook, at)
	want := "a:changed registers:skipped loops over it:skipped sets:skipped b:changed c:changed d:changed"
	if got := trail(events); got != want {
		t.Fatalf("first run:\ngot  %s\nwant %s", got, want)
	}
	events, sum, _ := runLocal(t, playbook, at)
	want = "a:ok registers:skipped loops over it:skipped sets:skipped b:ok c:ok d:ok"
	if got := trail(events); got != want {
		t.Fatalf("no-op:\ngot  %s\nwant %s", got, want)
	}
	if rt := sum.Hosts["local"].RoundTrips; rt != 1 {
		t.Errorf("the no-op took %d round trips, want 1", rt)
	}
}

// The look-ahead goes into blocks; a task after a block whose rescue ran
// must still see the host as the rescue left it, not as it was looked at
// before the block (the rescue's apply drops what was fetched ahead).
func TestATaskAfterARescueSeesWhatItMade(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - block:
        - name: fails
          fail: {msg: no}
        - name: never
          file: {path: "{{ dir }}/never", state: directory}
      rescue:
        - name: makes
          copy: {content: "x\n", dest: "{{ dir }}/made"}
    - name: needs it
      file: {path: "{{ dir }}/made", state: file}
`, nil)
	want := "fails:failed makes:changed needs it:ok"
	if got := trail(events); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
