package playbooks

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"tend/internal/shlex"
)

// sshArgs is what tend takes from ssh command-line options (ansible.cfg's
// ssh_args, ansible_ssh_common_args, ansible_ssh_extra_args). As with
// OpenSSH, the first value given for an option wins; IdentityFile adds up.
type sshArgs struct {
	jump, proxyCommand string
	knownHosts         []string // UserKnownHostsFile: the first is written
	globalKnownHosts   []string
	strict             string // StrictHostKeyChecking: yes, ask, accept-new, no, off
	identities         []string
	identitiesOnly     *bool
	port               int
	user               string
	connectTimeout     time.Duration
	aliveInterval      time.Duration
	aliveCountMax      int
	notes              []string // what tend cannot apply
}

// sshOptionsMoot are ssh options that tend's design makes moot: it keeps
// one connection per host already, compresses nothing, and logs itself.
var sshOptionsMoot = map[string]bool{
	"controlmaster": true, "controlpersist": true, "controlpath": true, "tcpkeepalive": true,
	"compression": true, "loglevel": true, "batchmode": true, "hashknownhosts": true,
	"checkhostip": true, "visualhostkey": true, "updatehostkeys": true,
}

// sshFlagsMoot are argument-less ssh flags that change nothing for tend.
const sshFlagsMoot = "CqTnxvtNa"

// sshFlagsWithArg are the ssh flags that take an argument.
const sshFlagsWithArg = "BbcDEeFIiJLlmOopQRSWw"

// parse reads one string of ssh options, words split as Python's
// shlex.split (what Ansible uses), into a; source names it in notes.
func (a *sshArgs) parse(source, s string) error {
	words, err := shlex.Split(s)
	if err != nil {
		return fmt.Errorf("%s: %v in %q", source, err, s)
	}
	note := func(format string, args ...any) {
		a.notes = append(a.notes, source+": "+fmt.Sprintf(format, args...))
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if len(w) < 2 || w[0] != '-' {
			note("ssh argument %q is not supported and is ignored", w)
			continue
		}
		// A word may bundle flags (-vC) and end with one taking an
		// argument, glued (-p2222) or in the next word (-p 2222).
		for j := 1; j < len(w); j++ {
			f := w[j]
			if !strings.ContainsRune(sshFlagsWithArg, rune(f)) {
				if !strings.ContainsRune(sshFlagsMoot, rune(f)) {
					note("ssh flag -%c is not supported and is ignored", f)
				}
				continue
			}
			val := w[j+1:]
			if val == "" {
				if i+1 >= len(words) {
					return fmt.Errorf("%s: ssh option -%c needs a value", source, f)
				}
				i++
				val = words[i]
			}
			a.flag(f, val, note)
			break
		}
	}
	return nil
}

// flag applies one ssh flag and its value.
func (a *sshArgs) flag(f byte, val string, note func(string, ...any)) {
	switch f {
	case 'o':
		a.option(val, note)
	case 'i':
		a.identities = append(a.identities, expandHome(val))
	case 'p':
		a.setPort("-p", val, note)
	case 'l':
		if a.user == "" {
			a.user = val
		}
	case 'J':
		if a.jump == "" {
			a.jump = val
		}
	default:
		note("ssh option -%c %s is not supported and is ignored", f, val)
	}
}

// option applies one -o option: "Name=value", "Name value" or "Name = value".
func (a *sshArgs) option(opt string, note func(string, ...any)) {
	opt = strings.TrimSpace(opt)
	name, value := opt, ""
	if i := strings.IndexAny(opt, "= \t"); i >= 0 {
		name, value = opt[:i], strings.TrimLeft(opt[i:], " \t")
		value = strings.TrimSpace(strings.TrimPrefix(value, "="))
	}
	value = unquoteSSH(value)
	switch strings.ToLower(name) {
	case "proxyjump":
		if a.jump == "" {
			a.jump = value
		}
	case "proxycommand":
		if a.jump != "" || a.proxyCommand != "" {
			return
		}
		// The classic "ssh -W %h:%p bastion" is a jump host: tend dials it
		// itself, with its own keys and known_hosts, rather than run ssh.
		if j, ok := jumpFromProxyCommand(value); ok {
			a.jump = j
		} else {
			a.proxyCommand = value
		}
	case "userknownhostsfile":
		if a.knownHosts == nil {
			for _, f := range strings.Fields(value) {
				a.knownHosts = append(a.knownHosts, expandHome(f))
			}
		}
	case "globalknownhostsfile":
		if a.globalKnownHosts == nil {
			for _, f := range strings.Fields(value) {
				a.globalKnownHosts = append(a.globalKnownHosts, expandHome(f))
			}
		}
	case "stricthostkeychecking":
		v := strings.ToLower(value)
		switch v {
		case "yes", "ask", "accept-new", "no", "off":
		case "true":
			v = "yes"
		case "false":
			v = "no"
		default:
			note("StrictHostKeyChecking %q is not one of yes, accept-new, no, off, ask: ignored", value)
			return
		}
		if a.strict == "" {
			a.strict = v
		}
	case "identityfile":
		a.identities = append(a.identities, expandHome(value))
	case "identitiesonly":
		if b, ok := sshBool(value); ok && a.identitiesOnly == nil {
			a.identitiesOnly = &b
		} else if !ok {
			note("IdentitiesOnly %q is not yes or no: ignored", value)
		}
	case "port":
		a.setPort("Port", value, note)
	case "user":
		if a.user == "" {
			a.user = value
		}
	case "connecttimeout":
		n, err := strconv.Atoi(value)
		if err != nil || n <= 0 {
			note("ConnectTimeout %q is not a number of seconds: ignored", value)
		} else if a.connectTimeout == 0 {
			a.connectTimeout = time.Duration(n) * time.Second
		}
	case "serveraliveinterval":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			note("ServerAliveInterval %q is not a number of seconds: ignored", value)
		} else if a.aliveInterval == 0 && n > 0 {
			// 0 is OpenSSH's "no keepalives": tend always keeps them.
			a.aliveInterval = time.Duration(n) * time.Second
		}
	case "serveralivecountmax":
		n, err := strconv.Atoi(value)
		if err != nil || n <= 0 {
			note("ServerAliveCountMax %q is not a positive number: ignored", value)
		} else if a.aliveCountMax == 0 {
			a.aliveCountMax = n
		}
	default:
		if !sshOptionsMoot[strings.ToLower(name)] {
			note("ssh option %q is not supported and is ignored", opt)
		}
	}
}

func (a *sshArgs) setPort(what, value string, note func(string, ...any)) {
	n, err := strconv.Atoi(value)
	if err != nil || n <= 0 || n > 65535 {
		note("%s %q is not a port number: ignored", what, value)
		return
	}
	if a.port == 0 {
		a.port = n
	}
}

// unquoteSSH strips the quotes ssh's own parser would (-o 'IdentityFile="x"').
func unquoteSSH(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func sshBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "yes", "true":
		return true, true
	case "no", "false":
		return false, true
	}
	return false, false
}

// jumpFromProxyCommand recognises `ssh [-q] [-p PORT] [-l USER] -W %h:%p [USER@]HOST`.
func jumpFromProxyCommand(cmd string) (string, bool) {
	words, err := shlex.Split(cmd)
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
