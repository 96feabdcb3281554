package ansiblecfg

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"tend/internal/didyoumean"
)

// Settings are the ansible.cfg settings tend applies, each from its
// ANSIBLE_* variable when set, else from the file, else unset (zero).
// Command-line flags win over all of them; inventory variables win over
// the connection ones, as in Ansible.
type Settings struct {
	Inventory      []string // [defaults] inventory, ANSIBLE_INVENTORY: comma-separated
	RemoteUser     string
	RemotePort     int
	Forks          int
	Timeout        time.Duration
	PrivateKeyFile string
	// HostKeyChecking is nil when nothing sets it (Ansible's default: on).
	HostKeyChecking *bool

	Become        *bool
	BecomeUser    string
	BecomeMethod  string
	BecomeAskPass bool

	VaultPasswordFile string
	VaultIdentityList []string // label@source entries
	AskVaultPass      bool

	// SSHArgs is [ssh_connection] ssh_args (ANSIBLE_SSH_ARGS): replaces
	// Ansible's default -C -o ControlMaster=auto -o ControlPersist=60s.
	// SSHCommonArgs and SSHExtraArgs are the ssh plugin's ssh_common_args
	// and ssh_extra_args; inventory variables override them.
	SSHArgs, SSHCommonArgs, SSHExtraArgs string
}

// setting is where Ansible reads one option: environment variables and
// ini entries, the last one set winning (as its config manager does).
type setting struct {
	env []string
	ini [][2]string
}

var (
	sInventory       = setting{[]string{"ANSIBLE_INVENTORY"}, [][2]string{{"defaults", "hostfile"}, {"defaults", "inventory"}}}
	sRemoteUser      = setting{[]string{"ANSIBLE_REMOTE_USER"}, [][2]string{{"defaults", "remote_user"}}}
	sRemotePort      = setting{[]string{"ANSIBLE_REMOTE_PORT"}, [][2]string{{"defaults", "remote_port"}}}
	sForks           = setting{[]string{"ANSIBLE_FORKS"}, [][2]string{{"defaults", "forks"}}}
	sTimeout         = setting{[]string{"ANSIBLE_TIMEOUT", "ANSIBLE_SSH_TIMEOUT"}, [][2]string{{"defaults", "timeout"}, {"ssh_connection", "timeout"}}}
	sPrivateKey      = setting{[]string{"ANSIBLE_PRIVATE_KEY_FILE"}, [][2]string{{"defaults", "private_key_file"}}}
	sHostKeyChecking = setting{[]string{"ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_SSH_HOST_KEY_CHECKING"}, [][2]string{{"defaults", "host_key_checking"}, {"ssh_connection", "host_key_checking"}}}
	sBecome          = setting{[]string{"ANSIBLE_BECOME"}, [][2]string{{"privilege_escalation", "become"}}}
	sBecomeUser      = setting{[]string{"ANSIBLE_BECOME_USER"}, [][2]string{{"privilege_escalation", "become_user"}}}
	sBecomeMethod    = setting{[]string{"ANSIBLE_BECOME_METHOD"}, [][2]string{{"privilege_escalation", "become_method"}}}
	sBecomeAskPass   = setting{[]string{"ANSIBLE_BECOME_ASK_PASS"}, [][2]string{{"privilege_escalation", "become_ask_pass"}}}
	sVaultPassFile   = setting{[]string{"ANSIBLE_VAULT_PASSWORD_FILE"}, [][2]string{{"defaults", "vault_password_file"}}}
	sVaultIDList     = setting{[]string{"ANSIBLE_VAULT_IDENTITY_LIST"}, [][2]string{{"defaults", "vault_identity_list"}}}
	sAskVaultPass    = setting{[]string{"ANSIBLE_ASK_VAULT_PASS"}, [][2]string{{"defaults", "ask_vault_pass"}}}
	sSSHArgs         = setting{[]string{"ANSIBLE_SSH_ARGS"}, [][2]string{{"ssh_connection", "ssh_args"}}}
	sSSHCommonArgs   = setting{[]string{"ANSIBLE_SSH_COMMON_ARGS"}, [][2]string{{"ssh_connection", "ssh_common_args"}}}
	sSSHExtraArgs    = setting{[]string{"ANSIBLE_SSH_EXTRA_ARGS"}, [][2]string{{"ssh_connection", "ssh_extra_args"}}}
)

// lookup returns a setting's raw value and where it came from: the
// variable's name, or "FILE:LINE: [section] key". An empty variable counts
// as unset, as in Ansible.
func (c *Config) lookup(s setting) (value, origin string, fromFile, ok bool) {
	if c.env != nil {
		for i := len(s.env) - 1; i >= 0; i-- {
			if v := c.env(s.env[i]); v != "" {
				return v, s.env[i], false, true
			}
		}
	}
	for i := len(s.ini) - 1; i >= 0; i-- {
		sec, key := s.ini[i][0], s.ini[i][1]
		if v, set := c.sections[sec][key]; set {
			origin := fmt.Sprintf("%s:%d: %s", c.Path, c.lines[sec+"\x00"+key], key)
			return strings.ReplaceAll(v, "%%", "%"), origin, true, true
		}
	}
	return "", "", false, false
}

