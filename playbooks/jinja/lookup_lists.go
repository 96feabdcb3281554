package jinja

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The lookups that build lists from their terms (items, list, dict,
// indexed_items, subelements, sequence, nested, together, flattened,
// random_choice), read tend's environment (env, vars, config,
// inventory_hostnames) or run commands (pipe, lines).

// lookupEnv returns the environment variable each term names (its first
// word), or the default option (”).
func lookupEnv(l *lookupCall, terms []any) ([]any, error) {
	def := l.option("default", "")
	var out []any
	for _, t := range terms {
		s, err := termString(t)
		if err != nil {
			return nil, err
		}
		f := strings.Fields(s)
		if len(f) == 0 {
			return nil, fmt.Errorf("list index out of range")
		}
		if v, ok := os.LookupEnv(f[0]); ok {
			out = append(out, v)
		} else {
			out = append(out, def)
		}
	}
	return out, nil
}

// lookupPipe runs each term with sh -c in the play's directory, ON THE
// MACHINE RUNNING TEND, and returns its output without trailing
// whitespace; a command that fails is an error.
func lookupPipe(l *lookupCall, terms []any) ([]any, error) {
	var out []any
	for _, t := range terms {
		cmd := pyStr(t)
		stdout, err := l.run("pipe", cmd)
		if err != nil {
			return nil, err
		}
		out = append(out, strings.TrimRightFunc(stdout, isPySpace))
	}
	return out, nil
}

// lookupLines is pipe giving the output's lines.
func lookupLines(l *lookupCall, terms []any) ([]any, error) {
	var out []any
	for _, t := range terms {
		cmd := pyStr(t)
		stdout, err := l.run("lines", cmd)
		if err != nil {
			return nil, err
		}
		stdout = strings.ReplaceAll(strings.ReplaceAll(stdout, "\r\n", "\n"), "\r", "\n")
		stdout = strings.TrimSuffix(stdout, "\n")
		if stdout == "" {
			continue
		}
		for _, line := range strings.Split(stdout, "\n") {
			out = append(out, line)
		}
	}
	return out, nil
}

// run runs cmd with sh -c in the play's directory, stdin empty; stderr
// goes into the error when it fails.
func (l *lookupCall) run(plugin, cmd string) (string, error) {
	c := exec.Command("/bin/sh", "-c", cmd)
	c.Dir = l.basedir()
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	if err != nil {
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		msg := fmt.Sprintf("lookup_plugin.%s(%s) returned %d", plugin, cmd, code)
		if e := strings.TrimSpace(stderr.String()); e != "" {
			msg += ": " + e
		}
		return "", fmt.Errorf("%s", msg)
	}
	return stdout.String(), nil
}

// lookupVars returns the variables each term names, templated, or the
// default option; with neither, an undefined error (which errors=
// does not hide).
func lookupVars(l *lookupCall, terms []any) ([]any, error) {
	def, hasDef := l.kwargs["default"]
	hasDef = hasDef && def != nil
	var out []any
	for _, t := range terms {
		name, ok := t.(string)
		if !ok {
			return nil, fmt.Errorf("Invalid setting identifier, %q is not a string, its a %s", pyStr(t), pyType(t))
		}
		v, found := l.vars[name]
		if !found {
			host, _ := l.vars["inventory_hostname"].(string)
			if hv, ok := l.vars["hostvars"].(map[string]any); ok {
				if h, ok := hv[host].(map[string]any); ok {
					v, found = h[name]
				}
			}
		}
		if !found {
			if hasDef {
				out = append(out, def)
				continue
			}
			return nil, fatalf("No variable found with this name: %s", name)
		}
		x, err := l.env.Value(v, l.vars)
		if err != nil {
			if hasDef && asUndefinedErr(err) {
				out = append(out, def)
				continue
			}
			return nil, lookupFatal{err}
		}
		out = append(out, x)
	}
	return out, nil
}

func asUndefinedErr(err error) bool {
	_, ok := err.(*UndefinedError)
	return ok
}

// ansibleConfig are the settings the config lookup knows: Ansible's
// defaults (tend reads no ansible.cfg).
func ansibleConfig(key string) (any, bool) {
	home := os.Getenv("HOME")
	switch key {
	case "DEFAULT_ROLES_PATH":
		return []any{filepath.Join(home, ".ansible/roles"), "/usr/share/ansible/roles", "/etc/ansible/roles"}, true
	case "COLLECTIONS_PATHS":
		return []any{filepath.Join(home, ".ansible/collections"), "/usr/share/ansible/collections"}, true
	}
	v, ok := map[string]any{
		"DEFAULT_BECOME":                 false,
		"DEFAULT_BECOME_METHOD":          "sudo",
		"DEFAULT_BECOME_USER":            "root",
		"DEFAULT_REMOTE_USER":            nil,
		"DEFAULT_REMOTE_PORT":            nil,
		"DEFAULT_MANAGED_STR":            "Ansible managed",
		"DEFAULT_TIMEOUT":                10,
		"DEFAULT_FORKS":                  5,
		"DEFAULT_POLL_INTERVAL":          15,
		"DEFAULT_KEEP_REMOTE_FILES":      false,
		"DEFAULT_HASH_BEHAVIOUR":         "replace",
		"DEFAULT_JINJA2_NATIVE":          false,
		"DEFAULT_PRIVATE_ROLE_VARS":      false,
		"DEFAULT_GATHERING":              "implicit",
		"HOST_KEY_CHECKING":              true,
		"DEFAULT_TRANSPORT":              "smart",
		"DEFAULT_MODULE_NAME":            "command",
		"DEFAULT_HOST_LIST":              []any{"/etc/ansible/hosts"},
		"DEFAULT_UNDEFINED_VAR_BEHAVIOR": true,
		"DEFAULT_NULL_REPRESENTATION":    nil,
		"DEFAULT_PASSWORD_CHARS":         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:-_",
		"DEFAULT_PRIVATE_KEY_FILE":       nil,
		"DEFAULT_LOG_PATH":               nil,
		"DEFAULT_VAULT_PASSWORD_FILE":    nil,
		"DEFAULT_STDOUT_CALLBACK":        "default",
		"RETRY_FILES_ENABLED":            false,
		"ANSIBLE_NOCOWS":                 false,
	}[key]
	return v, ok
}

// lookupConfig returns Ansible's default for each setting it knows (see
// ansibleConfig); on_missing says what an unknown one does.
func lookupConfig(l *lookupCall, terms []any) ([]any, error) {
	missing, _ := l.option("on_missing", "error").(string)
	if missing != "error" && missing != "warn" && missing != "skip" {
		return nil, fatalf(`"on_missing" must be a string and one of "error", "warn" or "skip", not %s`, pyStr(l.option("on_missing", nil)))
	}
	if l.option("plugin_type", nil) != nil || l.option("plugin_name", nil) != nil {
		return nil, fatalf("plugin settings (plugin_type, plugin_name) are not supported by tend yet")
	}
	var out []any
	for _, t := range terms {
		key, ok := t.(string)
		if !ok {
			return nil, fatalf("Invalid setting identifier, %q is not a string, its a %s", pyStr(t), pyType(t))
		}
		v, ok := ansibleConfig(key)
		switch {
		case ok:
			out = append(out, v)
		case missing == "error":
			return nil, fmt.Errorf("Unable to find setting %s (tend knows only some of Ansible's default settings)", key)
		case missing == "warn" && l.env.Warn != nil:
			l.env.Warn("Skipping, did not find setting " + key)
		}
	}
	return out, nil
}

// flattenOnce is Ansible's LookupBase._flatten: lists are spliced in.
func flattenOnce(terms []any) []any {
	var out []any
	for _, t := range terms {
		if l, ok := t.([]any); ok {
			out = append(out, l...)
		} else {
			out = append(out, t)
		}
	}
	return out
}

func lookupItems(_ *lookupCall, terms []any) ([]any, error) { return flattenOnce(terms), nil }

func lookupList(_ *lookupCall, terms []any) ([]any, error) { return terms, nil }

// lookupDict gives {key, value} for each item of each mapping, in key
// order.
func lookupDict(_ *lookupCall, terms []any) ([]any, error) {
	var out []any
	for _, t := range terms {
		m, ok := t.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("with_dict expects a dict")
		}
		for _, k := range sortedKeys(m) {
			out = append(out, map[string]any{"key": k, "value": m[k]})
		}
	}
	return out, nil
}

