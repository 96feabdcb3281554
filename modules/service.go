package modules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// serviceModule is Ansible's service, and with systemd set its systemd
// (systemd_service). The probe asks the service manager whether the
// service exists, runs and starts at boot; Plan compares that with the
// task, and Apply runs the manager's commands. Which manager: the task's
// use, else the ansible_service_mgr fact, else what the probe finds.
type serviceModule struct {
	systemd bool
	// root prefixes the paths the backends read and write (/etc/init.d,
	// /etc/rc?.d, /run/systemd/system) so that tests work in a temporary
	// folder. With a root, tools that cannot be pointed at it (update-rc.d,
	// chkconfig) are not used, and systemctl gets --root.
	root string
}

func init() {
	Register("service", serviceModule{})
	Register("systemd", serviceModule{systemd: true})
	Register("systemd_service", serviceModule{systemd: true})
}

var svcStates = []string{"started", "stopped", "restarted", "reloaded"}

func (m serviceModule) Spec() Spec {
	if m.systemd {
		return Spec{
			Params: []Param{
				{Name: "name", Kind: String, Aliases: []string{"service", "unit"}},
				{Name: "state", Kind: String, Choices: svcStates},
				{Name: "enabled", Kind: Bool},
				{Name: "masked", Kind: Bool},
				{Name: "daemon_reload", Kind: Bool, Default: false, Aliases: []string{"daemon-reload"}},
				{Name: "daemon_reexec", Kind: Bool, Default: false, Aliases: []string{"daemon-reexec"}},
				{Name: "force", Kind: Bool, Default: false},
				{Name: "no_block", Kind: Bool, Default: false},
				{Name: "scope", Kind: String, Default: "system", Choices: []string{"system", "user", "global"}},
			},
			RequiredOneOf: [][]string{{"state", "enabled", "masked", "daemon_reload", "daemon_reexec"}},
		}
	}
	// Ansible's service action hands the task, whole, to the module of the
	// host's manager: systemd's arguments work where systemd runs, and
	// fail elsewhere as the service module refuses them.
	return Spec{
		Params: []Param{
			{Name: "name", Kind: String, Required: true},
			{Name: "state", Kind: String, Choices: svcStates},
			{Name: "enabled", Kind: Bool},
			{Name: "pattern", Kind: String},
			{Name: "runlevel", Kind: String, Default: "default"},
			{Name: "sleep", Kind: Int},
			{Name: "arguments", Kind: String, Aliases: []string{"args"}},
			{Name: "use", Kind: String, Default: "auto"},
			{Name: "masked", Kind: Bool},
			{Name: "daemon_reload", Kind: Bool, Aliases: []string{"daemon-reload"}},
			{Name: "daemon_reexec", Kind: Bool, Aliases: []string{"daemon-reexec"}},
			{Name: "force", Kind: Bool},
			{Name: "no_block", Kind: Bool},
			{Name: "scope", Kind: String, Choices: []string{"system", "user", "global"}},
		},
		RequiredOneOf: [][]string{{"state", "enabled", "masked", "daemon_reload", "daemon_reexec"}},
	}
}

// svcTask is a service or systemd task, checked.
type svcTask struct {
	name, state, pattern, runlevel, use, scope string
	args                                       []string
	enabled, masked                            *bool
	daemonReload, daemonReexec, force, noBlock bool
	sleep                                      int
	// systemdOnly names the systemd arguments a service task was given,
	// which only the systemd backend takes.
	systemdOnly []string
}

