package inventory

import (
	"strings"
	"testing"
)

func TestYAMLStructure(t *testing.T) {
	inv := mustParse(t, "hosts.yml", `
all:
  hosts:
    lone:
  vars:
    ntp: time.example.com
  children:
    web:
      hosts:
        web[01:02].example.com:
          http_port: 80
        web03.example.com:2222:
      vars:
        role: web
    prod:
      children:
        web:
        db:
          hosts:
            db1: {ansible_host: 10.0.0.5, tags: [a, b], nested: {k: v}}
`)
	equal(t, "hosts", hostNames(inv.Hosts()), []string{"lone", "web01.example.com", "web02.example.com", "web03.example.com", "db1"})
	equal(t, "lone is ungrouped", hostVar(t, inv, "lone", "ntp"), "time.example.com")
	lone, _ := inv.Host("lone")
	equal(t, "lone groups", lone.Groups, []string{"all", "ungrouped"})
	equal(t, "range host var", hostVar(t, inv, "web02.example.com", "http_port"), 80)
	equal(t, "port in key", hostVar(t, inv, "web03.example.com", VarPort), 2222)
	equal(t, "group var", hostVar(t, inv, "web03.example.com", "role"), "web")
	equal(t, "list var", hostVar(t, inv, "db1", "tags"), []any{"a", "b"})
	equal(t, "map var", hostVar(t, inv, "db1", "nested"), map[string]any{"k": "v"})
	web, _ := inv.Group("web")
	equal(t, "web parents", web.Parents, []string{"all", "prod"})
	h, _ := inv.Host("web01.example.com")
	equal(t, "web01 groups", h.Groups, []string{"all", "prod", "web"})
}

func TestYAMLShortForms(t *testing.T) {
	inv := mustParse(t, "inv.yaml", `
web:
  hosts: solo
empty:
db:
  hosts:
    db1:
  vars:
  children:
`)
	equal(t, "hosts", hostNames(inv.Hosts()), []string{"solo", "db1"})
	if _, ok := inv.Group("empty"); !ok {
		t.Error("an empty top-level key is an empty group")
	}
}

func TestYAMLValues(t *testing.T) {
	inv := mustParse(t, "inv.yml", `
all:
  hosts:
    h:
      yes_plain: yes        # YAML 1.1, as Ansible's PyYAML reads it
      off_plain: off
      yes_quoted: "yes"
      yes_tagged: !!str yes
      int: 42
      octal: 0755
      float: 1.5
      null_value: ~
      str: hello
      date: 2024-01-02
      unsafe: !unsafe '{{ not templated }}'
      anchor: &a {x: 1, y: 2}
      merged:
        <<: *a
        y: 3
      seq_alias: [*a]
      "yes": key stays yes
      7: int key
`)
	tests := map[string]any{
		"yes_plain": true, "off_plain": false, "yes_quoted": "yes", "yes_tagged": "yes",
		"int": 42, "octal": 493, "float": 1.5, "null_value": nil, "str": "hello",
		"date": "2024-01-02", "unsafe": "{{ not templated }}",
		"anchor":    map[string]any{"x": 1, "y": 2},
		"merged":    map[string]any{"x": 1, "y": 3},
		"seq_alias": []any{map[string]any{"x": 1, "y": 2}},
		"yes":       "key stays yes",
		"7":         "int key",
	}
	for k, want := range tests {
		equal(t, k, hostVar(t, inv, "h", k), want)
	}
}

func TestYAMLWarnings(t *testing.T) {
	inv := mustParse(t, "inv.yml", `
all:
  hots:
    h1:
  children:
    web:
      hosts:
        h2:
scalar_group: 5
`)
	w := strings.Join(inv.Warnings(), "\n")
	for _, want := range []string{
		`inv.yml:3:3: skipping unexpected key "hots" in group "all"`, `did you mean "hosts"?`,
		`inv.yml:9:1: skipping "scalar_group"`,
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q lack %q", w, want)
		}
	}
	equal(t, "hosts", hostNames(inv.Hosts()), []string{"h2"})
}