func lookupIndexedItems(_ *lookupCall, terms []any) ([]any, error) {
	items := flattenOnce(terms)
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = []any{i, it}
	}
	return out, nil
}

// listify is Ansible's listify_lookup_plugin_terms for one term: a
// string is templated and, when it stays text, a list of itself.
func (l *lookupCall) listify(t any) (any, error) {
	if s, ok := t.(string); ok {
		v, err := l.env.Value(strings.TrimSpace(s), l.vars)
		if err != nil {
			return nil, lookupFatal{err}
		}
		if _, isText := v.(string); isText {
			return []any{v}, nil
		}
		return v, nil
	}
	switch t.(type) {
	case []any, map[string]any:
		return t, nil
	}
	return []any{t}, nil
}

// lookupSubelements pairs each record of a list (or a dict's values) with
// each element of the list under a (dotted) key: [record, element], the
// record without that key, as Ansible gives it. A third term
// {skip_missing: true} skips records without the key.
func lookupSubelements(l *lookupCall, terms []any) ([]any, error) {
	fail := func(msg string) error {
		return fmt.Errorf("subelements lookup expects a list of two or three items, %s", msg)
	}
	if len(terms) < 2 || len(terms) > 3 {
		return nil, fail("")
	}
	first, err := l.listify(terms[0])
	if err != nil {
		return nil, err
	}
	key, ok := terms[1].(string)
	if !isList(first) && !isMap(first) || !ok {
		return nil, fail("first a dict or a list, second a string pointing to the subkey")
	}
	skipMissing := false
	if len(terms) == 3 {
		flags, ok := terms[2].(map[string]any)
		if !ok {
			return nil, fail("the optional third item must be a dict with flags ('skip_missing',)")
		}
		skipMissing, _ = ansibleBool(flags["skip_missing"]) // not strict: anything else is false
	}
	return subelements(first, key, skipMissing)
}

