package pyesc

import (
	"encoding/json"
	"os"
	"testing"
)

// testdata/python.json holds what Python's decoders make of each case
// (testdata/gen.py): codecs.escape_decode, a string literal, and
// parse_kv's _decode_escapes; null where Python raises.
func TestDecodeAgreesWithPython(t *testing.T) {
	data, err := os.ReadFile("testdata/python.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		In      string
		Bytes   []byte
		Literal *string
		KV      *string
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		// escape_decode raises on a malformed \x; assemble keeps it.
		if c.Bytes != nil {
			if got, _ := Decode(c.In, Syntax{Bytes: true, Continuation: true}); got != string(c.Bytes) {
				t.Errorf("bytes %q: %q, want %q", c.In, got, c.Bytes)
			}
		}
		got, ok := Decode(c.In, Syntax{Continuation: true, Strict: true})
		if c.In == `\N{BULLET}` {
			// Python looks the name up; tend has no name table and fails.
			c.Literal = nil
		}
		if c.Literal == nil && ok || c.Literal != nil && (!ok || got != *c.Literal) {
			t.Errorf("literal %q: %q %v, want %v", c.In, got, ok, c.Literal)
		}
		if c.KV != nil && c.In != `\N{BULLET}` { // kept as written
			if got, _ := Decode(c.In, Syntax{NoOctal: true}); got != *c.KV {
				t.Errorf("parse_kv %q: %q, want %q", c.In, got, *c.KV)
			}
		}
	}
}

// Lenient decoders keep what they cannot decode.
func TestDecodeKeeps(t *testing.T) {
	for in, want := range map[string]string{`\x4`: `\x4`, `\xZZ`: `\xZZ`, `\N{X}`: `\N{X}`, `a\`: `a\`, `\u12`: `\u12`, `\U00110000`: `\U00110000`} {
		if got, ok := Decode(in, Syntax{Continuation: true}); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`\x41\101\q\\`, `\u00e9\U0001F600\N{X}`, "a\\\nb", `\`} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, bits uint8) {
		x := Syntax{Bytes: bits&1 != 0, NoOctal: bits&2 != 0, Continuation: bits&4 != 0, Strict: bits&8 != 0}
		out, ok := Decode(s, x)
		if !x.Strict && !ok {
			t.Fatalf("lenient Decode(%q) failed", s)
		}
		if ok && len(out) > 4*len(s) {
			t.Fatalf("Decode(%q) grew to %d bytes", s, len(out))
		}
	})
}
