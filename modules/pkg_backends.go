package modules

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// pkgBackend is one package manager: how the probe asks what is installed
// (and what could be upgraded), how names are read, and the commands that
// change the host. The table below is the only place that knows managers
// apart.
type pkgBackend struct {
	mgr     string   // ansible_pkg_mgr
	aliases []string // other ansible_pkg_mgr values it serves
	cmd     string   // what `command -v` looks for
	// query prints the installed packages (blob q); names are the task's
	// names without versions.
	query      func(names []string) string
	queryOK    func(rc int) bool
	parseQuery func(out []byte) ([]pkgInst, error)
	// upgrades prints the packages that can be upgraded, or the candidate
	// versions (blob u), for state=latest; apt runs it always, to know the
	// names its cache knows and the versions an install brings.
	upgrades      func(pt *pkgTask, names []string) string
	upgradesOK    func(rc int) bool
	parseUpgrades func(out []byte) (cands map[string]string, known map[string]bool, err error)
	// missing prints the candidates of the names not installed (blob u)
	// for state=present: apt's, to know that its cache has them, and which
	// versions an install brings. apt-cache takes a second or more, so it
	// runs only when something is missing.
	missing func(pt *pkgTask, names []string) string
	// cacheFiles are the files whose age is the cache's, first found first
	// (apt's, as Ansible reads them).
	cacheFiles []string
	spec       func(raw string) (pkgSpec, error)
	match      func(s pkgSpec, i pkgInst) bool
	// versionHint shows the version syntax in messages.
	versionHint string
	env         []string
	install     func(pt *pkgTask) []string // argv before the names
	upgrade     func(pt *pkgTask) []string
	remove      func(pt *pkgTask) []string
	update      func(pt *pkgTask) []string
	// updateFails, when set, is a pattern of update's output that means
	// it failed though it exited 0 (apt-get update only warns when an
	// index cannot be fetched; Ansible's apt fails the task).
	updateFails string
	afterUpdate string
	autoremove  func(pt *pkgTask) []string
	// zero matches the manager's summary line when it changed nothing.
	zero     *regexp.Regexp
	summary  *regexp.Regexp
	noDashes bool // the manager does not take "--" before names
	// rawRemove removes by the name as given (dnf reads its N-V-R forms).
	rawRemove bool
	// updateInInstall: install and upgrade update the cache themselves
	// (apk add --update-cache, pacman -Sy).
	updateInInstall bool
}

var pkgBackends []*pkgBackend

func pkgBackendFor(mgr string) *pkgBackend {
	for _, b := range pkgBackends {
		if b.mgr == mgr {
			return b
		}
		for _, a := range b.aliases {
			if a == mgr {
				return b
			}
		}
	}
	return nil
}

func pkgMgrNamesKnown() []string {
	var out []string
	for _, b := range pkgBackends {
		out = append(out, b.mgr)
	}
	return out
}