// subelements is the subelements lookup and filter.
func subelements(obj any, key string, skipMissing bool) ([]any, error) {
	var records []any
	switch t := obj.(type) {
	case map[string]any:
		if sk, ok := t["skipped"]; ok && sk != false {
			return []any{}, nil
		}
		for _, k := range sortedKeys(t) {
			records = append(records, t[k])
		}
	case []any:
		records = t
	}
	path := strings.Split(key, ".")
	out := []any{}
	for _, rec := range records {
		r0, ok := rec.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("subelements lookup expects a dictionary, got '%s'", pyStr(rec))
		}
		if sk, ok := r0["skipped"]; ok && sk != false {
			continue
		}
		top := copyMap(r0)
		sub := top
		var list []any
		found := true
		for i, k := range path {
			v, ok := sub[k]
			if !ok {
				if skipMissing {
					found = false
					break
				}
				return nil, fmt.Errorf("could not find '%s' key in iterated item '%s'", k, pyStr(sub))
			}
			if i < len(path)-1 {
				m, ok := v.(map[string]any)
				if !ok {
					if skipMissing {
						found = false
						break
					}
					return nil, fmt.Errorf("the key %s should point to a dictionary, got '%s'", k, pyStr(v))
				}
				m = copyMap(m)
				sub[k] = m
				sub = m
				continue
			}
			l, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("the key %s should point to a list, got '%s'", k, pyStr(v))
			}
			list = l
			delete(sub, k) // Ansible pops it: the record comes without it
		}
		if !found {
			continue
		}
		for _, el := range list {
			out = append(out, []any{top, el})
		}
	}
	return out, nil
}

