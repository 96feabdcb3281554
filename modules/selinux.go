package modules

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
)

// selinuxModule is ansible.posix.selinux: the SELinux mode (setenforce
// now, SELINUX= in the config for the next boot) and policy (SELINUXTYPE=).
// Where SELinux is not enabled, state=disabled is already true and any
// other state is an error.
type selinuxModule struct{ fs string }

func init() {
	Register("selinux", selinuxModule{fs: selinuxFS})
}

func (selinuxModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "policy", Kind: String},
		{Name: "state", Kind: String, Required: true, Choices: []string{"enforcing", "permissive", "disabled"}},
		{Name: "configfile", Kind: Path, Default: "/etc/selinux/config", Aliases: []string{"conf", "file"}},
		{Name: "update_kernel_param", Kind: Bool, Default: false},
	}}
}

func (selinuxModule) config(t *Task) (string, error) {
	if t.Args.Bool("update_kernel_param") {
		return "", fmt.Errorf("update_kernel_param is not supported")
	}
	cf := t.Args.String("configfile")
	if cf == "" {
		cf = "/etc/selinux/config"
	}
	if p := t.Args.String("policy"); strings.ContainsAny(p, "/\n\x00") || p == "." || p == ".." {
		return "", fmt.Errorf("Policy %s does not exist in /etc/selinux/", p)
	}
	return cf, checkAbs("configfile", cf)
}

func (m selinuxModule) Probe(t *Task) (string, error) {
	cf, err := m.config(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	s.use("tend_blob")
	probeSELinux(s, m.fs)
	s.stat("c", q(cf), true, "", "")
	s.add("if [ -f ", q(cf), " ]; then tend_blob conf ", q(cf), " || exit 1; fi")
	if p := t.Args.String("policy"); p != "" {
		// Policies live beside the config (/etc/selinux/POLICY/policy).
		s.add("if [ -e ", q(path.Join(path.Dir(cf), p, "policy")), " ]; then echo policy_ok=1; else echo policy_ok=0; fi")
	}
	return s.String(), nil
}

// selinuxPlan is what the task would do.
type selinuxPlan struct {
	conf, newConf   []byte
	fi              fileInfo
	setenforce      string // "0" or "1" when the running mode changes
	msgs, warnings  []string
	changed, reboot bool
	policy          string
	off             bool // SELinux not enabled: nothing to do
}

// configValue is the value of the first KEY= line, as the module reads it
// (the text between the first and second '=', stripped).
func configValue(lines []string, key string) (string, bool) {
	for _, l := range lines {
		if strings.HasPrefix(l, key+"=") {
			return strings.TrimSpace(strings.Split(l, "=")[1]), true
		}
	}
	return "", false
}

// setConfig rewrites every KEY= line, or adds one.
func setConfig(lines []string, key, val string) []string {
	found := false
	out := make([]string, 0, len(lines)+1)
	for _, l := range lines {
		if strings.HasPrefix(l, key+"=") {
			l, found = key+"="+val, true
		}
		out = append(out, l)
	}
	if !found {
		out = append(out, key+"="+val)
	}
	return out
}

func (m selinuxModule) plan(t *Task, probe Output) (*selinuxPlan, error) {
	cf, err := m.config(t)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	state, policy := t.Args.String("state"), t.Args.String("policy")
	sp := &selinuxPlan{policy: policy}
	on, err := r.flag("enabled")
	if err != nil {
		return nil, err
	}
	if !on {
		if state != "disabled" {
			return nil, errors.New(selinuxOff)
		}
		sp.off = true
		return sp, nil
	}
	if sp.fi, err = r.stat("c"); err != nil {
		return nil, err
	}
	conf, ok := r.blob("conf")
	if !ok {
		return nil, fmt.Errorf("Unable to find file %s", cf)
	}
	sp.conf = conf
	lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(conf), "\r\n", "\n"), "\n"), "\n")
	if len(conf) == 0 {
		lines = nil
	}
	cfgPolicy, _ := configValue(lines, "SELINUXTYPE")
	cfgState, hasState := configValue(lines, "SELINUX")
	if state != "disabled" && policy == "" {
		return nil, fmt.Errorf("Policy is required if state is not 'disabled'")
	}
	if policy == "" {
		policy, sp.policy = cfgPolicy, cfgPolicy
	}
	if policy != cfgPolicy {
		if ok, _ := r.flag("policy_ok"); !ok {
			return nil, fmt.Errorf("Policy %s does not exist in /etc/selinux/", policy)
		}
		lines = setConfig(lines, "SELINUXTYPE", policy)
		sp.msgs = append(sp.msgs, fmt.Sprintf("Running SELinux policy changed from '%s' to '%s'", cfgPolicy, policy),
			fmt.Sprintf("SELinux policy configuration in '%s' changed from '%s' to '%s'", cf, cfgPolicy, policy))
	}
	enforce, err := r.get("enforce")
	if err != nil {
		return nil, err
	}
	running := "permissive"
	if enforce == "1" {
		running = "enforcing"
	}
	if state != running {
		switch {
		case state == "disabled" && running == "enforcing":
			sp.setenforce = "0"
			sp.warnings = append(sp.warnings, "SELinux state temporarily changed from 'enforcing' to 'permissive'. State change will take effect next reboot.")
			sp.reboot = true
		case state == "disabled":
			sp.warnings = append(sp.warnings, "SELinux state change will take effect next reboot")
			sp.reboot = true
		default:
			sp.setenforce = map[string]string{"enforcing": "1", "permissive": "0"}[state]
			sp.msgs = append(sp.msgs, fmt.Sprintf("SELinux state changed from '%s' to '%s'", running, state))
		}
	}
	if !hasState || cfgState != state {
		lines = setConfig(lines, "SELINUX", state)
		sp.msgs = append(sp.msgs, fmt.Sprintf("Config SELinux state changed from '%s' to '%s'", pyNone(cfgState, hasState), state))
	}
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if !bytes.Equal(b.Bytes(), conf) && (policy != cfgPolicy || !hasState || cfgState != state) {
		sp.newConf = b.Bytes()
	}
	sp.changed = sp.newConf != nil || sp.setenforce != ""
	return sp, nil
}

