package playbooks

import (
	"strings"
	"testing"
)

// argSpecRole is a role whose meta/argument_specs.yml checks its
// parameters; Ansible reports in the options' written order.
var argSpecRole = map[string]string{
	"roles/r/meta/argument_specs.yml": `argument_specs:
  main:
    short_description: The r role
    options:
      ratio: {type: float}
      app_port: {type: int, required: true}
      mode: {type: str, choices: [fast, slow], default: fast}
      flag: {type: bool}
      items: {type: list, elements: int}
      conf:
        type: dict
        options:
          a: {type: int, required: true}
      label: {type: str}
`,
	"roles/r/defaults/main.yml": "ratio: 1.5\n",
	"roles/r/tasks/main.yml":    "- debug: msg=\"ran {{ app_port }}\"\n",
}

func runArgSpec(t *testing.T, play string) ([]Event, *Summary) {
	t.Helper()
	files := map[string]string{"site.yml": play}
	for k, v := range argSpecRole {
		files[k] = v
	}
	events, sum, _ := runFiles(t, files, "local ansible_connection=local\n", nil)
	return events, sum
}

const argSpecTask = "r : Validating arguments against arg spec 'main' - The r role"

func TestArgSpecAccepts(t *testing.T) {
	events, sum := runArgSpec(t, `- hosts: local
  gather_facts: false
  roles:
    - {role: r, app_port: "80", flag: "yes", items: "1,2", label: 5, conf: {a: "3"}}
`)
	if got, want := trail(events), argSpecTask+":ok r : debug:ok"; got != want {
		t.Fatalf("trail = %q, want %q", got, want)
	}
	if sum.Hosts["local"].Failed != 0 {
		t.Fatalf("failed: %+v", sum.Hosts["local"])
	}
}

// The messages are ansible-playbook 2.14's for the same role and play,
// but for <class 'str'>, where Ansible names its YAML string class
// (AnsibleUnicode), and the valid booleans, which Ansible lists in its
// set's order of the run.
func TestArgSpecRejects(t *testing.T) {
	for _, c := range []struct{ name, play, msg string }{
		{"types", `- hosts: local
  gather_facts: false
  tasks:
    - include_role: {name: r}
      vars: {app_port: "abc", mode: quick, flag: maybe, items: [1, x], conf: {b: 1}, ratio: zz, label: [1]}
`, `Validation of arguments failed:
argument 'ratio' is of type <class 'str'> and we were unable to convert to float: <class 'str'> cannot be converted to a float
argument 'app_port' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int
argument 'flag' is of type <class 'str'> and we were unable to convert to bool: The value 'maybe' is not a valid boolean.  Valid booleans include: 'yes', 1, 0, 'f', '0', 'y', 't', 'on', 'n', 'off', 'true', 'false', 'no', '1'
Elements value for option 'items' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int
value of mode must be one of: fast, slow, got: quick
missing required arguments: a found in conf
conf.b. Supported parameters include: a.`},
		{"missing", `- hosts: local
  gather_facts: false
  roles:
    - {role: r, extra: 1}
`, `Validation of arguments failed:
missing required arguments: app_port
extra. Supported parameters include: app_port, conf, flag, items, label, mode, ratio.`},
	} {
		t.Run(c.name, func(t *testing.T) {
			events, sum := runArgSpec(t, c.play)
			var got *Event
			for i := range events {
				if events[i].Task == argSpecTask {
					got = &events[i]
				}
			}
			if got == nil || got.Status != StatusFailed {
				t.Fatalf("no failed validation task: %s", trail(events))
			}
			if got.Msg != c.msg {
				t.Errorf("msg =\n%s\nwant\n%s", got.Msg, c.msg)
			}
			if strings.Contains(trail(events), "debug") || sum.Hosts["local"].Failed != 1 {
				t.Errorf("the role ran on: %s", trail(events))
			}
		})
	}
}

