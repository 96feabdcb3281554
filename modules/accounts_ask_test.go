package modules

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tend/modules/hostq"
)

// acctDirAnswers answers questions about a folder standing for a host's /
// (root "": this machine's, read only) with the answering program
// (hostq.Compile) under dash: each path is asked under root, the accounts
// are root's passwd and group; tools are the commands said to be on the
// PATH (this machine's are not the fake host's).
func acctDirAnswers(t testing.TB, root string, qs []hostq.Question, tools ...string) *hostq.Set {
	t.Helper()
	var asked []hostq.Question
	for _, q := range qs {
		switch q := q.(type) {
		case hostq.Path:
			asked = append(asked, hostq.Path{Path: root + q.Path, Follow: q.Follow})
		case hostq.Content:
			asked = append(asked, hostq.Content{Path: root + q.Path})
		case hostq.Accounts:
			asked = append(asked, hostq.Content{Path: root + "/etc/passwd"}, hostq.Content{Path: root + "/etc/group"})
		case hostq.Empty:
			asked = append(asked, hostq.Empty{Path: root + q.Path})
		case hostq.Command:
		default:
			t.Fatalf("cannot answer %#v", q)
		}
	}
	got := askDisk(t, asked)
	s := hostq.NewSet()
	for _, q := range qs {
		switch q := q.(type) {
		case hostq.Path:
			fi, err := got.Path(root+q.Path, q.Follow)
			if err != nil {
				s.SetError(q, err)
			} else {
				s.SetPath(q.Path, q.Follow, fi)
			}
		case hostq.Content:
			if b, err := got.Content(root + q.Path); err != nil {
				s.SetError(q, err)
			} else {
				s.SetContent(q.Path, b)
			}
		case hostq.Accounts:
			pw, err1 := got.Content(root + "/etc/passwd")
			gr, err2 := got.Content(root + "/etc/group")
			if err := errors.Join(err1, err2); err != nil {
				t.Fatal(err)
			}
			s.SetAccounts(hostq.ParseAccounts(pw, gr))
		case hostq.Empty:
			e, err := got.Empty(root + q.Path)
			if err != nil {
				t.Fatal(err)
			}
			s.SetEmpty(q.Path, e)
		case hostq.Command:
			s.SetCommand(q.Name, contains(tools, q.Name))
		}
	}
	return s
}

func acctPathInfo(p string, follow bool, db *hostq.AccountDB) hostq.PathInfo {
	stat := os.Lstat
	if follow {
		stat = os.Stat
	}
	fi, err := stat(p)
	if err != nil {
		return hostq.PathInfo{}
	}
	st := fi.Sys().(*syscall.Stat_t)
	out := hostq.PathInfo{Exists: true, Perm: uint32(fi.Mode().Perm()), Nlink: int64(st.Nlink), Size: fi.Size(),
		UID: strconv.Itoa(int(st.Uid)), GID: strconv.Itoa(int(st.Gid))}
	if fi.Mode()&fs.ModeSetuid != 0 {
		out.Perm |= 0o4000
	}
	if fi.Mode()&fs.ModeSetgid != 0 {
		out.Perm |= 0o2000
	}
	if fi.Mode()&fs.ModeSticky != 0 {
		out.Perm |= 0o1000
	}
	out.Owner, out.Group = out.UID, out.GID
	for _, u := range db.Users {
		if u.UID == out.UID {
			out.Owner = u.Name
			break
		}
	}
	for _, g := range db.Groups {
		if g.GID == out.GID {
			out.Group = g.Name
			break
		}
	}
	switch m := fi.Mode(); {
	case m.IsDir():
		out.Type = 'd'
	case m&fs.ModeSymlink != 0:
		out.Type = 'l'
		out.Target, _ = os.Readlink(p)
	case m&fs.ModeNamedPipe != 0:
		out.Type = 'p'
	case m&fs.ModeSocket != 0:
		out.Type = 's'
	case m&fs.ModeCharDevice != 0:
		out.Type = 'c'
	case m&fs.ModeDevice != 0:
		out.Type = 'b'
	default:
		out.Type = '-'
	}
	return out
}

// The answers' reading of login.defs and /etc/default/useradd is the
// probe's awk's, line for line.
func TestAcctDefaultsParse(t *testing.T) {
	t.Parallel()
	defs := parseLoginDefs([]byte("# c\nUID_MIN 500\n  GID_MIN\t600 # trailing\nUMASK 027\nUID_MIN 700\nUID_MAX x\n#SYS_UID_MIN 5\nHOME_MODE\nPASS_MAX_DAYS 99\r\nUSERGROUPS_ENAB yes\n"))
	want := map[string]string{"uid_min": "700", "gid_min": "600", "umask": "027", "pass_max_days": "99"}
	if !reflect.DeepEqual(defs, want) {
		t.Errorf("login.defs: %v, want %v", defs, want)
	}
	dflt := parseUseraddDefaults([]byte("GROUP=100\nHOME=/srv=x\nSHELL=/bin/a:b\nINACTIVE=-1\nSHELL\n"))
	if want := map[string]string{"group": "100", "home": "/srv", "shell": ""}; !reflect.DeepEqual(dflt, want) {
		t.Errorf("useradd defaults: %v, want %v", dflt, want)
	}
	// The same text through the probe's awk, under busybox (whose awk
	// splits at '\r' too).
	sh := shells(t)[1]
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc/default"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "etc/passwd"), fakePasswd, 0o644)
	writeFile(t, filepath.Join(root, "etc/group"), fakeGroup, 0o644)
	writeFile(t, filepath.Join(root, "etc/login.defs"), "# c\nUID_MIN 500\n  GID_MIN\t600 # trailing\nUMASK 027\nUID_MIN 700\nUID_MAX x\n#SYS_UID_MIN 5\nHOME_MODE\nPASS_MAX_DAYS 99\r\n", 0o644)
	writeFile(t, filepath.Join(root, "etc/default/useradd"), "GROUP=100\nHOME=/srv=x\nSHELL=/bin/a:b\nINACTIVE=-1\nSHELL\n", 0o644)
	s := newScript()
	acctProbe(s, acctEnv{root: root})
	r, err := readProbe(sh.run(t, s.String()))
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := readAcctDB(r)
	if err != nil {
		t.Fatal(err)
	}
	answered, err := readAcctAnswers(acctDirAnswers(t, root, acctQuestions()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(legacy.defs, answered.defs) || !reflect.DeepEqual(legacy.defaults, answered.defaults) {
		t.Errorf("probe read %v %v, answers %v %v", legacy.defs, legacy.defaults, answered.defs, answered.defaults)
	}
	if !reflect.DeepEqual(legacy.AccountDB, answered.AccountDB) || legacy.shadow != answered.shadow {
		t.Errorf("databases differ:\n%+v\n%+v", legacy.AccountDB, answered.AccountDB)
	}
	// A bad number is the same error either way.
	writeFile(t, filepath.Join(root, "etc/login.defs"), "UMASK 089\n", 0o644)
	if _, err := readAcctAnswers(acctDirAnswers(t, root, acctQuestions())); err == nil || !strings.Contains(err.Error(), `UMASK="089" is not a number`) {
		t.Errorf("bad UMASK: %v", err)
	}
}
