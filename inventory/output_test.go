package inventory

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

const outputInventory = `
lone
[web]
web2 http_port=8080
web1
[db]
db1 ansible_host=10.0.0.5
[prod:children]
web
db
[empty]
[all:vars]
ntp="time.example.com"
`

// The expected text is what ansible-core (2.14+, which keeps definition
// order) prints for `ansible-inventory --list` on this inventory.
func TestListJSON(t *testing.T) {
	inv := mustParse(t, "hosts", outputInventory)
	got, err := inv.ListJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
    "_meta": {
        "hostvars": {
            "db1": {
                "ansible_host": "10.0.0.5",
                "ntp": "time.example.com"
            },
            "lone": {
                "ntp": "time.example.com"
            },
            "web1": {
                "ntp": "time.example.com"
            },
            "web2": {
                "http_port": 8080,
                "ntp": "time.example.com"
            }
        }
    },
    "all": {
        "children": [
            "ungrouped",
            "prod",
            "empty"
        ]
    },
    "db": {
        "hosts": [
            "db1"
        ]
    },
    "prod": {
        "children": [
            "web",
            "db"
        ]
    },
    "ungrouped": {
        "hosts": [
            "lone"
        ]
    },
    "web": {
        "hosts": [
            "web2",
            "web1"
        ]
    }
}
`
	if string(got) != want {
		t.Errorf("ListJSON:\n%s\nwant:\n%s", got, want)
	}
}

func TestListJSONSpecialValues(t *testing.T) {
	inv := mustParse(t, "inv.yml", "all:\n  hosts:\n    h:\n      n: .nan\n      i: -.inf\n      html: '<a&b>'\n")
	got, err := inv.ListJSON()
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Meta struct {
			Hostvars map[string]map[string]any `json:"hostvars"`
		} `json:"_meta"`
	}
	if err := json.Unmarshal(got, &parsed); err != nil {
		t.Fatal(err)
	}
	equal(t, "hostvars", parsed.Meta.Hostvars["h"], map[string]any{"n": ".nan", "i": "-.inf", "html": "<a&b>"})
	if v, _ := inv.hosts[0].Vars["n"].(float64); !math.IsNaN(v) {
		t.Error("Vars keep the real NaN; only the JSON is rewritten")
	}
}

func TestGraph(t *testing.T) {
	inv := mustParse(t, "hosts", outputInventory)
	got, err := inv.Graph("all")
	if err != nil {
		t.Fatal(err)
	}
	want := `@all:
  |--@ungrouped:
  |  |--lone
  |--@prod:
  |  |--@web:
  |  |  |--web2
  |  |  |--web1
  |  |--@db:
  |  |  |--db1
  |--@empty:
`
	if got != want {
		t.Errorf("Graph(all):\n%s\nwant:\n%s", got, want)
	}
	got, _ = inv.Graph("prod")
	want = `@prod:
  |--@web:
  |  |--web2
  |  |--web1
  |--@db:
  |  |--db1
`
	if got != want {
		t.Errorf("Graph(prod):\n%s\nwant:\n%s", got, want)
	}
	if _, err := inv.Graph("nope"); err == nil {
		t.Error("Graph of an unknown group must fail")
	}
	if g, _ := inv.Graph(""); g[:5] != "@all:" {
		t.Errorf("Graph(\"\") should start at all, got %q", g)
	}
}

func TestHostVars(t *testing.T) {
	inv := mustParse(t, "hosts", outputInventory)
	vars, err := inv.HostVars("web2")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "web2", vars, map[string]any{"http_port": 8080, "ntp": "time.example.com"})
	vars["http_port"] = 1
	equal(t, "copy", hostVar(t, inv, "web2", "http_port"), 8080)
	if _, err := inv.HostVars("nope"); err == nil {
		t.Error("unknown host must fail")
	}
	vars, err = inv.HostVars("localhost")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "implicit localhost", vars, map[string]any{"ansible_connection": "local", "ntp": "time.example.com"})
}

func TestGroupsAccessors(t *testing.T) {
	inv := mustParse(t, "hosts", outputInventory)
	var names []string
	for _, g := range inv.Groups() {
		names = append(names, g.Name)
	}
	equal(t, "sorted", names, []string{"all", "db", "empty", "prod", "ungrouped", "web"})
	h, _ := inv.Host("web1")
	equal(t, "GroupNames", h.GroupNames(), []string{"prod", "web"})
	empty, _ := inv.Group("empty")
	equal(t, "empty hosts", empty.Hosts, []string{})
}

func TestRestrict(t *testing.T) {
	inv := mustParse(t, "hosts", outputInventory)
	hosts, err := inv.ResolveLimit("all", "web:!web1")
	if err != nil {
		t.Fatal(err)
	}
	r := inv.Restrict(hosts)
	equal(t, "hosts", hostNames(r.Hosts()), []string{"web2"})
	graph, _ := r.Graph("all")
	want := `@all:
  |--@ungrouped:
  |--@prod:
  |  |--@web:
  |  |  |--web2
  |  |--@db:
  |--@empty:
`
	if graph != want {
		t.Errorf("Graph:\n%s\nwant:\n%s", graph, want)
	}
	list, _ := r.ListJSON()
	if s := string(list); !strings.Contains(s, `"web2"`) || strings.Contains(s, `"db1"`) || strings.Contains(s, `"lone"`) {
		t.Errorf("ListJSON of the restricted view:\n%s", s)
	}
	got, _ := r.Resolve("all")
	equal(t, "patterns see the view", hostNames(got), []string{"web2"})
	got, _ = r.Resolve("prod:localhost")
	equal(t, "implicit localhost still resolves", hostNames(got), []string{"web2", "localhost"})
	if _, ok := r.Host("web1"); ok {
		t.Error("web1 is outside the view")
	}
	if _, ok := inv.Host("web1"); !ok {
		t.Error("the original inventory is unchanged")
	}
}
