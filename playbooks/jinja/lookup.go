package jinja

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Lookup plugins: lookup(), query() and q() in templates, and RunLookup
// for the runner's with_<lookup> loops, with Ansible 2.14's semantics.
// The plugins themselves are in lookup_*.go.

// lookupFn is a plugin: terms in, a list out, as Ansible's run().
type lookupFn func(l *lookupCall, terms []any) ([]any, error)

// lookupCall is one run of a plugin.
type lookupCall struct {
	env    *Env
	name   string
	kwargs map[string]any // the plugin's options (wantlist and errors removed)
	vars   map[string]any // the evaluation's variables
	subdir string         // first_found's subdirectory (see RunLookup)
}

// lookupFatal marks an error that errors='ignore' or 'warn' does not
// hide, as in Ansible: an undefined variable, a bad option, a lookup
// that does not exist.
type lookupFatal struct{ error }

func (f lookupFatal) Unwrap() error { return f.error }

func fatalf(format string, args ...any) error {
	return lookupFatal{fmt.Errorf(format, args...)}
}

// lookups lists the plugins tend has, by their short names.
var lookups map[string]lookupFn

func init() {
	lookups = map[string]lookupFn{
		"file":                lookupFile,
		"template":            lookupTemplate,
		"first_found":         lookupFirstFound,
		"fileglob":            lookupFileglob,
		"unvault":             lookupUnvault,
		"password":            lookupPassword,
		"env":                 lookupEnv,
		"pipe":                lookupPipe,
		"lines":               lookupLines,
		"vars":                lookupVars,
		"varnames":            lookupVarnames,
		"config":              lookupConfig,
		"items":               lookupItems,
		"list":                lookupList,
		"dict":                lookupDict,
		"indexed_items":       lookupIndexedItems,
		"subelements":         lookupSubelements,
		"sequence":            lookupSequence,
		"nested":              lookupNested,
		"cartesian":           lookupNested, // community.general's: the same product
		"together":            lookupTogether,
		"flattened":           lookupFlattened,
		"random_choice":       lookupRandomChoice,
		"inventory_hostnames": lookupInventoryHostnames,
	}
}

// lookupCollections are the collections whose lookups tend runs under
// their full names (community.general.flattened is tend's flattened).
var lookupCollections = map[string]bool{"community.general": true}

// ansibleLookups are lookups Ansible has (ansible-core's, and the old
// short names it redirects to collections) that tend lacks.
var ansibleLookups = strings.Fields(`csvfile ini url
	avi aws_account_attribute aws_secret aws_service_ip_ranges aws_ssm
	chef_databag conjur_variable consul_kv cpm_metering cpm_status credstash
	cyberarkpassword dig dnstxt etcd filetree gcp_storage_file
	grafana_dashboard hashi_vault hiera k8s keyring laps_password lastpass
	lmdb_kv manifold mongodb nios nios_next_ip nios_next_network onepassword
	onepassword_raw openshift passwordstore rabbitmq redis shelvefile skydive`)

// ansibleCollections are collections Ansible's community package ships
// with lookup plugins: any of their lookups is Ansible's.
var ansibleCollections = strings.Fields(`amazon.aws ansible.utils awx.awx
	azure.azcollection cisco.aci community.general community.google
	community.grafana community.hashi_vault community.mongodb
	community.network community.rabbitmq community.skydive community.sops
	community.windows cyberark.conjur f5networks.f5_modules
	infoblox.nios_modules kubernetes.core netapp_eseries.santricity
	netbox.netbox vmware.vmware_rest wti.remote`)

// findLookup resolves a plugin name as Ansible does for the ones tend
// has: short, ansible.builtin., ansible.legacy., or a collection's that
// is the same plugin.
func findLookup(name string) (lookupFn, error) {
	short := name
	for _, prefix := range []string{"ansible.builtin.", "ansible.legacy."} {
		short = strings.TrimPrefix(short, prefix)
	}
	if i := strings.LastIndexByte(short, '.'); i > 0 && lookupCollections[short[:i]] {
		short = short[i+1:]
	}
	if fn := lookups[short]; fn != nil && !strings.Contains(short, ".") {
		return fn, nil
	}
	for _, n := range ansibleLookups {
		if n == short {
			return nil, fatalf("lookup %s is not supported by tend yet", name)
		}
	}
	for _, c := range ansibleCollections {
		if strings.HasPrefix(name, c+".") {
			return nil, fatalf("lookup %s is not supported by tend yet", name)
		}
	}
	return nil, fatalf("lookup plugin (%s) not found", name)
}

// RunLookup runs the lookup plugin name as a with_<name> loop does: terms
// are the loop's rendered terms (a single term is one element; see
// LookupTerms), kwargs the plugin's options, vars the task's variables
// (see lookup_paths.go for the ones file lookups read). The result is the
// list query() returns. errors= in kwargs works as in lookup(). For
// with_first_found, kwargs["_subdir"] names the subdirectory Ansible
// searches for the task's action (see FirstFoundSubdir); it defaults to
// "files".
func (e *Env) RunLookup(name string, terms []any, kwargs map[string]any, vars map[string]any) ([]any, error) {
	l := &lookupCall{env: e, vars: vars, subdir: "files"}
	opts := make(map[string]any, len(kwargs))
	for k, v := range kwargs {
		opts[k] = v
	}
	if s, ok := opts["_subdir"].(string); ok && s != "" {
		l.subdir = s
	}
	delete(opts, "_subdir")
	delete(opts, "wantlist")
	out, err := e.runLookup(l, name, terms, opts)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// FirstFoundSubdir is the subdirectory with_first_found searches for a
// task whose action (module) is action, as Ansible's task executor
// chooses it: templates for template, vars for include_vars, else files.
func FirstFoundSubdir(action string) string {
	for _, sub := range []string{"template", "var", "file"} {
		if strings.Contains(action, sub) {
			return sub + "s"
		}
	}
	return "files"
}

// LookupTerms makes a with_<lookup>'s rendered value into the plugin's
// terms, as Ansible's listify_lookup_plugin_terms: a list is the terms, a
// string (trimmed) or any other single value is one term.
func LookupTerms(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case string:
		return []any{strings.TrimSpace(t)}
	}
	return []any{v}
}