func init() {
	rpmFamily := func(mgr, cmd string) *pkgBackend {
		return &pkgBackend{
			mgr: mgr, cmd: cmd,
			query:      func([]string) string { return "tend_pkgcap q rpm -qa --qf " + q(rpmQF) },
			queryOK:    func(rc int) bool { return rc == 0 },
			parseQuery: parseRpmQuery,
			upgrades: func(pt *pkgTask, _ []string) string {
				refresh := ""
				if pt.update && cmd == "dnf" {
					refresh = " --refresh"
				}
				return "tend_pkgcap u " + joinQ(rpmArgv(cmd, pt, "")) + refresh + " -q check-update"
			},
			upgradesOK:    func(rc int) bool { return rc == 0 || rc == 100 },
			parseUpgrades: parseCheckUpdate,
			spec:          rpmSpec,
			match:         matchForms,
			versionHint:   "foo-1.2 or foo-1.2-3.el9",
			install:       func(pt *pkgTask) []string { return rpmArgv(cmd, pt, "install") },
			upgrade:       func(pt *pkgTask) []string { return rpmArgv(cmd, pt, "upgrade") },
			remove:        func(pt *pkgTask) []string { return rpmArgv(cmd, pt, "remove") },
			update:        func(pt *pkgTask) []string { return rpmArgv(cmd, pt, "makecache") },
			rawRemove:     true,
		}
	}
	dnf := rpmFamily("dnf", "dnf")
	dnf.aliases = []string{"dnf5"}
	pkgBackends = []*pkgBackend{
		{
			mgr: "apt", cmd: "apt-get",
			query: func(names []string) string {
				return "tend_pkgcap q dpkg-query -W -f=" + q(dpkgQF) + " -- " + joinQ(names)
			},
			queryOK:    func(rc int) bool { return rc == 0 || rc == 1 },
			parseQuery: parseDpkgQuery,
			upgrades: func(pt *pkgTask, names []string) string {
				return "tend_pkgcap u apt-cache" + aptRelease(pt) + " policy -- " + joinQ(names)
			},
			upgradesOK:    func(rc int) bool { return rc == 0 },
			parseUpgrades: parseAptPolicy,
			missing: func(pt *pkgTask, names []string) string {
				var b strings.Builder
				b.WriteString("tend_m=\nfor tend_n in " + joinQ(names) + "; do\n")
				// A line of the query for the name, with an installed status.
				b.WriteString("\tcase $tend_v in *[iWt]?\"\t$tend_n\t\"*) ;; *) tend_m=\"$tend_m $tend_n\" ;; esac\ndone\n")
				b.WriteString("[ -z \"$tend_m\" ] || tend_pkgcap u apt-cache" + aptRelease(pt) + " policy -- $tend_m")
				return b.String()
			},
			cacheFiles:  []string{aptStamp, "/var/lib/apt/lists"},
			spec:        aptSpec,
			match:       matchNameVersion,
			versionHint: "foo=1.2 or foo=1.2*",
			env:         []string{"DEBIAN_FRONTEND=noninteractive", "DEBIAN_PRIORITY=critical"},
			install: func(pt *pkgTask) []string {
				argv := append([]string{"apt-get", "install", "-y", "-q"}, aptOpts(pt)...)
				switch pt.recommends {
				case "yes":
					argv = append(argv, "-o", "APT::Install-Recommends=yes")
				case "no":
					argv = append(argv, "--no-install-recommends")
				}
				if pt.downgrade {
					argv = append(argv, "--allow-downgrades")
				}
				if pt.autoremove {
					argv = append(argv, "--auto-remove")
				}
				return argv
			},
			remove: func(pt *pkgTask) []string {
				argv := append([]string{"apt-get", "remove", "-y", "-q"}, dpkgOpts(pt)...)
				if pt.purge {
					argv = append(argv, "--purge")
				}
				if pt.autoremove {
					argv = append(argv, "--auto-remove")
				}
				return argv
			},
			update:      func(*pkgTask) []string { return []string{"apt-get", "update", "-q"} },
			updateFails: `*'Failed to fetch'*|*'Some index files failed to download'*`,
			// apt-get update leaves the lists' folder alone when nothing
			// changed, so the stamp (which Ansible reads first) keeps
			// cache_valid_time true to its word.
			afterUpdate: "mkdir -p /var/lib/apt/periodic && touch " + aptStamp + " || exit\nprintf '" + pkgCacheMarker + "%s\\n' \"$(date +%s)\"",
			autoremove: func(pt *pkgTask) []string {
				argv := []string{"apt-get", "autoremove", "-y", "-q"}
				if pt.purge {
					argv = append(argv, "--purge")
				}
				return argv
			},
			zero:    regexp.MustCompile(`(?m)^0 upgraded, 0 newly installed, (?:0 reinstalled, )?(?:0 downgraded, )?0 to remove and \d+ not upgraded\.$`),
			summary: regexp.MustCompile(`(?m)^\d+ upgraded, \d+ newly installed, `),
		},
		dnf,
		rpmFamily("yum", "yum"),
		{
			mgr: "apk", cmd: "apk",
			query:      func([]string) string { return "tend_pkgcap q apk info -v" },
			queryOK:    func(rc int) bool { return rc == 0 },
			parseQuery: parseApkInfo,
			upgrades: func(*pkgTask, []string) string {
				return "tend_pkgcap u apk version -l '<'"
			},
			upgradesOK:    func(rc int) bool { return rc == 0 },
			parseUpgrades: parseApkVersion,
			spec:          eqSpec,
			match:         matchNameVersion,
			versionHint:   "foo=1.2-r0",
			install: func(pt *pkgTask) []string {
				if pt.update {
					return []string{"apk", "add", "--update-cache"}
				}
				return []string{"apk", "add"}
			},
			upgrade: func(pt *pkgTask) []string {
				if pt.update {
					return []string{"apk", "add", "--upgrade", "--update-cache"}
				}
				return []string{"apk", "add", "--upgrade"}
			},
			remove:          func(*pkgTask) []string { return []string{"apk", "del"} },
			update:          func(*pkgTask) []string { return []string{"apk", "update"} },
			updateInInstall: true,
		},
		{
			mgr: "zypper", cmd: "zypper",
			query:      func([]string) string { return "tend_pkgcap q rpm -qa --qf " + q(rpmQF) },
			queryOK:    func(rc int) bool { return rc == 0 },
			parseQuery: parseRpmQuery,
			upgrades: func(pt *pkgTask, _ []string) string {
				return "tend_pkgcap u zypper --non-interactive --no-refresh list-updates"
			},
			upgradesOK:    func(rc int) bool { return rc == 0 },
			parseUpgrades: parseZypperUpdates,
			spec:          eqSpec,
			match:         matchZypper,
			versionHint:   "foo=1.2 or foo=1.2-3",
			install: func(pt *pkgTask) []string {
				return []string{"zypper", "--non-interactive", "install", "--auto-agree-with-licenses"}
			},
			upgrade: func(pt *pkgTask) []string {
				return []string{"zypper", "--non-interactive", "update", "--auto-agree-with-licenses"}
			},
			remove:   func(*pkgTask) []string { return []string{"zypper", "--non-interactive", "remove"} },
			update:   func(*pkgTask) []string { return []string{"zypper", "--non-interactive", "refresh"} },
			noDashes: true,
		},
		{
			mgr: "pacman", cmd: "pacman",
			query:      func([]string) string { return "tend_pkgcap q pacman -Q" },
			queryOK:    func(rc int) bool { return rc == 0 || rc == 1 },
			parseQuery: parsePacmanQ,
			upgrades: func(*pkgTask, []string) string {
				return "tend_pkgcap u pacman -Qu"
			},
			// pacman -Qu exits 1 when nothing can be upgraded.
			upgradesOK:    func(rc int) bool { return rc == 0 || rc == 1 },
			parseUpgrades: parsePacmanQu,
			spec: func(raw string) (pkgSpec, error) {
				if strings.ContainsAny(raw, "=:*") {
					return pkgSpec{}, fmt.Errorf("pacman takes no versions")
				}
				return pkgSpec{raw: raw, name: raw}, nil
			},
			match:       matchNameVersion,
			versionHint: "none",
			install: func(pt *pkgTask) []string {
				if pt.update {
					return []string{"pacman", "-Sy", "--noconfirm", "--needed"}
				}
				return []string{"pacman", "-S", "--noconfirm", "--needed"}
			},
			upgrade: func(pt *pkgTask) []string {
				if pt.update {
					return []string{"pacman", "-Sy", "--noconfirm"}
				}
				return []string{"pacman", "-S", "--noconfirm"}
			},
			remove:          func(*pkgTask) []string { return []string{"pacman", "-R", "--noconfirm"} },
			update:          func(*pkgTask) []string { return []string{"pacman", "-Sy"} },
			updateInInstall: true,
		},
	}
}

