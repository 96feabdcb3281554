package modules

import (
	"fmt"
	"sort"
	"strings"
)

// hostnameModule is Ansible's hostname. The probe prints the running name
// and every place a permanent name may live (small files, hostnamectl when
// systemd runs), and what the host looks like; Plan picks the strategy (use,
// else the facts, else the probe) and compares both names.
type hostnameModule struct {
	// root prefixes the files (/etc/hostname ...) so that tests work in a
	// temporary folder; the running name is the UTS namespace's.
	root string
}

func init() { Register("hostname", hostnameModule{}) }

// hostnameUses are Ansible's use= choices; those without a strategy here
// are refused with a clear error.
var hostnameUses = []string{"alpine", "debian", "freebsd", "generic", "macos", "macosx", "darwin", "openbsd", "openrc", "redhat", "sles", "solaris", "systemd"}

func (hostnameModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "name", Kind: String, Required: true},
		{Name: "use", Kind: String, Choices: hostnameUses},
	}}
}

// hostStrategy is how one kind of system keeps its names.
type hostStrategy struct {
	name string
	// file holds the permanent name ("" for systemd: hostnamectl).
	file string
	// read gets the permanent name from the file's content.
	read func(content string) string
	// write returns the file's new content.
	write func(content, name string) string
	// setRunning is the command (sh words; $tend_h is the name, $tend_f
	// the file) that sets the running name.
	setRunning string
}

func hostnameFileRead(c string) string { return strings.TrimSpace(c) }

func hostnameFileWrite(_, name string) string { return name + "\n" }

// assignRead and assignWrite keep the name in a KEY=value line of a
// sourced file; other lines stay as they are.
func assignRead(key string, quoted bool) func(string) string {
	return func(c string) string {
		for _, l := range strings.Split(c, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), key+"="); ok {
				if quoted {
					v = strings.Trim(strings.TrimSpace(v), `"'`)
				}
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
}

func assignWrite(key string, quoted bool) func(string, string) string {
	return func(c, name string) string {
		line := key + "=" + name
		if quoted {
			line = key + `="` + name + `"`
		}
		lines := splitLines(c)
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), key+"=") {
				lines[i] = line + "\n"
				return strings.Join(lines, "")
			}
		}
		if c != "" && !strings.HasSuffix(c, "\n") {
			c += "\n"
		}
		return c + line + "\n"
	}
}

// hostStrategies are Ansible's strategies that tend has, by use= name.
var hostStrategies = map[string]*hostStrategy{
	"systemd": {name: "systemd", setRunning: `hostnamectl --transient set-hostname "$tend_h"`},
	"debian":  {name: "debian", file: "/etc/hostname", read: hostnameFileRead, write: hostnameFileWrite, setRunning: `hostname "$tend_h"`},
	"alpine":  {name: "alpine", file: "/etc/hostname", read: hostnameFileRead, write: hostnameFileWrite, setRunning: `hostname -F "$tend_f"`},
	"redhat": {name: "redhat", file: "/etc/sysconfig/network", read: assignRead("HOSTNAME", false),
		write: assignWrite("HOSTNAME", false), setRunning: `hostname "$tend_h"`},
	"openrc": {name: "openrc", file: "/etc/conf.d/hostname", read: assignRead("hostname", true),
		write: assignWrite("hostname", true), setRunning: `hostname "$tend_h"`},
	"generic": {name: "generic", file: "/etc/hostname", read: hostnameFileRead, write: hostnameFileWrite, setRunning: `hostname "$tend_h"`},
}

// hostFamilies picks a strategy from ansible_os_family when systemd does
// not run.
var hostFamilies = map[string]string{"Debian": "debian", "RedHat": "redhat", "Alpine": "alpine"}

// hostMarkers are the files the probe looks for when there are no facts,
// in order: the first found picks the strategy.
var hostMarkers = []struct{ file, strategy string }{
	{"/etc/alpine-release", "alpine"},
	{"/etc/debian_version", "debian"},
	{"/etc/redhat-release", "redhat"},
}

