// Package shlex splits text into words as Python's shlex does in POSIX
// mode with whitespace_split (shlex.split): what Ansible uses for command
// lines, inventory host lines and, through distro, os-release.
package shlex

import (
	"errors"
	"strings"
)

// Python's messages, lower-cased.
var (
	ErrNoClosingQuote = errors.New("no closing quotation")
	ErrNoEscaped      = errors.New("no escaped character")
)

// Token is one word and the byte offset in the input where it starts
// (its first character, an opening quote included).
type Token struct {
	Text string
	Off  int
}

// Split is shlex.split(s): blanks (space, tab, CR, LF) separate words;
// single quotes keep everything; in double quotes a backslash escapes only
// '"' and '\'; outside quotes a backslash escapes any character. No
// expansion, redirection or operators: "a;b" is one word.
func Split(s string) ([]string, error) {
	toks, err := Lex(s, false)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range toks {
		out = append(out, t.Text)
	}
	return out, nil
}

// Lex splits s as Split does; with comments set, as shlex.split(s,
// comments=True): a '#' outside quotes ends its word and the rest of its
// line, even in the middle of a word ("pass=ab#cd" is "pass=ab"). After
// an unclosed quote or a trailing backslash, Lex returns the error and
// the words completed before the fault (Python raises and keeps none;
// some callers approximate a reader that stops there).
func Lex(s string, comments bool) ([]Token, error) {
	var (
		toks   []Token
		cur    strings.Builder
		inWord bool
		start  int
	)
	emit := func() {
		if inWord {
			toks = append(toks, Token{Text: cur.String(), Off: start})
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			emit()
			continue
		case '#':
			if comments {
				emit()
				for i < len(s) && s[i] != '\n' {
					i++
				}
				continue
			}
		}
		if !inWord {
			inWord, start = true, i
		}
		switch c {
		case '\\':
			if i+1 >= len(s) {
				return toks, ErrNoEscaped
			}
			i++
			cur.WriteByte(s[i])
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return toks, ErrNoClosingQuote
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case '"':
			closed := false
			for i++; i < len(s); i++ {
				d := s[i]
				if d == '"' {
					closed = true
					break
				}
				if d == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
					d = s[i]
				}
				cur.WriteByte(d)
			}
			if !closed {
				return toks, ErrNoClosingQuote
			}
		default:
			cur.WriteByte(c)
		}
	}
	emit()
	return toks, nil
}
