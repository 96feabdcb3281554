package jinja

import (
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
)

// Where lookups find the files a task names, as Ansible's
// find_file_in_search_path and DataLoader.path_dwim_relative_stack do.
// Everything is read from the evaluation's variables:
//
//   - ansible_search_path: the list of base directories (for a task in a
//     role, the role's path, its dependents', and the play's directory);
//     when absent, role_path alone, or else playbook_dir;
//   - playbook_dir: the play's directory, searched last (Ansible's
//     loader base directory), where pipe and lines run their commands and
//     relative password files live. Without it, tend's working directory.
//
// For each base directory B, a relative NAME is searched as B/SUBDIR/NAME
// then B/NAME, where SUBDIR is files (file, first_found, fileglob,
// unvault) or templates (template); when B is a file inside a role's
// tasks directory, as ROLE/SUBDIR/NAME and B's directory/NAME. The first
// path that exists wins. An absolute NAME or ~ is taken as it is.

// searchPath is the list of base directories.
func (l *lookupCall) searchPath() []string {
	if sp, ok := l.vars["ansible_search_path"]; ok {
		var out []string
		switch t := sp.(type) {
		case []any:
			for _, p := range t {
				if s, ok := p.(string); ok {
					out = append(out, s)
				}
			}
		case []string:
			out = append(out, t...)
		case string:
			out = append(out, t)
		}
		return out
	}
	if rp, ok := l.vars["role_path"].(string); ok && rp != "" {
		return []string{rp}
	}
	return []string{l.basedir()}
}

// basedir is Ansible's loader base directory: the play's.
func (l *lookupCall) basedir() string {
	if d, ok := l.vars["playbook_dir"].(string); ok && d != "" {
		return d
	}
	if wd, err := os.Getwd(); err == nil {
		return wd
	}
	return "."
}

// absPath is Ansible's unfrackpath: ~ expanded, made absolute, cleaned.
func absPath(p string) string {
	p = expandUser(p)
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// expandUser is Python's os.path.expanduser.
func expandUser(p string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	name, rest, _ := strings.Cut(p[1:], "/")
	home := ""
	if name == "" {
		home = os.Getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
	} else if u, err := user.Lookup(name); err == nil {
		home = u.HomeDir
	}
	if home == "" {
		return p
	}
	if rest == "" && !strings.Contains(p, "/") {
		return home
	}
	return filepath.Join(home, rest)
}

// candidates lists where a relative name is looked for, in order.
func (l *lookupCall) candidates(subdir, name string) []string {
	var out []string
	for _, p := range l.searchPath() {
		up := absPath(p)
		parent := filepath.Dir(up)
		if strings.HasSuffix(parent, "/tasks") && isRole(p) {
			out = append(out, filepath.Join(filepath.Dir(parent), subdir, name), filepath.Join(parent, name))
			continue
		}
		out = append(out, filepath.Join(up, subdir, name), filepath.Join(up, name))
	}
	base := absPath(l.basedir())
	return append(out, filepath.Join(base, subdir, name), filepath.Join(base, name))
}

// findFile finds name as Ansible's lookups do; "" when nothing exists.
func (l *lookupCall) findFile(subdir, name string) string {
	if name == "" {
		return ""
	}
	if strings.HasPrefix(name, "~") || strings.HasPrefix(name, "/") {
		p := absPath(name)
		if exists(p) {
			return p
		}
		return ""
	}
	for _, c := range l.candidates(subdir, name) {
		if exists(c) {
			return c
		}
	}
	return ""
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

var tasksDirRe = regexp.MustCompile(`(?:^|/)+tasks/?$`)

// isRole is Ansible's DataLoader._is_role: a path inside a role, judged
// by the main files a role has.
func isRole(p string) bool {
	up, dir := absPath(p), filepath.Dir(p)
	if tasksDirRe.MatchString(p) {
		for _, m := range []string{"main.yml", "main.yaml", "main"} {
			if exists(filepath.Join(p, m)) {
				return true
			}
		}
	}
	for _, base := range []string{up, dir} {
		for _, sub := range []string{"tasks", "meta"} {
			for _, m := range []string{"main.yml", "main.yaml", "main"} {
				if exists(filepath.Join(base, sub, m)) {
					return true
				}
			}
		}
	}
	return false
}
