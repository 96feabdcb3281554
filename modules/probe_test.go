package modules

import (
	"strings"
	"testing"
)

func TestParseRecords(t *testing.T) {
	t.Parallel()
	r, err := parseRecords([]byte("a=1\nb.c_d=x y=z\nblob:5\nab\ncd\nempty=\nz:0\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.get("a"); v != "1" {
		t.Error("a")
	}
	if v, _ := r.get("b.c_d"); v != "x y=z" {
		t.Error("b.c_d")
	}
	if b, ok := r.blob("blob"); !ok || string(b) != "ab\ncd" {
		t.Errorf("blob %q", b)
	}
	if b, ok := r.blob("z"); !ok || len(b) != 0 {
		t.Error("empty blob")
	}
	if _, err := r.get("nope"); err == nil {
		t.Error("missing key")
	}
	for _, bad := range []string{
		"a=1",            // no final newline
		"a=1\na=2\n",     // twice
		"A=1\n",          // key
		"just text\n",    // no key
		"=x\n",           // empty key
		"b:5\nabc\n",     // short blob
		"b:2\nabc\n",     // long blob
		"b:-1\n",         // negative
		"b:x\n",          // not a length
		"b:1\nx",         // blob without its newline
		"a=1\nb:1\nxx\n", // garbage after a blob
	} {
		if _, err := parseRecords([]byte(bad)); err == nil {
			t.Errorf("parseRecords(%q): no error", bad)
		}
	}
}

func TestReadProbeFailure(t *testing.T) {
	t.Parallel()
	_, err := readProbe(Output{ExitCode: 2, Stderr: []byte("ls: boom\n")})
	if err == nil || !strings.Contains(err.Error(), "ls: boom") {
		t.Errorf("%v", err)
	}
}

func TestStatRecordsStrict(t *testing.T) {
	t.Parallel()
	base := "p.type=present\np.mode=-rw-r--r--\np.nlink=1\np.uid=0\np.gid=0\np.size=3\np.owner=root\np.group=root\n"
	r, _ := parseRecords([]byte(base))
	if fi, err := r.stat("p"); err != nil || fi.Perm != 0o644 || fi.Size != 3 || fi.State() != "file" {
		t.Errorf("%v %v", fi, err)
	}
	for _, bad := range []string{
		strings.Replace(base, "p.type=present", "p.type=maybe", 1),
		strings.Replace(base, "p.mode=-rw-r--r--", "p.mode=total", 1),
		strings.Replace(base, "p.uid=0", "p.uid=root", 1),
		strings.Replace(base, "p.size=3\n", "", 1),
		base + "p.owner_ok=maybe\n",
	} {
		r, err := parseRecords([]byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.stat("p"); err == nil {
			t.Errorf("stat of %q: no error", bad)
		}
	}
}

// Every helper function is POSIX sh.
func TestHelpersParse(t *testing.T) {
	t.Parallel()
	for name, h := range helpers {
		if !strings.HasPrefix(h, name+"() {") {
			t.Errorf("helper %s does not define itself", name)
		}
		mustParse(t, h)
	}
}

func TestValidateCommand(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"visudo -cf %s":       `visudo -cf "$tend_t"`,
		"check --file=%s x":   `check '--file='"$tend_t" x`,
		"nginx -t -c '%s'":    `nginx -t -c "$tend_t"`,
		"a %s%s 100%% b":      `a "$tend_t""$tend_t" '100%' b`,
		"sh -c 'test -s %s'":  `sh -c 'test -s '"$tend_t"`,
		"x '' %s":             `x '' "$tend_t"`,
		"p '$(id) %s' `id`%s": "p '$(id) '\"$tend_t\" '`id`'\"$tend_t\"",
	} {
		got, err := validateCommand(in, `"$tend_t"`)
		if err != nil || got != want {
			t.Errorf("validateCommand(%q) = %s %v, want %s", in, got, err, want)
		}
	}
	if _, err := validateCommand("no placeholder", "x"); err == nil {
		t.Error("validate without a placeholder")
	}
}
