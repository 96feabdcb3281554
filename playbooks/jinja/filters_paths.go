package jinja

// Ansible's filters for URLs and paths, and community.general.json_query
// (registered in filters_ansible.go).

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/jmespath/go-jmespath"
)

// filterURLSplit is urlsplit: Python's urllib.parse.urlsplit as a dict,
// or one of its fields.
func filterURLSplit(c *fcall, in any) (any, error) {
	parts := urlSplit(pyStr(in))
	q, err := c.str("query", "")
	if err != nil {
		return nil, err
	}
	if q == "" {
		return parts, nil
	}
	v, ok := parts[q]
	if !ok {
		return nil, c.errorf("unknown URL component: %s", q)
	}
	return v, nil
}

var schemeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+\-.]*$`)

// urlSplit is Python's urlsplit with its derived attributes.
func urlSplit(url string) map[string]any {
	url = strings.TrimLeft(url, " \t\n\r\x0b\x0c")
	url = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(url)
	scheme, netloc, query, fragment := "", "", "", ""
	if i := strings.IndexByte(url, ':'); i > 0 && schemeRe.MatchString(url[:i]) {
		scheme, url = strings.ToLower(url[:i]), url[i+1:]
	}
	if strings.HasPrefix(url, "//") {
		end := len(url)
		if i := strings.IndexAny(url[2:], "/?#"); i >= 0 {
			end = i + 2
		}
		netloc, url = url[2:end], url[end:]
	}
	url, fragment, _ = strings.Cut(url, "#")
	url, query, _ = strings.Cut(url, "?")
	out := map[string]any{"scheme": scheme, "netloc": netloc, "path": url, "query": query, "fragment": fragment,
		"username": nil, "password": nil, "hostname": nil, "port": nil}
	host := netloc
	if i := strings.LastIndexByte(netloc, '@'); i >= 0 {
		user := netloc[:i]
		host = netloc[i+1:]
		if u, p, ok := strings.Cut(user, ":"); ok {
			out["username"], out["password"] = u, p
		} else {
			out["username"] = user
		}
	}
	port := ""
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i >= 0 {
			host, port = host[1:i], strings.TrimPrefix(host[i+1:], ":")
		}
	} else if h, p, ok := strings.Cut(host, ":"); ok {
		host, port = h, p
	}
	if host != "" {
		out["hostname"] = strings.ToLower(host)
	}
	if n, err := strconv.Atoi(port); err == nil && n >= 0 && n <= 65535 {
		out["port"] = n
	}
	return out
}

// urlUnquote is Python's unquote (unquote_plus with plus).
func urlUnquote(s string, plus bool) string {
	if plus {
		s = strings.ReplaceAll(s, "+", " ")
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

var envVarRe = regexp.MustCompile(`\$(\w+|\{[^}]*\})`)

// expandVars is Python's os.path.expandvars, with tend's environment.
func expandVars(s string) string {
	return envVarRe.ReplaceAllStringFunc(s, func(m string) string {
		name := strings.Trim(m[1:], "{}")
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return m
	})
}

// realPath is Python's os.path.realpath: symlinks resolved as far as
// the path exists.
func realPath(p string) string {
	a := absPath(p)
	if r, err := filepath.EvalSymlinks(a); err == nil {
		return r
	}
	// resolve the part that exists
	dir, rest := a, ""
	for dir != "/" && dir != "." {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(r, rest)
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = filepath.Dir(dir)
	}
	return a
}

func filterRelpath(c *fcall, in any) (any, error) {
	start := "."
	if v := c.get("start", nil); v != nil {
		start = pyStr(v)
	}
	r, err := filepath.Rel(absPath(start), absPath(pyStr(in)))
	if err != nil {
		return nil, c.errorf("%s", err)
	}
	return r, nil
}

// filterPathJoin is path_join: os.path.join of a list (a later absolute
// part starts over).
func filterPathJoin(c *fcall, in any) (any, error) {
	switch t := in.(type) {
	case string:
		return t, nil
	case []any:
		out := ""
		for i, p := range t {
			s, ok := p.(string)
			if !ok {
				return nil, c.errorf("expected str, bytes or os.PathLike object, not %s", pyType(p))
			}
			if i == 0 {
				out = s
			} else {
				out = pyJoin(out, s)
			}
		}
		return out, nil
	}
	return nil, c.errorf("|path_join expects string or sequence, got %s instead.", pyType(in))
}

func isNTSep(b byte) bool { return b == '\\' || b == '/' }

// ntSplitdrive is Python's ntpath.splitdrive.
func ntSplitdrive(p string) (string, string) {
	if len(p) >= 2 {
		if isNTSep(p[0]) && isNTSep(p[1]) && (len(p) < 3 || !isNTSep(p[2])) {
			idx := strings.IndexAny(p[2:], `\/`)
			if idx < 0 {
				return p, ""
			}
			idx += 2
			idx2 := strings.IndexAny(p[idx+1:], `\/`)
			if idx2 == 0 {
				return "", p
			}
			if idx2 < 0 {
				return p, ""
			}
			idx2 += idx + 1
			return p[:idx2], p[idx2:]
		}
		if p[1] == ':' {
			return p[:2], p[2:]
		}
	}
	return "", p
}

// ntSplit is Python's ntpath.split.
func ntSplit(p string) (string, string) {
	d, rest := ntSplitdrive(p)
	i := len(rest)
	for i > 0 && !isNTSep(rest[i-1]) {
		i--
	}
	head, tail := rest[:i], rest[i:]
	if h := strings.TrimRight(head, `\/`); h != "" {
		head = h
	}
	return d + head, tail
}

// filterJSONQuery is community.general.json_query: a JMESPath search of
// the input. Integers go through JMESPath as numbers and come back as
// integers (a whole float comes back as an integer too).
func filterJSONQuery(c *fcall, in any) (any, error) {
	expr, err := c.str("expr", "")
	if err != nil {
		return nil, err
	}
	q, err := jmespath.Compile(expr)
	if err != nil {
		return nil, c.errorf("JMESPathError in json_query filter plugin:\n%s", err)
	}
	out, err := searchJMESPath(q, toJMESPath(in))
	if err != nil {
		return nil, c.errorf("JMESPathError in json_query filter plugin:\n%s", err)
	}
	return fromJMESPath(out), nil
}

func searchJMESPath(q *jmespath.JMESPath, data any) (out any, err error) {
	defer func() { // the library indexes without checks in places
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return q.Search(data)
}

func toJMESPath(v any) any {
	switch t := v.(type) {
	case int:
		return float64(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = toJMESPath(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = toJMESPath(x)
		}
		return out
	}
	return v
}

func fromJMESPath(v any) any {
	switch t := v.(type) {
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int(t)
		}
		return t
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = fromJMESPath(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = fromJMESPath(x)
		}
		return out
	}
	return v
}
