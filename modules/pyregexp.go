package modules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Tasks give Python regular expressions (lineinfile, replace); Go's
// regexp is RE2, the same syntax for most of what configuration files
// need. pyToGo rewrites what differs and refuses, with the reason, what
// RE2 cannot do (it never matches differently without saying so):
//
//   - \Z is \z; \uXXXX and \UXXXXXXXX are \x{...}; octal \0, \0NN, \NNN
//     are \x{...}; {,n} is {0,n}; (?#...) comments are dropped.
//   - \d, \w, \s (and \D, \W, \S outside brackets) match Unicode digits,
//     letters and spaces as Python 3's do, unless (?a) asks for ASCII;
//     \s includes \v. Inside brackets \D, \W, \S stay ASCII, and \b, \B
//     are ASCII word boundaries (Python's are Unicode).
//   - [\b] is a backspace.
//   - Refused: lookarounds (?=, (?!, (?<=, (?<!; backreferences \1 and
//     (?P=name); conditionals (?(1)...); atomic groups and possessive
//     quantifiers; the verbose flag (?x) and locale flag (?L); \N{...}.
//
// Two differences remain that no rewrite fixes: $ without (?m) matches
// only at the very end of the text (Python's also before a final newline),
// and substitutions skip an empty match right after a match (Python 3.7+
// makes it).
func pyToGo(expr string) (string, error) {
	var b strings.Builder
	ascii := false
	inClass := false
	classStart := 0 // b.Len() after '[' or '[^': a ']' there is literal
	unsupported := func(what string) (string, error) {
		return "", &UnsupportedRegexp{What: what}
	}
	// Python's inline flags come first; (?a) changes how the classes
	// below are written.
	if m := leadingFlags.FindStringSubmatch(expr); m != nil && strings.Contains(m[1], "a") {
		ascii = true
	}
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		if c == '\\' {
			if i+1 >= len(expr) {
				return "", fmt.Errorf("bad escape (end of pattern)")
			}
			i++
			e := expr[i]
			switch {
			case e == 'Z' && !inClass:
				b.WriteString(`\z`)
			case e == 'b' && inClass:
				b.WriteString(`\x08`)
			case !ascii && e == 'd':
				b.WriteString(pyClass(`\p{Nd}`, inClass, false))
			case !ascii && e == 'w':
				b.WriteString(pyClass(`\p{L}\p{N}_`, inClass, false))
			case !ascii && e == 's':
				b.WriteString(pyClass(pySpace, inClass, false))
			case !ascii && !inClass && e == 'D':
				b.WriteString(`\P{Nd}`)
			case !ascii && !inClass && e == 'W':
				b.WriteString(pyClass(`\p{L}\p{N}_`, false, true))
			case !ascii && !inClass && e == 'S':
				b.WriteString(pyClass(pySpace, false, true))
			case ascii && e == 's':
				b.WriteString(pyClass(`\s\v`, inClass, false))
			case ascii && !inClass && e == 'S':
				b.WriteString(`[^\s\v]`)
			case e == 'u' || e == 'U':
				n := 4
				if e == 'U' {
					n = 8
				}
				hex := expr[i+1 : min(len(expr), i+1+n)]
				if len(hex) != n || strings.Trim(hex, "0123456789abcdefABCDEF") != "" {
					return "", fmt.Errorf("incomplete escape \\%c%s", e, hex)
				}
				b.WriteString(`\x{` + hex + `}`)
				i += n
			case e == 'N':
				return unsupported(`\N{...}`)
			case e == '0' || (e >= '1' && e <= '7' && i+2 < len(expr) && isOctal(expr[i+1]) && isOctal(expr[i+2])):
				j := i + 1
				for j < len(expr) && j < i+3 && isOctal(expr[j]) {
					j++
				}
				v, _ := strconv.ParseUint(expr[i:j], 8, 32)
				if v > 0o377 {
					return "", fmt.Errorf(`octal escape value \%s outside of range 0-0o377`, expr[i:j])
				}
				fmt.Fprintf(&b, `\x{%x}`, v)
				i = j - 1
			case e >= '1' && e <= '9':
				if inClass {
					return "", fmt.Errorf("bad escape \\%c in a character class", e)
				}
				return unsupported(`the backreference \` + string(e))
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		}
		if inClass {
			if c == ']' && b.Len() != classStart {
				inClass = false
			}
			b.WriteByte(c)
			continue
		}
		switch c {
		case '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(expr) && expr[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			classStart = b.Len()
			continue
		case '{':
			// {,n} is {0,n} in Python; in Go a literal.
			if m := openRepeat.FindString(expr[i:]); m != "" {
				b.WriteString("{0" + m[1:])
				i += len(m) - 1
				continue
			}
		case '(':
			rest := expr[i:]
			switch {
			case strings.HasPrefix(rest, "(?#"):
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return "", fmt.Errorf("missing ), unterminated comment")
				}
				i += end
				continue
			case strings.HasPrefix(rest, "(?="), strings.HasPrefix(rest, "(?!"):
				return unsupported("the lookahead " + rest[:3] + "...)")
			case strings.HasPrefix(rest, "(?<="), strings.HasPrefix(rest, "(?<!"):
				return unsupported("the lookbehind " + rest[:4] + "...)")
			case strings.HasPrefix(rest, "(?P="):
				return unsupported("the backreference (?P=...)")
			case strings.HasPrefix(rest, "(?("):
				return unsupported("the conditional (?(...)...)")
			case strings.HasPrefix(rest, "(?>"):
				return unsupported("the atomic group (?>...)")
			}
			if m := inlineFlags.FindStringSubmatch(rest); m != nil {
				flags := m[1]
				if strings.ContainsAny(flags, "x") {
					return unsupported("the verbose flag (?x)")
				}
				if strings.ContainsAny(flags, "L") {
					return unsupported("the locale flag (?L)")
				}
				keep := strings.NewReplacer("a", "", "u", "").Replace(flags)
				if keep == "" && m[2] == ")" {
					i += len(m[0]) - 1
					continue
				}
				b.WriteString("(?" + keep + m[2])
				i += len(m[0]) - 1
				continue
			}
		case '*', '+', '?', '}':
			if i+1 < len(expr) && expr[i+1] == '+' {
				return unsupported("the possessive quantifier " + expr[i:i+2])
			}
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

var (
	leadingFlags = regexp.MustCompile(`^\(\?([aiLmsux]+)\)`)
	inlineFlags  = regexp.MustCompile(`^\(\?([aiLmsux]*(?:-[imsx]+)?)(\)|:)`)
	openRepeat   = regexp.MustCompile(`^\{,[0-9]+\}`)
)

// pySpace is Python 3's \s: str.isspace().
const pySpace = `\s\v\x1c-\x1f\x85\p{Z}`

// pyClass writes a class body as a class of its own, or as it is inside
// brackets.
func pyClass(body string, inClass, negate bool) string {
	if inClass {
		return body
	}
	if negate {
		return "[^" + body + "]"
	}
	return "[" + body + "]"
}

// UnsupportedRegexp is valid Python regular expression syntax that RE2
// has no equivalent for.
type UnsupportedRegexp struct {
	What string // "the lookahead (?=...)"
}

func (e *UnsupportedRegexp) Error() string {
	return e.What + " is not supported (tend reads Python regular expressions as RE2, which has no lookarounds, backreferences, conditionals or atomic groups)"
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// compilePy translates and compiles a Python regular expression; arg names
// the task's argument in the error.
func compilePy(arg, expr, goFlags string) (*regexp.Regexp, error) {
	g, err := pyToGo(expr)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %v", arg, expr, err)
	}
	re, err := regexp.Compile(goFlags + g)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %v (tend reads Python regular expressions as RE2: lookarounds such as (?=...) and backreferences such as \\1 in a pattern are not supported)", arg, expr, err)
	}
	return re, nil
}
