package modules

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// yumRepositoryModule is Ansible's yum_repository: one [NAME] section of
// REPOSDIR/FILE.repo. The file is read as Python's RawConfigParser reads
// it; the section is replaced by one holding the options given, in
// sorted order, and moved to the end; the file is written as
// RawConfigParser writes it ("key = value", continuation lines indented
// with a tab, a blank line after each section; comments are lost). Whether
// anything changed is decided on the sorted dump, as Ansible does, so a
// file that only differs in order or comments is left alone. A file left
// with no section is removed.
type yumRepositoryModule struct{}

func init() { Register("yum_repository", yumRepositoryModule{}) }

// yumRepoOptions are the options written to the section (allowed_params,
// with description written as name). Each is a string, a boolean or a
// list; lists are written as lines, except exclude and includepkgs
// (words).
var yumRepoOptions = []Param{
	{Name: "async", Kind: Bool},
	{Name: "bandwidth", Kind: String},
	{Name: "baseurl", Kind: List},
	{Name: "cost", Kind: String},
	{Name: "deltarpm_metadata_percentage", Kind: String},
	{Name: "deltarpm_percentage", Kind: String},
	{Name: "enabled", Kind: Bool},
	{Name: "enablegroups", Kind: Bool},
	{Name: "exclude", Kind: List},
	{Name: "failovermethod", Kind: String, Choices: []string{"roundrobin", "priority"}},
	{Name: "gpgcakey", Kind: String},
	{Name: "gpgcheck", Kind: Bool},
	{Name: "gpgkey", Kind: List},
	{Name: "module_hotfixes", Kind: Bool},
	{Name: "http_caching", Kind: String, Choices: []string{"all", "packages", "none"}},
	{Name: "include", Kind: String},
	{Name: "includepkgs", Kind: List},
	{Name: "ip_resolve", Kind: String, Choices: []string{"4", "6", "IPv4", "IPv6", "whatever"}},
	{Name: "keepalive", Kind: Bool},
	{Name: "keepcache", Kind: String, Choices: []string{"0", "1"}},
	{Name: "metadata_expire", Kind: String},
	{Name: "metadata_expire_filter", Kind: String, Choices: []string{"never", "read-only:past", "read-only:present", "read-only:future"}},
	{Name: "metalink", Kind: String},
	{Name: "mirrorlist", Kind: String},
	{Name: "mirrorlist_expire", Kind: String},
	{Name: "password", Kind: String, NoLog: true},
	{Name: "priority", Kind: String},
	{Name: "protect", Kind: Bool},
	{Name: "proxy", Kind: String},
	{Name: "proxy_password", Kind: String, NoLog: true},
	{Name: "proxy_username", Kind: String},
	{Name: "repo_gpgcheck", Kind: Bool},
	{Name: "retries", Kind: String},
	{Name: "s3_enabled", Kind: Bool},
	{Name: "skip_if_unavailable", Kind: Bool},
	{Name: "sslcacert", Kind: String, Aliases: []string{"ca_cert"}},
	{Name: "ssl_check_cert_permissions", Kind: Bool},
	{Name: "sslclientcert", Kind: String, Aliases: []string{"client_cert"}},
	{Name: "sslclientkey", Kind: String, Aliases: []string{"client_key"}},
	{Name: "sslverify", Kind: Bool, Aliases: []string{"validate_certs"}},
	{Name: "throttle", Kind: String},
	{Name: "timeout", Kind: String},
	{Name: "ui_repoid_vars", Kind: String},
	{Name: "username", Kind: String},
}

func (yumRepositoryModule) Spec() Spec {
	ps := append([]Param{
		{Name: "name", Kind: String, Required: true},
		{Name: "description", Kind: String},
		{Name: "file", Kind: String},
		{Name: "reposdir", Kind: Path, Default: "/etc/yum.repos.d"},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent"}},
		{Name: "params", Kind: Dict},
		{Name: "mode", Kind: Mode},
		{Name: "owner", Kind: String},
		{Name: "group", Kind: String},
	}, yumRepoOptions...)
	return Spec{Params: ps}
}

// iniSection is one section of a RawConfigParser file: options in order.
type iniSection struct {
	name string
	keys []string
	vals map[string]string
}

var (
	iniHeader = regexp.MustCompile(`^\[(.+)\]`)
	iniOption = regexp.MustCompile(`^(.*?)\s*([=:])\s*(.*)$`)
)

