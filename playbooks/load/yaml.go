package load

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"tend/modules"
)

// parseYAML parses one document into nodes. It guards against panics in
// the YAML library: no input may crash the caller.
func parseYAML(data []byte) (doc yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	err = yaml.Unmarshal(data, &doc)
	return doc, err
}

var reYAMLLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlHints explain the YAML errors people hit most.
var yamlHints = []struct{ frag, hint string }{
	{"found character that cannot start any token", "indent with spaces, not tabs"},
	{"tab character", "indent with spaces, not tabs"},
	{"mapping values are not allowed in this context", `quote values that contain ": "`},
	{"did not find expected key", "check the indentation"},
	{"could not find expected ':'", "check the indentation"},
	{"did not find expected node content", "check the indentation"},
	{"block sequence entries are not allowed in this context", "put the list on its own lines, indented under its key"},
	{"found unexpected end of stream", "a quote or bracket is not closed"},
}

// yamlSyntaxError turns a YAML library error into a line, column, message
// and hint. For indentation errors the library names the line where the
// enclosing block starts; the line at fault is the first one after it that
// dedents to a level no open block has, which is where libyaml (and so
// ansible-playbook) points.
func yamlSyntaxError(err error, data []byte) (line, col int, msg, hint string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if m := reYAMLLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if line > 0 && (strings.Contains(msg, "did not find expected key") || strings.Contains(msg, "did not find expected '-' indicator")) {
		if l, c := strayIndent(data, line); l > 0 {
			line, col = l, c
		}
	}
	for _, h := range yamlHints {
		if strings.Contains(msg, h.frag) {
			hint = h.hint
			break
		}
	}
	return line, col, msg, hint
}

