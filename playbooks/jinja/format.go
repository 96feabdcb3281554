package jinja

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// percentFormat is Python's printf-style `format % args`, behind both the
// `%` operator on strings and the `format` filter. args is one value, a
// list of values or, for %(name)s, a mapping. Jinja's tuples arrive as
// lists; tuple says args is one for sure.
func percentFormat(format string, args any, tuple bool) (string, error) {
	n, named := countConversions(format)
	var list []any
	var mapping map[string]any
	switch a := args.(type) {
	case map[string]any:
		if named {
			mapping = a
		} else {
			list = []any{a}
		}
	case []any:
		// A list fills the conversions one by one when the counts match;
		// otherwise it is the single value, as Python treats a list.
		if tuple || len(a) == n || n != 1 {
			list = a
		} else {
			list = []any{a}
		}
	default:
		list = []any{a}
	}
	if named && mapping == nil {
		return "", errors.New("format requires a mapping")
	}

	var b strings.Builder
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return "", errors.New("incomplete format")
		}
		if format[i] == '%' {
			b.WriteByte('%')
			continue
		}
		var arg any
		haveArg := false
		if format[i] == '(' {
			end := strings.IndexByte(format[i:], ')')
			if end < 0 {
				return "", errors.New("incomplete format key")
			}
			key := format[i+1 : i+end]
			v, ok := mapping[key]
			if !ok {
				return "", &UndefinedError{Name: key, Object: "dict object"}
			}
			arg, haveArg = v, true
			i += end + 1
		}
		// flags, width, precision: [#0- +]*[0-9*]*(\.[0-9*]*)?
		start := i
		for i < len(format) && strings.IndexByte("#0- +", format[i]) >= 0 {
			i++
		}
		flags := format[start:i]
		width, err := formatNumberField(format, &i, list, &next)
		if err != nil {
			return "", err
		}
		precision := ""
		if i < len(format) && format[i] == '.' {
			i++
			p, err := formatNumberField(format, &i, list, &next)
			if err != nil {
				return "", err
			}
			if p == "" {
				p = "0"
			}
			precision = "." + p
		}
		for i < len(format) && strings.IndexByte("hlL", format[i]) >= 0 {
			i++ // length modifiers are accepted and ignored, as in Python
		}
		if i >= len(format) {
			return "", errors.New("incomplete format")
		}
		if !haveArg {
			if mapping != nil {
				arg = mapping
			} else {
				if next >= len(list) {
					return "", errors.New("not enough arguments for format string")
				}
				arg = list[next]
				next++
			}
		}
		s, err := formatOne(format[i], flags, width, precision, arg)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	if mapping == nil && next < len(list) {
		return "", errors.New("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

// formatNumberField reads a width or precision: digits, or '*' taking the
// next argument.
func formatNumberField(format string, i *int, list []any, next *int) (string, error) {
	if *i < len(format) && format[*i] == '*' {
		*i++
		if *next >= len(list) {
			return "", errors.New("not enough arguments for format string")
		}
		n, ok := integer(list[*next])
		if !ok {
			return "", errors.New("* wants int")
		}
		*next++
		if n > maxText || n < -maxText {
			return "", errors.New("width too big")
		}
		return strconv.Itoa(n), nil
	}
	start := *i
	for *i < len(format) && format[*i] >= '0' && format[*i] <= '9' {
		*i++
	}
	field := format[start:*i]
	if n, err := strconv.Atoi(field); field != "" && (err != nil || n > maxText) {
		return "", errors.New("width too big")
	}
	return field, nil
}

// countConversions counts the values a format consumes and whether it
// names them (%(key)s).
func countConversions(format string) (n int, named bool) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		if i < len(format) && format[i] == '(' {
			named = true
		}
		n++
		for ; i < len(format) && strings.IndexByte("diouxXeEfFgGcrsa", format[i]) < 0; i++ {
			if format[i] == '*' {
				n++
			}
		}
	}
	return n, named
}

// formatOne applies one conversion. Go's fmt understands the same flags,
// width and precision, so the spec is passed on once the value has the
// type the conversion wants.
func formatOne(conv byte, flags, width, precision string, arg any) (string, error) {
	spec := "%" + flags + width + precision
	switch conv {
	case 's', 'r', 'a':
		text := pyStr(arg)
		if conv != 's' {
			text = pyRepr(arg)
		}
		// Python pads text with spaces even under the 0 flag
		return fmt.Sprintf("%"+strings.ReplaceAll(flags, "0", "")+width+precision+"s", text), nil
	case 'd', 'i', 'u':
		n, err := formatInt(conv, arg)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf(strings.ReplaceAll(spec, "#", "")+"d", n), nil
	case 'x', 'X', 'o':
		n, err := formatInt(conv, arg)
		if err != nil {
			return "", err
		}
		alt := strings.Contains(flags, "#")
		spec = strings.ReplaceAll(spec, "#", "")
		s := fmt.Sprintf(spec+string(conv), n)
		if alt {
			prefix := "0" + string(conv)
			// the prefix goes after the sign and before the digits
			trimmed := strings.TrimLeft(s, " ")
			pad := s[:len(s)-len(trimmed)]
			sign := ""
			if strings.HasPrefix(trimmed, "-") || strings.HasPrefix(trimmed, "+") {
				sign, trimmed = trimmed[:1], trimmed[1:]
			}
			s = pad + sign + prefix + trimmed
		}
		return s, nil
	case 'e', 'E', 'f', 'F', 'g', 'G':
		f, ok := number(arg)
		if !ok {
			return "", fmt.Errorf("%%%c format: a real number is required, not %s", conv, pyType(arg))
		}
		if precision == "" {
			spec += ".6"
		}
		c := conv
		if c == 'F' {
			c = 'f'
		}
		return fmt.Sprintf(spec+string(c), f), nil
	case 'c':
		switch v := arg.(type) {
		case int:
			if v < 0 || v > 0x10ffff {
				return "", errors.New("%c arg not in range(0x110000)")
			}
			return fmt.Sprintf(spec+"c", rune(v)), nil
		case string:
			if len([]rune(v)) != 1 {
				return "", errors.New("%c requires int or char")
			}
			return fmt.Sprintf(spec+"s", v), nil
		}
		return "", errors.New("%c requires int or char")
	}
	return "", fmt.Errorf("unsupported format character '%c'", conv)
}

func formatInt(conv byte, arg any) (int, error) {
	if n, ok := integer(arg); ok {
		return n, nil
	}
	if f, ok := arg.(float64); ok && conv != 'x' && conv != 'X' && conv != 'o' {
		return int(f), nil
	}
	return 0, fmt.Errorf("%%%c format: a number is required, not %s", conv, pyType(arg))
}
