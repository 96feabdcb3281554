package modules

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// zypperRepositoryModule is community.general.zypper_repository, with
// the host's zypper (zypper --xmlout repos to read, addrepo and
// removerepo to change, refresh). A .repo file named by repo is read by
// the probe (downloaded with curl or wget for a URL), so Plan compares as
// Ansible does and check mode is truthful (Ansible's module does not
// support check mode). A refresh alone (runrefresh on a repository that
// is as wanted, or repo=*) changes nothing, as in Ansible, and is skipped
// in check mode.
type zypperRepositoryModule struct{}

func init() {
	Register("zypper_repository", zypperRepositoryModule{})
}

func (zypperRepositoryModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "name", Kind: String},
		{Name: "repo", Kind: String},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent"}},
		{Name: "runrefresh", Kind: Bool, Default: false},
		{Name: "description", Kind: String},
		{Name: "disable_gpg_check", Kind: Bool, Default: false},
		{Name: "autorefresh", Kind: Bool, Default: true, Aliases: []string{"refresh"}},
		{Name: "priority", Kind: Int},
		{Name: "enabled", Kind: Bool, Default: true},
		{Name: "overwrite_multiple", Kind: Bool, Default: false},
		{Name: "auto_import_keys", Kind: Bool, Default: false},
	}}
}

// zypperRepo is one repository as zypper lists it (REPO_OPTS and url).
type zypperRepo struct {
	Alias       string `xml:"alias,attr"`
	Name        string `xml:"name,attr"`
	Priority    string `xml:"priority,attr"`
	Enabled     string `xml:"enabled,attr"`
	Autorefresh string `xml:"autorefresh,attr"`
	Gpgcheck    string `xml:"gpgcheck,attr"`
	URL         string `xml:"url"`
}

func (r zypperRepo) get(k string) string {
	return map[string]string{"alias": r.Alias, "name": r.Name, "priority": r.Priority, "enabled": r.Enabled,
		"autorefresh": r.Autorefresh, "gpgcheck": r.Gpgcheck, "url": r.URL}[k]
}

type zypperTask struct {
	repo, alias, state       string
	refresh, importKeys, all bool
	overwrite                bool
	data                     zypperRepo // repodata; "" for None
	fileURL                  bool       // repo is a .repo file at a URL
	fetch                    fetchOpts
}

func readZypperTask(a Args) (zypperTask, error) {
	zt := zypperTask{repo: a.String("repo"), alias: a.String("name"), state: a.String("state"),
		refresh: a.Bool("runrefresh"), importKeys: a.Bool("auto_import_keys"), overwrite: a.Bool("overwrite_multiple")}
	for _, v := range []string{zt.repo, zt.alias, a.String("description")} {
		if strings.HasPrefix(v, "-") || strings.ContainsAny(v, "\n\x00") {
			return zt, fmt.Errorf("repo, name and description must be one line, not an option: %q", v)
		}
	}
	zt.data = zypperRepo{URL: zt.repo, Alias: zt.alias, Name: a.String("description"),
		Enabled: "1", Gpgcheck: "1", Autorefresh: "1"}
	if a.Has("priority") {
		zt.data.Priority = strconv.Itoa(a.Int("priority"))
		if a.Int("priority") == 0 {
			zt.data.Priority = "" // falsy in Python: not set
		}
	}
	if a.Has("enabled") && !a.Bool("enabled") {
		zt.data.Enabled = "0"
	}
	if a.Bool("disable_gpg_check") {
		zt.data.Gpgcheck = "0"
	}
	if a.Has("autorefresh") && !a.Bool("autorefresh") {
		zt.data.Autorefresh = "0"
	}
	if zt.repo == "*" || zt.alias == "*" {
		if !zt.refresh {
			return zt, fmt.Errorf("repo=* can only be used with the runrefresh option.")
		}
		zt.all = true
		return zt, nil
	}
	switch {
	case zt.state == "present" && zt.repo == "":
		return zt, fmt.Errorf("Module option state=present requires repo")
	case zt.state == "absent" && zt.repo == "" && zt.alias == "":
		return zt, fmt.Errorf("Alias or repo parameter required when state=absent")
	}
	if strings.HasSuffix(zt.repo, ".repo") {
		if zt.alias != "" {
			return zt, fmt.Errorf("Incompatible option: 'name'. Do not use name when adding .repo files")
		}
		if strings.HasPrefix(zt.repo, "http://") || strings.HasPrefix(zt.repo, "https://") {
			if _, err := url.Parse(zt.repo); err != nil {
				return zt, fmt.Errorf("repo: %v", err)
			}
			zt.fileURL = true
			zt.fetch = fetchOpts{url: zt.repo, agent: "ansible-httpget", timeout: 10, netrc: true}
		} else if err := checkAbs("repo", zt.repo); err != nil {
			return zt, err
		}
	} else if zt.alias == "" && zt.state == "present" {
		return zt, fmt.Errorf("Name required when adding non-repo files.")
	}
	return zt, nil
}

