package jinja

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyFormat is Python's str.format: fields {} {0} {name}, lookups in them
// ({0[key]}, {user.name}), conversions (!r !s) and the format spec
// mini-language ({:>8} {:.2f} {:,d} {:#x} {:{width}}).
func pyFormat(format string, args []any, kwargs map[string]any) (string, error) {
	var b strings.Builder
	auto := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case c == '{' && i+1 < len(format) && format[i+1] == '{', c == '}' && i+1 < len(format) && format[i+1] == '}':
			b.WriteByte(c)
			i++
			continue
		case c == '}':
			return "", errors.New("single '}' encountered in format string")
		case c != '{':
			b.WriteByte(c)
			continue
		}
		end, depth := i+1, 1
		for ; end < len(format) && depth > 0; end++ {
			switch format[end] {
			case '{':
				depth++
			case '}':
				depth--
			}
		}
		if depth > 0 {
			return "", errors.New("expected '}' before end of string")
		}
		s, err := formatField(format[i+1:end-1], args, kwargs, &auto)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
		if b.Len() > maxText {
			return "", errors.New("format result too large")
		}
		i = end - 1
	}
	return b.String(), nil
}

// formatField formats one replacement field: name[lookups][!conv][:spec].
func formatField(field string, args []any, kwargs map[string]any, auto *int) (string, error) {
	spec := ""
	if i := strings.IndexByte(field, ':'); i >= 0 {
		field, spec = field[:i], field[i+1:]
		if strings.IndexByte(spec, '{') >= 0 { // nested fields: {:{width}}
			var err error
			if spec, err = pyFormat(spec, args, kwargs); err != nil {
				return "", err
			}
		}
	}
	conv := byte(0)
	if i := strings.IndexByte(field, '!'); i >= 0 {
		if i+2 != len(field) {
			return "", errors.New("expected ':' after conversion specifier")
		}
		field, conv = field[:i], field[i+1]
	}
	name := field
	if i := strings.IndexAny(field, ".["); i >= 0 {
		name = field[:i]
	}
	var v any
	switch n, err := strconv.Atoi(name); {
	case name == "":
		if *auto < 0 {
			return "", errors.New("cannot switch from manual field specification to automatic field numbering")
		}
		if *auto >= len(args) {
			return "", fmt.Errorf("replacement index %d out of range for positional args tuple", *auto)
		}
		v = args[*auto]
		*auto++
	case err == nil:
		if *auto > 0 {
			return "", errors.New("cannot switch from automatic field numbering to manual field specification")
		}
		*auto = -1
		if n >= len(args) {
			return "", fmt.Errorf("replacement index %d out of range for positional args tuple", n)
		}
		v = args[n]
	default:
		x, ok := kwargs[name]
		if !ok {
			return "", fmt.Errorf("KeyError: %s", quoteString(name))
		}
		v = x
	}
	for rest := field[len(name):]; rest != ""; {
		var key any
		switch rest[0] {
		case '.':
			end := strings.IndexAny(rest[1:], ".[") + 1
			if end == 0 {
				end = len(rest)
			}
			key, rest = rest[1:end], rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return "", errors.New("missing ']' in format string")
			}
			k := rest[1:end]
			if n, err := strconv.Atoi(k); err == nil {
				key = n
			} else {
				key = k
			}
			rest = rest[end+1:]
		default:
			return "", errors.New("only '.' or '[' may follow ']' in format field specifier")
		}
		x, undef := lookup(v, key)
		if undef != nil {
			return "", undef
		}
		if xv, ok := x.(interface{ Interface() any }); ok {
			x = xv.Interface()
		}
		v = x
	}
	switch conv {
	case 0:
	case 's':
		v = pyStr(v)
	case 'r', 'a':
		v = pyRepr(v)
	default:
		return "", fmt.Errorf("unknown conversion specifier %c", conv)
	}
	return formatSpec(v, spec)
}

