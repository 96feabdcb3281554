package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	if err := root.Execute(); err == nil || !strings.HasPrefix(err.Error(), "converge needs a PLAYBOOK\n") ||
		!strings.Contains(err.Error(), "usage: tend converge -i INVENTORY PLAYBOOK") {
		t.Errorf("converge without a playbook: %v", err)
	}
	root = newRootCmd()
	root.SetArgs([]string{"plan", "-i", "x,", "a.yml", "b.yml"})
	if err := root.Execute(); err == nil || !strings.HasPrefix(err.Error(), `plan takes one PLAYBOOK, not 2 arguments ("a.yml" "b.yml")`) {
		t.Errorf("plan with two playbooks: %v", err)
	}
	plan := newPlanCmd()
	if err := plan.ParseFlags([]string{"--diff", "--check", "-i", "x,"}); err != nil {
		t.Errorf("plan --diff: %v", err)
	}
}

// Flag help names each flag's value plainly: backquotes in a usage string
// become the value's name in cobra's help ("-o, --out tend apply FILE").
func TestHelpNamesFlagValues(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if name, _ := pflag.UnquoteUsage(f); strings.Contains(name, " ") {
				t.Errorf("tend %s --%s: the value is named %q in help", c.Name(), f.Name, name)
			}
		})
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(newRootCmd())
	var out bytes.Buffer
	plan := newPlanCmd()
	plan.SetOut(&out)
	plan.SetArgs([]string{"--help"})
	if err := plan.Execute(); err != nil || !strings.Contains(out.String(), "-o, --out FILE ") {
		t.Errorf("tend help plan: %v\n%s", err, out.String())
	}
}
