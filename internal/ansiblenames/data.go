package ansiblenames

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
)

// names.txt.gz is written by gen/gen.py; its docstring describes the records.
//
//go:embed names.txt.gz
var namesGz []byte

// moduleInfo is what the table says about one module's arguments.
type moduleInfo struct {
	args  []string // documented option names and aliases, sorted
	known bool     // args is the full list
	free  bool     // takes free-form text (command, include_vars, ...)
	any   bool     // takes any argument name (set_fact, add_host)
	back  []string // backends a proxy hands its arguments to
}

type tables struct {
	coreVersion, ansibleVersion string
	modules                     map[string]*moduleInfo // FQCN -> info
	redirects                   map[string]string      // FQCN -> final FQCN
	keywords                    map[string][]string    // context -> sorted keywords
	keywordSet                  map[string]map[string]bool
	filters, tests, lookups     map[string]bool
	lookupShort                 []string // lookups reachable by a short name
}

var (
	loadOnce sync.Once
	tab      *tables
)

func data() *tables {
	loadOnce.Do(func() {
		t, err := parse(namesGz)
		if err != nil {
			// The embedded file is fixed at build time and covered by tests.
			panic("ansiblenames: embedded table: " + err.Error())
		}
		tab = t
	})
	return tab
}

func parse(gz []byte) (*tables, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	t := &tables{
		modules:    make(map[string]*moduleInfo, 8192),
		redirects:  make(map[string]string, 8192),
		keywords:   map[string][]string{},
		keywordSet: map[string]map[string]bool{},
	}
	// One string for the whole table: every name is a substring of it.
	for line := range strings.Lines(string(raw)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "V":
			t.coreVersion, t.ansibleVersion = f[1], f[len(f)-1]
		case "K":
			kws := slices.Sorted(slices.Values(f[2:]))
			t.keywords[f[1]] = kws
			t.keywordSet[f[1]] = set(kws)
		case "M":
			t.modules[f[1]] = moduleLine(f[2:])
		case "R":
			if len(f) == 3 {
				t.redirects[f[1]] = f[2]
			}
		case "B":
			if m := t.modules[f[1]]; m != nil {
				m.back = f[2:]
			}
		case "F":
			t.filters = set(f[1:])
		case "T":
			t.tests = set(f[1:])
		case "L":
			t.lookups = set(f[1:])
			for _, l := range f[1:] {
				if !strings.Contains(l, ".") {
					t.lookupShort = append(t.lookupShort, l)
				}
			}
		}
	}
	if len(t.modules) == 0 {
		return nil, errors.New("no modules")
	}
	return t, nil
}

// moduleLine reads the fields after an M record's FQCN: flags, then arguments.
func moduleLine(f []string) *moduleInfo {
	m := &moduleInfo{known: true}
	for len(f) > 0 {
		switch f[0] {
		case "?":
			m.known = false
		case "~":
			m.free = true
		case "*":
			m.any = true
		default:
			m.args = f
			if !slices.IsSorted(m.args) {
				slices.Sort(m.args)
			}
			return m
		}
		f = f[1:]
	}
	return m
}

func set(names []string) map[string]bool {
	s := make(map[string]bool, len(names))
	for _, n := range names {
		s[n] = true
	}
	return s
}
