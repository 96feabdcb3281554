package modules

import (
	"tend/modules/hostq"

	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// packageFactsModule is Ansible's package_facts: it only reads. The probe
// runs one listing command per manager (dpkg-query, rpm -qa, pacman -Qi,
// apk info -v) and Go builds ansible_facts.packages in Ansible's shapes.
// Where tend differs: apt entries have no "origin" (Ansible reads it from
// python-apt's cache; dpkg's database does not hold it), and "auto" tries
// apt before rpm (Ansible tries rpm first but needs python3-rpm, which a
// Debian host with the rpm tool lacks).
type packageFactsModule struct{}

func init() { Register("package_facts", packageFactsModule{}) }

func (packageFactsModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "manager", Kind: List, Default: []string{"auto"}},
		{Name: "strategy", Kind: String, Default: "first", Choices: []string{"first", "all"}},
	}}
}

// ansiblePkgManagers are the names Ansible's package_facts knows, in its
// order; tend reads the first four.
var ansiblePkgManagers = []string{"rpm", "apt", "pacman", "pkg", "portage", "apk", "pkg_info"}

// pkgListers are the commands tend lists packages with.
var pkgListers = map[string]struct{ tool, cmd string }{
	"apt": {"dpkg-query", `printf '== tend:apt %s\n' "$(dpkg --print-architecture 2>/dev/null)"; dpkg-query -W -f=` +
		q(`${Package}\t${Version}\t${Architecture}\t${Section}\t${Status}\n`)},
	"rpm":    {"rpm", `echo '== tend:rpm'; rpm -qa --qf ` + q(`%{NAME}\t%{VERSION}\t%{RELEASE}\t%{EPOCH}\t%{ARCH}\n`)},
	"pacman": {"pacman", `echo '== tend:pacman'; pacman -Qi`},
	"apk":    {"apk", `echo '== tend:apk'; apk info -v`},
}

func packageManagers(t *Task) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, m := range t.Args.List("manager") {
		m = strings.ToLower(m)
		list := []string{m}
		if m == "auto" {
			list = []string{"apt", "rpm", "pacman", "apk"}
		} else if !slices.Contains(ansiblePkgManagers, m) {
			return nil, fmt.Errorf("Unsupported package managers requested: %s", m)
		} else if _, ok := pkgListers[m]; !ok {
			return nil, fmt.Errorf("package_facts: tend does not read %s's packages (it reads apt, rpm, pacman and apk)", m)
		}
		for _, x := range list {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	if len(out) == 0 {
		out = []string{"apt", "rpm", "pacman", "apk"}
	}
	return out, nil
}

func (packageFactsModule) Probe(t *Task) (string, error) {
	mgrs, err := packageManagers(t)
	if err != nil {
		return "", err
	}
	first := t.Args.String("strategy") != "all"
	s := newScript()
	s.add("tend_done=")
	for _, m := range mgrs {
		l := pkgListers[m]
		cond := "command -v " + l.tool + " >/dev/null 2>&1"
		if first {
			cond = `[ -z "$tend_done" ] && ` + cond
		}
		s.add("if ", cond, "; then")
		s.add("	", l.cmd, " 2>/dev/null")
		s.add(`	tend_x=$?; echo "== tend:rc $tend_x"; [ "$tend_x" != 0 ] || tend_done=1`)
		s.add("fi")
	}
	return s.String(), nil
}

func (packageFactsModule) Plan(*Task, Output) (*Change, error) { return nil, nil }

func (packageFactsModule) Read(t *Task, probe Output) (Result, error) {
	mgrs, err := packageManagers(t)
	if err != nil {
		return nil, err
	}
	if probe.ExitCode != 0 {
		return nil, fmt.Errorf("probe failed (exit status %d): %s", probe.ExitCode, strings.TrimSpace(string(probe.Stderr)))
	}
	packages, found, err := parsePackageListings(probe.Stdout)
	if err != nil {
		return nil, fmt.Errorf("probe printed something unexpected: %v", err)
	}
	if found == 0 {
		return nil, fmt.Errorf("Could not detect a supported package manager from the following list: %s, or the required Python library is not installed. Check warnings for details.", pyList(mgrs))
	}
	return Result{"changed": false, "ansible_facts": map[string]any{"packages": packages}}, nil
}

func pyList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = "'" + s + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// parsePackageListings reads the probe's sections ("== tend:MANAGER",
// its listing, "== tend:rc N") into Ansible's packages dictionary; found
// counts the managers whose listing succeeded.
func parsePackageListings(out []byte) (map[string]any, int, error) {
	packages := map[string]any{}
	found := 0
	if len(out) > 0 && out[len(out)-1] != '\n' {
		return nil, 0, fmt.Errorf("listing cut short: %q", hostq.Trunc(out[max(0, len(out)-80):]))
	}
	lines := strings.Split(string(out), "\n")
	lines = lines[:len(lines)-1]
	for i := 0; i < len(lines); {
		head, ok := strings.CutPrefix(lines[i], "== tend:")
		if !ok {
			return nil, 0, fmt.Errorf("unexpected line %q", hostq.Trunc([]byte(lines[i])))
		}
		mgr, arch, _ := strings.Cut(head, " ")
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "== tend:rc ") {
			j++
		}
		if j == len(lines) {
			return nil, 0, fmt.Errorf("%s: listing not terminated", mgr)
		}
		rc := strings.TrimPrefix(lines[j], "== tend:rc ")
		body := lines[i+1 : j]
		i = j + 1
		if rc != "0" {
			continue // Ansible warns and tries the next manager
		}
		var list []map[string]any
		var err error
		switch mgr {
		case "apt":
			list, err = factsDpkg(body, arch)
		case "rpm":
			list, err = factsRPM(body)
		case "pacman":
			list, err = factsPacman(body)
		case "apk":
			list = factsApk(body)
		default:
			return nil, 0, fmt.Errorf("unknown manager %q", mgr)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %v", mgr, err)
		}
		found++
		for _, p := range list {
			p["source"] = mgr
			name, _ := p["name"].(string)
			prev, _ := packages[name].([]any)
			packages[name] = append(prev, map[string]any(p))
		}
	}
	return packages, found, nil
}