// runLookup runs a plugin with Ansible's errors= handling: a nil result
// and no error when an error was ignored, else a list (maybe empty).
func (e *Env) runLookup(l *lookupCall, name string, terms []any, opts map[string]any) ([]any, error) {
	mode := "strict"
	if m, ok := opts["errors"]; ok {
		s, _ := m.(string)
		if s != "strict" && s != "warn" && s != "ignore" {
			return nil, fmt.Errorf("lookup %s: errors must be strict, warn or ignore, not %s", name, pyRepr(m))
		}
		mode = s
	}
	delete(opts, "errors")
	delete(opts, "allow_unsafe")
	fn, err := findLookup(name)
	if err != nil {
		return nil, err
	}
	l.name, l.kwargs = name, opts
	if l.env == nil {
		l.env = e
	}
	out, err := runPlugin(fn, l, terms)
	if err == nil {
		if out == nil {
			out = []any{}
		}
		return out, nil
	}
	// The error is only text from here on: as in Ansible, an undefined
	// variable inside a lookup fails it, and default after it does not
	// hide that.
	var fatal lookupFatal
	isFatal := errors.As(err, &fatal)
	err = errors.New("lookup " + name + ": " + err.Error())
	if mode == "strict" || isFatal {
		return nil, err
	}
	if mode == "warn" && e.Warn != nil {
		e.Warn("Lookup failed but the error is being ignored: " + err.Error())
	}
	return nil, nil
}

// runPlugin runs fn; a panic in a plugin is an error, not a crash.
func runPlugin(fn lookupFn, l *lookupCall, terms []any) (out []any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("lookup failure: %v", r)
		}
	}()
	return fn(l, terms)
}

// lookupGlobal is lookup() (wantlist false) or query() and q().
func (e *Env) lookupGlobal(query bool) func(*exec.Evaluator, *exec.VarArgs) (any, error) {
	return func(ev *exec.Evaluator, va *exec.VarArgs) (any, error) {
		args, kwargs, err := gonjaArgs(va)
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, record(ev, errors.New("lookup() missing the name of the lookup plugin"))
		}
		name, ok := args[0].(string)
		if !ok {
			return nil, record(ev, fmt.Errorf("the name of a lookup plugin must be a string, not %s", pyType(args[0])))
		}
		opts := make(map[string]any, len(kwargs))
		for k, v := range kwargs {
			opts[k] = v
		}
		wantlist := query || truthy(opts["wantlist"])
		delete(opts, "wantlist")
		l := &lookupCall{env: e, subdir: "files"}
		if st := stateOf(ev); st != nil {
			l.vars = st.vars
		}
		ran, err := e.runLookup(l, name, args[1:], opts)
		if err != nil {
			return nil, record(ev, err)
		}
		if wantlist {
			if ran == nil {
				ran = []any{}
			}
			return ran, nil
		}
		if ran == nil {
			return nil, nil // an ignored error: None
		}
		return joinLookup(ran), nil
	}
}

// joinLookup is what lookup() makes of a plugin's list, as Ansible does:
// the texts joined with commas; a single value that is no text, itself;
// otherwise (or empty) the list.
func joinLookup(ran []any) any {
	if len(ran) == 0 {
		return ran
	}
	texts := make([]string, len(ran))
	for i, v := range ran {
		s, ok := v.(string)
		if !ok {
			if len(ran) == 1 {
				return ran[0]
			}
			return ran
		}
		texts[i] = s
	}
	return strings.Join(texts, ",")
}

// extend adds what the other files of this package do not register
// themselves: lookup(), query() and q(), and the stand-ins for filters
// and tests tend lacks (names.go).
func (e *Env) extend(ff map[string]exec.FilterFunction, tt map[string]exec.TestFunction) {
	e.globals["lookup"] = e.lookupGlobal(false)
	e.globals["query"] = e.lookupGlobal(true)
	e.globals["q"] = e.lookupGlobal(true)
	ff[filterMissing] = missingFilter
	tt[testMissing] = missingTest
}

// option returns the plugin option name, or def.
func (l *lookupCall) option(name string, def any) any {
	if v, ok := l.kwargs[name]; ok {
		return v
	}
	return def
}

// boolOption reads a boolean option as Ansible converts one.
func (l *lookupCall) boolOption(name string, def bool) (bool, error) {
	v, ok := l.kwargs[name]
	if !ok {
		return def, nil
	}
	b, ok := ansibleBool(v)
	if !ok {
		return false, fatalf("option %s: %s is not a valid boolean", name, pyRepr(v))
	}
	return b, nil
}

// ansibleBool is Ansible's boolean() for option values, strict.
func ansibleBool(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case nil:
		return false, true
	case int:
		if t == 0 || t == 1 {
			return t == 1, true
		}
	case float64:
		if t == 0 || t == 1 {
			return t == 1, true
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "y", "yes", "on", "1", "true", "t":
			return true, true
		case "n", "no", "off", "0", "false", "f", "":
			return false, true
		}
	}
	return false, false
}

// termString is a term that must be text.
func termString(t any) (string, error) {
	s, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("expected a string term, got %s (%s)", pyType(t), pyRepr(t))
	}
	return s, nil
}
