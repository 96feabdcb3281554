package hostq

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
)

// Host output is untrusted text: the parsers may refuse it, never panic.
// Plain go test runs the seeds; go test -fuzz explores.

// FuzzProgramParse parses a real answer of every kind of question (from
// dash, on a temp tree), cut, garbled, and replaced by random bytes. A cut
// answer is always an error: it must never read as a shorter, wrong truth.
func FuzzProgramParse(f *testing.F) {
	tr := makeTree(f)
	p := Compile(tr.questions())
	out, errs, code := run(f, []string{"dash", "-c"}, p.Script())
	if _, err := p.Parse(out, errs, code); err != nil {
		f.Fatalf("%v: %s", err, errs)
	}
	f.Add(uint32(len(out)/2), uint32(3), byte('x'), []byte("u=022\n"))
	f.Add(uint32(len(out)-1), uint32(len(out)-2), byte('\n'), []byte(nil))
	nl := uint32(bytes.IndexByte(out, '\n'))
	f.Add(nl, nl, byte(':'), []byte("a:99999999999999999999\n"))
	f.Add(uint32(1), uint32(0), byte(0), append([]byte("x=1\n"), out...))
	f.Fuzz(func(t *testing.T, cut, at uint32, b byte, junk []byte) {
		p.Parse(junk, nil, 0)
		p.Parse(append(bytes.Clone(junk), out...), errs, code)
		n := int(cut % uint32(len(out)))
		if _, err := p.Parse(out[:n], errs, code); err == nil {
			t.Fatalf("output cut at %d of %d accepted", n, len(out))
		}
		g := bytes.Clone(out)
		g[int(at%uint32(len(g)))] = b
		p.Parse(g, errs, code)
		g = append(g[:int(at%uint32(len(g)))], junk...)
		p.Parse(g, errs, code)
	})
}

// FuzzParseRecords: what parses prints back to the same records.
func FuzzParseRecords(f *testing.F) {
	for _, s := range []string{"a=1\nb.c_d=x y\n", "blob:3\nabc\nk=\n", "a:  2\nxy\n", "a=1\na=2\n", "a:5\nab\n", "A=1\n", "a:-1\n\n", "a=1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		vals, blobs, err := ParseRecords(out)
		if err != nil {
			return
		}
		var b bytes.Buffer
		keys := append(slices.Sorted(maps.Keys(vals)), slices.Sorted(maps.Keys(blobs))...)
		for _, k := range keys {
			if v, ok := vals[k]; ok {
				fmt.Fprintf(&b, "%s=%s\n", k, v)
			} else {
				fmt.Fprintf(&b, "%s:%d\n%s\n", k, len(blobs[k]), blobs[k])
			}
		}
		vals2, blobs2, err := ParseRecords(b.Bytes())
		if err != nil || !reflect.DeepEqual(vals, vals2) || !equalBlobs(blobs, blobs2) {
			t.Fatalf("%q read as %q %q, printed back as %q: %v", out, vals, blobs, b.Bytes(), err)
		}
	})
}

func equalBlobs(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// FuzzParseAccounts reads passwd and group text from a host.
func FuzzParseAccounts(f *testing.F) {
	f.Add([]byte("root:x:0:0:root:/root:/bin/sh\nbad\n::::\n"), []byte("root:x:0:\nwheel:x:10:a,b,\n:\n"))
	f.Add([]byte("a:x:99999999999999999999:-1:::\n"), []byte("g:x:notanumber:x\n"))
	f.Fuzz(func(t *testing.T, passwd, group []byte) {
		ParseAccounts(passwd, group)
	})
}
