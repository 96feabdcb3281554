package playbooks

import (
	"os"
	"testing"
)

// A plan that needs an answer its questions could not name ahead (user:
// an existing user's home other than /home/NAME, known only from the
// accounts) gets it in one more round. Check mode only: this machine's
// accounts are read, never changed.
func TestAskMoreRound(t *testing.T) {
	before, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	pb := `
- hosts: all
  gather_facts: false
  tasks:
    - {name: same, user: {name: daemon}}
    - {name: other, user: {name: daemon, comment: "changed in check mode"}}
`
	events, _, _ := runLocal(t, pb, func(o *Options) { o.Check = true })
	if got, want := trail(events), "same:ok other:changed"; got != want {
		t.Errorf("got  %s\nwant %s (%+v)", got, want, events)
	}
	if after, _ := os.ReadFile("/etc/passwd"); string(after) != string(before) {
		t.Error("check mode changed /etc/passwd")
	}
}
