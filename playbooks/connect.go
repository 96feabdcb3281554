package playbooks

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"tend/inventory"
	"tend/transport"
)

// ConnectOptions are a run's connection settings from the command line. As in
// Ansible, a host's inventory variables (ansible_user, ...) win over them.
type ConnectOptions struct {
	User       string // -u, ansible.cfg remote_user
	Port       int    // ansible.cfg remote_port
	PrivateKey string // --private-key, ansible.cfg private_key_file
	// BecomePassword (--ask-become-pass) answers sudo where the inventory
	// gives no ansible_become_password.
	BecomePassword string
	Timeout        time.Duration // --timeout: TCP connect and SSH handshake, per hop
	HostKeys       *transport.HostKeys
	// TimeoutSet, KnownHostsSet and HostKeyPolicySet say that -T (or
	// ansible.cfg's timeout), --known-hosts and --host-key-checking were
	// given: ConnectTimeout, UserKnownHostsFile and StrictHostKeyChecking
	// in ssh arguments then do not override them.
	TimeoutSet, KnownHostsSet, HostKeyPolicySet bool
	// KnownHosts caches the checkers of hosts whose ssh arguments name
	// other known_hosts files or another policy; nil reads them anew
	// for each connection.
	KnownHosts *KnownHosts
	// SSHArgs is ansible.cfg's ssh_args (with host_key_checking=False
	// appended as -o StrictHostKeyChecking=no); SSHCommonArgs and
	// SSHExtraArgs are ansible.cfg's defaults for the inventory variables.
	SSHArgs, SSHCommonArgs, SSHExtraArgs string
	Keys                                 *transport.Keys
	SSHConfig                            *transport.SSHConfig
	// Become and BecomeUser are ansible.cfg's defaults ([privilege_escalation]
	// become, become_user): below play, block and task keywords and the
	// host's ansible_become and ansible_become_user.
	Become     *bool
	BecomeUser string
	// Warn receives notes about inventory settings tend does not apply.
	Warn func(host, msg string)
}

// Connect opens the connection a host's variables describe.
func Connect(ctx context.Context, h *inventory.Host, o ConnectOptions) (transport.Conn, error) {
	vars, err := h.Connection()
	if err != nil {
		return nil, err
	}
	if m := vars.BecomeMethod; m != "" && m != "sudo" {
		// Never silently: a task with become would run as the wrong user.
		return nil, fmt.Errorf("ansible_become_method=%s is not supported: tend becomes another user with sudo only (leave it unset or set it to sudo)", m)
	}
	for _, v := range []string{"ansible_become_exe", "ansible_become_flags", "ansible_shell_executable"} {
		if x, ok := h.String(v); ok && x != "" && o.Warn != nil {
			o.Warn(h.Name, fmt.Sprintf("%s=%s is not applied: tend runs sudo and sh as they are on the PATH", v, x))
		}
	}
	switch vars.Type {
	case "local":
		l, err := transport.DialLocal("")
		if err != nil {
			return nil, err
		}
		l.BecomePassword = cmp.Or(vars.BecomePassword, o.BecomePassword)
		return l, nil
	case "", "ssh", "smart", "paramiko":
	default:
		return nil, fmt.Errorf("ansible_connection=%s is not supported: use ssh or local", vars.Type)
	}
	so, err := sshOptions(h.Name, vars, o)
	if err != nil {
		return nil, err
	}
	// Wait for a handshake slot; the connect timeout starts once it is had.
	select {
	case handshakes <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-handshakes }()
	return transport.DialSSH(ctx, so)
}

// handshakes bounds the SSH handshakes in progress in this process. Key
// exchange costs CPU on both ends: hundreds started at once (--forks 500)
// all crawl, and on a busy controller or a host that serves many, some
// outlast the connect timeout, though a few dozen at a time finish in
// milliseconds each. Connections, once made, are not limited by it.
var handshakes = make(chan struct{}, 64)

