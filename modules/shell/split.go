package shell

import (
	"errors"
	"strings"
)

// Split splits a command line into words as Python's shlex.split does
// (which is what Ansible's command module uses): blanks separate words,
// single quotes keep everything, double quotes let a backslash escape only
// '"' and '\', and outside quotes a backslash escapes any character. No
// expansion, redirection or operators: "a;b" is one word.
func Split(s string) ([]string, error) {
	var (
		out     []string
		cur     strings.Builder
		inWord  bool
		i       int
		special = func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	)
	for i < len(s) {
		c := s[i]
		switch {
		case special(c):
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
			i++
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("no escaped character")
			}
			cur.WriteByte(s[i+1])
			inWord = true
			i += 2
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("no closing quotation")
			}
			cur.WriteString(s[i+1 : i+1+end])
			inWord = true
			i += end + 2
		case c == '"':
			i++
			closed := false
			for i < len(s) {
				d := s[i]
				if d == '"' {
					closed = true
					i++
					break
				}
				if d == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					cur.WriteByte(s[i+1])
					i += 2
					continue
				}
				cur.WriteByte(d)
				i++
			}
			if !closed {
				return nil, errors.New("no closing quotation")
			}
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}
