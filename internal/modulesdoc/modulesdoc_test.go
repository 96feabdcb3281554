package modulesdoc

import (
	"os"
	"strings"
	"testing"

	"tend/modules"
)

// The committed page is what the specs say today.
func TestModulesPageIsUpToDate(t *testing.T) {
	got, err := os.ReadFile("../../docs/modules.md")
	if err != nil {
		t.Fatalf("%v (write it with: go generate ./internal/modulesdoc)", err)
	}
	if string(got) != Markdown() {
		t.Fatalf("docs/modules.md is out of date: run go generate ./internal/modulesdoc (or make docs) and commit it")
	}
}

// Every module has its section, and what a spec says shows in it.
func TestModulesPageSaysWhatTheSpecsSay(t *testing.T) {
	page := Markdown()
	for _, n := range modules.Names() {
		if !strings.Contains(page, "\n## "+n+"\n") {
			t.Errorf("no section for %s", n)
		}
	}
	for _, want := range []string{
		"`ansible.posix.sysctl`: [Ansible's documentation](https://docs.ansible.com/ansible/latest/collections/ansible/posix/sysctl_module.html)",
		"| `state` | string |  | `present` | `absent`, `present` |", // lineinfile's choices and default
		"Free form: `command: TEXT` sets `cmd`.",                    // command's
		"| `parents` | list |  | `[\"all\"]` |",                     // group_by's list default
		"| `msg` | any value |  | `Hello world!` |  |  |",           // debug's
		"| `password` (secret) |",                                   // a no_log argument is marked
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
