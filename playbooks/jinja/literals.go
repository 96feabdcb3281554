package jinja

import (
	"strings"

	"github.com/nikolalohinski/gonja/v2/tokens"

	"tend/internal/pyesc"
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
	out, _ := pyesc.Decode(s, pyesc.Syntax{Continuation: true})
	return out
}
