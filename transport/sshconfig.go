package transport

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kevinburke/ssh_config"
)

// SSHConfig is OpenSSH's client configuration (~/.ssh/config, then
// /etc/ssh/ssh_config). tend reads HostName, User, Port, IdentityFile,
// ProxyJump and ProxyCommand from it; explicit settings (inventory, flags) win over it, as
// they do over ssh's own command line in Ansible.
type SSHConfig struct {
	files []*ssh_config.Config
}

// LoadSSHConfig reads the given files; missing ones are skipped. With no
// paths it reads the user's and the system's files.
func LoadSSHConfig(paths ...string) (*SSHConfig, error) {
	if len(paths) == 0 {
		if home, err := os.UserHomeDir(); err == nil {
			paths = append(paths, filepath.Join(home, ".ssh", "config"))
		}
		paths = append(paths, "/etc/ssh/ssh_config")
	}
	c := &SSHConfig{}
	for _, p := range paths {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("ssh config: %w", err)
		}
		cfg, err := ssh_config.Decode(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("ssh config %s: %w", p, err)
		}
		c.files = append(c.files, cfg)
	}
	return c, nil
}

// get returns the first value set for key, as OpenSSH does.
func (c *SSHConfig) get(alias, key string) string {
	if c == nil {
		return ""
	}
	for _, f := range c.files {
		if v, err := f.Get(alias, key); err == nil && v != "" {
			return v
		}
	}
	return ""
}

func (c *SSHConfig) getAll(alias, key string) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, f := range c.files {
		if v, err := f.GetAll(alias, key); err == nil {
			out = append(out, v...)
		}
	}
	return out
}

// endpoint is where and as whom to connect, after ssh_config.
type endpoint struct {
	alias        string // the name as given, matched against Host patterns
	host         string
	port         int
	user         string
	keys         []string // IdentityFile entries
	proxyJump    string
	proxyCommand string
}

func (e endpoint) addr() string { return joinHostPort(e.host, e.port) }

// resolve fills what explicit settings left empty from ssh_config, then from
// OpenSSH's defaults.
func (c *SSHConfig) resolve(alias string, port int, user string) (endpoint, error) {
	e := endpoint{alias: alias, host: alias, port: port, user: user}
	if h := c.get(alias, "HostName"); h != "" {
		e.host = strings.ReplaceAll(h, "%h", alias)
	}
	if e.port == 0 {
		if p := c.get(alias, "Port"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				return e, fmt.Errorf("ssh config: Port %q for %s is not a number", p, alias)
			}
			e.port = n
		}
	}
	if e.port == 0 {
		e.port = 22
	}
	if e.user == "" {
		e.user = c.get(alias, "User")
	}
	if e.user == "" {
		e.user = currentUser()
	}
	for _, k := range c.getAll(alias, "IdentityFile") {
		e.keys = append(e.keys, expandTokens(k, e))
	}
	e.proxyJump = c.get(alias, "ProxyJump")
	e.proxyCommand = c.get(alias, "ProxyCommand")
	return e, nil
}

// expandTokens expands the ssh_config tokens that make sense for key paths.
func expandTokens(s string, e endpoint) string {
	home, _ := os.UserHomeDir()
	if strings.HasPrefix(s, "~/") {
		s = filepath.Join(home, s[2:])
	}
	return strings.NewReplacer("%d", home, "%u", currentUser(), "%h", e.host, "%r", e.user,
		"%p", strconv.Itoa(e.port), "%%", "%").Replace(s)
}

// defaultKeys are the files OpenSSH tries when nothing else is configured.
func defaultKeys() []string {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
		out = append(out, filepath.Join(home, ".ssh", n))
	}
	return out
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if os.Getuid() == 0 {
		return "root"
	}
	return strconv.Itoa(os.Getuid())
}

// parseJump splits a ProxyJump value ("[user@]host[:port],...") into hops.
func parseJump(spec string) ([]jumpHop, error) {
	if spec == "" || strings.EqualFold(spec, "none") {
		return nil, nil
	}
	var hops []jumpHop
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(strings.TrimPrefix(part, "ssh://"))
		var h jumpHop
		if at := strings.LastIndex(part, "@"); at >= 0 {
			h.user, part = part[:at], part[at+1:]
		}
		h.host = part
		if host, port, err := splitHostPortMaybe(part); err == nil && port != "" {
			n, err := strconv.Atoi(port)
			if err != nil || n <= 0 || n > 65535 {
				return nil, fmt.Errorf("jump host %q: bad port %q", spec, port)
			}
			h.host, h.port = host, n
		}
		if h.host == "" {
			return nil, fmt.Errorf("jump host %q: empty host", spec)
		}
		hops = append(hops, h)
	}
	return hops, nil
}

type jumpHop struct {
	user, host string
	port       int
}

// splitHostPortMaybe accepts "host", "host:port", "[v6]:port" and "v6".
func splitHostPortMaybe(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1 {
		return net.SplitHostPort(s)
	}
	return s, "", nil
}
