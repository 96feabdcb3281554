package playbooks

import (
	"reflect"
	"testing"
)

func TestParseSSHArgs(t *testing.T) {
	cases := []struct {
		in    string
		jump  string
		notes int
	}{
		{"-J bastion", "bastion", 0},
		{"-Jme@bastion:2200", "me@bastion:2200", 0},
		{"-o ProxyJump=me@b", "me@b", 0},
		{"-o 'ProxyJump me@b'", "me@b", 0},
		{`-o ProxyCommand="ssh -W %h:%p -q deploy@bastion.example.com"`, "deploy@bastion.example.com", 0},
		{`-o ProxyCommand="ssh -p 2222 -l ops -W %h:%p bastion"`, "ops@bastion:2222", 0},
		{`-o ProxyCommand="nc -X connect -x proxy:8080 %h %p"`, "", 1},
		{"-o ControlMaster=auto -o ControlPersist=60s", "", 0},
		{"-o StrictHostKeyChecking=no", "", 1},
		{"-C", "", 1},
	}
	for _, c := range cases {
		jump, notes, err := parseSSHArgs(c.in)
		if err != nil || jump != c.jump || len(notes) != c.notes {
			t.Errorf("parseSSHArgs(%q) = %q, %q, %v; want %q with %d notes", c.in, jump, notes, err, c.jump, c.notes)
		}
	}
	if _, _, err := parseSSHArgs("-o 'unterminated"); err == nil {
		t.Error("unterminated quote accepted")
	}
}

func TestSplitWords(t *testing.T) {
	got, _ := splitWords(`a "b c" 'd e' f\ g ""`)
	if want := []string{"a", "b c", "d e", "f g", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
}