// sshOptions maps Ansible's connection variables onto transport options.
// Explicit settings (inventory variables, then flags and ansible.cfg) win
// over options in ssh arguments, as they come first on the command line
// Ansible builds; the arguments fill what is left.
func sshOptions(name string, vars inventory.Connection, o ConnectOptions) (transport.SSHOptions, error) {
	so := transport.SSHOptions{
		Host:           vars.Host,
		Port:           cmp.Or(vars.Port, o.Port),
		User:           cmp.Or(vars.User, o.User),
		Password:       vars.Password,
		BecomePassword: cmp.Or(vars.BecomePassword, o.BecomePassword),
		HostKeys:       o.HostKeys,
		Keys:           o.Keys,
		Config:         o.SSHConfig,
		Timeout:        o.Timeout,
	}
	if key := cmp.Or(vars.PrivateKeyFile, o.PrivateKey); key != "" {
		so.KeyFiles = []string{expandHome(key)}
	}
	var a sshArgs
	for _, src := range []struct{ name, value string }{
		{"ansible.cfg ssh_args", o.SSHArgs},
		{inventory.VarSSHCommonArgs, cmp.Or(vars.SSHCommonArgs, o.SSHCommonArgs)},
		{inventory.VarSSHExtraArgs, cmp.Or(vars.SSHExtraArgs, o.SSHExtraArgs)},
	} {
		if src.value == "" {
			continue
		}
		if err := a.parse(src.name, src.value); err != nil {
			return so, err
		}
	}
	for _, n := range a.notes {
		if o.Warn != nil {
			o.Warn(name, n)
		}
	}
	so.Port = cmp.Or(so.Port, a.port)
	so.User = cmp.Or(so.User, a.user)
	so.KeyFiles = append(so.KeyFiles, a.identities...)
	so.ProxyJump, so.ProxyCommand = a.jump, a.proxyCommand
	if a.identitiesOnly != nil {
		so.IdentitiesOnly = *a.identitiesOnly
	}
	if a.connectTimeout > 0 && !o.TimeoutSet {
		so.Timeout = a.connectTimeout
	}
	so.KeepAlive, so.KeepAliveCountMax = a.aliveInterval, a.aliveCountMax
	hk, err := hostKeysFor(a, o)
	if err != nil {
		return so, err
	}
	so.HostKeys = hk
	return so, nil
}

// hostKeysFor is the host key checking of a host whose ssh arguments set
// UserKnownHostsFile, GlobalKnownHostsFile or StrictHostKeyChecking; what
// --known-hosts and --host-key-checking say on the command line wins.
func hostKeysFor(a sshArgs, o ConnectOptions) (*transport.HostKeys, error) {
	base := o.HostKeys
	if base == nil || (a.knownHosts == nil && a.globalKnownHosts == nil && a.strict == "") {
		return base, nil
	}
	file, also, policy := base.File, base.Also, base.Policy
	if len(a.knownHosts) > 0 && !o.KnownHostsSet {
		file, also = a.knownHosts[0], a.knownHosts[1:]
	}
	if len(a.globalKnownHosts) > 0 && !o.KnownHostsSet {
		also = append(append([]string(nil), also...), a.globalKnownHosts...)
	}
	if a.strict != "" && !o.HostKeyPolicySet {
		policy = map[string]transport.HostKeyPolicy{
			"yes": transport.Strict, "ask": transport.Strict, "accept-new": transport.AcceptNew,
			"no": transport.AcceptAny, "off": transport.AcceptAny,
		}[a.strict]
	}
	if file == base.File && policy == base.Policy && slices.Equal(also, base.Also) {
		return base, nil
	}
	return o.KnownHosts.get(file, policy, also, base.Warn)
}

// KnownHosts shares host key checkers among the hosts whose ssh arguments
// ask for the same files and policy, so each file is read once per run.
type KnownHosts struct {
	mu   sync.Mutex
	byID map[string]*transport.HostKeys
}

func (k *KnownHosts) get(file string, policy transport.HostKeyPolicy, also []string, warn func(host, msg string)) (*transport.HostKeys, error) {
	if k == nil {
		k = &KnownHosts{} // not shared: read for this connection only
	}
	id := strings.Join(append([]string{file, string(policy)}, also...), "\x00")
	k.mu.Lock()
	defer k.mu.Unlock()
	if hk, ok := k.byID[id]; ok {
		return hk, nil
	}
	hk, err := transport.NewHostKeys(file, policy, also...)
	if err != nil {
		return nil, err
	}
	hk.Warn = warn
	if k.byID == nil {
		k.byID = map[string]*transport.HostKeys{}
	}
	k.byID[id] = hk
	return hk, nil
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + p[1:]
		}
	}
	return p
}
