package jinja

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// More of Ansible's filters (ansible.builtin's core.py, mathstuff.py,
// urlsplit.py, urls.py) and a few of its collections'. They are added to
// filters by addAnsibleFilters, from filters.go's init.

func addAnsibleFilters(f map[string]*def) {
	more := map[string]*def{
		"password_hash": {params: []string{"hashtype", "salt", "salt_size", "rounds", "ident"}, fn: filterPasswordHash},
		"strftime":      {params: []string{"second", "utc"}, fn: filterStrftime},
		"random":        {params: []string{"start", "step", "seed"}, fn: filterRandom},
		"shuffle":       {params: []string{"seed"}, fn: filterShuffle},
		"to_uuid":       {params: []string{"namespace"}, fn: filterToUUID},
		"md5": {fn: func(_ *fcall, in any) (any, error) {
			s := md5.Sum([]byte(pyStr(in)))
			return hex.EncodeToString(s[:]), nil
		}},
		"sha1": {fn: func(_ *fcall, in any) (any, error) {
			s := sha1.Sum([]byte(pyStr(in)))
			return hex.EncodeToString(s[:]), nil
		}},
		"comment":         {params: []string{"style"}, variadic: true, fn: filterComment},
		"subelements":     {params: []string{"subelements", "skip_missing"}, fn: filterSubelements},
		"product":         {variadic: true, fn: filterProduct}, // repeat= by keyword only
		"permutations":    {params: []string{"r"}, fn: filterPermutations},
		"combinations":    {params: []string{"r"}, fn: filterCombinations},
		"log":             {params: []string{"base"}, fn: filterLog},
		"pow":             {params: []string{"y"}, fn: filterPow},
		"root":            {params: []string{"base"}, fn: filterRoot},
		"human_readable":  {params: []string{"isbits", "unit"}, fn: filterHumanReadable},
		"human_to_bytes":  {params: []string{"default_unit", "isbits"}, fn: filterHumanToBytes},
		"rekey_on_member": {params: []string{"key", "duplicates"}, fn: filterRekeyOnMember},
		"urlsplit":        {params: []string{"query"}, fn: filterURLSplit},
		"urldecode":       {fn: textFilter(func(s string) string { return urlUnquote(s, true) })},
		"expanduser":      {fn: textFilter(expandUser)},
		"expandvars":      {fn: textFilter(expandVars)},
		"realpath":        {fn: textFilter(realPath)},
		"relpath":         {params: []string{"start"}, fn: filterRelpath},
		"path_join":       {fn: filterPathJoin},
		"fileglob":        {fn: func(_ *fcall, in any) (any, error) { return orEmpty(globFiles(pyStr(in))), nil }},
		"win_basename":    {fn: textFilter(func(s string) string { _, t := ntSplit(s); return t })},
		"win_dirname":     {fn: textFilter(func(s string) string { h, _ := ntSplit(s); return h })},
		"win_splitdrive":  {fn: func(_ *fcall, in any) (any, error) { d, p := ntSplitdrive(pyStr(in)); return []any{d, p}, nil }},
		"json_query":      {params: []string{"expr"}, fn: filterJSONQuery},
	}
	for name, d := range more {
		f[name] = d
	}
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// filterPasswordHash is password_hash(hashtype='sha512', salt, salt_size,
// rounds, ident): a crypt(3) hash (see crypt.go).
func filterPasswordHash(c *fcall, in any) (any, error) {
	hashtype, err := c.str("hashtype", "sha512")
	if err != nil {
		return nil, err
	}
	salt := ""
	if v := c.get("salt", nil); v != nil {
		salt = pyStr(v)
	}
	size, err := c.int("salt_size", 0)
	if err != nil {
		return nil, err
	}
	rounds := 0
	if v := c.get("rounds", nil); v != nil {
		if rounds, err = c.int("rounds", 0); err != nil {
			return nil, err
		}
	}
	out, err := cryptHash(pyStr(in), hashtype, salt, size, rounds)
	if err != nil {
		return nil, c.errorf("%s", err)
	}
	return out, nil
}

// filterStrftime is `format | strftime(second=None, utc=False)`: the time
// (now, or the epoch seconds given) formatted as Python's time.strftime.
func filterStrftime(c *fcall, in any) (any, error) {
	t := time.Now()
	if v := c.get("second", nil); v != nil {
		f, ok := number(v)
		if s, isText := v.(string); isText {
			var err error
			f, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
			ok = err == nil
		}
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e14 {
			return nil, c.errorf("Invalid value for epoch value (%s)", pyStr(v))
		}
		t = time.Unix(int64(f), 0)
	}
	if c.bool("utc", false) {
		t = t.UTC()
	} else {
		t = t.Local()
	}
	return strftime(pyStr(in), t), nil
}

var (
	weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	months   = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// strftime is C's strftime in the C locale, for the directives Python
// documents and glibc's common extensions.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'a':
			b.WriteString(weekdays[t.Weekday()][:3])
		case 'A':
			b.WriteString(weekdays[t.Weekday()])
		case 'b', 'h':
			b.WriteString(months[t.Month()-1][:3])
		case 'B':
			b.WriteString(months[t.Month()-1])
		case 'c':
			b.WriteString(strftime("%a %b %e %H:%M:%S %Y", t))
		case 'C':
			fmt.Fprintf(&b, "%02d", t.Year()/100)
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'D', 'x':
			b.WriteString(strftime("%m/%d/%y", t))
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'F':
			b.WriteString(strftime("%Y-%m-%d", t))
		case 'G':
			y, _ := t.ISOWeek()
			fmt.Fprintf(&b, "%d", y)
		case 'g':
			y, _ := t.ISOWeek()
			fmt.Fprintf(&b, "%02d", y%100)
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", (t.Hour()+11)%12+1)
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'k':
			fmt.Fprintf(&b, "%2d", t.Hour())
		case 'l':
			fmt.Fprintf(&b, "%2d", (t.Hour()+11)%12+1)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'n':
			b.WriteByte('\n')
		case 'p':
			b.WriteString(map[bool]string{true: "AM", false: "PM"}[t.Hour() < 12])
		case 'P':
			b.WriteString(map[bool]string{true: "am", false: "pm"}[t.Hour() < 12])
		case 'r':
			b.WriteString(strftime("%I:%M:%S %p", t))
		case 'R':
			b.WriteString(strftime("%H:%M", t))
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 't':
			b.WriteByte('\t')
		case 'T', 'X':
			b.WriteString(strftime("%H:%M:%S", t))
		case 'u':
			fmt.Fprintf(&b, "%d", (int(t.Weekday())+6)%7+1)
		case 'U':
			fmt.Fprintf(&b, "%02d", (t.YearDay()+6-int(t.Weekday()))/7)
		case 'V':
			_, w := t.ISOWeek()
			fmt.Fprintf(&b, "%02d", w)
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'W':
			fmt.Fprintf(&b, "%02d", (t.YearDay()+6-(int(t.Weekday())+6)%7)/7)
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			name, _ := t.Zone()
			b.WriteString(name)
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// seedOf reads a seed argument: None (the system's randomness), text or
// an integer.
func (c *fcall) seedOf(name string) (*pyRandom, error) {
	r, err := newPyRandom(c.get(name, nil))
	if err != nil {
		return nil, c.errorf("%s", err)
	}
	return r, nil
}

// filterRandom is Ansible's random: an integer in range(start, end,
// step) for an integer input, else an element of it; with seed, the one
// Python's random.Random(seed) picks.
func filterRandom(c *fcall, in any) (any, error) {
	r, err := c.seedOf("seed")
	if err != nil {
		return nil, err
	}
	if n, ok := in.(int); ok {
		start, err := c.int("start", 0)
		if err != nil {
			return nil, err
		}
		step, err := c.int("step", 1)
		if err != nil {
			return nil, err
		}
		if step == 0 {
			step = 1 // as Ansible: `if not step`
		}
		v, err := r.randrange(start, n, step)
		if err != nil {
			return nil, c.errorf("%s", err)
		}
		return v, nil
	}
	if truthy(c.get("start", nil)) || truthy(c.get("step", nil)) {
		return nil, c.errorf("start and step can only be used with integer values")
	}
	switch in.(type) {
	case string, []any:
		items, _ := iterate(in)
		if len(items) == 0 {
			return nil, c.errorf("Cannot choose from an empty sequence")
		}
		return items[r.below(len(items))], nil
	}
	return nil, c.errorf("random can only be used on sequences and integers")
}

// filterShuffle is Ansible's shuffle: a new list, in Python's order for
// a seed.
func filterShuffle(c *fcall, in any) (any, error) {
	items, err := iterate(in)
	if err != nil {
		return in, nil // as Ansible: what cannot be listed comes back
	}
	out := append([]any{}, items...)
	seed := c.get("seed", nil)
	if !truthy(seed) {
		seed = nil
	}
	r, err := newPyRandom(seed)
	if err != nil {
		return nil, c.errorf("%s", err)
	}
	r.shuffle(out)
	return out, nil
}

// ansibleNamespace is Ansible's UUID_NAMESPACE_ANSIBLE.
const ansibleNamespace = "361E6D51-FAEC-444A-9079-341386DA8E2E"

// filterToUUID is to_uuid: a version 5 UUID of the text in namespace.
func filterToUUID(c *fcall, in any) (any, error) {
	ns, err := c.str("namespace", ansibleNamespace)
	if err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(strings.NewReplacer("-", "", "{", "", "}", "", "urn:uuid:", "").Replace(strings.ToLower(ns)))
	if err != nil || len(raw) != 16 {
		return nil, c.errorf("Invalid value '%s' for 'namespace': badly formed hexadecimal UUID string", ns)
	}
	sum := sha1.Sum(append(raw, []byte(pyStr(in))...))
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// commentStyles are the comment filter's predefined styles.
var commentStyles = map[string]map[string]string{
	"plain":  {"decoration": "# "},
	"erlang": {"decoration": "% "},
	"c":      {"decoration": "// "},
	"cblock": {"beginning": "/*", "decoration": " * ", "end": " */"},
	"xml":    {"beginning": "<!--", "decoration": " - ", "end": "-->"},
}

// filterComment is Ansible's comment: the text as a comment block of a
// style, each part overridable by keyword.
func filterComment(c *fcall, in any) (any, error) {
	style, err := c.str("style", "plain")
	if err != nil {
		return nil, err
	}
	sp, ok := commentStyles[style]
	if !ok {
		return nil, c.errorf("unknown style %s", quoteString(style))
	}
	text := pyStr(in)
	kw := map[string]string{}
	counts := map[string]int{"prefix_count": 1, "postfix_count": 1}
	for k, v := range c.extra {
		if k == "prefix_count" || k == "postfix_count" {
			n, ok := integer(v)
			if s, isText := v.(string); isText {
				i, err := strconv.Atoi(s)
				n, ok = i, err == nil
			}
			if !ok || n > 10000 {
				return nil, c.errorf("%s must be an integer", k)
			}
			counts[k] = n
			continue
		}
		kw[k] = pyStr(v)
	}
	prepost := sp["decoration"]
	if d, ok := kw["decoration"]; ok {
		prepost = d
	}
	p := map[string]string{"newline": "\n", "beginning": "", "prefix": strings.TrimRight(prepost, " \t\n"),
		"decoration": "", "postfix": strings.TrimRight(prepost, " \t\n"), "end": ""}
	for k, v := range sp {
		p[k] = v
	}
	for k, v := range kw {
		p[k] = v
	}
	nl := p["newline"]
	var b strings.Builder
	if p["beginning"] != "" {
		b.WriteString(p["beginning"] + nl)
	}
	if p["prefix"] != "" {
		unit := p["prefix"] + nl
		if p["prefix"] == nl {
			unit = nl
		}
		b.WriteString(strings.Repeat(unit, max(counts["prefix_count"], 0)))
	}
	dec := p["decoration"]
	body := dec + strings.ReplaceAll(text, nl, nl+dec)
	if nl != "" {
		body = strings.ReplaceAll(body, dec+nl, strings.TrimRight(dec, " \t\n")+nl)
	}
	b.WriteString(body)
	for range max(counts["postfix_count"], 0) {
		b.WriteString(nl + p["postfix"])
	}
	if p["end"] != "" {
		b.WriteString(nl + p["end"])
	}
	return b.String(), nil
}

// filterSubelements is the subelements filter: [element, value] for each
// value of the list under the (dotted, or list of keys) path.
func filterSubelements(c *fcall, in any) (any, error) {
	var elements []any
	switch t := in.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			elements = append(elements, t[k])
		}
	case []any:
		elements = t
	default:
		return nil, c.errorf("obj must be a list of dicts or a nested dict")
	}
	var path []any
	switch s := c.get("subelements", nil).(type) {
	case string:
		for _, p := range strings.Split(s, ".") {
			path = append(path, p)
		}
	case []any:
		path = s
	default:
		return nil, c.errorf("subelements must be a list or a string")
	}
	skip := c.bool("skip_missing", false)
	out := []any{}
	for _, el := range elements {
		values := el
		var last any
		for _, key := range path {
			last = key
			m, ok := values.(map[string]any)
			if !ok {
				return nil, c.errorf("the key %s should point to a dictionary, got '%s'", pyStr(key), pyStr(values))
			}
			v, found := m[keyString(key)]
			if !found {
				if skip {
					values = []any{}
					break
				}
				return nil, c.errorf("could not find %s key in iterated item %s", pyRepr(key), pyRepr(values))
			}
			values = v
		}
		list, ok := values.([]any)
		if !ok {
			return nil, c.errorf("the key %s should point to a list, got %s", pyRepr(last), pyRepr(values))
		}
		for _, v := range list {
			out = append(out, []any{el, v})
		}
	}
	return out, nil
}

// filterProduct is itertools.product(input, *lists, repeat=1), as lists.
func filterProduct(c *fcall, in any) (any, error) {
	first, err := iterate(in)
	if err != nil {
		return nil, err
	}
	pools := [][]any{first}
	for _, a := range c.rest {
		l, err := iterate(a)
		if err != nil {
			return nil, err
		}
		pools = append(pools, l)
	}
	repeat := 1
	if v, ok := c.extra["repeat"]; ok {
		n, ok := integer(v)
		if !ok {
			return nil, c.errorf("repeat must be an integer, not %s", pyType(v))
		}
		repeat = n
		delete(c.extra, "repeat")
	}
	for k := range c.extra {
		return nil, c.errorf("got an unexpected keyword argument '%s'", k)
	}
	var all [][]any
	for range max(repeat, 0) {
		all = append(all, pools...)
	}
	total := 1
	for _, p := range all {
		total *= len(p)
		if total > maxItems {
			return nil, c.errorf("the product has more than %d items", maxItems)
		}
	}
	out := []any{[]any{}}
	for _, p := range all {
		var next []any
		for _, prefix := range out {
			for _, x := range p {
				next = append(next, append(append([]any{}, prefix.([]any)...), x))
			}
		}
		out = next
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// filterPermutations is itertools.permutations(input, r), as lists.
func filterPermutations(c *fcall, in any) (any, error) {
	pool, err := iterate(in)
	if err != nil {
		return nil, err
	}
	r := len(pool)
	if v := c.get("r", nil); v != nil {
		if r, err = c.int("r", 0); err != nil {
			return nil, err
		}
	}
	if r < 0 {
		return nil, c.errorf("r must be non-negative")
	}
	out := []any{}
	if r > len(pool) {
		return out, nil
	}
	used := make([]bool, len(pool))
	var cur []any
	var walk func() error
	walk = func() error {
		if len(out) > maxItems {
			return c.errorf("more than %d permutations", maxItems)
		}
		if len(cur) == r {
			out = append(out, append([]any{}, cur...))
			return nil
		}
		for i, x := range pool {
			if used[i] {
				continue
			}
			used[i] = true
			cur = append(cur, x)
			if err := walk(); err != nil {
				return err
			}
			cur = cur[:len(cur)-1]
			used[i] = false
		}
		return nil
	}
	return out, walk()
}

// filterCombinations is itertools.combinations(input, r), as lists.
func filterCombinations(c *fcall, in any) (any, error) {
	pool, err := iterate(in)
	if err != nil {
		return nil, err
	}
	if !c.has("r") {
		return nil, c.errorf("missing required argument 'r'")
	}
	r, err := c.int("r", 0)
	if err != nil {
		return nil, err
	}
	if r < 0 {
		return nil, c.errorf("r must be non-negative")
	}
	out := []any{}
	var cur []any
	var walk func(start int) error
	walk = func(start int) error {
		if len(out) > maxItems {
			return c.errorf("more than %d combinations", maxItems)
		}
		if len(cur) == r {
			out = append(out, append([]any{}, cur...))
			return nil
		}
		for i := start; i < len(pool); i++ {
			cur = append(cur, pool[i])
			if err := walk(i + 1); err != nil {
				return err
			}
			cur = cur[:len(cur)-1]
		}
		return nil
	}
	return out, walk(0)
}

func (c *fcall) number(name string, def float64) (float64, error) {
	v, ok := c.named[name]
	if !ok {
		return def, nil
	}
	f, ok := number(v)
	if !ok {
		return 0, c.errorf("%s must be a number, not %s", name, pyType(v))
	}
	return f, nil
}

func filterLog(c *fcall, in any) (any, error) {
	x, ok := number(in)
	if !ok {
		return nil, c.errorf("log() can only be used on numbers")
	}
	base, err := c.number("base", math.E)
	if err != nil {
		return nil, err
	}
	if x <= 0 || base <= 0 || base == 1 {
		return nil, c.errorf("math domain error")
	}
	if base == 10 {
		return math.Log10(x), nil
	}
	return math.Log(x) / math.Log(base), nil
}

func filterPow(c *fcall, in any) (any, error) {
	x, ok := number(in)
	if !ok {
		return nil, c.errorf("pow() can only be used on numbers")
	}
	y, err := c.number("y", math.NaN())
	if err != nil || math.IsNaN(y) {
		return nil, c.errorf("pow() takes a number exponent")
	}
	out := math.Pow(x, y)
	if math.IsNaN(out) || math.IsInf(out, 0) {
		return nil, c.errorf("math range error")
	}
	return out, nil
}

func filterRoot(c *fcall, in any) (any, error) {
	x, ok := number(in)
	if !ok {
		return nil, c.errorf("root() can only be used on numbers")
	}
	base, err := c.number("base", 2)
	if err != nil {
		return nil, err
	}
	if base == 2 {
		if x < 0 {
			return nil, c.errorf("root() can only be used on numbers: math domain error")
		}
		return math.Sqrt(x), nil
	}
	out := math.Pow(x, 1/base)
	if math.IsNaN(out) {
		return nil, c.errorf("root() can only be used on numbers: math domain error")
	}
	return out, nil
}

var sizeUnits = []struct {
	suffix string
	limit  float64
}{{"Y", 1 << 80}, {"Z", 1 << 70}, {"E", 1 << 60}, {"P", 1 << 50}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}

// filterHumanReadable is Ansible's bytes_to_human.
func filterHumanReadable(c *fcall, in any) (any, error) {
	size, ok := number(in)
	if s, isText := in.(string); isText {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		size, ok = f, err == nil
	}
	if !ok {
		return nil, c.errorf("human_readable() can't interpret following string: %s", pyStr(in))
	}
	base := "Bytes"
	if c.bool("isbits", false) {
		base = "bits"
	}
	unit, _ := c.get("unit", nil).(string)
	suffix, limit := "", 1.0
	for _, u := range sizeUnits {
		suffix, limit = u.suffix, u.limit
		if unit == "" && size >= limit || unit != "" && strings.ToUpper(unit)[:1] == u.suffix {
			break
		}
	}
	if limit != 1 {
		suffix += base[:1]
	} else {
		suffix = base
	}
	return fmt.Sprintf("%.2f %s", size/limit, suffix), nil
}

var humanRe = regexp.MustCompile(`^\s*(\d*\.?\d*)\s*([A-Za-z]+)?`)

// filterHumanToBytes is Ansible's human_to_bytes.
func filterHumanToBytes(c *fcall, in any) (any, error) {
	text := pyStr(in)
	m := humanRe.FindStringSubmatch(text)
	num, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return nil, c.errorf("human_to_bytes() can't interpret following number: %s (original input string: %s)", m[1], text)
	}
	unit := m[2]
	if unit == "" {
		unit, _ = c.get("default_unit", nil).(string)
	}
	if unit == "" {
		return int(math.RoundToEven(num)), nil
	}
	key := strings.ToUpper(unit[:1])
	limit := 0.0
	for _, u := range sizeUnits {
		if u.suffix == key {
			limit = u.limit
		}
	}
	if limit == 0 {
		return nil, c.errorf("human_to_bytes() failed to convert %s (unit = %s). The suffix must be one of Y, Z, E, P, T, G, M, K, B", text, unit)
	}
	class, className := "B", "byte"
	if c.bool("isbits", false) {
		class, className = "b", "bit"
	}
	if len(unit) > 1 && !strings.Contains(strings.ToLower(unit), className) && unit[1:2] != class {
		expect := fmt.Sprintf("expect %s%s or %s", key, class, key)
		if key == "B" {
			expect = fmt.Sprintf("expect %s or %s", class, className)
		}
		return nil, c.errorf("human_to_bytes() failed to convert %s. Value is not a valid string (%s)", text, expect)
	}
	v := math.RoundToEven(num * limit)
	if v > math.MaxInt64/2 {
		return v, nil
	}
	return int(v), nil
}

// filterRekeyOnMember makes a dict of the dicts in a list (or a dict's
// values), keyed by each one's member key.
func filterRekeyOnMember(c *fcall, in any) (any, error) {
	dup, err := c.str("duplicates", "error")
	if err != nil {
		return nil, err
	}
	if dup != "error" && dup != "overwrite" {
		return nil, c.errorf("duplicates parameter to rekey_on_member has unknown value: %s", dup)
	}
	var items []any
	switch t := in.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			items = append(items, t[k])
		}
	case []any:
		items = t
	default:
		return nil, c.errorf("Type is not a valid list, set, or dict")
	}
	key := c.get("key", nil)
	out := map[string]any{}
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, c.errorf("List item is not a valid dict")
		}
		k, ok := m[keyString(key)]
		if !ok {
			return nil, c.errorf("Key %s was not found", pyStr(key))
		}
		ks := keyString(k)
		if _, seen := out[ks]; seen && dup == "error" {
			return nil, c.errorf("Key %s is not unique, cannot correctly turn into dict", pyStr(k))
		}
		out[ks] = m
	}
	return out, nil
}
