package playbooks

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"tend/inventory"
	"tend/modules"
	"tend/playbooks/jinja"
	"tend/playbooks/load"
)

// vars builds the variables a task sees on this host, lowest precedence
// first, as Ansible orders them (its full list has 22 levels; these are
// the ones tend has):
//
//	role defaults < inventory (group, then host) < facts < play vars <
//	play vars_files < role vars and params < task (and block) vars <
//	set_fact and register < extra vars (-e)
//
// Magic variables (inventory_hostname, groups, hostvars, ...) are set last.
// It also returns the variables whose values are templates written in the
// playbook, inventory or -e (see resolve).
func (h *hostRun) vars(t *load.Task) (vars, templated map[string]any) {
	r, p, hs := h.p.r, h.p, h.hs
	v := make(map[string]any, 64)
	templated = map[string]any{}
	// Values written by people may be templates. Values that come from the
	// host (facts, registered output, set_fact results) never are: a host
	// must not be able to run a template on the controller, where every
	// secret is in reach (Ansible marks them unsafe for the same reason).
	trusted := func(m map[string]any) {
		for k, x := range m {
			v[k] = x
			if containsTemplate(x) {
				templated[k] = x
			} else {
				delete(templated, k)
			}
		}
	}
	fromHost := func(m map[string]any) {
		for k, x := range m {
			v[k] = x
			delete(templated, k)
		}
	}
	// Every role of the play shares its defaults and vars with the play's
	// tasks (Ansible's public role vars); a task's own role's come last.
	for _, r := range p.play.Roles {
		trusted(r.Defaults)
	}
	for _, r := range h.public {
		trusted(r.Defaults)
	}
	if t.Role != nil {
		trusted(t.Role.Defaults)
	}
	trusted(hs.host.Vars)
	if hs.facts != nil {
		fromHost(hs.facts)
	}
	trusted(p.play.Vars)
	for _, vf := range p.play.VarsFiles {
		trusted(vf.Vars)
	}
	for _, r := range p.play.Roles {
		trusted(r.EntryVars)
		trusted(r.Vars)
	}
	for _, r := range h.public {
		trusted(r.Vars)
	}
	if t.Role != nil {
		trusted(t.Role.Vars)
		trusted(t.Role.Params)
		v["role_path"] = t.Role.Path
		v["role_name"] = t.Role.Name
		if c := t.Role.Collection; c != "" {
			v["ansible_collection_name"] = c
		}
		if len(t.Role.Parents) > 0 {
			names, paths := make([]any, len(t.Role.Parents)), make([]any, len(t.Role.Parents))
			for i, p := range t.Role.Parents {
				names[i], paths[i] = p.Name, p.Path
			}
			v["ansible_parent_role_names"], v["ansible_parent_role_paths"] = names, paths
		}
	}
	trusted(t.Vars)
	for _, sc := range h.scopes {
		fromHost(sc) // loop items of includes: rendered already
	}
	trusted(hs.included)
	fromHost(hs.vars)
	if len(hs.moduleFacts) > 0 || hs.facts == nil {
		// ansible_facts: the gathered facts ({} when none were) and those
		// modules returned (getent_passwd, packages, services...).
		af := map[string]any{}
		if f, ok := hs.facts["ansible_facts"].(map[string]any); ok {
			maps.Copy(af, f)
		}
		maps.Copy(af, hs.moduleFacts)
		v["ansible_facts"] = af
	}
	trusted(r.o.ExtraVars)

	v["inventory_hostname"] = hs.host.Name
	v["inventory_hostname_short"], _, _ = strings.Cut(hs.host.Name, ".")
	v["group_names"] = toAnyList(hs.host.GroupNames())
	v["groups"] = p.groups
	v["hostvars"] = p.hostvars
	v["ansible_play_hosts"] = p.hostNames
	v["ansible_play_hosts_all"] = p.hostNames
	v["ansible_play_batch"] = p.hostNames
	v["play_hosts"] = p.hostNames
	v["ansible_play_name"] = p.name()
	v["ansible_version"] = ansibleVersion
	v["ansible_search_path"] = h.searchPath(t)
	v["ansible_config_file"] = nil
	if t.Role != nil {
		v["ansible_role_name"] = t.Role.Name
		if c := t.Role.Collection; c != "" {
			v["ansible_role_name"] = c + "." + t.Role.Name
		}
	}
	v["ansible_check_mode"] = h.checkMode(t)
	v["ansible_diff_mode"] = h.diffMode(t)
	v["playbook_dir"] = r.pb.Dir
	v["omit"] = jinja.Omit
	h.resolve(v, templated)
	// vars: every variable the task sees, by name ("x" in vars), as
	// Ansible's magic vars. A copy, so that it never contains itself.
	v["vars"] = maps.Clone(v)
	return v, templated
}

