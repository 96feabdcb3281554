package modules

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
	"testing"
)

// wantPathInfo checks the keys AnsibleModule's add_path_info puts in a
// result for p (lstat'ed, as Ansible does) against the file itself.
func wantPathInfo(t testing.TB, res Result, p string) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	state := "file"
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		state = "link"
	case fi.IsDir():
		state = "directory"
	case st.Nlink > 1:
		state = "hard"
	}
	uid, gid := strconv.Itoa(int(st.Uid)), strconv.Itoa(int(st.Gid))
	owner, group := uid, gid
	if u, err := user.LookupId(uid); err == nil {
		owner = u.Username
	}
	if g, err := user.LookupGroupId(gid); err == nil {
		group = g.Name
	}
	want := map[string]any{
		"state": state, "mode": fmt.Sprintf("0%03o", fi.Mode().Perm()),
		"uid": int(st.Uid), "gid": int(st.Gid), "owner": owner, "group": group, "size": fi.Size(),
	}
	for k, v := range want {
		if res[k] != v {
			t.Errorf("%s: %s=%#v, want %#v (result %v)", p, k, res[k], v, res)
		}
	}
}