const (
	aptStamp = "/var/lib/apt/periodic/update-success-stamp"
	// dpkgQF: status (want, state, error), name, architecture, version.
	dpkgQF = `${db:Status-Abbrev}\t${Package}\t${Architecture}\t${Version}\n`
	rpmQF  = `%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n`
)

// dpkgOpts are apt's dpkg_options as apt-get's -o options (Ansible's
// expand_dpkg_options).
func dpkgOpts(pt *pkgTask) []string {
	var out []string
	for _, o := range strings.Split(pt.dpkgOpts, ",") {
		out = append(out, "-o", "Dpkg::Options::=--"+o)
	}
	return out
}

// aptOpts are apt-get install's options from the task.
func aptOpts(pt *pkgTask) []string {
	out := dpkgOpts(pt)
	if pt.release != "" {
		out = append(out, "-t", pt.release)
	}
	if pt.unauthenticated {
		out = append(out, "--allow-unauthenticated")
	}
	if pt.changeHeld {
		out = append(out, "--allow-change-held-packages")
	}
	return out
}

// aptRelease makes apt-cache pick candidates as apt-get -t does.
func aptRelease(pt *pkgTask) string {
	if pt.release == "" {
		return ""
	}
	return " -o " + q("APT::Default-Release="+pt.release)
}

