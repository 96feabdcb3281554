package shell

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// shells are the interpreters every generated script must work under.
func shells(t testing.TB) [][]string {
	var out [][]string
	for _, s := range [][]string{{"dash"}, {"busybox", "sh"}, {"bash", "--posix"}} {
		if _, err := exec.LookPath(s[0]); err != nil {
			t.Fatalf("%s not found: install it (apt-get install dash busybox bash)", s[0])
		}
		out = append(out, s)
	}
	return out
}

// runArgs runs script under sh with no arguments and returns what it printed.
func run(t testing.TB, sh []string, script string) []byte {
	t.Helper()
	cmd := exec.Command(sh[0], append(sh[1:], "-c", script)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v: %s\nscript: %q", sh, err, stderr.String(), script)
	}
	return out
}

var hostile = []string{
	"", "plain", "with space", "it's", `"double"`, "$HOME", "`id`", "$(id)",
	"a\nb", "-rf", "--", "/tmp/x'; rm -rf / #", "*", "?", "[a]", "~", "~root",
	"a=b", "x;y", "a|b", "a&b", "<in", ">out", "\\", "\t", "'", "''", "!",
	"{a,b}", "#comment", "\x01\xff", "ünïcødé", "%s%n",
}

func TestQuoteRoundTripsUnderEveryShell(t *testing.T) {
	for _, sh := range shells(t) {
		for _, s := range hostile {
			// printf '%s\n' WORD prints the word as the shell expanded it;
			// the trailing marker keeps trailing newlines visible.
			got := run(t, sh, "printf '%s|' "+Quote(s))
			if string(got) != s+"|" {
				t.Errorf("%v: Quote(%q) = %s expanded to %q", sh, s, Quote(s), got)
			}
		}
	}
}

func TestJoinKeepsWordBoundaries(t *testing.T) {
	argv := []string{"printf", "[%s]", "a b", "", "c'd", "-n"}
	for _, sh := range shells(t) {
		got := run(t, sh, Join(argv))
		if want := "[a b][][c'd][-n]"; string(got) != want {
			t.Errorf("%v: got %q want %q", sh, got, want)
		}
	}
}

func TestPrintfWritesExactBytes(t *testing.T) {
	var all []byte
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	cases := [][]byte{nil, []byte("hello\n"), []byte("no newline"), []byte("%d %s \\n \\0 '\"\n\n"), all, []byte("\x001\x0012")}
	for _, sh := range shells(t) {
		for _, data := range cases {
			if got := run(t, sh, Printf(data)); !bytes.Equal(got, data) {
				t.Errorf("%v: Printf(%q) wrote %q", sh, data, got)
			}
		}
	}
}

func TestPrintfStaysReadableForText(t *testing.T) {
	got := Printf([]byte("server_name example.org;\n"))
	if want := `printf 'server_name example.org;\n'`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

// FuzzQuote checks, under dash, that any string survives quoting unchanged.
// NUL cannot be an argument or part of a script, so it is out of scope.
func FuzzQuote(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			t.Skip()
		}
		got := run(t, []string{"dash"}, "printf '%s|' "+Quote(s))
		if string(got) != s+"|" {
			t.Fatalf("Quote(%q) = %s expanded to %q", s, Quote(s), got)
		}
	})
}

// FuzzPrintf checks that any bytes are written back exactly.
func FuzzPrintf(f *testing.F) {
	f.Add([]byte("a%b\\c'd\n\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got := run(t, []string{"dash"}, Printf(data)); !bytes.Equal(got, data) {
			t.Fatalf("Printf(%q) wrote %q", data, got)
		}
	})
}
