package runlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Holder is who holds (or held) a run lock; it is written in the lock file.
type Holder struct {
	PID     int       `json:"pid"`
	Start   time.Time `json:"start"`
	Host    string    `json:"host,omitempty"`
	Command string    `json:"command,omitempty"`
}

func (h Holder) String() string {
	if h.PID == 0 {
		return "a run that is starting"
	}
	s := fmt.Sprintf("PID %d, started %s", h.PID, h.Start.Local().Format("2006-01-02 15:04:05"))
	if h.Command != "" {
		s += " (" + h.Command + ")"
	}
	return s
}

// HeldError says the lock is held by another run.
type HeldError struct {
	Holder Holder
	Path   string
	Waited time.Duration
}

func (e *HeldError) Error() string {
	if e.Waited > 0 {
		return fmt.Sprintf("another run still holds the lock after %s: %s (lock file %s)", e.Waited, e.Holder, e.Path)
	}
	return fmt.Sprintf("another run holds the lock: %s (lock file %s); --lock-wait DURATION waits for it", e.Holder, e.Path)
}

// Lock is a held run lock. flock(2) locks end with their process, so a
// lock whose holder died is free; its file still names the dead holder
// (Stale), since a clean release removes it.
type Lock struct {
	f    *os.File
	Path string
	// Stale is set when the previous holder died without releasing.
	Stale *Holder
}

// LockPath is the lock file of an inventory and playbook pair (RunKey).
func LockPath(dir, runKey string) string { return filepath.Join(dir, runKey+".lock") }

// Acquire takes the pair's lock in dir. If it is held, it waits up to wait
// (0: not at all), calling waiting once with the holder, then fails with a
// *HeldError.
func Acquire(ctx context.Context, dir, runKey string, wait time.Duration, waiting func(Holder)) (*Lock, error) {
	if err := mkdirPrivate(dir); err != nil {
		return nil, fmt.Errorf("lock dir: %v", err)
	}
	path := LockPath(dir, runKey)
	start := time.Now()
	told := false
	for {
		f, holder, err := tryLock(path)
		if err != nil {
			return nil, err
		}
		if f != nil {
			return hold(f, path), nil
		}
		if holder == nil { // the file was removed under us: try the new one
			continue
		}
		waited := time.Since(start)
		if waited >= wait {
			return nil, &HeldError{Holder: *holder, Path: path, Waited: wait}
		}
		if !told && waiting != nil {
			waiting(*holder)
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(100*time.Millisecond, wait-waited)):
		}
	}
}

// tryLock opens the lock file and tries to lock it. It returns the locked
// file, or the holder when another run holds it, or neither when the file
// it locked is no longer the one at path (its holder released it, which
// removes it, between the open and the lock).
func tryLock(path string) (*os.File, *Holder, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("lock: %v", err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		h := readHolder(f)
		f.Close()
		return nil, &h, nil
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("lock %s: %v", path, err)
	}
	if !samePath(f, path) {
		f.Close()
		return nil, nil, nil
	}
	return f, nil, nil
}

// samePath tells whether the open file f is still the one named path.
func samePath(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(path)
	return err == nil && os.SameFile(a, b)
}

// hold records this process as the holder of the locked file f.
func hold(f *os.File, path string) *Lock {
	l := &Lock{f: f, Path: path}
	if h := readHolder(f); h.PID != 0 {
		l.Stale = &h
	}
	host, _ := os.Hostname()
	// The command is named, not its arguments: -e may carry secrets.
	cmd := filepath.Base(os.Args[0])
	if len(os.Args) > 1 {
		cmd += " " + os.Args[1]
	}
	me := Holder{PID: os.Getpid(), Start: time.Now(), Host: host, Command: cmd}
	data, _ := json.Marshal(me)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(data, '\n'), 0)
	}
	return l
}

func readHolder(f *os.File) Holder {
	var h Holder
	buf := make([]byte, 4096)
	n, _ := f.ReadAt(buf, 0)
	_ = json.Unmarshal(buf[:n], &h)
	return h
}

// Release removes the lock file, then unlocks it. It is removed while
// still locked, so no other run holds it then; a run that opened it before
// sees, once it has the lock, that the path no longer names its file, and
// opens the path again (see tryLock). A holder that dies leaves the file,
// naming it, for the next run to report (Stale).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.Path)
	if cerr := l.f.Close(); err == nil { // closing the last descriptor drops the flock
		err = cerr
	}
	l.f = nil
	return err
}
