package main

import (
	"fmt"
	"io"

	"tend/savedplan"
)

// refusal is a host apply left untouched, and why. When its changes now
// differ from the plan's, planned and found are both lists, so that the
// text output can show the first difference as diffs.
type refusal struct {
	Host    string `json:"host"`
	Reason  string `json:"reason"`
	planned []savedplan.Change
	found   []savedplan.Change
}

// showRefusal prints a refused host, with the planned and the found change
// of the first task where they differ (content diffs included: they are
// what the reader needs to decide).
func showRefusal(w io.Writer, r refusal) {
	fmt.Fprintf(w, "refused: %s, left untouched: %s\n", r.Host, r.Reason)
	p, f, ok := firstDifference(r.planned, r.found)
	if !ok {
		return
	}
	tr := newTextRenderer(w, false, true, 0)
	for _, side := range []struct {
		label string
		c     *savedplan.Change
	}{{"planned", p}, {"found now", f}} {
		fmt.Fprintf(w, "    %s:\n", side.label)
		switch {
		case side.c == nil:
			fmt.Fprintln(w, "      no change")
		case side.c.Hidden:
			fmt.Fprintln(w, "      (hidden: no_log)")
		case len(side.c.Diffs) == 0:
			fmt.Fprintf(w, "      a %s run\n", side.c.Module)
		default:
			tr.diffs(w, side.c.Diffs)
		}
	}
}

// firstDifference is the first planned and found change that differ, in
// order, as savedplan.Compare finds it (nil: none on that side).
func firstDifference(planned, found []savedplan.Change) (p, f *savedplan.Change, ok bool) {
	for i := 0; i < len(planned) || i < len(found); i++ {
		switch {
		case i >= len(found):
			return &planned[i], nil, true
		case i >= len(planned):
			return nil, &found[i], true
		case planned[i].Planned != found[i].Planned:
			return &planned[i], &found[i], true
		}
	}
	return nil, nil, false
}
