package inventory

import (
	"math"
	"strconv"
	"strings"

	"tend/internal/pyesc"
)

// parseINIValue types an INI value as Ansible does: with Python's
// ast.literal_eval, keeping the raw string when that fails. So 22 is an int,
// True a bool, "'22'" the string 22, [1, 2] a list, while true, yes and
// 10.0.0.1 stay strings.
func parseINIValue(s string) any {
	if v, ok := pyLiteral(s); ok {
		return v
	}
	return s
}

// pyMaxDepth bounds bracket nesting; Python itself gives up on deep nesting
// and the value then stays a string.
const pyMaxDepth = 64

type pyParser struct {
	s     string
	i     int
	depth int
}

func pyLiteral(s string) (any, bool) {
	p := &pyParser{s: strings.TrimLeft(s, " \t")}
	v, ok := p.exprList()
	if !ok {
		return nil, false
	}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '#' {
		p.i = len(p.s)
	}
	return v, p.i == len(p.s)
}

func (p *pyParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *pyParser) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// exprList parses "a" or "a, b," (a bare tuple, as in eval mode).
func (p *pyParser) exprList() (any, bool) {
	first, ok := p.atom()
	if !ok {
		return nil, false
	}
	if p.peek() != ',' {
		return first, true
	}
	items := []any{first}
	for p.peek() == ',' {
		p.i++
		if c := p.peek(); c == 0 || c == '#' {
			break
		}
		v, ok := p.atom()
		if !ok {
			return nil, false
		}
		items = append(items, v)
	}
	return items, true
}

func (p *pyParser) atom() (any, bool) {
	c := p.peek()
	switch {
	case c == '[':
		return p.seq('[', ']')
	case c == '(':
		return p.seq('(', ')')
	case c == '{':
		return p.dict()
	case c == '+' || c == '-':
		p.i++
		if d := p.peek(); !(d >= '0' && d <= '9') && d != '.' {
			return nil, false // only numbers take a sign
		}
		v, ok := p.number()
		if ok && c == '-' {
			switch n := v.(type) {
			case int:
				v = -n
			case float64:
				v = -n
			}
		}
		return v, ok
	case c >= '0' && c <= '9' || c == '.':
		return p.number()
	case c == '\'' || c == '"':
		return p.strs()
	case isIdentStart(c):
		start := p.i
		for p.i < len(p.s) && isIdentChar(p.s[p.i]) {
			p.i++
		}
		word := p.s[start:p.i]
		if p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
			p.i = start
			return p.strs() // prefixed string such as r'..' or b".."
		}
		switch word {
		case "True":
			return true, true
		case "False":
			return false, true
		case "None":
			return nil, true
		}
	}
	return nil, false
}

func (p *pyParser) enter() bool {
	p.depth++
	return p.depth <= pyMaxDepth
}

