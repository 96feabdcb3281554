package modules

import (
	"fmt"
	"strings"
)

// getentModule is Ansible's getent: it only reads. The probe runs getent
// and prints its output and status; Read turns them into
// ansible_facts.getent_DATABASE as Ansible does (a key's fields after the
// first, a list of those when the key comes more than once).
type getentModule struct{}

func init() { Register("getent", getentModule{}) }

func (getentModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "database", Kind: String, Required: true},
		{Name: "key", Kind: String},
		{Name: "service", Kind: String},
		{Name: "split", Kind: String},
		{Name: "fail_key", Kind: Bool, Default: true},
	}}
}

func checkGetentWord(arg, v string) error {
	if v == "" || strings.HasPrefix(v, "-") || strings.ContainsAny(v, " \t\n\x00") {
		return fmt.Errorf("%s %q is not a database or service name", arg, v)
	}
	return nil
}

func (getentModule) Probe(t *Task) (string, error) {
	a := t.Args
	if err := checkGetentWord("database", a.String("database")); err != nil {
		return "", err
	}
	cmd := "getent " + q(a.String("database"))
	if a.Has("key") {
		cmd += " " + q(a.String("key"))
	}
	if a.Has("service") {
		if err := checkGetentWord("service", a.String("service")); err != nil {
			return "", err
		}
		cmd += " -s " + q(a.String("service"))
	}
	s := newScript()
	useSvcVal(s)
	s.add(`if command -v getent >/dev/null 2>&1; then`)
	s.add(`tend_x=0; tend_o=$(`, cmd, `) || tend_x=$?`)
	s.add(`printf 'rc=%s\n' "$tend_x"; tend_val out "$tend_o" || exit 1`)
	s.add(`else echo rc=none; fi`)
	return s.String(), nil
}

func (getentModule) Plan(*Task, Output) (*Change, error) { return nil, nil }

func (getentModule) Read(t *Task, probe Output) (Result, error) {
	a := t.Args
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	rc, err := r.get("rc")
	if err != nil {
		return nil, err
	}
	db := a.String("database")
	tree := map[string]any{}
	facts := map[string]any{"getent_" + db: tree}
	switch rc {
	case "none":
		return nil, errorf("Failed to find required executable getent")
	case "0":
	case "1":
		return nil, errorf("Missing arguments, or database unknown.")
	case "2":
		msg := "One or more supplied key could not be found in the database."
		if !a.Bool("fail_key") {
			tree[a.String("key")] = nil
			return Result{"changed": false, "ansible_facts": facts, "msg": msg}, nil
		}
		return nil, errorf("%s", msg)
	case "3":
		return nil, errorf("Enumeration not supported on this database.")
	default:
		return nil, errorf("Unexpected failure!")
	}
	out, _ := r.blob("out")
	split := a.String("split")
	if !a.Has("split") {
		switch db {
		case "passwd", "shadow", "group", "gshadow":
			split = ":"
		}
	}
	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if line == "" && len(out) == 0 {
			break
		}
		var rec []string
		if split == "" {
			rec = strings.Fields(line) // Python's split(None)
		} else {
			rec = strings.Split(line, split)
		}
		if len(rec) == 0 {
			continue
		}
		rest := make([]any, len(rec)-1)
		for i, f := range rec[1:] {
			rest[i] = f
		}
		k := rec[0]
		switch seen[k] {
		case 0:
			tree[k] = rest
		case 1:
			tree[k] = []any{tree[k], rest}
		default:
			tree[k] = append(tree[k].([]any), rest)
		}
		seen[k]++
	}
	return Result{"changed": false, "ansible_facts": facts}, nil
}
