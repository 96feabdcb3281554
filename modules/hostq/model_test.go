package hostq

import (
	"errors"
	"testing"
)

func hostWith() *Set {
	s := NewSet().SetUmask(0o022).
		SetAccounts(ParseAccounts([]byte("root:x:0:0:root:/root:/bin/sh\n"), []byte("root:x:0:\nstaff:x:50:\n"))).
		SetPath("/srv", false, PathInfo{}).SetPath("/srv", true, PathInfo{}).
		SetPath("/srv/app", false, PathInfo{}).SetPath("/srv/app", true, PathInfo{}).
		SetPath("/srv/app/conf", true, PathInfo{}).SetPath("/srv/app/conf", false, PathInfo{}).
		SetPath("/etc/motd", true, PathInfo{Exists: true, Type: '-', Perm: 0o644, UID: "0", GID: "0", Owner: "root", Group: "root", Size: 3}).
		SetContent("/etc/motd", []byte("hi\n")).
		SetPath("/srv/link", false, PathInfo{})
	s.SetEmpty("/srv", true)
	return s
}

func TestModelAnswersWhatEarlierChangesWouldDo(t *testing.T) {
	host := hostWith()
	m := NewModel("root")
	m.Cause = "file at site.yml:3"
	m.Apply(host, MakeDir{Path: "/srv/app", Perm: 0o755})
	m.Apply(host, PutUser{User: User{Name: "deploy", UID: "1000", GID: "1000", Home: "/home/deploy"}, Groups: []string{"staff"}},
		PutGroup{Group: Group{Name: "deploy", GID: "1000"}})
	m.Cause = "copy at site.yml:9"
	m.Apply(host, WriteFile{Path: "/srv/app/conf", Data: []byte("x=1\n"), Known: true, Perm: 0o640, Owner: "deploy"})
	m.Apply(host, Link{Path: "/srv/link", Target: "app/conf"})
	l := Layer(m, host)

	if fi, err := l.Path("/srv/app", true); err != nil || fi.Type != 'd' || fi.Perm != 0o755 || fi.Owner != "root" || fi.UID != "0" {
		t.Errorf("dir: %+v %v", fi, err)
	}
	fi, err := l.Path("/srv/app/conf/", true)
	if err != nil || fi.Type != '-' || fi.Owner != "deploy" || fi.UID != "1000" || fi.Group != "root" || fi.Size != 4 {
		t.Errorf("file: %+v %v", fi, err)
	}
	if c, err := l.Content("/srv/link"); err != nil || string(c) != "x=1\n" {
		t.Errorf("content through a predicted link: %q %v", c, err)
	}
	if d, err := l.Digest("/srv/app/conf"); err != nil || d != SHA1([]byte("x=1\n")) {
		t.Errorf("digest: %q %v", d, err)
	}
	if fi, err := l.Path("/srv/link", false); err != nil || fi.Type != 'l' || fi.Target != "app/conf" {
		t.Errorf("link: %+v %v", fi, err)
	}
	if e, err := l.Empty("/srv/app"); err != nil || e {
		t.Errorf("a directory a file was predicted in is empty: %v %v", e, err)
	}
	db, _ := l.Accounts()
	if db.User("deploy") == nil || len(db.Group("staff").Members) != 1 {
		t.Errorf("accounts: %+v", db)
	}
	if hostDB, _ := host.Accounts(); hostDB.User("deploy") != nil || len(hostDB.Group("staff").Members) != 0 {
		t.Error("the model changed the host's answers")
	}
	// What the model does not know comes from the host.
	if c, err := l.Content("/etc/motd"); err != nil || string(c) != "hi\n" {
		t.Errorf("host content: %q %v", c, err)
	}
	if _, err := l.Path("/nowhere", false); !errors.Is(err, ErrNotAsked) {
		t.Errorf("unasked: %v", err)
	}
}

func TestModelRemovalAndTaints(t *testing.T) {
	host := hostWith()
	m := NewModel("root")
	m.Apply(host, WriteFile{Path: "/srv/app/conf", Data: []byte("a"), Known: true, Perm: 0o644})
	m.Apply(host, Remove{Path: "/srv/app"})
	l := Layer(m, host)
	if fi, err := l.Path("/srv/app/conf", true); err != nil || fi.Exists {
		t.Errorf("under a removed directory: %+v %v", fi, err)
	}
	if _, err := l.Content("/srv/app/conf"); err != ErrNoContent {
		t.Errorf("content under a removed directory: %v", err)
	}
	m.Cause = "command \"build\" at site.yml:20"
	m.Apply(host, Taint{Path: "/srv"})
	_, err := l.Path("/srv/app/conf", false)
	if u, ok := IsUnknown(err); !ok || u.Why != m.Cause {
		t.Errorf("tainted: %v", err)
	}
	m2 := NewModel("root")
	m2.Cause = "get_url at site.yml:4"
	m2.Apply(host, WriteFile{Path: "/srv/x", Perm: 0o644})
	if _, err := Layer(m2, host).Content("/srv/x"); !isUnknown(err) {
		t.Errorf("content of an unknown write: %v", err)
	}
}

func TestModelAttrsKeepHostContent(t *testing.T) {
	host := hostWith()
	m := NewModel("root")
	perm := uint32(0o600)
	m.Apply(host, Attrs{Path: "/etc/motd", Follow: true, Perm: &perm, Owner: "deploy"})
	l := Layer(m, host)
	fi, err := l.Path("/etc/motd", true)
	if err != nil || fi.Perm != 0o600 || fi.Owner != "deploy" || fi.Size != 3 {
		t.Errorf("attrs: %+v %v", fi, err)
	}
	if c, err := l.Content("/etc/motd"); err != nil || string(c) != "hi\n" {
		t.Errorf("content after attrs: %q %v", c, err)
	}
}

func TestTouches(t *testing.T) {
	perm := uint32(0o600)
	for _, c := range []struct {
		e    Effect
		p    string
		want bool
	}{
		{WriteFile{Path: "/srv/a"}, "/srv/a", true},
		{WriteFile{Path: "/srv/a/b"}, "/srv/a", true}, // a folder's size
		{Remove{Path: "/srv"}, "/srv/a", true},
		{MakeDir{Path: "/srv/ab"}, "/srv/a", false},
		{Link{Path: "/srv/b", Target: "/srv/a"}, "/srv/a", false},
		{Attrs{Path: "/srv/b", Perm: &perm}, "/srv/a", false},
		{Attrs{Path: "/srv/b", Follow: true}, "/srv/a", true}, // /srv/b may link to it
		{Taint{Path: "/elsewhere"}, "/srv/a", true},
		{PutUser{User: User{Name: "u"}}, "/srv/a", true}, // owners' names
		{WriteFile{Path: "/x"}, "/", true},
	} {
		if got := Touches(c.e, c.p); got != c.want {
			t.Errorf("Touches(%#v, %s) = %v", c.e, c.p, got)
		}
	}
}
