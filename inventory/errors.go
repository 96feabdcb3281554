package inventory

import (
	"fmt"
	"strings"

	"tend/internal/didyoumean"
)

// Error is a problem in an inventory source, located as precisely as the
// format allows so that it can be fixed without guessing.
type Error struct {
	File string // path of the source, or the name given to Parse
	Line int    // 1-based; 0 when not tied to a line
	Col  int    // 1-based; 0 when unknown
	Msg  string
	Hint string // suggested fix; may be empty
	Err  error  // underlying cause (I/O, YAML syntax); may be nil
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// pos locates a definition so that later checks (cycles, undefined groups)
// can point back at the line that caused them.
type pos struct {
	file      string
	line, col int
}

func (p pos) String() string {
	switch {
	case p.line == 0:
		return p.file
	case p.col == 0:
		return fmt.Sprintf("%s:%d", p.file, p.line)
	}
	return fmt.Sprintf("%s:%d:%d", p.file, p.line, p.col)
}

func (p pos) errorf(hint, format string, args ...any) *Error {
	return &Error{File: p.file, Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// didYouMean suggests the closest option when word looks like a typo of it.
func didYouMean(word string, options []string, decorate func(string) string) string {
	best, bestDist := didyoumean.Closest(strings.ToLower(word), options)
	if best == "" || bestDist >= 3 || bestDist > len(best)/2 {
		return ""
	}
	return fmt.Sprintf("did you mean %s?", decorate(best))
}
