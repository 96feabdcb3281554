package modules

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// scriptModule is Ansible's script: a file from the controller (the first
// word of cmd, found in the role's or playbook's files/) is written to a
// private folder in /tmp on the host, made executable and run there with
// the rest of cmd as shell text (as Ansible runs it), then removed.
// creates and removes test one path each (no globs, as Ansible's). In
// check mode the task is skipped unless creates or removes decided it.
type scriptModule struct{}

func init() { Register("script", scriptModule{}) }

func (scriptModule) Spec() Spec {
	return Spec{
		FreeForm: "cmd",
		Params: []Param{
			{Name: "cmd", Kind: String, Required: true, Aliases: []string{"free_form", "_raw_params"}},
			{Name: "creates", Kind: String},
			{Name: "removes", Kind: String},
			{Name: "chdir", Kind: String},
			{Name: "executable", Kind: String},
			{Name: "decrypt", Kind: Bool, Default: true},
		},
	}
}

type scriptTask struct {
	text, source            string
	creates, removes, chdir string
	executable              string
}

func readScriptTask(t *Task) (scriptTask, error) {
	a := t.Args
	st := scriptTask{
		text: strings.TrimSpace(a.String("cmd")), creates: a.String("creates"), removes: a.String("removes"),
		chdir: a.String("chdir"), executable: a.String("executable"),
	}
	argv, err := splitArgs(st.text)
	if err != nil {
		return st, fmt.Errorf("cmd: %v", err)
	}
	if len(argv) == 0 {
		return st, fmt.Errorf("no script given")
	}
	st.source = argv[0]
	if st.chdir != "" && !strings.HasPrefix(st.chdir, "/") {
		return st, fmt.Errorf("chdir %s must be an absolute path for a Unix-aware remote node", st.chdir)
	}
	for _, p := range []string{st.creates, st.removes, st.chdir} {
		if strings.ContainsRune(p, 0) {
			return st, fmt.Errorf("a path holds a NUL byte")
		}
	}
	return st, nil
}

func (scriptModule) Probe(t *Task) (string, error) {
	st, err := readScriptTask(t)
	if err != nil || st.creates == "" && st.removes == "" {
		return "", err
	}
	s := newScript()
	if st.creates != "" {
		s.add("if [ -e ", q(st.creates), " ]; then echo creates=1; else echo creates=0; fi")
	}
	if st.removes != "" {
		s.add("if [ -e ", q(st.removes), " ]; then echo removes=1; else echo removes=0; fi")
	}
	return s.String(), nil
}

// skip says why the script need not run ("" when it must).
func (st scriptTask) skip(probe Output) (string, error) {
	if st.creates == "" && st.removes == "" {
		return "", nil
	}
	r, err := readProbe(probe)
	if err != nil {
		return "", err
	}
	if st.creates != "" {
		if ok, err := r.flag("creates"); err != nil || ok {
			return st.creates + " exists, matching creates option", err
		}
	}
	if st.removes != "" {
		if ok, err := r.flag("removes"); err != nil || !ok {
			return st.removes + " does not exist, matching removes option", err
		}
	}
	return "", nil
}

// Report: the script did not run (creates/removes). Ansible reports the
// task as skipped.
func (scriptModule) Report(t *Task, probe Output) (Result, error) {
	st, err := readScriptTask(t)
	if err != nil {
		return nil, err
	}
	msg, err := st.skip(probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "skipped": true, "msg": msg}, nil
}

var safeBase = regexp.MustCompile(`^[A-Za-z0-9._+-]{1,64}$`)

func (scriptModule) Plan(t *Task, probe Output) (*Change, error) {
	st, err := readScriptTask(t)
	if err != nil {
		return nil, err
	}
	if msg, err := st.skip(probe); err != nil || msg != "" {
		return nil, err
	}
	if t.Files == nil {
		return nil, fmt.Errorf("no controller files to read %s from", st.source)
	}
	body, err := t.Files.ReadFile(st.source)
	if err != nil {
		return nil, fmt.Errorf("Could not find or access '%s' on the Ansible Controller: %v", st.source, err)
	}
	// The folder's name is random and literal: the script's path is put
	// into the task's own shell text in place of its name.
	base := path.Base(st.source)
	if !safeBase.MatchString(base) || base == "." || base == ".." {
		base = "script"
	}
	dir := "/tmp/" + strings.TrimSuffix(tempBase(), ".tmp")
	target := dir + "/" + base
	command := strings.Replace(st.text, st.source, target, 1)
	if st.executable != "" {
		w, err := execWords(st.executable)
		if err != nil {
			return nil, err
		}
		command = w + " " + command
	}
	// No prelude: the script runs with the shell's usual settings.
	var s strings.Builder
	s.WriteString("tend_d=" + q(dir) + "\n")
	s.WriteString(`( umask 077; mkdir -- "$tend_d" ) || { echo "cannot make a temporary folder in /tmp" >&2; exit 1; }` + "\n")
	s.WriteString(`( umask 077; ` + printfAll(body) + ` > "$tend_d"/` + q(base) + ` ) || { rm -rf -- "$tend_d"; echo "cannot write the script to $tend_d" >&2; exit 1; }` + "\n")
	s.WriteString(`chmod 700 "$tend_d"/` + q(base) + ` || { rm -rf -- "$tend_d"; exit 1; }` + "\n")
	run := command
	if st.chdir != "" {
		run = "cd -- " + q(st.chdir) + " && " + command
	}
	s.WriteString("(\n" + run + "\n)\n")
	s.WriteString(`tend_rc=$?; rm -rf -- "$tend_d"; exit "$tend_rc"` + "\n")
	ch := &Change{
		Apply:        s.String(),
		CheckUnknown: st.creates == "" && st.removes == "",
		Result:       rawResult,
	}
	return ch, nil
}
