package modules

import (
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tend/modules/hostq"
)

// askDisk answers questions about this machine's file system with the
// answering program run by dash, as a host answers them.
func askDisk(t testing.TB, qs []hostq.Question) *hostq.Set {
	t.Helper()
	for _, sh := range shells(t) {
		if sh.name == "dash" {
			return shAnswers(t, sh, qs)
		}
	}
	t.Fatal("no dash among the test shells")
	return nil
}

// diskPathInfo is what a Path question learns about p.
func diskPathInfo(t testing.TB, p string, follow bool) hostq.PathInfo {
	t.Helper()
	st := os.Lstat
	if follow {
		st = os.Stat
	}
	fi, err := st(p)
	if err != nil {
		return hostq.PathInfo{}
	}
	sys := fi.Sys().(*syscall.Stat_t)
	m := fi.Mode()
	info := hostq.PathInfo{
		Exists: true, Type: '-', Perm: uint32(m.Perm()), Nlink: int64(sys.Nlink),
		UID: strconv.Itoa(int(sys.Uid)), GID: strconv.Itoa(int(sys.Gid)), Size: fi.Size(),
	}
	switch {
	case m&fs.ModeDir != 0:
		info.Type = 'd'
	case m&fs.ModeSymlink != 0:
		info.Type = 'l'
		if info.Target, err = os.Readlink(p); err != nil {
			t.Fatal(err)
		}
	case m&fs.ModeNamedPipe != 0:
		info.Type = 'p'
	case m&fs.ModeSocket != 0:
		info.Type = 's'
	case m&fs.ModeCharDevice != 0:
		info.Type = 'c'
	case m&fs.ModeDevice != 0:
		info.Type = 'b'
	}
	for bit, v := range map[fs.FileMode]uint32{fs.ModeSetuid: 0o4000, fs.ModeSetgid: 0o2000, fs.ModeSticky: 0o1000} {
		if m&bit != 0 {
			info.Perm |= v
		}
	}
	info.Owner, info.Group = info.UID, info.GID
	if u, err := user.LookupId(info.UID); err == nil {
		info.Owner = u.Username
	}
	if g, err := user.LookupGroupId(info.GID); err == nil {
		info.Group = g.Name
	}
	return info
}

func diskUmask(t testing.TB) uint32 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Umask:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			if err != nil {
				t.Fatal(err)
			}
			return uint32(n)
		}
	}
	t.Fatal("no Umask in /proc/self/status")
	return 0
}

func diskAccounts(t testing.TB) *hostq.AccountDB {
	t.Helper()
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	group, err := os.ReadFile("/etc/group")
	if err != nil {
		t.Fatal(err)
	}
	return hostq.ParseAccounts(passwd, group)
}

// askPlan asks a module's questions, answers them from the file system
// and plans; ok false when the module keeps its probe for these arguments.
func askPlan(t testing.TB, m Module, task *Task) (ch *Change, out Output, ok bool, err error) {
	t.Helper()
	asker, isAsker := m.(Asker)
	if !isAsker {
		return nil, Output{}, false, nil
	}
	qs, err := asker.Questions(task)
	if err != nil || qs == nil {
		return nil, Output{}, false, err
	}
	out = Output{Answers: askDisk(t, qs)}
	ch, err = m.Plan(task, out)
	if ch != nil {
		mustParse(t, ch.Apply)
	}
	return ch, out, true, err
}
