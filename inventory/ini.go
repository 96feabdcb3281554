package inventory

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"tend/internal/shlex"
)

// The INI grammar is Ansible's (plugins/inventory/ini.py): section headers
// with an optional :vars / :children / :hosts suffix, shlex-split host lines
// with inline key=value vars, one key=value per :vars line, and one group
// name per :children line.
var (
	reSection   = regexp.MustCompile(`^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$`)
	reGroupLine = regexp.MustCompile(`^([^:\]\s]+)\s*(?:#.*)?$`)
)

var sectionKinds = []string{"vars", "children", "hosts"}

func (b *builder) parseINI(file string, data []byte) error {
	g := b.group(groupUngrouped, pos{file: file})
	kind := "hosts"
	for n, raw := range splitLines(data) {
		at := pos{file: file, line: n + 1}
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if !utf8.ValidString(line) {
			return at.errorf("save the file as UTF-8", "line is not valid UTF-8")
		}
		lead := strings.Index(raw, line[:1]) // column of the first non-blank
		if m := reSection.FindStringSubmatch(line); m != nil {
			name, suffix := m[1], m[2]
			if suffix == "" {
				suffix = "hosts"
			}
			if !slices.Contains(sectionKinds, suffix) {
				hint := didYouMean(suffix, sectionKinds, func(s string) string { return `":` + s + `"` })
				if hint == "" {
					hint = "valid suffixes are :vars and :children"
				}
				return at.errorf(hint, "unknown section suffix %q in %q", ":"+suffix, "["+name+":"+m[2]+"]")
			}
			g, kind = b.group(name, at), suffix
			if suffix != "vars" {
				g.declared = true
			}
			continue
		}
		if line[0] == '[' && line[len(line)-1] == ']' {
			return at.errorf("group names cannot contain spaces, ':' or ']'; headers look like [web], [web:vars] or [web:children]",
				"invalid section header %q", line)
		}
		var err error
		switch kind {
		case "hosts":
			err = b.iniHostLine(at, lead, g, line)
		case "vars":
			err = b.iniVarLine(at, g, line)
		case "children":
			err = b.iniChildLine(at, g, line)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// iniHostLine handles "web[01:03]:2222 ansible_user=admin # comment".
func (b *builder) iniHostLine(at pos, lead int, g *Group, line string) error {
	toks, err := shlex.Lex(line, true)
	if err != nil {
		return at.errorf(`close the quote, or escape it with a backslash`, "cannot split host line: %v", err)
	}
	at.col = lead + toks[0].Off + 1
	pattern := toks[0].Text
	if pattern == "" {
		return at.errorf("", "empty host name")
	}
	if strings.TrimSpace(pattern) == "---" {
		return at.errorf("give YAML inventories a .yml extension", "host %q looks like the start of a YAML document", pattern)
	}
	names, port, hasPort, err := expandHostPattern(at, pattern)
	if err != nil {
		return err
	}
	if strings.HasSuffix(pattern, ":") && !hasPort {
		return at.errorf("a port is written host:22", "host %q ends with ':'", pattern)
	}
	type kv struct {
		k string
		v any
	}
	vars := make([]kv, 0, len(toks)-1)
	for i, t := range toks[1:] {
		k, v, ok := strings.Cut(t.Text, "=")
		tat := at
		tat.col = lead + t.Off + 1
		if !ok {
			hint := "put one host per line"
			if i > 0 {
				hint = `quote values that contain spaces: key="a b"`
			}
			return tat.errorf(hint, "expected key=value host variable, got %q", t.Text)
		}
		if k == "" {
			return tat.errorf("", "host variable %q has no name", t.Text)
		}
		vars = append(vars, kv{k, parseINIValue(v)})
	}
	for _, name := range names {
		h, err := b.addHost(at, name, g, port, hasPort)
		if err != nil {
			return err
		}
		for _, v := range vars {
			h.inline[v.k] = v.v
		}
	}
	return nil
}

// iniVarLine handles "key = value" in a [group:vars] section. The value is
// not shell-split: everything after '=' is the value, as in Ansible.
func (b *builder) iniVarLine(at pos, g *Group, line string) error {
	k, v, ok := strings.Cut(line, "=")
	if !ok {
		return at.errorf("each line of a :vars section sets one variable", "expected key=value in [%s:vars], got %q", g.Name, line)
	}
	k = strings.TrimSpace(k)
	if k == "" {
		return at.errorf("", "variable in [%s:vars] has no name", g.Name)
	}
	return b.setGroupVar(at, g, k, parseINIValue(strings.TrimSpace(v)))
}

func (b *builder) iniChildLine(at pos, g *Group, line string) error {
	m := reGroupLine.FindStringSubmatch(line)
	if m == nil {
		return at.errorf("list one group name per line", "expected a group name in [%s:children], got %q", g.Name, line)
	}
	return b.addChild(at, g, b.group(m[1], at))
}

func splitLines(data []byte) []string {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	return strings.Split(string(data), "\n")
}
