package inventory

import (
	"testing"
)

// TestPrecedence checks each level of Ansible's default variable
// precedence against testdata/precedence, where every vN is set at several
// levels. The wanted values are what `ansible-inventory --host` prints.
func TestPrecedence(t *testing.T) {
	inv := mustLoad(t, "testdata/precedence/hosts")
	tests := []struct {
		host, key string
		want      any
		why       string
	}{
		{"h1", "only_all", "all_inline", "all inline vars reach every host"},
		{"h1", "only_all_file", "all_file", "group_vars/all reaches every host"},
		{"h1", "v1", "parent_inline", "group inline beats all inline"},
		{"h1", "v2", "child_inline", "child inline beats parent inline (depth)"},
		{"h2", "v3", "byname_b", "same depth: merged by name, so the later name wins"},
		{"h2", "v4", "prio_a", "ansible_group_priority beats name order"},
		{"h1", "v5", "all_file", "group_vars/all beats inline vars of any group"},
		{"h1", "v6", "parent_file", "a parent's group_vars file beats a child's inline var"},
		{"h1", "v7", "child_file", "child group_vars file beats parent group_vars file"},
		{"h1", "v8", "host_inline", "host inline beats group_vars files"},
		{"h1", "v9", "host_file", "host_vars file beats host inline"},
		{"h2", "v8", "child_file", "without host vars the group file applies"},
	}
	for _, tt := range tests {
		equal(t, tt.host+"."+tt.key+" ("+tt.why+")", hostVar(t, inv, tt.host, tt.key), tt.want)
	}
	h2, _ := inv.Host("h2")
	if _, ok := h2.Vars["ansible_group_priority"]; ok {
		t.Error("ansible_group_priority is a group setting, not a host variable")
	}
	prio, _ := inv.Group("prio_a")
	equal(t, "priority", prio.Priority, 10)
	child, _ := inv.Group("child")
	equal(t, "group vars: inline then file", child.Vars, map[string]any{
		"v2": "child_inline", "v5": "child_inline", "v6": "child_inline", "v7": "child_file", "v8": "child_file",
	})
}

func TestPrecedenceDepthIsLongestPath(t *testing.T) {
	// c sits at depth 3 through a -> b -> c even though x -> c is shorter,
	// so c's vars beat b's and x's whatever their names.
	inv := mustParse(t, "hosts", `
[a:children]
b
[b:children]
c
[x:children]
c
[c]
h
[a:vars]
v=a
[b:vars]
v=b
w=b
[x:vars]
v=x
w=x
[c:vars]
v=c
`)
	equal(t, "v", hostVar(t, inv, "h", "v"), "c")
	// b (depth 2) beats x (depth 1) although "x" sorts after "b".
	equal(t, "w", hostVar(t, inv, "h", "w"), "b")
}

func TestMergeReplacesTopLevelKeys(t *testing.T) {
	inv := mustParse(t, "inv.yml", `
all:
  vars:
    cfg: {a: 1, b: 2}
  hosts:
    h:
      cfg: {b: 3}
`)
	equal(t, "hash_behaviour=replace", hostVar(t, inv, "h", "cfg"), map[string]any{"b": 3})
}

func TestLaterSourceWinsPerKey(t *testing.T) {
	inv := mustLoad(t, "testdata/multi/a/hosts", "testdata/multi/b/hosts.yml")
	equal(t, "hosts in source order", hostNames(inv.Hosts()), []string{"w1", "w2"})
	equal(t, "inline: later source", hostVar(t, inv, "w1", "src"), "b_inline")
	equal(t, "inline: kept from earlier source", hostVar(t, inv, "w2", "only_a"), 1)
	equal(t, "group_vars: later source dir", hostVar(t, inv, "w1", "gv"), "b")

	inv = mustLoad(t, "testdata/multi/b/hosts.yml", "testdata/multi/a/hosts")
	equal(t, "reversed order", hostNames(inv.Hosts()), []string{"w2", "w1"})
	equal(t, "reversed inline", hostVar(t, inv, "w1", "src"), "a_inline")
	equal(t, "reversed group_vars", hostVar(t, inv, "w1", "gv"), "a")
}

func TestDedupeKeepLast(t *testing.T) {
	equal(t, "dedupe", dedupeKeepLast([]string{"a", "b", "a", "c", "b"}), []string{"a", "c", "b"})
}
