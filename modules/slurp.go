package modules

import (
	"encoding/base64"
	"fmt"
)

// slurpModule is Ansible's slurp: a file's bytes, base64-encoded. The
// probe sends them as they are (cat, counted with wc -c: the framing is
// binary-safe), and Go encodes them, so the host needs no base64 tool.
type slurpModule struct{}

func init() { Register("slurp", slurpModule{}) }

func (slurpModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "src", Kind: Path, Required: true, Aliases: []string{"path"}},
	}}
}

// slurpScript prints "err=enoent|eacces|isdir" or the file's bytes as the
// blob "content", reading through symbolic links as open() does.
func slurpScript(src string) string {
	s := newScript()
	s.use("tend_blob")
	p := q(src)
	s.add("if [ -d ", p, " ]; then echo err=isdir")
	s.add("elif [ ! -e ", p, " ]; then echo err=enoent")
	s.add("elif [ ! -r ", p, " ]; then echo err=eacces")
	s.add("else tend_blob content ", p, " || exit 1")
	s.add("fi")
	return s.String()
}

func (slurpModule) Probe(t *Task) (string, error) {
	src := t.Args.String("src")
	if err := checkAbs("src", src); err != nil {
		return "", err
	}
	return slurpScript(src), nil
}

func (slurpModule) Plan(*Task, Output) (*Change, error) { return nil, nil }

// readSlurp returns the bytes slurpScript printed, or Ansible's message
// for why there are none.
func readSlurp(src string, probe Output) ([]byte, error) {
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	if e, ok := r.opt("err"); ok {
		switch e {
		case "enoent":
			return nil, fmt.Errorf("file not found: %s", src)
		case "eacces":
			return nil, fmt.Errorf("file is not readable: %s", src)
		case "isdir":
			return nil, fmt.Errorf("source is a directory and must be a file: %s", src)
		}
		return nil, fmt.Errorf("probe: err=%q", e)
	}
	b, ok := r.blob("content")
	if !ok {
		return nil, fmt.Errorf("probe output lacks content")
	}
	return b, nil
}

func (slurpModule) Read(t *Task, probe Output) (Result, error) {
	src := t.Args.String("src")
	b, err := readSlurp(src, probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "content": base64.StdEncoding.EncodeToString(b), "source": src, "encoding": "base64"}, nil
}