func readSvcTask(t *Task, systemd bool) (svcTask, error) {
	a := t.Args
	st := svcTask{
		name:         a.String("name"),
		state:        a.String("state"),
		pattern:      a.String("pattern"),
		runlevel:     a.String("runlevel"),
		use:          a.String("use"),
		scope:        a.String("scope"),
		daemonReload: a.Bool("daemon_reload"),
		daemonReexec: a.Bool("daemon_reexec"),
		force:        a.Bool("force"),
		noBlock:      a.Bool("no_block"),
		sleep:        a.Int("sleep"),
	}
	for _, k := range []string{"enabled", "masked"} {
		if a.Has(k) {
			b := a.Bool(k)
			if k == "enabled" {
				st.enabled = &b
			} else {
				st.masked = &b
			}
		}
	}
	if systemd {
		st.use = "systemd"
		if st.name == "" && (st.state != "" || st.enabled != nil || st.masked != nil) {
			return st, fmt.Errorf("name is required with state, enabled or masked")
		}
	} else {
		for _, k := range []string{"daemon_reexec", "daemon_reload", "force", "masked", "no_block", "scope"} {
			if a.Has(k) {
				st.systemdOnly = append(st.systemdOnly, k)
			}
		}
	}
	if st.scope == "" {
		st.scope = "system"
	}
	if systemd && strings.ContainsAny(st.name, "*?[") {
		return st, fmt.Errorf("This module does not currently support using glob patterns, found '*', '?' or '[' in service name: %s", st.name)
	}
	if st.use == "" {
		st.use = "auto"
	}
	if st.runlevel == "" {
		st.runlevel = "default"
	}
	if st.sleep < 0 {
		return st, fmt.Errorf("sleep must not be negative")
	}
	if st.name != "" {
		if strings.ContainsAny(st.name, "/\x00\n") || strings.HasPrefix(st.name, "-") || st.name == "." || st.name == ".." {
			return st, fmt.Errorf("name %q is not a service name", st.name)
		}
	}
	if strings.HasPrefix(st.runlevel, "-") || strings.ContainsAny(st.runlevel, "/\x00\n") {
		return st, fmt.Errorf("runlevel %q is not a runlevel name", st.runlevel)
	}
	if s := a.String("arguments"); s != "" {
		var err error
		if st.args, err = splitArgs(s); err != nil {
			return st, fmt.Errorf("arguments: %v", err)
		}
	}
	return st, nil
}

// svcState is what a backend found about the service.
type svcState struct {
	exists  bool
	running bool
	// stopping is systemd's "deactivating": stopped asks to stop it too.
	stopping bool
	// crashed is OpenRC's: zap before start.
	crashed bool
	enabled bool
	masked  bool
	// links says whether the service has any rc?.d links (sysvinit), so
	// update-rc.d needs "defaults" first.
	links bool
	// tool enables sysvinit services: update-rc.d, chkconfig or links.
	tool string
	// live is false when systemd is installed but not running.
	live bool
	// status is systemctl show's properties.
	status map[string]string
	// missing says why the service was not found.
	missing string
}

// svcBackend is how one service manager is read and driven. Every function
// returns sh text; names are quoted by the caller's variables: $tend_n is
// the service's name and $tend_i its init script.
type svcBackend struct {
	name string
	// probe adds the commands that print the backend's records.
	probe func(s *script, st svcTask, root string)
	// read turns the records into the service's state.
	read func(r *records, st svcTask) (svcState, error)
	// control returns the lines that carry out start, stop, restart or
	// reload.
	control func(st svcTask, cur svcState, root, action string) []string
	// enable returns the lines that enable (on) or disable the service.
	enable func(st svcTask, cur svcState, root string, on bool) []string
}

// svcBackends are the service managers tend drives, by Ansible's
// ansible_service_mgr names.
var svcBackends = map[string]*svcBackend{
	"systemd":  &systemdBackend,
	"openrc":   &openrcBackend,
	"sysvinit": &sysvBackend,
}

// svcAliases maps other names of a manager (Ansible's use= values and
// service_mgr facts) to a backend.
var svcAliases = map[string]string{"service": "sysvinit", "sysv": "sysvinit", "systemd_service": "systemd"}