func zypperCmd(args ...string) string {
	w := []string{"zypper", "--quiet", "--non-interactive"}
	for _, a := range args {
		w = append(w, q(a))
	}
	return strings.Join(w, " ")
}

func (zypperRepositoryModule) Probe(t *Task) (string, error) {
	zt, err := readZypperTask(t.Args)
	if err != nil {
		return "", err
	}
	s := newScript()
	s.use("tend_blob")
	s.add("if command -v zypper >/dev/null 2>&1; then echo zypper=1; else echo zypper=0; exit 0; fi")
	if zt.all {
		return s.String(), nil
	}
	s.add(`tend_v=$(zypper --version 2>/dev/null) || tend_v=; printf 'version:%s\n%s\n' "${#tend_v}" "$tend_v"`)
	s.add(`tend_x=0; tend_v=$(`, zypperCmd("--xmlout", "repos"), ` 2>&1) || tend_x=$?`)
	s.add(`printf 'repos.rc=%s\nrepos:%s\n%s\n' "$tend_x" "${#tend_v}" "$tend_v"`)
	// $releasever and $basearch are compared expanded, as rpm says.
	check := "case $tend_v in *'$releasever'*|*'$basearch'*) true ;; *) false ;; esac"
	if strings.Contains(zt.repo, "$") {
		check = "true"
	}
	s.add(`if `, check, `; then`)
	s.add(`printf 'releasever=%s\n' "$(rpm -q --qf '%{version}' -f /etc/os-release 2>/dev/null)"`)
	s.add(`printf 'basearch=%s\n' "$(rpm -q --qf '%{arch}' -f /etc/os-release 2>/dev/null)"`)
	s.add("fi")
	switch {
	case zt.fileURL:
		s.add(`tend_h=$(umask 077; mktemp -d) || exit 1; trap 'rm -rf -- "$tend_h"' EXIT`)
		s.add(detectTool, "echo tool=$tend_tool")
		s.add("case $tend_tool in")
		for _, tool := range []string{toolCurl, toolWget, toolBBWget} {
			s.add(tool, ")")
			s.add(zt.fetch.cmd(tool, `"$tend_h/f"`, `"$tend_h/err"`))
			s.add(`echo file.rc=$tend_rc; [ "$tend_rc" != 0 ] || tend_blob file "$tend_h/f" || exit 1`)
			s.add(";;")
		}
		s.add("esac")
	case strings.HasSuffix(zt.repo, ".repo"):
		s.add(`if [ -f `, q(zt.repo), ` ]; then echo file.rc=0; tend_blob file `, q(zt.repo), ` || exit 1; else echo file.rc=1; fi`)
	}
	return s.String(), nil
}

// zypperPlan is what Plan decides.
type zypperPlan struct {
	zt          zypperTask
	exists, mod bool
	old         []zypperRepo
	version     string
	shortname   string
	importKeys  bool
	releasever  string
	basearch    string
}

