package modules

import (
	"fmt"
	"strconv"
	"strings"

	"tend/modules/hostq"
)

// sysctlModule is ansible.posix.sysctl. The probe prints sysctl_file and
// the live value (sysctl -e -n, as Ansible reads it); Plan runs Ansible's
// process() in Go: the file is rewritten (stripped lines, the key's
// duplicates dropped) only when its value differs, the live value is set
// with sysctl_set, and sysctl -p reloads the file when anything changed.
type sysctlModule struct {
	// cmd is the sysctl to run ("" for sysctl from the PATH): tests give
	// a fake's path, since busybox sh would run its own applet first.
	cmd string
	// procSys is where questions read the live values ("" for
	// /proc/sys): tests give their fake's folder.
	procSys string
}

func init() {
	Register("sysctl", sysctlModule{})
}

func (sysctlModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "name", Kind: String, Required: true, Aliases: []string{"key"}},
		{Name: "value", Kind: String, Aliases: []string{"val"}},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent"}},
		{Name: "reload", Kind: Bool, Default: true},
		{Name: "sysctl_set", Kind: Bool, Default: false},
		{Name: "ignoreerrors", Kind: Bool, Default: false},
		{Name: "sysctl_file", Kind: Path, Default: "/etc/sysctl.conf"},
	}}
}

type sysctlTask struct {
	name, value, state, file      string
	reload, set, ignore, hasValue bool
}

func readSysctlTask(a Args) (sysctlTask, error) {
	st := sysctlTask{
		name: strings.TrimSpace(a.String("name")), state: a.String("state"), file: a.String("sysctl_file"),
		reload: a.Bool("reload"), set: a.Bool("sysctl_set"), ignore: a.Bool("ignoreerrors"), hasValue: a.Has("value"),
	}
	// _parse_value: booleans are 1 and 0.
	st.value = strings.TrimSpace(a.String("value"))
	if b, ok := ToBool(st.value); ok && st.value != "" {
		st.value = map[bool]string{true: "1", false: "0"}[b]
	}
	switch {
	case st.name == "":
		return st, fmt.Errorf("name cannot be blank")
	case strings.HasPrefix(st.name, "-") || strings.ContainsAny(st.name, " \t\n=\x00"):
		return st, fmt.Errorf("name %q is not a sysctl key", st.name)
	case st.state == "present" && !st.hasValue:
		return st, fmt.Errorf("state is present but all of the following are missing: value")
	case st.state == "present" && st.value == "":
		return st, fmt.Errorf("value cannot be blank")
	case strings.ContainsAny(st.value, "\n\x00"):
		return st, fmt.Errorf("value must be one line")
	}
	if err := checkAbs("sysctl_file", st.file); err != nil {
		return st, err
	}
	st.file = cleanPath(st.file)
	return st, nil
}

func (m sysctlModule) sysctl() string {
	if m.cmd == "" {
		return "sysctl"
	}
	return q(m.cmd)
}

func (m sysctlModule) Probe(t *Task) (string, error) {
	st, err := readSysctlTask(t.Args)
	if err != nil {
		return "", err
	}
	s := newScript()
	useSvcVal(s)
	s.add(`case :$PATH: in *:/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin; export PATH ;; esac`)
	s.add(`if command -v `, m.sysctl(), ` >/dev/null 2>&1; then`)
	s.add(`tend_x=0; tend_o=$(`, m.sysctl(), ` -e -n `, q(st.name), ` 2>/dev/null) || tend_x=$?`)
	s.add(`printf 'proc.rc=%s\n' "$tend_x"; tend_val proc "$tend_o" || exit 1`)
	s.add(`else echo proc.rc=none; fi`)
	s.stat("p", q(st.file), true, "", "")
	s.use("tend_content")
	s.add("tend_content c ", q(st.file), " ", strconv.Itoa(lineinfileLimit), ` -1 "$tend_sz" || exit 1`)
	return s.String(), nil
}

// sysctlPlan is what process() decides.
type sysctlPlan struct {
	st sysctlTask
	fi fileInfo
	// From answers only (see readAnswers): they answer for the effects.
	answers          hostq.Answers
	real             string   // where the file's write goes, through links
	procPath         string   // the live value's file
	procInfo         fileInfo // and its metadata
	before, after    string
	proc             *string // nil: sysctl -n failed
	changed          bool
	writeFile, setIt bool
}

func (m sysctlModule) plan(t *Task, probe Output) (*sysctlPlan, error) {
	st, err := readSysctlTask(t.Args)
	if err != nil {
		return nil, err
	}
	p := &sysctlPlan{st: st}
	if probe.Answers != nil {
		err = m.readAnswers(p, probe.Answers)
	} else {
		err = m.readProbe(p, probe)
	}
	if err != nil {
		return nil, err
	}
	fileVal, inFile, fixed := sysctlFix(p.before, st)
	if err != nil {
		return nil, err
	}

	switch {
	case !inFile && st.state == "present":
		p.changed, p.writeFile = true, true
	case !inFile:
	case fileVal != "" && st.state == "absent":
		p.changed, p.writeFile = true, true
	case fileVal != st.value:
		p.changed, p.writeFile = true, true
	case st.reload:
		p.changed = p.proc == nil || !sysctlEqual(*p.proc, st.value)
	}
	if st.set && st.state == "present" {
		if p.proc == nil {
			p.changed = true
		} else if !sysctlEqual(*p.proc, st.value) {
			p.changed, p.setIt = true, true
		}
	}
	if p.writeFile {
		p.after = fixed
	}
	return p, nil
}