// Settings reads and checks what tend applies. A value of the wrong type
// (forks = abc) is an error naming the file and line, or the variable.
func (c *Config) Settings() (Settings, error) {
	var s Settings
	var errs []string
	bad := func(origin, v, want string) {
		errs = append(errs, fmt.Sprintf("%s = %s: %s", origin, v, want))
	}
	str := func(st setting) string {
		v, _, _, _ := c.lookup(st)
		return unquote(v)
	}
	path := func(st setting) string {
		v, _, fromFile, ok := c.lookup(st)
		if !ok {
			return ""
		}
		return c.resolvePath(unquote(v), fromFile)
	}
	integer := func(st setting, min int) int {
		v, origin, _, ok := c.lookup(st)
		if !ok {
			return 0
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < min {
			bad(origin, v, fmt.Sprintf("not a whole number of at least %d", min))
			return 0
		}
		return n
	}
	boolean := func(st setting) *bool {
		v, origin, _, ok := c.lookup(st)
		if !ok {
			return nil
		}
		b, good := parseBool(v)
		if !good {
			// Ansible reads anything unknown as false; for settings such
			// as host_key_checking a typo must not mean "off".
			bad(origin, v, "not a boolean (true/false, yes/no, on/off, 1/0)")
			return nil
		}
		return &b
	}

	if v, _, fromFile, ok := c.lookup(sInventory); ok {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				s.Inventory = append(s.Inventory, c.resolvePath(p, fromFile))
			}
		}
	}
	s.RemoteUser = str(sRemoteUser)
	s.RemotePort = integer(sRemotePort, 1)
	if s.RemotePort > 65535 {
		v, origin, _, _ := c.lookup(sRemotePort)
		bad(origin, v, "not a port number")
	}
	s.Forks = integer(sForks, 1)
	s.Timeout = time.Duration(integer(sTimeout, 1)) * time.Second
	s.PrivateKeyFile = path(sPrivateKey)
	s.HostKeyChecking = boolean(sHostKeyChecking)
	s.Become = boolean(sBecome)
	s.BecomeUser = str(sBecomeUser)
	s.BecomeMethod = str(sBecomeMethod)
	if v, origin, _, ok := c.lookup(sBecomeMethod); ok && unquote(v) != "sudo" {
		bad(origin, v, "tend becomes other users with sudo only")
	}
	if b := boolean(sBecomeAskPass); b != nil {
		s.BecomeAskPass = *b
	}
	s.VaultPasswordFile = path(sVaultPassFile)
	if v, _, fromFile, ok := c.lookup(sVaultIDList); ok {
		for _, id := range strings.Split(v, ",") {
			id = unquote(strings.TrimSpace(id))
			if id == "" {
				continue
			}
			// label@file: the file is a path like any other.
			if label, src, found := strings.Cut(id, "@"); found && src != "prompt" {
				id = label + "@" + c.resolvePath(src, fromFile)
			} else if !found && id != "prompt" {
				id = c.resolvePath(id, fromFile)
			}
			s.VaultIdentityList = append(s.VaultIdentityList, id)
		}
	}
	if b := boolean(sAskVaultPass); b != nil {
		s.AskVaultPass = *b
	}
	s.SSHArgs = str(sSSHArgs)
	s.SSHCommonArgs = str(sSSHCommonArgs)
	s.SSHExtraArgs = str(sSSHExtraArgs)
	if len(errs) > 0 {
		return s, fmt.Errorf("ansible configuration: %s", strings.Join(errs, "; "))
	}
	return s, nil
}

// resolvePath is Ansible's resolve_path: ~ and $VARS expanded, a relative
// path taken from the configuration file's folder when it came from the
// file, else from the working directory.
func (c *Config) resolvePath(p string, fromFile bool) string {
	p = os.Expand(p, func(name string) string {
		if c.env == nil {
			return ""
		}
		return c.env(name)
	})
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home := c.env("HOME"); home != "" {
			p = home + p[1:]
		}
	}
	if !filepath.IsAbs(p) {
		base := "."
		if fromFile && c.Path != "" {
			base = filepath.Dir(c.Path)
		}
		if abs, err := filepath.Abs(filepath.Join(base, p)); err == nil {
			p = abs
		}
	}
	return filepath.Clean(p)
}

// unquote strips one pair of matching quotes, as Ansible's unquote.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// parseBool reads Ansible's boolean spellings.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(unquote(v))) {
	case "y", "yes", "on", "1", "true", "t", "1.0":
		return true, true
	case "n", "no", "off", "0", "false", "f", "0.0":
		return false, true
	}
	return false, false
}

// checkKeys records a warning for each key Ansible does not define in a
// section it knows, and for each section it does not know.
func (c *Config) checkKeys() {
	secs := make([]string, 0, len(c.sections))
	for s := range c.sections {
		secs = append(secs, s)
	}
	slices.Sort(secs)
	for _, sec := range secs {
		keys, ok := knownKeys[sec]
		if !ok {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s: section [%s] is not one Ansible knows: its settings are ignored", c.Path, sec))
			continue
		}
		var unknown []string
		for k := range c.sections[sec] {
			if !slices.Contains(keys, k) {
				unknown = append(unknown, k)
			}
		}
		slices.SortFunc(unknown, func(a, b string) int { return c.lines[sec+"\x00"+a] - c.lines[sec+"\x00"+b] })
		for _, k := range unknown {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s:%d: unknown key %q in [%s]: Ansible ignores it, and so does tend%s",
				c.Path, c.lines[sec+"\x00"+k], k, sec, suggest(k, keys)))
		}
	}
}

// suggest names the known key closest to k, when one is close.
func suggest(k string, keys []string) string {
	best, bestD := didyoumean.Closest(k, keys)
	if best == "" || bestD >= 3 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
