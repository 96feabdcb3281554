package jinja

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/tokens"
)

// The lookups that read files on the machine running tend: file,
// template, first_found, fileglob, unvault. Paths are found as
// lookup_paths.go says.

// lookupFile returns each file's text; rstrip (default on) and lstrip
// (off) trim whitespace.
func lookupFile(l *lookupCall, terms []any) ([]any, error) {
	lstrip, err := l.boolOption("lstrip", false)
	if err != nil {
		return nil, err
	}
	rstrip, err := l.boolOption("rstrip", true)
	if err != nil {
		return nil, err
	}
	var out []any
	for _, t := range terms {
		name, err := termString(t)
		if err != nil {
			return nil, err
		}
		text, err := l.readFound("files", name)
		if err != nil {
			return nil, fmt.Errorf("could not locate file in lookup: %s", name)
		}
		if lstrip {
			text = strings.TrimLeftFunc(text, unicode.IsSpace)
		}
		if rstrip {
			text = strings.TrimRightFunc(text, unicode.IsSpace)
		}
		out = append(out, text)
	}
	return out, nil
}

// readFound reads the file name found in subdir's search path.
func (l *lookupCall) readFound(subdir, name string) (string, error) {
	p := l.findFile(subdir, name)
	if p == "" {
		return "", os.ErrNotExist
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// depthKey counts template lookups inside template lookups, in the
// variables of the inner render; no template can spell it.
const depthKey = ".lookup_depth"

const maxTemplateDepth = 20

// lookupTemplate renders each template file (found under templates/)
// with the evaluation's variables, the template_* variables Ansible adds
// and template_vars. With convert_data (the default), a result that reads
// as a list, a dict or a boolean literal becomes one, as in Ansible.
func lookupTemplate(l *lookupCall, terms []any) ([]any, error) {
	convertData, err := l.boolOption("convert_data", true)
	if err != nil {
		return nil, err
	}
	extra := map[string]any{}
	if tv, ok := l.kwargs["template_vars"]; ok && tv != nil {
		m, ok := tv.(map[string]any)
		if !ok {
			return nil, fatalf("template_vars must be a dict, not %s", pyType(tv))
		}
		extra = m
	}
	for _, o := range []string{"variable_start_string", "variable_end_string", "comment_start_string", "comment_end_string"} {
		if v, ok := l.kwargs[o]; ok && v != nil {
			return nil, fatalf("option %s is not supported by tend yet", o)
		}
	}
	depth, _ := l.vars[depthKey].(int)
	if depth >= maxTemplateDepth {
		return nil, fatalf("template lookups nested more than %d deep", maxTemplateDepth)
	}
	var out []any
	for _, t := range terms {
		name, err := termString(t)
		if err != nil {
			return nil, err
		}
		p := l.findFile("templates", name)
		if p == "" {
			return nil, fmt.Errorf("the template file %s could not be found for the lookup", name)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		vars := make(map[string]any, len(l.vars)+len(extra)+10)
		for k, v := range l.vars {
			vars[k] = v
		}
		for k, v := range templateVars(name, p) {
			if _, set := vars[k]; !set || k != "ansible_managed" {
				vars[k] = v
			}
		}
		for k, v := range extra {
			vars[k] = v
		}
		vars[depthKey] = depth + 1
		res, err := l.env.Render(string(b), vars)
		if err != nil {
			return nil, err
		}
		if convertData {
			out = append(out, l.env.convertData(res))
		} else {
			out = append(out, res)
		}
	}
	return out, nil
}

// templateVars are the variables Ansible's template lookup adds
// (generate_ansible_template_vars). ansible_managed is Ansible's default
// text; a variable of the evaluation's own wins over it.
func templateVars(path, full string) map[string]any {
	host, _ := os.Hostname()
	out := map[string]any{
		"template_host":     host,
		"template_path":     path,
		"template_fullpath": full,
		"template_destpath": nil,
		"template_run_date": pyDatetime(time.Now()),
		"ansible_managed":   "Ansible managed",
	}
	if fi, err := os.Stat(full); err == nil {
		out["template_mtime"] = pyDatetime(fi.ModTime())
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			uid := strconv.FormatUint(uint64(st.Uid), 10)
			if u, err := user.LookupId(uid); err == nil {
				uid = u.Username
			}
			out["template_uid"] = uid
		}
	}
	return out
}

// pyDatetime prints a time as Python's str(datetime) does.
func pyDatetime(t time.Time) string {
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// convertData is Ansible's convert_data for rendered text (templar's
// ansible_eval_concat): text that starts with { or [, or is True or
// False, becomes the value it spells when it is a literal; anything else
// stays text.
func (e *Env) convertData(s string) any {
	switch {
	case s == "True":
		return true
	case s == "False":
		return false
	case !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "["):
		return s
	}
	if v, ok := e.literal(s); ok {
		return v
	}
	return s
}

// literal evaluates s when it is a Python literal (strings, numbers,
// True/False/None and JSON's true/false/null, lists, tuples and dicts of
// them), as Python's ast.literal_eval does.
func (e *Env) literal(s string) (any, bool) {
	p, err := e.compileExpr(s)
	if err != nil || p.native == nil || !e.isLiteral(s) {
		return nil, false
	}
	v, err := e.eval(p, map[string]any{"null": nil, "true": true, "false": false})
	if err != nil {
		return nil, false
	}
	return v, true
}

// isLiteral checks s's tokens: literals, brackets and separators only.
func (e *Env) isLiteral(s string) bool {
	toks, err := lex("{{ "+s+" }}", e.cfg, false)
	if err != nil || len(toks) < 3 {
		return false
	}
	for _, t := range toks[1 : len(toks)-2] { // without {{, }} and the end
		switch t.Type {
		case tokens.String, tokens.Integer, tokens.Float, tokens.Comma, tokens.Colon,
			tokens.LeftParenthesis, tokens.RightParenthesis, tokens.LeftBracket, tokens.RightBracket,
			tokens.LeftBrace, tokens.RightBrace, tokens.Subtraction, tokens.Addition:
			continue
		case tokens.Name:
			switch t.Val {
			case "True", "False", "None", "true", "false", "null", "none":
				continue
			}
		}
		return false
	}
	return true
}

// lookupFirstFound returns the first file that exists, searching each
// name of files in each of paths (or the terms themselves), as Ansible's
// first_found: terms may be names, lists of them, or dicts with files,
// paths and skip; names and paths split on , and ; (paths also on :).
func lookupFirstFound(l *lookupCall, terms []any) ([]any, error) {
	search, skip, err := firstFoundSearch(l, terms)
	if err != nil {
		return nil, err
	}
	for _, fn := range search {
		if IsTemplate(fn) {
			v, err := l.env.Render(fn, l.vars)
			if err != nil {
				continue // as Ansible: a name with an undefined variable is skipped
			}
			fn = v
		}
		if p := l.findFile(l.subdir, fn); p != "" {
			return []any{p}, nil
		}
	}
	if skip {
		return []any{}, nil
	}
	return nil, fmt.Errorf("No file was found when using first_found.")
}

func firstFoundSearch(l *lookupCall, terms []any) (search []string, skip bool, err error) {
	for _, term := range terms {
		opts := l.kwargs
		switch t := term.(type) {
		case map[string]any:
			opts = t
		case string:
		case []any:
			partial, s, err := firstFoundSearch(l, t)
			if err != nil {
				return nil, false, err
			}
			search, skip = append(search, partial...), s
			continue
		default:
			return nil, false, fmt.Errorf("Invalid term supplied, can handle string, mapping or list of strings but got: %s for %s", pyType(term), pyRepr(term))
		}
		files, err := optionList(opts, "files", ",;")
		if err != nil {
			return nil, false, err
		}
		paths, err := optionList(opts, "paths", ",:;")
		if err != nil {
			return nil, false, err
		}
		skip = false
		if v, ok := opts["skip"]; ok {
			b, ok := ansibleBool(v)
			if !ok {
				return nil, false, fatalf("option skip: %s is not a valid boolean", pyRepr(v))
			}
			skip = b
		}
		switch {
		case len(paths) > 0:
			for _, p := range paths {
				for _, f := range files {
					search = append(search, pyJoin(p, f))
				}
			}
		case len(files) > 0:
			search = files // as Ansible: the files option replaces what came before
		default:
			s, _ := term.(string)
			search = append(search, s)
		}
	}
	return search, skip, nil
}

// optionList reads a list option of strings, split further on seps.
func optionList(opts map[string]any, name, seps string) ([]string, error) {
	v, ok := opts[name]
	if !ok || v == nil {
		return nil, nil
	}
	var items []any
	switch t := v.(type) {
	case string:
		for _, s := range strings.Split(t, ",") {
			items = append(items, strings.TrimSpace(s))
		}
	case []any:
		items = t
	default:
		return nil, fatalf("option %s must be a list, not %s", name, pyType(v))
	}
	var out []string
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			s = pyStr(it)
		}
		// (Python's split keeps empty pieces; they name nothing anyway)
		out = append(out, strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })...)
	}
	return out, nil
}

