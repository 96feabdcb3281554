package inventory

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"tend/internal/vault"
	"time"

	"gopkg.in/yaml.v3"
)

// maxYAMLDepth bounds nesting in YAML sources and vars files; real
// inventories stay far below it, hostile ones do not.
const maxYAMLDepth = 64

// Aliases may expand a file to at most aliasRatio times its own size plus
// aliasSlack values, so the "billion laughs" attack fails fast.
const (
	aliasRatio = 100
	aliasSlack = 10_000
)

var yamlSections = []string{"hosts", "vars", "children"}

// parseYAML reads Ansible's YAML inventory: top-level keys are groups, each
// a mapping of optional hosts, vars and children (plugins/inventory/yaml.py).
func (b *builder) parseYAML(file string, data []byte) error {
	root, err := yamlRoot(file, data)
	if err != nil {
		return err
	}
	if root == nil || isNull(root) {
		return pos{file: file}.errorf("an empty inventory is written all: {} in YAML", "empty YAML inventory")
	}
	if root.Kind != yaml.MappingNode {
		return nodePos(file, root).errorf("the top level maps group names to {hosts, vars, children}",
			"YAML inventory must be a mapping of groups, found %s", kindName(root))
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "plugin" {
			return nodePos(file, root.Content[i]).errorf("inventory plugins are not supported; list hosts and groups instead",
				"this is an inventory plugin configuration, not a YAML inventory")
		}
	}
	w := &yamlWalker{b: b, file: file, conv: newConverter(file, root, b.warnf).with(b.vault), seen: map[seenKey]*Group{}}
	for _, kv := range w.pairs(root) {
		k, v := kv[0], kv[1]
		if v != nil && !isNull(v) && v.Kind != yaml.MappingNode {
			b.warnf(nodePos(file, k), "skipping %q: not a valid group definition (expected a mapping with hosts, vars or children)", k.Value)
			continue
		}
		if _, err := w.group(k, v, 1); err != nil {
			return err
		}
	}
	return nil
}

type seenKey struct {
	name string
	node *yaml.Node
}

type yamlWalker struct {
	b    *builder
	file string
	conv *converter
	// seen makes a group reached twice through an alias cost nothing the
	// second time, so aliases cannot blow up the walk.
	seen map[seenKey]*Group
}

func (w *yamlWalker) group(key, val *yaml.Node, depth int) (*Group, error) {
	at := nodePos(w.file, key)
	if depth > maxYAMLDepth {
		return nil, at.errorf("", "groups nested deeper than %d levels", maxYAMLDepth)
	}
	name, err := w.scalarKey(key, "group name")
	if err != nil {
		return nil, err
	}
	if g, ok := w.seen[seenKey{name, val}]; ok {
		return g, nil
	}
	g := w.b.group(name, at)
	g.declared = true
	w.seen[seenKey{name, val}] = g
	if val == nil || isNull(val) {
		return g, nil
	}
	if val.Kind != yaml.MappingNode {
		return nil, nodePos(w.file, val).errorf("write web: {hosts: {...}} or leave it empty",
			"group %q must be a mapping of hosts, vars and children, found %s", name, kindName(val))
	}
	for _, kv := range w.pairs(val) {
		k, v := kv[0], kv[1]
		section := k.Value
		if k.Kind != yaml.ScalarNode || !slices.Contains(yamlSections, section) {
			hint := didYouMean(section, yamlSections, strconvQuote)
			if hint == "" {
				hint = "nest groups under children:"
			}
			w.b.warnf(nodePos(w.file, k), "skipping unexpected key %q in group %q: only vars, children and hosts are valid (%s)", section, name, hint)
			continue
		}
		if v == nil || isNull(v) {
			continue
		}
		entries, err := w.sectionEntries(name, section, v)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if err := w.entry(g, section, e[0], e[1], depth); err != nil {
				return nil, err
			}
		}
	}
	return g, nil
}

