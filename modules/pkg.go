package modules

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// pkgModule is Ansible's package (mgr ""), which picks a backend from the
// facts or from what the probe finds, and apt, dnf (yum), apk, zypper and
// pacman. The probe asks the package database what is installed in one
// command (and, for state=latest, what could be upgraded); Plan works out
// the packages to install, upgrade or remove, so check mode lists exactly
// them; Apply runs the manager non-interactively.
type pkgModule struct {
	name string   // the module's name, for messages
	mgrs []string // backends it may use, in the order the probe looks; nil: any (package)
}

func init() {
	helpers["tend_pkgcap"] = pkgCapHelper
	Register("package", pkgModule{name: "package"})
	Register("apt", pkgModule{name: "apt", mgrs: []string{"apt"}})
	Register("dnf", pkgModule{name: "dnf", mgrs: []string{"dnf", "yum"}})
	Register("yum", pkgModule{name: "yum", mgrs: []string{"dnf", "yum"}})
	Register("apk", pkgModule{name: "apk", mgrs: []string{"apk"}})
	Register("zypper", pkgModule{name: "zypper", mgrs: []string{"zypper"}})
	Register("pacman", pkgModule{name: "pacman", mgrs: []string{"pacman"}})
}

// pkgCapHelper: tend_pkgcap KEY CMD...: CMD's standard output as the blob
// KEY (with a final newline), and its exit status as KEY.rc. Its standard
// error passes through, for Plan to quote when the status says it failed.
const pkgCapHelper = `tend_pkgcap() {
	tend_k=$1
	shift
	tend_v=$("$@")
	tend_rc=$?
	tend_z=$(printf '%s\n' "$tend_v" | wc -c) || return 1
	printf '%s.rc=%s\n%s:%s\n%s\n\n' "$tend_k" "$tend_rc" "$tend_k" $tend_z "$tend_v"
}
`

var pkgStates = []string{"present", "installed", "latest", "absent", "removed"}

func (m pkgModule) Spec() Spec {
	if m.name == "package" {
		return packageSpec()
	}
	return pkgSpecFor(m.name)
}

// pkgSpecFor is the argument spec of one package manager's module.
func pkgSpecFor(mod string) Spec {
	name := Param{Name: "name", Kind: List, Aliases: []string{"pkg"}}
	state := Param{Name: "state", Kind: String, Default: "present", Choices: pkgStates}
	update := Param{Name: "update_cache", Kind: Bool, Default: false}
	downgrade := Param{Name: "allow_downgrade", Kind: Bool, Default: false}
	switch mod {
	case "apt":
		name.Aliases = []string{"package", "pkg"}
		update.Aliases = []string{"update-cache"}
		downgrade.Aliases = []string{"allow-downgrade", "allow_downgrades", "allow-downgrades"}
		return Spec{
			Params: []Param{name, state, update, downgrade,
				{Name: "cache_valid_time", Kind: Int, Default: 0},
				{Name: "deb", Kind: Path},
				{Name: "install_recommends", Kind: Bool, Aliases: []string{"install-recommends"}},
				{Name: "purge", Kind: Bool, Default: false},
				{Name: "autoremove", Kind: Bool, Default: false},
				{Name: "default_release", Kind: String, Aliases: []string{"default-release"}},
				{Name: "policy_rc_d", Kind: Int},
				{Name: "dpkg_options", Kind: String, Default: aptDpkgOptions},
				// tend always drives apt-get: force_apt_get changes nothing.
				{Name: "force_apt_get", Kind: Bool, Default: false},
				{Name: "allow_unauthenticated", Kind: Bool, Default: false, Aliases: []string{"allow-unauthenticated"}},
				{Name: "allow_change_held_packages", Kind: Bool, Default: false},
			},
			RequiredOneOf: [][]string{{"name", "deb", "update_cache", "autoremove"}},
			Exclusive:     [][]string{{"name", "deb"}},
		}
	case "dnf", "yum":
		update.Aliases = []string{"expire-cache"}
		return Spec{Params: []Param{name, state, update, downgrade,
			{Name: "enablerepo", Kind: List},
			{Name: "disablerepo", Kind: List},
			{Name: "exclude", Kind: List},
			{Name: "disable_gpg_check", Kind: Bool, Default: false},
			{Name: "disable_excludes", Kind: String},
			{Name: "install_weak_deps", Kind: Bool, Default: true},
			{Name: "skip_broken", Kind: Bool, Default: false},
		}, RequiredOneOf: [][]string{{"name", "update_cache"}}}
	case "zypper":
		name.Aliases = []string{"package", "pkg"}
		name.Required = true
		update.Aliases = []string{"refresh"}
		return Spec{Params: []Param{name, state, update}}
	case "pacman":
		name.Aliases = []string{"package", "pkg"}
	}
	return Spec{Params: []Param{name, state, update}, RequiredOneOf: [][]string{{"name", "update_cache"}}}
}

