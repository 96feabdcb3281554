package modules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// pipReq is one requirement of pip's name list: a distribution and the
// versions that satisfy it. A URL or path (git+https://..., ./pkg) has no
// name tend can look up: opaque says so.
type pipReq struct {
	arg    string // as it goes to pip
	name   string // canonical (PEP 503)
	specs  [][2]string
	opaque bool
}

var (
	pipReqRe  = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$`)
	pipSpecRe = regexp.MustCompile(`^(===|~=|==|!=|>=|<=|>|<)\s*([A-Za-z0-9.*+!_-]+)$`)
	pipCanon  = regexp.MustCompile(`[-_.]+`)
)

func canonPip(n string) string { return strings.ToLower(pipCanon.ReplaceAllString(n, "-")) }

// parsePipReq reads "name[extra]>=1,<2"; version, when given, applies to
// a bare name (as Ansible's version argument: ==version, or the
// specifier it starts with).
func parsePipReq(s, version string) (pipReq, error) {
	r := pipReq{arg: s}
	if strings.ContainsAny(s, "/@;") || strings.HasPrefix(s, ".") {
		r.opaque = true
		return r, nil
	}
	m := pipReqRe.FindStringSubmatch(s)
	if m == nil {
		return r, fmt.Errorf("cannot parse the package %q", s)
	}
	r.name = canonPip(m[1])
	spec := m[3]
	if version != "" {
		if spec != "" {
			return r, fmt.Errorf("The 'version' argument conflicts with any version specifier provided along with a package name. Please keep the version specifier, but remove the 'version' argument.")
		}
		spec = strings.TrimSpace(version)
		if spec != "" && !strings.ContainsAny(spec[:1], "=!<>~") {
			spec = "==" + spec
		}
		r.arg = s + spec
	}
	if spec == "" {
		return r, nil
	}
	for _, p := range strings.Split(spec, ",") {
		sm := pipSpecRe.FindStringSubmatch(strings.TrimSpace(p))
		if sm == nil {
			return r, fmt.Errorf("cannot parse the version specifier %q in %q", p, s)
		}
		r.specs = append(r.specs, [2]string{sm[1], sm[2]})
	}
	return r, nil
}

// satisfied says whether version v meets every specifier.
func (r pipReq) satisfied(v string) bool {
	for _, sp := range r.specs {
		op, want := sp[0], sp[1]
		if strings.HasSuffix(want, ".*") && (op == "==" || op == "!=") {
			pre := strings.TrimSuffix(want, ".*")
			in := v == pre || strings.HasPrefix(v, pre+".")
			if in != (op == "==") {
				return false
			}
			continue
		}
		c := cmpPipVersion(v, want)
		ok := false
		switch op {
		case "===":
			ok = v == want
		case "==":
			ok = c == 0
		case "!=":
			ok = c != 0
		case ">=":
			ok = c >= 0
		case "<=":
			ok = c <= 0
		case ">":
			ok = c > 0
		case "<":
			ok = c < 0
		case "~=":
			parts := strings.Split(want, ".")
			pre := strings.Join(parts[:max(1, len(parts)-1)], ".")
			ok = c >= 0 && (v == pre || strings.HasPrefix(v, pre+"."))
		}
		if !ok {
			return false
		}
	}
	return true
}

// cmpPipVersion compares dotted versions, numerically where both parts
// are numbers; 1.0 equals 1.0.0 (PEP 440's release segment).
func cmpPipVersion(a, b string) int {
	pa, pb := strings.Split(strings.TrimPrefix(a, "v"), "."), strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		x, y := "0", "0"
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		nx, ex := strconv.Atoi(x)
		ny, ey := strconv.Atoi(y)
		switch {
		case ex == nil && ey == nil:
			if nx != ny {
				if nx < ny {
					return -1
				}
				return 1
			}
		case x != y:
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// parseFreeze reads pip freeze / pip list --format=freeze: canonical
// name to version; other lines (-e, name @ url) are skipped, as Ansible's
// _is_present does.
func parseFreeze(out []byte) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		n, v, ok := strings.Cut(strings.TrimSpace(l), "==")
		if ok {
			m[canonPip(n)] = v
		}
	}
	return m
}