// backendFor picks the backend the task or the facts name; nil means the
// probe decides.
func (m serviceModule) backendFor(t *Task, st svcTask) (*svcBackend, error) {
	name := st.use
	fromFacts := false
	if name == "auto" {
		name = ""
		if mgr, ok := t.Facts["ansible_service_mgr"].(string); ok && mgr != "" {
			name, fromFacts = mgr, true
		}
	}
	if name == "" {
		return nil, nil
	}
	if a, ok := svcAliases[name]; ok {
		name = a
	}
	b, ok := svcBackends[name]
	if !ok && fromFacts {
		// The fact names PID 1 whatever it is (sshd in a container, runit):
		// Ansible then runs its generic service module, tend its probe.
		return nil, nil
	}
	if !ok {
		known := make([]string, 0, len(svcBackends))
		for k := range svcBackends {
			known = append(known, k)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("service manager %q is not supported (tend drives %s)", name, strings.Join(known, ", "))
	}
	return b, nil
}

// detectOrder is how the probe finds the manager when no fact says it:
// each test is a sh condition (the root is $tend_r).
var detectOrder = []struct{ backend, test string }{
	{"systemd", `[ -d "$tend_r/run/systemd/system" ]`},
	{"openrc", `command -v rc-service >/dev/null 2>&1 || command -v openrc >/dev/null 2>&1 || [ -d "$tend_r/run/openrc" ]`},
	{"sysvinit", `:`},
}

func (m serviceModule) Probe(t *Task) (string, error) {
	st, err := readSvcTask(t, m.systemd)
	if err != nil {
		return "", err
	}
	b, err := m.backendFor(t, st)
	if err != nil {
		return "", err
	}
	s := newScript()
	svcVars(s, st, m.root)
	if st.name == "" {
		// daemon_reload alone: nothing to read.
		s.add("printf 'mgr=systemd\\n'")
		return s.String(), nil
	}
	if b != nil {
		s.add("printf 'mgr=%s\\n' ", b.name)
		b.probe(s, st, m.root)
		return s.String(), nil
	}
	for i, d := range detectOrder {
		kw := "elif"
		if i == 0 {
			kw = "if"
		}
		if d.test == ":" {
			s.add("else")
		} else {
			s.add(kw, " ", d.test, "; then")
		}
		s.add("printf 'mgr=%s\\n' ", d.backend)
		svcBackends[d.backend].probe(s, st, m.root)
	}
	s.add("fi")
	return s.String(), nil
}

// svcVars sets the variables every backend's lines use.
func svcVars(s *script, st svcTask, root string) {
	s.add("tend_r=", q(root))
	s.add("tend_n=", q(st.name))
	s.add("tend_i=", q(root+"/etc/init.d/"+st.name))
}

// svcPlan is what Plan works out, and Report reuses.
type svcPlan struct {
	backend *svcBackend
	cur     svcState
	diffs   []Diff
	lines   []string
	// changed is what the result says: daemon_reload alone runs but, as in
	// Ansible, changes nothing.
	changed bool
	state   string // the result's state
}

func (m serviceModule) plan(t *Task, probe Output) (svcTask, *svcPlan, error) {
	st, err := readSvcTask(t, m.systemd)
	if err != nil {
		return st, nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return st, nil, err
	}
	mgr, err := r.get("mgr")
	if err != nil {
		return st, nil, err
	}
	b, ok := svcBackends[mgr]
	if !ok {
		return st, nil, fmt.Errorf("probe: unknown service manager %q", mgr)
	}
	p := &svcPlan{backend: b, state: st.state}
	if len(st.systemdOnly) > 0 && b.name != "systemd" {
		return st, nil, errorf("Unsupported parameters for (ansible.legacy.service) module: %s. Supported parameters include: arguments, enabled, name, pattern, runlevel, sleep, state (args).", strings.Join(st.systemdOnly, ", "))
	}
	if st.daemonReload {
		p.diffs = append(p.diffs, Diff{Path: "systemd", Attr: "daemon-reload", After: "run"})
		p.lines = append(p.lines, svcRun("Unable to run daemon-reload", "systemctl"+systemctlOpts(st)+" daemon-reload"))
	}
	if st.daemonReexec {
		p.diffs = append(p.diffs, Diff{Path: "systemd", Attr: "daemon-reexec", After: "run"})
		p.lines = append(p.lines, svcRun("Unable to run daemon-reexec", "systemctl"+systemctlOpts(st)+" daemon-reexec"))
	}
	if st.name == "" {
		return st, p, nil
	}
	if p.cur, err = b.read(r, st); err != nil {
		return st, nil, err
	}
	cur := p.cur
	missing := func() error {
		return errorf("Could not find the requested service %s: host (%s)", st.name, cur.missing)
	}
	if st.masked != nil && *st.masked != cur.masked {
		action := "unmask"
		if *st.masked {
			action = "mask"
		}
		p.diffs = append(p.diffs, Diff{Path: st.name, Attr: "masked", Before: strconv.FormatBool(cur.masked), After: strconv.FormatBool(*st.masked)})
		p.lines = append(p.lines, svcRun("Unable to "+action+" service "+st.name, systemctl(st, m.root)+" "+action+` -- "$tend_n"`))
		p.changed = true
	}
	if st.enabled != nil {
		if !cur.exists {
			return st, nil, missing()
		}
		if *st.enabled != cur.enabled {
			p.diffs = append(p.diffs, Diff{Path: st.name, Attr: "enabled", Before: strconv.FormatBool(cur.enabled), After: strconv.FormatBool(*st.enabled)})
			p.lines = append(p.lines, b.enable(st, cur, m.root, *st.enabled)...)
			p.changed = true
		}
	}
	if st.state != "" {
		if !cur.exists {
			return st, nil, missing()
		}
		if st.scope == "global" {
			return st, nil, errorf("Service is in unknown state: scope=global manages the unit files of all users (enabled, masked), not a running service")
		}
		if !cur.live {
			return st, nil, fmt.Errorf("systemd is not running on this host (no /run/systemd/system): cannot tell whether %s runs, so state=%s cannot be checked", st.name, st.state)
		}
		now := "stopped"
		if cur.running {
			now = "started"
		}
		action := ""
		switch st.state {
		case "started":
			if !cur.running {
				action = "start"
			}
		case "stopped":
			if cur.running || cur.stopping {
				action = "stop"
			}
		default:
			// restarted and reloaded always act (they are run from
			// handlers); a service that is not running is started.
			action = strings.TrimSuffix(st.state, "ed")
			if !cur.running {
				action = "start"
			}
			p.state = "started"
		}
		if action != "" {
			after := map[string]string{"start": "started", "stop": "stopped", "restart": "restarted", "reload": "reloaded"}[action]
			p.diffs = append(p.diffs, Diff{Path: st.name, Attr: "state", Before: now, After: after})
			p.lines = append(p.lines, b.control(st, cur, m.root, action)...)
			p.changed = true
		}
	}
	return st, p, nil
}

func (m serviceModule) Plan(t *Task, probe Output) (*Change, error) {
	st, p, err := m.plan(t, probe)
	if err != nil || len(p.lines) == 0 {
		return nil, err
	}
	s := newScript()
	s.use("tend_die")
	svcVars(s, st, m.root)
	if st.scope == "user" {
		s.add(userBus)
	}
	useSvcRun(s)
	if p.cur.tool == "links" {
		useFunc(s, "tend_rclinks", rcLinks)
	}
	for _, l := range p.lines {
		s.add(l)
	}
	res := svcResult(st, p)
	res["changed"] = p.changed
	return &Change{
		Diffs: p.diffs,
		Apply: s.String(),
		Result: func(o Output) (Result, error) {
			if o.ExitCode != 0 {
				return failedApplyWith(o, Result{"name": st.name}), nil
			}
			out := Result{}
			for k, v := range res {
				out[k] = v
			}
			return out, nil
		},
	}, nil
}

// Report is the result when nothing changes.
func (m serviceModule) Report(t *Task, probe Output) (Result, error) {
	st, p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	res := svcResult(st, p)
	res["changed"] = false
	return res, nil
}

// svcResult has Ansible's keys: name, state (the one asked for; started
// after restarted or reloaded), enabled (asked for), status (systemctl
// show's properties, as read before the change).
func svcResult(st svcTask, p *svcPlan) Result {
	res := Result{}
	if st.name != "" {
		res["name"] = st.name
	}
	if p.state != "" {
		res["state"] = p.state
	}
	if st.enabled != nil {
		res["enabled"] = *st.enabled
	}
	if p.cur.status != nil {
		status := make(map[string]any, len(p.cur.status))
		for k, v := range p.cur.status {
			status[k] = v
		}
		res["status"] = status
	}
	return res
}

// useFunc defines a helper function of these modules once.
func useFunc(s *script, name, text string) {
	if !s.defined[name] {
		s.defined[name] = true
		s.funcs.WriteString(text)
	}
}

// useSvcRun defines tend_run MESSAGE CMD...: CMD runs with its output in a
// temporary file, not the transport's pipe, which a daemon it starts would
// otherwise hold open; on failure the output is in the error.
func useSvcRun(s *script) {
	useFunc(s, "tend_run", `tend_run() {
	tend_m=$1
	shift
	tend_o=$(mktemp) || tend_die "cannot create a temporary file"
	tend_x=0
	"$@" </dev/null >"$tend_o" 2>&1 || tend_x=$?
	tend_e=$(cat -- "$tend_o")
	rm -f -- "$tend_o"
	[ "$tend_x" -eq 0 ] || tend_die "$tend_m (exit status $tend_x): $tend_e"
}
`)
}

// svcRun is a line that runs cmd (sh words) through tend_run.
func svcRun(msg, cmd string) string { return "tend_run " + q(msg) + " " + cmd }

// useSvcVal defines tend_val KEY VALUE, which prints VALUE as a blob
// record (command output, which may hold any line).
func useSvcVal(s *script) {
	useFunc(s, "tend_val", `tend_val() {
	tend_z=$(printf '%s' "$2" | wc -c) || return 1
	printf '%s:%s\n%s\n' "$1" $tend_z "$2"
}
`)
}

// argWords are the task's arguments as sh words, with a leading space.
func argWords(st svcTask) string {
	var b strings.Builder
	for _, a := range st.args {
		b.WriteString(" ")
		b.WriteString(q(a))
	}
	return b.String()
}

// psProbe prints the processes' command lines for pattern (Ansible's
// stand-in for a status command).
func psProbe(s *script) {
	useSvcVal(s)
	s.add(`tend_o=$(ps -e -o args= 2>/dev/null || ps w) || { echo 'ps failed' >&2; exit 1; }`)
	s.add(`tend_val ps "$tend_o" || exit 1`)
}

// psRunning is Ansible's check_ps: a line holds the pattern (and is not a
// test harness's, which holds "pattern=").
func psRunning(r *records, pattern string) (bool, error) {
	ps, ok := r.blob("ps")
	if !ok {
		return false, fmt.Errorf("probe output lacks ps")
	}
	for _, l := range strings.Split(string(ps), "\n") {
		if strings.Contains(l, pattern) && !strings.Contains(l, "pattern=") {
			return true, nil
		}
	}
	return false, nil
}

// exitCode reads a required exit status record.
func exitCode(r *records, key string) (int, error) {
	n, err := r.num(key)
	return int(n), err
}

// firstLine is the first line of a blob, trimmed.
func firstLine(b []byte) string {
	l, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(l)
}
