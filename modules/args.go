package modules

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"tend/internal/didyoumean"
)

// Kind is the type an argument must have.
type Kind int

const (
	String Kind = iota
	Bool        // true/false, yes/no, on/off, 1/0 as Ansible's boolean
	Int
	Path // a string; remote paths must be absolute (checked by the module)
	Mode // octal ("0644", 0o644 from YAML) or symbolic ("u=rw,g=r")
	List // a list of strings, or one comma-separated string
	Dict
	Any
)

func (k Kind) String() string {
	return [...]string{"string", "boolean", "integer", "path", "mode", "list", "dictionary", "any value"}[k]
}

// Param is one argument a module takes.
type Param struct {
	Name     string
	Kind     Kind
	Required bool
	Choices  []string
	Aliases  []string
	Default  any
	// NoLog marks secrets (passwords): never shown in output or reports.
	NoLog bool
	// NoSplit keeps a lone string given to a List as one element instead
	// of splitting it at commas (assert's that: "x in [1, 2]").
	NoSplit bool
	// OneLine refuses a String with a line break inside (at its ends one
	// is let through, for the module to trim: YAML's | ends with one): a
	// value written as one line of a file read by lines (a crontab), where
	// a line break would start a line of its own.
	OneLine bool
}

// Spec is a module's argument specification.
type Spec struct {
	Params []Param
	// FreeForm names the argument that `module: some text` fills (command
	// and shell: "cmd"). Empty: the module takes no free form, and
	// `module: a=1 b=2` text is parsed as key=value pairs.
	FreeForm string
	// RequiredOneOf lists sets of which at least one must be given;
	// Exclusive, sets of which at most one may be.
	RequiredOneOf [][]string
	Exclusive     [][]string
	// AnyKeys accepts arguments not listed in Params, as they are
	// (set_fact's variables).
	AnyKeys bool
}

// ArgError is one problem with a task's arguments.
type ArgError struct {
	Arg  string // the argument as written; "" for the whole task
	Msg  string
	Hint string
}

func (e ArgError) Error() string {
	s := e.Msg
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Args are a task's checked arguments under their canonical names, with
// defaults filled in.
type Args map[string]any

// Has reports whether the argument was given (or has a default).
func (a Args) Has(name string) bool { _, ok := a[name]; return ok }

// String returns a string argument, "" when absent.
func (a Args) String(name string) string {
	s, _ := a[name].(string)
	return s
}

// Bool returns a boolean argument, false when absent.
func (a Args) Bool(name string) bool {
	b, _ := a[name].(bool)
	return b
}

// Int returns an integer argument, 0 when absent.
func (a Args) Int(name string) int {
	n, _ := a[name].(int)
	return n
}

// List returns a list argument, nil when absent.
func (a Args) List(name string) []string {
	l, _ := a[name].([]string)
	return l
}

// IsTemplated reports whether a value still holds a Jinja expression, which
// can only be checked once rendered for a host.
func IsTemplated(v any) bool {
	s, ok := v.(string)
	return ok && (strings.Contains(s, "{{") || strings.Contains(s, "{%"))
}

// Check validates raw arguments against the spec and converts them. With
// partial set (at load time, before templating), values that still hold
// templates are accepted as they are and only names and literal values are
// checked; every problem is reported, not just the first.
func (s Spec) Check(raw map[string]any, partial bool) (Args, []ArgError) {
	byName := map[string]*Param{}
	var names []string
	for i := range s.Params {
		p := &s.Params[i]
		byName[p.Name] = p
		names = append(names, p.Name)
		for _, a := range p.Aliases {
			byName[a] = p
		}
	}
	var errs []ArgError
	out := Args{}
	bad := map[string]bool{} // given, but wrong: not missing too
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := raw[k]
		p, ok := byName[k]
		if !ok && s.AnyKeys {
			out[k] = v
			continue
		}
		if !ok {
			e := ArgError{Arg: k, Msg: fmt.Sprintf("unknown argument %q", k)}
			if near := Nearest(k, names); near != "" {
				e.Hint = fmt.Sprintf("did you mean %q?", near)
			} else {
				e.Hint = "it takes: " + strings.Join(names, ", ")
			}
			errs = append(errs, e)
			continue
		}
		if _, dup := out[p.Name]; dup {
			errs = append(errs, ArgError{Arg: k, Msg: fmt.Sprintf("%q is given twice (as %q and an alias)", p.Name, k)})
			continue
		}
		if v == nil {
			continue // `arg:` with no value is the same as leaving it out
		}
		if partial && IsTemplated(v) {
			out[p.Name] = v
			continue
		}
		cv, err := convert(p, v)
		if err != nil {
			errs = append(errs, ArgError{Arg: k, Msg: err.Error()})
			bad[p.Name] = true
			continue
		}
		out[p.Name] = cv
	}
	for _, p := range s.Params {
		if _, ok := out[p.Name]; ok {
			continue
		}
		if p.Required && !bad[p.Name] {
			errs = append(errs, ArgError{Msg: fmt.Sprintf("missing required argument %q", p.Name)})
		} else if p.Default != nil {
			out[p.Name] = p.Default
		}
	}
	for _, set := range s.RequiredOneOf {
		if countGiven(raw, byName, set) == 0 {
			errs = append(errs, ArgError{Msg: "one of " + quoteList(set) + " is required"})
		}
	}
	for _, set := range s.Exclusive {
		if countGiven(raw, byName, set) > 1 {
			errs = append(errs, ArgError{Msg: quoteList(set) + " are mutually exclusive"})
		}
	}
	return out, errs
}

