package jinja

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// filters lists every filter templates may use: Jinja's built-ins that
// playbooks use and Ansible's own, with Ansible's semantics. The bodies
// live in filters_*.go by subject.
var filters map[string]*def

func init() {
	filters = map[string]*def{
		// values and undefined
		"default":    {params: []string{"default_value", "boolean"}, undefinedOK: true, fn: filterDefault},
		"mandatory":  {params: []string{"msg"}, undefinedOK: true, fn: filterMandatory},
		"ternary":    {params: []string{"true_val", "false_val", "none_val"}, fn: filterTernary},
		"bool":       {fn: filterBool},
		"int":        {params: []string{"default", "base"}, fn: filterInt},
		"float":      {params: []string{"default"}, fn: filterFloat},
		"string":     {fn: func(_ *fcall, in any) (any, error) { return pyStr(in), nil }},
		"list":       {fn: func(_ *fcall, in any) (any, error) { return iterate(in) }},
		"abs":        {fn: filterAbs},
		"round":      {params: []string{"precision", "method"}, fn: filterRound},
		"type_debug": {fn: func(_ *fcall, in any) (any, error) { return pyType(in), nil }},

		// text
		"upper":         {fn: textFilter(strings.ToUpper)},
		"lower":         {fn: textFilter(strings.ToLower)},
		"capitalize":    {fn: textFilter(capitalize)},
		"title":         {fn: textFilter(jinjaTitle)},
		"trim":          {params: []string{"chars"}, fn: filterTrim},
		"replace":       {params: []string{"old", "new", "count"}, fn: filterReplace},
		"format":        {variadic: true, fn: filterFormat},
		"split":         {params: []string{"sep", "maxsplit"}, fn: filterSplit},
		"wordcount":     {fn: func(_ *fcall, in any) (any, error) { return len(strings.Fields(pyStr(in))), nil }},
		"center":        {params: []string{"width"}, fn: filterCenter},
		"indent":        {params: []string{"width", "first", "blank"}, fn: filterIndent},
		"regex_replace": {params: []string{"regex", "replace", "ignorecase", "multiline", "count", "mandatory_count"}, fn: filterRegexReplace},
		"regex_search":  {params: []string{"regex"}, variadic: true, fn: filterRegexSearch},
		"regex_findall": {params: []string{"regex", "multiline", "ignorecase"}, fn: filterRegexFindall},
		"regex_escape":  {params: []string{"re_type"}, fn: filterRegexEscape},
		"basename":      {fn: textFilter(basename)},
		"dirname":       {fn: textFilter(dirname)},
		"splitext":      {fn: filterSplitext},
		"quote":         {fn: filterQuote},
		"b64encode":     {params: []string{"encoding"}, fn: filterB64encode},
		"b64decode":     {params: []string{"encoding"}, fn: filterB64decode},
		"hash":          {params: []string{"hashtype"}, fn: filterHash},
		"checksum":      {fn: func(c *fcall, in any) (any, error) { return hashText("sha1", pyStr(in)) }},
		"urlencode":     {fn: filterURLEncode},
		"escape":        {fn: textFilter(htmlEscape)},
		"safe":          {fn: func(_ *fcall, in any) (any, error) { return in, nil }},

		// lists
		"join":                 {params: []string{"d", "attribute"}, fn: filterJoin},
		"length":               {fn: filterLength},
		"first":                {fn: filterFirst},
		"last":                 {fn: filterLast},
		"unique":               {params: []string{"case_sensitive", "attribute"}, fn: filterUnique},
		"sort":                 {params: []string{"reverse", "case_sensitive", "attribute"}, fn: filterSort},
		"reverse":              {fn: filterReverse},
		"min":                  {params: []string{"case_sensitive", "attribute"}, fn: extremeFilter(-1)},
		"max":                  {params: []string{"case_sensitive", "attribute"}, fn: extremeFilter(1)},
		"sum":                  {params: []string{"attribute", "start"}, fn: filterSum},
		"map":                  {variadic: true, fn: filterMap},
		"select":               {variadic: true, fn: selectFilter(false, true)},
		"reject":               {variadic: true, fn: selectFilter(false, false)},
		"selectattr":           {variadic: true, fn: selectFilter(true, true)},
		"rejectattr":           {variadic: true, fn: selectFilter(true, false)},
		"flatten":              {params: []string{"levels", "skip_nulls"}, fn: filterFlatten},
		"difference":           {params: []string{"b"}, fn: setFilter(setDifference)},
		"intersect":            {params: []string{"b"}, fn: setFilter(setIntersect)},
		"union":                {params: []string{"b"}, fn: setFilter(setUnion)},
		"symmetric_difference": {params: []string{"b"}, fn: setFilter(setSymmetricDifference)},
		"zip":                  {variadic: true, fn: zipFilter(false)},
		"zip_longest":          {variadic: true, fn: zipFilter(true)},
		"batch":                {params: []string{"linecount", "fill_with"}, fn: filterBatch},
		"groupby":              {params: []string{"attribute", "default"}, fn: filterGroupby},

		// mappings and data formats
		"dict2items":    {params: []string{"key_name", "value_name"}, fn: filterDict2items},
		"items2dict":    {params: []string{"key_name", "value_name"}, fn: filterItems2dict},
		"items":         {fn: func(_ *fcall, in any) (any, error) { return mappingItems(in) }},
		"dictsort":      {params: []string{"case_sensitive", "by", "reverse"}, fn: filterDictsort},
		"combine":       {variadic: true, fn: filterCombine},
		"extract":       {params: []string{"container", "morekeys"}, fn: filterExtract},
		"to_json":       {variadic: true, fn: jsonFilter(false)},
		"to_nice_json":  {variadic: true, fn: jsonFilter(true)},
		"from_json":     {fn: filterFromJSON},
		"to_yaml":       {variadic: true, fn: yamlFilter(false)},
		"to_nice_yaml":  {variadic: true, fn: yamlFilter(true)},
		"from_yaml":     {fn: filterFromYAML},
		"from_yaml_all": {fn: filterFromYAMLAll},
	}
	addAnsibleFilters(filters) // filters_ansible.go
	alias := map[string]string{"d": "default", "count": "length", "e": "escape"}
	for short, long := range alias {
		filters[short] = filters[long]
	}
}

