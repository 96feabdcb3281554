// Package pyesc decodes Python's backslash escapes, in the variants tend
// meets: string literals (Jinja's, and Python literals in inventories),
// Ansible's parse_kv, and codecs.escape_decode (assemble's delimiter).
package pyesc

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Syntax says which decoder's rules to follow. All of them decode \\ \'
// \" \a \b \f \n \r \t \v and \xHH, and keep an unknown escape (\q) and a
// trailing backslash as written.
type Syntax struct {
	// Bytes is codecs.escape_decode: \xHH and octal escapes are bytes
	// (not Latin-1 code points) and \u \U are unknown escapes.
	Bytes bool
	// NoOctal leaves \OOO as written (parse_kv's pattern has no octal).
	NoOctal bool
	// Continuation drops a backslash-newline, as Python source does.
	Continuation bool
	// Strict fails on a malformed \x \u \U and on \N{...} (which needs
	// Unicode's name table), as Python's parser does; otherwise they are
	// kept as written.
	Strict bool
}

var simple = map[byte]byte{
	'\\': '\\', '\'': '\'', '"': '"', 'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
}

// Decode decodes the escapes of s under x. ok is false only under Strict.
// Code points that are surrogates come out as U+FFFD.
func Decode(s string, x Syntax) (out string, ok bool) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		e := s[i+1]
		if r, ok := simple[e]; ok {
			b.WriteByte(r)
			i++
			continue
		}
		switch {
		case e == '\n' && x.Continuation:
			i++
		case e == 'x' || (e == 'u' || e == 'U') && !x.Bytes:
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			v, err := strconv.ParseUint(s[i+2:min(i+2+n, len(s))], 16, 32)
			if err != nil || i+2+n > len(s) || v > utf8.MaxRune {
				if x.Strict {
					return "", false
				}
				b.WriteByte(c) // kept as written; the letter follows
				continue
			}
			if x.Bytes {
				b.WriteByte(byte(v))
			} else {
				b.WriteRune(rune(v))
			}
			i += 1 + n
		case e >= '0' && e <= '7' && !x.NoOctal:
			j := i + 1
			for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i+1:j], 8, 32)
			if x.Bytes {
				b.WriteByte(byte(v))
			} else {
				b.WriteRune(rune(v))
			}
			i = j - 1
		case e == 'N' && x.Strict:
			return "", false
		default:
			b.WriteByte(c) // unknown: the backslash stays, the letter follows
		}
	}
	return b.String(), true
}