// lookupSequence is Ansible's sequence: terms in the shortcut form
// [start-]end[/stride][:format] or as start= end= count= stride= format=
// pairs; the lookup's keyword options give defaults (as newer Ansible
// takes them). Items are text.
func lookupSequence(l *lookupCall, terms []any) ([]any, error) {
	if len(terms) == 0 && len(l.kwargs) > 0 {
		terms = []any{""}
	}
	out := []any{}
	for _, t := range terms {
		term, err := termString(t)
		if err != nil {
			return nil, err
		}
		s := &sequence{start: 1, stride: 1, format: "%d"}
		for _, k := range []string{"start", "end", "count", "stride", "format"} {
			if v, ok := l.kwargs[k]; ok && v != nil {
				if err := s.set(k, pyStr(v)); err != nil {
					return nil, err
				}
			}
		}
		if !s.parseShortcut(term) {
			kv, raw := parseKV(term)
			if raw != "" {
				return nil, fmt.Errorf("unrecognized arguments to with_sequence: ['_raw_params']")
			}
			for _, k := range []string{"start", "end", "count", "stride", "format"} {
				if v, ok := kv[k]; ok {
					if err := s.set(k, v); err != nil {
						return nil, err
					}
					delete(kv, k)
				}
			}
			if len(kv) > 0 {
				return nil, fmt.Errorf("unrecognized arguments to with_sequence: %s", pyRepr(anyKeys(kv)))
			}
		}
		items, err := s.generate()
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

func anyKeys(m map[string]string) []any {
	var out []any
	for k := range m {
		out = append(out, k)
	}
	return out
}

type sequence struct {
	start, stride int
	end, count    *int
	format        string
}

var sequenceShortcut = regexp.MustCompile(`(?i)^((0?x?[0-9a-f]+)-)?(0?x?[0-9a-f]+)(/(0?x?[0-9a-f]+))?(:(.+))?$`)

func (s *sequence) parseShortcut(term string) bool {
	m := sequenceShortcut.FindStringSubmatch(term)
	if m == nil {
		return false
	}
	for _, f := range []struct {
		name, val string
	}{{"start", m[2]}, {"end", m[3]}, {"stride", m[5]}} {
		if f.val != "" {
			if err := s.set(f.name, f.val); err != nil {
				return false
			}
		}
	}
	if m[6] != "" {
		s.format = m[7]
	}
	return true
}

// set sets an option from text, numbers read as Python's int(x, 0).
func (s *sequence) set(name, v string) error {
	if name == "format" {
		s.format = v
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 0, 64)
	if err != nil {
		// Python's int(x, 0) reads 0600 as an error, but 0o600 and 600 alike
		return fmt.Errorf("can't parse %s=%s as integer", name, v)
	}
	i := int(n)
	switch name {
	case "start":
		s.start = i
	case "end":
		s.end = &i
	case "count":
		s.count = &i
	case "stride":
		s.stride = i
	}
	return nil
}

func (s *sequence) generate() ([]any, error) {
	switch {
	case s.count == nil && s.end == nil:
		return nil, fmt.Errorf("must specify count or end in with_sequence")
	case s.count != nil && s.end != nil:
		return nil, fmt.Errorf("can't specify both count and end in with_sequence")
	case s.count != nil:
		end := s.start + *s.count*s.stride - 1
		if *s.count == 0 {
			s.start, end, s.stride = 0, 0, 0
		}
		s.end = &end
	}
	end := *s.end
	if s.stride > 0 && end < s.start {
		return nil, fmt.Errorf("to count backwards make stride negative")
	}
	if s.stride < 0 && end > s.start {
		return nil, fmt.Errorf("to count forward don't make stride negative")
	}
	if strings.Count(s.format, "%") != 1 {
		return nil, fmt.Errorf("bad formatting string: %s", s.format)
	}
	if s.stride == 0 {
		return []any{}, nil
	}
	stop := end + 1
	if s.stride < 0 {
		stop = end - 1
	}
	n := 0
	if s.stride > 0 && s.start < stop {
		n = (stop-s.start-1)/s.stride + 1
	} else if s.stride < 0 && s.start > stop {
		n = (s.start-stop-1)/(-s.stride) + 1
	}
	if n > maxItems {
		return nil, fmt.Errorf("a sequence of %d items is too large", n)
	}
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		v := s.start + i*s.stride
		text, err := percentFormat(s.format, v, false)
		if err != nil {
			return nil, fmt.Errorf("problem formatting %d with %s", v, pyRepr(s.format))
		}
		out = append(out, text)
	}
	return out, nil
}

// lookupNested is the product of the terms' lists: [[a1, b1], [a1, b2],
// ...], as Ansible's nested (and community.general's cartesian).
func lookupNested(l *lookupCall, terms []any) ([]any, error) {
	if len(terms) == 0 {
		return nil, fmt.Errorf("with_nested requires at least one element in the nested list")
	}
	lists := make([][]any, len(terms))
	for i, t := range terms {
		v, err := l.listify(t)
		if err != nil {
			return nil, err
		}
		if lists[i], err = iterate(v); err != nil {
			return nil, err
		}
	}
	result := lists[0]
	total := len(result)
	for _, next := range lists[1:] {
		total *= len(next)
		if total > maxItems {
			return nil, fmt.Errorf("with_nested of more than %d items", maxItems)
		}
		var combined []any
		for _, x := range result {
			for _, y := range next {
				combined = append(combined, flattenOnce([]any{x, y}))
			}
		}
		result = combined
	}
	out := make([]any, 0, len(result))
	for _, x := range result {
		items, err := iterate(x)
		if err != nil {
			return nil, err
		}
		out = append(out, flattenOnce(items))
	}
	return out, nil
}

// lookupTogether zips the terms' lists, None filling the short ones.
func lookupTogether(l *lookupCall, terms []any) ([]any, error) {
	if len(terms) == 0 {
		return nil, fmt.Errorf("with_together requires at least one element in each list")
	}
	lists := make([][]any, len(terms))
	longest := 0
	for i, t := range terms {
		v, err := l.listify(t)
		if err != nil {
			return nil, err
		}
		if lists[i], err = iterate(v); err != nil {
			return nil, err
		}
		longest = max(longest, len(lists[i]))
	}
	out := make([]any, longest)
	for i := range out {
		row := make([]any, len(lists))
		for j, list := range lists {
			if i < len(list) {
				row[j] = list[i]
			}
		}
		out[i] = flattenOnce(row)
	}
	return out, nil
}

// lookupFlattened flattens the terms' lists at every depth (templating
// text terms that are templates); 'None' or 'null' ends the list.
func lookupFlattened(l *lookupCall, terms []any) ([]any, error) {
	return l.flattenDeep(terms, 0)
}

func (l *lookupCall) flattenDeep(terms []any, depth int) ([]any, error) {
	if depth > 100 {
		return nil, fmt.Errorf("flattened: lists nested too deep")
	}
	var out []any
	for _, t := range terms {
		for {
			one, ok := t.([]any)
			if !ok || len(one) != 1 {
				break
			}
			t = one[0]
		}
		if t == "None" || t == "null" {
			break
		}
		if s, ok := t.(string); ok && IsTemplate(s) {
			v, err := l.listify(s)
			if err != nil {
				return nil, err
			}
			if list, ok := v.([]any); !ok || len(list) != 1 || list[0] != s {
				t = v
			}
		}
		if list, ok := t.([]any); ok {
			flat, err := l.flattenDeep(list, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, flat...)
		} else {
			out = append(out, t)
		}
	}
	return out, nil
}

// lookupRandomChoice picks one term at random.
func lookupRandomChoice(_ *lookupCall, terms []any) ([]any, error) {
	if len(terms) == 0 {
		return terms, nil
	}
	r, _ := newPyRandom(nil)
	return []any{terms[r.below(len(terms))]}, nil
}

// lookupInventoryHostnames returns the hosts matching host patterns,
// read from the groups variable (the inventory's groups and their
// hosts): names, groups, wildcards, ~regex, and a:b, a:&b, a:!b. Without
// groups (no inventory) it is not supported.
func lookupInventoryHostnames(l *lookupCall, terms []any) ([]any, error) {
	groups, ok := l.vars["groups"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("inventory_hostnames needs the inventory's groups variable, which this evaluation lacks: not supported here")
	}
	var patterns []string
	for _, t := range terms {
		for _, p := range regexp.MustCompile(`[,:]`).Split(pyStr(t), -1) {
			if p = strings.TrimSpace(p); p != "" {
				patterns = append(patterns, p)
			}
		}
	}
	var all []string
	seen := map[string]bool{}
	for _, g := range sortedKeys(groups) {
		hosts, _ := groups[g].([]any)
		for _, h := range hosts {
			if s, ok := h.(string); ok && !seen[s] {
				seen[s], all = true, append(all, s)
			}
		}
	}
	if hosts, ok := groups["all"].([]any); ok { // inventory order when known
		all, seen = nil, map[string]bool{}
		for _, h := range hosts {
			if s, ok := h.(string); ok && !seen[s] {
				seen[s], all = true, append(all, s)
			}
		}
	}
	var result []string
	for _, p := range patterns {
		op := byte(0)
		if p[0] == '&' || p[0] == '!' {
			op, p = p[0], p[1:]
		}
		match := hostsMatching(p, groups, all)
		switch op {
		case '&':
			result = keepIf(result, func(h string) bool { return match[h] })
		case '!':
			result = keepIf(result, func(h string) bool { return !match[h] })
		default:
			in := map[string]bool{}
			for _, h := range result {
				in[h] = true
			}
			for _, h := range all {
				if match[h] && !in[h] {
					result = append(result, h)
				}
			}
		}
	}
	out := make([]any, len(result))
	for i, h := range result {
		out[i] = h
	}
	return out, nil
}

func keepIf(l []string, keep func(string) bool) []string {
	var out []string
	for _, s := range l {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// hostsMatching is the set of hosts one pattern names.
func hostsMatching(p string, groups map[string]any, all []string) map[string]bool {
	out := map[string]bool{}
	match := func(name string) bool { return name == p }
	if strings.HasPrefix(p, "~") {
		re, err := regexp.Compile(p[1:])
		if err != nil {
			return out
		}
		match = func(name string) bool { return re.FindStringIndex(name) != nil && re.FindStringIndex(name)[0] == 0 }
	} else if strings.ContainsAny(p, "*?[") {
		match = func(name string) bool { ok, _ := filepath.Match(strings.ReplaceAll(p, "[!", "[^"), name); return ok }
	}
	if p == "all" || p == "*" {
		for _, h := range all {
			out[h] = true
		}
		return out
	}
	for g, hosts := range groups {
		if match(g) {
			list, _ := hosts.([]any)
			for _, h := range list {
				if s, ok := h.(string); ok {
					out[s] = true
				}
			}
		}
	}
	for _, h := range all {
		if match(h) {
			out[h] = true
		}
	}
	return out
}

// lookupVarnames is Ansible's varnames: the names of the variables that
// each term, a Python regular expression, matches (re.search), sorted.
func lookupVarnames(l *lookupCall, terms []any) ([]any, error) {
	var out []any
	for _, t := range terms {
		pat, ok := t.(string)
		if !ok {
			return nil, fatalf("Invalid setting identifier, %q is not a string, it is a %s", pyStr(t), pyType(t))
		}
		re, err := compileRegex(pat, false, false)
		if err != nil {
			return nil, fatalf("Unable to use %q as a search parameter: %v", pat, err)
		}
		names := make([]string, 0, len(l.vars))
		for name := range l.vars {
			if !strings.HasPrefix(name, ".") && re.MatchString(name) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			out = append(out, n)
		}
	}
	return out, nil
}
