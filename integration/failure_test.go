package integration

import (
	"strings"
	"testing"
)

// failurePlaybook fails in the ways the text output must explain: a
// command's error, and the host's own errors (a full disk, a read-only
// file system) under a module and a command. The disks are tmpfs mounted
// in the fleet host's own mount namespace.
const failurePlaybook = `
- hosts: all
  gather_facts: false
  tasks:
    - name: disks
      shell: |
        mkdir -p /srv/full /srv/ro
        mount -t tmpfs -o size=16k tmpfs /srv/full
        dd if=/dev/zero of=/srv/full/fill bs=1k count=64 2>/dev/null || true
        mount -t tmpfs -o ro,size=16k tmpfs /srv/ro
    - name: missing
      command: ls /nonexistent-dir
      ignore_errors: true
    - name: big file on a full disk
      copy: {content: "{{ 'x' * 200000 }}", dest: /srv/full/big}
      ignore_errors: true
    - name: cp to a full disk
      command: cp /bin/ls /srv/full/
      ignore_errors: true
    - name: read-only
      copy: {content: "x\n", dest: /srv/ro/file}
      ignore_errors: true
`

// A failing command shows its stderr, exit code and command line; the
// host's errors are one line each ("no space left on device writing /x"),
// not a page of "printf: I/O error".
func TestFailuresSayWhatFailed(t *testing.T) {
	f := startFleet(t, 1)
	h := f.Hosts[0].Name
	pb := writeFile(t, "fail.yml", failurePlaybook)
	r := tend(t, nil, "converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, pb)
	if r.code != 0 { // every failure is ignored
		t.Errorf("exit %d", r.code)
	}
	for _, want := range []string{
		"failed (ignored): " + h + " => exit code 2: ls /nonexistent-dir\n      | ls: cannot access '/nonexistent-dir': No such file or directory\n",
		"failed (ignored): " + h + " => no space left on device writing /srv/full/big\n",
		"failed (ignored): " + h + " => no space left on device writing /srv/full/ls (exit code 1: cp /bin/ls /srv/full/)\n",
		"failed (ignored): " + h + " => read-only file system writing /srv/ro/file\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "I/O error") {
		t.Errorf("output has the I/O errors")
	}
	if t.Failed() {
		t.Log(r)
	}
}
