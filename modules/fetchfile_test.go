package modules

import (
	"crypto/sha1"
	"encoding/hex"
	"path/filepath"
	"testing"
)

func TestFetchScript(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		for i, name := range sh.names() {
			if !sh.turn(t, i) {
				continue
			}
			dir := hostileDir(t)
			p := filepath.Join(dir, name)
			content := "a\x00b\n" + name
			writeFile(t, p, content, 0o600)
			s, err := FetchScript(p, nil)
			if err != nil {
				t.Fatal(err)
			}
			f, err := ReadFetch(p, sh.run(t, s))
			h := sha1.Sum([]byte(content))
			if err != nil || f.Same || string(f.Content) != content || f.SHA1 != hex.EncodeToString(h[:]) || !f.Verified || f.Mismatch {
				t.Errorf("%s %q: %+v %v", sh.name, name, f, err)
			}
			// The controller has the same bytes: nothing is sent.
			s, _ = FetchScript(p, []byte(content))
			if f, err := ReadFetch(p, sh.run(t, s)); err != nil || !f.Same || f.Content != nil {
				t.Errorf("%s %q: same: %+v %v", sh.name, name, f, err)
			}
			s, _ = FetchScript(p, []byte("other"))
			if f, err := ReadFetch(p, sh.run(t, s)); err != nil || f.Same || string(f.Content) != content {
				t.Errorf("%s %q: differs: %+v %v", sh.name, name, f, err)
			}
			noPwned(t)
		}
		dir := t.TempDir()
		for _, c := range []struct {
			src            string
			missing, isDir bool
			err            string
		}{
			{dir, false, true, "source is a directory and must be a file: " + dir},
			{dir + "/nope", true, false, "file not found: " + dir + "/nope"},
		} {
			s, _ := FetchScript(c.src, nil)
			f, err := ReadFetch(c.src, sh.run(t, s))
			if err != nil || f.Missing != c.missing || f.IsDir != c.isDir || f.Err != c.err {
				t.Errorf("%s: %+v %v", sh.name, f, err)
			}
		}
	}
	if _, err := FetchScript("rel", nil); err == nil {
		t.Error("relative src accepted")
	}
	// The host's checksum disagrees with the bytes: the file changed.
	f, err := ReadFetch("/x", Output{Stdout: []byte("sum=sha1:0000000000000000000000000000000000000000\ncontent:1\nx\n")})
	if err != nil || !f.Mismatch {
		t.Errorf("%+v %v", f, err)
	}
}

func FuzzReadFetch(f *testing.F) {
	f.Add([]byte("sum=sha1:00\ncontent:1\nx\n"))
	f.Add([]byte("same=1\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		ReadFetch("/x", Output{Stdout: out})
	})
}