// rpmArgv is dnf's or yum's command with the task's repository, gpg and
// dependency options, then the subcommand (none for check-update, which
// the caller adds).
func rpmArgv(cmd string, pt *pkgTask, sub string) []string {
	argv := []string{cmd}
	if sub != "" && sub != "check-update" {
		argv = append(argv, "-y")
	}
	for _, r := range pt.disableRepo {
		argv = append(argv, "--disablerepo="+r)
	}
	for _, r := range pt.enableRepo {
		argv = append(argv, "--enablerepo="+r)
	}
	for _, x := range pt.exclude {
		argv = append(argv, "--exclude="+x)
	}
	if pt.disableExcludes != "" {
		argv = append(argv, "--disableexcludes="+pt.disableExcludes)
	}
	if pt.noGPG {
		argv = append(argv, "--nogpgcheck")
	}
	if pt.skipBroken && sub != "remove" && sub != "" {
		argv = append(argv, "--skip-broken")
	}
	if pt.noWeakDeps && cmd == "dnf" && (sub == "install" || sub == "upgrade") {
		argv = append(argv, "--setopt=install_weak_deps=False")
	}
	if sub != "" {
		argv = append(argv, sub)
	}
	return argv
}

func joinQ(l []string) string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = q(s)
	}
	return strings.Join(out, " ")
}

func argv(cmd []string, noDashes bool, names []string) string {
	s := joinQ(cmd)
	if !noDashes {
		s += " --"
	}
	return s + " " + joinQ(names)
}

func (b *pkgBackend) installCmd(pt *pkgTask, names []string) string {
	return argv(b.install(pt), b.noDashes, names)
}

func (b *pkgBackend) upgradeCmd(pt *pkgTask, names []string) string {
	if b.upgrade == nil {
		return b.installCmd(pt, names)
	}
	return argv(b.upgrade(pt), b.noDashes, names)
}

func (b *pkgBackend) removeCmd(pt *pkgTask, names []string) string {
	return argv(b.remove(pt), b.noDashes, names)
}

func (b *pkgBackend) updateCmd(pt *pkgTask) string { return joinQ(b.update(pt)) }

func (b *pkgBackend) removeArg(s pkgSpec) string {
	if b.rawRemove {
		return s.raw // dnf reads the N-V-R forms itself
	}
	if s.arch != "" {
		return s.name + ":" + s.arch
	}
	return s.name
}