// sectionEntries returns the key/value pairs of a hosts/vars/children
// section. A bare string is one entry with no value, as Ansible allows.
func (w *yamlWalker) sectionEntries(group, section string, v *yaml.Node) ([][2]*yaml.Node, error) {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
		return [][2]*yaml.Node{{v, nil}}, nil
	}
	if v.Kind != yaml.MappingNode {
		hint := ""
		if v.Kind == yaml.SequenceNode && section != "vars" {
			hint = fmt.Sprintf("write %s as a mapping, one \"name:\" per line, not a list", section)
		}
		return nil, nodePos(w.file, v).errorf(hint, "%q of group %q must be a mapping, found %s", section, group, kindName(v))
	}
	return w.pairs(v), nil
}

// pairs returns a mapping's entries with aliases resolved. A repeated key
// keeps its first position and takes its last value, like the Python dict
// Ansible's YAML loader builds, and draws the same warning.
func (w *yamlWalker) pairs(n *yaml.Node) [][2]*yaml.Node {
	return mappingPairs(w.file, n, w.b.warnf)
}

func mappingPairs(file string, n *yaml.Node, warn func(pos, string, ...any)) [][2]*yaml.Node {
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	index := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if d := deref(k); d != nil && d.Kind == yaml.ScalarNode {
			if j, dup := index[d.Value]; dup {
				warn(nodePos(file, k), "duplicate key %q: using the last value only", d.Value)
				out[j][1] = v
				continue
			}
			index[d.Value] = len(out)
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

func (w *yamlWalker) entry(g *Group, section string, k, v *yaml.Node, depth int) error {
	at := nodePos(w.file, k)
	switch section {
	case "vars":
		name, err := w.scalarKey(k, "variable name")
		if err != nil {
			return err
		}
		val, err := w.conv.value(v)
		if err != nil {
			return err
		}
		return w.b.setGroupVar(at, g, name, val)
	case "children":
		child, err := w.group(k, v, depth+1)
		if err != nil {
			return err
		}
		return w.b.addChild(at, g, child)
	}
	pattern, err := w.scalarKey(k, "host name")
	if err != nil {
		return err
	}
	names, port, hasPort, err := expandHostPattern(at, pattern)
	if err != nil {
		return err
	}
	var vars map[string]any
	if v != nil && !isNull(v) {
		if v.Kind != yaml.MappingNode {
			return nodePos(w.file, v).errorf("host entries map variable names to values, or are left empty",
				"variables of host %q must be a mapping, found %s", pattern, kindName(v))
		}
		val, err := w.conv.value(v)
		if err != nil {
			return err
		}
		vars = val.(map[string]any)
	}
	for _, name := range names {
		h, err := w.b.addHost(at, name, g, port, hasPort)
		if err != nil {
			return err
		}
		merge(h.inline, vars)
	}
	return nil
}

func (w *yamlWalker) scalarKey(k *yaml.Node, what string) (string, error) {
	k = deref(k)
	if k == nil || k.Kind != yaml.ScalarNode || isNull(k) || k.Value == "" {
		return "", nodePos(w.file, k).errorf("", "%s must be a non-empty string", what)
	}
	return k.Value, nil
}

// parseVarsYAML reads a host_vars/group_vars file: a mapping of variables,
// or nothing at all.
func parseVarsYAML(file string, data []byte, warn func(pos, string, ...any)) (map[string]any, error) {
	return parseVarsYAMLWith(file, data, warn, nil)
}

// parseVarsYAMLWith is parseVarsYAML with a vault for !vault values.
func parseVarsYAMLWith(file string, data []byte, warn func(pos, string, ...any), v *vault.Keyring) (map[string]any, error) {
	root, err := yamlRoot(file, data)
	if err != nil || root == nil || isNull(root) {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, nodePos(file, root).errorf("vars files map variable names to values",
			"vars file must contain a mapping, found %s", kindName(root))
	}
	val, err := newConverter(file, root, warn).with(v).value(root)
	if err != nil {
		return nil, err
	}
	return val.(map[string]any), nil
}

// yamlRoot parses one document, refusing vaulted files and deep nesting.
func yamlRoot(file string, data []byte) (*yaml.Node, error) {
	if len(data) > maxFileSize {
		return nil, pos{file: file}.errorf("", "file is larger than %d MiB", maxFileSize>>20)
	}
	if vault.IsEncrypted(data) {
		return nil, pos{file: file}.errorf("load the file from disk, with a vault password", "vault-encrypted files cannot be parsed from memory")
	}
	doc, err := yamlParse(data)
	if err != nil {
		return nil, yamlSyntaxError(file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if _, err := checkDepth(file, root, 1); err != nil {
		return nil, err
	}
	return deref(root), nil
}

// yamlParse guards against panics in the YAML library: inventory input must
// never crash the caller.
func yamlParse(data []byte) (doc yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	err = yaml.Unmarshal(data, &doc)
	return doc, err
}

var reYAMLLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlHints explain the YAML errors people hit most in inventories.
var yamlHints = map[string]string{
	"found character that cannot start any token":            "indent with spaces, not tabs",
	"mapping values are not allowed in this context":         `quote values that contain ": "`,
	"did not find expected key":                              "check the indentation",
	"could not find expected ':'":                            "check the indentation",
	"did not find expected node content":                     "check the indentation",
	"block sequence entries are not allowed in this context": "put the list on its own lines, indented under its key",
}

func yamlSyntaxError(file string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: file, Err: err}
	if m := reYAMLLine.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	e.Msg = "invalid YAML: " + msg
	for frag, hint := range yamlHints {
		if strings.Contains(msg, frag) {
			e.Hint = hint
		}
	}
	return e
}

// checkDepth rejects deep nesting and returns the number of nodes.
func checkDepth(file string, n *yaml.Node, depth int) (int, error) {
	if n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode {
		return 1, nil
	}
	if depth > maxYAMLDepth {
		return 0, nodePos(file, n).errorf("", "YAML nested deeper than %d levels", maxYAMLDepth)
	}
	count := 1
	for _, c := range n.Content {
		k, err := checkDepth(file, c, depth+1)
		if err != nil {
			return 0, err
		}
		count += k
	}
	return count, nil
}

// converter turns YAML nodes into plain Go values: map[string]any, []any,
// string, int, float64, bool, nil.
type converter struct {
	file   string
	values int // left to produce
	warn   func(pos, string, ...any)
	vault  *vault.Keyring
}

func (c *converter) with(v *vault.Keyring) *converter {
	c.vault = v
	return c
}

func newConverter(file string, root *yaml.Node, warn func(pos, string, ...any)) *converter {
	n, _ := checkDepth(file, root, 0)
	return &converter{file: file, values: aliasRatio*n + aliasSlack, warn: warn}
}

func (c *converter) value(n *yaml.Node) (any, error) { return c.conv(n, 0) }

func (c *converter) conv(n *yaml.Node, depth int) (any, error) {
	if n == nil {
		return nil, nil
	}
	c.values--
	if c.values < 0 {
		return nil, nodePos(c.file, n).errorf("", "document expands to too many values (excessive aliasing)")
	}
	if depth > maxYAMLDepth {
		return nil, nodePos(c.file, n).errorf("", "YAML nested deeper than %d levels", maxYAMLDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return c.conv(n.Alias, depth+1)
	case yaml.ScalarNode:
		return c.scalar(n)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.conv(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n, depth)
	}
	return nil, nodePos(c.file, n).errorf("", "unsupported YAML node")
}

// mapping applies "<<" merge keys first so explicit keys override them, and
// lets a later duplicate key win, as Ansible's YAML loader does.
func (c *converter) mapping(n *yaml.Node, depth int) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!merge" {
			continue
		}
		srcs := []*yaml.Node{deref(n.Content[i+1])}
		if srcs[0] != nil && srcs[0].Kind == yaml.SequenceNode {
			srcs = srcs[0].Content
		}
		for _, s := range srcs {
			v, err := c.conv(s, depth+1)
			if err != nil {
				return nil, err
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, nodePos(c.file, k).errorf("", "merge key << needs a mapping or a list of mappings")
			}
			for mk, mv := range m {
				if _, set := out[mk]; !set {
					out[mk] = mv
				}
			}
		}
	}
	for _, kv := range mappingPairs(c.file, n, c.warn) {
		k := kv[0]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		key, err := c.key(k, depth)
		if err != nil {
			return nil, err
		}
		v, err := c.conv(kv[1], depth+1)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

// key keeps scalar keys as written (a variable named "yes" stays "yes");
// other keys are rendered as JSON would.
func (c *converter) key(k *yaml.Node, depth int) (string, error) {
	if d := deref(k); d != nil && d.Kind == yaml.ScalarNode && !isNull(d) {
		return d.Value, nil
	}
	v, err := c.conv(k, depth+1)
	if err != nil {
		return "", err
	}
	if _, ok := v.(map[string]any); ok {
		return "", nodePos(c.file, k).errorf("", "a mapping cannot be a key")
	}
	if _, ok := v.([]any); ok {
		return "", nodePos(c.file, k).errorf("", "a list cannot be a key")
	}
	return keyString(v), nil
}

// yaml11Bools are the plain scalars PyYAML (YAML 1.1, which Ansible uses)
// reads as booleans but YAML 1.2 reads as strings.
var yaml11Bools = map[string]bool{
	"yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

func (c *converter) scalar(n *yaml.Node) (any, error) {
	if n.Tag == "!vault" {
		plain, err := c.vault.Decrypt([]byte(n.Value), "the !vault value")
		if err != nil {
			return nil, &Error{File: c.file, Line: n.Line, Col: n.Column, Msg: err.Error()}
		}
		c.vault.Reveal(string(plain))
		return string(plain), nil
	}
	if n.Style&(yaml.TaggedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		if b, ok := yaml11Bools[n.Value]; ok {
			return b, nil
		}
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, nodePos(c.file, n).errorf("", "bad value %q: %v", n.Value, err)
	}
	if _, ok := v.(time.Time); ok {
		return n.Value, nil // dates stay as written, as ansible-inventory prints them
	}
	return v, nil
}

// keyString renders a non-string mapping key the way JSON output would.
func keyString(k any) string {
	switch k := k.(type) {
	case string:
		return k
	case nil:
		return "null"
	case float64:
		if math.IsInf(k, 0) || math.IsNaN(k) {
			return fmt.Sprint(k)
		}
		return strconv.FormatFloat(k, 'g', -1, 64)
	}
	return fmt.Sprint(k)
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxYAMLDepth; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func nodePos(file string, n *yaml.Node) pos {
	if n == nil {
		return pos{file: file}
	}
	return pos{file: file, line: n.Line, col: n.Column}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "nothing"
}

func strconvQuote(s string) string { return strconv.Quote(s) }

// looksLikeYAMLInventory tells a YAML inventory from an INI one by content:
// a mapping whose values are all mappings or empty (group definitions), or
// a plugin configuration, which we reject with a clear message later.
func looksLikeYAMLInventory(data []byte) bool {
	doc, err := yamlParse(data)
	if err != nil || len(doc.Content) == 0 {
		return false
	}
	root := deref(doc.Content[0])
	if root == nil || root.Kind != yaml.MappingNode || len(root.Content) == 0 {
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "plugin" {
			return true
		}
		v := deref(root.Content[i+1])
		if v == nil || !(isNull(v) || v.Kind == yaml.MappingNode) {
			return false
		}
	}
	return true
}