// pyNone is how Python prints a value that may be None.
func pyNone(s string, ok bool) string {
	if !ok {
		return "None"
	}
	return s
}

func (m selinuxModule) result(t *Task, sp *selinuxPlan, changed bool) Result {
	cf, _ := m.config(t)
	res := Result{
		"changed": changed, "msg": strings.Join(sp.msgs, ", "), "configfile": cf,
		"policy": sp.policy, "state": t.Args.String("state"), "reboot_required": sp.reboot,
	}
	if sp.policy == "" {
		res["policy"] = nil
	}
	if len(sp.warnings) > 0 {
		res["warnings"] = sp.warnings
	}
	return res
}

func (m selinuxModule) Plan(t *Task, probe Output) (*Change, error) {
	sp, err := m.plan(t, probe)
	if err != nil || sp.off || !sp.changed {
		return nil, err
	}
	cf, _ := m.config(t)
	s := newScript()
	s.use("tend_die")
	var diffs []Diff
	if sp.setenforce != "" {
		diffs = append(diffs, Diff{Path: "selinux", Attr: "enforce", Before: map[string]string{"0": "1", "1": "0"}[sp.setenforce], After: sp.setenforce})
		s.add("setenforce ", sp.setenforce, ` || tend_die "setenforce `, sp.setenforce, ` failed"`)
	}
	if sp.newConf != nil {
		diffs = append(diffs, Diff{Path: cf, Attr: "content", Before: string(sp.conf), After: string(sp.newConf)})
		if err := s.write(fileWrite{Path: cf, Content: sp.newConf, Mode: sp.fi.Perm, KeepUID: sp.fi.UID, KeepGID: sp.fi.GID,
			Follow: true, CheckOld: true, Old: sp.conf}); err != nil {
			return nil, err
		}
	}
	return &Change{
		Diffs: diffs,
		Apply: s.String(),
		Result: whenApplied(func(o Output) (Result, error) {
			return m.result(t, sp, true), nil
		}),
	}, nil
}

func (m selinuxModule) Report(t *Task, probe Output) (Result, error) {
	sp, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	return m.result(t, sp, false), nil
}
