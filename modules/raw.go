package modules

import (
	"fmt"
	"strings"
)

// rawModule is Ansible's raw: the text runs as it is, in the host's sh
// (Ansible hands it to the login shell), or as EXECUTABLE -c TEXT. Like
// Ansible, it is skipped in check mode and always reports a change.
type rawModule struct{}

func init() { Register("raw", rawModule{}) }

func (rawModule) Spec() Spec {
	return Spec{
		FreeForm: "free_form",
		Params: []Param{
			{Name: "free_form", Kind: String, Required: true, Aliases: []string{"_raw_params"}},
			{Name: "executable", Kind: String},
		},
	}
}

func (rawModule) Probe(*Task) (string, error) { return "", nil }

// execWords quotes an executable setting (which may carry options, as
// "/bin/bash -l") word by word.
func execWords(v string) (string, error) {
	argv, err := splitArgs(v)
	if err != nil {
		return "", fmt.Errorf("executable: %v", err)
	}
	if len(argv) == 0 {
		return "", fmt.Errorf("executable is empty")
	}
	for i, a := range argv {
		argv[i] = q(a)
	}
	return strings.Join(argv, " "), nil
}

func (rawModule) Plan(t *Task, _ Output) (*Change, error) {
	text := t.Args.String("free_form")
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("no command given")
	}
	apply := text + "\n"
	if e := t.Args.String("executable"); e != "" {
		w, err := execWords(e)
		if err != nil {
			return nil, err
		}
		apply = w + " -c " + q(text) + "\n"
	}
	return &Change{Apply: apply, CheckUnknown: true, Result: rawResult}, nil
}

// rawResult is what raw and script return: the output as it came, with
// no stripping, and a failure for a non-zero status.
func rawResult(o Output) (Result, error) {
	out, errOut := string(o.Stdout), string(o.Stderr)
	res := Result{
		"changed": true, "rc": o.ExitCode,
		"stdout": out, "stdout_lines": pySplitLines(out),
		"stderr": errOut, "stderr_lines": pySplitLines(errOut),
	}
	if o.ExitCode != 0 {
		res["failed"] = true
		res["msg"] = "non-zero return code"
	}
	return res, nil
}
