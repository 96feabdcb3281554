package inventory

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Variable precedence, lowest to highest, is Ansible's default
// (VARIABLE_PRECEDENCE = all_inventory, groups_inventory,
// all_plugins_inventory, groups_plugins_inventory, then host vars):
//
//  1. inline vars of group "all" (INI [all:vars], YAML all.vars)
//  2. inline vars of the host's other groups, parents before children:
//     sorted by depth, then ansible_group_priority, then name
//  3. group_vars/all files
//  4. group_vars/<group> files, groups in the same order as 2
//  5. inline host vars (INI host line, YAML hosts entry)
//  6. host_vars/<host> files
//
// So every group_vars file beats every inline group var, even one of a
// deeper group: Ansible applies the inventory-file layer before the
// group_vars layer. Within steps 3, 4 and 6, several sources apply in the
// order given to Load. Each step replaces whole top-level keys
// (hash_behaviour=replace); nested maps are never merged.

// varsExts are the file names Ansible tries for an entity in host_vars/ and
// group_vars/: NAME, NAME.yml, NAME.yaml, NAME.json. Only the first that
// exists is used.
var varsExts = []string{"", ".yml", ".yaml", ".json"}

// maxVarsDirDepth bounds recursion into host_vars/NAME/ folders, which a
// symlink loop would otherwise make endless.
const maxVarsDirDepth = 16

// varFiles are the host_vars/ and group_vars/ contents for each base
// directory, in source order.
type varFiles struct {
	dirs []*varDir
}

type varDir struct {
	groups map[string]map[string]any
	hosts  map[string]map[string]any
}

func (vf *varFiles) hostVars(all *Group, gs []*Group, h *Host) map[string]any {
	gs = slices.Clone(gs)
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		if a.depth != b.depth {
			return a.depth < b.depth
		}
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		return a.Name < b.Name
	})
	out := map[string]any{}
	merge(out, all.inline)
	for _, g := range gs {
		merge(out, g.inline)
	}
	if vf != nil {
		for _, d := range vf.dirs {
			merge(out, d.groups[groupAll])
		}
		for _, d := range vf.dirs {
			for _, g := range gs {
				merge(out, d.groups[g.Name])
			}
		}
	}
	merge(out, h.inline)
	if vf != nil {
		for _, d := range vf.dirs {
			merge(out, d.hosts[h.Name])
		}
	}
	return out
}

// groupVars is what ansible-inventory shows for a group: its inline vars
// with its group_vars files on top.
func (vf *varFiles) groupVars(g *Group) map[string]any {
	out := map[string]any{}
	merge(out, g.inline)
	if vf != nil {
		for _, d := range vf.dirs {
			merge(out, d.groups[g.Name])
		}
	}
	return out
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		dst[k] = v
	}
}

// loadVarFiles reads host_vars/ and group_vars/ beside each source for the
// hosts and groups that exist, as Ansible's host_group_vars plugin does.
func loadVarFiles(b *builder, basedirs []string) (*varFiles, error) {
	vf := &varFiles{}
	hostNames := make([]string, 0, len(b.hosts)+len(localhostNames))
	for _, h := range b.hosts {
		hostNames = append(hostNames, h.Name)
	}
	if b.localhost == nil {
		// The implicit localhost reads host_vars/localhost too.
		hostNames = append(hostNames, localhostNames...)
	}
	groupNames := make([]string, 0, len(b.byCreate))
	for _, g := range b.byCreate {
		groupNames = append(groupNames, g.Name)
	}
	for _, dir := range basedirs {
		d := &varDir{}
		var err error
		if d.hosts, err = loadEntityVars(b, filepath.Join(dir, "host_vars"), hostNames); err != nil {
			return nil, err
		}
		if d.groups, err = loadEntityVars(b, filepath.Join(dir, "group_vars"), groupNames); err != nil {
			return nil, err
		}
		vf.dirs = append(vf.dirs, d)
	}
	return vf, nil
}

func loadEntityVars(b *builder, dir string, names []string) (map[string]map[string]any, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, &Error{File: dir, Msg: "cannot read vars directory", Err: err}
	case !info.IsDir():
		b.warnf(pos{file: dir}, "%s is not a directory; skipped", filepath.Base(dir))
		return nil, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &Error{File: dir, Msg: "cannot read vars directory", Err: err}
	}
	// Look names up in one listing rather than stat-ing four candidate
	// paths per host; this also keeps names with '/' from escaping dir.
	present := make(map[string]bool, len(ents))
	for _, e := range ents {
		present[e.Name()] = true
	}
	out := map[string]map[string]any{}
	for _, name := range names {
		files, err := findVarsFiles(dir, present, name)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			vars, err := b.loadVarsFile(f)
			if err != nil {
				return nil, err
			}
			if vars == nil {
				continue
			}
			if out[name] == nil {
				out[name] = map[string]any{}
			}
			merge(out[name], vars)
		}
	}
	return out, nil
}

func findVarsFiles(dir string, present map[string]bool, name string) ([]string, error) {
	if strings.HasPrefix(name, "/") { // Ansible skips chroot-style names
		return nil, nil
	}
	for _, ext := range varsExts {
		if !present[name+ext] {
			continue
		}
		full := filepath.Join(dir, name+ext)
		info, err := os.Stat(full)
		if err != nil {
			continue // dangling symlink: Ansible's path_exists is false too
		}
		if info.IsDir() {
			return varsDirFiles(full, 0)
		}
		return []string{full}, nil
	}
	return nil, nil
}

// varsDirFiles lists a host_vars/NAME/ folder: sorted, recursing into
// extension-less subfolders, skipping hidden files and backups~, keeping
// files with no extension or a YAML/JSON one.
func varsDirFiles(dir string, depth int) ([]string, error) {
	if depth > maxVarsDirDepth {
		return nil, &Error{File: dir, Msg: "vars folders nested too deep", Hint: "check for a symlink loop"}
	}
	ents, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, &Error{File: dir, Msg: "cannot read vars folder", Err: err}
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
			continue
		}
		full := filepath.Join(dir, name)
		info, err := os.Stat(full)
		if err != nil {
			continue
		}
		ext := filepath.Ext(name)
		switch {
		case info.IsDir() && ext == "":
			sub, err := varsDirFiles(full, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case info.Mode().IsRegular() && (ext == "" || slices.Contains(varsExts[1:], ext)):
			out = append(out, full)
		}
	}
	return out, nil
}

// loadVarsFile reads a host_vars/group_vars file, decrypting it when it
// is vault-encrypted as Ansible does; every string of such a file is a
// secret.
func (b *builder) loadVarsFile(path string) (map[string]any, error) {
	data, vaulted, err := b.read(path)
	if err != nil {
		return nil, err
	}
	vars, err := parseVarsYAMLWith(path, data, b.warnf, b.vault)
	if vaulted {
		b.vault.RevealValue(vars)
	}
	return vars, err
}
