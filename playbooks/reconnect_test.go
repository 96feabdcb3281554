package playbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWaitForConnection(t *testing.T) {
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - wait_for_connection: {timeout: 5}
      register: w
    - assert: {that: ["w.elapsed == 0", "w is not failed"]}
    - wait_for_connection:
      check_mode: true
`
	events, sum, _ := runLocal(t, pb, nil)
	if got := trail(events); got != "wait_for_connection:ok assert:ok wait_for_connection:skipped" || sum.Failed() != 0 {
		t.Errorf("got %s", got)
	}
}

func TestRebootRefusesTheLocalConnection(t *testing.T) {
	events, _, _ := runLocal(t, "- hosts: all\n  gather_facts: false\n  tasks:\n    - reboot:\n", nil)
	if len(events) != 1 || events[0].Status != StatusFailed || !strings.Contains(events[0].Msg, "would reboot the control node") {
		t.Errorf("got %+v", events)
	}
}

// TestReboot reboots nothing: its reboot_command only changes the file its
// boot_time_command reads, as a reboot changes the boot id.
func TestReboot(t *testing.T) {
	allowLocalReboot = true
	defer func() { allowLocalReboot = false }()
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - copy: {dest: "{{ dir }}/boot_id", content: "one\n"}
    - reboot:
        boot_time_command: cat {{ dir }}/boot_id
        reboot_command: sh -c 'echo two > {{ dir }}/boot_id; echo rebooted >> {{ dir }}/log'
      check_mode: true
    - reboot:
        boot_time_command: cat {{ dir }}/boot_id
        reboot_command: sh -c 'echo two > {{ dir }}/boot_id; echo rebooted >> {{ dir }}/log'
        test_command: test -s {{ dir }}/log
      register: r
    - assert: {that: ["r.rebooted", "r is changed", "r.elapsed == 0"]}
    - reboot:
        boot_time_command: cat {{ dir }}/boot_id
        reboot_command: sh -c 'echo not really; exit 3'
      ignore_errors: true
      register: bad
    - assert: {that: ["bad is failed", "not bad.rebooted", "bad.msg == \"Reboot command failed. Error was: 'not really, '\""]}
    - reboot:
        boot_time_command: cat {{ dir }}/boot_id
        reboot_command: "true"
        reboot_timeout: 1
      ignore_errors: true
      register: stuck
    - assert: {that: ["stuck is failed", "stuck.rebooted", "stuck.msg is search('Timed out waiting for last boot time check')"]}
`
	events, _, dir := runLocal(t, pb, nil)
	want := "copy:changed reboot:changed reboot:changed assert:ok reboot:failed assert:ok reboot:failed assert:ok"
	if got := trail(events); got != want {
		t.Errorf("got  %s\nwant %s\n%+v", got, want, events)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log"))
	if string(log) != "rebooted\n" {
		t.Errorf("the reboot command ran %q, want once (not in check mode)", log)
	}
}