// upgradable: for apt the candidate is the version apt-get would install,
// which may be the installed one; the other managers list only upgrades.
func (b *pkgBackend) upgradable(st *pkgState, s pkgSpec) bool {
	for _, i := range st.find(s) {
		if i.version == st.candidate(s) {
			return false
		}
	}
	return true
}

// changedBy reads an apply's output: false only when every summary line
// says nothing changed (Ansible's apt reads "0 upgraded, 0 newly
// installed" the same way).
func (b *pkgBackend) changedBy(stdout string) bool {
	if b.zero == nil {
		return true
	}
	all := len(b.summary.FindAllString(stdout, -1))
	zero := len(b.zero.FindAllString(stdout, -1))
	return all == 0 || zero < all
}

// failMsg is the manager's own message: apt's E: lines, else its stderr.
func (b *pkgBackend) failMsg(stdout, stderr string, rc int) string {
	var errs []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "E: ") || strings.HasPrefix(l, "error: ") {
			errs = append(errs, strings.TrimSpace(l))
		}
	}
	if len(errs) > 0 {
		return strings.Join(errs, "\n")
	}
	if m := strings.TrimSpace(stderr); m != "" {
		return m
	}
	if m := strings.TrimSpace(stdout); m != "" {
		return m
	}
	return "exit status " + strconv.Itoa(rc)
}

// probe writes this backend's queries.
func (b *pkgBackend) probe(pt *pkgTask, s *script) error {
	s.use("tend_pkgcap")
	specs, err := pt.specs(b)
	if err != nil {
		return err
	}
	var names []string
	for _, sp := range specs {
		n := sp.name
		if sp.arch != "" {
			n += ":" + sp.arch
		}
		names = append(names, n)
	}
	if pt.deb != "" {
		if b.mgr != "apt" {
			return fmt.Errorf("%s: deb is apt's", pt.mod)
		}
		d := q(pt.deb)
		s.add("if [ -f ", d, " ]; then")
		// dpkg-deb -f with no fields prints them all, in busybox too.
		s.add("tend_pkgcap deb dpkg-deb -f ", d)
		s.add(`tend_n=$(printf '%s\n' "$tend_v" | sed -n 's/^Package: *//p')`)
		s.add(`tend_pkgcap q dpkg-query -W -f=`, q(dpkgQF), ` -- "$tend_n"`)
		s.add("else")
		s.add("printf 'deb.rc=missing\\n'")
		s.add("fi")
	} else if len(names) > 0 {
		s.add(b.query(names))
	}
	switch {
	case len(names) == 0 || pt.deb != "":
	case pt.state == "latest":
		s.add(b.upgrades(pt, names))
	case pt.state == "present" && b.missing != nil:
		var base []string
		for _, sp := range specs {
			base = append(base, sp.name)
		}
		s.add(b.missing(pt, base))
	}
	if pt.autoremove && len(names) == 0 && pt.deb == "" && b.autoremove != nil {
		flags := "-s -q autoremove"
		if pt.purge {
			flags += " --purge"
		}
		s.add("tend_pkgcap ar apt-get ", flags)
	}
	if pt.update && pt.validTime > 0 && len(b.cacheFiles) > 0 {
		s.add("printf 'now=%s\\n' \"$(date +%s)\"")
		for i, f := range b.cacheFiles {
			kw := "elif"
			if i == 0 {
				kw = "if"
			}
			s.add(kw, " [ -e ", q(f), " ]; then printf 'cache.mtime=%s\\n' \"$(date -r ", q(f), " +%s)\"")
		}
		s.add("fi")
	}
	return nil
}