func (zypperRepositoryModule) plan(t *Task, probe Output) (*zypperPlan, error) {
	zt, err := readZypperTask(t.Args)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	if ok, err := r.flag("zypper"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorf("Failed to find required executable zypper in paths: zypper_repository needs zypper on the host")
	}
	p := &zypperPlan{zt: zt, importKeys: zt.importKeys}
	if zt.all {
		return p, nil
	}
	v, _ := r.blob("version")
	p.version = "1.0"
	if f := strings.Fields(string(v)); len(f) > 1 && f[0] == "zypper" {
		p.version = f[1]
	}
	p.releasever, _ = r.opt("releasever")
	p.basearch, _ = r.opt("basearch")
	if strings.HasSuffix(zt.repo, ".repo") {
		if rc, _ := r.opt("file.rc"); rc != "0" {
			if zt.fileURL {
				return nil, errorf("Error downloading .repo file from provided URL")
			}
			return nil, errorf("Error opening .repo file from provided path")
		}
		body, _ := r.blob("file")
		secs, err := parseRawConfig(string(body))
		if err != nil {
			return nil, errorf("Invalid format, .repo file could not be parsed")
		}
		if len(secs) != 1 {
			return nil, errorf("Invalid format, .repo file contains %d repositories, expected 1", len(secs))
		}
		sec := secs[0]
		if _, ok := sec.vals["baseurl"]; !ok {
			return nil, errorf("No baseurl found in .repo file")
		}
		zt.alias, zt.data.Alias, zt.data.URL = sec.name, sec.name, sec.vals["baseurl"]
		if _, ok := sec.vals["gpgkey"]; ok {
			p.importKeys = true
		}
		for k, dst := range map[string]*string{"name": &zt.data.Name, "enabled": &zt.data.Enabled, "autorefresh": &zt.data.Autorefresh, "gpgcheck": &zt.data.Gpgcheck} {
			if v, ok := sec.vals[k]; ok {
				*dst = v
			}
		}
		p.zt = zt
	}
	rc, _ := r.opt("repos.rc")
	out, _ := r.blob("repos")
	var existing []zypperRepo
	switch rc {
	case "0":
		var doc struct {
			Repos []zypperRepo `xml:"repo-list>repo"`
		}
		if err := xml.Unmarshal(out, &doc); err != nil {
			return nil, errorf("cannot read zypper --xmlout repos: %v", err)
		}
		existing = doc.Repos
	case "6":
	default:
		return nil, errorf("Failed to execute \"zypper --quiet --non-interactive --xmlout repos\" (rc %s): %s", rc, strings.TrimSpace(string(out)))
	}
	// repo_exists: by alias, then by URL.
	for _, kw := range []string{"alias", "url"} {
		for _, o := range existing {
			if zt.data.get(kw) == o.get(kw) && !containsRepo(p.old, o) {
				p.old = append(p.old, o)
			}
		}
	}
	switch {
	case len(p.old) == 1:
		p.exists, p.mod = true, p.changes(p.old[0])
	case len(p.old) > 1:
		if !zt.overwrite {
			return nil, errorf("More than one repo matched %q: %v. Use overwrite_multiple to allow more than one repo to be overwritten", zt.data.URL, p.old)
		}
		p.exists, p.mod = true, true
	}
	p.shortname = zt.alias
	if p.shortname == "" {
		p.shortname = zt.repo
	}
	return p, nil
}

func containsRepo(l []zypperRepo, r zypperRepo) bool {
	for _, x := range l {
		if x == r {
			return true
		}
	}
	return false
}

// changes is _repo_changes: a setting the task gives differs.
func (p *zypperPlan) changes(old zypperRepo) bool {
	for _, k := range []string{"alias", "name", "priority", "enabled", "autorefresh", "gpgcheck", "url"} {
		want, have := p.zt.data.get(k), old.get(k)
		if want == "" {
			continue
		}
		if k == "url" {
			for _, v := range []struct{ name, val string }{{"$releasever", p.releasever}, {"$basearch", p.basearch}} {
				want, have = strings.ReplaceAll(want, v.name, v.val), strings.ReplaceAll(have, v.name, v.val)
			}
			want, have = strings.TrimRight(want, "/"), strings.TrimRight(have, "/")
		}
		if want != have {
			return true
		}
	}
	return false
}

// versionAtLeast compares dotted versions numerically.
func versionAtLeast(v, min string) bool {
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for i := 0; i < len(b); i++ {
		x, y := 0, 0
		if i < len(a) {
			x, _ = strconv.Atoi(a[i])
		}
		y, _ = strconv.Atoi(b[i])
		if x != y {
			return x > y
		}
	}
	return true
}

// refreshCmd is runrefreshrepo.
func refreshCmd(importKeys bool, shortname string) string {
	args := []string{"refresh", "--force"}
	if importKeys {
		args = append([]string{"--gpg-auto-import-keys"}, args...)
	}
	if shortname != "" {
		args = append(args, "-r", shortname)
	}
	return `tend_o=$(` + zypperCmd(args...) + ` 2>&1) || tend_die "$tend_o"`
}

// removeCmd removes a repository; one already gone (an apply run again)
// is no error.
func removeCmd(name string) string {
	return `tend_x=0; tend_o=$(` + zypperCmd("removerepo", name) + ` 2>&1) || tend_x=$?
if [ "$tend_x" != 0 ]; then case $tend_o in *'not found'*) ;; *) tend_die "$tend_o" ;; esac; fi`
}

