package modules

import (
	"fmt"
	"regexp"
	"strings"
)

// localeGenModule is community.general.locale_gen. Debian's way: the
// locale's line in /etc/locale.gen is uncommented (or commented out) in Go
// and locale-gen runs; Ubuntu's (where /var/lib/locales/supported.d is):
// `locale-gen NAME`, or the line dropped from supported.d/local and
// `locale-gen --purge`. Whether a locale is there is `locale -a`'s answer.
type localeGenModule struct {
	// root prefixes the files; localeCmd and localeGen are the commands
	// ("" from the PATH): tests give fakes.
	root, localeCmd, localeGen string
}

func init() { Register("locale_gen", localeGenModule{}) }

func (localeGenModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "name", Kind: String, Required: true},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"absent", "present"}},
	}}
}

var localeName = regexp.MustCompile(`^[A-Za-z0-9_.@+-]+$`)

func (m localeGenModule) check(a Args) (string, string, error) {
	name := a.String("name")
	if !localeName.MatchString(name) {
		return "", "", fmt.Errorf("name %q is not a locale name", name)
	}
	return name, a.String("state"), nil
}

func (m localeGenModule) Probe(t *Task) (string, error) {
	if _, _, err := m.check(t.Args); err != nil {
		return "", err
	}
	s := newScript()
	useSvcVal(s)
	s.use("tend_blob")
	s.add("tend_r=", q(m.root))
	s.add(`if [ -d "$tend_r/var/lib/locales/supported.d" ]; then echo mode=ubuntu`)
	s.add(`[ ! -f "$tend_r/usr/share/i18n/SUPPORTED" ] || tend_blob supported "$tend_r/usr/share/i18n/SUPPORTED" || exit 1`)
	confProbe(s, "local", `"$tend_r/var/lib/locales/supported.d/local"`)
	s.add(`elif [ -f "$tend_r/etc/locale.gen" ]; then echo mode=debian`)
	confProbe(s, "gen", `"$tend_r/etc/locale.gen"`)
	s.add(`else echo mode=none; fi`)
	s.add(`tend_x=0; tend_o=$(`, cmdWord(m.localeCmd, "locale"), ` -a 2>/dev/null) || tend_x=$?; printf 'locale_rc=%s\n' "$tend_x"; tend_val locales "$tend_o" || exit 1`)
	return s.String(), nil
}

var localeNorm = strings.NewReplacer(".utf8", ".UTF-8", ".eucjp", ".EUC-JP", ".iso885915", ".ISO-8859-15", ".cp1251", ".CP1251",
	".koi8r", ".KOI8-R", ".armscii8", ".ARMSCII-8", ".euckr", ".EUC-KR", ".gbk", ".GBK", ".gb18030", ".GB18030", ".euctw", ".EUC-TW")

var (
	localeAvailUbuntu = regexp.MustCompile(`^(\S+_\S+) (\S+)\s*$`)
	localeAvailGen    = regexp.MustCompile(`^#?\s*(\S+_\S+) (\S+)\s*$`)
)

// localePlan is what the probe says and the task wants.
type localePlan struct {
	name, state, mode string
	gen, local        confState
	changed           bool
}

func (m localeGenModule) plan(t *Task, probe Output) (*localePlan, error) {
	name, state, err := m.check(t.Args)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	p := &localePlan{name: name, state: state}
	if p.mode, err = r.get("mode"); err != nil {
		return nil, err
	}
	var avail []byte
	re := localeAvailGen
	switch p.mode {
	case "ubuntu":
		var ok bool
		if avail, ok = r.blob("supported"); !ok {
			return nil, errorf("/usr/share/i18n/SUPPORTED is missing")
		}
		re = localeAvailUbuntu
		if p.local, err = readConf(r, "local", m.root+"/var/lib/locales/supported.d/local"); err != nil {
			return nil, err
		}
	case "debian":
		if p.gen, err = readConf(r, "gen", m.root+"/etc/locale.gen"); err != nil {
			return nil, err
		}
		avail = []byte(p.gen.content)
	default:
		return nil, errorf("/etc/locale.gen and /var/lib/locales/supported.d/local are missing. Is the package \"locales\" installed?")
	}
	found := false
	for _, l := range splitLines(string(avail)) {
		if mt := re.FindStringSubmatch(strings.TrimSuffix(l, "\n")); mt != nil && mt[1] == name {
			found = true
			break
		}
	}
	if !found {
		return nil, errorf("The locale you've entered is not available on your system.")
	}
	if rc, err := r.get("locale_rc"); err != nil {
		return nil, err
	} else if rc == "127" {
		return nil, errorf("locale not found on the host (locale -a tells which locales are there)")
	}
	out, _ := r.blob("locales")
	present := false
	for _, l := range strings.Split(string(out), "\n") {
		present = present || localeNorm.Replace(l) == localeNorm.Replace(name)
	}
	p.changed = present != (state == "present")
	return p, nil
}

// setLocale is set_locale: every line naming the locale, commented or
// not, is rewritten enabled or commented out.
func setLocale(content, name string, enabled bool) string {
	re := regexp.MustCompile(`#?\s*` + regexp.QuoteMeta(name) + ` (.+)`)
	repl := name + " ${1}"
	if !enabled {
		repl = "# " + name + " ${1}"
	}
	var b strings.Builder
	for _, l := range splitLines(content) {
		b.WriteString(re.ReplaceAllString(l, repl))
	}
	return b.String()
}

func (m localeGenModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil || !p.changed {
		return nil, err
	}
	before := map[bool]string{true: "absent", false: "present"}[p.state == "present"]
	diffs := []Diff{{Path: "locale " + p.name, Attr: "state", Before: before, After: p.state}}
	s := newScript()
	s.use("tend_die")
	useSvcRun(s)
	gen := cmdWord(m.localeGen, "locale-gen")
	switch {
	case p.mode == "debian":
		after := setLocale(p.gen.content, p.name, p.state == "present")
		if after != p.gen.content {
			diffs = append(diffs, Diff{Path: p.gen.path, Attr: "content", Before: p.gen.content, After: after})
			if err := p.gen.write(s, after, 0o644, false); err != nil {
				return nil, err
			}
		}
		s.add(svcRun("locale.gen failed to execute", gen))
	case p.state == "present":
		// Ubuntu's locale-gen adds the locale to supported.d/local itself.
		s.add(svcRun("locale.gen failed to execute", gen+" "+q(p.name)))
	default:
		var b strings.Builder
		for _, l := range splitLines(p.local.content) {
			f := strings.Split(strings.TrimSuffix(l, "\n"), " ")
			if len(f) != 2 {
				return nil, errorf("%s: line %q is not LOCALE CHARSET", p.local.path, strings.TrimSuffix(l, "\n"))
			}
			if f[0] != p.name {
				b.WriteString(l)
			}
		}
		if after := b.String(); after != p.local.content {
			diffs = append(diffs, Diff{Path: p.local.path, Attr: "content", Before: p.local.content, After: after})
			if err := p.local.write(s, after, 0o644, false); err != nil {
				return nil, err
			}
		}
		s.add(svcRun("locale.gen failed to execute", gen+" --purge"))
	}
	return &Change{Diffs: diffs, Apply: s.String(), Result: whenApplied(func(o Output) (Result, error) {
		return Result{"changed": true, "name": p.name, "msg": "OK"}, nil
	})}, nil
}

func (m localeGenModule) Report(t *Task, probe Output) (Result, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "name": p.name, "msg": "OK"}, nil
}
