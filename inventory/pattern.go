package inventory

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"tend/internal/fnmatch"
)

// Match is the outcome of resolving a host pattern.
type Match struct {
	// Hosts are the selected hosts in inventory order, without duplicates.
	Hosts []*Host
	// Unmatched lists the pattern parts (without their & or ! prefix and
	// subscript) that matched no group and no host, in the order met. Ansible
	// warns "Could not match supplied host pattern, ignoring: X" for each.
	Unmatched []string
}

// Resolve returns the hosts selected by an Ansible host pattern, such as
// "web:&prod:!web03", "~db\d+", "*.example.com", "web[0:2]" or "@retry".
// A pattern that matches nothing is not an error; use Match to learn which
// parts matched nothing. Errors are for malformed patterns only: a bad
// regexp, a subscript out of range, an unreadable @file.
func (inv *Inventory) Resolve(pattern string) ([]*Host, error) {
	m, err := inv.Match(pattern, "")
	if err != nil {
		return nil, err
	}
	return m.Hosts, nil
}

// ResolveLimit resolves pattern and, when limit is not empty, keeps only
// the hosts that limit also selects, like ansible-playbook --limit.
func (inv *Inventory) ResolveLimit(pattern, limit string) ([]*Host, error) {
	m, err := inv.Match(pattern, limit)
	if err != nil {
		return nil, err
	}
	return m.Hosts, nil
}

// Match resolves pattern, then limit when it is not empty, and reports the
// parts of either that matched nothing.
//
// Semantics are Ansible's (inventory/manager.py): parts are separated by
// ',' or, when there is no comma, by ':'; parts without a prefix are
// unioned first, then "&part" intersections apply, then "!part" exclusions,
// whatever order they were written in; a pattern with only & and ! parts
// starts from all. A part is a group or host name, a glob over group and
// host names, or "~regexp" matched from the start of group and host names;
// groups bring their descendants' hosts. "part[i]", "part[i:j]" (inclusive)
// and "part[-1]" select from the part's hosts in inventory order. "@file"
// reads one pattern per line (Ansible takes @file only in --limit; it is
// accepted in both here).
func (inv *Inventory) Match(pattern, limit string) (*Match, error) {
	if strings.TrimSpace(pattern) == "" {
		return nil, fmt.Errorf("empty host pattern")
	}
	r := &resolver{inv: inv, cache: map[string]bitset{}, seen: map[string]bool{}, m: &Match{}}
	set, err := r.evaluate(pattern)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(limit) != "" {
		lim, err := r.evaluate(limit)
		if err != nil {
			return nil, err
		}
		set.and(lim)
	}
	for _, idx := range set.indices() {
		r.m.Hosts = append(r.m.Hosts, inv.byIndex[idx])
	}
	return r.m, nil
}

type resolver struct {
	inv   *Inventory
	cache map[string]bitset
	seen  map[string]bool // already reported as unmatched
	m     *Match
}

func (r *resolver) evaluate(pattern string) (bitset, error) {
	parts, err := expandFileParts(splitPattern(pattern))
	if err != nil {
		return nil, err
	}
	acc := newBitset(len(r.inv.byIndex))
	for _, p := range orderPatterns(parts) {
		// Ansible takes a part naming a host as that host, before groups.
		if h, ok := r.inv.byName[p]; ok {
			acc.set(h.index)
			continue
		}
		set, err := r.matchOne(p)
		if err != nil {
			return nil, err
		}
		switch p[0] {
		case '!':
			acc.andNot(set)
		case '&':
			acc.and(set)
		default:
			acc.or(set)
		}
	}
	return acc, nil
}

