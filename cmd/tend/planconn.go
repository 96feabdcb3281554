package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"tend/savedplan"
)

// planConnection is what a saved plan keeps of how plan reached the hosts
// (see savedplan.Connection): the flags as given or as ansible.cfg set
// them, with files made absolute so that apply works from any folder.
func (f *convergeFlags) planConnection() *savedplan.Connection {
	c := &savedplan.Connection{
		User:          f.user,
		PrivateKey:    absPath(f.privateKey),
		KnownHosts:    absPath(f.knownHosts),
		AskBecomePass: f.askBecomePass,
		AskVaultPass:  f.ask,
		DigestKey:     absPath(f.digestKey),
	}
	if f.sshConfig != "none" {
		c.SSHConfig = absPath(f.sshConfig)
	} else {
		c.SSHConfig = "none"
	}
	if f.fs.Changed("host-key-checking") {
		c.HostKeyChecking = f.hostKeyChecking
	}
	if f.fs.Changed("timeout") {
		c.Timeout = f.timeout.String()
	}
	for _, p := range f.passwordFiles {
		c.VaultPasswordFiles = append(c.VaultPasswordFiles, absPath(p))
	}
	for _, id := range f.ids {
		label, src, ok := strings.Cut(id, "@")
		switch {
		case !ok:
			id = absPath(id)
		case src != "prompt":
			id = label + "@" + absPath(src)
		}
		c.VaultIDs = append(c.VaultIDs, id)
	}
	return c
}

// usePlanConnection takes the plan's connection settings for every flag
// apply was not given: flags on apply's command line win.
func (f *applyFlags) usePlanConnection(c *savedplan.Connection) error {
	if c == nil {
		return nil
	}
	fs := f.fs
	// Set as if given on the command line: ansible.cfg does not override
	// them, and ssh arguments do not override a timeout, known_hosts or
	// policy plan was given.
	for _, s := range []struct{ flag, v string }{
		{"user", c.User}, {"private-key", c.PrivateKey}, {"known-hosts", c.KnownHosts},
		{"ssh-config", c.SSHConfig}, {"host-key-checking", c.HostKeyChecking},
		{"timeout", c.Timeout}, {"digest-key", c.DigestKey},
	} {
		if s.v != "" && !fs.Changed(s.flag) {
			if err := fs.Set(s.flag, s.v); err != nil {
				return fmt.Errorf("the plan's connection settings: --%s: %v", s.flag, err)
			}
		}
	}
	if !fs.Changed("ask-become-pass") {
		f.askBecomePass = c.AskBecomePass
	}
	if len(f.ids)+len(f.passwordFiles) == 0 && !fs.Changed("ask-vault-pass") && !fs.Changed("ask-vault-password") {
		f.ids, f.passwordFiles, f.ask = c.VaultIDs, c.VaultPasswordFiles, c.AskVaultPass
	}
	return nil
}

// absPath makes a file path absolute; "" stays "".
func absPath(p string) string {
	if p == "" {
		return ""
	}
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
