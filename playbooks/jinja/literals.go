package jinja

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/tokens"
)

// String literals. gonja reads them as Go would ('\d' fails to parse,
// 'C:\\' runs on); Jinja reads them as Python does, and Ansible reads those
// inside {{ }} of a playbook value as they are, backslashes included, so
// that `regex_replace('(\d+)', '\1')` means what it says whether YAML
// quoted it or not (Ansible's escape_backslashes). decodeLiterals gives
// every string token the value Jinja or Ansible gives it.

// decodeLiterals sets each string token's value from the original text.
// With raw set, literals inside {{ }} keep their backslashes.
func decodeLiterals(toks []*tokens.Token, src string, raw bool) {
	inVariable := false
	for _, t := range toks {
		switch t.Type {
		case tokens.VariableBegin:
			inVariable = true
		case tokens.VariableEnd, tokens.BlockBegin:
			inVariable = false
		case tokens.String:
			content, ok := literalAt(src, t.Pos)
			if !ok {
				continue
			}
			v := content
			if !raw || !inVariable {
				v = pyUnescape(content)
			}
			// gonja's parser unquotes the value as Go text: doubled
			// backslashes come out single, everything else as it is
			t.Val = strings.ReplaceAll(v, `\`, `\\`)
		}
	}
}

// literalAt returns the text between the quotes of the literal that
// starts at (or, after a character the lexer skipped, just after) pos.
func literalAt(src string, pos int) (string, bool) {
	open := strings.IndexAny(src[min(pos, len(src)):], `'"`)
	if open < 0 {
		return "", false
	}
	open += pos
	quote := src[open]
	for i := open + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case quote:
			return src[open+1 : i], true
		}
	}
	return "", false
}

// pyUnescape is Python's unicode-escape decoding, which Jinja applies to
// string literals: \n, \t, \\, \', \xhh, \uhhhh, octal and the like; an
// unknown escape (\d) keeps its backslash.
func pyUnescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\n': // a line continuation
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if r, err := strconv.ParseUint(s[i+1:min(i+1+n, len(s))], 16, 32); err == nil && i+n < len(s) && r <= utf8.MaxRune {
				b.WriteRune(rune(r))
				i += n
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			r, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(r))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}
