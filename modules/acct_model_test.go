package modules

import (
	"strings"
	"testing"

	"tend/modules/hostq"
)

// acctHost answers both modules' questions from a fake root, shadow's
// tools on the PATH.
func acctHost(t *testing.T, root string, tasks ...*Task) hostq.Answers {
	t.Helper()
	var qs []hostq.Question
	for _, task := range tasks {
		for _, m := range []Asker{userModule{}, groupModule{}} {
			q, err := m.Questions(task)
			if err != nil {
				t.Fatal(err)
			}
			qs = append(qs, q...)
		}
	}
	return acctDirAnswers(t, root, qs, acctTools...)
}

// In check mode, a user whose group an earlier task creates plans its
// useradd (the model has the group), where the host alone has no such
// group: a plain error, as Ansible's, not a change that fails later.
func TestAcctModelGroupThenUser(t *testing.T) {
	t.Parallel()
	root := fakeRoot(t, false)
	_, gtask := mkTask(t, "group", map[string]any{"name": "devs"})
	_, utask := mkTask(t, "user", map[string]any{"name": "bob", "group": "devs", "groups": "devs,wheel"})
	host := acctHost(t, root, gtask, utask)
	um := userModule{backend: "shadow"}

	if ch, err := um.Plan(utask, Output{Answers: host}); err == nil || err.Error() != "group devs does not exist" {
		t.Fatalf("without the group task: %v, %v", ch, err)
	}
	gch, err := groupModule{backend: "shadow"}.Plan(gtask, Output{Answers: host})
	if err != nil || gch == nil {
		t.Fatalf("group: %v %v", gch, err)
	}
	model := hostq.NewModel("root")
	model.Apply(host, gch.Effects...)
	layer := hostq.Layer(model, host)
	ch, err := um.Plan(utask, Output{Answers: layer})
	if err != nil || ch == nil {
		t.Fatalf("user after the group: %v %v", ch, err)
	}
	if !hasDiff(ch, "group", "", "devs") || !hasDiff(ch, "groups", "", "devs,wheel") || !strings.Contains(ch.Apply, "useradd -g devs -G devs,wheel -m bob ||") {
		t.Errorf("diffs %v\n%s", ch.Diffs, ch.Apply)
	}
	// The user's effects: the ids useradd would pick, the group
	// groupadd would.
	model.Apply(host, ch.Effects...)
	db, _ := layer.Accounts()
	if g := db.Group("devs"); g == nil || g.GID != "1001" || strings.Join(g.Members, ",") != "bob" {
		t.Errorf("devs: %+v", g)
	}
	if u := db.User("bob"); u == nil || u.UID != "1001" || u.GID != "1001" || u.Home != "/home/bob" || u.Shell != "/bin/sh" {
		t.Errorf("bob: %+v", u)
	}
	if g := db.Group("wheel"); strings.Join(g.Members, ",") != "alice,bob" {
		t.Errorf("wheel: %+v", g)
	}
}

// A user an earlier task creates owns what later tasks ask about: its new
// home, and a host's file with its (predicted) uid; a second new user
// gets the next uid.
func TestAcctModelUserThenFile(t *testing.T) {
	t.Parallel()
	root := fakeRoot(t, false)
	_, bob := mkTask(t, "user", map[string]any{"name": "bob"})
	_, carl := mkTask(t, "user", map[string]any{"name": "carl", "system": true})
	host := acctHost(t, root, bob, carl)
	um := userModule{backend: "files"}
	model := hostq.NewModel("root")
	layer := hostq.Layer(model, host)
	for _, task := range []*Task{bob, carl} {
		ch, err := um.Plan(task, Output{Answers: layer})
		if err != nil || ch == nil {
			t.Fatalf("%v %v", ch, err)
		}
		model.Apply(host, ch.Effects...)
		layer = hostq.Layer(model, host)
	}
	db, _ := layer.Accounts()
	if u := db.User("bob"); u == nil || u.UID != "1001" {
		t.Errorf("bob: %+v", u)
	}
	if u := db.User("carl"); u == nil || u.UID != "999" || u.GID != "999" {
		t.Errorf("carl: %+v", u)
	}
	home, err := layer.Path("/home/bob", true)
	if err != nil || home.Type != 'd' || home.Perm != 0o755 || home.UID != "1001" || home.GID != "1001" {
		t.Errorf("home: %+v %v", home, err)
	}
	// What skel puts in it is known after apply.
	if _, err := layer.Path("/home/bob/.profile", false); err == nil {
		t.Error("a file under the new home is known before apply, though skel has files")
	} else if _, ok := hostq.IsUnknown(err); !ok {
		t.Errorf("under the home: %v", err)
	}
	db.MatchOwner(&home, "bob", "bob")
	if home.OwnerMatch != "1" || home.GroupMatch != "1" {
		t.Errorf("home owned by bob:bob? %+v", home)
	}
	// A host file with bob's uid, which the host's passwd does not name.
	file := hostq.PathInfo{Exists: true, Type: '-', Perm: 0o644, UID: "1001", GID: "0", Owner: "1001", Group: "root"}
	db.MatchOwner(&file, "bob", "root")
	if file.OwnerMatch != "1" || file.GroupMatch != "1" {
		t.Errorf("file owned by bob? %+v", file)
	}
	db.MatchOwner(&file, "carl", "")
	if file.OwnerMatch != "0" {
		t.Errorf("file owned by carl? %+v", file)
	}
	// The existing user is planned against the model too: nothing to do.
	if ch, err := um.Plan(bob, Output{Answers: layer}); ch != nil || err != nil {
		t.Errorf("bob again: %v %v", ch, err)
	}
	// Removed with its home: gone for later tasks.
	_, del := mkTask(t, "user", map[string]any{"name": "bob", "state": "absent", "remove": true})
	ch, err := um.Plan(del, Output{Answers: layer})
	if err != nil || ch == nil {
		t.Fatalf("%v %v", ch, err)
	}
	model.Apply(host, ch.Effects...)
	if fi, err := layer.Path("/home/bob", true); err != nil || fi.Exists {
		t.Errorf("home after removal: %+v %v", fi, err)
	}
	if db, _ := layer.Accounts(); db.User("bob") != nil || db.Group("bob") != nil {
		t.Errorf("bob after removal: %+v %+v", db.User("bob"), db.Group("bob"))
	}
}

// After a change that may add groups nobody can predict (a package's), a
// user in a group the host lacks is known after apply, not an error.
func TestAcctModelUnsureAccounts(t *testing.T) {
	t.Parallel()
	root := fakeRoot(t, false)
	_, utask := mkTask(t, "user", map[string]any{"name": "bob", "groups": "docker"})
	host := acctHost(t, root, utask)
	model := hostq.NewModel("root")
	model.Cause = `apt "docker" at site.yml:3`
	model.Apply(host, hostq.UnsureAccounts{})
	_, err := userModule{backend: "shadow"}.Plan(utask, Output{Answers: hostq.Layer(model, host)})
	if u, ok := hostq.IsUnknown(err); !ok || !strings.Contains(u.Why, "group docker") || !strings.Contains(u.Why, "apt") {
		t.Errorf("got %v", err)
	}
}
