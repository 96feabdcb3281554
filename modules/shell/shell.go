// Package shell is the one place where values become POSIX sh text. Every value
// that reaches a script on a host (paths, contents, user input) goes through
// Quote or Printf, so a path such as "/tmp/x'; rm -rf / #" stays a file name.
//
// It imports nothing and is shared by modules (which compile scripts) and
// transport (which frames them on the persistent shell).
package shell

import (
	"strconv"
	"strings"
)

// Quote returns s as one POSIX sh word that expands to exactly s. It always
// single-quotes, except for the empty string and for words made only of
// characters that no shell treats specially, which stay readable.
func Quote(s string) string {
	if s != "" && isPlain(s) {
		return s
	}
	// Inside single quotes nothing is special except the closing quote,
	// which is written as: close, escaped quote, reopen.
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Join quotes each word of argv and joins them with spaces: a command line
// that runs argv as given.
func Join(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = Quote(a)
	}
	return strings.Join(q, " ")
}

// isPlain reports whether s can stand unquoted: letters, digits and a few
// punctuation characters that are never special in any position. A leading
// '-' is left plain on purpose: quoting does not stop option parsing, "--" does.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', c == '-', c == '.', c == '/', c == ',', c == '+', c == '@':
			// '=' and ':' are left out: "a=b" as the first word is an
			// assignment, and ':' starts tilde expansion after it.
		default:
			return false
		}
	}
	return true
}

// Printf returns a complete `printf` command that writes data byte for byte,
// including NUL and bytes that are not UTF-8, using only POSIX printf escapes.
// Printable ASCII stays readable, so a text file costs about its own size.
func Printf(data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/8 + 16)
	for i, c := range data {
		switch {
		case i == 0 && c == '-':
			// A leading '-' would be read as an option by some printfs,
			// and not every printf knows "--".
			b.WriteString(`\055`)
		case c == '%':
			b.WriteString("%%")
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			// Always three digits, so a following digit is never read as part
			// of the escape.
			o := strconv.FormatUint(uint64(c), 8)
			b.WriteString(`\` + strings.Repeat("0", 3-len(o)) + o)
		}
	}
	return "printf " + Quote(b.String())
}
