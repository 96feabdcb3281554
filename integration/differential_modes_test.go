package integration

import (
	"strings"
	"testing"

	"tend/integration/fleet"
)

// Folders in a setgid folder inherit its setgid bit. A numeric mode without
// it clears it under Ansible (os.chmod); GNU chmod and mkdir -m keep it for
// a four-digit mode, so tend must say five. Symbolic modes keep it, and a
// folder without a mode keeps what it inherited. Recursion sets it on what
// is under a folder. Both tools run twice: the second run must change
// nothing in either.
const differentialModesPlaybook = `
- hosts: all
  gather_facts: false
  vars:
    root: /srv/sgid
  tasks:
    - file: {path: "{{ root }}/made", state: directory, mode: "0755"}
    - file: {path: "{{ root }}/made/deeper/still", state: directory, mode: "0750"}
    - file: {path: "{{ root }}/plain", state: directory}
    - file: {path: "{{ root }}/existing", state: directory, mode: "0700"}
    - file: {path: "{{ root }}/symbolic", state: directory, mode: "u=rwx,g=rx,o="}
    - file: {path: "{{ root }}/kept", state: directory, mode: "02750"}
    - file: {path: "{{ root }}/tree", state: directory, recurse: true, mode: "0755"}
    - copy: {content: "x\n", dest: "{{ root }}/made/file", mode: "0640"}
`

func TestDifferentialSetgidFolders(t *testing.T) {
	setup := `mkdir -p /srv/sgid/existing /srv/sgid/tree/a/b && chmod 2775 /srv/sgid && chmod 2770 /srv/sgid/existing /srv/sgid/tree /srv/sgid/tree/a /srv/sgid/tree/a/b`
	tw := runTwins(t, differentialModesPlaybook, nil, setup)
	if tw.ansibleErr != nil {
		t.Fatalf("ansible-playbook: %v\n%s", tw.ansibleErr, tw.ansibleOut)
	}
	if tw.tend.code != 0 {
		t.Fatalf("tend: %v", tw.tend)
	}
	state := func(h *fleet.Host) map[string]string { return endState(t, h, "/srv/sgid") }
	if diffs := compareStates("twin", state(tw.ansibleHost), state(tw.tendHost)); len(diffs) > 0 {
		t.Errorf("end states differ:\n%s", strings.Join(diffs, "\n"))
	}
	again, events := tw.rerun()
	if again.code != 0 {
		t.Fatalf("second converge: %v", again)
	}
	for _, e := range events {
		if e.Status == "changed" {
			t.Errorf("a second converge changed %q (%s): %v", e.Task, e.Item, e.Diffs)
		}
	}
}
