package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// What a new user types first: history before any run, and plan with a
// converge's --diff.
func TestFirstUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"history", "--report-dir", dir})
	if err := root.Execute(); err != nil || !strings.Contains(out.String(), "no runs recorded in "+dir+" yet") {
		t.Errorf("history: %v %q", err, out.String())
	}
	root = newRootCmd()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"converge", "-i", "x,"})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "usage: tend converge -i INVENTORY PLAYBOOK") {
		t.Errorf("converge without a playbook: %v", err)
	}
	plan := newPlanCmd()
	if err := plan.ParseFlags([]string{"--diff", "--check", "-i", "x,"}); err != nil {
		t.Errorf("plan --diff: %v", err)
	}
}
