package inventory

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/ so plain `go test` runs
// them as regression tests; `go test -fuzz FuzzParseINI` explores further.

// smallLimits keeps each fuzz input cheap: ranges may otherwise legally
// expand to many thousands of hosts.
func smallLimits(f *testing.F) {
	oldRange, oldHosts := maxRangeHosts, maxHosts
	maxRangeHosts, maxHosts = 500, 2000
	f.Cleanup(func() { maxRangeHosts, maxHosts = oldRange, oldHosts })
}

func FuzzParseINI(f *testing.F) {
	smallLimits(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		b := newBuilder()
		if err := b.parseINI("fuzz", data); err != nil {
			checkError(t, err)
		} else if inv, err := b.finalize(nil); err != nil {
			checkError(t, err)
		} else {
			exercise(t, inv)
		}
		// The same bytes through format detection.
		if inv, err := Parse("fuzz", data); err != nil {
			checkError(t, err)
		} else {
			exercise(t, inv)
		}
	})
}

func FuzzParseYAML(f *testing.F) {
	smallLimits(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if inv, err := Parse("fuzz.yml", data); err != nil {
			checkError(t, err)
		} else {
			exercise(t, inv)
		}
		if _, err := parseVarsYAML("fuzz.yml", data, func(pos, string, ...any) {}); err != nil {
			checkError(t, err)
		}
	})
}

// FuzzResolve throws arbitrary patterns at a fixed inventory.
func FuzzResolve(f *testing.F) {
	inv := mustParse(f, "hosts", patternInventory)
	f.Fuzz(func(t *testing.T, pattern, limit string) {
		if strings.Contains(pattern+limit, "@") {
			return // @file reads the file system
		}
		m, err := inv.Match(pattern, limit)
		if err != nil {
			return
		}
		checkOrder(t, m.Hosts)
	})
}

func checkError(t *testing.T, err error) {
	var ie *Error
	if !errors.As(err, &ie) {
		t.Fatalf("error %v is %T, want *Error", err, err)
	}
	if ie.File == "" || ie.Msg == "" {
		t.Fatalf("error without file or message: %#v", ie)
	}
}

// exercise checks invariants and runs every output on a parsed inventory.
func exercise(t *testing.T, inv *Inventory) {
	seen := map[string]bool{}
	for _, h := range inv.Hosts() {
		if seen[h.Name] {
			t.Fatalf("host %q listed twice", h.Name)
		}
		seen[h.Name] = true
		if !slices.Contains(h.Groups, groupAll) || !slices.IsSorted(h.Groups) {
			t.Fatalf("host %q groups %v", h.Name, h.Groups)
		}
		onlyAll := !slices.ContainsFunc(h.Groups, func(g string) bool { return g != groupAll && g != groupUngrouped })
		if onlyAll != slices.Contains(h.Groups, groupUngrouped) {
			t.Fatalf("host %q: ungrouped membership wrong in %v", h.Name, h.Groups)
		}
	}
	if _, err := inv.ListJSON(); err != nil {
		t.Fatalf("ListJSON: %v", err)
	}
	if _, err := inv.Graph("all"); err != nil {
		t.Fatalf("Graph: %v", err)
	}
	patterns := []string{"all", "*", "!ungrouped", "localhost"}
	for i, g := range inv.Groups() {
		if i < 3 {
			patterns = append(patterns, g.Name, "&"+g.Name, g.Name+"[0]")
		}
	}
	for _, p := range patterns {
		if strings.Contains(p, "@") {
			continue
		}
		if m, err := inv.Match(p, ""); err == nil {
			checkOrder(t, m.Hosts)
		}
	}
}

func checkOrder(t *testing.T, hs []*Host) {
	for i := 1; i < len(hs); i++ {
		if hs[i-1].index >= hs[i].index {
			t.Fatalf("hosts out of inventory order or duplicated: %v", hostNames(hs))
		}
	}
}
