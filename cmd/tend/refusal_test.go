package main

import (
	"bytes"
	"testing"

	"tend/modules"
	"tend/savedplan"
)

// A host refused by apply shows, for the first task where the plan and the
// host differ, both changes as diffs (not only their digests).
func TestRefusalShowsBothChanges(t *testing.T) {
	task := func(planned string, diffs ...modules.Diff) savedplan.Change {
		return savedplan.Change{Task: "conf", TaskPos: "site.yml:4", Module: "copy", Planned: planned, Diffs: diffs}
	}
	same := task("aaaa", modules.Diff{Path: "/srv/a", Attr: "mode", Before: "0600", After: "0644"})
	planned := []savedplan.Change{same, task("bbbb",
		modules.Diff{Path: "/srv/x", Attr: "state", Before: "", After: "file"},
		modules.Diff{Path: "/srv/x", Attr: "content", Before: "", After: "v1\n"})}
	found := []savedplan.Change{same, task("cccc", modules.Diff{Path: "/srv/x", Attr: "content", Before: "other\n", After: "v1\n"})}
	var out bytes.Buffer
	showRefusal(&out, refusal{Host: "h", Reason: "its state differs", planned: planned, found: found})
	want := `refused: h, left untouched: its state differs
    planned:
      /srv/x: state (none) -> file
      --- before: /srv/x
      +++ after: /srv/x
      @@ -0,0 +1 @@
      +v1
    found now:
      --- before: /srv/x
      +++ after: /srv/x
      @@ -1 +1 @@
      -other
      +v1
`
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// A change the host has no more, or a hidden one, is said so.
	out.Reset()
	hidden := task("dddd")
	hidden.Hidden = true
	showRefusal(&out, refusal{Host: "h", Reason: "r", planned: []savedplan.Change{same, hidden}, found: []savedplan.Change{same}})
	want = "refused: h, left untouched: r\n    planned:\n      (hidden: no_log)\n    found now:\n      no change\n"
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