// hostnameFiles are the files the probe prints, each once.
func hostnameFiles() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range hostStrategies {
		if s.file != "" && !seen[s.file] {
			seen[s.file] = true
			out = append(out, s.file)
		}
	}
	sort.Strings(out)
	return out
}

// hostnameLimit bounds the files read: they hold a name or a few settings.
const hostnameLimit = 64 << 10

func checkHostname(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("name is empty")
	case len(name) > 64:
		return fmt.Errorf("name %q is longer than 64 characters, the limit of Linux host names", name)
	case strings.HasPrefix(name, "-"), strings.ContainsAny(name, " \t\n\r\x00/\"'\\$`"):
		return fmt.Errorf("name %q is not a host name", name)
	}
	return nil
}

func (m hostnameModule) Probe(t *Task) (string, error) {
	name := t.Args.String("name")
	if err := checkHostname(name); err != nil {
		return "", err
	}
	if u := t.Args.String("use"); u != "" && hostStrategies[u] == nil {
		return "", hostnameUseErr(u)
	}
	s := newScript()
	s.use("tend_content")
	useSvcVal(s)
	s.add("tend_r=", q(m.root))
	s.add(`tend_o=$(hostname 2>/dev/null || uname -n) || { echo 'cannot read the host name' >&2; exit 1; }`)
	s.add(`tend_val running "$tend_o" || exit 1`)
	for i, f := range hostnameFiles() {
		key := fmt.Sprintf("f%d", i)
		s.stat(key, q(m.root+f), true, "", "")
		s.add("tend_content ", key, ".c ", q(m.root+f), " ", fmt.Sprint(hostnameLimit), " -1 || exit 1")
	}
	s.add(`if [ -d "$tend_r/run/systemd/system" ] && command -v hostnamectl >/dev/null 2>&1; then`)
	s.add(`printf 'systemd=1\n'`)
	s.add(`tend_o=$(hostnamectl --transient) || { echo 'hostnamectl --transient failed' >&2; exit 1; }`)
	s.add(`tend_val transient "$tend_o" || exit 1`)
	s.add(`tend_o=$(hostnamectl --static) || { echo 'hostnamectl --static failed' >&2; exit 1; }`)
	s.add(`tend_val static "$tend_o" || exit 1`)
	s.add(`else printf 'systemd=0\n'; fi`)
	s.add(`tend_w=generic`)
	for i, mk := range hostMarkers {
		kw := "elif"
		if i == 0 {
			kw = "if"
		}
		s.add(kw, ` [ -e "$tend_r"`, q(mk.file), ` ]; then tend_w=`, mk.strategy)
	}
	s.add(`fi`)
	s.add(`printf 'os=%s\n' "$tend_w"`)
	s.umask()
	return s.String(), nil
}

func hostnameUseErr(u string) error {
	known := make([]string, 0, len(hostStrategies))
	for k := range hostStrategies {
		known = append(known, k)
	}
	sort.Strings(known)
	return fmt.Errorf("use=%s is not supported yet (tend has %s)", u, strings.Join(known, ", "))
}

// hostnameState is what Plan reads.
type hostnameState struct {
	strategy           *hostStrategy
	running, permanent string
	fi                 fileInfo
	content            string
}