// pyJoin is Python's os.path.join for two parts: an absolute b wins.
func pyJoin(a, b string) string {
	if strings.HasPrefix(b, "/") || a == "" {
		return b
	}
	if strings.HasSuffix(a, "/") {
		return a + b
	}
	return a + "/" + b
}

// lookupFileglob returns the files matching each pattern: a pattern with
// a directory is globbed in the first place that directory is found
// (under files/ or not); a bare pattern in each base directory's files/
// then the base directory itself, stopping at the first with matches.
// Matches come sorted; as in Python, * does not match a leading dot.
func lookupFileglob(l *lookupCall, terms []any) ([]any, error) {
	var out []any
	for _, t := range terms {
		term, err := termString(t)
		if err != nil {
			return nil, err
		}
		file := filepath.Base(term)
		if strings.HasSuffix(term, "/") {
			file = ""
		}
		var dirs []string
		if file != term {
			dirs = append(dirs, l.findFile("files", pyDirname(term)))
		} else {
			for _, p := range l.searchPath() {
				dirs = append(dirs, pyJoin(p, "files"), p)
			}
		}
		for _, d := range dirs {
			if d == "" {
				continue
			}
			found := globFiles(pyJoin(d, file))
			if len(found) > 0 {
				out = append(out, found...)
				break
			}
		}
	}
	return out, nil
}

