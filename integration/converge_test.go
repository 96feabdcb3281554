package integration

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"tend/integration/fleet"
)

// event is the part of tend's JSON events the tests read.
type event struct {
	Kind      string         `json:"kind"`
	Host      string         `json:"host"`
	Task      string         `json:"task"`
	TaskIndex int            `json:"task_index"`
	Module    string         `json:"module"`
	Item      string         `json:"item"`
	Status    string         `json:"status"`
	Handler   bool           `json:"handler"`
	Msg       string         `json:"msg"`
	Unknown   string         `json:"known_after_apply"`
	Result    map[string]any `json:"result"`
	Diffs     []struct {
		Path, Attr, Before, After string
	} `json:"diffs"`
}

// converge runs `tend converge --format json` with args and returns the
// result and its task events.
func converge(t *testing.T, f *fleet.Fleet, playbook string, args ...string) (result, []event) {
	t.Helper()
	return convergeWith(t, f.Inventory, f, playbook, args...)
}

// convergeWith is converge with another inventory than the fleet's.
func convergeWith(t *testing.T, inv string, f *fleet.Fleet, playbook string, args ...string) (result, []event) {
	t.Helper()
	all := append([]string{"converge", "-i", inv, "--known-hosts", f.KnownHosts, "--format", "json"}, args...)
	r := tend(t, nil, append(all, playbook)...)
	var events []event
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("bad JSON event %q: %v", sc.Text(), err)
		}
		if e.Kind == "task" {
			events = append(events, e)
		}
	}
	return r, events
}

// changedTasks lists "task[item]" of the events that changed (or would).
func changedTasks(events []event, host string) []string {
	var out []string
	for _, e := range events {
		if e.Host == host && e.Status == "changed" {
			out = append(out, fmt.Sprintf("%d:%s[%s]", e.TaskIndex, e.Task, e.Item))
		}
	}
	return out
}

func statuses(events []event, host string) map[string]int {
	out := map[string]int{}
	for _, e := range events {
		if e.Host == host {
			out[e.Status]++
		}
	}
	return out
}

// snapshot describes everything a host has changed (its overlay upper dir),
// minus the files sshd itself writes at each login.
func snapshot(t *testing.T, h *fleet.Host) map[string]string {
	t.Helper()
	skip := map[string]bool{"/var/log/wtmp": true, "/var/log/lastlog": true, "/var/log/btmp": true, "/run/utmp": true}
	out := map[string]string{}
	err := filepath.WalkDir(h.Upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, h.Upper)
		if skip[rel] || rel == "" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		desc := info.Mode().String()
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" %x", sha256.Sum256(data))
		} else if !info.IsDir() {
			// Directories' mtimes change when sshd touches /run; their
			// contents are listed entry by entry anyway.
			desc += " " + info.ModTime().String()
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffSnapshots(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, fmt.Sprintf("%s: %q -> %q", k, v, b[k]))
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			out = append(out, fmt.Sprintf("%s: added %q", k, v))
		}
	}
	sort.Strings(out)
	return out
}

// scenario is one playbook proven the way every module must be: a check run
// on a fresh host changes nothing and reports the changes the converge that
// follows makes; a second converge changes nothing; the end state is checked
// from outside the host.
type scenario struct {
	name     string
	playbook string
	files    map[string]string // more files beside the playbook (templates/x.j2, files/y)
	// setup runs on the host first. Check mode cannot see the effects of
	// earlier tasks it did not run (no tool can), so a task that needs a
	// file another task would create gets it from setup.
	setup  string
	verify func(t *testing.T, h *fleet.Host)
	// host is the index of the fleet host it runs on (default the first).
	host int
}