// formatSpec applies [[fill]align][sign][#][0][width][,|_][.precision][type].
func formatSpec(v any, spec string) (string, error) {
	if spec == "" {
		return pyStr(v), nil
	}
	fill, align := " ", byte(0)
	if r, size := utf8.DecodeRuneInString(spec); size < len(spec) && strings.IndexByte("<>=^", spec[size]) >= 0 {
		fill, align, spec = string(r), spec[size], spec[size+1:]
	} else if strings.IndexByte("<>=^", spec[0]) >= 0 {
		align, spec = spec[0], spec[1:]
	}
	sign := byte('-')
	if spec != "" && strings.IndexByte("+- ", spec[0]) >= 0 {
		sign, spec = spec[0], spec[1:]
	}
	alt := strings.HasPrefix(spec, "#")
	spec = strings.TrimPrefix(spec, "#")
	if strings.HasPrefix(spec, "0") {
		if align == 0 {
			fill, align = "0", '='
		}
		spec = spec[1:]
	}
	digits := func() int {
		n := 0
		for n < len(spec) && spec[n] >= '0' && spec[n] <= '9' {
			n++
		}
		w, _ := strconv.Atoi(spec[:n])
		spec = spec[n:]
		return w
	}
	width := digits()
	if width > maxText {
		return "", errors.New("width too big")
	}
	group := ""
	if spec != "" && (spec[0] == ',' || spec[0] == '_') {
		group, spec = spec[:1], spec[1:]
	}
	precision := -1
	if strings.HasPrefix(spec, ".") {
		spec = spec[1:]
		precision = digits()
	}
	if len(spec) > 1 {
		return "", fmt.Errorf("invalid format specifier")
	}
	typ := byte(0)
	if spec != "" {
		typ = spec[0]
	}

	var body, prefix string
	numeric := true
	switch x := v.(type) {
	case string:
		if typ != 0 && typ != 's' {
			return "", fmt.Errorf("unknown format code '%c' for object of type 'str'", typ)
		}
		body, numeric = x, false
		if precision >= 0 && precision < utf8.RuneCountInString(x) {
			body = string([]rune(x)[:precision])
		}
	case int, bool, float64:
		var err error
		if body, prefix, err = formatNumber(x, typ, precision, alt, group); err != nil {
			return "", err
		}
		if strings.HasPrefix(body, "-") {
			prefix, body = "-"+prefix, body[1:]
		} else if sign != '-' {
			prefix = string(sign) + prefix
		}
	default:
		return "", fmt.Errorf("unsupported format string passed to %s.__format__", pyType(v))
	}
	if align == 0 {
		align = '<'
		if numeric {
			align = '>'
		}
	}
	pad := width - utf8.RuneCountInString(prefix+body)
	if pad <= 0 {
		return prefix + body, nil
	}
	switch align {
	case '<':
		return prefix + body + strings.Repeat(fill, pad), nil
	case '^':
		return strings.Repeat(fill, pad/2) + prefix + body + strings.Repeat(fill, pad-pad/2), nil
	case '=':
		return prefix + strings.Repeat(fill, pad) + body, nil
	}
	return strings.Repeat(fill, pad) + prefix + body, nil
}

// formatNumber writes a number for formatSpec; prefix is 0x and the like.
func formatNumber(v any, typ byte, precision int, alt bool, group string) (body, prefix string, err error) {
	if b, ok := v.(bool); ok && typ == 0 {
		return pyStr(b), "", nil
	}
	n, isInt := integer(v)
	f, _ := number(v)
	switch typ {
	case 0, 'd', 'n':
		if !isInt {
			if typ != 0 {
				return "", "", errors.New("unknown format code 'd' for object of type 'float'")
			}
			if precision < 0 {
				return formatFloat(f), "", nil
			}
			return strconv.FormatFloat(f, 'g', max(precision, 1), 64), "", nil
		}
		return groupDigits(strconv.Itoa(n), group), "", nil
	case 'b', 'o', 'x', 'X', 'c':
		if !isInt {
			return "", "", fmt.Errorf("unknown format code '%c' for object of type 'float'", typ)
		}
		base := map[byte]int{'b': 2, 'o': 8, 'x': 16, 'X': 16}[typ]
		if typ == 'c' {
			return string(rune(n)), "", nil
		}
		body = strconv.FormatInt(int64(n), base)
		if typ == 'X' {
			body = strings.ToUpper(body)
		}
		if alt {
			prefix = "0" + string(typ)
		}
		return body, prefix, nil
	case 'e', 'E', 'f', 'F', 'g', 'G', '%':
		if precision < 0 {
			precision = 6
		}
		if typ == '%' {
			f *= 100
		}
		format := map[byte]byte{'e': 'e', 'E': 'E', 'f': 'f', 'F': 'f', 'g': 'g', 'G': 'G', '%': 'f'}[typ]
		if typ == 'g' || typ == 'G' {
			precision = max(precision, 1)
		}
		body = strconv.FormatFloat(f, format, precision, 64)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			body = formatFloat(f)
		}
		if format == 'f' {
			intPart, frac, hasFrac := strings.Cut(body, ".")
			body = groupDigits(intPart, group)
			if hasFrac {
				body += "." + frac
			}
		}
		if typ == '%' {
			body += "%"
		}
		return body, "", nil
	}
	return "", "", fmt.Errorf("unknown format code '%c' for object of type '%s'", typ, pyType(v))
}

// groupDigits puts sep (',' or '_') between thousands.
func groupDigits(digits, sep string) string {
	if sep == "" {
		return digits
	}
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
