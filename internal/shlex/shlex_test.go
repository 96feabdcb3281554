package shlex

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// testdata/python.json holds Python's shlex.split(s, comments=c) for each
// case: the words, or the error message (testdata/gen.py writes it).
func TestLexAgreesWithPython(t *testing.T) {
	data, err := os.ReadFile("testdata/python.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases [][3]any
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		in, comments := c[0].(string), c[1].(bool)
		toks, err := Lex(in, comments)
		if msg, ok := c[2].(string); ok {
			if err == nil || err.Error() != lower(msg) {
				t.Errorf("Lex(%q, %v) = %v; want error %q", in, comments, err, msg)
			}
			continue
		}
		want := []string{}
		for _, w := range c[2].([]any) {
			want = append(want, w.(string))
		}
		got := []string{}
		for _, tok := range toks {
			got = append(got, tok.Text)
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Lex(%q, %v) = %q, %v; want %q", in, comments, got, err, want)
		}
	}
}

func lower(s string) string {
	b := []byte(s)
	if len(b) > 0 && b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

func TestLexOffsetsAndPartial(t *testing.T) {
	toks, err := Lex(`a  "b c"d 'e'`, false)
	want := []Token{{"a", 0}, {"b cd", 3}, {"e", 10}}
	if err != nil || !reflect.DeepEqual(toks, want) {
		t.Errorf("got %v, %v; want %v", toks, err, want)
	}
	// The words before an unclosed quote come back with the error.
	toks, err = Lex(`A=1 B="2`, false)
	if err != ErrNoClosingQuote || len(toks) != 1 || toks[0].Text != "A=1" {
		t.Errorf("got %v, %v", toks, err)
	}
}

func FuzzLex(f *testing.F) {
	for _, s := range []string{`a "b\"c" 'd'`, "x=1 # c\ny", `a\`, `"`, "'"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, comments bool) {
		toks, _ := Lex(s, comments)
		for _, tok := range toks {
			if tok.Off < 0 || tok.Off >= len(s) {
				t.Fatalf("offset %d out of %q", tok.Off, s)
			}
		}
	})
}