// splitPattern is Ansible's split_host_pattern: commas separate parts when
// present; otherwise a string that parses as one address (an IPv6 address,
// "host:port", a range such as web[1:3]) is one part, and anything else is
// split on ':' and whitespace, keeping [...] together.
func splitPattern(p string) []string {
	var parts []string
	switch {
	case strings.Contains(p, ","):
		parts = strings.Split(p, ",")
	default:
		if _, _, ok := parseAddress(p, true); ok {
			parts = []string{p}
		} else {
			parts = rePatternParts.FindAllString(p, -1)
		}
	}
	out := parts[:0]
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var rePatternParts = regexp.MustCompile(`(?:[^\s:\[\]]|\[[^\]]*\])+`)

// orderPatterns puts unions first, then intersections, then exclusions, and
// starts from all when there is no union, as Ansible's order_patterns does.
func orderPatterns(parts []string) []string {
	var plain, and, not []string
	for _, p := range parts {
		switch p[0] {
		case '!':
			not = append(not, p)
		case '&':
			and = append(and, p)
		default:
			plain = append(plain, p)
		}
	}
	if len(plain) == 0 {
		plain = []string{groupAll}
	}
	return slices.Concat(plain, and, not)
}

// expandFileParts replaces "@file" parts with the file's lines.
func expandFileParts(parts []string) ([]string, error) {
	var out []string
	for _, p := range parts {
		if !strings.HasPrefix(p, "@") {
			out = append(out, p)
			continue
		}
		path := p[1:]
		info, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("host pattern %q: cannot read limit file: %w", p, err)
		}
		if info.IsDir() {
			return nil, fmt.Errorf("host pattern %q: a limit starting with @ must be a file, not a directory", p)
		}
		data, err := readLimited(path)
		if err != nil {
			return nil, fmt.Errorf("host pattern %q: %w", p, err)
		}
		for _, line := range splitLines(data) {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
	}
	return out, nil
}

// matchOne resolves one part, ignoring its & or ! prefix.
func (r *resolver) matchOne(p string) (bitset, error) {
	expr := p
	if p[0] == '&' || p[0] == '!' {
		expr = p[1:]
	}
	if set, ok := r.cache[expr]; ok {
		return set, nil
	}
	if expr == "" {
		return nil, fmt.Errorf("host pattern part %q is empty after its prefix", p)
	}
	base, sub, err := splitSubscript(expr)
	if err != nil {
		return nil, err
	}
	set, matched, err := r.enumerate(base)
	if err != nil {
		return nil, err
	}
	if !matched && base != groupAll && !r.seen[base] {
		r.seen[base] = true
		r.m.Unmatched = append(r.m.Unmatched, base)
	}
	if sub != nil {
		if set, err = sub.apply(set, expr); err != nil {
			return nil, err
		}
	}
	r.cache[expr] = set
	return set, nil
}

// enumerate finds the hosts of groups and hosts named by base. matched is
// true when a group or host matched, even an empty group.
func (r *resolver) enumerate(base string) (set bitset, matched bool, err error) {
	inv := r.inv
	set = newBitset(len(inv.byIndex))
	groupMatched := false
	addGroup := func(g *Group) {
		groupMatched = true
		if g.Name == groupAll {
			for _, h := range inv.hosts {
				set.set(h.index)
			}
			return
		}
		for _, idx := range g.members {
			set.set(idx)
		}
	}
	var match func(string) bool
	switch {
	case base[0] == '~':
		re, err := regexp.Compile(`^(?:` + base[1:] + `)`) // Python re.match anchors at the start only
		if err != nil {
			return nil, false, fmt.Errorf("invalid host pattern %q: %v", base, err)
		}
		match = re.MatchString
	case fnmatch.HasMeta(base):
		m, err := fnmatch.Matcher(base)
		if err != nil {
			return nil, false, fmt.Errorf("invalid host pattern %q: %v", base, err)
		}
		match = m
	}
	if match != nil {
		for _, g := range inv.byCreate {
			if match(g.Name) {
				addGroup(g)
			}
		}
		for _, h := range inv.hosts {
			if match(h.Name) {
				set.set(h.index)
			}
		}
	} else {
		if g, ok := inv.groups[base]; ok {
			addGroup(g)
		}
		// Like Ansible, a plain name is looked up as a host only when no
		// group has it, unless it has a dot.
		if !groupMatched || strings.Contains(base, ".") {
			if h, ok := inv.byName[base]; ok {
				set.set(h.index)
			}
		}
	}
	if set.empty() && !groupMatched {
		if h, ok := inv.localhost[base]; ok {
			set.set(h.index)
		}
	}
	return set, groupMatched || !set.empty(), nil
}

var reSubscript = regexp.MustCompile(`^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$`)

// subscript is Ansible's [i], [i:j] (inclusive) or [i:] selection.
type subscript struct {
	start, end int
	isRange    bool
}

func splitSubscript(expr string) (string, *subscript, error) {
	if expr[0] == '~' {
		return expr, nil, nil // a regexp's brackets are its own
	}
	m := reSubscript.FindStringSubmatch(expr)
	if m == nil {
		return expr, nil, nil
	}
	bad := func() (string, *subscript, error) {
		return "", nil, fmt.Errorf("host pattern %q: subscript out of range", expr)
	}
	if m[2] != "" {
		i, err := strconv.Atoi(m[2])
		if err != nil {
			return bad()
		}
		return m[1], &subscript{start: i}, nil
	}
	start, err := strconv.Atoi(m[3])
	if err != nil {
		return bad()
	}
	end := -1
	if m[5] != "" {
		if end, err = strconv.Atoi(m[5]); err != nil {
			return bad()
		}
	}
	// Ansible tests "if end:", so [i:0] selects the single host i.
	if end == 0 {
		return m[1], &subscript{start: start}, nil
	}
	return m[1], &subscript{start: start, end: end, isRange: true}, nil
}

func (s *subscript) apply(set bitset, expr string) (bitset, error) {
	hosts := set.indices()
	if len(hosts) == 0 {
		return set, nil
	}
	out := newBitset(len(set) * 64)
	if !s.isRange {
		i := s.start
		if i < 0 {
			i += len(hosts)
		}
		if i < 0 || i >= len(hosts) {
			return nil, fmt.Errorf("no hosts matched the subscripted pattern %q (it selects %d hosts)", expr, len(hosts))
		}
		out.set(hosts[i])
		return out, nil
	}
	end := s.end
	if end == -1 || end >= len(hosts) {
		end = len(hosts) - 1
	}
	for i := s.start; i <= end; i++ {
		out.set(hosts[i])
	}
	return out, nil
}