// parseRawConfig reads an INI file as Python's RawConfigParser does
// (strict, '#' and ';' comments on their own line, indented lines
// continue a value, option names lower-cased).
func parseRawConfig(text string) ([]*iniSection, error) {
	var secs []*iniSection
	var cur *iniSection
	opt, indent := "", 0
	var val []string // the current value's lines
	flush := func() {
		if cur != nil && opt != "" {
			for len(val) > 1 && val[len(val)-1] == "" {
				val = val[:len(val)-1]
			}
			cur.vals[opt] = strings.Join(val, "\n")
		}
	}
	seen := map[string]bool{}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		line = strings.TrimSuffix(line, "\r")
		value := strings.TrimSpace(line)
		if strings.HasPrefix(value, "#") || strings.HasPrefix(value, ";") {
			continue
		}
		if value == "" {
			if opt != "" {
				val = append(val, "")
			}
			continue
		}
		lvl := len(line) - len(strings.TrimLeft(line, " \t\v\f"))
		if cur != nil && opt != "" && lvl > indent {
			val = append(val, value)
			continue
		}
		indent = lvl
		if m := iniHeader.FindStringSubmatch(value); m != nil {
			flush()
			if seen[m[1]] {
				return nil, fmt.Errorf("line %d: section %q is given twice", n+1, m[1])
			}
			seen[m[1]] = true
			cur = &iniSection{name: m[1], vals: map[string]string{}}
			secs = append(secs, cur)
			opt = ""
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: File contains no section headers", n+1)
		}
		m := iniOption.FindStringSubmatch(value)
		if m == nil || m[1] == "" {
			return nil, fmt.Errorf("line %d: cannot parse %q", n+1, value)
		}
		flush()
		opt = strings.ToLower(strings.TrimRight(m[1], " \t"))
		if _, dup := cur.vals[opt]; dup {
			return nil, fmt.Errorf("line %d: option %q in section %q is given twice", n+1, opt, cur.name)
		}
		cur.keys = append(cur.keys, opt)
		val = []string{m[3]}
	}
	flush()
	return secs, nil
}

