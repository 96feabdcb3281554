package modules

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	keyOne = "2A1E860791C149DE" // testdata/apt_key/one.asc
	keyTwo = "FF60CBA3838F3036" // testdata/apt_key/two.gpg
)

func TestParseAptKeyID(t *testing.T) {
	t.Parallel()
	s, fp, full, err := parseAptKeyID("0x91a49c248209aaaceb9603992a1e860791c149de")
	if err != nil || s != "91C149DE" || fp != keyOne || full != "91A49C248209AAACEB9603992A1E860791C149DE" {
		t.Errorf("%s %s %s %v", s, fp, full, err)
	}
	for _, bad := range []string{"", "xyz", "123456789"} {
		if _, _, _, err := parseAptKeyID(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	ids, _ := parseKeyListing("pub   ed25519/2A1E860791C149DE 2026-12-05 [SC]\nsub:e:1:1:AAAA:\npub:-:255:22:FF60CBA3838F3036:1:::\n")
	if strings.Join(ids, ",") != keyOne+",AAAA,"+keyTwo {
		t.Errorf("ids %v", ids)
	}
}

// gpgShells are dash (with apt-key) and busybox sh with only gpg added.
func gpgShells(t *testing.T) []testShell {
	all := shells(t)
	var out []testShell
	if _, err := exec.LookPath("apt-key"); err == nil {
		out = append(out, all[0])
	}
	g, err := exec.LookPath("gpg")
	if err != nil {
		t.Skip("gpg not found: apt-get install gpg")
	}
	dir := t.TempDir()
	for _, tool := range []string{"gpg", "gpgconf", "curl"} {
		if p, err := exec.LookPath(tool); err == nil {
			os.Symlink(p, filepath.Join(dir, tool))
		}
	}
	_ = g
	bb := all[1]
	env := append([]string{}, bb.env[:len(bb.env)-1]...)
	env = append(env, "PATH="+dir+":"+strings.TrimPrefix(bb.env[len(bb.env)-1], "PATH="))
	return append(out, testShell{name: "busybox+gpg", argv: bb.argv, env: env})
}

func TestAptKey(t *testing.T) {
	t.Parallel()
	one, err := os.ReadFile("testdata/apt_key/one.asc")
	if err != nil {
		t.Fatal(err)
	}
	two, _ := filepath.Abs("testdata/apt_key/two.gpg")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(one) }))
	defer srv.Close()
	for _, sh := range matrixOf(t, gpgShells(t)) {
		t.Run(sh.name, func(t *testing.T) {
			root := t.TempDir()
			m := aptKeyModule{root: root}
			ring := filepath.Join(root, "my keys.gpg")
			_, task := mkTask(t, "apt_key", map[string]any{"data": string(one), "keyring": ring})
			ch, res := converge(t, sh, m, task)
			if res["key_id"] != keyOne || res["changed"] != true || !hasDiff(ch, "key", "", keyOne) {
				t.Errorf("result %v diffs %v", res, ch.Diffs)
			}
			if after, _ := res["after"].([]string); len(after) != 1 || after[0] != keyOne {
				t.Errorf("after %v", res["after"])
			}
			wantMode(t, ring, 0o644)

			if sh.name == "dash" {
				// apt-key is slow: one add is enough to show it is used.
				_, task = mkTask(t, "apt_key", map[string]any{"id": keyOne, "keyring": ring, "state": "absent"})
				converge(t, sh, m, task)
				return
			}
			// A binary key from a file, and a key from a URL.
			_, task = mkTask(t, "apt_key", map[string]any{"file": two, "keyring": ring})
			converge(t, sh, m, task)
			ring2 := filepath.Join(root, "url.gpg")
			_, task = mkTask(t, "apt_key", map[string]any{"url": srv.URL + "/k.asc", "keyring": ring2})
			converge(t, sh, m, task)

			// By id: present is settled, absent removes it.
			_, task = mkTask(t, "apt_key", map[string]any{"id": "0x" + keyTwo, "keyring": ring})
			if r := settled(t, sh, m, task); r["fp"] != keyTwo {
				t.Errorf("report %v", r)
			}
			_, task = mkTask(t, "apt_key", map[string]any{"id": keyTwo[8:], "keyring": ring, "state": "absent"})
			converge(t, sh, m, task)
			_, task = mkTask(t, "apt_key", map[string]any{"id": keyOne, "keyring": ring})
			settled(t, sh, m, task)

			_, task = mkTask(t, "apt_key", map[string]any{"data": "not a key", "keyring": ring})
			planErr(t, sh, m, task, "Unable to extract key from 'inline data'")
		})
	}
}

// Without apt-key and without keyring: /etc/apt/trusted.gpg and
// trusted.gpg.d, under a root.
func TestAptKeyTrustedD(t *testing.T) {
	t.Parallel()
	shs := gpgShells(t)
	sh := shs[len(shs)-1]
	root := t.TempDir()
	d := filepath.Join(root, "etc/apt/trusted.gpg.d")
	os.MkdirAll(d, 0o755)
	one, _ := os.ReadFile("testdata/apt_key/one.asc")
	writeFile(t, filepath.Join(d, "one.asc"), string(one), 0o644)
	m := aptKeyModule{root: root}
	_, task := mkTask(t, "apt_key", map[string]any{"id": keyOne})
	settled(t, sh, m, task)
	_, task = mkTask(t, "apt_key", map[string]any{"id": keyOne, "state": "absent"})
	planErr(t, sh, m, task, "an armored file")
	two, _ := filepath.Abs("testdata/apt_key/two.gpg")
	_, task = mkTask(t, "apt_key", map[string]any{"file": two})
	converge(t, sh, m, task)
	wantMode(t, filepath.Join(root, "etc/apt/trusted.gpg"), 0o644)
	_, task = mkTask(t, "apt_key", map[string]any{"id": keyTwo, "state": "absent"})
	converge(t, sh, m, task)
}
