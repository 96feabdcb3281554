package inventory

import (
	"fmt"
	"strings"
	"testing"
)

// bigInventory has 10,000 hosts: 100 "app" groups of 100 hosts each, split
// across 10 datacenter parents, with every third group also in prod and the
// rest in staging. Written as INI ranges, as a real big inventory would be.
func bigInventory(tb testing.TB) *Inventory {
	var b strings.Builder
	for g := 0; g < 100; g++ {
		fmt.Fprintf(&b, "[app%02d]\nweb%02d-[000:099].dc%d.example.com role=app%02d\n", g, g, g%10, g)
		env := "staging"
		if g%3 == 0 {
			env = "prod"
		}
		fmt.Fprintf(&b, "[%s:children]\napp%02d\n[dc%d:children]\napp%02d\n", env, g, g%10, g)
	}
	b.WriteString("[all:vars]\nntp=time.example.com\n[prod:vars]\ntier=1\n")
	inv := mustParse(tb, "big", b.String())
	if n := len(inv.Hosts()); n != 10_000 {
		tb.Fatalf("%d hosts", n)
	}
	return inv
}

var benchPatterns = []string{
	"all",
	"prod:&dc3:!app33",
	"web1*:&staging:!~web1[0-4]-0[0-4]",
	"*.dc7.example.com:app0[0-9]:!prod",
	"~web(0|5)[0-9]-00[0-9]\\.dc[0-4]",
	"dc1[10:5000]:dc2[-1]:dc3[0]",
	"app01,app02,app03,app04,app05,&prod,!web01-000.dc1.example.com",
	"!staging",
}

func BenchmarkResolve10k(b *testing.B) {
	inv := bigInventory(b)
	for _, p := range benchPatterns {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				if _, err := inv.ResolveLimit(p, "all:!app99"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse10k(b *testing.B) {
	for b.Loop() {
		bigInventory(b)
	}
}

// TestResolveBigInventory checks a pattern's result on the benchmark's
// 10,000-host inventory. Speed is measured by BenchmarkResolve10k, not here.
func TestResolveBigInventory(t *testing.T) {
	inv := bigInventory(t)
	got, err := inv.Resolve("prod:&dc3:!app33")
	if err != nil {
		t.Fatal(err)
	}
	// prod holds app groups 0,3,...,99 (34 groups); dc3 holds 3,13,...,93;
	// both: 3,33,63,93; minus app33.
	if len(got) != 300 || got[0].Name != "web03-000.dc3.example.com" {
		t.Fatalf("got %d hosts, first %s", len(got), got[0].Name)
	}
}