// resolve renders variables whose values are templates referring to other
// variables, as Ansible's lazy templating does: each from its template as
// written (never from a previous result, so text that a rendered value
// brings in, from a fact say, is not evaluated), after the templated
// variables its template names. A variable whose template cannot be
// rendered (it names an undefined variable) or that refers back to itself
// is bound to a value that fails when used, with the reason, as Ansible
// fails there ("recursive loop detected"). It is called again once a loop
// item is bound.
func (h *hostRun) resolve(v, templated map[string]any) {
	if len(templated) == 0 {
		return
	}
	const (
		visiting = 1
		done     = 2
	)
	state := make(map[string]int, len(templated))
	var visit func(k string)
	visit = func(k string) {
		state[k] = visiting
		tmpl := templated[k]
		for _, dep := range referencedNames(tmpl) {
			if _, ok := templated[dep]; !ok {
				continue
			}
			switch state[dep] {
			case 0:
				visit(dep)
			case visiting: // a: "{{ b }}", b: "{{ a }}"; or a: "{{ a }}"
				v[k] = jinja.Failing(fmt.Sprintf("recursive loop detected in template string: %s", show(tmpl)))
				state[k] = done
				return
			}
		}
		if out, err := h.p.r.jinja.Value(tmpl, v); err == nil {
			v[k] = out
		} else {
			v[k] = jinja.Failing(fmt.Sprintf("%s: %v", k, err))
		}
		state[k] = done
	}
	for _, k := range slices.Sorted(maps.Keys(templated)) {
		if state[k] == 0 {
			visit(k)
		}
	}
}

// referencedNames lists the words of a templated value that may name
// variables: its identifiers, in and out of {{ }} (an over-estimate, which
// only orders the rendering).
func referencedNames(x any) []string {
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case string:
			out = append(out, identRe.FindAllString(x, -1)...)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(x)
	return out
}

var identRe = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// ansibleVersion is what ansible_version says: the Ansible tend follows.
var ansibleVersion = map[string]any{"full": "2.14.18", "major": 2, "minor": 14, "revision": 18, "string": "2.14.18"}

// searchPath is ansible_search_path: where lookups find relative files
// (the role's folder, then the folder of the task's file, then the
// playbook's), as Ansible's task search path.
func (h *hostRun) searchPath(t *load.Task) []any {
	var out []any
	add := func(d string) {
		for _, x := range out {
			if x == d {
				return
			}
		}
		out = append(out, d)
	}
	if t.Role != nil {
		add(t.Role.Path)
	}
	if t.Pos.File != "" && t.Role == nil {
		add(filepath.Dir(t.Pos.File))
	}
	add(h.p.r.pb.Dir)
	return out
}

func containsTemplate(x any) bool {
	switch x := x.(type) {
	case string:
		return modules.IsTemplated(x)
	case []any:
		for _, e := range x {
			if containsTemplate(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if containsTemplate(e) {
				return true
			}
		}
	}
	return false
}

// groupsVar is Ansible's `groups`: every group's host names.
func (r *runner) groupsVar() map[string]any {
	out := map[string]any{}
	r.mu.Lock()
	defer r.mu.Unlock()
	for g, hosts := range r.runtimeGroups() {
		out[g] = toAnyList(hosts)
	}
	return out
}

// hostvarsVar is Ansible's `hostvars`: every host's inventory variables,
// with the facts gathered in earlier plays. It is built once per play: hosts
// run independently, so facts gathered during the play are not shared.
func (r *runner) hostvarsVar() map[string]any {
	out := map[string]any{}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range r.allHosts() {
		hv := make(map[string]any, len(h.Vars)+4)
		for k, x := range h.Vars {
			hv[k] = x
		}
		hv["inventory_hostname"] = h.Name
		if hs, ok := r.hosts[h.Name]; ok {
			for k, x := range hs.facts {
				hv[k] = x
			}
		}
		out[h.Name] = hv
	}
	return out
}

func toAnyList(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// selected applies --tags and --skip-tags with Ansible's rules: "always"
// runs unless skipped by name, "never" runs only when asked for by one of
// its other tags, and "all", "tagged" and "untagged" are special.
func (r *runner) selected(t *load.Task) bool {
	tags := t.Tags
	has := func(list []string, tag string) bool { return slices.Contains(list, tag) }
	matches := func(want []string) bool {
		for _, w := range want {
			switch {
			case w == "all" && !has(tags, "never"):
				return true
			case w == "tagged" && len(tags) > 0:
				return true
			case w == "untagged" && len(tags) == 0:
				return true
			case has(tags, w):
				return true
			}
		}
		return false
	}
	if len(r.o.SkipTags) > 0 && matches(r.o.SkipTags) {
		return false
	}
	if has(tags, "always") {
		return true
	}
	want := r.o.Tags
	if len(want) == 0 {
		want = []string{"all"}
	}
	return matches(want)
}

// fileSource finds controller-side files as Ansible does, in the folders
// load.Task.SearchDirs lists (the load's check looks in the same). Absolute
// paths are used as they are.
type fileSource struct {
	dirs []string
}

func (h *hostRun) files(t *load.Task, kind string) fileSource {
	return fileSource{dirs: t.SearchDirs(h.p.r.pb.Dir, kind)}
}

func (f fileSource) find(name string) (string, error) {
	if filepath.IsAbs(name) {
		return name, nil
	}
	for _, d := range f.dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil {
			if st.IsDir() {
				// The first that exists wins, as in Ansible: copy then
				// copies the folder (modules/copy_tree.go).
				return "", &fs.PathError{Op: "read", Path: p, Err: syscall.EISDIR}
			}
			return p, nil
		}
	}
	return "", fmt.Errorf("could not find %q in %s", name, strings.Join(f.dirs, ", "))
}

// ReadDir lists a controller folder (copy of a folder, assemble of
// controller fragments), found as files are.
func (f fileSource) ReadDir(name string) ([]fs.DirEntry, error) {
	if filepath.IsAbs(name) {
		return os.ReadDir(name)
	}
	for _, d := range f.dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return os.ReadDir(p)
		}
	}
	return nil, fmt.Errorf("could not find folder %q in %s", name, strings.Join(f.dirs, ", "))
}

