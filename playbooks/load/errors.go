package load

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Error is one problem in a playbook or a file it pulls in, located so that
// it can be fixed without guessing.
type Error struct {
	File      string
	Line, Col int // 1-based; 0 when unknown
	Msg       string
	Hint      string // a suggested fix; may be empty
	Source    string // the offending line, when known
}

// Error renders the location, the message, the hint and, when known, the
// offending line with a caret under the column:
//
//	site.yml:12:7: unknown argument "mdoe" for module "file" (did you mean "mode"?)
//	   12 |       mdoe: "0644"
//	      |       ^
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(Pos{e.File, e.Line, e.Col}.String())
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	if e.Source == "" || e.Line <= 0 {
		return b.String()
	}
	num := fmt.Sprint(e.Line)
	width := max(5, len(num))
	src, pad := excerpt(e.Source, e.Col)
	fmt.Fprintf(&b, "\n%*s | %s", width, num, src)
	if e.Col > 0 {
		fmt.Fprintf(&b, "\n%*s | %s^", width, "", pad)
	}
	return b.String()
}

// excerptRunes bounds how much of a long line is shown.
const excerptRunes = 120

// excerpt returns the part of line worth showing around col (1-based, in
// characters, 0 for none), and the padding that puts a caret under col:
// tabs are kept so that the caret lines up in a terminal.
func excerpt(line string, col int) (shown, pad string) {
	line = strings.TrimRight(line, "\r")
	start := 0 // in runes
	if col-1 > excerptRunes*3/4 {
		start = col - 1 - excerptRunes/2
	}
	var s, p strings.Builder
	if start > 0 {
		s.WriteString("...")
		p.WriteString("   ")
	}
	i := 0
	for _, r := range line {
		if i >= start+excerptRunes {
			s.WriteString("...")
			break
		}
		if i >= start {
			if r == utf8.RuneError || r < ' ' && r != '\t' {
				r = '?'
			}
			s.WriteRune(r)
			if i < col-1 {
				if r == '\t' {
					p.WriteByte('\t')
				} else {
					p.WriteByte(' ')
				}
			}
		}
		i++
	}
	for ; i < col-1; i++ { // a column past the end of the line
		p.WriteByte(' ')
	}
	return s.String(), p.String()
}

// ErrorList is every problem Load found, sorted by file, line and column.
type ErrorList []*Error

func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap lets errors.As find the individual *Error values.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// sortErrors orders errors by place and drops exact repeats (a task file
// included twice reports its problems once).
func sortErrors(l ErrorList) ErrorList {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col), cmp.Compare(a.Msg, b.Msg), cmp.Compare(a.Hint, b.Hint))
	})
	return slices.CompactFunc(l, func(a, b *Error) bool {
		return a.File == b.File && a.Line == b.Line && a.Col == b.Col && a.Msg == b.Msg && a.Hint == b.Hint
	})
}