// readProbe reads the live value and the file from the probe's output.
func (m sysctlModule) readProbe(p *sysctlPlan, probe Output) error {
	r, err := readProbe(probe)
	if err != nil {
		return err
	}
	rc, err := r.get("proc.rc")
	if err != nil {
		return err
	}
	if rc == "none" {
		return errNoSysctl
	}
	if rc == "0" {
		b, _ := r.blob("proc")
		v := string(b)
		p.proc = &v
	}
	if p.fi, err = r.stat("p"); err != nil {
		return err
	}
	if p.fi.Exists && p.fi.Type == '-' {
		c, ok := r.blob("c")
		if !ok {
			return fmt.Errorf("%s is bigger than tend reads (%d MiB)", p.st.file, lineinfileLimit>>20)
		}
		p.before = string(c)
	}
	return nil
}

var errNoSysctl = errorf("Failed to find required executable sysctl in paths: %s", "/usr/sbin:/sbin")

// sysctlFix is read_sysctl_file and fix_lines: the key's value in the file
// (the last one; inFile says whether there is one) and the file as
// Ansible rewrites it.
func sysctlFix(content string, st sysctlTask) (string, bool, string) {
	var val string
	inFile := false
	var out strings.Builder
	checked := map[string]bool{}
	for _, l := range splitLines(content) {
		line := strings.TrimSpace(l)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") || !strings.Contains(line, "=") {
			out.WriteString(line + "\n")
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == st.name {
			val, inFile = v, true
		}
		if checked[k] {
			continue
		}
		checked[k] = true
		switch {
		case k != st.name:
			out.WriteString(k + "=" + v + "\n")
		case st.state == "present":
			out.WriteString(k + "=" + st.value + "\n")
		}
	}
	if !checked[st.name] && st.state == "present" {
		out.WriteString(st.name + "=" + st.value + "\n")
	}
	return val, inFile, out.String()
}

// sysctlEqual is _values_is_equal: the same blank-separated words.
func sysctlEqual(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

func (m sysctlModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil || !p.changed {
		return nil, err
	}
	st := p.st
	var diffs []Diff
	s := newScript()
	s.use("tend_die")
	s.add(`case :$PATH: in *:/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin; export PATH ;; esac`)
	e := ""
	if st.ignore {
		e = "-e "
	}
	// sysctl reports some failures on stderr only.
	const failed = `case $tend_o in *'sysctl: setting key "'*': Invalid argument'*|*'sysctl: setting key "'*': Read-only file system'*) tend_x=1 ;; esac`
	if p.setIt {
		diffs = append(diffs, Diff{Path: st.name, Attr: "value", Before: strings.TrimSpace(*p.proc), After: st.value})
		s.add(`tend_x=0; tend_o=$(`, m.sysctl(), ` `, e, `-w `, q(st.name+"="+st.value), ` 2>&1) || tend_x=$?`)
		s.add(failed)
		s.add(`[ "$tend_x" = 0 ] || tend_die `, q("setting "+st.name+" failed: "), `"$tend_o"`)
	}
	if p.writeFile {
		diffs = append(diffs, Diff{Path: st.file, Attr: "content", Before: p.before, After: p.after})
		w := fileWrite{Path: st.file, Content: []byte(p.after), Mode: 0o644, Follow: true,
			CheckOld: true, Old: []byte(p.before), OldAbsent: !p.fi.Exists}
		if p.fi.Exists {
			w.Mode, w.KeepUID, w.KeepGID = p.fi.Perm, p.fi.UID, p.fi.GID
		}
		if err := s.write(w); err != nil {
			return nil, err
		}
	} else if !p.setIt {
		before := "(unreadable)"
		if p.proc != nil {
			before = strings.TrimSpace(*p.proc)
		}
		diffs = append(diffs, Diff{Path: st.name, Attr: "value", Before: before, After: st.value})
	}
	if st.reload {
		s.add(`tend_x=0; tend_o=$(`, m.sysctl(), ` `, e, `-p `, q(st.file), ` 2>&1) || tend_x=$?`)
		s.add(failed)
		s.add(`[ "$tend_x" = 0 ] || tend_die "Failed to reload sysctl: $tend_o"`)
	}
	return &Change{
		Diffs:   diffs,
		Apply:   s.String(),
		Effects: m.effects(p),
		Result: whenApplied(func(o Output) (Result, error) {
			return Result{"changed": true}, nil
		}),
	}, nil
}

func (m sysctlModule) Report(t *Task, probe Output) (Result, error) {
	if _, err := m.plan(t, probe); err != nil {
		return nil, err
	}
	return Result{"changed": false}, nil
}