// seq parses a list or a tuple; a parenthesised single value is just that
// value, as in Python.
func (p *pyParser) seq(open, close byte) (any, bool) {
	if !p.enter() {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++ // open
	items := []any{}
	sawComma := false
	for {
		if p.peek() == close {
			p.i++
			break
		}
		v, ok := p.atom()
		if !ok {
			return nil, false
		}
		items = append(items, v)
		switch p.peek() {
		case ',':
			p.i++
			sawComma = true
		case close:
		default:
			return nil, false
		}
	}
	if open == '(' && len(items) == 1 && !sawComma {
		return items[0], true
	}
	return items, true
}

// dict parses {k: v, ...} and {a, b} (a set, which Ansible turns into a list).
func (p *pyParser) dict() (any, bool) {
	if !p.enter() {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++
	out := map[string]any{}
	var set []any
	isSet := false
	for n := 0; ; n++ {
		if p.peek() == '}' {
			p.i++
			break
		}
		k, ok := p.atom()
		if !ok {
			return nil, false
		}
		if n == 0 && p.peek() != ':' {
			isSet = true
		}
		if isSet {
			set = append(set, k)
		} else {
			if p.peek() != ':' {
				return nil, false
			}
			p.i++
			v, ok := p.atom()
			if !ok {
				return nil, false
			}
			key, ok := pyKey(k)
			if !ok {
				return nil, false // unhashable key: literal_eval fails too
			}
			out[key] = v
		}
		switch p.peek() {
		case ',':
			p.i++
		case '}':
		default:
			return nil, false
		}
	}
	if isSet {
		return dedupe(set), true
	}
	return out, true
}

func pyKey(k any) (string, bool) {
	switch k.(type) {
	case []any, map[string]any:
		return "", false
	}
	return keyString(k), true
}

func dedupe(items []any) []any {
	seen := map[string]bool{}
	out := make([]any, 0, len(items))
	for _, it := range items {
		key := keyString(it)
		if _, isList := it.([]any); !isList && seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, it)
	}
	return out
}

// number parses Python int and float literals. Imaginary numbers, leading
// zeros ("01") and trailing garbage make the whole value stay a string.
func (p *pyParser) number() (any, bool) {
	start := p.i
	s := p.s
	isFloat := false
	if strings.HasPrefix(s[p.i:], "0x") || strings.HasPrefix(s[p.i:], "0X") ||
		strings.HasPrefix(s[p.i:], "0o") || strings.HasPrefix(s[p.i:], "0O") ||
		strings.HasPrefix(s[p.i:], "0b") || strings.HasPrefix(s[p.i:], "0B") {
		p.i += 2
		for p.i < len(s) && (isHex(s[p.i]) || s[p.i] == '_') {
			p.i++
		}
	} else {
		p.digits()
		if p.i < len(s) && s[p.i] == '.' {
			isFloat = true
			p.i++
			p.digits()
		}
		if p.i < len(s) && (s[p.i] == 'e' || s[p.i] == 'E') {
			isFloat = true
			p.i++
			if p.i < len(s) && (s[p.i] == '+' || s[p.i] == '-') {
				p.i++
			}
			p.digits()
		}
	}
	if p.i < len(s) && (isIdentChar(s[p.i]) || s[p.i] == '.') {
		return nil, false // 1.2.3, 10abc, 1j
	}
	lit := s[start:p.i]
	if lit == "." || strings.Contains(lit, "__") || strings.HasSuffix(lit, "_") || strings.Contains(lit, "_.") || strings.Contains(lit, "._") {
		return nil, false
	}
	if isFloat {
		f, err := strconv.ParseFloat(strings.ReplaceAll(lit, "_", ""), 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, false
		}
		return f, true
	}
	digits := strings.ReplaceAll(lit, "_", "")
	if len(digits) > 1 && digits[0] == '0' && isDigits(digits) && strings.Trim(digits, "0") != "" {
		return nil, false // Python rejects leading zeros in decimal ints
	}
	n, err := strconv.ParseInt(lit, 0, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			f, _ := strconv.ParseFloat(digits, 64) // Python has bigints; keep magnitude
			return f, isDigits(digits)
		}
		return nil, false
	}
	return int(n), true
}

func (p *pyParser) digits() {
	for p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '_') {
		p.i++
	}
}

// strings parses one or more adjacent string literals, which Python joins.
func (p *pyParser) strs() (any, bool) {
	var b strings.Builder
	n := 0
	for {
		c := p.peek()
		if c != '\'' && c != '"' && !isIdentStart(c) {
			break
		}
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		b.WriteString(s)
		n++
	}
	return b.String(), n > 0
}

func (p *pyParser) str() (string, bool) {
	raw := false
	for p.i < len(p.s) && isIdentStart(p.s[p.i]) {
		switch p.s[p.i] {
		case 'r', 'R':
			raw = true
		case 'b', 'B', 'u', 'U':
		default:
			return "", false // f-strings and names are not literals
		}
		p.i++
	}
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i : p.i+1]
	if strings.HasPrefix(p.s[p.i:], q+q+q) {
		q = q + q + q
	}
	p.i += len(q)
	start := p.i
	for p.i < len(p.s) {
		if strings.HasPrefix(p.s[p.i:], q) {
			body := p.s[start:p.i]
			p.i += len(q)
			if raw {
				return body, true
			}
			return pyesc.Decode(body, pyesc.Syntax{Continuation: true, Strict: true})
		}
		switch p.s[p.i] {
		case '\n':
			if len(q) == 1 {
				return "", false
			}
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", false
			}
			p.i++ // the escaped character neither ends the string nor a line
		}
		p.i++
	}
	return "", false
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