// filterDefault is default(value, boolean=False): value (an empty string
// when not given) for an undefined input, or with boolean also for a false
// one. None is defined, as in Jinja.
func filterDefault(c *fcall, in any) (any, error) {
	if c.undef != nil || c.bool("boolean", false) && !truthy(in) {
		return c.get("default_value", ""), nil
	}
	return in, nil
}

// filterMandatory fails on an undefined input, with msg when given. Its
// error is no undefined value: default after it does not hide it.
func filterMandatory(c *fcall, in any) (any, error) {
	if c.undef == nil {
		return in, nil
	}
	if msg, ok := c.get("msg", nil).(string); ok {
		return nil, errors.New(msg)
	}
	name := c.undef.Name
	if c.undef.Object != "" || name == "" {
		name = c.undef.Error() // an attribute: say which
	}
	//lint:ignore ST1005 Ansible's own wording
	return nil, fmt.Errorf("Mandatory variable %s not defined.", quoteString(name))
}

// filterTernary is Ansible's ternary: none_val, when given, for None.
func filterTernary(c *fcall, in any) (any, error) {
	if in == nil && c.has("none_val") {
		return c.get("none_val", nil), nil
	}
	if truthy(in) {
		return c.get("true_val", nil), nil
	}
	return c.get("false_val", nil), nil
}

// filterBool is Ansible's bool: yes/on/1/true (any case) and 1 are true,
// everything else false; None and booleans stay.
func filterBool(_ *fcall, in any) (any, error) {
	switch t := in.(type) {
	case nil, bool:
		return t, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "yes", "on", "1", "true":
			return true, nil
		}
		return false, nil
	case int:
		return t == 1, nil
	case float64:
		return t == 1, nil
	}
	return false, nil
}

// filterInt is Jinja's int: numbers truncate, text parses (in base, with
// 0x/0o/0b prefixes, or as a float), anything else gives default.
func filterInt(c *fcall, in any) (any, error) {
	def := c.get("default", 0)
	base, err := c.int("base", 10)
	if err != nil {
		return nil, err
	}
	switch t := in.(type) {
	case int:
		return t, nil
	case bool:
		n, _ := integer(t)
		return n, nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return def, nil
		}
		return int(t), nil
	case string:
		s := strings.ReplaceAll(strings.TrimSpace(t), "_", "")
		if base == 16 || base == 8 || base == 2 {
			s = strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(s), "0x"), "0o")
			s = strings.TrimPrefix(s, "0b")
		}
		if n, err := strconv.ParseInt(s, base, 64); err == nil && base >= 2 && base <= 36 {
			return int(n), nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return int(f), nil
		}
	}
	return def, nil
}

// filterFloat is Jinja's float.
func filterFloat(c *fcall, in any) (any, error) {
	def := c.get("default", 0.0)
	switch t := in.(type) {
	case float64:
		return t, nil
	case int, bool:
		f, _ := number(t)
		return f, nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(t), 64); err == nil {
			return f, nil
		}
	}
	return def, nil
}

func filterAbs(c *fcall, in any) (any, error) {
	switch t := in.(type) {
	case int:
		if t < 0 {
			return -t, nil
		}
		return t, nil
	case float64:
		return math.Abs(t), nil
	case bool:
		n, _ := integer(t)
		return n, nil
	}
	return nil, c.errorf("bad operand type for abs(): '%s'", pyType(in))
}

// filterRound is Jinja's round: method common (Python's round), ceil
// or floor; the result is a float, as in Jinja.
func filterRound(c *fcall, in any) (any, error) {
	f, ok := number(in)
	if !ok {
		return nil, c.errorf("a number is required, not %s", pyType(in))
	}
	precision, err := c.int("precision", 0)
	if err != nil {
		return nil, err
	}
	method, err := c.str("method", "common")
	if err != nil {
		return nil, err
	}
	scale := math.Pow(10, float64(precision))
	switch method {
	case "common":
		return math.RoundToEven(f*scale) / scale, nil // Python rounds half to even
	case "ceil":
		return math.Ceil(f*scale) / scale, nil
	case "floor":
		return math.Floor(f*scale) / scale, nil
	}
	return nil, c.errorf("method must be common, ceil or floor")
}
