package main

import (
	"bytes"
	"testing"

	"tend/modules"
	"tend/playbooks"
)

// Hosts finish tasks at different times; the renderer prints each task once
// every host has moved past it, in playbook order, changed and failed hosts
// by name and the rest counted.
func TestTextRendererGroupsResultsByTask(t *testing.T) {
	var out bytes.Buffer
	r := newTextRenderer(&out, false, true, 0)
	task := func(host string, idx int, name string, s playbooks.Status, diffs ...modules.Diff) playbooks.Event {
		return playbooks.Event{Kind: playbooks.EventTask, Host: host, Task: name, TaskIndex: idx, Module: "copy", TaskPos: "site.yml:3", Status: s, Diffs: diffs}
	}
	for _, e := range []playbooks.Event{
		{Kind: playbooks.EventPlayStart, Play: "web", Hosts: []string{"a", "b", "c"}},
		task("a", 0, "first", playbooks.StatusChanged, modules.Diff{Path: "/etc/x", Attr: "mode", Before: "0644", After: "0600"}),
		task("a", 1, "second", playbooks.StatusOK),
		task("b", 0, "first", playbooks.StatusOK),
		task("c", 0, "first", playbooks.StatusFailed),
		{Kind: playbooks.EventHostDone, Host: "c"},
		task("b", 1, "second", playbooks.StatusChanged, modules.Diff{Path: "/etc/y", Attr: "content", Before: "old\n", After: "new\n"}),
		{Kind: playbooks.EventHostDone, Host: "a"},
		{Kind: playbooks.EventHostDone, Host: "b"},
		{Kind: playbooks.EventPlayEnd},
	} {
		r.event(e)
	}
	r.summary(&playbooks.Summary{HostOrder: []string{"a", "b", "c"}, Hosts: map[string]*playbooks.Recap{
		"a": {OK: 2, Changed: 1}, "b": {OK: 2, Changed: 1}, "c": {Failed: 1},
	}})
	want := `
PLAY [web] 3 hosts

TASK [first] copy  site.yml:3
  changed: a
      /etc/x: mode 0644 -> 0600
  failed: c
  ok: 1 host

TASK [second] copy  site.yml:3
  changed: b
      --- before: /etc/y
      +++ after: /etc/y
      @@ -1 +1 @@
      -old
      +new
  ok: 1 host

RECAP
a  ok=2   changed=1   failed=0   skipped=0   unreachable=0 rescued=0 ignored=0
b  ok=2   changed=1   failed=0   skipped=0   unreachable=0 rescued=0 ignored=0
c  ok=0   changed=0   failed=1   skipped=0   unreachable=0 rescued=0 ignored=0
3 hosts: 2 changed, 1 failed, 0 unreachable in 0s
`
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestExitCodes(t *testing.T) {
	sum := func(changed, failed int) *playbooks.Summary {
		return &playbooks.Summary{Hosts: map[string]*playbooks.Recap{"h": {Changed: changed, Failed: failed}}}
	}
	cases := []struct {
		s        *playbooks.Summary
		detailed bool
		want     int
	}{
		{sum(0, 0), true, 0}, {sum(1, 0), true, 2}, {sum(0, 1), true, 4}, {sum(1, 1), true, 6},
		{sum(1, 0), false, 0}, {sum(1, 1), false, 4},
	}
	for _, c := range cases {
		if got := exitCode(c.s, c.detailed); got != c.want {
			t.Errorf("%+v detailed=%v: %d, want %d", c.s.Hosts["h"], c.detailed, got, c.want)
		}
	}
}

// Within a task, hosts are listed in the play's (inventory) order, whatever
// order they finished in (also inside a block of identical results); a
// host's loop items keep their order.
func TestTextRendererListsHostsInInventoryOrder(t *testing.T) {
	var out bytes.Buffer
	r := newTextRenderer(&out, false, false, 0)
	changed := func(host, item string) playbooks.Event {
		return playbooks.Event{Kind: playbooks.EventTask, Host: host, Task: "web : t", TaskIndex: 0, Module: "copy", TaskPos: "site.yml:3",
			Status: playbooks.StatusChanged, Item: item}
	}
	for _, e := range []playbooks.Event{
		{Kind: playbooks.EventPlayStart, Play: "web", Hosts: []string{"web1", "web2", "web10"}},
		changed("web10", "x"), changed("web2", "x"), changed("web10", "y"), changed("web1", "x"),
		{Kind: playbooks.EventPlayEnd},
	} {
		r.event(e)
	}
	want := `
PLAY [web] 3 hosts

TASK [web : t] copy  site.yml:3
  changed: web1, web2, web10 (item=x)
  changed: web10 (item=y)
`
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Hosts whose result for a task is the same (status, item, message and
// diffs) are shown once, with their names; different results stay apart.
func TestTextRendererGroupsIdenticalChanges(t *testing.T) {
	var out bytes.Buffer
	r := newTextRenderer(&out, true, false, 0)
	ev := func(host, item string, s playbooks.Status, msg string, diffs ...modules.Diff) playbooks.Event {
		return playbooks.Event{Kind: playbooks.EventTask, Host: host, Task: "t", TaskIndex: 0, Module: "file", TaskPos: "site.yml:3",
			Status: s, Item: item, Msg: msg, Check: true, Diffs: diffs}
	}
	mode := modules.Diff{Path: "/srv/x", Attr: "mode", Before: "0666", After: "0644"}
	for _, e := range []playbooks.Event{
		{Kind: playbooks.EventPlayStart, Play: "web", Hosts: []string{"h1", "h2", "h3", "h4", "h5"}},
		ev("h4", "a", playbooks.StatusChanged, "", mode),
		ev("h4", "b", playbooks.StatusChanged, "", mode),
		ev("h1", "a", playbooks.StatusChanged, "", mode),
		ev("h1", "b", playbooks.StatusChanged, "", mode),
		ev("h2", "a", playbooks.StatusChanged, "", modules.Diff{Path: "/srv/x", Attr: "mode", Before: "0600", After: "0644"}),
		ev("h3", "a", playbooks.StatusFailed, "permission denied"),
		ev("h5", "a", playbooks.StatusFailed, "permission denied"),
		{Kind: playbooks.EventPlayEnd},
	} {
		r.event(e)
	}
	want := `
PLAY [web] 5 hosts (check mode: nothing will be changed)

TASK [t] file  site.yml:3
  would change: h1, h4 (item=a)
      /srv/x: mode 0666 -> 0644
  would change: h1, h4 (item=b)
      /srv/x: mode 0666 -> 0644
  would change: h2 (item=a)
      /srv/x: mode 0600 -> 0644
  failed: h3, h5 (item=a) => permission denied; if the task needs root, add become: true
`
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// A host whose loop had some items ok and some skipped counts as ok, as in
// the recap; one whose items were all skipped, as skipped.
func TestTextRendererCountsPartlySkippedLoopsAsOK(t *testing.T) {
	var out bytes.Buffer
	r := newTextRenderer(&out, false, false, 0)
	item := func(host, item string, s playbooks.Status) playbooks.Event {
		return playbooks.Event{Kind: playbooks.EventTask, Host: host, Task: "t", TaskIndex: 0, Module: "file", TaskPos: "site.yml:3",
			Status: s, Item: item}
	}
	for _, e := range []playbooks.Event{
		{Kind: playbooks.EventPlayStart, Play: "web", Hosts: []string{"a", "b"}},
		item("a", "x", playbooks.StatusOK), item("a", "y", playbooks.StatusSkipped),
		item("b", "x", playbooks.StatusSkipped), item("b", "y", playbooks.StatusSkipped),
		{Kind: playbooks.EventPlayEnd},
	} {
		r.event(e)
	}
	want := `
PLAY [web] 2 hosts

TASK [t] file  site.yml:3
  ok: 1 host, skipped: 1 host
`
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