func (sc scenario) run(t *testing.T, f *fleet.Fleet) {
	dir := t.TempDir()
	pb := filepath.Join(dir, "site.yml")
	if err := os.WriteFile(pb, []byte(sc.playbook), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range sc.files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := f.Hosts[sc.host]
	// The setup runs even when empty: the first login leaves traces that are
	// not tend's (Debian's bash sources root's .bashrc for sshd commands,
	// and this machine's .bashrc creates files).
	if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, h.Name, "--", "true;"+sc.setup); r.code != 0 {
		t.Fatalf("setup: %v", r)
	}
	before := snapshot(t, h)
	r, check := converge(t, f, pb, "--check", "--diff", "--limit", h.Name)
	if r.code != 0 {
		t.Fatalf("check run: %v", r)
	}
	if d := diffSnapshots(before, snapshot(t, h)); len(d) > 0 {
		t.Fatalf("the check run changed the host:\n%s", strings.Join(d, "\n"))
	}
	r, first := converge(t, f, pb, "--limit", h.Name)
	if r.code != 0 {
		t.Fatalf("first converge: %v", r)
	}
	wantChanged := changedTasks(first, h.Name)
	if len(wantChanged) == 0 {
		t.Fatalf("the first converge changed nothing: %v", r)
	}
	if got := changedTasks(check, h.Name); strings.Join(got, "\n") != strings.Join(wantChanged, "\n") {
		t.Errorf("check mode reported\n  %s\nbut the converge changed\n  %s", strings.Join(got, "\n  "), strings.Join(wantChanged, "\n  "))
	}
	r, second := converge(t, f, pb, "--limit", h.Name, "--detailed-exitcode")
	if r.code != 0 || len(changedTasks(second, h.Name)) != 0 {
		t.Errorf("second converge is not a no-op (exit %d): changed %v\n%v", r.code, changedTasks(second, h.Name), r)
	}
	sc.verify(t, h)
}

