// Package ansiblecfg reads Ansible's configuration as ansible-playbook does:
// the first of $ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg and
// /etc/ansible/ansible.cfg, an INI file, with ANSIBLE_* environment
// variables winning over it.
package ansiblecfg

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Config is one ansible.cfg, as sections of keys.
type Config struct {
	// Path is the file read; "" when there is none.
	Path     string
	sections map[string]map[string]string
	lines    map[string]int // "section\x00key": the line it was set on
	env      func(string) string
	// Warnings are keys and sections of the file that Ansible does not
	// know (Ansible ignores them silently; a typo should not be).
	Warnings []string
}

// Find returns the configuration file ansible-playbook would read, or "".
// As Ansible, ./ansible.cfg is ignored in a world-writable folder.
func Find(getenv func(string) string) string {
	if p := getenv("ANSIBLE_CONFIG"); p != "" {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			p = filepath.Join(p, "ansible.cfg")
		}
		if exists(p) {
			return p
		}
	}
	if wd, err := os.Getwd(); err == nil {
		if st, err := os.Stat(wd); err == nil && st.Mode().Perm()&0o002 == 0 {
			if p := filepath.Join(wd, "ansible.cfg"); exists(p) {
				return p
			}
		}
	}
	if home := getenv("HOME"); home != "" {
		if p := filepath.Join(home, ".ansible.cfg"); exists(p) {
			return p
		}
	}
	if p := "/etc/ansible/ansible.cfg"; exists(p) {
		return p
	}
	return ""
}

func exists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Load reads the configuration ansible-playbook would (see Find); with no
// file, only the environment counts.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{sections: map[string]map[string]string{}, lines: map[string]int{}, env: getenv}
	p := Find(getenv)
	if p == "" {
		return c, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	c.Path = p
	if err := c.parse(data); err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	c.checkKeys()
	return c, nil
}

// parse reads Python's configparser format as Ansible sets it up: [section]
// headers, key = value or key: value, comments with # or ; on their own
// lines and after " ;" (inline_comment_prefixes), indented lines continuing
// a value, "%%" for a percent sign (BasicInterpolation).
func (c *Config) parse(data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var sec map[string]string
	var last, secName string
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";"):
			continue
		case line[0] == ' ' || line[0] == '\t':
			if sec != nil && last != "" {
				sec[last] += "\n" + trimmed
				continue
			}
			return fmt.Errorf("line %d: an indented line continues nothing", n)
		case strings.HasPrefix(trimmed, "["):
			name, ok := strings.CutSuffix(trimmed, "]")
			if !ok {
				return fmt.Errorf("line %d: a section header ends with ]", n)
			}
			name = strings.TrimSpace(name[1:])
			if c.sections[name] == nil {
				c.sections[name] = map[string]string{}
			}
			sec, last, secName = c.sections[name], "", name
		default:
			i := strings.IndexAny(trimmed, "=:")
			if i < 0 {
				return fmt.Errorf("line %d: expected key = value", n)
			}
			if sec == nil {
				return fmt.Errorf("line %d: a key before any [section]", n)
			}
			k := strings.ToLower(strings.TrimSpace(trimmed[:i]))
			v := strings.TrimSpace(trimmed[i+1:])
			// Ansible's parser strips inline comments after " ;"
			// only: a # inside a value is kept.
			for _, mark := range []string{" ;", "\t;"} {
				if j := strings.Index(v, mark); j >= 0 {
					v = strings.TrimSpace(v[:j])
				}
			}
			sec[k], last = v, k
			c.lines[secName+"\x00"+k] = n
		}
	}
	return sc.Err()
}

// Get returns a setting: the environment variable env when set, else
// section's key; "" when neither says anything.
func (c *Config) Get(env, section, key string) string {
	if env != "" && c.env != nil {
		if v := c.env(env); v != "" {
			return v
		}
	}
	return strings.ReplaceAll(c.sections[section][key], "%%", "%")
}

// Paths returns a path-list setting (roles_path: colon-separated, ~
// expanded, relative paths against the configuration file's folder).
func (c *Config) Paths(env, section, key string) []string {
	v := c.Get(env, section, key)
	if v == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(v, string(os.PathListSeparator)) {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if strings.HasPrefix(p, "~/") {
			if home := c.env("HOME"); home != "" {
				p = filepath.Join(home, p[2:])
			}
		}
		if !filepath.IsAbs(p) && c.Path != "" && c.env(env) == "" {
			p = filepath.Join(filepath.Dir(c.Path), p)
		}
		out = append(out, p)
	}
	return out
}

// RolesPath is where roles are looked for after the playbook's roles/:
// ANSIBLE_ROLES_PATH, else roles_path, else Ansible's default folders.
func (c *Config) RolesPath() []string {
	if p := c.Paths("ANSIBLE_ROLES_PATH", "defaults", "roles_path"); len(p) > 0 {
		return p
	}
	var out []string
	if home := c.env("HOME"); home != "" {
		out = append(out, filepath.Join(home, ".ansible", "roles"))
	}
	return append(out, "/usr/share/ansible/roles", "/etc/ansible/roles")
}

// CollectionsPaths is where collections are looked for:
// ANSIBLE_COLLECTIONS_PATH (or the older ..._PATHS), else collections_path
// (or collections_paths), else Ansible's default folders.
func (c *Config) CollectionsPaths() []string {
	for _, k := range [][2]string{{"ANSIBLE_COLLECTIONS_PATH", "collections_path"}, {"ANSIBLE_COLLECTIONS_PATHS", "collections_paths"}} {
		if p := c.Paths(k[0], "defaults", k[1]); len(p) > 0 {
			return p
		}
	}
	var out []string
	if home := c.env("HOME"); home != "" {
		out = append(out, filepath.Join(home, ".ansible", "collections"))
	}
	return append(out, "/usr/share/ansible/collections")
}
