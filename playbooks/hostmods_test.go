package playbooks

import (
	"slices"
	"strings"
	"testing"
)

func TestGroupByAndAddHostChangeLaterPlays(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - group_by: key=os_{{ inventory_hostname }}
      when: inventory_hostname == 'a'
    - group_by: {key: "some group", parents: [outer]}
    - debug: var=group_names
      when: inventory_hostname == 'a'
    - add_host: {name: "new:2222", groups: "made,other", ansible_connection: local, colour: red}
      run_once: true
- hosts: os_a
  gather_facts: false
  tasks:
    - debug: msg="{{ groups['outer'] | join(',') }}|{{ groups['made'] }}|{{ hostvars['new'].colour }}"
- hosts: made:!b
  gather_facts: false
  tasks:
    - debug: msg="{{ inventory_hostname }} {{ group_names | join(',') }} {{ colour }} {{ ansible_ssh_port }}"
- hosts: some-group:&outer
  gather_facts: false
  tasks:
    - add_host: {name: "new", colour: red}
`
	events, sum, _ := runFiles(t, map[string]string{"site.yml": pb},
		"a ansible_connection=local\nb ansible_connection=local\n", nil)
	var got []string
	for _, e := range events {
		got = append(got, e.Host+" "+e.Task+":"+string(e.Status)+" "+e.Msg)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`a group_by:changed`,
		`a debug:ok group_names: ["os_a","outer","some-group","ungrouped"]`,
		`a debug:ok a,b|['new']|red`,
		`new debug:ok new made,other red 2222`,
		`a add_host:ok`, `b add_host:ok`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	if strings.Contains(all, "b debug:ok a,b") || strings.Contains(all, "new add_host") {
		t.Errorf("a play ran on a host outside its pattern:\n%s", all)
	}
	if sum.Failed() != 0 {
		t.Errorf("failed hosts:\n%s", all)
	}
}

// TestAddHostRunsOnce: add_host bypasses the host loop, as in Ansible: the
// first host's arguments add one host, and the others share its result.
func TestAddHostRunsOnce(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - add_host: {name: "{{ inventory_hostname }}_x", groups: extra, ansible_connection: local}
- hosts: extra
  gather_facts: false
  tasks:
    - debug: msg="{{ groups.extra }} {{ groups.all }} {{ groups.ungrouped }}"
- hosts: a
  gather_facts: false
  tasks:
    - command: echo {{ inventory_hostname }}
      delegate_to: a_x
      register: d
      changed_when: false
`
	events, _, _ := runFiles(t, map[string]string{"site.yml": pb},
		"a ansible_connection=local\nb ansible_connection=local\n", nil)
	var got []string
	for _, e := range events {
		got = append(got, e.Host+" "+e.Task+":"+string(e.Status)+" "+e.Msg)
	}
	slices.Sort(got) // the hosts sharing add_host's result report in any order
	want := "a add_host:changed \na command:ok \na_x debug:ok ['a_x'] ['a', 'b', 'a_x'] ['a', 'b']\nb add_host:changed "
	if all := strings.Join(got, "\n"); all != want {
		t.Errorf("got\n%s\nwant\n%s", all, want)
	}
}