// pkgModules are the managers' modules, whose arguments package passes on.
var pkgModules = []string{"apt", "dnf", "yum", "apk", "zypper", "pacman"}

// packageSpec is package's: name, state and use, and (as Ansible's action
// passes unknown arguments on to the manager's module) every argument of
// the managers' modules, without their defaults so that Plan can tell
// which were given and refuse those the host's manager lacks.
func packageSpec() Spec {
	sp := Spec{Params: []Param{
		{Name: "name", Kind: List, Required: true, Aliases: []string{"pkg"}},
		{Name: "state", Kind: String, Required: true, Choices: pkgStates},
		{Name: "use", Kind: String, Default: "auto"},
	}}
	seen := map[string]bool{"name": true, "state": true, "use": true}
	for _, mod := range pkgModules {
		for _, p := range pkgSpecFor(mod).Params {
			if seen[p.Name] {
				continue
			}
			seen[p.Name] = true
			p.Default, p.Required, p.Aliases = nil, false, nil
			sp.Params = append(sp.Params, p)
		}
	}
	return sp
}

// checkPassed refuses the arguments package was given that the host's
// manager's module does not take, as Ansible's module would.
func checkPassed(pt *pkgTask, mgr string) error {
	if pt.mod != "package" {
		return nil
	}
	mod := mgr
	if mod == "dnf5" {
		mod = "dnf"
	}
	takes := map[string]bool{"use": true}
	for _, p := range pkgSpecFor(mod).Params {
		takes[p.Name] = true
	}
	var bad []string
	for _, k := range pt.given {
		if !takes[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("Unsupported parameters for (%s) module: %s (package passes its arguments to the host's package manager, %s)", mod, strings.Join(bad, ", "), mgr)
	}
	return nil
}

// aptDpkgOptions is apt's default dpkg_options.
const aptDpkgOptions = "force-confdef,force-confold"

// pkgTask is a task's arguments, read and checked.
type pkgTask struct {
	mod        string
	backends   []*pkgBackend // what the probe looks for, in order
	raw        []string      // names as given
	state      string        // present, latest or absent
	update     bool
	validTime  int64
	deb        string
	recommends string // "", "yes", "no"
	purge      bool
	autoremove bool
	downgrade  bool
	factsMgr   string // ansible_pkg_mgr, when the backend came from facts
	system     string // what the facts say the host is, for error messages
	// apt's
	release, dpkgOpts           string
	policyRCD                   *int
	unauthenticated, changeHeld bool
	// dnf's and yum's
	enableRepo, disableRepo, exclude []string
	noGPG, skipBroken                bool
	noWeakDeps                       bool
	disableExcludes                  string
	// given are the arguments package was given beyond its own, sorted.
	given []string
}

func (m pkgModule) read(t *Task) (*pkgTask, error) {
	a := t.Args
	pt := &pkgTask{
		mod:             m.name,
		update:          a.Bool("update_cache"),
		validTime:       int64(a.Int("cache_valid_time")),
		deb:             a.String("deb"),
		purge:           a.Bool("purge"),
		autoremove:      a.Bool("autoremove"),
		downgrade:       a.Bool("allow_downgrade"),
		release:         a.String("default_release"),
		dpkgOpts:        a.String("dpkg_options"),
		unauthenticated: a.Bool("allow_unauthenticated"),
		changeHeld:      a.Bool("allow_change_held_packages"),
		enableRepo:      a.List("enablerepo"),
		disableRepo:     a.List("disablerepo"),
		exclude:         a.List("exclude"),
		noGPG:           a.Bool("disable_gpg_check"),
		skipBroken:      a.Bool("skip_broken"),
		noWeakDeps:      a.Has("install_weak_deps") && !a.Bool("install_weak_deps"),
		disableExcludes: a.String("disable_excludes"),
	}
	if a.Has("policy_rc_d") {
		n := a.Int("policy_rc_d")
		pt.policyRCD = &n
	}
	if pt.dpkgOpts == "" {
		pt.dpkgOpts = aptDpkgOptions
	}
	if m.name == "package" {
		for k := range a {
			if k != "name" && k != "state" && k != "use" {
				pt.given = append(pt.given, k)
			}
		}
		sort.Strings(pt.given)
	}
	for _, l := range [][]string{pt.enableRepo, pt.disableRepo, pt.exclude, {pt.release, pt.disableExcludes}} {
		for _, v := range l {
			if strings.HasPrefix(v, "-") || strings.ContainsAny(v, "\n\x00") {
				return nil, fmt.Errorf("%s: %q is not a repository, release or package pattern", m.name, v)
			}
		}
	}
	for _, o := range strings.Split(pt.dpkgOpts, ",") {
		if !dpkgOption.MatchString(o) {
			return nil, fmt.Errorf("dpkg_options: %q is not a dpkg option (such as force-confdef)", o)
		}
	}
	if a.Has("install_recommends") {
		pt.recommends = "no"
		if a.Bool("install_recommends") {
			pt.recommends = "yes"
		}
	}
	switch st := a.String("state"); st {
	case "", "present", "installed":
		pt.state = "present"
	case "absent", "removed":
		pt.state = "absent"
	case "latest":
		pt.state = "latest"
	default:
		return nil, fmt.Errorf("state must be one of %s, not %q", quoteList(pkgStates), st)
	}
	if pt.validTime < 0 {
		return nil, fmt.Errorf("cache_valid_time must not be negative")
	}
	if pt.deb != "" {
		if err := checkAbs("deb", pt.deb); err != nil {
			return nil, err
		}
		if pt.state != "present" {
			return nil, fmt.Errorf("deb installs a package: state must be present, not %s", a.String("state"))
		}
	}
	seen := map[string]bool{}
	for _, n := range a.List("name") {
		if n = strings.TrimSpace(n); n != "" && !seen[n] {
			seen[n] = true
			pt.raw = append(pt.raw, n)
		}
	}
	mgrs := m.mgrs
	if m.name == "package" {
		if len(pt.raw) == 0 {
			return nil, fmt.Errorf("name is empty")
		}
		use := a.String("use")
		if d, _ := t.Facts["ansible_distribution"].(string); d != "" {
			pt.system = fmt.Sprintf(" (%s %v)", d, t.Facts["ansible_distribution_version"])
		}
		if use == "" || use == "auto" {
			if f, ok := t.Facts["ansible_pkg_mgr"].(string); ok && f != "" && f != "unknown" {
				use = f
				pt.factsMgr = f
			}
		}
		if use != "" && use != "auto" {
			b := pkgBackendFor(use)
			if b == nil {
				what := "use=" + use
				if pt.factsMgr != "" {
					what = "the host's ansible_pkg_mgr is " + use
				}
				return nil, fmt.Errorf("package: %s, and tend has no backend for it (it knows %s)", what, strings.Join(pkgMgrNamesKnown(), ", "))
			}
			mgrs = []string{b.mgr}
		}
	}
	if mgrs == nil {
		for _, b := range pkgBackends {
			mgrs = append(mgrs, b.mgr)
		}
	}
	for _, name := range mgrs {
		pt.backends = append(pt.backends, pkgBackendFor(name))
	}
	return pt, nil
}

// pkgName checks a name as the task gives it: a package name with an
// optional version in the manager's syntax. Patterns, paths, URLs and
// groups are refused, so that nothing but a name reaches the manager.
var pkgName = regexp.MustCompile(`^[A-Za-z0-9_+.][A-Za-z0-9_+.:~=-]*\*?$`)

// dpkgOption is one of dpkg_options' comma-separated words.
var dpkgOption = regexp.MustCompile(`^[a-z][a-z0-9-]*(=[A-Za-z0-9_.:/-]+)?$`)

func (pt *pkgTask) specs(b *pkgBackend) ([]pkgSpec, error) {
	var out []pkgSpec
	for _, raw := range pt.raw {
		if !pkgName.MatchString(raw) {
			return nil, fmt.Errorf("%s: name %q: tend takes package names, with a version where the manager has a syntax for it (%s), not patterns, paths, URLs or groups", pt.mod, raw, b.versionHint)
		}
		s, err := b.spec(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: name %q: %v", pt.mod, raw, err)
		}
		if s.version != "" && pt.state == "latest" {
			return nil, fmt.Errorf("%s: name %q: a version is inconsistent with state=latest", pt.mod, raw)
		}
		out = append(out, s)
	}
	return out, nil
}

func (m pkgModule) Probe(t *Task) (string, error) {
	pt, err := m.read(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	for i, b := range pt.backends {
		kw := "elif"
		if i == 0 {
			kw = "if"
		}
		s.add(kw, " command -v ", q(b.cmd), " >/dev/null 2>&1; then")
		s.add("printf 'mgr=%s\\n' ", q(b.mgr))
		if err := b.probe(pt, s); err != nil {
			return "", err
		}
	}
	s.add("else")
	s.add("printf 'mgr=\\n'")
	s.add("fi")
	return s.String(), nil
}

// pkgState is what the probe found.
type pkgState struct {
	b         *pkgBackend
	installed []pkgInst
	// candidates maps a name (as the manager prints it) to the version an
	// install or upgrade would bring; for most managers only packages that
	// can be upgraded are listed.
	candidates map[string]string
	known      map[string]bool // names the manager's cache knows (apt)
	cacheAge   int64           // seconds; -1 unknown
	cacheTime  int64
	deb        *pkgSpec // the deb file's package, version and architecture
	autoremove []pkgInst
	stderr     string
}

// pkgInst is one package in the database.
type pkgInst struct {
	name, arch, version string
	installed           bool
	confFiles           bool     // removed, configuration files left (dpkg "rc")
	forms               []string // the names that denote it (rpm's N-V-R.A and friends)
}

// pkgSpec is one name the task gives, read in the manager's syntax.
type pkgSpec struct {
	raw, name, arch, version string
}

func (m pkgModule) state(pt *pkgTask, probe Output) (*pkgState, error) {
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	mgr, err := r.get("mgr")
	if err != nil {
		return nil, err
	}
	if mgr == "" {
		var looked []string
		for _, b := range pt.backends {
			looked = append(looked, b.cmd)
		}
		if pt.factsMgr != "" {
			return nil, fmt.Errorf("%s: the host's ansible_pkg_mgr is %s, but %s is not on its PATH", pt.mod, pt.factsMgr, looked[0])
		}
		return nil, fmt.Errorf("%s: no package manager found on the host%s (looked for %s)", pt.mod, pt.system, strings.Join(looked, ", "))
	}
	var b *pkgBackend
	for _, c := range pt.backends {
		if c.mgr == mgr {
			b = c
		}
	}
	if b == nil {
		return nil, fmt.Errorf("probe: unexpected mgr=%q", mgr)
	}
	if err := checkPassed(pt, mgr); err != nil {
		return nil, err
	}
	st := &pkgState{b: b, cacheAge: -1, stderr: strings.TrimSpace(string(probe.Stderr))}
	if err := b.read(pt, r, st); err != nil {
		return nil, err
	}
	return st, nil
}

// capture reads a blob that tend_pkgcap printed and checks its exit
// status: ok says which statuses mean the command worked.
func (st *pkgState) capture(r *records, key, what string, ok func(int) bool) ([]byte, error) {
	rc, err := r.num(key + ".rc")
	if err != nil {
		return nil, err
	}
	out, present := r.blob(key)
	if !present {
		return nil, fmt.Errorf("probe output lacks %s", key)
	}
	if !ok(int(rc)) {
		msg := st.stderr
		if msg == "" {
			msg = strings.TrimSpace(string(out))
		}
		return nil, fmt.Errorf("%s failed (exit status %d): %s", what, rc, msg)
	}
	return out, nil
}

// pkgAction is one package to install, upgrade or remove.
type pkgAction struct {
	arg            string // what the manager is given
	name           string // for messages
	before, after  string // versions; "" absent
	upgrade, purge bool
}

// pkgPlan is what Plan works out.
type pkgPlan struct {
	pt         *pkgTask
	st         *pkgState
	acts       []pkgAction
	update     bool   // the cache is to be updated
	byState    string // installed or removed, for msg
	autoremove bool   // apt-get autoremove, with no names
}

func (m pkgModule) plan(t *Task, probe Output) (*pkgPlan, error) {
	pt, err := m.read(t)
	if err != nil {
		return nil, err
	}
	st, err := m.state(pt, probe)
	if err != nil {
		return nil, err
	}
	b := st.b
	specs, err := pt.specs(b)
	if err != nil {
		return nil, err
	}
	p := &pkgPlan{pt: pt, st: st}
	p.update = pt.update && (pt.validTime == 0 || st.cacheAge < 0 || st.cacheAge > pt.validTime)
	switch pt.state {
	case "present", "latest":
		p.byState = "installed"
	case "absent":
		p.byState = "removed"
	}
	if st.deb != nil {
		// As Ansible's dpkg -i: a deb file may be older than what is installed.
		pt.downgrade = true
		specs = nil
		d := *st.deb
		if inst := st.find(d); len(inst) == 0 {
			p.acts = append(p.acts, pkgAction{arg: pt.deb, name: d.name, before: versions(st.byName(d)), after: d.version})
		}
	}
	for _, s := range specs {
		inst := st.find(s)
		switch pt.state {
		case "present":
			if len(inst) > 0 || b.rawRemove && !pt.downgrade && st.newerInstalled(s) {
				// dnf would downgrade to the version named: Ansible only
				// does with allow_downgrade.
				continue
			}
			after := s.version
			if after == "" {
				after = st.candidate(s)
			}
			if st.unknown(s) && !p.update {
				return nil, errorf("No package matching '%s' is available", s.name)
			}
			if after == "" {
				after = "present"
			}
			p.acts = append(p.acts, pkgAction{arg: s.raw, name: s.name, before: versions(st.byName(s)), after: after})
		case "latest":
			if len(inst) == 0 {
				if st.unknown(s) && !p.update {
					return nil, errorf("No package matching '%s' is available", s.name)
				}
				after := st.candidate(s)
				if after == "" {
					after = "latest"
				}
				p.acts = append(p.acts, pkgAction{arg: s.raw, name: s.name, after: after})
				continue
			}
			if c := st.candidate(s); c != "" && c != versions(inst) && b.upgradable(st, s) {
				p.acts = append(p.acts, pkgAction{arg: s.raw, name: s.name, before: versions(inst), after: c, upgrade: true})
			}
		case "absent":
			if len(inst) > 0 {
				p.acts = append(p.acts, pkgAction{arg: b.removeArg(s), name: s.name, before: versions(inst)})
			} else if pt.purge && st.hasConfFiles(s) {
				p.acts = append(p.acts, pkgAction{arg: b.removeArg(s), name: s.name, before: "config-files", purge: true})
			}
		}
	}
	if len(pt.raw) == 0 && pt.deb == "" && pt.autoremove {
		for _, i := range st.autoremove {
			p.acts = append(p.acts, pkgAction{arg: i.name, name: i.name, before: i.version})
		}
		p.autoremove = len(p.acts) > 0
		p.byState = "removed"
	}
	if len(p.acts) == 0 && p.update {
		// A cache update alone is a change when the task asks for nothing
		// else (as Ansible's), or when state=latest depends on it and the
		// manager tells afterwards whether anything was upgraded.
		given := len(pt.raw) > 0 || pt.deb != ""
		if given && !(pt.state == "latest" && b.zero != nil) {
			p.update = false
		}
	} else if len(p.acts) == 0 {
		p.update = false
	}
	return p, nil
}

func (st *pkgState) find(s pkgSpec) []pkgInst {
	var out []pkgInst
	for _, i := range st.installed {
		if i.installed && st.b.match(s, i) {
			out = append(out, i)
		}
	}
	return out
}

// unknown: the manager's cache (apt's) does not know the name, and no
// version of it is installed.
func (st *pkgState) unknown(s pkgSpec) bool {
	return st.known != nil && !st.known[s.name] && len(st.byName(s)) == 0
}

func (st *pkgState) byName(s pkgSpec) []pkgInst {
	var out []pkgInst
	for _, i := range st.installed {
		if i.installed && i.name == s.name && (s.arch == "" || s.arch == i.arch) {
			out = append(out, i)
		}
	}
	return out
}

func (st *pkgState) hasConfFiles(s pkgSpec) bool {
	for _, i := range st.installed {
		if i.confFiles && i.name == s.name && (s.arch == "" || s.arch == i.arch) {
			return true
		}
	}
	return false
}

func (st *pkgState) candidate(s pkgSpec) string {
	if s.arch != "" {
		if c, ok := st.candidates[s.name+":"+s.arch]; ok {
			return c
		}
	}
	return st.candidates[s.name]
}

func versions(l []pkgInst) string {
	var v []string
	for _, i := range l {
		v = append(v, i.version)
	}
	sort.Strings(v)
	return strings.Join(v, ", ")
}

func (m pkgModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	if len(p.acts) == 0 && !p.update {
		return nil, nil
	}
	b := p.st.b
	var diffs []Diff
	if p.update {
		before := ""
		if p.st.cacheAge >= 0 {
			before = strconv.FormatInt(p.st.cacheAge, 10) + "s old"
		}
		diffs = append(diffs, Diff{Path: b.mgr, Attr: "cache", Before: before, After: "updated"})
	}
	for _, a := range p.acts {
		diffs = append(diffs, Diff{Path: a.name, Attr: "packages", Before: a.before, After: a.after})
	}
	s := newScript()
	s.add(`case :$PATH: in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin; export PATH ;; esac`)
	for _, e := range b.env {
		s.add(e, "; export ", e[:strings.IndexByte(e, '=')])
	}
	if p.pt.policyRCD != nil && b.mgr == "apt" {
		policyRCD(s, *p.pt.policyRCD)
	}
	if p.update && !(b.updateInInstall && len(p.acts) > 0 && p.pt.state != "absent") {
		if b.updateFails != "" {
			// The output goes to stderr, where a failure's reason is read.
			s.add(`tend_u=$(LC_ALL=C `, b.updateCmd(p.pt), ` 2>&1); tend_rc=$?; printf '%s\n' "$tend_u" >&2; [ "$tend_rc" = 0 ] || exit "$tend_rc"`)
			s.add(`case $tend_u in `, b.updateFails, `) echo 'Failed to update apt cache: some index files could not be downloaded' >&2; exit 1 ;; esac`)
		} else {
			s.add(b.updateCmd(p.pt), " || exit")
		}
		if b.afterUpdate != "" {
			s.add(b.afterUpdate)
		}
	}
	if p.autoremove {
		s.add(joinQ(b.autoremove(p.pt)), " || exit")
	} else if len(p.acts) > 0 {
		var inst, upg, rm []string
		for _, a := range p.acts {
			switch {
			case p.pt.state == "absent":
				rm = append(rm, a.arg)
			case a.upgrade:
				upg = append(upg, a.arg)
			default:
				inst = append(inst, a.arg)
			}
		}
		if p.pt.state == "latest" && b.zero != nil && p.update {
			// After the update the candidates may be newer than the probe
			// saw: ask for every name, and read what happened from the
			// manager's summary.
			inst, upg = p.pt.rawArgs(), nil
		}
		if len(rm) > 0 {
			s.add(b.removeCmd(p.pt, rm), " || exit")
		}
		if len(inst) > 0 {
			s.add(b.installCmd(p.pt, inst), " || exit")
		}
		if len(upg) > 0 {
			s.add(b.upgradeCmd(p.pt, upg), " || exit")
		}
	} else if p.pt.state == "latest" && p.update && b.zero != nil {
		s.add(b.installCmd(p.pt, p.pt.rawArgs()), " || exit")
	}
	return &Change{Diffs: diffs, Apply: s.String(), Result: p.result}, nil
}

func (pt *pkgTask) rawArgs() []string { return append([]string(nil), pt.raw...) }

// pkgCacheMarker starts the line an apply prints after updating the cache.
const pkgCacheMarker = "tend-pkg-cache-updated="

func (p *pkgPlan) result(o Output) (Result, error) {
	stdout := string(o.Stdout)
	cacheTime := p.st.cacheTime
	updated := false
	var kept []string
	for _, l := range strings.SplitAfter(stdout, "\n") {
		if v, ok := strings.CutPrefix(l, pkgCacheMarker); ok {
			updated = true
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				cacheTime = n
			}
			continue
		}
		kept = append(kept, l)
	}
	stdout = strings.Join(kept, "")
	stderr := string(o.Stderr)
	res := Result{
		"stdout": stdout, "stdout_lines": lines(stdout),
		"stderr": stderr, "stderr_lines": lines(stderr),
		"rc": o.ExitCode,
	}
	if p.st.b.mgr == "apt" {
		res["cache_updated"] = updated
		res["cache_update_time"] = cacheTime
	}
	if o.ExitCode != 0 {
		res["failed"] = true
		res["changed"] = false
		res["msg"] = p.st.b.failMsg(stdout, stderr, o.ExitCode)
		return res, nil
	}
	var names []string
	for _, a := range p.acts {
		names = append(names, a.name)
	}
	changed := len(p.acts) > 0
	if len(p.acts) > 0 || p.pt.state == "latest" && p.update {
		changed = p.st.b.changedBy(stdout)
	}
	switch {
	case changed && len(names) > 0:
		res["msg"] = p.byState + ": " + strings.Join(names, ", ")
		res["packages"] = names
	case len(p.pt.raw) == 0 && p.pt.deb == "" && p.update:
		changed = true
		res["msg"] = "cache updated"
	default:
		res["msg"] = "nothing to do"
		res["packages"] = []string{}
	}
	res["changed"] = changed
	return res, nil
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// Report is the result when nothing changes.
func (m pkgModule) Report(t *Task, probe Output) (Result, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	res := Result{"changed": false, "msg": "nothing to do", "packages": []string{}}
	if p.st.b.mgr == "apt" {
		res["cache_updated"] = false
		res["cache_update_time"] = p.st.cacheTime
	}
	return res, nil
}

// policyRCD makes /usr/sbin/policy-rc.d exit with code while the script
// runs (apt's policy_rc_d: 101 keeps the packages' services from
// starting), and puts back the one there was.
func policyRCD(s *script, code int) {
	s.add("tend_pr=/usr/sbin/policy-rc.d; tend_pb=/usr/sbin/", tempBase(), "; tend_ps=")
	s.add(`if [ -e "$tend_pr" ] || [ -L "$tend_pr" ]; then mv -f -- "$tend_pr" "$tend_pb" || exit; tend_ps=1; fi`)
	s.add(`trap 'rm -f -- "$tend_pr"; [ -z "$tend_ps" ] || mv -f -- "$tend_pb" "$tend_pr"' EXIT`)
	s.add(`printf '#!/bin/sh\nexit %d\n' `, strconv.Itoa(code), ` > "$tend_pr" && chmod 0755 "$tend_pr" || exit`)
}

// newerInstalled: s names a version (foo-1.2, dnf's syntax) of a package
// that is installed in a newer version.
func (st *pkgState) newerInstalled(s pkgSpec) bool {
	for _, i := range st.installed {
		want, ok := strings.CutPrefix(s.raw, i.name+"-")
		if !i.installed || !ok || want == "" || want[0] < '0' || want[0] > '9' && !strings.Contains(want, ":") {
			continue
		}
		have := i.version
		if e := epochOf(want); e == "" {
			have = strings.TrimPrefix(have, epochOf(have))
		}
		if !strings.Contains(want, "-") {
			have, _, _ = strings.Cut(have, "-") // the version alone
		}
		want = strings.TrimSuffix(want, "."+i.arch)
		if rpmVerCmp(have, want) > 0 {
			return true
		}
	}
	return false
}

// rpmVerCmp compares versions as rpm's rpmvercmp does: runs of digits
// numerically, runs of letters as strings, '~' sorting first.
func rpmVerCmp(a, b string) int {
	isAlnum := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for len(a) > 0 || len(b) > 0 {
		for len(a) > 0 && !isAlnum(a[0]) && a[0] != '~' {
			a = a[1:]
		}
		for len(b) > 0 && !isAlnum(b[0]) && b[0] != '~' {
			b = b[1:]
		}
		if len(a) > 0 && a[0] == '~' || len(b) > 0 && b[0] == '~' {
			switch {
			case len(a) == 0 || a[0] != '~':
				return 1
			case len(b) == 0 || b[0] != '~':
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if len(a) == 0 || len(b) == 0 {
			break
		}
		num := isDigit(a[0])
		seg := func(s string) (string, string) {
			i := 0
			for i < len(s) && isAlnum(s[i]) && isDigit(s[i]) == num {
				i++
			}
			return s[:i], s[i:]
		}
		var x, y string
		x, a = seg(a)
		y, b = seg(b)
		if y == "" {
			if num {
				return 1
			}
			return -1
		}
		if num {
			x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
			if len(x) != len(y) {
				if len(x) > len(y) {
					return 1
				}
				return -1
			}
		}
		if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0:
		return -1
	}
	return 1
}
