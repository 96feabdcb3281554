package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setup gathers again: the facts it returns, filtered, are the host's for
// later tasks, under ansible_facts too, even without gather_facts.
func TestSetupUpdatesFacts(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  gather_facts: false
  tasks:
    - setup: {filter: [system, "ansible_kernel"]}
      register: r
    - name: show
      debug: {msg: "{{ ansible_system }} {{ ansible_facts.system }} {{ r.ansible_facts.keys() | sort | join(',') }} {{ ansible_facts.machine is defined }}"}
`, nil)
	if len(events) != 2 || events[1].Msg != "Linux Linux ansible_kernel,ansible_system True" {
		t.Errorf("%+v", events)
	}
}

// Facts a module returns (getent here) are under ansible_facts too.
func TestModuleFactsUnderAnsibleFacts(t *testing.T) {
	events, _, _ := runLocal(t, `
- hosts: all
  gather_facts: true
  tasks:
    - getent: {database: passwd, key: root}
    - name: show
      debug: {msg: "{{ ansible_facts.getent_passwd.root[1] }} {{ getent_passwd.root[1] }} {{ ansible_facts.system }}"}
`, nil)
	if len(events) != 2 || events[1].Msg != "0 0 Linux" {
		t.Errorf("%+v", events)
	}
}

func TestFetch(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - fetch: {src: "{{ dir }}/remote.txt", dest: "{{ dir }}/out"}
      register: r
    - fetch: {src: "{{ dir }}/remote.txt", dest: "{{ dir }}/flat/", flat: true}
    - fetch: {src: "{{ dir }}/nope", dest: "{{ dir }}/out", fail_on_missing: false}
    - name: show
      debug: {msg: "{{ r.checksum }}"}
`
	events, _, _ := runFiles(t, map[string]string{"site.yml": pb, "remote.txt": "hello\n"}, "local ansible_connection=local\n", nil)
	if got := trail(events); got != "fetch:changed fetch:changed fetch:ok show:ok" {
		t.Fatalf("%s %+v", got, events)
	}
	dest := events[0].Result["dest"].(string)
	if b, err := os.ReadFile(dest); err != nil || string(b) != "hello\n" || !strings.Contains(dest, "/out/local/") {
		t.Errorf("%s: %q %v", dest, b, err)
	}
	if events[3].Msg != "f572d396fae9206628714fb2ce00f72e94f2258f" {
		t.Errorf("checksum %q", events[3].Msg)
	}
	if events[2].Msg != "the remote file does not exist, not transferring, ignored" {
		t.Errorf("missing: %q", events[2].Msg)
	}
}

// A second fetch of the same file changes nothing; check mode reports a
// change to come and writes nothing.
func TestFetchIdempotentAndCheckMode(t *testing.T) {
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - fetch: {src: "` + src + `", dest: "` + out + `/x", flat: true}
`
	events, _, _ := runLocal(t, pb, nil)
	events2, _, _ := runLocal(t, pb, nil)
	if trail(events) != "fetch:changed" || trail(events2) != "fetch:ok" {
		t.Fatalf("%s / %s", trail(events), trail(events2))
	}
	os.WriteFile(src, []byte("two"), 0o644)
	events, _, _ = runLocal(t, pb, func(o *Options) { o.Check = true })
	if b, _ := os.ReadFile(out + "/x"); trail(events) != "fetch:changed" || string(b) != "one" {
		t.Errorf("check mode: %s %q", trail(events), b)
	}
}

func TestReadersInAPlay(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - find: {paths: "{{ dir }}", patterns: "*.txt"}
      register: f
    - slurp: {src: "{{ dir }}/a.txt"}
      register: s
    - raw: echo raw
      register: rr
    - script: hello.sh world
      register: sc
    - name: show
      debug: {msg: "{{ f.matched }} {{ s.content | b64decode }} {{ rr.stdout_lines[0] }} {{ sc.stdout | trim }}"}
`
	events, _, _ := runFiles(t, map[string]string{"site.yml": pb, "a.txt": "A", "files/hello.sh": "#!/bin/sh\necho hello $1\n"},
		"local ansible_connection=local\n", nil)
	if e := events[len(events)-1]; e.Msg != "1 A raw hello world" {
		t.Errorf("%s: %+v", trail(events), events)
	}
}
