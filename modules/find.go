package modules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// findModule is Ansible's find: it only reads. The probe lists each path
// with one find, which hands the names in batches to one sh and one stat
// -c (so a listing costs a few processes, not one per file); Go applies
// every filter (patterns, excludes, type, age, size, hidden, depth) to
// that listing, as Ansible's os.walk loop does. What Go cannot get from
// stat is read on the host only for regular files that may match: their
// sha1 (get_checksum) and their bytes (contains), narrowed in sh by the
// name patterns where those are plain globs.
//
// Where tend differs: a folder that cannot be read during the walk is
// reported in skipped_paths with find's message, and what was found
// elsewhere is kept (Ansible stops that path at the error); times are
// whole seconds; paths are absolute, or start with ~/ (no $VARIABLES).
type findModule struct{}

func init() { Register("find", findModule{}) }

func (findModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "paths", Kind: List, Required: true, Aliases: []string{"name", "path"}},
		{Name: "patterns", Kind: List, Default: []string{}, Aliases: []string{"pattern"}},
		{Name: "excludes", Kind: List, Aliases: []string{"exclude"}},
		{Name: "contains", Kind: String},
		{Name: "read_whole_file", Kind: Bool, Default: false},
		{Name: "file_type", Kind: String, Default: "file", Choices: []string{"any", "directory", "file", "link"}},
		{Name: "age", Kind: String},
		{Name: "age_stamp", Kind: String, Default: "mtime", Choices: []string{"atime", "ctime", "mtime"}},
		{Name: "size", Kind: String},
		{Name: "recurse", Kind: Bool, Default: false},
		{Name: "hidden", Kind: Bool, Default: false},
		{Name: "follow", Kind: Bool, Default: false},
		{Name: "get_checksum", Kind: Bool, Default: false},
		{Name: "use_regex", Kind: Bool, Default: false},
		{Name: "depth", Kind: Int},
	}}
}

type findTask struct {
	paths                   []string
	patterns, excludes      []*regexp.Regexp
	globs, globExcl         []string // as given, for the sh pre-filter
	contains                *regexp.Regexp
	wholeFile               bool
	fileType, ageStamp      string
	age, size               int64
	hasAge, hasSize         bool
	recurse, hidden, follow bool
	checksum, useRegex      bool
	depth                   int
}

var (
	ageRE  = regexp.MustCompile(`^(-?\d+)(s|m|h|d|w)?$`)
	sizeRE = regexp.MustCompile(`^(-?\d+)(b|k|m|g|t)?$`)
	varRE  = regexp.MustCompile(`\$[A-Za-z_{]`)
)

