package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tend/integration/fleet"
)

// TestRun runs a command against a two-host fleet: it must see the fleet's
// environment, reach the hosts, and its exit status must come back.
func TestRun(t *testing.T) {
	fleet.Require(t)
	out := filepath.Join(t.TempDir(), "out")
	script := `set -e
ssh -F "$TEND_FLEET_SSH_CONFIG" host02 hostname >` + out + `
grep -c ansible_host= "$TEND_FLEET_INVENTORY" >>` + out + `
test -s "$TEND_FLEET_KNOWN_HOSTS" && test -s "$TEND_FLEET_KEY" && test -d "$TEND_FLEET_DIR"
echo "$TEND_FLEET_DIR" >>` + out + `
exit 7`
	if code := run([]string{"-n", "2", "-q", "--", "sh", "-c", script}, io.Discard, io.Discard); code != 7 {
		b, _ := os.ReadFile(out)
		t.Fatalf("exit status %d, want 7; output: %q", code, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || lines[0] != "host02" || lines[1] != "2" {
		t.Fatalf("command printed %q", lines)
	}
	if _, err := os.Stat(lines[2]); !os.IsNotExist(err) {
		t.Errorf("fleet dir %s still there after the command: %v", lines[2], err)
	}
}

func TestRunMissingCommand(t *testing.T) {
	fleet.Require(t)
	if code := run([]string{"-n", "1", "-q", "--", "/nonexistent/command"}, io.Discard, io.Discard); code != 127 {
		t.Fatalf("exit status %d, want 127", code)
	}
}

func TestUsage(t *testing.T) {
	if code := run([]string{"up", "extra"}, io.Discard, io.Discard); code != 2 {
		t.Fatalf("fleet up extra: exit status %d, want 2", code)
	}
	if code := run([]string{"-nope"}, io.Discard, io.Discard); code != 2 {
		t.Fatalf("fleet -nope: exit status %d, want 2", code)
	}
}