// read parses what probe printed into st.
func (b *pkgBackend) read(pt *pkgTask, r *records, st *pkgState) error {
	if pt.deb != "" {
		if v, _ := r.opt("deb.rc"); v == "missing" {
			return errorf("Unable to install package: %s does not exist", pt.deb)
		}
		out, err := st.capture(r, "deb", "dpkg-deb -f "+pt.deb, func(rc int) bool { return rc == 0 })
		if err != nil {
			return err
		}
		f := parseControl(out)
		if f["Package"] == "" || f["Version"] == "" {
			return fmt.Errorf("%s: dpkg-deb printed no Package and Version", pt.deb)
		}
		st.deb = &pkgSpec{raw: pt.deb, name: f["Package"], version: f["Version"], arch: f["Architecture"]}
		if st.deb.arch == "all" {
			st.deb.arch = ""
		}
	}
	if _, ok := r.opt("q.rc"); ok {
		out, err := st.capture(r, "q", b.mgr+": querying the package database", b.queryOK)
		if err != nil {
			return err
		}
		if st.installed, err = b.parseQuery(out); err != nil {
			return fmt.Errorf("%s: reading the package database: %v", pt.mod, err)
		}
	}
	if _, ok := r.opt("u.rc"); ok {
		out, err := st.capture(r, "u", b.mgr+": querying upgrades", b.upgradesOK)
		if err != nil {
			return err
		}
		if st.candidates, st.known, err = b.parseUpgrades(out); err != nil {
			return fmt.Errorf("%s: reading upgrades: %v", pt.mod, err)
		}
	}
	if _, ok := r.opt("ar.rc"); ok {
		out, err := st.capture(r, "ar", "apt-get -s autoremove", func(rc int) bool { return rc == 0 })
		if err != nil {
			return err
		}
		st.autoremove = parseAptRemv(out)
	}
	if m, ok := r.opt("cache.mtime"); ok {
		now, err := r.num("now")
		if err != nil {
			return err
		}
		mt, err := strconv.ParseInt(strings.TrimSpace(m), 10, 64)
		if err != nil {
			return fmt.Errorf("probe: cache.mtime=%q", m)
		}
		st.cacheTime = mt
		st.cacheAge = max(now-mt, 0)
	}
	return nil
}

// aptSpec reads name[:arch][=version].
func aptSpec(raw string) (pkgSpec, error) {
	s := pkgSpec{raw: raw}
	s.name, s.version, _ = strings.Cut(raw, "=")
	if strings.Contains(raw, "=") && s.version == "" {
		return s, fmt.Errorf("empty version")
	}
	if n, a, ok := strings.Cut(s.name, ":"); ok {
		s.name, s.arch = n, a
	}
	if strings.ContainsAny(s.version, "=") || strings.Contains(s.arch, ":") || strings.Contains(strings.TrimSuffix(s.version, "*"), "*") || strings.Contains(s.name, "*") {
		return s, fmt.Errorf("cannot read it as name[:arch][=version]; patterns are not supported (a '*' may only end a version: foo=1.2*)")
	}
	return s, nil
}

// eqSpec reads name[=version] (apk, zypper).
func eqSpec(raw string) (pkgSpec, error) {
	s := pkgSpec{raw: raw}
	s.name, s.version, _ = strings.Cut(raw, "=")
	if strings.Contains(raw, "=") && s.version == "" || strings.ContainsAny(s.version, "=*") || strings.Contains(s.name, ":") {
		return s, fmt.Errorf("cannot read it as name[=version]")
	}
	return s, nil
}

// rpmSpec keeps the name whole: dnf reads foo-1.2 as a name or as a
// name and version, so matching is done against every form (matchForms).
func rpmSpec(raw string) (pkgSpec, error) {
	if strings.ContainsAny(raw, "=*") {
		return pkgSpec{}, fmt.Errorf("dnf versions are written foo-1.2, not foo=1.2")
	}
	return pkgSpec{raw: raw, name: raw}, nil
}

// matchNameVersion: the same name (and architecture), and the version
// asked for if any; a version ending in '*' is a prefix (apt's foo=1.2*).
func matchNameVersion(s pkgSpec, i pkgInst) bool {
	if i.name != s.name || s.arch != "" && s.arch != i.arch && i.arch != "all" {
		return false
	}
	if p, ok := strings.CutSuffix(s.version, "*"); ok {
		return strings.HasPrefix(i.version, p)
	}
	return s.version == "" || s.version == i.version
}