func readFindTask(t *Task) (findTask, error) {
	a := t.Args
	ft := findTask{
		paths: a.List("paths"), wholeFile: a.Bool("read_whole_file"),
		fileType: a.String("file_type"), ageStamp: a.String("age_stamp"),
		recurse: a.Bool("recurse"), hidden: a.Bool("hidden"), follow: a.Bool("follow"),
		checksum: a.Bool("get_checksum"), useRegex: a.Bool("use_regex"), depth: a.Int("depth"),
	}
	if ft.fileType == "" {
		ft.fileType = "file"
	}
	if ft.ageStamp == "" {
		ft.ageStamp = "mtime"
	}
	if len(ft.paths) == 0 {
		return ft, fmt.Errorf("paths is empty")
	}
	for _, p := range ft.paths {
		if strings.ContainsRune(p, 0) {
			return ft, fmt.Errorf("paths: %q holds a NUL byte", p)
		}
		if varRE.MatchString(p) {
			return ft, fmt.Errorf("paths: %q: tend does not expand $VARIABLES in find's paths", p)
		}
		if !strings.HasPrefix(p, "/") && p != "~" && !strings.HasPrefix(p, "~/") {
			return ft, fmt.Errorf("paths: %q must be absolute (or start with ~/)", p)
		}
	}
	pats := a.List("patterns")
	if len(pats) == 0 {
		pats = []string{"*"}
		if ft.useRegex {
			pats = []string{".*"}
		}
	}
	excl := a.List("excludes")
	compile := func(arg string, l []string) ([]*regexp.Regexp, error) {
		if !ft.useRegex {
			return fnmatchAll(l)
		}
		var out []*regexp.Regexp
		for _, p := range l {
			re, err := compilePy(arg, p, "")
			if err != nil {
				return nil, err
			}
			out = append(out, re)
		}
		return out, nil
	}
	var err error
	if ft.patterns, err = compile("patterns", pats); err != nil {
		return ft, err
	}
	if ft.excludes, err = compile("excludes", excl); err != nil {
		return ft, err
	}
	if !ft.useRegex {
		ft.globs, ft.globExcl = pats, excl
	}
	if c := a.String("contains"); a.Has("contains") {
		if ft.contains, err = compilePy("contains", c, ""); err != nil {
			return ft, err
		}
	}
	if v := a.String("age"); a.Has("age") {
		m := ageRE.FindStringSubmatch(strings.ToLower(v))
		if m == nil {
			return ft, fmt.Errorf("failed to process age")
		}
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return ft, fmt.Errorf("failed to process age")
		}
		ft.age, ft.hasAge = n*map[string]int64{"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m[2]], true
	}
	if v := a.String("size"); a.Has("size") {
		m := sizeRE.FindStringSubmatch(strings.ToLower(v))
		if m == nil {
			return ft, fmt.Errorf("failed to process size")
		}
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return ft, fmt.Errorf("failed to process size")
		}
		ft.size, ft.hasSize = n*map[string]int64{"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m[2]], true
	}
	return ft, nil
}

// findStatFormat is what stat -c prints for each entry (no name: names
// travel NUL-terminated, apart).
const findStatFormat = "%f %h %u %g %s %i %d %X %Y %Z %U %G"

// casePattern turns a glob without sets into a sh case pattern whose
// literal parts are quoted; ok is false for a pattern with a set, which
// the pre-filter then lets through (Go decides).
func casePattern(g string) (string, bool) {
	if strings.Contains(g, "[") {
		return "", false
	}
	var b strings.Builder
	lit := ""
	for _, c := range g {
		if c == '*' || c == '?' {
			if lit != "" {
				b.WriteString(q(lit))
				lit = ""
			}
			b.WriteRune(c)
			continue
		}
		lit += string(c)
	}
	if lit != "" {
		b.WriteString(q(lit))
	}
	if b.Len() == 0 {
		return "''", true
	}
	return b.String(), true
}

