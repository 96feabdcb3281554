package playbooks

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"tend/inventory"
	"tend/transport"
)

// ConnectOptions are a run's connection settings from the command line. As in
// Ansible, a host's inventory variables (ansible_user, ...) win over them.
type ConnectOptions struct {
	User       string // -u
	PrivateKey string // --private-key
	// BecomePassword (--ask-become-pass) answers sudo where the inventory
	// gives no ansible_become_password.
	BecomePassword string
	Timeout        time.Duration // --timeout: TCP connect and SSH handshake, per hop
	HostKeys       *transport.HostKeys
	Keys           *transport.Keys
	SSHConfig      *transport.SSHConfig
	// Warn receives notes about inventory settings tend does not apply.
	Warn func(host, msg string)
}

// Connect opens the connection a host's variables describe.
func Connect(ctx context.Context, h *inventory.Host, o ConnectOptions) (transport.Conn, error) {
	vars, err := h.Connection()
	if err != nil {
		return nil, err
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
func sshOptions(name string, vars inventory.Connection, o ConnectOptions) (transport.SSHOptions, error) {
	so := transport.SSHOptions{
		Host:           vars.Host,
		Port:           vars.Port,
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
	for _, a := range []struct{ name, value string }{
		{inventory.VarSSHCommonArgs, vars.SSHCommonArgs},
		{inventory.VarSSHExtraArgs, vars.SSHExtraArgs},
	} {
		if a.value == "" {
			continue
		}
		jump, notes, err := parseSSHArgs(a.value)
		if err != nil {
			return so, fmt.Errorf("%s: %w", a.name, err)
		}
		if jump != "" {
			so.ProxyJump = jump
		}
		for _, n := range notes {
			if o.Warn != nil {
				o.Warn(name, a.name+": "+n)
			}
		}
	}
	return so, nil
}

// sshOptionsIgnored are ssh options that tend's design makes moot: it keeps
// one connection per host already, and has its own keepalives.
var sshOptionsIgnored = map[string]bool{
	"controlmaster": true, "controlpersist": true, "controlpath": true,
	"serveraliveinterval": true, "serveralivecountmax": true, "tcpkeepalive": true,
}

// parseSSHArgs reads the ssh command-line options Ansible users put in
// ansible_ssh_common_args: -J, -o ProxyJump=, and the classic
// -o ProxyCommand="ssh -W %h:%p [user@]bastion". What tend cannot apply is
// returned as notes rather than silently dropped.
func parseSSHArgs(s string) (jump string, notes []string, err error) {
	words, err := splitWords(s)
	if err != nil {
		return "", nil, err
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		var opt string
		switch {
		case w == "-J" || w == "-o":
			if i+1 >= len(words) {
				return "", nil, fmt.Errorf("%s needs a value", w)
			}
			i++
			if w == "-J" {
				jump = words[i]
				continue
			}
			opt = words[i]
		case strings.HasPrefix(w, "-J"):
			jump = w[2:]
			continue
		case strings.HasPrefix(w, "-o"):
			opt = w[2:]
		default:
			notes = append(notes, fmt.Sprintf("ssh argument %q is not supported and is ignored", w))
			continue
		}
		name, value, _ := strings.Cut(opt, "=")
		if value == "" {
			name, value, _ = strings.Cut(strings.TrimSpace(opt), " ")
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		switch {
		case name == "proxyjump":
			jump = value
		case name == "proxycommand":
			j, ok := jumpFromProxyCommand(value)
			if !ok {
				notes = append(notes, fmt.Sprintf("ProxyCommand %q is not supported (only \"ssh -W %%h:%%p [user@]host\"); use ProxyJump", value))
				continue
			}
			jump = j
		case sshOptionsIgnored[name]:
		case name == "stricthostkeychecking" || name == "userknownhostsfile":
			notes = append(notes, fmt.Sprintf("ssh option %q is ignored: tend always verifies host keys; use --host-key-checking and --known-hosts", opt))
		default:
			notes = append(notes, fmt.Sprintf("ssh option %q is not supported and is ignored", opt))
		}
	}
	return jump, notes, nil
}

// jumpFromProxyCommand recognises `ssh [-q] [-p PORT] [-l USER] -W %h:%p [USER@]HOST`.
func jumpFromProxyCommand(cmd string) (string, bool) {
	words, err := splitWords(cmd)
	if err != nil || len(words) == 0 || (words[0] != "ssh" && !strings.HasSuffix(words[0], "/ssh")) {
		return "", false
	}
	var host, user, port string
	sawW := false
	for i := 1; i < len(words); i++ {
		switch w := words[i]; w {
		case "-q", "-T", "-A":
		case "-W":
			if i+1 >= len(words) || words[i+1] != "%h:%p" {
				return "", false
			}
			sawW = true
			i++
		case "-p", "-l":
			if i+1 >= len(words) {
				return "", false
			}
			if w == "-p" {
				port = words[i+1]
			} else {
				user = words[i+1]
			}
			i++
		default:
			if strings.HasPrefix(w, "-") || host != "" {
				return "", false
			}
			host = w
		}
	}
	if !sawW || host == "" {
		return "", false
	}
	if user != "" && !strings.Contains(host, "@") {
		host = user + "@" + host
	}
	if port != "" {
		host += ":" + port
	}
	return host, true
}

// splitWords splits a command line as a shell would for plain words and
// quotes; it expands nothing.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c quote in %q", c, s)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + p[1:]
		}
	}
	return p
}
