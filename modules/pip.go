package modules

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// pipModule is Ansible's pip: Python packages installed with the host's
// pip (in a virtualenv, made when missing, if asked). The probe lists
// what is installed (pip list --format=freeze, else pip freeze), so that
// present and absent change nothing when the host conforms; latest,
// forcereinstall, requirements and URLs always run pip, and report a
// change as Ansible does (its output, or freeze before and after).
type pipModule struct{}

func init() { Register("pip", pipModule{}) }

func (pipModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "name", Kind: List},
			{Name: "version", Kind: String},
			{Name: "requirements", Kind: String},
			{Name: "virtualenv", Kind: Path},
			{Name: "virtualenv_site_packages", Kind: Bool, Default: false},
			{Name: "virtualenv_command", Kind: Path, Default: "python3 -m venv"},
			{Name: "virtualenv_python", Kind: String},
			{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent", "latest", "forcereinstall"}},
			{Name: "extra_args", Kind: String},
			{Name: "editable", Kind: Bool, Default: false},
			{Name: "chdir", Kind: Path},
			{Name: "executable", Kind: Path},
			{Name: "umask", Kind: String},
		},
		RequiredOneOf: [][]string{{"name", "requirements"}},
		Exclusive:     [][]string{{"name", "requirements"}, {"executable", "virtualenv"}},
	}
}

type pipTask struct {
	state, venv, chdir, exe, reqs, umask string
	reqList                              []pipReq
	extra, venvCmd                       []string
}

func readPipTask(t *Task) (pipTask, error) {
	a := t.Args
	pt := pipTask{state: a.String("state"), venv: a.String("virtualenv"), chdir: a.String("chdir"),
		exe: a.String("executable"), reqs: a.String("requirements"), umask: a.String("umask")}
	if pt.state == "" {
		pt.state = "present"
	}
	version := a.String("version")
	if pt.state == "latest" && version != "" {
		return pt, fmt.Errorf("version is incompatible with state=latest")
	}
	if pt.chdir != "" {
		if err := checkAbs("chdir", pt.chdir); err != nil {
			return pt, err
		}
	}
	if pt.venv != "" {
		if pt.chdir != "" {
			pt.venv = path.Join(pt.chdir, pt.venv)
		}
		if err := checkAbs("virtualenv", pt.venv); err != nil {
			return pt, err
		}
		pt.venv = cleanPath(pt.venv)
	}
	if pt.umask != "" {
		for _, c := range pt.umask {
			if c < '0' || c > '7' {
				return pt, fmt.Errorf("umask must be an octal integer")
			}
		}
	}
	var err error
	if x := a.String("extra_args"); x != "" {
		if pt.extra, err = splitArgs(x); err != nil {
			return pt, fmt.Errorf("extra_args: %v", err)
		}
	}
	if a.Bool("editable") && !hasWord(pt.extra, "-e") {
		pt.extra = append(pt.extra, "-e")
	}
	vc := a.String("virtualenv_command")
	if vc == "" {
		vc = "python3 -m venv"
	}
	if pt.venvCmd, err = splitArgs(vc); err != nil || len(pt.venvCmd) == 0 {
		return pt, fmt.Errorf("virtualenv_command: %q", vc)
	}
	if a.Bool("virtualenv_site_packages") {
		pt.venvCmd = append(pt.venvCmd, "--system-site-packages")
	}
	if py := a.String("virtualenv_python"); py != "" {
		if strings.Contains(vc, "-m venv") || strings.Contains(vc, "pyvenv") {
			return pt, fmt.Errorf("virtualenv_python should not be used when using the venv module or pyvenv as virtualenv_command")
		}
		pt.venvCmd = append(pt.venvCmd, "-p"+py)
	}
	names := a.List("name")
	if version != "" && len(names) > 1 {
		return pt, fmt.Errorf("'version' argument is ambiguous when installing multiple package distributions. Please specify version restrictions next to each package in 'name' argument.")
	}
	for _, n := range names {
		r, err := parsePipReq(n, version)
		if err != nil {
			return pt, err
		}
		pt.reqList = append(pt.reqList, r)
	}
	if len(pt.reqList) == 0 && pt.reqs == "" {
		return pt, fmt.Errorf("one of the following is required: name, requirements")
	}
	return pt, nil
}