func countGiven(raw map[string]any, byName map[string]*Param, set []string) int {
	n := 0
	for k, v := range raw {
		if p, ok := byName[k]; ok && v != nil {
			for _, s := range set {
				if p.Name == s {
					n++
				}
			}
		}
	}
	return n
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// convert turns a YAML value into the param's kind, as Ansible's argument
// spec does (strings from k=v text are converted too).
func convert(p *Param, v any) (any, error) {
	bad := func() (any, error) {
		return nil, fmt.Errorf("%s must be a %s, not %s", p.Name, p.Kind, describe(v))
	}
	var out any
	switch p.Kind {
	case String, Path:
		switch x := v.(type) {
		case string:
			if p.OneLine && strings.ContainsAny(strings.Trim(x, "\r\n"), "\r\n") {
				return nil, fmt.Errorf("%s must be one line: a line break in it would start another line of the file", p.Name)
			}
			out = x
		case int, int64, float64, bool:
			out = fmt.Sprint(x)
		default:
			return bad()
		}
	case Bool:
		b, ok := ToBool(v)
		if !ok {
			return bad()
		}
		out = b
	case Int:
		n, ok := toInt(v)
		if !ok {
			return bad()
		}
		out = n
	case Mode:
		switch x := v.(type) {
		case int:
			// YAML already read 0644 as octal; a bare 644 is decimal, as in
			// Ansible, and that is almost never what was meant.
			if x < 0 || x > 0o7777 {
				return nil, fmt.Errorf("%s %d is not a valid mode (quote it: '0644')", p.Name, x)
			}
			out = fmt.Sprintf("%04o", x)
		case string:
			if err := checkMode(x); err != nil {
				return nil, fmt.Errorf("%s: %v", p.Name, err)
			}
			out = x
		default:
			return bad()
		}
	case List:
		switch x := v.(type) {
		case string:
			if p.NoSplit {
				out = []string{x}
				break
			}
			var l []string
			for _, s := range strings.Split(x, ",") {
				if s = strings.TrimSpace(s); s != "" {
					l = append(l, s)
				}
			}
			out = l
		case []any:
			l := make([]string, 0, len(x))
			for _, e := range x {
				switch e := e.(type) {
				case string:
					l = append(l, e)
				case int, int64, float64, bool:
					l = append(l, fmt.Sprint(e))
				default:
					return bad()
				}
			}
			out = l
		case []string:
			out = x
		default:
			return bad()
		}
	case Dict:
		if _, ok := v.(map[string]any); !ok {
			return bad()
		}
		out = v
	default:
		out = v
	}
	if len(p.Choices) > 0 {
		s := fmt.Sprint(out)
		found := false
		for _, c := range p.Choices {
			found = found || c == s
		}
		if !found {
			return nil, fmt.Errorf("%s must be one of %s, not %q", p.Name, quoteList(p.Choices), s)
		}
	}
	return out, nil
}

func describe(v any) string {
	switch x := v.(type) {
	case []any:
		return "a list"
	case map[string]any:
		return "a dictionary"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprintf("%v", v)
}

// ToBool reads a boolean as Ansible does.
func ToBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "yes", "on", "true", "1", "y", "t":
			return true, true
		case "no", "off", "false", "0", "n", "f":
			return false, true
		}
	}
	return false, false
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x), true
		}
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

// Nearest returns the candidate closest to s by edit distance, if it is
// close enough to be a likely typo.
func Nearest(s string, candidates []string) string {
	best, bestD := didyoumean.Closest(s, candidates)
	if bestD <= max(2, len(s)/3) {
		return best
	}
	return ""
}

// EditDistance is the Levenshtein distance between a and b.
func EditDistance(a, b string) int { return didyoumean.Distance(a, b) }