// factsDpkg reads dpkg-query lines: name, version, architecture,
// section, status. A package of another architecture than the host's
// (and not "all") is NAME:ARCH, as python-apt's cache names it.
func factsDpkg(lines []string, native string) ([]map[string]any, error) {
	var out []map[string]any
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("bad line %q", hostq.Trunc([]byte(l)))
		}
		st := strings.Fields(f[4])
		if len(st) != 3 || st[2] == "not-installed" || st[2] == "config-files" {
			continue
		}
		name := f[0]
		if f[2] != native && f[2] != "all" && f[2] != "" {
			name += ":" + f[2]
		}
		out = append(out, map[string]any{"name": name, "version": f[1], "arch": f[2], "category": f[3]})
	}
	return out, nil
}

// factsRPM reads rpm -qa lines: name, version, release, epoch, arch;
// "(none)" is None, an epoch a number.
func factsRPM(lines []string) ([]map[string]any, error) {
	var out []map[string]any
	none := func(s string) any {
		if s == "(none)" {
			return nil
		}
		return s
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("bad line %q", hostq.Trunc([]byte(l)))
		}
		var epoch any
		if f[3] != "(none)" {
			n, err := strconv.Atoi(f[3])
			if err != nil {
				return nil, fmt.Errorf("bad epoch in %q", hostq.Trunc([]byte(l)))
			}
			epoch = n
		}
		out = append(out, map[string]any{"name": f[0], "version": none(f[1]), "release": none(f[2]), "epoch": epoch, "arch": none(f[4])})
	}
	return out, nil
}

var pacmanField = regexp.MustCompile(`^([\w ]*[\w]) +: (.*)$`)

// factsPacman reads pacman -Qi's blocks as Ansible does: name, version,
// arch, and provides (a list of names, or None).
func factsPacman(lines []string) ([]map[string]any, error) {
	var out []map[string]any
	blocks := strings.Split(strings.Join(lines, "\n"), "\n\n")
	for _, blk := range blocks {
		if strings.TrimSpace(blk) == "" {
			continue
		}
		d := map[string]string{}
		last := ""
		for _, line := range strings.Split(blk, "\n") {
			if m := pacmanField.FindStringSubmatch(line); m != nil {
				last = m[1]
				d[last] = m[2]
			} else if last != "" {
				d[last] += "  " + strings.TrimLeft(line, " \t")
			} else {
				return nil, fmt.Errorf("bad line %q", hostq.Trunc([]byte(line)))
			}
		}
		for _, k := range []string{"Name", "Version", "Architecture", "Provides"} {
			if _, ok := d[k]; !ok {
				return nil, fmt.Errorf("a package without %s", k)
			}
		}
		var provides any
		if d["Provides"] != "None" {
			var l []any
			for _, p := range strings.Split(d["Provides"], "  ") {
				n, _, _ := strings.Cut(p, "=")
				l = append(l, n)
			}
			provides = l
		}
		out = append(out, map[string]any{"name": d["Name"], "version": d["Version"], "arch": d["Architecture"], "provides": provides})
	}
	return out, nil
}

// factsApk reads apk info -v: NAME-VERSION-RELEASE, split at the last
// two dashes.
func factsApk(lines []string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l == "" {
			continue
		}
		f := strings.Split(l, "-")
		if len(f) < 3 {
			out = append(out, map[string]any{"name": l, "version": "", "release": ""})
			continue
		}
		n := len(f)
		out = append(out, map[string]any{"name": strings.Join(f[:n-2], "-"), "version": f[n-2], "release": f[n-1]})
	}
	return out
}
