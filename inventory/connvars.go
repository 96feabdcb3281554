package inventory

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Connection variables this package knows, with Ansible's names. Callers
// should use these (or Host.Connection) rather than spelling keys.
const (
	VarHost           = "ansible_host"                 // address to connect to; default the inventory name
	VarPort           = "ansible_port"                 // SSH port; INI/YAML "name:port" sets it
	VarUser           = "ansible_user"                 // remote user
	VarPrivateKeyFile = "ansible_ssh_private_key_file" // SSH private key
	VarConnection     = "ansible_connection"           // ssh, local, ...
	VarPassword       = "ansible_password"             // SSH password; alias ansible_ssh_pass
	VarBecome         = "ansible_become"               // escalate privileges (boolean)
	VarBecomeUser     = "ansible_become_user"          // user to become; default root
	VarBecomeMethod   = "ansible_become_method"        // sudo, su, ...
	VarBecomePassword = "ansible_become_password"      // alias ansible_become_pass
	VarSSHCommonArgs  = "ansible_ssh_common_args"      // extra arguments for ssh, sftp and scp
	VarSSHExtraArgs   = "ansible_ssh_extra_args"       // extra arguments for ssh only
)

// ConnectionVars lists the connection variables above, for documentation
// and for callers that want to show or validate them.
var ConnectionVars = []string{
	VarHost, VarPort, VarUser, VarPrivateKeyFile, VarConnection, VarPassword,
	VarBecome, VarBecomeUser, VarBecomeMethod, VarBecomePassword,
	VarSSHCommonArgs, VarSSHExtraArgs,
}

// varAliases are the other names Ansible accepts for a connection variable,
// lowest priority first: as in Ansible's plugin option lookup, when several
// are set the last one listed wins.
var varAliases = map[string][]string{
	VarHost:           {VarHost, "ansible_ssh_host"},
	VarPort:           {VarPort, "ansible_ssh_port"},
	VarUser:           {VarUser, "ansible_ssh_user"},
	VarPrivateKeyFile: {"ansible_private_key_file", VarPrivateKeyFile},
	VarPassword:       {VarPassword, "ansible_ssh_pass", "ansible_ssh_password"},
	VarBecomePassword: {VarBecomePassword, "ansible_become_pass"},
}

// lookup returns the value of key or of its aliases.
func (h *Host) lookup(key string) (any, bool) {
	names, ok := varAliases[key]
	if !ok {
		v, ok := h.Vars[key]
		return v, ok && v != nil
	}
	var found any
	for _, n := range names {
		if v, ok := h.Vars[n]; ok && v != nil {
			found = v
		}
	}
	return found, found != nil
}

// String returns a variable as a string. Numbers and booleans are
// formatted; lists, maps and null (or a missing key) give ok == false.
// Aliases of connection variables (ansible_ssh_pass for ansible_password,
// ...) are honoured.
func (h *Host) String(key string) (string, bool) {
	v, ok := h.lookup(key)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case int, int64, uint64:
		return fmt.Sprint(v), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	}
	return "", false
}

// Int returns a variable as an int, accepting whole numbers and numeric
// strings (Ansible converts "22" for ansible_port).
func (h *Host) Int(key string) (int, bool) {
	v, ok := h.lookup(key)
	if !ok {
		return 0, false
	}
	return toInt(v)
}

// Bool returns a variable as Ansible's boolean filter reads it: true, yes,
// on, 1, y, t (any case) and their opposites.
func (h *Host) Bool(key string) (bool, bool) {
	v, ok := h.lookup(key)
	if !ok {
		return false, false
	}
	return toBool(v)
}

func toInt(v any) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case uint64:
		if v <= math.MaxInt64 {
			return int(v), true
		}
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v), true
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n, true
		}
	}
	return 0, false
}

func toBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case int:
		if v == 0 || v == 1 {
			return v == 1, true
		}
	case float64:
		if v == 0 || v == 1 {
			return v == 1, true
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "y", "yes", "on", "1", "true", "t":
			return true, true
		case "n", "no", "off", "0", "false", "f", "":
			return false, true
		}
	}
	return false, false
}

// Connection is a host's connection settings read from its variables.
type Connection struct {
	Host           string // ansible_host, or the inventory name
	Port           int    // 0 when unset
	User           string
	PrivateKeyFile string
	Type           string // ansible_connection; "" when unset
	Password       string
	Become         bool
	BecomeUser     string
	BecomeMethod   string
	BecomePassword string
	SSHCommonArgs  string
	SSHExtraArgs   string
}

// Connection reads the connection variables of h. It fails only when a
// variable is set with the wrong type, such as ansible_port: abc.
func (h *Host) Connection() (Connection, error) {
	c := Connection{Host: h.Name}
	strs := []struct {
		key string
		dst *string
	}{
		{VarHost, &c.Host}, {VarUser, &c.User}, {VarPrivateKeyFile, &c.PrivateKeyFile},
		{VarConnection, &c.Type}, {VarPassword, &c.Password}, {VarBecomeUser, &c.BecomeUser},
		{VarBecomeMethod, &c.BecomeMethod}, {VarBecomePassword, &c.BecomePassword},
		{VarSSHCommonArgs, &c.SSHCommonArgs}, {VarSSHExtraArgs, &c.SSHExtraArgs},
	}
	for _, s := range strs {
		if _, set := h.lookup(s.key); !set {
			continue
		}
		v, ok := h.String(s.key)
		if !ok {
			return c, fmt.Errorf("host %s: %s must be a string", h.Name, s.key)
		}
		*s.dst = v
	}
	if _, set := h.lookup(VarPort); set {
		p, ok := h.Int(VarPort)
		if !ok || p < 0 || p > 65535 {
			return c, fmt.Errorf("host %s: %s must be a port number", h.Name, VarPort)
		}
		c.Port = p
	}
	if _, set := h.lookup(VarBecome); set {
		b, ok := h.Bool(VarBecome)
		if !ok {
			return c, fmt.Errorf("host %s: %s must be a boolean", h.Name, VarBecome)
		}
		c.Become = b
	}
	return c, nil
}