func pyDirname(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	d := p[:i+1]
	if strings.Trim(d, "/") != "" {
		d = strings.TrimRight(d, "/")
	}
	return d
}

// globFiles is Python's glob.glob keeping regular files (symlinks
// followed), sorted.
func globFiles(pattern string) []any {
	matches, err := filepath.Glob(strings.ReplaceAll(pattern, "[!", "[^"))
	if err != nil {
		return nil
	}
	hiddenOK := strings.HasPrefix(filepath.Base(pattern), ".")
	sort.Strings(matches)
	var out []any
	for _, m := range matches {
		if !hiddenOK && strings.HasPrefix(filepath.Base(m), ".") {
			continue
		}
		if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
			out = append(out, m)
		}
	}
	return out
}

// lookupUnvault returns each file's text, as file does without trimming.
// tend cannot decrypt vaulted files yet.
func lookupUnvault(l *lookupCall, terms []any) ([]any, error) {
	var out []any
	for _, t := range terms {
		name, err := termString(t)
		if err != nil {
			return nil, err
		}
		text, err := l.readFound("files", name)
		if err != nil {
			return nil, fmt.Errorf("Unable to find file matching %q ", name)
		}
		if strings.HasPrefix(text, "$ANSIBLE_VAULT;") {
			return nil, fatalf("%s: vault is not supported yet", name)
		}
		out = append(out, text)
	}
	return out, nil
}
