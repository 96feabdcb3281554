package runlog

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"tend/playbooks"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"7d":                   now.Add(-7 * 24 * time.Hour),
		"2w":                   now.Add(-14 * 24 * time.Hour),
		"90m":                  now.Add(-90 * time.Minute),
		"1.5d":                 now.Add(-36 * time.Hour),
		"2026-11-20T10:00:00Z": time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		"":                     {},
	} {
		got, err := ParseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"7", "d", "-3d", "yesterday"} {
		if _, err := ParseSince(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// history runs three recorded runs: a first converge, a drift corrected on
// a, then a check run in which b fails.
func history(t *testing.T) string {
	dir := t.TempDir()
	fakeRun(t, dir, false, ev("a", "conf", "", playbooks.StatusChanged, "d1"), ev("b", "conf", "", playbooks.StatusChanged, "d1"))
	fakeRun(t, dir, false, ev("a", "conf", "", playbooks.StatusChanged, "d1"), ev("b", "conf", "", playbooks.StatusOK, "d1"))
	fakeRun(t, dir, true, ev("a", "conf", "", playbooks.StatusOK, "d1"), ev("b", "conf <x>", "", playbooks.StatusFailed, "d1"))
	return dir
}

func TestHistoryTableAndHostFilter(t *testing.T) {
	dir := history(t)
	reports, warnings, err := ReadReports(dir, Filter{})
	if err != nil || len(warnings) > 0 || len(reports) != 3 {
		t.Fatalf("%d reports, %v %v", len(reports), warnings, err)
	}
	var out bytes.Buffer
	if err := WriteTable(&out, reports); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	fields := func(i int) string { return strings.Join(strings.Fields(lines[i])[2:9], " ") }
	// mode hosts changed corrective intentional failed unreachable; newest
	// first, as the page's table
	for i, want := range []string{"check 2 0 0 0 1 0", "apply 2 1 1 0 0 0", "apply 2 2 0 2 0 0"} {
		if got := fields(i + 1); got != want {
			t.Errorf("run %d: %q, want %q\n%s", i+1, got, want, out.String())
		}
	}
	reports, _, _ = ReadReports(dir, Filter{Host: "b"})
	if len(reports) != 3 || reports[1].Totals.Changed != 0 || reports[2].Totals.Failed != 1 || len(reports[0].Hosts) != 1 {
		t.Errorf("host b: %+v", reports)
	}
	reports, _, _ = ReadReports(dir, Filter{Since: time.Now().Add(time.Hour)})
	if len(reports) != 0 {
		t.Errorf("--since in the future: %d reports", len(reports))
	}
}

// The page references nothing outside itself, escapes what hosts and
// playbooks name, and has a cell per host and run.
func TestHistoryHTMLIsSelfContained(t *testing.T) {
	reports, _, _ := ReadReports(history(t), Filter{})
	var out bytes.Buffer
	if err := WriteHTML(&out, reports, "tend history", time.Now()); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	if m := regexp.MustCompile(`(?i)(src|href)\s*=|url\(|@import|<script|<link|https?:`).FindString(page); m != "" {
		t.Errorf("external reference %q in the page", m)
	}
	if strings.Contains(page, "conf <x>") || !strings.Contains(page, "conf &lt;x&gt;") {
		t.Error("task names are not escaped")
	}
	for _, want := range []string{`class="cell intentional"`, `class="cell corrective"`, `class="cell failed check"`, `class="cell ok check"`} {
		if !strings.Contains(page, want) {
			t.Errorf("no %s in the page", want)
		}
	}
	if n := strings.Count(page, `<rect class="cell`); n != 6 {
		t.Errorf("%d cells, want 6 (2 hosts x 3 runs)", n)
	}
}

// The table of tend history and the page's table list runs alike, newest
// first (as git log).
func TestHistoryTableAndPageNewestFirst(t *testing.T) {
	reports, _, _ := ReadReports(history(t), Filter{})
	var text, page bytes.Buffer
	if err := WriteTable(&text, reports); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&page, reports, "t", time.Now()); err != nil {
		t.Fatal(err)
	}
	var fromText, fromPage []string
	for _, l := range strings.Split(strings.TrimSpace(text.String()), "\n")[1:] {
		fromText = append(fromText, strings.Fields(l)[2])
	}
	for _, m := range regexp.MustCompile(`<tr class="[^"]*" data-run="[^"]*"><td>[^<]*</td><td class="text">([^<]*)</td>`).FindAllStringSubmatch(page.String(), -1) {
		fromPage = append(fromPage, m[1])
	}
	want := "check apply apply"
	if got := strings.Join(fromText, " "); got != want {
		t.Errorf("tend history: %q, want %q", got, want)
	}
	if got := strings.Join(fromPage, " "); got != want {
		t.Errorf("page's table: %q, want %q", got, want)
	}
}
