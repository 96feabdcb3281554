package integration

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"tend/integration/fleet"
)

// differentialPlaybook exercises the file modules the way playbooks in the
// wild do. Ansible runs it on one fresh host and tend on its twin; the two
// must end in the same state.
const differentialPlaybook = `
- hosts: all
  gather_facts: false
  vars:
    root: /srv/diff
    users: [alice, bob]
  tasks:
    - file: {path: "{{ root }}", state: directory, mode: "0755"}
    - file: {path: "{{ root }}/conf.d/sub", state: directory, mode: "0750"}
    - copy: {content: "plain\n", dest: "{{ root }}/plain.txt", mode: "0640"}
    - copy: {content: "no newline", dest: "{{ root }}/nonl.txt"}
    - copy: {src: data.txt, dest: "{{ root }}/data.txt", mode: "u=rw,g=r,o=r"}
    - template: {src: app.conf.j2, dest: "{{ root }}/app.conf", mode: "0600"}
    - file: {path: "{{ root }}/link", state: link, src: plain.txt}
    - file: {path: "{{ root }}/owned", state: touch, owner: nobody, group: nogroup, mode: "0604"}
    - lineinfile: {path: "{{ root }}/list", line: "{{ item }}", create: true, mode: "0644"}
      loop: "{{ users }}"
    - lineinfile: {path: "{{ root }}/app.conf", regexp: '^port=', line: "port=9090"}
    - lineinfile: {path: "{{ root }}/app.conf", line: "# end", insertafter: EOF}
    - lineinfile: {path: "{{ root }}/app.conf", line: "# start", insertbefore: BOF}
    - lineinfile: {path: "{{ root }}/list", regexp: '^bob$', state: absent}
    - file: {path: "{{ root }}/conf.d/sub", state: absent}
    - command: touch {{ root }}/created-once
      args: {creates: "{{ root }}/created-once"}
`

func TestDifferentialAgainstAnsible(t *testing.T) {
	differential(t, differentialPlaybook, map[string]string{
		"files/data.txt":        "data\n",
		"templates/app.conf.j2": "name={{ inventory_hostname | upper }}\nport=8080\n{% for u in users %}user={{ u }}\n{% endfor %}",
	}, "", func(h *fleet.Host) map[string]string { return endState(t, h, "/srv/diff") })
}

// differential runs playbook with ansible-playbook on one fresh host and
// with tend on its twin (after setup on both), and compares what state
// describes of each.
func differential(t *testing.T, playbook string, files map[string]string, setup string, state func(*fleet.Host) map[string]string) {
	t.Helper()
	tw := runTwins(t, playbook, files, setup)
	if tw.ansibleErr != nil {
		t.Fatalf("ansible-playbook: %v\n%s", tw.ansibleErr, tw.ansibleOut)
	}
	if tw.tend.code != 0 {
		t.Fatalf("tend: %v", tw.tend)
	}
	if diffs := compareStates("twin", state(tw.ansibleHost), state(tw.tendHost)); len(diffs) > 0 {
		t.Errorf("end states differ:\n%s", strings.Join(diffs, "\n"))
	}
}

// twins is a playbook run by ansible-playbook on one fresh host and by tend
// (converge, JSON events) on its twin.
type twins struct {
	ansibleHost, tendHost *fleet.Host
	ansibleOut            []byte
	ansibleErr            error
	tend                  result
	events                []event
	// rerun converges the tend twin again.
	rerun func() (result, []event)
}

// runTwins runs playbook (with files beside it) with ansible-playbook on one
// fresh host and with tend on its twin, after setup on both.
func runTwins(t *testing.T, playbook string, files map[string]string, setup string) twins {
	t.Helper()
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Fatal("ansible-playbook not found: apt-get install ansible-core (.ci/run does)")
	}
	f := startFleet(t, 2)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pb := write("site.yml", playbook)
	for name, content := range files {
		write(name, content)
	}
	tw := twins{ansibleHost: f.Hosts[0], tendHost: f.Hosts[1]}
	if setup != "" {
		if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "all", "--", setup); r.code != 0 {
			t.Fatalf("setup: %v", r)
		}
	}

	// The same inventory name for both, so templates render alike.
	inv := func(h *fleet.Host) string {
		return write("inv-"+h.Name, fmt.Sprintf("twin ansible_host=127.0.0.1 ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s "+
			"ansible_ssh_common_args='-o UserKnownHostsFile=%s' ansible_python_interpreter=/usr/bin/python3\n", h.Port, f.ClientKey, f.KnownHosts))
	}
	ansible := exec.Command("ansible-playbook", "-i", inv(tw.ansibleHost), pb)
	ansible.Env = append(os.Environ(), "ANSIBLE_HOST_KEY_CHECKING=True", "ANSIBLE_PIPELINING=True", "ANSIBLE_NOCOLOR=1",
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "ansible-tmp"), "HOME="+dir)
	tw.ansibleOut, tw.ansibleErr = ansible.CombinedOutput()
	tendInv := inv(tw.tendHost)
	tw.tend, tw.events = convergeWith(t, tendInv, f, pb)
	tw.rerun = func() (result, []event) { return convergeWith(t, tendInv, f, pb) }
	return tw
}

// endState describes every path under root on a host: type, mode, owner,
// group, and content or link target.
func endState(t *testing.T, h *fleet.Host, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(p string)
	walk = func(p string) {
		st, err := h.Lstat(p)
		if err != nil {
			return
		}
		sys := st.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%s uid=%d gid=%d", st.Mode(), sys.Uid, sys.Gid)
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			target, _ := h.Readlink(p)
			desc += " -> " + target
		case st.Mode().IsRegular():
			data, _ := h.ReadFile(p)
			desc += fmt.Sprintf(" %q", data)
		case st.IsDir():
			names, _ := h.ReadDir(p)
			for _, n := range names {
				walk(filepath.Join(p, n))
			}
		}
		out[p] = desc
	}
	walk(root)
	return out
}