// findPip sets tend_pb to the pip to run (or "python3 -m pip", as
// tend_pm=1), or prints pip=none. It needs tend_pip to run it.
func (pt pipTask) findPip(s *script) {
	s.add("tend_pb= tend_pm=")
	switch {
	case pt.venv != "":
		s.add("for tend_c in pip3 pip; do")
		s.add("	if [ -x ", q(pt.venv+"/bin/"), `"$tend_c" ]; then tend_pb=`, q(pt.venv+"/bin/"), `$tend_c; break; fi`)
		s.add("done")
	case pt.exe != "":
		s.add("if command -v ", q(pt.exe), " >/dev/null 2>&1; then tend_pb=", q(pt.exe), "; fi")
	default:
		s.add("if command -v pip3 >/dev/null 2>&1; then tend_pb=pip3")
		s.add("elif command -v pip >/dev/null 2>&1; then tend_pb=pip")
		s.add("elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then tend_pm=1")
		s.add("fi")
	}
	s.add("tend_pip() { if [ -n \"$tend_pm\" ]; then python3 -m pip \"$@\"; else \"$tend_pb\" \"$@\"; fi; }")
}

// listPkgs prints KEY as a blob: what is installed.
func listPkgs(s *script, key string) {
	s.add("tend_v=$(tend_pip list --format=freeze 2>/dev/null) || tend_v=$(tend_pip freeze 2>/dev/null) || tend_v=")
	s.add(`printf '`, key, `:%s\n%s\n' "${#tend_v}" "$tend_v"`)
}

