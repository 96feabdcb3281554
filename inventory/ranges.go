package inventory

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
)

// maxRangeHosts bounds what one host pattern may expand to, so that a typo
// such as web[1:99999999] fails fast instead of exhausting memory.
var maxRangeHosts = 100_000

const rangeHint = "ranges look like web[01:20], db-[a:f] or web[1:9:2]"

// These follow ansible.parsing.utils.addresses so that the same strings are
// taken as "host:port" and the same ones fall back to a plain name.
const (
	numericRange = `\[[0-9]+:[0-9]+(?::[0-9]+)?\]`
	hexRange     = `\[[0-9a-fA-F]+:[0-9a-fA-F]+(?::[0-9]+)?\]`
	alnumRange   = `\[(?:[a-zA-Z]:[a-zA-Z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`
	ipv4Part     = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|` + numericRange + `)`
	// A label starts with a word character, may contain '-', and must not
	// end with '-' or '_' (Ansible expresses the last rule as a lookbehind).
	labelEnd = `(?:[\p{L}\p{N}\p{M}]|` + alnumRange + `)`
	label    = `(?:` + labelEnd + `|(?:[\p{L}\p{N}\p{M}_]|` + alnumRange + `)(?:[\p{L}\p{N}\p{M}_-]|` + alnumRange + `)*` + labelEnd + `)`
)

var (
	reBracketedHostPort = regexp.MustCompile(`^\[(.+)\]:([0-9]+)$`)
	reHostPort          = regexp.MustCompile(`^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$`)
	reIPv4              = regexp.MustCompile(`^(?:` + ipv4Part + `\.){3}` + ipv4Part + `$`)
	reHostname          = regexp.MustCompile(`^` + label + `(?:\.` + label + `)*$`)
	reHexRange          = regexp.MustCompile(hexRange)
)

// parseAddress mirrors Ansible's parse_address: it strips an optional port
// ("host:22", "[::1]:22") and reports whether the rest is an IPv4 address,
// an IPv6 address or a hostname, ranges included when allowRanges is set.
func parseAddress(s string, allowRanges bool) (host, port string, ok bool) {
	host = s
	// Ansible applies both forms in turn, the second to what the first left.
	if m := reBracketedHostPort.FindStringSubmatch(host); m != nil {
		host, port = m[1], m[2]
	}
	if m := reHostPort.FindStringSubmatch(host); m != nil {
		host, port = m[1], m[2]
	}
	if !reIPv4.MatchString(host) && !isIPv6(host) && !reHostname.MatchString(host) {
		return "", "", false
	}
	if !allowRanges && strings.Contains(host, "[") {
		return "", "", false
	}
	return host, port, true
}

func isIPv6(s string) bool {
	if !strings.Contains(s, ":") {
		return false
	}
	// Ranges may stand for any group of hex digits.
	return net.ParseIP(reHexRange.ReplaceAllString(s, "0")) != nil
}

// expandHostPattern turns one host entry ("web[01:03]:2222") into host names
// and an optional port, the way Ansible's inventory plugins do. Strings that
// are not valid addresses are taken whole as the name, as Ansible does.
func expandHostPattern(at pos, s string) (names []string, port int, hasPort bool, err error) {
	host, portStr, ok := parseAddress(s, true)
	if !ok {
		host, portStr = s, ""
	}
	if portStr != "" {
		port, err = strconv.Atoi(portStr)
		if err != nil || port > 65535 {
			return nil, 0, false, at.errorf("ports go up to 65535", "port %q of host %q is out of range", portStr, host)
		}
		hasPort = true
	}
	if !strings.Contains(host, "[") {
		return []string{host}, port, hasPort, nil
	}
	names, err = expandRanges(host, maxRangeHosts)
	if err != nil {
		return nil, 0, false, at.errorf(rangeHint, "bad host range in %q: %v", s, err)
	}
	return names, port, hasPort, nil
}

const asciiLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// expandRanges implements Ansible's expand_hostname_range: the first [..]
// is a begin:end[:step] range (numeric, zero-padded when begin has a leading
// zero, or single letters), and later ranges multiply out.
func expandRanges(s string, limit int) ([]string, error) {
	open := strings.IndexByte(s, '[')
	if open < 0 {
		return []string{s}, nil
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return nil, fmt.Errorf("unterminated '['")
	}
	if end < open {
		return nil, fmt.Errorf("']' before '['")
	}
	head, inner, tail := s[:open], s[open+1:end], s[end+1:]
	seq, err := rangeSeq(inner, limit)
	if err != nil {
		return nil, err
	}
	tails, err := expandRanges(tail, limit/len(seq))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(seq)*len(tails))
	for _, item := range seq {
		for _, t := range tails {
			out = append(out, head+item+t)
		}
	}
	return out, nil
}

func rangeSeq(inner string, limit int) ([]string, error) {
	bounds := strings.Split(inner, ":")
	if len(bounds) != 2 && len(bounds) != 3 {
		return nil, fmt.Errorf("[%s] must be begin:end or begin:end:step", inner)
	}
	beg, end, step := bounds[0], bounds[1], 1
	if beg == "" {
		beg = "0"
	}
	if end == "" {
		return nil, fmt.Errorf("[%s] has no end value", inner)
	}
	if len(bounds) == 3 {
		n, err := strconv.Atoi(bounds[2])
		if err != nil || n < 1 || !isDigits(bounds[2]) {
			return nil, fmt.Errorf("step %q must be a positive integer", bounds[2])
		}
		step = n
	}
	if len(beg) == 1 && len(end) == 1 && strings.Contains(asciiLetters, beg) && strings.Contains(asciiLetters, end) {
		i, j := strings.Index(asciiLetters, beg), strings.Index(asciiLetters, end)
		if i > j {
			return nil, fmt.Errorf("[%s] begins after it ends", inner)
		}
		var out []string
		for k := i; k <= j; k += step {
			out = append(out, asciiLetters[k:k+1])
		}
		return out, nil
	}
	if !isDigits(beg) || !isDigits(end) {
		return nil, fmt.Errorf("[%s] must be numbers or single letters", inner)
	}
	width := 0
	if beg[0] == '0' && len(beg) > 1 {
		width = len(beg)
		if len(end) != width {
			return nil, fmt.Errorf("[%s] zero-padded begin and end must have the same length", inner)
		}
	}
	lo, err1 := strconv.Atoi(beg)
	hi, err2 := strconv.Atoi(end)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("[%s] numbers are too large", inner)
	}
	if lo > hi {
		return nil, fmt.Errorf("[%s] begins after it ends", inner)
	}
	if n := (hi-lo)/step + 1; n > limit || n < 0 {
		return nil, fmt.Errorf("[%s] expands to too many hosts (limit %d)", inner, maxRangeHosts)
	}
	out := make([]string, 0, (hi-lo)/step+1)
	for k := lo; k <= hi; k += step {
		out = append(out, fmt.Sprintf("%0*d", width, k))
		if k > hi-step { // avoid overflow near MaxInt
			break
		}
	}
	return out, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
