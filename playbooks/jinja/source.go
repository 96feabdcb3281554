package jinja

import (
	"regexp"
	"strings"
)

// Text fixes applied before gonja's lexer sees a template.

// normalizeNewlines turns \r\n and \r into \n, as Jinja does.
func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// rawEnd finds the tag that closes {% raw %} (and gonja's {% comment %}).
var rawEnd = map[string]*regexp.Regexp{
	"raw":     regexp.MustCompile(`\{%[-+]?\s*endraw`),
	"comment": regexp.MustCompile(`\{%[-+]?\s*endcomment`),
}

// joinExpressionLines replaces the newlines inside {{ }} and {% %} (outside
// string literals) with spaces. gonja's lexer knows only spaces and tabs as
// whitespace, so `{{ a +\n b }}` would lex "\nb" as a name and `x in\n y`
// would miss the `in`; Jinja and YAML block scalars put newlines there
// freely. Byte offsets do not move, so token positions still point into
// the original text. The scan mirrors the lexer: strings, nested brackets
// (`{{ {'a': {}} }}`), comments and raw blocks.
func joinExpressionLines(src string) string {
	if strings.IndexByte(src, '\n') < 0 {
		return src
	}
	var buf []byte // copy of src, made on the first change
	for i := 0; i < len(src); {
		j := strings.IndexByte(src[i:], '{')
		if j < 0 || i+j+1 >= len(src) {
			break
		}
		i += j
		switch src[i+1] {
		case '#':
			end := strings.Index(src[i+2:], "#}")
			if end < 0 {
				return withBuf(buf, src)
			}
			i += 2 + end + 2
		case '{':
			i = scanExpression(src, i+2, "}}", &buf)
		case '%':
			name := blockName(src[i+2:])
			i = scanExpression(src, i+2, "%}", &buf)
			if re, ok := rawEnd[name]; ok {
				loc := re.FindStringIndex(src[i:])
				if loc == nil {
					return withBuf(buf, src)
				}
				i += loc[0]
			}
		default:
			i++
		}
	}
	return withBuf(buf, src)
}

func withBuf(buf []byte, src string) string {
	if buf == nil {
		return src
	}
	return string(buf)
}

// blockName returns the tag name at the start of a block's text.
func blockName(s string) string {
	s = strings.TrimLeft(s, "-+ \t\n")
	end := 0
	for end < len(s) && isIdentByte(s[end]) {
		end++
	}
	return s[:end]
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// scanExpression walks an expression from i to its closing delimiter,
// blanking newlines into *buf, and returns the index just past the end.
func scanExpression(src string, i int, end string, buf *[]byte) int {
	var open []byte // closing brackets expected, innermost last
	for i < len(src) {
		c := src[i]
		expecting := len(open) > 0 && open[len(open)-1] == c
		if !expecting && strings.HasPrefix(src[i:], end) {
			return i + len(end)
		}
		switch c {
		case '\'', '"':
			// like the lexer: a quote ends the string unless a backslash
			// comes just before it
			i++
			for i < len(src) && !(src[i] == c && src[i-1] != '\\') {
				i++
			}
		case '(':
			open = append(open, ')')
		case '[':
			open = append(open, ']')
		case '{':
			open = append(open, '}')
		case ')', ']', '}':
			if expecting {
				open = open[:len(open)-1]
			}
		case '\n':
			if *buf == nil {
				*buf = []byte(src)
			}
			(*buf)[i] = ' '
		}
		i++
	}
	return i
}