func (pipModule) Probe(t *Task) (string, error) {
	pt, err := readPipTask(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	if pt.venv != "" {
		s.add("if [ -f ", q(pt.venv+"/bin/activate"), " ]; then echo venv=1; else echo venv=0; fi")
	}
	pt.findPip(s)
	s.add(`if [ -z "$tend_pb$tend_pm" ]; then echo pip=none; else echo pip=1`)
	listPkgs(s, "list")
	s.add("fi")
	return s.String(), nil
}

// pipState is what the probe found.
type pipState struct {
	pt        pipTask
	venvOK    bool
	installed map[string]string
	todo      []string // what pip is given
	always    bool     // pip must run whatever is installed
}

func (pt pipTask) noPip() error {
	if pt.venv != "" {
		return fmt.Errorf("Unable to find pip in the virtualenv, %s, under any of these names: pip3, pip. Make sure pip is present in the virtualenv.", pt.venv)
	}
	if pt.exe != "" {
		return fmt.Errorf("Unable to find any of %s to use.  pip needs to be installed.", pt.exe)
	}
	return fmt.Errorf("Unable to find any of pip3, pip, python3 -m pip to use.  pip needs to be installed.")
}

func readPipState(t *Task, probe Output) (*pipState, error) {
	pt, err := readPipTask(t)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	ps := &pipState{pt: pt, venvOK: true}
	if pt.venv != "" {
		if ps.venvOK, err = r.flag("venv"); err != nil {
			return nil, err
		}
	}
	if v, _ := r.opt("pip"); v == "none" {
		if ps.venvOK {
			return nil, pt.noPip()
		}
		ps.installed = map[string]string{} // the new virtualenv holds nothing
	} else {
		b, _ := r.blob("list")
		ps.installed = parseFreeze(b)
	}
	ps.always = pt.reqs != "" || pt.state == "latest" || pt.state == "forcereinstall"
	for _, rq := range pt.reqList {
		v, have := ps.installed[rq.name]
		switch {
		case ps.always || rq.opaque:
			ps.todo = append(ps.todo, rq.arg)
			ps.always = ps.always || rq.opaque
		case pt.state == "present" && !(have && rq.satisfied(v)):
			ps.todo = append(ps.todo, rq.arg)
		case pt.state == "absent" && have && rq.satisfied(v):
			ps.todo = append(ps.todo, rq.arg)
		}
	}
	if ps.always {
		ps.todo = nil
		for _, rq := range pt.reqList {
			ps.todo = append(ps.todo, rq.arg)
		}
	}
	return ps, nil
}

func (ps *pipState) result(t *Task, changed bool) Result {
	a := t.Args
	res := Result{"changed": changed, "state": ps.pt.state, "name": a.List("name"), "version": nil, "requirements": nil, "virtualenv": nil}
	for _, k := range []string{"version", "requirements"} {
		if a.Has(k) && a[k] != nil {
			res[k] = a.String(k)
		}
	}
	if ps.pt.venv != "" {
		res["virtualenv"] = ps.pt.venv
	}
	if a["name"] == nil {
		res["name"] = nil
	}
	return res
}

func (pipModule) Plan(t *Task, probe Output) (*Change, error) {
	ps, err := readPipState(t, probe)
	if err != nil {
		return nil, err
	}
	pt := ps.pt
	if ps.venvOK && len(ps.todo) == 0 && pt.reqs == "" {
		return nil, nil
	}
	var diffs []Diff
	s := newScript()
	s.use("tend_die")
	if pt.umask != "" {
		s.add("umask ", pt.umask)
	}
	if pt.chdir != "" {
		s.add("cd ", q(pt.chdir), ` || tend_die "cannot change to the chdir folder"`)
	} else {
		s.add(`cd "${TMPDIR:-/tmp}" || cd /`)
	}
	if !ps.venvOK {
		diffs = append(diffs, stateDiff(pt.venv, "absent", "virtualenv"))
		words := make([]string, 0, len(pt.venvCmd)+1)
		for _, w := range append(pt.venvCmd, pt.venv) {
			words = append(words, q(w))
		}
		s.add("tend_o=$(", strings.Join(words, " "), " 2>&1) || tend_die \"$tend_o\"")
	}
	pt.findPip(s)
	s.add(`[ -n "$tend_pb$tend_pm" ] || tend_die `, q(pt.noPip().Error()))
	argv := map[string][]string{"present": {"install"}, "absent": {"uninstall", "-y"}, "latest": {"install", "-U"}, "forcereinstall": {"install", "-U", "--force-reinstall"}}[pt.state]
	argv = append(argv, pt.extra...)
	if pt.reqs != "" {
		argv = append(argv, "-r", pt.reqs)
	} else {
		argv = append(argv, ps.todo...)
	}
	words := make([]string, len(argv))
	for i, w := range argv {
		words[i] = q(w)
	}
	diffs = append(diffs, Diff{Path: pt.venv, Attr: "packages", Before: "", After: "pip " + strings.Join(argv, " ")})
	if ps.always {
		listPkgs(s, "before")
	}
	s.add("tend_o=$(tend_pip ", strings.Join(words, " "), " 2>&1); echo rc=$?")
	s.add(`printf 'out:%s\n%s\n' "${#tend_o}" "$tend_o"`)
	if ps.always {
		listPkgs(s, "after")
	}
	state, created := pt.state, !ps.venvOK
	cmd := "pip " + strings.Join(argv, " ")
	return &Change{
		Diffs: diffs,
		Apply: s.String(),
		Result: whenApplied(func(o Output) (Result, error) {
			r, err := parseRecords(o.Stdout)
			if err != nil {
				return nil, fmt.Errorf("apply printed something unexpected: %v", err)
			}
			rc, err := r.num("rc")
			if err != nil {
				return nil, err
			}
			out, _ := r.blob("out")
			res := ps.result(t, false)
			res["cmd"], res["stdout"], res["stderr"] = cmd, string(out), ""
			if rc != 0 && !(rc == 1 && state == "absent" && bytes.Contains(out, []byte("not installed"))) {
				res["failed"], res["rc"] = true, rc
				res["msg"] = fmt.Sprintf("stdout: %s\n\n:stderr: ", out)
				return res, nil
			}
			changed := false
			if b, ok := r.blob("before"); ok {
				a, _ := r.blob("after")
				changed = !bytes.Equal(a, b)
			} else if state == "absent" {
				changed = bytes.Contains(out, []byte("Successfully uninstalled"))
			} else {
				changed = bytes.Contains(out, []byte("Successfully installed"))
			}
			res["changed"] = changed || created
			return res, nil
		}),
	}, nil
}

func (pipModule) Report(t *Task, probe Output) (Result, error) {
	ps, err := readPipState(t, probe)
	if err != nil {
		return nil, err
	}
	return ps.result(t, false), nil
}
