package jinja

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The version test: `ansible_distribution_version is version('12', '>=')`.

func testVersion(c *fcall, in any) (any, error) {
	want := c.get("version", nil)
	if want == nil {
		return nil, c.errorf("version value is required")
	}
	op, err := c.str("operator", "eq")
	if err != nil {
		return nil, err
	}
	kind, err := c.str("version_type", "loose")
	if err != nil {
		return nil, err
	}
	if c.bool("strict", false) && !c.has("version_type") {
		kind = "strict"
	}
	cmp, err := compareVersions(pyStr(in), pyStr(want), kind)
	if err != nil {
		return nil, c.errorf("%v", err)
	}
	switch op {
	case "==", "=", "eq":
		return cmp == 0, nil
	case "!=", "<>", "ne":
		return cmp != 0, nil
	case "<", "lt":
		return cmp < 0, nil
	case "<=", "le":
		return cmp <= 0, nil
	case ">", "gt":
		return cmp > 0, nil
	case ">=", "ge":
		return cmp >= 0, nil
	}
	return nil, c.errorf("invalid operator type (%s)", op)
}

func compareVersions(a, b, kind string) (int, error) {
	switch kind {
	case "loose", "pep440":
		return compareParts(looseParts(a), looseParts(b)), nil
	case "strict":
		pa, err := strictParts(a)
		if err != nil {
			return 0, err
		}
		pb, err := strictParts(b)
		if err != nil {
			return 0, err
		}
		return compareParts(pa, pb), nil
	case "semver", "semantic":
		return compareSemver(a, b)
	}
	return 0, fmt.Errorf("invalid version type (%s)", kind)
}

var looseRe = regexp.MustCompile(`\d+|[a-z]+|\.`)

// looseParts splits like Python's LooseVersion: runs of digits (as
// numbers), of lowercase letters, and whatever lies between, dots dropped.
func looseParts(v string) []any {
	var parts []any
	add := func(s string) {
		if s == "" || s == "." {
			return
		}
		if n, err := strconv.Atoi(s); err == nil {
			parts = append(parts, n)
		} else {
			parts = append(parts, s)
		}
	}
	last := 0
	for _, m := range looseRe.FindAllStringIndex(v, -1) {
		add(v[last:m[0]])
		add(v[m[0]:m[1]])
		last = m[1]
	}
	add(v[last:])
	return parts
}

var strictRe = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?$`)

// strictParts parses Python's StrictVersion: a prerelease (a1, b2) sorts
// before the release itself.
func strictParts(v string) ([]any, error) {
	m := strictRe.FindStringSubmatch(v)
	if m == nil {
		return nil, fmt.Errorf("invalid version number '%s'", v)
	}
	n := func(s string) int { i, _ := strconv.Atoi(s); return i }
	parts := []any{n(m[1]), n(m[2]), n(m[3])}
	if m[4] != "" {
		return append(parts, 0, m[4], n(m[5])), nil
	}
	return append(parts, 1), nil
}

// compareParts orders part lists: numbers numerically, text as text, a
// number before text (where Python 3 would fail), a prefix first.
func compareParts(a, b []any) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, xNum := a[i].(int)
		y, yNum := b[i].(int)
		switch {
		case xNum && yNum:
			if c := cmpInt(x, y); c != 0 {
				return c
			}
		case xNum:
			return -1
		case yNum:
			return 1
		default:
			if c := strings.Compare(a[i].(string), b[i].(string)); c != 0 {
				return c
			}
		}
	}
	return cmpInt(len(a), len(b))
}

var semverRe = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$`)

func compareSemver(a, b string) (int, error) {
	ma, mb := semverRe.FindStringSubmatch(a), semverRe.FindStringSubmatch(b)
	if ma == nil {
		return 0, fmt.Errorf("invalid semantic version '%s'", a)
	}
	if mb == nil {
		return 0, fmt.Errorf("invalid semantic version '%s'", b)
	}
	for i := 1; i <= 3; i++ {
		x, _ := strconv.Atoi(ma[i])
		y, _ := strconv.Atoi(mb[i])
		if c := cmpInt(x, y); c != 0 {
			return c, nil
		}
	}
	switch pa, pb := ma[4], mb[4]; {
	case pa == pb:
		return 0, nil
	case pa == "":
		return 1, nil
	case pb == "":
		return -1, nil
	default:
		return compareParts(prereleaseParts(pa), prereleaseParts(pb)), nil
	}
}

func prereleaseParts(p string) []any {
	var parts []any
	for _, s := range strings.Split(p, ".") {
		if n, err := strconv.Atoi(s); err == nil {
			parts = append(parts, n)
		} else {
			parts = append(parts, s)
		}
	}
	return parts
}
