package modules

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestGetent(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		if sh.name == "busybox" {
			continue // Debian's busybox has no getent applet
		}
		m, task := mkTask(t, "getent", map[string]any{"database": "passwd", "key": "root"})
		res := settled(t, sh, m, task)
		got := res["ansible_facts"].(map[string]any)["getent_passwd"].(map[string]any)["root"]
		if want := []any{"x", "0", "0", "root", "/root"}; !reflect.DeepEqual(got.([]any)[:5], want) {
			t.Errorf("%s: %v", sh.name, got)
		}
		m, task = mkTask(t, "getent", map[string]any{"database": "passwd", "key": "tend-nosuch", "fail_key": false})
		res = settled(t, sh, m, task)
		if tree := res["ansible_facts"].(map[string]any)["getent_passwd"].(map[string]any); tree["tend-nosuch"] != nil || len(tree) != 1 {
			t.Errorf("%s: %v", sh.name, res)
		}
		m, task = mkTask(t, "getent", map[string]any{"database": "passwd", "key": "tend-nosuch"})
		out := sh.run(t, mustProbe(t, m, task))
		if _, err := m.(Reader).Read(task, out); err == nil || !strings.Contains(err.Error(), "could not be found") {
			t.Errorf("%s: %v", sh.name, err)
		}
	}
	// Whitespace splitting and repeated keys (recorded getent hosts output).
	m, task := mkTask(t, "getent", map[string]any{"database": "hosts"})
	o := "127.0.0.1       localhost\n::1             localhost ip6-localhost ip6-loopback\n127.0.0.1       tend\n"
	res, err := m.(Reader).Read(task, Output{Stdout: []byte("rc=0\nout:" + itoa(len(o)) + "\n" + o + "\n")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"127.0.0.1": []any{[]any{"localhost"}, []any{"tend"}}, "::1": []any{"localhost", "ip6-localhost", "ip6-loopback"}}
	if got := res["ansible_facts"].(map[string]any)["getent_hosts"]; !reflect.DeepEqual(got, want) {
		t.Errorf("hosts: %v", got)
	}
}

func mustProbe(t *testing.T, m Module, task *Task) string {
	t.Helper()
	s, err := m.Probe(task)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
