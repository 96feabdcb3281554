package modules

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// selinuxFS is where the kernel shows SELinux; without its enforce file
// SELinux is absent or disabled on the host.
const selinuxFS = "/sys/fs/selinux"

// probeSELinux prints enabled=0|1 and, when enabled, enforce=0|1.
func probeSELinux(s *script, fs string) {
	f := q(fs + "/enforce")
	s.add("if [ -f ", f, " ]; then echo enabled=1; read -r tend_v < ", f, " || exit 1; echo enforce=$tend_v; else echo enabled=0; fi")
}

const selinuxOff = "SELinux is not enabled on this host"

// sebooleanModule is ansible.posix.seboolean: an SELinux boolean's value,
// read with getsebool and set with setsebool (-P when persistent).
type sebooleanModule struct{ fs string }

func init() {
	Register("seboolean", sebooleanModule{fs: selinuxFS})
}

func (sebooleanModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "name", Kind: String, Required: true},
		{Name: "state", Kind: Bool, Required: true},
		{Name: "persistent", Kind: Bool, Default: false},
		{Name: "ignore_selinux_state", Kind: Bool, Default: false},
	}}
}

// Boolean names are identifiers: nothing in one can read as an option.
var seboolName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func (m sebooleanModule) Probe(t *Task) (string, error) {
	name := t.Args.String("name")
	if !seboolName.MatchString(name) {
		return "", fmt.Errorf("SELinux boolean %q does not exist.", name)
	}
	s := newScript()
	probeSELinux(s, m.fs)
	s.add("if command -v getsebool >/dev/null 2>&1; then")
	s.add("	tend_v=$(getsebool ", q(name), " 2>&1); echo rc=$?")
	s.add(`	printf 'out:%s\n%s\n' "${#tend_v}" "$tend_v"`)
	s.add("else echo rc=127; fi")
	return s.String(), nil
}

// seboolValue reads getsebool's "name --> on" (or "on pending: off").
func (m sebooleanModule) current(t *Task, probe Output) (bool, error) {
	r, err := readProbe(probe)
	if err != nil {
		return false, err
	}
	on, err := r.flag("enabled")
	if err != nil {
		return false, err
	}
	name := t.Args.String("name")
	if !on && !t.Args.Bool("ignore_selinux_state") {
		return false, errors.New(selinuxOff)
	}
	rc, err := r.num("rc")
	if err != nil {
		return false, err
	}
	out, _ := r.blob("out")
	if rc == 127 {
		return false, fmt.Errorf("getsebool not found on the host (policycoreutils)")
	}
	text := strings.TrimSpace(string(out))
	if rc != 0 {
		if strings.Contains(text, "not defined") || strings.Contains(text, "Error getting active value") {
			return false, fmt.Errorf("SELinux boolean %s does not exist.", name)
		}
		return false, fmt.Errorf("getsebool %s: %s", name, text)
	}
	_, v, ok := strings.Cut(text, "-->")
	if f := strings.Fields(v); ok && len(f) > 0 && (f[0] == "on" || f[0] == "off") {
		return f[0] == "on", nil
	}
	return false, fmt.Errorf("getsebool %s printed %q", name, text)
}

func (m sebooleanModule) result(t *Task, changed bool) Result {
	a := t.Args
	return Result{"changed": changed, "name": a.String("name"), "state": a.Bool("state"), "persistent": a.Bool("persistent")}
}

func (m sebooleanModule) Plan(t *Task, probe Output) (*Change, error) {
	cur, err := m.current(t, probe)
	if err != nil {
		return nil, err
	}
	want := t.Args.Bool("state")
	if cur == want {
		return nil, nil
	}
	word, before := "off", "off"
	if want {
		word = "on"
	} else {
		before = "on"
	}
	p := ""
	if t.Args.Bool("persistent") {
		p = "-P "
	}
	name := t.Args.String("name")
	return &Change{
		Diffs: []Diff{{Path: name, Attr: "boolean", Before: before, After: word}},
		Apply: "setsebool " + p + q(name) + " " + word + "\n",
		Result: func(o Output) (Result, error) {
			if o.ExitCode != 0 {
				res := failedApply(o)
				res["msg"] = fmt.Sprintf("Failed to set boolean %s to %s: %s", name, word, res["msg"])
				return res, nil
			}
			return m.result(t, true), nil
		},
	}, nil
}

func (m sebooleanModule) Report(t *Task, probe Output) (Result, error) {
	if _, err := m.current(t, probe); err != nil {
		return nil, err
	}
	return m.result(t, false), nil
}
