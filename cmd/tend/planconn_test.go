package main

import (
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"

	"tend/savedplan"
)

// A plan keeps plan's connection flags with absolute paths; apply takes
// them for the flags it was not given, and its own flags win.
func TestPlanConnectionRoundTrip(t *testing.T) {
	var cf convergeFlags
	plan := &cobra.Command{Use: "plan"}
	cf.register(plan, true)
	if err := plan.ParseFlags([]string{"-u", "deploy", "--private-key", "keys/id", "--known-hosts", "kh",
		"--host-key-checking", "accept-new", "-T", "30s", "-K", "--vault-password-file", "vp", "--digest-key", "dk"}); err != nil {
		t.Fatal(err)
	}
	c := cf.planConnection()
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	want := savedplan.Connection{User: "deploy", PrivateKey: abs("keys/id"), KnownHosts: abs("kh"), HostKeyChecking: "accept-new",
		Timeout: "30s", AskBecomePass: true, VaultPasswordFiles: []string{abs("vp")}, DigestKey: abs("dk")}
	if c.User != want.User || c.PrivateKey != want.PrivateKey || c.KnownHosts != want.KnownHosts || c.HostKeyChecking != want.HostKeyChecking ||
		c.Timeout != want.Timeout || !c.AskBecomePass || len(c.VaultPasswordFiles) != 1 || c.VaultPasswordFiles[0] != want.VaultPasswordFiles[0] ||
		c.DigestKey != want.DigestKey || c.SSHConfig != "" {
		t.Fatalf("plan recorded %+v, want %+v", *c, want)
	}

	var af applyFlags
	apply := &cobra.Command{Use: "apply"}
	af.register(apply)
	if err := apply.ParseFlags([]string{"--user", "root", "--known-hosts", "/other"}); err != nil {
		t.Fatal(err)
	}
	if err := af.usePlanConnection(c); err != nil {
		t.Fatal(err)
	}
	if af.user != "root" || af.knownHosts != "/other" {
		t.Errorf("apply's flags lost: user %q known-hosts %q", af.user, af.knownHosts)
	}
	if af.privateKey != want.PrivateKey || af.hostKeyChecking != "accept-new" || af.timeout.String() != "30s" ||
		!af.askBecomePass || af.digestKey != want.DigestKey || len(af.passwordFiles) != 1 {
		t.Errorf("apply did not take the plan's settings: key %q policy %q timeout %s -K %v digest key %q vault %v", af.privateKey, af.hostKeyChecking, af.timeout, af.askBecomePass, af.digestKey, af.passwordFiles)
	}
	if !af.fs.Changed("timeout") || !af.fs.Changed("host-key-checking") {
		t.Error("the plan's timeout and policy must count as given (ssh arguments do not override them)")
	}
}