func matchForms(s pkgSpec, i pkgInst) bool {
	for _, f := range i.forms {
		if f == s.raw {
			return true
		}
	}
	return false
}

// matchZypper: zypper's name=version is the version, or version-release.
func matchZypper(s pkgSpec, i pkgInst) bool {
	if s.version == "" {
		return i.name == s.name
	}
	vr := strings.TrimPrefix(i.version, epochOf(i.version))
	v, _, _ := strings.Cut(vr, "-")
	return i.name == s.name && (s.version == vr || s.version == v || s.version == i.version)
}

func epochOf(v string) string {
	if e, _, ok := strings.Cut(v, ":"); ok && !strings.ContainsAny(e, ".-") {
		return e + ":"
	}
	return ""
}

func parseDpkgQuery(out []byte) ([]pkgInst, error) {
	var l []pkgInst
	for _, line := range nonEmptyLines(out) {
		f := strings.Split(line, "\t")
		if len(f) != 4 || len(f[0]) < 2 {
			return nil, fmt.Errorf("unexpected line %q", line)
		}
		st := f[0][1]
		l = append(l, pkgInst{
			name: f[1], arch: f[2], version: f[3],
			// Installed, or installed with triggers still to run.
			installed: st == 'i' || st == 'W' || st == 't',
			confFiles: st == 'c',
		})
	}
	return l, nil
}

// parseAptPolicy reads apt-cache policy: a "name:" line per package the
// cache knows, then its Installed and Candidate versions.
func parseAptPolicy(out []byte) (map[string]string, map[string]bool, error) {
	cands, known := map[string]string{}, map[string]bool{}
	cur := ""
	for _, line := range nonEmptyLines(out) {
		if !strings.HasPrefix(line, " ") && strings.HasSuffix(line, ":") {
			cur = strings.TrimSuffix(line, ":")
			continue
		}
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "Candidate: ")
		if !ok || cur == "" {
			continue
		}
		if v != "(none)" {
			cands[cur] = v
			name, _, _ := strings.Cut(cur, ":")
			known[cur], known[name] = true, true
			if _, dup := cands[name]; !dup {
				cands[name] = v
			}
		}
	}
	return cands, known, nil
}

// parseAptRemv reads apt-get -s: "Remv name [version]".
func parseAptRemv(out []byte) []pkgInst {
	var l []pkgInst
	for _, line := range nonEmptyLines(out) {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "Remv" {
			i := pkgInst{name: f[1], installed: true}
			if len(f) >= 3 {
				i.version = strings.Trim(f[2], "[]")
			}
			l = append(l, i)
		}
	}
	return l
}

