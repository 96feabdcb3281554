package playbooks

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseExtraVars(t *testing.T) {
	file := filepath.Join(t.TempDir(), "vars.yml")
	os.WriteFile(file, []byte("port: 8080\nusers: [a, b]\n"), 0o600)
	got, err := ParseExtraVars([]string{`a=1 b="two words" c=x=y`, `{"d": [1, 2], "a": 3}`, "@" + file})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": 3, "b": "two words", "c": "x=y", "d": []any{1, 2}, "port": 8080, "users": []any{"a", "b"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	for _, bad := range []string{"novalue", "@/nonexistent", "{not: [closed"} {
		if _, err := ParseExtraVars([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// -e k=v text is read with parse_kv, as ansible-playbook does (expected
// values from ansible.parsing.splitter.parse_kv): quotes removed, escapes
// decoded but not octal ones, Jinja kept whole.
func TestParseExtraVarsKV(t *testing.T) {
	got, err := ParseExtraVars([]string{`a="b c" d='e f' g=h\tI j=x\101 k="" l=a=b`, `m={{ x | default("a b") }}`})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": "b c", "d": "e f", "g": "h\tI", "j": `x\101`, "k": "", "l": "a=b", "m": `{{ x | default("a b") }}`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if _, err := ParseExtraVars([]string{`a="b`}); err == nil {
		t.Error("an unclosed quote accepted")
	}
}
