package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runTend runs the CLI in-process and returns its stdout and stderr.
func runTend(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// jsonLines decodes JSON lines, failing on anything else.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// With --format json, load errors are "error" events on stdout, with
// file, line, col, msg and hint, not only text on stderr.
func TestLoadErrorsAreJSONEvents(t *testing.T) {
	pb := filepath.Join(t.TempDir(), "site.yml")
	if err := os.WriteFile(pb, []byte("- hosts: all\n  tasks:\n    - file: {path: /tmp/x, mdoe: '0644'}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"converge", "plan"} {
		stdout, stderr, err := runTend(t, cmd, "--format", "json", "-i", "localhost,", pb)
		if err == nil || !strings.Contains(stderr, "mdoe") {
			t.Fatalf("%s: want a load error, got %v, stderr %q", cmd, err, stderr)
		}
		events := jsonLines(t, stdout)
		if len(events) != 1 {
			t.Fatalf("%s: want one error event, got %q", cmd, stdout)
		}
		e := events[0]
		if e["kind"] != "error" || e["file"] != pb || e["line"] != 3.0 || e["col"] == nil ||
			!strings.Contains(e["msg"].(string), `"mdoe"`) || !strings.Contains(e["hint"].(string), `"mode"`) {
			t.Errorf("%s: error event %v", cmd, e)
		}
	}
}

// ping and exec print one JSON object per host, then a summary.
func TestAdHocJSON(t *testing.T) {
	// Port 1 on the loopback refuses connections: the host is unreachable.
	inv := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(inv, []byte("nohost ansible_host=127.0.0.1 ansible_port=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runTend(t, "ping", "--format", "json", "-i", inv, "-T", "2s")
	if ee, ok := err.(exitError); !ok || ee.code != exitFailure {
		t.Fatalf("ping of an unreachable host: %v", err)
	}
	events := jsonLines(t, stdout)
	if len(events) != 2 || events[0]["kind"] != "host" || events[0]["host"] != "nohost" || events[0]["status"] != "unreachable" ||
		events[0]["msg"] == "" || events[1]["kind"] != "summary" || events[1]["unreachable"] != 1.0 {
		t.Errorf("ping --format json: %q", stdout)
	}
}
