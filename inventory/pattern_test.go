package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const patternInventory = `
lone
[web]
web01.example.com
web02.example.com
web03.example.com
[db]
db01.example.com
db02.example.com
[prod:children]
web
db
[staging]
stage01
web03.example.com
[empty]
`

// The expected hosts are what `ansible <pattern> --list-hosts` selects,
// listed in inventory order.
func TestResolve(t *testing.T) {
	inv := mustParse(t, "hosts", patternInventory)
	var (
		web  = []string{"web01.example.com", "web02.example.com", "web03.example.com"}
		db   = []string{"db01.example.com", "db02.example.com"}
		all  = append(append([]string{"lone"}, append(web, db...)...), "stage01")
		none = []string{}
	)
	tests := []struct {
		pattern   string
		want      []string
		unmatched []string
	}{
		{"all", all, nil},
		{"*", all, nil},
		{"web", web, nil},
		{"  web  ", web, nil},
		{"web:db", append(web, db...), nil},
		{"db:web", append(web, db...), nil}, // inventory order, not pattern order
		{"web,db", append(web, db...), nil},
		{"web db", append(web, db...), nil}, // whitespace separates like ':'
		{"web:web", web, nil},
		{"prod:&staging", []string{"web03.example.com"}, nil},
		{"prod:!web03.example.com", []string{"web01.example.com", "web02.example.com", "db01.example.com", "db02.example.com"}, nil},
		{"!web", []string{"lone", "db01.example.com", "db02.example.com", "stage01"}, nil},
		{"&staging", []string{"web03.example.com", "stage01"}, nil},
		{"!web03*:&prod:web", []string{"web01.example.com", "web02.example.com"}, nil},
		{"!db:prod", web, nil},
		{"web*", web, nil},
		{"*.example.com", append(web, db...), nil},
		{"w?b0[13].*", []string{"web01.example.com", "web03.example.com"}, nil},
		{"db0[!1]*", []string{"db02.example.com"}, nil},
		{"~web0[12]", []string{"web01.example.com", "web02.example.com"}, nil},
		{"~(web|db)01", []string{"web01.example.com", "db01.example.com"}, nil},
		{"~st", []string{"web03.example.com", "stage01"}, nil}, // group staging and host stage01
		{"~example", none, []string{"~example"}},               // re.match: anchored at the start
		{"web[0]", []string{"web01.example.com"}, nil},
		{"web[-1]", []string{"web03.example.com"}, nil},
		{"web[1:2]", []string{"web02.example.com", "web03.example.com"}, nil},
		{"web[1:]", []string{"web02.example.com", "web03.example.com"}, nil},
		{"web[1-2]", []string{"web02.example.com", "web03.example.com"}, nil},
		{"web[0:0]", []string{"web01.example.com"}, nil}, // Ansible: end 0 means a single index
		{"web[5:9]", none, nil},
		{"prod[2:3]", []string{"web03.example.com", "db01.example.com"}, nil},
		{"all:!prod[0:3]", []string{"lone", "db02.example.com", "stage01"}, nil},
		{"web[0],db[-1]", []string{"web01.example.com", "db02.example.com"}, nil},
		{"nosuch[0]", none, []string{"nosuch"}},
		{"web03.example.com", []string{"web03.example.com"}, nil},
		{"stage01:lone", []string{"lone", "stage01"}, nil},
		{"nosuch", none, []string{"nosuch"}},
		{"web:nosuch:!alsonot:&prod", web, []string{"nosuch", "alsonot"}},
		{"empty", none, nil}, // an existing empty group is a match
		{"empty:!web", none, nil},
		// With a comma Ansible splits on commas only: "web:&prod" is then
		// one (unmatched) name.
		{"web:&prod,db", db, []string{"web:&prod"}},
	}
	for _, tt := range tests {
		m, err := inv.Match(tt.pattern, "")
		if err != nil {
			t.Errorf("Match(%q): %v", tt.pattern, err)
			continue
		}
		equal(t, "hosts of "+tt.pattern, hostNames(m.Hosts), tt.want)
		equal(t, "unmatched of "+tt.pattern, m.Unmatched, tt.unmatched)
	}
}

func TestResolveErrors(t *testing.T) {
	inv := mustParse(t, "hosts", patternInventory)
	tests := []struct{ pattern, want string }{
		{"", "empty host pattern"},
		{"~(web", "invalid host pattern"},
		{"~web[,db", "invalid host pattern"},
		{"web[3]", `no hosts matched the subscripted pattern "web[3]"`},
		{"web[-4]", "no hosts matched"},
		{"web[99999999999999999999]", "subscript out of range"},
		{"!", "empty after its prefix"},
		{"@/nonexistent/file", "cannot read limit file"},
		{"@" + os.TempDir(), "must be a file"},
	}
	for _, tt := range tests {
		_, err := inv.Resolve(tt.pattern)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Resolve(%q) error = %v, want %q", tt.pattern, err, tt.want)
		}
	}
}

