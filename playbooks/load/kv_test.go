package load

import (
	"maps"
	"slices"
	"testing"
)

func TestParseKV(t *testing.T) {
	chdir := func(k string) bool { return k == "chdir" || k == "creates" || k == "removes" }
	for _, tc := range []struct {
		in     string
		keep   func(string) bool // free form when set
		args   map[string]string
		raw    string
		hasRaw bool
		err    bool
	}{
		{in: `a=1 b='x y' c="p q"`, args: map[string]string{"a": "1", "b": "x y", "c": "p q"}},
		{in: "  a=1\t\tb=2  ", args: map[string]string{"a": "1", "b": "2"}},
		{in: `opts=a=b,c=d`, args: map[string]string{"opts": "a=b,c=d"}},
		{in: `msg="{{ x | default('a b') }}" n=1`, args: map[string]string{"msg": "{{ x | default('a b') }}", "n": "1"}},
		{in: `x={{ a + b }} y={% if a %}1{% endif %}`, args: map[string]string{"x": "{{ a + b }}", "y": "{% if a %}1{% endif %}"}},
		{in: `k="say \"hi\""`, args: map[string]string{"k": `say "hi"`}},
		{in: `k=a\tb`, args: map[string]string{"k": "a\tb"}}, // Ansible decodes escapes
		{in: `k=caf\xe9 u=\u00e9`, args: map[string]string{"k": "café", "u": "é"}},
		{in: `k=a\101`, args: map[string]string{"k": `a\101`}}, // parse_kv decodes no octal
		{in: `k='a'b'`, err: true},
		{in: `k=''`, args: map[string]string{"k": ""}},
		{in: `k=`, args: map[string]string{"k": ""}},
		{in: `a\=b`, raw: "a=b", hasRaw: true},
		{in: `=x`, raw: "=x", hasRaw: true},
		{in: `hello world`, raw: "hello world", hasRaw: true},
		{in: `a='x`, err: true},
		{in: `a={{ x`, err: true},
		{in: `a={# x`, err: true},
		// Free form: only the module's own keys come out.
		{in: `ls -l "a  b" chdir=/tmp creates=/x`, keep: chdir, raw: `ls -l "a  b"`, hasRaw: true,
			args: map[string]string{"chdir": "/tmp", "creates": "/x"}},
		{in: `echo a chdir=/x   b`, keep: chdir, raw: "echo a   b", hasRaw: true, args: map[string]string{"chdir": "/x"}},
		{in: `chdir=/srv make install`, keep: chdir, raw: "make install", hasRaw: true, args: map[string]string{"chdir": "/srv"}},
		{in: `FOO=1 make x=y`, keep: chdir, raw: "FOO=1 make x=y", hasRaw: true},
		{in: `chdir='/my dir'`, keep: chdir, args: map[string]string{"chdir": "/my dir"}},
		{in: "echo a\necho b removes=/x\n", keep: chdir, raw: "echo a\necho b", hasRaw: true, args: map[string]string{"removes": "/x"}},
		{in: `echo 'it''s' "{{ a }}"`, keep: chdir, raw: `echo 'it''s' "{{ a }}"`, hasRaw: true},
		{in: `echo "a\"b" creates=x`, keep: chdir, raw: `echo "a\"b"`, hasRaw: true, args: map[string]string{"creates": "x"}},
	} {
		args, raw, hasRaw, err := parseKV(tc.in, tc.keep)
		if (err != nil) != tc.err {
			t.Errorf("%q: error %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		got := map[string]string{}
		for _, a := range args {
			got[a.key] = a.value
		}
		if tc.args == nil {
			tc.args = map[string]string{}
		}
		if !maps.Equal(got, tc.args) || raw != tc.raw || hasRaw != tc.hasRaw {
			t.Errorf("%q: got %q raw %q (%v), want %q raw %q (%v)", tc.in, got, raw, hasRaw, tc.args, tc.raw, tc.hasRaw)
		}
	}
}

func TestSplitArgsOffsets(t *testing.T) {
	s := `a=1  b="x y" {{ c d }}`
	toks, err := splitArgs(s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		if s[tk.start:tk.end] != tk.text {
			t.Errorf("token %q has span %d:%d", tk.text, tk.start, tk.end)
		}
		got = append(got, tk.text)
	}
	if want := []string{"a=1", `b="x y"`, "{{ c d }}"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