// inner is the sh program find runs on each batch of names: the count,
// the names (NUL-terminated), one stat line each ("gone" for a file that
// vanished), then the sha1 ("C INDEX SUM") and bytes ("D INDEX LEN") of
// the regular files that may match, as asked.
func (ft findTask) inner() string {
	var b strings.Builder
	b.WriteString("LC_ALL=C; export LC_ALL; set -f\n")
	b.WriteString("tend_f=" + q(findStatFormat) + "\n")
	b.WriteString(`printf 'B %d\n' "$#"` + "\n")
	b.WriteString(`for tend_p do printf '%s\000' "$tend_p"; done` + "\n")
	b.WriteString(`if tend_o=$(stat -c "$tend_f" -- "$@" 2>/dev/null); then printf '%s\n' "$tend_o"` + "\n")
	b.WriteString(`else for tend_p do stat -c "$tend_f" -- "$tend_p" 2>/dev/null || echo gone; done; fi` + "\n")
	readFiles := ft.checksum && (ft.fileType == "file" || ft.fileType == "any") || ft.contains != nil && ft.fileType == "file"
	if !readFiles {
		return b.String()
	}
	if ft.checksum {
		b.WriteString(`tend_sha1() {
	if command -v sha1sum >/dev/null 2>&1; then tend_v=$(sha1sum < "$1") || return 1
	elif command -v shasum >/dev/null 2>&1; then tend_v=$(shasum -a 1 < "$1") || return 1
	elif command -v openssl >/dev/null 2>&1; then tend_v=$(openssl dgst -sha1 -r < "$1") || return 1
	else return 1
	fi
	printf '%s\n' "${tend_v%% *}"
}
`)
	}
	b.WriteString("tend_i=0\nfor tend_p do\n")
	b.WriteString("\ttend_i=$((tend_i + 1))\n")
	b.WriteString("\t[ -f \"$tend_p\" ] && [ ! -L \"$tend_p\" ] || continue\n")
	if !ft.hidden {
		b.WriteString("\tcase ${tend_p##*/} in .*) continue ;; esac\n")
	}
	if len(ft.globs) > 0 {
		var pats []string
		all := false
		for _, g := range ft.globs {
			p, ok := casePattern(g)
			all = all || !ok
			pats = append(pats, p)
		}
		if !all {
			b.WriteString("\tcase ${tend_p##*/} in " + strings.Join(pats, "|") + ") ;; *) continue ;; esac\n")
		}
		var excl []string
		for _, g := range ft.globExcl {
			if p, ok := casePattern(g); ok {
				excl = append(excl, p)
			}
		}
		if len(excl) > 0 {
			b.WriteString("\tcase ${tend_p##*/} in " + strings.Join(excl, "|") + ") continue ;; esac\n")
		}
	}
	if ft.checksum {
		b.WriteString("\tif tend_s=$(tend_sha1 \"$tend_p\" 2>/dev/null); then printf 'C %d %s\\n' \"$tend_i\" \"$tend_s\"; fi\n")
	}
	if ft.contains != nil && ft.fileType == "file" {
		b.WriteString("\tif [ -r \"$tend_p\" ] && tend_n=$(wc -c < \"$tend_p\" 2>/dev/null); then\n")
		b.WriteString("\t\tprintf 'D %d %d\\n' \"$tend_i\" $tend_n; head -c $tend_n -- \"$tend_p\"; echo\n")
		b.WriteString("\tfi\n")
	}
	b.WriteString("done\n")
	return b.String()
}

func (findModule) Probe(t *Task) (string, error) {
	ft, err := readFindTask(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	s.add(`for tend_c in find stat; do command -v "$tend_c" >/dev/null 2>&1 || { printf 'M %s\n' "$tend_c"; exit 0; }; done`)
	if ft.hasAge {
		s.add(`printf 'T %s\n' "$(date +%s)"`)
	}
	for _, p := range ft.paths {
		if p == "~" || strings.HasPrefix(p, "~/") {
			s.add(`printf 'H\n%s\000' "$HOME"`)
			break
		}
	}
	find := "find"
	if ft.follow {
		find += " -L"
	}
	find += " . -mindepth 1"
	switch {
	case !ft.recurse:
		find += " -maxdepth 1"
	case ft.depth > 0:
		// One level more than asked: Ansible counts the entries of the
		// deepest folders it enters in "examined".
		find += " -maxdepth " + strconv.Itoa(ft.depth+1)
	}
	find += " -exec sh -c " + q(ft.inner()) + " sh {} +"
	for i, p := range ft.paths {
		word := q(p)
		if p == "~" {
			word = `"$HOME"`
		} else if strings.HasPrefix(p, "~/") {
			word = `"$HOME"/` + q(p[2:])
		}
		n := strconv.Itoa(i)
		s.add("if [ -d ", word, " ]; then")
		s.add("	if cd -- ", word, " 2>/dev/null; then")
		s.add("		printf 'P %d\\n' ", n)
		s.add("		{ tend_e=$(", find, " 2>&1 >&3); tend_x=$?; } 3>&1")
		s.add(`		if [ "$tend_x" != 0 ]; then printf 'X %d\n%s\000' `, n, ` "${tend_e:-find failed}"; fi`)
		s.add("	else printf 'X %d\\n%s\\000' ", n, ` EACCES; fi`)
		s.add("else printf 'N %d\\n' ", n, "; fi")
	}
	return s.String(), nil
}

func (findModule) Plan(*Task, Output) (*Change, error) { return nil, nil }