func (m zypperRepositoryModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	zt := p.zt
	s := newScript()
	s.use("tend_die")
	result := Result{"changed": true, "repodata": p.repodata(), "state": zt.state}
	var diffs []Diff
	switch {
	case zt.all:
		s.add(refreshCmd(p.importKeys, ""))
		return &Change{Diffs: []Diff{{Path: "zypper", Attr: "refresh", After: "all repositories"}}, Apply: s.String(), CheckUnknown: true,
			Result: zypperResult(Result{"changed": false, "runrefresh": true})}, nil
	case zt.state == "absent":
		if !p.exists {
			return nil, nil
		}
		diffs = append(diffs, Diff{Path: p.shortname, Attr: "repository", Before: "present", After: "absent"})
		s.add(removeCmd(p.shortname))
	case p.exists && !p.mod:
		if !zt.refresh {
			return nil, nil
		}
		s.add(refreshCmd(p.importKeys, p.shortname))
		result["changed"] = false
		return &Change{Diffs: []Diff{{Path: p.shortname, Attr: "refresh", After: "refreshed"}}, Apply: s.String(), CheckUnknown: true,
			Result: zypperResult(result)}, nil
	default:
		d := zt.data
		before := ""
		if len(p.old) > 0 {
			before = p.describe(p.old[0])
		}
		diffs = append(diffs, Diff{Path: p.shortname, Attr: "repository", Before: before, After: p.describe(d)})
		add := []string{"addrepo", "--check"}
		if d.Name != "" {
			add = append(add, "--name", d.Name)
		}
		var warnings []string
		if d.Priority != "" {
			if versionAtLeast(p.version, "1.12.25") {
				add = append(add, "--priority", d.Priority)
			} else {
				warnings = append(warnings, "Setting priority only available for zypper >= 1.12.25. Ignoring priority argument.")
			}
		}
		if d.Enabled == "0" {
			add = append(add, "--disable")
		}
		if versionAtLeast(p.version, "1.6.2") {
			if d.Gpgcheck == "1" {
				add = append(add, "--gpgcheck")
			} else {
				add = append(add, "--no-gpgcheck")
			}
		} else {
			warnings = append(warnings, "Enabling/disabling gpgcheck only available for zypper >= 1.6.2. Using zypper default value.")
		}
		if d.Autorefresh == "1" {
			add = append(add, "--refresh")
		}
		add = append(add, zt.repo)
		if !strings.HasSuffix(zt.repo, ".repo") {
			add = append(add, d.Alias)
		}
		for _, o := range p.old {
			s.add(removeCmd(o.URL))
		}
		// The alias too: an apply run again finds the repository it added.
		if d.Alias != "" {
			s.add(removeCmd(d.Alias))
		}
		s.add(`tend_o=$(`, zypperCmd(add...), ` 2>&1) || tend_die "Zypper failed: $tend_o"`)
		if zt.refresh || p.importKeys {
			s.add(refreshCmd(p.importKeys, p.shortname))
		}
		result["warnings"] = append([]string{}, warnings...)
	}
	return &Change{Diffs: diffs, Apply: s.String(), Result: zypperResult(result)}, nil
}

func zypperResult(res Result) func(Output) (Result, error) {
	return func(o Output) (Result, error) {
		if o.ExitCode != 0 {
			return failedApplyWith(o, res), nil
		}
		return res, nil
	}
}

// repodata is what Ansible returns: None for what the task left out.
func (p *zypperPlan) repodata() map[string]any {
	d := p.zt.data
	out := map[string]any{"url": nil, "alias": nil, "name": nil, "priority": nil,
		"enabled": d.Enabled, "gpgcheck": d.Gpgcheck, "autorefresh": d.Autorefresh}
	for k, v := range map[string]string{"url": d.URL, "alias": d.Alias, "name": d.Name} {
		if v != "" {
			out[k] = v
		}
	}
	if d.Priority != "" {
		out["priority"], _ = strconv.Atoi(d.Priority)
	}
	return out
}

func (p *zypperPlan) describe(r zypperRepo) string {
	return fmt.Sprintf("url=%s name=%s priority=%s enabled=%s autorefresh=%s gpgcheck=%s", r.URL, r.Name, r.Priority, r.Enabled, r.Autorefresh, r.Gpgcheck)
}

func (m zypperRepositoryModule) Report(t *Task, probe Output) (Result, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "repodata": p.repodata(), "state": p.zt.state}, nil
}