func (m hostnameModule) read(t *Task, probe Output) (hostnameState, error) {
	var hs hostnameState
	r, err := readProbe(probe)
	if err != nil {
		return hs, err
	}
	sd, err := r.flag("systemd")
	if err != nil {
		return hs, err
	}
	osw, err := r.get("os")
	if err != nil {
		return hs, err
	}
	// use, else the facts, else what the probe found.
	strat := t.Args.String("use")
	if strat == "" {
		mgr, _ := t.Facts["ansible_service_mgr"].(string)
		fam, _ := t.Facts["ansible_os_family"].(string)
		switch {
		case mgr == "systemd" || (t.Facts == nil && sd):
			strat = "systemd"
		case t.Facts != nil:
			strat = hostFamilies[fam]
			if strat == "" {
				strat = "generic"
			}
		default:
			strat = osw
		}
	}
	hs.strategy = hostStrategies[strat]
	if hs.strategy == nil {
		return hs, hostnameUseErr(strat)
	}
	run, ok := r.blob("running")
	if !ok {
		return hs, fmt.Errorf("probe output lacks running")
	}
	hs.running = strings.TrimSpace(string(run))
	if hs.strategy.file == "" {
		if !sd {
			return hs, fmt.Errorf("the systemd strategy needs a running systemd and hostnamectl, and this host has not both")
		}
		tr, ok1 := r.blob("transient")
		st, ok2 := r.blob("static")
		if !ok1 || !ok2 {
			return hs, fmt.Errorf("probe output lacks hostnamectl's names")
		}
		hs.running, hs.permanent = strings.TrimSpace(string(tr)), strings.TrimSpace(string(st))
		return hs, nil
	}
	for i, f := range hostnameFiles() {
		if f != hs.strategy.file {
			continue
		}
		key := fmt.Sprintf("f%d", i)
		if hs.fi, err = r.stat(key); err != nil {
			return hs, err
		}
		if hs.fi.Exists {
			if hs.fi.Type != '-' {
				return hs, fmt.Errorf("%s is a %s, not a file", f, hs.fi.Kind())
			}
			c, ok := r.blob(key + ".c")
			if !ok {
				return hs, fmt.Errorf("%s is bigger than %d KiB", f, hostnameLimit>>10)
			}
			hs.content = string(c)
			hs.permanent = hs.strategy.read(hs.content)
		}
	}
	return hs, nil
}

func (m hostnameModule) Plan(t *Task, probe Output) (*Change, error) {
	name := t.Args.String("name")
	if err := checkHostname(name); err != nil {
		return nil, err
	}
	hs, err := m.read(t, probe)
	if err != nil {
		return nil, err
	}
	st := hs.strategy
	var diffs []Diff
	s := newScript()
	s.use("tend_die")
	s.add("tend_h=", q(name))
	s.add("tend_f=", q(m.root+st.file))
	useSvcRun(s)
	// The permanent name first: Alpine's running name is read from it.
	if hs.permanent != name {
		if st.file == "" {
			diffs = append(diffs, Diff{Path: "hostnamectl", Attr: "permanent", Before: hs.permanent, After: name})
			s.add(svcRun("Unable to set the permanent host name to "+name, `hostnamectl --pretty --static set-hostname "$tend_h"`))
		} else {
			diffs = append(diffs, Diff{Path: st.file, Attr: "permanent", Before: hs.permanent, After: name})
			mode := uint32(0o644)
			w := fileWrite{Path: m.root + st.file, Content: []byte(st.write(hs.content, name)), Mode: mode,
				CheckOld: true, Old: []byte(hs.content), OldAbsent: !hs.fi.Exists, Follow: true}
			if hs.fi.Exists {
				w.Mode, w.KeepUID, w.KeepGID = hs.fi.Perm, hs.fi.UID, hs.fi.GID
			}
			s.add(`mkdir -p -- "${tend_f%/*}" || tend_die "cannot create the folder of $tend_f"`)
			if err := s.write(w); err != nil {
				return nil, err
			}
		}
	}
	if hs.running != name {
		diffs = append(diffs, Diff{Path: "hostname", Attr: "running", Before: hs.running, After: name})
		s.add(svcRun("Unable to set the running host name to "+name, st.setRunning))
	} else if len(diffs) == 0 {
		return nil, nil
	}
	res := hostnameResult(name)
	res["changed"] = true
	return &Change{
		Diffs:  diffs,
		Apply:  s.String(),
		Result: appliedResult(res),
	}, nil
}

// Report is the result when nothing changes.
func (m hostnameModule) Report(t *Task, probe Output) (Result, error) {
	res := hostnameResult(t.Args.String("name"))
	res["changed"] = false
	return res, nil
}

// hostnameResult has Ansible's keys: name, and the facts the new name
// gives (Ansible's ansible_fqdn needs a resolver; it is left out).
func hostnameResult(name string) Result {
	short, _, _ := strings.Cut(name, ".")
	domain := ""
	if i := strings.IndexByte(name, '.'); i >= 0 {
		domain = name[i+1:]
	}
	return Result{"name": name, "ansible_facts": map[string]any{
		"ansible_hostname": short, "ansible_nodename": name, "ansible_domain": domain,
	}}
}
