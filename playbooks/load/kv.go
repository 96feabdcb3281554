package load

import (
	"errors"
	"strings"

	"tend/internal/pyesc"
)

// token is one word of k=v text and its byte span in the text.
type token struct {
	text       string
	start, end int
}

var errUnbalanced = errors.New("unbalanced quotes or Jinja block")

// splitArgs splits text at whitespace outside quotes and Jinja blocks
// ({{ }}, {% %}, {# #}), as Ansible's split_args: a quote preceded by a
// backslash neither opens nor closes.
func splitArgs(s string) ([]token, error) {
	var out []token
	var quote byte
	var print, block, comment int
	start := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		inside := quote != 0 || print > 0 || block > 0 || comment > 0
		if !inside && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if start >= 0 {
				out = append(out, token{s[start:i], start, i})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
		next := byte(0)
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch {
		case (c == '"' || c == '\'') && (i == 0 || s[i-1] != '\\'):
			if quote == 0 {
				quote = c
			} else if quote == c {
				quote = 0
			}
		case c == '{' && next == '{':
			print++
			i++
		case c == '{' && next == '%':
			block++
			i++
		case c == '{' && next == '#':
			comment++
			i++
		case c == '}' && next == '}' && print > 0:
			print--
			i++
		case c == '%' && next == '}' && block > 0:
			block--
			i++
		case c == '#' && next == '}' && comment > 0:
			comment--
			i++
		}
	}
	if quote != 0 || print > 0 || block > 0 || comment > 0 {
		return nil, errUnbalanced
	}
	if start >= 0 {
		out = append(out, token{s[start:], start, len(s)})
	}
	return out, nil
}

// kvArg is one key=value word: the value unquoted, off the byte offset of
// the word in the text.
type kvArg struct {
	key, value  string
	off, valOff int // where the word and its value start
}

// parseKV reads Ansible's k=v argument text (parse_kv): words holding an
// unescaped "=" are key=value pairs, with escapes decoded and one pair of
// surrounding quotes removed from the value. The other words are free
// text: they are returned joined as written (with the words' original
// spacing), and hasRaw says whether there were any. With keep set (free
// form modules), a key=value word is only taken as a pair when keep(key)
// holds, and is free text otherwise.
func parseKV(s string, keep func(key string) bool) (args []kvArg, raw string, hasRaw bool, err error) {
	toks, err := splitArgs(s)
	if err != nil {
		return nil, "", false, err
	}
	var b strings.Builder
	prevEnd := 0
	addRaw := func(prev int, t token, text string) {
		if hasRaw {
			b.WriteString(s[prev:t.start])
		}
		b.WriteString(text)
		hasRaw = true
	}
	for _, t := range toks {
		prev := prevEnd
		prevEnd = t.end
		x := decodeEscapes(t.text)
		if !strings.Contains(x, "=") {
			addRaw(prev, t, t.text)
			continue
		}
		eq := -1
		for i := 1; i < len(x); i++ {
			if x[i] == '=' && x[i-1] != '\\' {
				eq = i
				break
			}
		}
		if eq < 0 {
			addRaw(prev, t, strings.ReplaceAll(x, `\=`, "="))
			continue
		}
		k := strings.TrimSpace(x[:eq])
		if keep != nil && !keep(k) {
			addRaw(prev, t, t.text)
			continue
		}
		v := strings.TrimSpace(x[eq+1:])
		a := kvArg{key: k, value: unquote(v), off: t.start, valOff: t.start}
		if i := strings.IndexByte(t.text[1:], '='); i >= 0 {
			a.valOff = t.start + i + 2 // where the value starts as written
			if len(a.value) < len(v) {
				a.valOff++ // after the opening quote
			}
		}
		args = append(args, a)
	}
	return args, b.String(), hasRaw, nil
}

// KeyValues is parse_kv for text outside a task, as ansible-playbook's
// -e "a=1 b='x y'": the pairs, later ones winning, and the words that are
// not key=value joined as written ("" when none).
func KeyValues(s string) (map[string]string, string, error) {
	args, raw, _, err := parseKV(s, nil)
	if err != nil {
		return nil, "", err
	}
	m := make(map[string]string, len(args))
	for _, a := range args {
		m[a.key] = a.value
	}
	return m, raw, nil
}

// unquote removes one pair of matching surrounding quotes.
func unquote(s string) string {
	if len(s) > 1 && s[0] == s[len(s)-1] && (s[0] == '"' || s[0] == '\'') && s[len(s)-2] != '\\' {
		return s[1 : len(s)-1]
	}
	return s
}

// decodeEscapes decodes the escapes Ansible's parse_kv decodes: \\, \',
// \", \a \b \f \n \r \t \v, \xHH, \uHHHH and \UHHHHHHHH; not octal ones.
// Anything else is left as written.
func decodeEscapes(s string) string {
	out, _ := pyesc.Decode(s, pyesc.Syntax{NoOctal: true})
	return out
}