// strayIndent finds, from line from (1-based) on, the first line whose
// indentation is less than the line before it but matches no enclosing
// block's: its line and column (1-based), or 0, 0.
func strayIndent(data []byte, from int) (int, int) {
	lines := strings.Split(string(data), "\n")
	var levels []int // indentations of the open blocks, increasing
	for i := from - 1; i < len(lines) && i >= 0; i++ {
		text := strings.TrimRight(lines[i], " \r")
		trimmed := strings.TrimLeft(text, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		ind := len(text) - len(trimmed)
		dedent := false
		for len(levels) > 0 && levels[len(levels)-1] > ind {
			levels, dedent = levels[:len(levels)-1], true
		}
		if dedent && (len(levels) == 0 || levels[len(levels)-1] != ind) {
			return i + 1, ind + 1
		}
		if len(levels) == 0 || levels[len(levels)-1] < ind {
			levels = append(levels, ind)
		}
		// "- key: v": the key opens a block at the dash's indentation + 2.
		if strings.HasPrefix(trimmed, "- ") {
			rest := strings.TrimLeft(trimmed[2:], " ")
			levels = append(levels, ind+len(trimmed)-len(rest))
		}
	}
	return 0, 0
}

// countNodes counts a document's nodes, aliases not followed, and returns
// the first node nested deeper than maxDepth, if any.
func countNodes(n *yaml.Node, depth int) (int, *yaml.Node) {
	if n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode {
		return 1, nil
	}
	if depth > maxDepth {
		return 0, n
	}
	count := 1
	for _, c := range n.Content {
		k, deep := countNodes(c, depth+1)
		if deep != nil {
			return 0, deep
		}
		count += k
	}
	return count, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > maxDepth {
			return nil
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	switch {
	case n == nil || isNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode:
		return fmt.Sprintf("%q", clip(n.Value))
	}
	return "an unsupported YAML node"
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 57
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// pair is one key of a mapping, with its nodes.
type pair struct {
	name string
	k, v *yaml.Node
}

// pairs returns a mapping's entries with aliases resolved and merge keys
// (<<) applied; keys must be strings, and a repeated key is an error.
func (w *walk) pairs(n *yaml.Node) []pair {
	return w.pairsDepth(n, 0)
}

func (w *walk) pairsDepth(n *yaml.Node, depth int) []pair {
	var out, merged []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if !w.spend(n.Content[i]) {
			return out
		}
		if k == nil || k.Kind != yaml.ScalarNode || isNull(k) {
			w.errorf(n.Content[i], "", "keys must be strings, not %s", kindName(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merged = append(merged, w.mergeSources(k, v, depth)...)
			continue
		}
		if seen[k.Value] {
			w.errorf(k, "YAML keeps only the last one: remove the other", "%q is given twice", clip(k.Value))
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{k.Value, k, v})
	}
	for _, p := range merged {
		if !seen[p.name] {
			seen[p.name] = true
			out = append(out, p)
		}
	}
	return out
}

func (w *walk) mergeSources(k, v *yaml.Node, depth int) []pair {
	if depth >= maxDepth {
		w.errorf(k, "", "merge keys (<<) nested deeper than %d levels", maxDepth)
		return nil
	}
	srcs := []*yaml.Node{v}
	if v != nil && v.Kind == yaml.SequenceNode {
		srcs = v.Content
	}
	var out []pair
	for _, s := range srcs {
		s = deref(s)
		if s == nil || s.Kind != yaml.MappingNode {
			w.errorf(k, "", "merge key << needs a mapping or a list of mappings")
			return nil
		}
		out = append(out, w.pairsDepth(s, depth+1)...)
	}
	return out
}

// yaml11Bools are the plain scalars PyYAML (YAML 1.1, which Ansible uses)
// reads as booleans but YAML 1.2 reads as strings.
var yaml11Bools = map[string]bool{
	"yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

// value turns a node into a plain Go value (map[string]any, []any, string,
// int, float64, bool, nil), checking every string that holds a template.
// ok is false when a problem was reported.
func (w *walk) value(n *yaml.Node) (v any, ok bool) {
	return w.conv(n, 0)
}

func (w *walk) conv(n *yaml.Node, depth int) (any, bool) {
	orig := n
	n = deref(n)
	if n == nil {
		if orig != nil {
			w.errorf(orig, "", "YAML aliases nested too deeply")
			return nil, false
		}
		return nil, true
	}
	if !w.spend(orig) {
		return nil, false
	}
	if depth > maxDepth {
		w.errorf(orig, "", "YAML nested deeper than %d levels", maxDepth)
		return nil, false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return w.scalar(n)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		ok := true
		for _, e := range n.Content {
			v, good := w.conv(e, depth+1)
			ok = ok && good
			out = append(out, v)
		}
		return out, ok
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		ok := true
		for _, p := range w.pairs(n) {
			v, good := w.conv(p.v, depth+1)
			ok = ok && good
			out[p.name] = v
		}
		return out, ok
	}
	w.errorf(orig, "", "unsupported YAML node")
	return nil, false
}

func (w *walk) scalar(n *yaml.Node) (any, bool) {
	switch n.Tag {
	case "!vault":
		// Decrypted here, a plain string from then on (Ansible's
		// AnsibleVaultEncryptedUnicode acts as one); the keyring
		// remembers it so that output can be redacted.
		plain, err := w.l.opts.Vault.Decrypt([]byte(n.Value), "the !vault value")
		if err != nil {
			w.errorf(n, "", "%v", err)
			return nil, false
		}
		w.l.opts.Vault.Reveal(string(plain))
		return string(plain), true
	case "!unsafe":
		w.errorf(n, "", "the !unsafe tag is not supported yet")
		return nil, false
	}
	if n.Style&(yaml.TaggedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		if b, ok := yaml11Bools[n.Value]; ok {
			return b, true
		}
	}
	var v any
	if err := decodeScalar(n, &v); err != nil {
		if w.f.vaulted {
			w.errorf(n, "", "bad value (not shown: the file is vault-encrypted): %v", err)
		} else {
			w.errorf(n, "", "bad value %q: %v", clip(n.Value), err)
		}
		return nil, false
	}
	switch x := v.(type) {
	case time.Time:
		return n.Value, true // dates stay as written
	case string:
		if w.f.vaulted {
			w.l.opts.Vault.Reveal(x)
		}
		w.template(n, x)
	}
	return v, true
}

func decodeScalar(n *yaml.Node, v *any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return n.Decode(v)
}

// template checks a string that may hold a template, reporting at n.
func (w *walk) template(n *yaml.Node, s string) {
	w.templateAt(w.pos(n), s)
}

func (w *walk) templateAt(p Pos, s string) {
	if w.l.opts.CheckTemplate == nil || !hasTemplate(s) {
		return
	}
	if err := w.l.opts.CheckTemplate(s); err != nil {
		w.l.errorf(p, "", "invalid template: %v", err)
		return
	}
	if f := w.l.opts.TemplateWarnings; f != nil {
		for _, msg := range f(s) {
			w.l.warnf(p, "a host that evaluates it fails", "%s", msg)
		}
	}
}

func hasTemplate(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "{#")
}

// expr checks an expression, reporting at p.
func (w *walk) expr(p Pos, what, s string) {
	if w.l.opts.CheckExpr == nil {
		return
	}
	if err := w.l.opts.CheckExpr(s); err != nil {
		w.l.errorf(p, "", "invalid %s expression: %v", what, err)
		return
	}
	if f := w.l.opts.ExprWarnings; f != nil {
		for _, msg := range f(s) {
			w.l.warnf(p, "a host that evaluates it fails", "%s", msg)
		}
	}
}

// str reads a scalar as a string: numbers and booleans as written.
func (w *walk) str(p pair) (string, bool) {
	n := p.v
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		w.errorf(orKey(p), "", "%s must be a string, not %s", p.name, kindName(n))
		return "", false
	}
	if !w.spend(n) {
		return "", false
	}
	return n.Value, true
}

// orKey is the value's node, or the key's when there is no value.
func orKey(p pair) *yaml.Node {
	if p.v == nil || isNull(p.v) {
		return p.k
	}
	return p.v
}

// boolean reads true/false, yes/no and Ansible's other spellings.
func (w *walk) boolean(p pair) (*bool, bool) {
	n := p.v
	if n != nil && n.Kind == yaml.ScalarNode && !isNull(n) {
		v, _ := w.scalarQuiet(n)
		if b, ok := modules.ToBool(v); ok {
			return &b, true
		}
		if modules.IsTemplated(n.Value) {
			w.errorf(n, "tend decides this before running: write true or false", "%s cannot be templated", p.name)
			return nil, false
		}
	}
	w.errorf(orKey(p), "", "%s must be true or false, not %s", p.name, kindName(n))
	return nil, false
}

// scalarQuiet converts a scalar without checks or errors.
func (w *walk) scalarQuiet(n *yaml.Node) (any, bool) {
	if n.Style&(yaml.TaggedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		if b, ok := yaml11Bools[n.Value]; ok {
			return b, true
		}
	}
	var v any
	if decodeScalar(n, &v) != nil {
		return n.Value, false
	}
	return v, true
}

// strList reads a string or a list of strings; splitComma also splits each
// at commas (tags).
func (w *walk) strList(p pair, splitComma bool) ([]string, []*yaml.Node, bool) {
	n := p.v
	var items []*yaml.Node
	switch {
	case isNull(n):
		return nil, nil, true
	case n.Kind == yaml.ScalarNode:
		items = []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		items = n.Content
	default:
		w.errorf(n, "", "%s must be a string or a list of strings, not %s", p.name, kindName(n))
		return nil, nil, false
	}
	var out []string
	var nodes []*yaml.Node
	ok := true
	for _, it := range items {
		e := deref(it)
		if !w.spend(it) {
			return nil, nil, false
		}
		if e == nil || e.Kind != yaml.ScalarNode || isNull(e) {
			w.errorf(it, "", "%s must be a string or a list of strings; found %s in the list", p.name, kindName(e))
			ok = false
			continue
		}
		parts := []string{e.Value}
		if splitComma {
			parts = strings.Split(e.Value, ",")
		}
		for _, s := range parts {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
				nodes = append(nodes, e)
			}
		}
	}
	return out, nodes, ok
}

// conds reads a condition: an expression, a boolean, or a list of them
// that must all hold. A condition written as "{{ expr }}" is taken as expr,
// as Ansible does (with a warning).
func (w *walk) conds(p pair) []string {
	n := p.v
	var items []*yaml.Node
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.ScalarNode:
		items = []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		items = n.Content
	default:
		w.errorf(n, "", "%s must be an expression, a boolean or a list of them, not %s", p.name, kindName(n))
		return nil
	}
	var out []string
	for _, it := range items {
		e := deref(it)
		if !w.spend(it) {
			return nil
		}
		if e == nil || e.Kind != yaml.ScalarNode || isNull(e) {
			w.errorf(it, "", "%s must be an expression, a boolean or a list of them; found %s in the list", p.name, kindName(e))
			continue
		}
		v, _ := w.scalarQuiet(e)
		var s string
		switch x := v.(type) {
		case bool:
			s = strconv.FormatBool(x)
		default:
			s = strings.TrimSpace(e.Value)
			if s == "" {
				w.errorf(e, "", "%s is empty", p.name)
				continue
			}
			s = unbrace(s)
			w.expr(w.pos(e), p.name, s)
		}
		out = append(out, s)
	}
	return out
}

// unbrace turns "{{ expr }}" into "expr" when that is all there is.
func unbrace(s string) string {
	if strings.HasPrefix(s, "{{") && strings.HasSuffix(s, "}}") && len(s) >= 4 {
		inner := s[2 : len(s)-2]
		if !strings.Contains(inner, "{{") && !strings.Contains(inner, "}}") {
			return strings.TrimSpace(inner)
		}
	}
	return s
}

var reIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ident reads a variable name.
func (w *walk) ident(p pair) (string, bool) {
	s, ok := w.str(p)
	if !ok {
		return "", false
	}
	if !reIdent.MatchString(s) {
		w.errorf(p.v, "letters, digits and _, not starting with a digit", "%s must be a variable name, not %q", p.name, clip(s))
		return "", false
	}
	return s, true
}

// varsMap reads a vars: mapping.
func (w *walk) varsMap(p pair) map[string]any {
	n := p.v
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		w.errorf(n, "write name: value pairs, indented under "+p.name+":", "%s must be a mapping, not %s", p.name, kindName(n))
		return nil
	}
	v, _ := w.value(n)
	m, _ := v.(map[string]any)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k != nil && k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" && !reIdent.MatchString(k.Value) {
			w.errorf(k, "letters, digits and _, not starting with a digit", "%q is not a valid variable name", clip(k.Value))
		}
	}
	return m
}

// subPos locates byte offset off of a scalar's value in the source, when
// the scalar is written on one line as it reads (plain, or quoted without
// escapes); otherwise the scalar's own position.
func (w *walk) subPos(n *yaml.Node, off int) Pos {
	p := w.pos(n)
	if off <= 0 || off > len(n.Value) || strings.Contains(n.Value, "\n") || n.Line < 1 || n.Line > len(w.f.lines) {
		return p
	}
	shift := 0
	switch n.Style {
	case 0:
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		shift = 1
	default:
		return p
	}
	line := w.f.lines[n.Line-1]
	// Find the byte where the value starts: n.Column counts characters.
	at, col := 0, 1
	for at < len(line) && col < n.Column+shift {
		_, size := utf8.DecodeRuneInString(line[at:])
		at += size
		col++
	}
	if !strings.HasPrefix(line[at:], n.Value) {
		return p
	}
	p.Col = n.Column + shift + utf8.RuneCountInString(n.Value[:off])
	return p
}
