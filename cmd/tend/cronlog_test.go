package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A scheduled run's log over the cap is kept as LOG.1 and emptied; the
// run's output then starts the new log, through the shell's >> as cron
// runs it.
func TestCronLogIsCapped(t *testing.T) {
	if os.Getenv("TEND_CRONLOG_CHILD") == "1" {
		capCronLog()
		os.Stdout.WriteString("after\n")
		return
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "run.log")
	old := bytes.Repeat([]byte("x"), cronLogCap+1)
	if err := os.WriteFile(log, old, 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		cmd := exec.Command("sh", "-c", `exec "$0" -test.run TestCronLogIsCapped >>"$1" 2>&1`, os.Args[0], log)
		cmd.Env = append(os.Environ(), "TEND_CRONLOG_CHILD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	got, _ := os.ReadFile(log)
	if len(got) > 200 || !bytes.Contains(got, []byte("after\n")) {
		t.Errorf("log after two runs: %d bytes: %.200q", len(got), got)
	}
	if kept, _ := os.ReadFile(log + ".1"); !bytes.Equal(kept, old) {
		t.Errorf("LOG.1 holds %d bytes, want the %d of the old log", len(kept), len(old))
	}
}