// TestCheckSpecLikeAnsible compares checkSpec with what ansible-core
// 2.14's ArgumentSpecValidator(spec).validate(params,
// validate_role_argument_spec=True).error_messages gives for the same
// spec and parameters (Ansible's list of valid booleans is in its set's
// order of the run).
func TestCheckSpecLikeAnsible(t *testing.T) {
	for _, c := range []struct {
		spec, params map[string]any
		want         []string
	}{
		{map[string]any{"a": map[string]any{"type": "int"}}, map[string]any{"a": 1.5},
			[]string{"argument 'a' is of type <class 'float'> and we were unable to convert to int: <class 'float'> cannot be converted to an int"}},
		{map[string]any{"a": map[string]any{"type": "int"}}, map[string]any{"a": true}, nil},
		{map[string]any{"a": map[string]any{"type": "int"}}, map[string]any{"a": " 7 "}, nil},
		{map[string]any{"a": map[string]any{"type": "float"}}, map[string]any{"a": "1e3"}, nil},
		{map[string]any{"a": map[string]any{"type": "bool"}}, map[string]any{"a": 2},
			[]string{"argument 'a' is of type <class 'int'> and we were unable to convert to bool: The value '2' is not a valid boolean.  Valid booleans include: 'yes', 1, 0, 'f', '0', 'y', 't', 'on', 'n', 'off', 'true', 'false', 'no', '1'"}},
		{map[string]any{"a": map[string]any{"type": "bool"}}, map[string]any{"a": []any{1}},
			[]string{"argument 'a' is of type <class 'list'> and we were unable to convert to bool: <class 'list'> cannot be converted to a bool"}},
		{map[string]any{"a": map[string]any{"type": "list"}}, map[string]any{"a": map[string]any{"x": 1}},
			[]string{"argument 'a' is of type <class 'dict'> and we were unable to convert to list: <class 'dict'> cannot be converted to a list"}},
		{map[string]any{"a": map[string]any{"type": "list", "elements": "str", "choices": []any{"x", "y"}}}, map[string]any{"a": "x,z,w"},
			[]string{"value of a must be one or more of: x, y. Got no match for: z, w"}},
		{map[string]any{"a": map[string]any{"type": "dict"}}, map[string]any{"a": "k=v, z=1"}, nil},
		{map[string]any{"a": map[string]any{"type": "dict"}}, map[string]any{"a": "nope"},
			[]string{"argument 'a' is of type <class 'str'> and we were unable to convert to dict: dictionary requested, could not parse JSON or key=value"}},
		{map[string]any{"a": map[string]any{"type": "dict"}}, map[string]any{"a": 3},
			[]string{"argument 'a' is of type <class 'int'> and we were unable to convert to dict: <class 'int'> cannot be converted to a dict"}},
		{map[string]any{"a": map[string]any{"type": "str", "choices": []any{1, 2}}}, map[string]any{"a": 3},
			[]string{"value of a must be one of: 1, 2, got: 3"}},
		{map[string]any{"a": map[string]any{"type": "int", "choices": []any{1, 2}}}, map[string]any{"a": "3"},
			[]string{"value of a must be one of: 1, 2, got: 3"}},
		{map[string]any{"a": map[string]any{"type": "raw", "choices": []any{true, "x"}}}, map[string]any{"a": false},
			[]string{"value of a must be one of: True, x, got: False"}},
		{map[string]any{"a": map[string]any{"type": "list", "elements": "dict", "options": map[string]any{"n": map[string]any{"required": true}}}},
			map[string]any{"a": []any{map[string]any{"n": 1}, map[string]any{"m": 2}}},
			[]string{"missing required arguments: n found in a", "a.m. Supported parameters include: n."}},
		{map[string]any{"a": map[string]any{"required": true, "default": 3}, "b": map[string]any{"required": true}, "c": map[string]any{"required": true}}, map[string]any{},
			[]string{"internal error: required and default are mutually exclusive for a", "missing required arguments: b, c"}},
		{map[string]any{"a": map[string]any{"type": "str"}}, map[string]any{"a": nil}, nil},
		{map[string]any{"a": map[string]any{"type": "int", "required": true}}, map[string]any{"a": nil}, nil},
		{map[string]any{"a": map[string]any{"type": "path"}}, map[string]any{"a": 5}, nil},
	} {
		got := checkSpec(c.spec, c.params, nil)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%v against %v:\n got %q\nwant %q", c.params, c.spec, got, c.want)
		}
	}
}