func TestResolveHostAndGroupWithSameName(t *testing.T) {
	// Ansible takes a union part naming a host as that host, but in
	// intersections and exclusions a group of that name wins.
	inv := mustParse(t, "hosts", "dup\n[dup]\nh1\nh2\n[x]\nh1\ndup\n")
	got, _ := inv.Resolve("dup")
	equal(t, "dup", hostNames(got), []string{"dup"})
	got, _ = inv.Resolve("x:&dup")
	equal(t, "x:&dup", hostNames(got), []string{"h1"})
}

func TestImplicitLocalhost(t *testing.T) {
	inv := mustLoad(t, "testdata/precedence/hosts")
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		m, err := inv.Match(name, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Hosts) != 1 || !m.Hosts[0].Implicit || m.Hosts[0].Name != name || len(m.Unmatched) != 0 {
			t.Fatalf("Match(%q) = %+v", name, m)
		}
	}
	lh, _ := inv.Host("localhost")
	equal(t, "connection", lh.Vars[VarConnection], "local")
	equal(t, "all inline vars apply", lh.Vars["only_all"], "all_inline")
	equal(t, "group_vars/all applies", lh.Vars["only_all_file"], "all_file")
	equal(t, "host_vars/localhost.json applies", lh.Vars["lh_var"], "from_host_vars")
	equal(t, "no groups", lh.Groups, []string(nil))

	got, _ := inv.Resolve("all")
	for _, h := range got {
		if h.Implicit {
			t.Error("the implicit localhost is not part of all")
		}
	}
	got, _ = inv.Resolve("child:localhost")
	equal(t, "union", hostNames(got), []string{"h1", "h2", "localhost"})
	got, _ = inv.ResolveLimit("localhost", "all")
	equal(t, "limit all drops the implicit localhost, as in Ansible", hostNames(got), []string{})
	got, _ = inv.Resolve("local*")
	equal(t, "only an explicit name creates it", hostNames(got), []string{})
	if _, err := inv.ListJSON(); err != nil {
		t.Fatal(err)
	}

	// A localhost-like host in the inventory answers for every alias.
	inv = mustParse(t, "hosts", "[ctl]\n127.0.0.1 x=1\n")
	got, _ = inv.Resolve("localhost")
	equal(t, "alias", hostNames(got), []string{"127.0.0.1"})
	equal(t, "not implicit", got[0].Implicit, false)
}

func TestResolveLimit(t *testing.T) {
	inv := mustParse(t, "hosts", patternInventory)
	retry := filepath.Join(t.TempDir(), "site.retry")
	if err := os.WriteFile(retry, []byte("web02.example.com\n\n  db01.example.com  \n!db01.example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pattern, limit string
		want           []string
	}{
		{"all", "", []string{"lone", "web01.example.com", "web02.example.com", "web03.example.com", "db01.example.com", "db02.example.com", "stage01"}},
		{"all", "web", []string{"web01.example.com", "web02.example.com", "web03.example.com"}},
		{"prod", "!web", []string{"db01.example.com", "db02.example.com"}},
		{"prod", "staging:lone", []string{"web03.example.com"}},
		{"web", "web[0]", []string{"web01.example.com"}},
		{"all", "@" + retry, []string{"web02.example.com"}},
		{"all", "lone,@" + retry, []string{"lone", "web02.example.com"}},
		{"web", "nosuch", []string{}},
	}
	for _, tt := range tests {
		got, err := inv.ResolveLimit(tt.pattern, tt.limit)
		if err != nil {
			t.Errorf("ResolveLimit(%q, %q): %v", tt.pattern, tt.limit, err)
			continue
		}
		equal(t, tt.pattern+" limited to "+tt.limit, hostNames(got), tt.want)
	}
	m, _ := inv.Match("web:nope", "nope2")
	equal(t, "unmatched in pattern and limit", m.Unmatched, []string{"nope", "nope2"})
}

func TestSplitPattern(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a:b:&c:!d", []string{"a", "b", "&c", "!d"}},
		{"a, b ,,c", []string{"a", "b", "c"}},
		{"web[1:3]", []string{"web[1:3]"}},
		{"web[1:3]:db", []string{"web[1:3]", "db"}},
		{"fe80::1", []string{"fe80::1"}},
		{"web:2222", []string{"web:2222"}}, // parses as host:port, kept whole as Ansible does
		{"~web.*:db", []string{"~web.*", "db"}},
		{"~(a|b)[0-9]+", []string{"~(a|b)[0-9]+"}},
		{"@/tmp/x:web", []string{"@/tmp/x", "web"}},
	}
	for _, tt := range tests {
		equal(t, "splitPattern("+tt.in+")", splitPattern(tt.in), tt.want)
	}
}

func TestGroupHosts(t *testing.T) {
	inv := mustParse(t, "hosts", patternInventory)
	hs, ok := inv.GroupHosts("prod")
	if !ok {
		t.Fatal("no prod")
	}
	equal(t, "prod", hostNames(hs), []string{"web01.example.com", "web02.example.com", "web03.example.com", "db01.example.com", "db02.example.com"})
	hs, _ = inv.GroupHosts("all")
	equal(t, "all", len(hs), 7)
	if _, ok := inv.GroupHosts("nope"); ok {
		t.Error("nope is not a group")
	}
}
