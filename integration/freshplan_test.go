package integration

import (
	"os"
	"strings"
	"testing"
)

// freshPlaybook has, on a fresh host, tasks that depend on what earlier
// tasks create: the cases a check run must predict rather than fail on.
const freshPlaybook = `
- hosts: all
  gather_facts: false
  tasks:
    - name: data directory
      file: {path: /srv/acme/data, state: directory, mode: "0750"}
    - name: config in it
      copy: {content: "port=80\n", dest: /srv/acme/data/app.conf, mode: "0640"}
    - name: group
      group: {name: acme}
    - name: user in the group
      user: {name: acmeapp, group: acme, groups: [acme], shell: /bin/sh, create_home: false}
    - name: file owned by the user
      copy: {content: "owned\n", dest: /srv/acme/data/owned, owner: acmeapp, group: acme}
    - name: seed (kept when there)
      copy: {content: "a=1\n", dest: /srv/acme/seed.conf, force: false}
    - name: line in the seed
      lineinfile: {path: /srv/acme/seed.conf, line: "b=2"}
    - name: block in the seed
      blockinfile: {path: /srv/acme/seed.conf, block: "c=3\n"}
    - name: etc directory
      file: {path: /srv/acme/etc, state: directory}
    - name: template into it
      template: {src: motd.j2, dest: /srv/acme/etc/motd}
    - name: link to the new directory
      file: {src: /srv/acme/data, dest: /srv/acme/current, state: link}
    - name: stat what an earlier task creates
      stat: {path: /srv/acme/data/app.conf}
      register: st
    - name: only when it exists
      copy: {content: "seen\n", dest: /srv/acme/seen}
      when: st.stat.exists
    - name: only when it does not
      copy: {content: "unseen\n", dest: /srv/acme/unseen}
      when: not st.stat.exists
    - name: marker
      command: touch /srv/acme/marker
      args: {creates: /srv/acme/marker}
    - name: host name
      command: cat /etc/hostname
      register: hn
      changed_when: false
    - name: uses the output
      copy: {content: "{{ hn.stdout }}\n", dest: /srv/acme/hostname}
`

// The checks of issue 13: on fresh twin hosts, a check run reports exactly
// the tasks a converge changes, fails nothing and changes nothing; a saved
// plan applied on a third fresh host ends in the converge's state, and the
// next converge is a no-op.
func TestCheckOnAFreshHostTellsTheTruth(t *testing.T) {
	fx := newPlanFixture(t, 3)
	fx.write(t, "site.yml", freshPlaybook)
	checked, converged, applied := fx.f.Hosts[0], fx.f.Hosts[1], fx.f.Hosts[2]
	fx.login(t, checked, converged, applied)
	before := snapshot(t, checked)

	r, check := converge(t, fx.f, fx.pb, "--check", "--detailed-exitcode", "--limit", checked.Name)
	if r.code != 2 {
		t.Fatalf("check run: want exit 2 (changes pending): %v", r)
	}
	if n := statuses(check, checked.Name)["failed"]; n != 0 {
		t.Fatalf("check run failed %d tasks: %v", n, r)
	}
	if d := diffSnapshots(before, snapshot(t, checked)); len(d) > 0 {
		t.Errorf("the check run changed the host: %v", d)
	}
	r, conv := converge(t, fx.f, fx.pb, "--limit", converged.Name)
	if r.code != 0 {
		t.Fatalf("converge: %v", r)
	}
	want, got := changedTasks(conv, converged.Name), changedTasks(check, checked.Name)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("the check run's changes are not the converge's:\ncheck:    %v\nconverge: %v", got, want)
	}
	for _, e := range check {
		if unknown := e.Task == "uses the output"; unknown != (e.Unknown != "") {
			t.Errorf("%s: known after apply %q", e.Task, e.Unknown)
		}
	}

	// plan -o, then apply, on the third host.
	if r := fx.plan(t, "--detailed-exitcode", "--limit", applied.Name); r.code != 2 {
		t.Fatalf("plan: %v", r)
	}
	if r := fx.apply(t); r.code != 0 {
		t.Fatalf("apply: %v", r)
	}
	for _, p := range []string{"/srv/acme/data/app.conf", "/srv/acme/data/owned", "/srv/acme/seed.conf", "/srv/acme/etc/motd", "/srv/acme/seen", "/srv/acme/marker"} {
		a, b := readHostFile(t, converged, p), readHostFile(t, applied, p)
		if a != strings.ReplaceAll(b, applied.Name, converged.Name) {
			t.Errorf("%s: converge wrote %q, apply %q", p, a, b)
		}
	}
	if _, err := applied.Lstat("/srv/acme/unseen"); err == nil {
		t.Error("apply wrote /srv/acme/unseen")
	}
	if target, err := applied.Readlink("/srv/acme/current"); err != nil || target != "/srv/acme/data" {
		t.Errorf("link: %q %v", target, err)
	}
	r, again := converge(t, fx.f, fx.pb, "--limit", applied.Name)
	if r.code != 0 || len(changedTasks(again, applied.Name)) != 0 {
		t.Errorf("converge after apply is not a no-op: %v", changedTasks(again, applied.Name))
	}
}

func readHostFile(t *testing.T, h interface{ Path(string) string }, p string) string {
	t.Helper()
	b, err := os.ReadFile(h.Path(p))
	if err != nil {
		t.Errorf("%s: %v", p, err)
	}
	return string(b)
}