func TestYAMLErrors(t *testing.T) {
	deep := "all:\n  vars:\n    x:" + strings.Repeat(" [", 70) + strings.Repeat("]", 70) + "\n"
	deepGroups := "g0:\n"
	for i := 1; i < 40; i++ {
		deepGroups += strings.Repeat("  ", 2*i-1) + "children:\n" + strings.Repeat("  ", 2*i) + "g" + string(rune('0'+i%10)) + "x:\n"
	}
	tests := []struct {
		name, src string
		want      []string
	}{
		{"syntax", "all:\n  hosts: [a\n", []string{"inv.yml:", "invalid YAML"}},
		{"tabs", "all:\n\thosts:\n", []string{"inv.yml:2:", "invalid YAML", "not tabs"}},
		{"colon in value", "all:\n  vars:\n    motd: a: b\n", []string{"inv.yml:3:", `quote values that contain ": "`}},
		{"not a mapping", "- a\n- b\n", []string{"inv.yml:1:1:", "must be a mapping of groups"}},
		{"empty", "# nothing\n", []string{"empty YAML inventory"}},
		{"hosts as list", "all:\n  hosts:\n    - a\n    - b\n", []string{"inv.yml:3:5:", `"hosts" of group "all" must be a mapping`, "not a list"}},
		{"vars as list", "all:\n  vars: [a]\n", []string{`"vars" of group "all" must be a mapping`}},
		{"host vars as scalar", "all:\n  hosts:\n    a: 5\n", []string{"inv.yml:3:8:", `variables of host "a" must be a mapping`}},
		{"child as list", "all:\n  children:\n    web: [a]\n", []string{"inv.yml:3:10:", `group "web" must be a mapping`}},
		{"bad range", "all:\n  hosts:\n    web[1:x]:\n", []string{"inv.yml:3:5:", "bad host range"}},
		{"plugin config", "plugin: aws_ec2\nregions: [x]\n", []string{"inventory plugin configuration"}},
		{"deep values", deep, []string{"nested deeper than 64"}},
		{"deep groups", deepGroups, []string{"nested deeper than 64"}},
		{"vault value", "all:\n  vars:\n    p: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6162\n", []string{"inv.yml:3:8:", "vault"}},
		{"vault file", "$ANSIBLE_VAULT;1.1;AES256\n616263\n", []string{"vault-encrypted files"}},
		{"cycle", "a:\n  children:\n    b:\n      children:\n        a:\n", []string{"cycle"}},
		{"empty group name", "all:\n  children:\n    '':\n", []string{"group name must be a non-empty string"}},
		{"billion laughs", laughs(), []string{"too many values"}},
		{"priority", "g:\n  vars:\n    ansible_group_priority: x\n", []string{"inv.yml:3:5:", "must be an integer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("inv.yml", []byte(tt.src))
			wantError(t, err, tt.want...)
		})
	}
}

func laughs() string {
	var b strings.Builder
	b.WriteString("all:\n  vars:\n    l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("    l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*l" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestYAMLAliasedGroupsAreWalkedOnce(t *testing.T) {
	inv := mustParse(t, "inv.yml", `
all:
  children:
    a: &g
      hosts:
        h1:
    b: *g
    c:
      children:
        a: *g
`)
	equal(t, "hosts", hostNames(inv.Hosts()), []string{"h1"})
	h, _ := inv.Host("h1")
	equal(t, "groups", h.Groups, []string{"a", "all", "b", "c"})
}

func TestYAMLDuplicateKeysLastWins(t *testing.T) {
	inv := mustParse(t, "inv.yml", `
all:
  children:
    web:
      hosts: {a: }
    db:
      hosts: {d: }
    web:
      hosts:
        b: {x: 1, x: 2}
`)
	equal(t, "hosts: the first web definition is dropped", hostNames(inv.Hosts()), []string{"b", "d"})
	all, _ := inv.Group("all")
	equal(t, "web keeps its first position", all.Children, []string{"ungrouped", "web", "db"})
	equal(t, "var", hostVar(t, inv, "b", "x"), 2)
	w := strings.Join(inv.Warnings(), "\n")
	for _, want := range []string{`inv.yml:8:5: duplicate key "web"`, `inv.yml:10:19: duplicate key "x"`} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q lack %q", w, want)
		}
	}
}
