package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"tend/internal/ansiblecfg"
	"tend/inventory"
	"tend/playbooks"
	"tend/playbooks/load"
	"tend/transport"
)

// hostFlags select hosts: the inventory and --limit.
type hostFlags struct {
	inventories []string
	limit       string
	vaultFlags
	fs *pflag.FlagSet // to tell flags given from defaults
}

func (f *hostFlags) register(cmd *cobra.Command) {
	f.fs = cmd.Flags()
	cmd.Flags().StringArrayVarP(&f.inventories, "inventory", "i", nil,
		"inventory file, directory or comma-separated host list (repeatable; default $TEND_INVENTORY, else ansible.cfg's inventory)")
	cmd.Flags().StringVarP(&f.limit, "limit", "l", "", "further limit the hosts with a pattern (e.g. 'web:&prod:!web03')")
	f.vaultFlags.register(cmd)
}

// load reads the inventory and prints its warnings (with file:line) to warn.
func (f *hostFlags) load(warn io.Writer) (*inventory.Inventory, error) {
	if _, err := loadConfig(warn); err != nil {
		return nil, err
	}
	srcs := f.sources()
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no inventory: pass -i FILE, set TEND_INVENTORY, or name one in ansible.cfg (inventory = FILE) or ANSIBLE_INVENTORY")
	}
	ring, err := f.keyring(warn)
	if err != nil {
		return nil, err
	}
	inv, err := inventory.LoadWith(inventory.LoadOptions{Vault: ring}, srcs...)
	if err != nil {
		return nil, err
	}
	for _, w := range inv.Warnings() {
		fmt.Fprintln(warn, "warning: "+w)
	}
	return inv, nil
}

// sources are the inventory sources: -i, else $TEND_INVENTORY, else
// $ANSIBLE_INVENTORY or ansible.cfg's inventory.
func (f *hostFlags) sources() []string {
	if len(f.inventories) == 0 {
		if env := os.Getenv("TEND_INVENTORY"); env != "" {
			return strings.Split(env, string(os.PathListSeparator))
		}
		if a, err := ansibleConfig(); err == nil {
			return a.settings.Inventory
		}
	}
	return f.inventories
}

// hosts resolves pattern and --limit; matching no host is an error, since a
// run that silently does nothing hides a typo.
func (f *hostFlags) hosts(inv *inventory.Inventory, pattern string, warn io.Writer) ([]*inventory.Host, error) {
	m, err := inv.Match(pattern, f.limit)
	if err != nil {
		return nil, err
	}
	for _, part := range m.Unmatched {
		fmt.Fprintf(warn, "warning: %q matches no group or host in the inventory\n", part)
	}
	hosts := m.Hosts
	if len(hosts) == 0 {
		what := fmt.Sprintf("pattern %q", pattern)
		if f.limit != "" {
			what += fmt.Sprintf(" with --limit %q", f.limit)
		}
		return nil, fmt.Errorf("%s matches no host in the inventory (see: tend inventory -i ... --graph)", what)
	}
	return hosts, nil
}

// connFlags are how to reach hosts; shared by every command that connects.
type connFlags struct {
	hostFlags
	forks           int
	timeout         time.Duration
	knownHosts      string
	hostKeyChecking string
	privateKey      string
	user            string
	sshConfig       string
	verbose         int
}

func (f *connFlags) register(cmd *cobra.Command) {
	f.hostFlags.register(cmd)
	fl := cmd.Flags()
	fl.IntVarP(&f.forks, "forks", "f", 50, "how many hosts to work on at once")
	fl.DurationVarP(&f.timeout, "timeout", "T", 10*time.Second, "deadline for the TCP connect and SSH handshake of each host")
	fl.StringVar(&f.knownHosts, "known-hosts", "", "known_hosts file to verify host keys against (default ~/.ssh/known_hosts)")
	fl.StringVar(&f.hostKeyChecking, "host-key-checking", "strict",
		"strict: refuse unknown hosts; accept-new: record unknown hosts' keys; accept-any: also accept a changed key, with a loud warning "+
			"(ansible.cfg host_key_checking=False); off: check nothing")
	fl.StringVar(&f.privateKey, "private-key", "", "private key file (an inventory's ansible_ssh_private_key_file wins; default ansible.cfg private_key_file)")
	fl.StringVarP(&f.user, "user", "u", "", "remote user (an inventory's ansible_user wins; default ansible.cfg remote_user, else ~/.ssh/config, else the local user)")
	fl.StringVar(&f.sshConfig, "ssh-config", "", "OpenSSH client config to read (default ~/.ssh/config and /etc/ssh/ssh_config; 'none' reads none)")
	fl.CountVarP(&f.verbose, "verbose", "v", "say more: per host round trips and time in each phase")
}

