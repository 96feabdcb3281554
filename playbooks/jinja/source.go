package jinja

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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

// prepare readies template text for gonja's lexer. It replaces the
// newlines inside {{ }} and {% %} (outside string literals) with spaces:
// the lexer knows only spaces and tabs as whitespace, so `{{ a +\n b }}`
// would lex "\nb" as a name and `x in\n y` would miss the `in`, while
// Jinja and YAML block scalars put newlines there freely. Byte offsets do
// not move, so token positions still point into the original text. It
// also finds text the lexer would loop on forever (trap, else -1). The
// scan mirrors the lexer: strings, nested brackets (`{{ {'a': {}} }}`),
// comments and raw blocks.
func prepare(src string) (text string, trap int) {
	s := &scan{src: src, trap: -1}
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
				return s.result()
			}
			i += 2 + end + 2
		case '{':
			i = s.expression(i+2, "}}")
		case '%':
			name := blockName(src[i+2:])
			i = s.expression(i+2, "%}")
			if re, ok := rawEnd[name]; ok {
				loc := re.FindStringIndex(src[i:])
				if loc == nil {
					return s.result()
				}
				i += loc[0]
			}
		default:
			i++
		}
	}
	return s.result()
}

type scan struct {
	src  string
	buf  []byte // copy of src, made on the first change
	trap int
}

func (s *scan) result() (string, int) {
	if s.buf == nil {
		return s.src, s.trap
	}
	return string(s.buf), s.trap
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
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// expression walks an expression from i to its closing delimiter and
// returns the index just past the end.
func (s *scan) expression(i int, end string) int {
	src := s.src
	var open []byte // closing brackets expected, innermost last
	for i < len(src) {
		c := src[i]
		expecting := len(open) > 0 && open[len(open)-1] == c
		if !expecting && strings.HasPrefix(src[i:], end) {
			return i + len(end)
		}
		switch {
		case c == '\'' || c == '"':
			i = s.literal(i)
		case c == '(':
			open = append(open, ')')
		case c == '[':
			open = append(open, ']')
		case c == '{':
			open = append(open, '}')
		case c == ')' || c == ']' || c == '}':
			if expecting {
				open = open[:len(open)-1]
			}
		case c == '\n':
			if s.buf == nil {
				s.buf = []byte(src)
			}
			s.buf[i] = ' '
		case isDigit(c) && !afterIdentifier(src[:i]):
			if t := numberTrap(src, i); t >= 0 && s.trap < 0 {
				s.trap = t
			}
		}
		i++
	}
	return i
}

// literal skips the string literal opening at i, as Jinja reads it (a
// backslash escapes the next character), and returns the index of its
// closing quote. gonja's lexer ends a string at any quote without a
// backslash just before it, so 'C:\\' would run on: each escaped
// backslash is blanked to two NULs for it (lex decodes literals from the
// original text).
func (s *scan) literal(i int) int {
	src, quote := s.src, s.src[i]
	for i++; i < len(src) && src[i] != quote; i++ {
		if src[i] == '\\' && i+1 < len(src) {
			if src[i+1] == '\\' {
				if s.buf == nil {
					s.buf = []byte(src)
				}
				s.buf[i], s.buf[i+1] = 0, 0
			}
			i++
		}
	}
	return i
}

// afterIdentifier reports whether s ends in a character of an identifier,
// so that a digit next continues it rather than starting a number.
func afterIdentifier(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// numberTrap finds, in a number starting at i, a '.' followed by a
// non-ASCII letter (`x.0.ñ`): gonja's lexer backs up by the width of that
// letter instead of the dot's and then loops or fails.
func numberTrap(src string, i int) int {
	digits := func(j int) int {
		for j < len(src) && (isDigit(src[j]) || src[j] == '_') {
			j++
		}
		return j
	}
	j := digits(i)
	for range 2 { // 1.ñ, and 1.5.ñ
		if j+1 >= len(src) || src[j] != '.' {
			return -1
		}
		if src[j+1] >= utf8.RuneSelf {
			if r, _ := utf8.DecodeRuneInString(src[j+1:]); !unicode.IsDigit(r) {
				return j
			}
			return -1
		}
		j = digits(j + 1)
	}
	return -1
}
