package main

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"tend/modules"
	"tend/playbooks"
)

func TestFailureText(t *testing.T) {
	var printfErrors []string
	for i := 67; i < 117; i++ {
		printfErrors = append(printfErrors, fmt.Sprintf("sh: %d: printf: printf: I/O error", i))
	}
	for _, c := range []struct {
		name  string
		e     playbooks.Event
		head  string
		under []string
	}{
		{"command", playbooks.Event{Module: "command", Msg: "non-zero return code", Result: modules.Result{
			"rc": 2, "cmd": []string{"ls", "/nonexistent"}, "stderr": "ls: cannot access '/nonexistent': No such file or directory"}},
			"exit code 2: ls /nonexistent", []string{"ls: cannot access '/nonexistent': No such file or directory"}},
		{"shell, stdout when no stderr", playbooks.Event{Module: "shell", Msg: "non-zero return code", Result: modules.Result{
			"rc": 1, "cmd": "false\necho more", "stderr": "", "stdout": "out"}},
			"exit code 1: false …", []string{"out"}},
		{"full disk, cp", playbooks.Event{Module: "command", Msg: "non-zero return code", Result: modules.Result{
			"rc": 1, "cmd": []any{"cp", "/bin/ls", "/srv/full/"}, "stderr": "cp: error writing '/srv/full/ls': No space left on device"}},
			"no space left on device writing /srv/full/ls (exit code 1: cp /bin/ls /srv/full/)", nil},
		{"full disk, a module's write", playbooks.Event{Module: "copy", Msg: strings.Join(printfErrors, "\n") +
			"\ncannot write a temporary file beside /srv/full/big: cat: write error: No space left on device"},
			"no space left on device writing /srv/full/big", nil},
		{"dash redirection", playbooks.Event{Module: "shell", Msg: "non-zero return code", Result: modules.Result{
			"rc": 2, "cmd": "echo x > /etc/x", "stderr": "/bin/sh: 1: cannot create /etc/x: Permission denied"}},
			"permission denied creating /etc/x (exit code 2: echo x > /etc/x)" + becomeHint, nil},
		{"read-only", playbooks.Event{Module: "file", Msg: "touch: cannot touch '/ro/x': Read-only file system"},
			"read-only file system creating /ro/x", nil},
		{"a write through a temporary file", playbooks.Event{Module: "copy", Msg: "cannot write a temporary file beside /srv/ro/file: sh: 1: cannot create /srv/ro/.tend-89b8d12010ab.tmp: Read-only file system"},
			"read-only file system writing /srv/ro/file", nil},
		{"no path", playbooks.Event{Module: "apt", Msg: "E: could not open lock: Permission denied"},
			"permission denied" + becomeHint, nil},
		{"repeats and long output", playbooks.Event{Module: "copy", Msg: strings.Join(printfErrors, "\n") + "\ncannot write /x\nline a\nline b\nline c\nline d\nline e"},
			"sh: printf: printf: I/O error (×50)", []string{"cannot write /x", "line a", "… 2 more lines …", "line d", "line e"}},
		{"a module's message", playbooks.Event{Module: "file", Msg: "src does not exist"}, "src does not exist", nil},
	} {
		head, under := failureText(c.e, 0)
		if head != c.head || !reflect.DeepEqual(under, c.under) {
			t.Errorf("%s:\n got %q %q\nwant %q %q", c.name, head, under, c.head, c.under)
		}
	}
}

// With -v the host's own words stay under the summary line.
func TestFailureTextVerboseKeepsTheRawError(t *testing.T) {
	e := playbooks.Event{Module: "template", Msg: "cannot write a temporary file beside /etc/t.conf: sh: 45: cannot create /etc/.tend-1f.tmp: Permission denied"}
	head, under := failureText(e, 0)
	if head != "permission denied writing /etc/t.conf"+becomeHint || under != nil {
		t.Errorf("without -v: %q %q", head, under)
	}
	head, under = failureText(e, 1)
	if !strings.HasPrefix(head, "permission denied writing /etc/t.conf") || !reflect.DeepEqual(under, []string{e.Msg}) {
		t.Errorf("with -v: %q %q", head, under)
	}
}