func mode(t *testing.T, h *fleet.Host, p string) fs.FileMode {
	t.Helper()
	st, err := h.Lstat(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return st.Mode()
}

func content(t *testing.T, h *fleet.Host, p string) string {
	t.Helper()
	data, err := h.ReadFile(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return string(data)
}

func TestConvergeScenarios(t *testing.T) {
	scenarios := []scenario{
		{
			name: "file",
			playbook: `
- hosts: all
  gather_facts: false
  tasks:
    - file: {path: /srv/a/b/c, state: directory, mode: "0750"}
    - file: {path: /srv/a/file, mode: "u=rw,g=r,o="}
    - file: {path: /srv/a/link, state: link, src: /srv/a/file}
    - file: {path: /srv/a/hard, state: hard, src: /srv/a/file}
    - file: {path: /etc/motd, state: absent}
    - file: {path: /srv/a/owned, state: directory, owner: nobody, group: nogroup, mode: "0700"}
`,
			setup: "mkdir -p /srv/a && echo x > /srv/a/file && chmod 0644 /srv/a/file && echo motd > /etc/motd",
			verify: func(t *testing.T, h *fleet.Host) {
				if m := mode(t, h, "/srv/a/b/c"); !m.IsDir() || m.Perm() != 0o750 {
					t.Errorf("/srv/a/b/c: %v", m)
				}
				if m := mode(t, h, "/srv/a/file"); m.Perm() != 0o640 {
					t.Errorf("/srv/a/file: %v", m)
				}
				if target, err := h.Readlink("/srv/a/link"); err != nil || target != "/srv/a/file" {
					t.Errorf("link: %q %v", target, err)
				}
				if h.Exists("/etc/motd") {
					t.Errorf("/etc/motd still there")
				}
				st, err := h.Stat("/srv/a/owned")
				if err != nil || st.Sys().(*syscall.Stat_t).Uid != 65534 || st.Mode().Perm() != 0o700 {
					t.Errorf("/srv/a/owned: %v %v", st, err)
				}
			},
		},
		{
			name: "copy and template",
			playbook: `
- hosts: all
  gather_facts: false
  vars:
    port: 8080
    names: [a, b]
  tasks:
    - copy: {content: "hello\n", dest: /srv/hello, mode: "0600"}
    - copy: {src: data.txt, dest: /srv/data.txt}
    - template: {src: conf.j2, dest: "/srv/it's a conf", mode: "0644"}
`,
			files: map[string]string{
				"files/data.txt":    "data from files/\n",
				"templates/conf.j2": "port={{ port }}\nhost={{ inventory_hostname }}\n{% for n in names %}{{ n }}\n{% endfor %}",
			},
			verify: func(t *testing.T, h *fleet.Host) {
				if c := content(t, h, "/srv/hello"); c != "hello\n" || mode(t, h, "/srv/hello").Perm() != 0o600 {
					t.Errorf("/srv/hello: %q", c)
				}
				if c := content(t, h, "/srv/data.txt"); c != "data from files/\n" {
					t.Errorf("/srv/data.txt: %q", c)
				}
				if c := content(t, h, "/srv/it's a conf"); c != "port=8080\nhost="+h.Name+"\na\nb\n" {
					t.Errorf("template: %q", c)
				}
			},
		},
		{
			name: "lineinfile",
			playbook: `
- hosts: all
  gather_facts: false
  tasks:
    - lineinfile: {path: /srv/sshd_config, regexp: '^PermitRootLogin', line: PermitRootLogin no}
    - lineinfile: {path: /srv/sshd_config, line: 'MaxAuthTries 3', insertafter: '^Port'}
    - lineinfile: {path: /srv/sshd_config, regexp: '^# config', state: absent}
    - lineinfile: {path: /srv/new.conf, line: created, create: true}
`,
			setup: "printf '# config\\nPermitRootLogin yes\\nPort 22\\n' > /srv/sshd_config",
			verify: func(t *testing.T, h *fleet.Host) {
				if c := content(t, h, "/srv/sshd_config"); c != "PermitRootLogin no\nPort 22\nMaxAuthTries 3\n" {
					t.Errorf("sshd_config: %q", c)
				}
				if c := content(t, h, "/srv/new.conf"); c != "created\n" {
					t.Errorf("new.conf: %q", c)
				}
			},
		},
		{
			name: "command shell register when loop handlers",
			playbook: `
- hosts: all
  gather_facts: false
  tasks:
    - command: touch /srv/once
      args: {creates: /srv/once}
    - shell: hostname
      register: hn
      changed_when: false
      check_mode: false
    - copy:
        content: "{{ hn.stdout }} {{ item }}\n"
        dest: "/srv/{{ item }}"
      loop: [x, y]
      notify: marker
    - file: {path: /srv/skipped, state: touch}
      when: hn.stdout == "no-such-host"
  handlers:
    - name: marker
      copy: {content: "handled\n", dest: /srv/handled}
`,
			verify: func(t *testing.T, h *fleet.Host) {
				if !h.Exists("/srv/once") || h.Exists("/srv/skipped") {
					t.Errorf("once/skipped wrong")
				}
				if c := content(t, h, "/srv/x"); c != h.Name+" x\n" {
					t.Errorf("/srv/x: %q", c)
				}
				if c := content(t, h, "/srv/handled"); c != "handled\n" {
					t.Errorf("handler: %q", c)
				}
			},
		},
		{
			name: "roles with defaults files and templates",
			playbook: `
- hosts: all
  gather_facts: false
  roles:
    - role: web
      vars: {greeting: hi}
`,
			files: map[string]string{
				"roles/web/defaults/main.yml":     "port: 80\ngreeting: hello\n",
				"roles/web/tasks/main.yml":        "- template: {src: web.conf.j2, dest: /srv/web.conf}\n  notify: restart web\n- copy: {src: index.html, dest: /srv/index.html}\n",
				"roles/web/handlers/main.yml":     "- name: restart web\n  copy: {content: restarted, dest: /srv/restarted}\n",
				"roles/web/templates/web.conf.j2": "port {{ port }}\n{{ greeting }} from {{ role_name }}\n",
				"roles/web/files/index.html":      "<h1>web</h1>\n",
			},
			verify: func(t *testing.T, h *fleet.Host) {
				if c := content(t, h, "/srv/web.conf"); c != "port 80\nhi from web\n" {
					t.Errorf("web.conf: %q", c)
				}
				if c := content(t, h, "/srv/index.html"); c != "<h1>web</h1>\n" {
					t.Errorf("index.html: %q", c)
				}
				if !h.Exists("/srv/restarted") {
					t.Errorf("the role's handler did not run")
				}
			},
		},
		{
			name: "become through sudo",
			playbook: `
- hosts: all
  gather_facts: false
  tasks:
    - {name: as nobody, command: "id -un", register: who, become: true, become_user: nobody, changed_when: false, check_mode: false}
    - copy: {content: "{{ who.stdout }}\n", dest: /srv/who}
`,
			verify: func(t *testing.T, h *fleet.Host) {
				if c := content(t, h, "/srv/who"); c != "nobody\n" {
					t.Errorf("/srv/who: %q", c)
				}
			},
		},
		{
			name: "hostile paths are data",
			playbook: `
- hosts: all
  gather_facts: false
  vars:
    names:
      - "with space"
      - "quote'd \"double\""
      - "$HOME and ` + "`id`" + `"
      - "-leading-dash"
      - "new\nline"
  tasks:
    - copy:
        content: "{{ item }}\n"
        dest: "/srv/hostile {{ item }}"
      loop: "{{ names }}"
`,
			verify: func(t *testing.T, h *fleet.Host) {
				for _, n := range []string{"with space", `quote'd "double"`, "$HOME and `id`", "-leading-dash", "new\nline"} {
					if c := content(t, h, "/srv/hostile "+n); c != n+"\n" {
						t.Errorf("%q: %q", n, c)
					}
				}
				entries, _ := h.ReadDir("/srv")
				if len(entries) != 5 {
					t.Errorf("unexpected files: %q", entries)
				}
			},
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			sc.run(t, startFleet(t, 1))
		})
	}
}

func TestConvergeSyntaxErrorsTouchNoHost(t *testing.T) {
	f := startFleet(t, 1)
	pb := writeFile(t, "bad.yml", `
- hosts: all
  tasks:
    - file: {path: /srv/x, state: directory, mdoe: "0755"}
    - nosuchmodule: {a: 1}
`)
	before := snapshot(t, f.Hosts[0])
	r := tend(t, nil, "converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, pb)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.yml:4:") || !strings.Contains(r.stderr, `did you mean "mode"`) || !strings.Contains(r.stderr, "bad.yml:5:") {
		t.Errorf("%v", r)
	}
	if d := diffSnapshots(before, snapshot(t, f.Hosts[0])); len(d) > 0 {
		t.Errorf("a host was touched: %v", d)
	}
}

func TestConvergeFailureStopsOnlyThatHost(t *testing.T) {
	f := startFleet(t, 3)
	if err := f.Hosts[2].Stop(); err != nil {
		t.Fatal(err)
	}
	pb := writeFile(t, "site.yml", `
- hosts: all
  gather_facts: false
  tasks:
    - command: "test {{ inventory_hostname }} != host02"
    - copy: {content: "done\n", dest: /srv/done}
`)
	r, events := converge(t, f, pb, "--detailed-exitcode")
	if r.code != 6 {
		t.Errorf("exit %d, want 6 (changes and failures)\n%v", r.code, r)
	}
	if !f.Hosts[0].Exists("/srv/done") || f.Hosts[1].Exists("/srv/done") {
		t.Errorf("host01 should be done, host02 stopped at its failure")
	}
	if s := statuses(events, "host03"); s["unreachable"] != 1 {
		t.Errorf("host03: %v", s)
	}
}
