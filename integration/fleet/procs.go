package fleet

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// spawn starts cmd from one of a few goroutines that are locked to their OS
// threads and never exit. The kernel sends the parent-death signal
// (SysProcAttr.Pdeathsig) when the *thread* that forked the child exits, not
// the process; the Go runtime ends a thread when a goroutine that locked it
// exits, which would kill a host in the middle of a test. Threads that never
// end only let the signal fire when the whole process dies, which is the point.
func spawn(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnReq)
		for range 4 {
			go func() {
				runtime.LockOSThread() // never unlocked: this thread must live as long as the process
				for r := range spawner.reqs {
					r.done <- r.cmd.Start()
				}
			}()
		}
	})
	done := make(chan error, 1)
	spawner.reqs <- spawnReq{cmd, done}
	return <-done
}

var spawner struct {
	once sync.Once
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

// nsID identifies a namespace: the device and inode of its nsfs file, as
// stat(2) on /proc/PID/ns/mnt reports them.
type nsID struct{ dev, ino uint64 }

func (n nsID) String() string { return fmt.Sprintf("mnt:[%d]", n.ino) }

func statNS(path string) (nsID, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return nsID{}, err
	}
	return nsID{uint64(st.Dev), st.Ino}, nil
}

func fstatNS(f *os.File) (nsID, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return nsID{}, err
	}
	return nsID{uint64(st.Dev), st.Ino}, nil
}

// pinNS opens the mount namespace of pid. Holding the file keeps the
// namespace alive, so its inode number stays unique until the file is closed:
// a process found in it later is one of ours, never a stranger whose
// namespace got the recycled number.
func pinNS(pid int) (*os.File, nsID, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/mnt", pid))
	if err != nil {
		return nil, nsID{}, err
	}
	id, err := fstatNS(f)
	if err != nil {
		f.Close()
		return nil, nsID{}, err
	}
	self, err := statNS("/proc/self/ns/mnt")
	if err != nil {
		f.Close()
		return nil, nsID{}, err
	}
	if id == self {
		// Killing "everything in this namespace" would then kill the machine.
		f.Close()
		return nil, nsID{}, fmt.Errorf("process %d is in our own mount namespace", pid)
	}
	return f, id, nil
}

// procsIn lists the live processes whose mount namespace is in set. Zombies
// have no namespace any more and are not listed.
func procsIn(set map[nsID]bool) map[nsID][]int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	self := os.Getpid()
	found := map[nsID][]int{}
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid == self {
			continue
		}
		id, err := statNS("/proc/" + name + "/ns/mnt")
		if err != nil || !set[id] {
			continue
		}
		found[id] = append(found[id], pid)
	}
	return found
}

// killNamespaces sends SIGKILL to every process in the namespaces in set, and
// to nothing else, until none is left or timeout passes. New processes (a
// session forking as it dies) are caught by scanning again.
func killNamespaces(set map[nsID]bool, timeout time.Duration) error {
	if len(set) == 0 {
		return nil
	}
	deadline := time.Now().Add(timeout)
	for delay := time.Millisecond; ; delay = min(2*delay, 20*time.Millisecond) {
		found := procsIn(set)
		if len(found) == 0 {
			return nil
		}
		for _, pids := range found {
			for _, pid := range pids {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("fleet: processes still alive %v after SIGKILL: %s", timeout, describe(found))
		}
		// SIGKILL is asynchronous and the kernel offers no way to wait for a
		// process that is not our child: poll until /proc shows them gone.
		time.Sleep(delay)
	}
}

// stopNamespace sends SIGSTOP to the processes in ns until all of them are
// stopped. Signals are delivered asynchronously, and a process may fork
// before its turn comes: only a scan that finds nothing running is final.
func stopNamespace(id nsID, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for delay := time.Millisecond; ; delay = min(2*delay, 20*time.Millisecond) {
		var running []int
		pids := procsIn(map[nsID]bool{id: true})[id]
		// A shell that vforked waits for its child to exec, in state D,
		// and takes no signal meanwhile: when the child was stopped
		// before its exec, the parent waits for as long as it is stopped.
		states := make(map[int]byte, len(pids))
		stoppedChild := map[int]bool{}
		for _, pid := range pids {
			st, ppid := procStat(pid)
			states[pid] = st
			if st == 'T' || st == 't' {
				stoppedChild[ppid] = true
			}
		}
		for _, pid := range pids {
			switch st := states[pid]; {
			case st == 'T', st == 't', st == 'Z', st == 'X', st == 0:
				// Stopped, or a zombie whose stopped parent cannot reap
				// it (a `sleep` of a loop that ended just before): a
				// zombie never stops, and runs nothing either.
			case st == 'D' && stoppedChild[pid]:
				// Frozen behind its stopped vfork child (see above).
			default:
				running = append(running, pid)
				_ = syscall.Kill(pid, syscall.SIGSTOP)
			}
		}
		if len(running) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			var states []string
			for _, pid := range running {
				st, ppid := procStat(pid)
				states = append(states, fmt.Sprintf("%d state %c parent %d", pid, st, ppid))
			}
			return fmt.Errorf("fleet: %d processes in %v not stopped after %v: %s (%s)", len(running), id, timeout,
				describe(map[nsID][]int{id: running}), strings.Join(states, ", "))
		}
		time.Sleep(delay) // the kernel offers no wait for another's process stop
	}
}

// procState is the state letter of /proc/PID/stat ('R', 'S', 'T', ...), or
// 0 when the process is gone.
func procState(pid int) byte {
	st, _ := procStat(pid)
	return st
}

// procStat is the state letter and the parent's PID of /proc/PID/stat;
// state 0 when the process is gone.
func procStat(pid int) (state byte, ppid int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	// The command name in parentheses may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0, 0
	}
	// ") S PPID ..."
	f := bytes.Fields(b[i+1:])
	if len(f) >= 2 {
		ppid, _ = strconv.Atoi(string(f[1]))
	}
	return b[i+2], ppid
}

// signalNamespace sends sig to every process in ns.
func signalNamespace(id nsID, sig syscall.Signal) error {
	for _, pid := range procsIn(map[nsID]bool{id: true})[id] {
		if err := syscall.Kill(pid, sig); err != nil && err != syscall.ESRCH {
			return err
		}
	}
	return nil
}

func describe(found map[nsID][]int) string {
	var parts []string
	for id, pids := range found {
		for _, pid := range pids {
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			parts = append(parts, fmt.Sprintf("%d(%s in %v)", pid, strings.TrimSpace(string(comm)), id))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
