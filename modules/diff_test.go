package modules

import (
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestUnifiedDiffFormat(t *testing.T) {
	t.Parallel()
	cases := []struct{ before, after, want string }{
		{"a\nb\nc\n", "a\nb\nc\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "--- before: /f\n+++ after: /f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"", "x\n", "--- before: /f\n+++ after: /f\n@@ -0,0 +1 @@\n+x\n"},
		{"x\n", "", "--- before: /f\n+++ after: /f\n@@ -1 +0,0 @@\n-x\n"},
		{"a\nb", "a\nb\n", "--- before: /f\n+++ after: /f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
		{
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
			"1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n",
			"--- before: /f\n+++ after: /f\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n",
		},
		{
			"1\n2\n3\n4\n5\n6\n7\n8\n",
			"1\nX\n3\n4\n5\n6\n7\nY\n",
			"--- before: /f\n+++ after: /f\n@@ -1,8 +1,8 @@\n 1\n-2\n+X\n 3\n 4\n 5\n 6\n 7\n-8\n+Y\n",
		},
		{"a\x00b", "c", "Binary files before: /f and after: /f differ\n"},
	}
	for _, c := range cases {
		if got := UnifiedDiff("/f", c.before, c.after); got != c.want {
			t.Errorf("UnifiedDiff(%q, %q) =\n%s\nwant\n%s", c.before, c.after, got, c.want)
		}
	}
}

var hunkHead = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

// applyUnified applies our own diff output to before, checking every
// context and removed line, and the hunk headers.
func applyUnified(t *testing.T, before, diff string) string {
	t.Helper()
	a := splitLines(before)
	lines := strings.SplitAfter(diff, "\n")
	var out []string
	ai := 0
	i := 2
	for i < len(lines) && lines[i] != "" {
		m := hunkHead.FindStringSubmatch(strings.TrimSuffix(lines[i], "\n"))
		if m == nil {
			t.Fatalf("bad hunk header %q", lines[i])
		}
		start, _ := strconv.Atoi(m[1])
		alen := 1
		if m[2] != "" {
			alen, _ = strconv.Atoi(m[2])
		}
		if alen > 0 {
			start--
		}
		for ai < start {
			out = append(out, a[ai])
			ai++
		}
		i++
		seenA := 0
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			kind := lines[i][0]
			l := lines[i][1:]
			if i+1 < len(lines) && lines[i+1] == "\\ No newline at end of file\n" {
				l = strings.TrimSuffix(l, "\n")
				i++
			}
			switch kind {
			case ' ', '-':
				if a[ai] != l {
					t.Fatalf("line %d is %q, diff says %q", ai+1, a[ai], l)
				}
				ai++
				seenA++
				if kind == ' ' {
					out = append(out, l)
				}
			case '+':
				out = append(out, l)
			}
			i++
		}
		if seenA != alen {
			t.Fatalf("hunk header says %d lines, hunk has %d", alen, seenA)
		}
	}
	out = append(out, a[ai:]...)
	return strings.Join(out, "")
}

func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func TestDiffIsMinimalAndApplies(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(1))
	gen := func() string {
		var b strings.Builder
		n := r.Intn(30)
		for i := 0; i < n; i++ {
			b.WriteString(string(rune('a' + r.Intn(4))))
			b.WriteByte('\n')
		}
		if r.Intn(4) == 0 {
			b.WriteString("end")
		}
		return b.String()
	}
	for i := 0; i < 2000; i++ {
		a, b := gen(), gen()
		d := UnifiedDiff("/f", a, b)
		if a == b {
			if d != "" {
				t.Fatalf("equal texts differ: %q", d)
			}
			continue
		}
		if got := applyUnified(t, a, d); got != b {
			t.Fatalf("diff of %q -> %q applies to %q\n%s", a, b, got, d)
		}
		al, bl := splitLines(a), splitLines(b)
		edits := 0
		for _, op := range diffLines(al, bl) {
			if op.kind != ' ' {
				edits++
			}
		}
		if want := len(al) + len(bl) - 2*lcs(al, bl); edits != want {
			t.Fatalf("%d edits for %q -> %q, the minimum is %d", edits, a, b, want)
		}
	}
}

func TestDiffGivesUpGracefully(t *testing.T) {
	t.Parallel()
	var a, b strings.Builder
	for i := 0; i < 3*maxEdits; i++ {
		a.WriteString("a" + strconv.Itoa(i) + "\n")
		b.WriteString("b" + strconv.Itoa(i) + "\n")
	}
	d := UnifiedDiff("/f", "same\n"+a.String()+"tail\n", "same\n"+b.String()+"tail\n")
	if got := applyUnified(t, "same\n"+a.String()+"tail\n", d); got != "same\n"+b.String()+"tail\n" {
		t.Fatal("large diff does not apply")
	}
}