// parseControl reads "Field: value" lines (dpkg-deb -f with several fields).
func parseControl(out []byte) map[string]string {
	m := map[string]string{}
	for _, line := range nonEmptyLines(out) {
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

func parseRpmQuery(out []byte) ([]pkgInst, error) {
	var l []pkgInst
	for _, line := range nonEmptyLines(out) {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("unexpected line %q", line)
		}
		n, e, v, r, a := f[0], f[1], f[2], f[3], f[4]
		if e == "(none)" {
			e = ""
		}
		ver := v + "-" + r
		if e != "" && e != "0" {
			ver = e + ":" + ver // as dnf prints it: epoch 0 is left out
		}
		forms := []string{n, n + "." + a, n + "-" + v, n + "-" + v + "-" + r, n + "-" + v + "-" + r + "." + a}
		if e != "" {
			forms = append(forms, n+"-"+e+":"+v, n+"-"+e+":"+v+"-"+r, n+"-"+e+":"+v+"-"+r+"."+a, e+":"+n+"-"+v+"-"+r+"."+a)
		}
		l = append(l, pkgInst{name: n, arch: a, version: ver, installed: true, forms: forms})
	}
	return l, nil
}

// parseCheckUpdate reads dnf/yum check-update: "name.arch version repo",
// with long names wrapping the rest onto the next line; the section after
// "Obsoleting Packages" is not about upgrades.
func parseCheckUpdate(out []byte) (map[string]string, map[string]bool, error) {
	cands := map[string]string{}
	var fields []string
	for _, line := range nonEmptyLines(out) {
		if strings.HasPrefix(line, "Obsoleting Packages") {
			break
		}
		fields = append(fields, strings.Fields(line)...)
		if len(fields) < 3 {
			continue
		}
		na, ver := fields[0], fields[1]
		fields = fields[3:]
		dot := strings.LastIndexByte(na, '.')
		if dot <= 0 {
			continue
		}
		name := na[:dot]
		cands[name] = ver
		cands[na] = ver
	}
	return cands, nil, nil
}

// splitApkName splits apk's name-version-rN.
func splitApkName(s string) (name, version string, ok bool) {
	r := strings.LastIndex(s, "-r")
	if r <= 0 {
		return "", "", false
	}
	d := strings.LastIndexByte(s[:r], '-')
	if d <= 0 {
		return "", "", false
	}
	return s[:d], s[d+1:], true
}

func parseApkInfo(out []byte) ([]pkgInst, error) {
	var l []pkgInst
	for _, line := range nonEmptyLines(out) {
		if strings.HasPrefix(line, "WARNING") {
			continue
		}
		n, v, ok := splitApkName(strings.TrimSpace(line))
		if !ok {
			return nil, fmt.Errorf("unexpected line %q", line)
		}
		l = append(l, pkgInst{name: n, version: v, installed: true})
	}
	return l, nil
}

// parseApkVersion reads apk version -l '<': "name-1.0-r0 < 1.1-r0".
func parseApkVersion(out []byte) (map[string]string, map[string]bool, error) {
	cands := map[string]string{}
	for _, line := range nonEmptyLines(out) {
		f := strings.Fields(line)
		if len(f) == 3 && f[1] == "<" {
			if n, _, ok := splitApkName(f[0]); ok {
				cands[n] = f[2]
			}
		}
	}
	return cands, nil, nil
}

// parseZypperUpdates reads zypper list-updates' table, by its header.
func parseZypperUpdates(out []byte) (map[string]string, map[string]bool, error) {
	cands := map[string]string{}
	col := map[string]int{}
	for _, line := range nonEmptyLines(out) {
		f := strings.Split(line, "|")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) < 3 {
			continue
		}
		if len(col) == 0 {
			for i, h := range f {
				col[h] = i
			}
			if _, ok := col["Name"]; !ok {
				col = map[string]int{}
			}
			continue
		}
		n, a := col["Name"], col["Available Version"]
		if a == 0 || n >= len(f) || a >= len(f) || strings.HasPrefix(f[n], "-") {
			continue
		}
		cands[f[n]] = f[a]
	}
	return cands, nil, nil
}

func parsePacmanQ(out []byte) ([]pkgInst, error) {
	var l []pkgInst
	for _, line := range nonEmptyLines(out) {
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("unexpected line %q", line)
		}
		l = append(l, pkgInst{name: f[0], version: f[1], installed: true})
	}
	return l, nil
}

// parsePacmanQu reads "name old -> new" (and " [ignored]").
func parsePacmanQu(out []byte) (map[string]string, map[string]bool, error) {
	cands := map[string]string{}
	for _, line := range nonEmptyLines(out) {
		f := strings.Fields(line)
		if len(f) >= 4 && f[2] == "->" && !strings.Contains(line, "[ignored]") {
			cands[f[0]] = f[3]
		}
	}
	return cands, nil, nil
}

func nonEmptyLines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := strings.TrimRight(sc.Text(), "\r"); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