// Path names the file ReadFile reads (modules.FilePather): copy streams a
// large one from disk.
func (f fileSource) Path(name string) (string, error) { return f.find(name) }

func (f fileSource) ReadFile(name string) ([]byte, error) {
	p, err := f.find(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// connect opens the host's connection once per run.
func (h *hostRun) connect(ctx context.Context) error {
	if h.hs.conn != nil {
		return nil
	}
	start := time.Now()
	host := h.hs.host
	if c := h.p.play.Connection; c != "" {
		// The play's connection; the inventory's ansible_connection wins.
		if _, set := host.String(inventory.VarConnection); !set {
			cp := *host
			cp.Vars = withVar(host.Vars, inventory.VarConnection, c)
			host = &cp
		}
	}
	if u := h.p.play.RemoteUser; u != "" {
		// The play's remote_user beats -u; the inventory's ansible_user
		// (and -e) beat it, as in Ansible.
		if _, set := host.String(inventory.VarUser); !set {
			c := *host
			c.Vars = withVar(host.Vars, inventory.VarUser, u)
			host = &c
		}
	}
	c, err := Connect(ctx, host, h.p.r.o.Connect)
	h.hs.recap.Connect += time.Since(start)
	if err != nil {
		return err
	}
	h.hs.conn = c
	return nil
}

// gatherFacts reads the host's facts in one round trip.
func (h *hostRun) gatherFacts(ctx context.Context) error {
	start := time.Now()
	out, err := h.exec(ctx, modules.FactsScript, "")
	h.hs.recap.Facts += time.Since(start)
	if err != nil {
		return err
	}
	if out.ExitCode != 0 {
		return fmt.Errorf("gathering facts: exit status %d: %s", out.ExitCode, strings.TrimSpace(string(out.Stderr)))
	}
	facts, err := modules.ParseFacts(out.Stdout, FactOverrides(h.hs.host))
	if err != nil {
		return err
	}
	h.hs.facts = facts
	return nil
}

// FactOverrides reads the inventory variables that overrule fact
// detection (tend_pkg_mgr, tend_service_mgr).
func FactOverrides(host *inventory.Host) modules.FactOverrides {
	pkg, _ := host.String("tend_pkg_mgr")
	svc, _ := host.String("tend_service_mgr")
	return modules.FactOverrides{PkgMgr: pkg, ServiceMgr: svc}
}

// moduleFacts is what modules see of the host: its facts, or when facts
// were not gathered, only what the inventory says outright.
func (h *hostRun) moduleFacts() map[string]any {
	if h.hs.facts != nil {
		return h.hs.facts
	}
	o := FactOverrides(h.hs.host)
	f := map[string]any{}
	if o.PkgMgr != "" {
		f["ansible_pkg_mgr"] = o.PkgMgr
	}
	if o.ServiceMgr != "" {
		f["ansible_service_mgr"] = o.ServiceMgr
	}
	return f
}