// writeRawConfig is RawConfigParser.write.
func writeRawConfig(secs []*iniSection) string {
	var b strings.Builder
	for _, s := range secs {
		b.WriteString("[" + s.name + "]\n")
		for _, k := range s.keys {
			b.WriteString(k + " = " + strings.ReplaceAll(s.vals[k], "\n", "\n\t") + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// dumpRawConfig is YumRepo.dump: sections and options sorted.
func dumpRawConfig(secs []*iniSection) string {
	sorted := append([]*iniSection(nil), secs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	var b strings.Builder
	for _, s := range sorted {
		b.WriteString("[" + s.name + "]\n")
		keys := append([]string(nil), s.keys...)
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString(k + " = " + s.vals[k] + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

type yumRepoTask struct {
	name, state, dir, dest, mode string
	own                          ownership
	section                      *iniSection
	secrets                      []string // no_log values, masked in diffs and results
}

// mask hides the no_log values in text shown to people, as Ansible's
// no_log masking does.
func (yt yumRepoTask) mask(s string) string {
	for _, v := range yt.secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, "********")
		}
	}
	return s
}

func readYumRepoTask(a Args) (yumRepoTask, error) {
	yt := yumRepoTask{name: a.String("name"), state: a.String("state"), dir: a.String("reposdir"),
		mode: a.String("mode"), own: ownership{a.String("owner"), a.String("group")}}
	if a.Has("params") {
		return yt, fmt.Errorf("The params option to yum_repository was removed in Ansible 2.5 since it circumvents Ansible's option handling")
	}
	if err := checkAbs("reposdir", yt.dir); err != nil {
		return yt, err
	}
	if yt.name == "" || strings.ContainsAny(yt.name, "[]\n\r\x00") {
		return yt, fmt.Errorf("name %q cannot be a section name", yt.name)
	}
	file := yt.name
	if a.Has("file") {
		file = a.String("file")
	}
	if file == "" || strings.ContainsAny(file, "/\x00") {
		return yt, fmt.Errorf("file %q must be a file name", file)
	}
	yt.dir = cleanPath(yt.dir)
	yt.secrets = []string{a.String("password"), a.String("proxy_password")}
	yt.dest = path.Join(yt.dir, file+".repo")
	if yt.state == "absent" {
		return yt, nil
	}
	if !a.Has("baseurl") && !a.Has("metalink") && !a.Has("mirrorlist") {
		return yt, fmt.Errorf("Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.")
	}
	if !a.Has("description") {
		return yt, fmt.Errorf("Parameter 'description' is required.")
	}
	sec := &iniSection{name: yt.name, vals: map[string]string{}}
	set := func(k, v string) {
		sec.keys = append(sec.keys, k)
		sec.vals[k] = v
	}
	opts := append([]Param{{Name: "name"}}, yumRepoOptions...)
	sort.Slice(opts, func(i, j int) bool { return opts[i].Name < opts[j].Name })
	for _, p := range opts {
		if p.Name == "name" {
			set("name", a.String("description"))
			continue
		}
		if !a.Has(p.Name) {
			continue
		}
		switch p.Kind {
		case Bool:
			set(p.Name, map[bool]string{true: "1", false: "0"}[a.Bool(p.Name)])
		case List:
			sep := "\n"
			if p.Name == "exclude" || p.Name == "includepkgs" {
				sep = " "
			}
			set(p.Name, strings.Join(a.List(p.Name), sep))
		default:
			set(p.Name, a.String(p.Name))
		}
	}
	for _, k := range sec.keys {
		v := sec.vals[k]
		if strings.ContainsAny(v, "\r\x00") || strings.Contains(v, "\n\n") || strings.HasPrefix(v, "\n") {
			return yt, fmt.Errorf("%s: a value cannot hold blank lines or carriage returns", k)
		}
	}
	yt.section = sec
	return yt, nil
}

func (yumRepositoryModule) Probe(t *Task) (string, error) {
	yt, err := readYumRepoTask(t.Args)
	if err != nil {
		return "", err
	}
	s := newScript()
	s.add("if [ -d ", q(yt.dir), " ]; then echo dir=1; else echo dir=0; fi")
	s.stat("f", q(yt.dest), true, yt.own.Owner, yt.own.Group)
	s.use("tend_content")
	s.add("tend_content c ", q(yt.dest), " ", strconv.Itoa(lineinfileLimit), ` -1 "$tend_sz" || exit 1`)
	s.umask()
	return s.String(), nil
}

type yumRepoPlan struct {
	yt            yumRepoTask
	fi            fileInfo
	old           string
	before, after string // dumps
	content       string // what is written; "" removes the file
	ap            attrPlan
	umask         uint32
}

func (yumRepositoryModule) plan(t *Task, probe Output) (*yumRepoPlan, error) {
	yt, err := readYumRepoTask(t.Args)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	p := &yumRepoPlan{yt: yt}
	if dir, err := r.flag("dir"); err != nil {
		return nil, err
	} else if !dir {
		return nil, errorf("Repo directory '%s' does not exist.", yt.dir)
	}
	if p.fi, err = r.stat("f"); err != nil {
		return nil, err
	}
	if p.umask, err = r.umask(); err != nil {
		return nil, err
	}
	var secs []*iniSection
	if p.fi.Exists {
		if p.fi.Type != '-' {
			return nil, errorf("%s is a %s", yt.dest, p.fi.Kind())
		}
		c, ok := r.blob("c")
		if !ok {
			return nil, fmt.Errorf("%s is bigger than tend reads (%d MiB)", yt.dest, lineinfileLimit>>20)
		}
		p.old = string(c)
		if secs, err = parseRawConfig(p.old); err != nil {
			return nil, errorf("cannot read %s: %v", yt.dest, err)
		}
	}
	p.before = dumpRawConfig(secs)
	var kept []*iniSection
	for _, s := range secs {
		if s.name != yt.name {
			kept = append(kept, s)
		}
	}
	if yt.section != nil {
		kept = append(kept, yt.section)
	}
	p.after = dumpRawConfig(kept)
	if len(kept) > 0 {
		p.content = writeRawConfig(kept)
	}
	switch {
	case p.fi.Exists:
		p.ap, err = planAttrs(yt.dest, p.fi, yt.mode, yt.own, p.umask, q(yt.dest), false)
	case p.content != "":
		p.ap, err = newAttrs(yt.dest, false, yt.mode, yt.own, p.umask, q(yt.dest))
	}
	return p, err
}

func (m yumRepositoryModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	yt := p.yt
	changed := p.before != p.after
	if !changed && (len(p.ap.Diffs) == 0 || !p.fi.Exists) {
		return nil, nil
	}
	s := newScript()
	s.use("tend_die")
	var diffs []Diff
	switch {
	case !changed:
		for _, c := range p.ap.Cmds {
			s.add(c)
		}
	case p.content == "":
		diffs = append(diffs, Diff{Path: yt.dest, Attr: "content", Before: yt.mask(p.before)}, stateDiff(yt.dest, "file", "absent"))
		s.add("rm -f -- ", q(yt.dest), " || tend_die ", q("Cannot remove empty repo file "+yt.dest+"."))
	default:
		diffs = append(diffs, Diff{Path: yt.dest, Attr: "content", Before: yt.mask(p.before), After: yt.mask(p.after)})
		if !p.fi.Exists {
			diffs = append(diffs, stateDiff(yt.dest, "absent", "file"))
		}
		w := fileWrite{Path: yt.dest, Content: []byte(p.content), Mode: p.ap.Mode, Own: yt.own, IfSame: p.ap.Cmds,
			CheckOld: true, Old: []byte(p.old), OldAbsent: !p.fi.Exists}
		if p.fi.Exists {
			w.KeepUID, w.KeepGID = p.fi.UID, p.fi.GID
		}
		if err := s.write(w); err != nil {
			return nil, err
		}
	}
	if p.content != "" {
		diffs = append(diffs, p.ap.Diffs...)
	}
	return &Change{
		Diffs: diffs,
		Apply: s.String(),
		Result: whenApplied(func(o Output) (Result, error) {
			return m.result(yt, p, true), nil
		}),
	}, nil
}

func (yumRepositoryModule) result(yt yumRepoTask, p *yumRepoPlan, changed bool) Result {
	return Result{"changed": changed, "repo": yt.name, "state": yt.state,
		"diff": map[string]any{"before_header": yt.dest, "after_header": yt.dest, "before": yt.mask(p.before), "after": yt.mask(p.after)}}
}

func (m yumRepositoryModule) Report(t *Task, probe Output) (Result, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	return m.result(p.yt, p, false), nil
}