// connectOptions builds the run-wide connection settings. Warnings about
// inventory settings tend ignores go to warn, once each.
func (f *connFlags) connectOptions(warn io.Writer) (playbooks.ConnectOptions, error) {
	a, err := loadConfig(warn)
	if err != nil {
		return playbooks.ConnectOptions{}, err
	}
	f.applyConfig(a.settings)
	if f.forks < 1 {
		return playbooks.ConnectOptions{}, fmt.Errorf("--forks must be at least 1")
	}
	policy, err := transport.ParseHostKeyPolicy(f.hostKeyChecking)
	if err != nil {
		return playbooks.ConnectOptions{}, err
	}
	kh := f.knownHosts
	if kh == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return playbooks.ConnectOptions{}, fmt.Errorf("no home directory for known_hosts: pass --known-hosts")
		}
		kh = filepath.Join(home, ".ssh", "known_hosts")
	}
	hostKeys, err := transport.NewHostKeys(kh, policy)
	if err != nil {
		return playbooks.ConnectOptions{}, err
	}
	var cfg *transport.SSHConfig
	switch f.sshConfig {
	case "none":
	case "":
		cfg, err = transport.LoadSSHConfig()
	default:
		cfg, err = transport.LoadSSHConfig(f.sshConfig)
	}
	if err != nil {
		return playbooks.ConnectOptions{}, err
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	warnOnce := func(host, msg string) {
		mu.Lock()
		defer mu.Unlock()
		if !seen[msg] {
			seen[msg] = true
			fmt.Fprintf(warn, "warning: %s (first seen on %s)\n", msg, host)
		}
	}
	hostKeys.Warn = warnOnce // a changed key's message names its host
	s := a.settings
	sshArgs := s.SSHArgs
	if s.HostKeyChecking != nil && !*s.HostKeyChecking {
		// As Ansible builds ssh's command line: after ssh_args, before
		// the inventory's arguments; the first value given wins.
		sshArgs += " -o StrictHostKeyChecking=no"
	}
	return playbooks.ConnectOptions{
		User:             f.user,
		Port:             s.RemotePort,
		PrivateKey:       f.privateKey,
		Timeout:          f.timeout,
		TimeoutSet:       f.fs.Changed("timeout") || s.Timeout > 0,
		HostKeys:         hostKeys,
		KnownHostsSet:    f.fs.Changed("known-hosts"),
		HostKeyPolicySet: f.fs.Changed("host-key-checking"),
		KnownHosts:       &playbooks.KnownHosts{},
		Keys:             &transport.Keys{Passphrase: askPassphrase},
		SSHConfig:        cfg,
		SSHArgs:          sshArgs,
		SSHCommonArgs:    s.SSHCommonArgs,
		SSHExtraArgs:     s.SSHExtraArgs,
		Become:           s.Become,
		BecomeUser:       s.BecomeUser,
		Warn:             warnOnce,
	}, nil
}

// applyConfig takes ansible.cfg's settings (and ANSIBLE_* variables) for
// the flags not given on the command line.
func (f *connFlags) applyConfig(s ansiblecfg.Settings) {
	if s.Forks > 0 && !f.fs.Changed("forks") {
		f.forks = s.Forks
	}
	if s.Timeout > 0 && !f.fs.Changed("timeout") {
		f.timeout = s.Timeout
	}
	if s.PrivateKeyFile != "" && !f.fs.Changed("private-key") {
		f.privateKey = s.PrivateKeyFile
	}
	if s.RemoteUser != "" && !f.fs.Changed("user") {
		f.user = s.RemoteUser
	}
}

// askPassphrase gets a key's passphrase from TEND_SSH_PASSPHRASE or, on a
// terminal, by asking. Keys calls it once per key file.
func askPassphrase(file string) ([]byte, error) {
	if p, ok := os.LookupEnv("TEND_SSH_PASSPHRASE"); ok {
		return []byte(p), nil
	}
	p, err := askSecret("Passphrase for " + file + ": ")
	if err != nil {
		return nil, fmt.Errorf("it is protected by a passphrase and %v: add it to ssh-agent or set TEND_SSH_PASSPHRASE", err)
	}
	return p, nil
}

// askSecret reads a secret on the terminal, without echo.
func askSecret(prompt string) ([]byte, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("there is no terminal to ask on")
	}
	defer tty.Close()
	if !term.IsTerminal(int(tty.Fd())) {
		return nil, fmt.Errorf("there is no terminal to ask on")
	}
	fmt.Fprint(tty, prompt)
	p, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	return p, err
}

// loadPlaybook loads and checks a playbook, templates and expressions
// included. Errors go to stderr as the loader words them (file:line:col, the
// line, a hint), and, when events is set (--format json), as "error" events
// on it too (warnings as "warning" events); the run ends with exit 1 before
// any host is touched.
//
// Valid Ansible that tend does not run yet loads with a warning each (the
// tasks concerned fail on the hosts that reach them). Roles are also found
// in ansible.cfg's roles_path (or $ANSIBLE_ROLES_PATH).
func loadPlaybook(path string, stderr io.Writer, vf *vaultFlags, events io.Writer) (*load.Playbook, error) {
	fail := func(err error) (*load.Playbook, error) {
		fmt.Fprintln(stderr, err)
		if events != nil {
			writeProblems(events, "error", err)
		}
		return nil, exitError{exitUsage}
	}
	a, err := loadConfig(stderr)
	if err != nil {
		return fail(err)
	}
	ring, err := vf.keyring(stderr)
	if err != nil {
		return fail(err)
	}
	env := playbooks.NewTemplateEnv()
	opts := playbooks.LoadOptions(env, a.cfg.RolesPath(), a.cfg.CollectionsPaths()...)
	opts.Vault = ring
	pb, err := load.Load(path, opts)
	if err != nil {
		return fail(err)
	}
	for _, w := range pb.Warnings {
		fmt.Fprintf(stderr, "warning: %v\n", w)
		if events != nil {
			writeProblems(events, "warning", w)
		}
	}
	return pb, nil
}

// askBecomePassword asks for the sudo password when ask is set (-K).
// ansible.cfg's become_ask_pass (ANSIBLE_BECOME_ASK_PASS) asks too.
func askBecomePassword(ask bool, copts *playbooks.ConnectOptions) error {
	if a, err := ansibleConfig(); err == nil && a.settings.BecomeAskPass {
		ask = true
	}
	if !ask {
		return nil
	}
	pw, err := askSecret("BECOME password: ")
	if err != nil {
		return err
	}
	copts.BecomePassword = string(pw)
	return nil
}
