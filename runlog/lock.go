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
// (Stale), since a clean release empties it.
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
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %v", err)
	}
	start := time.Now()
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %v", path, err)
		}
		holder := readHolder(f)
		waited := time.Since(start)
		if waited >= wait {
			f.Close()
			return nil, &HeldError{Holder: holder, Path: path, Waited: wait}
		}
		if !told && waiting != nil {
			waiting(holder)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(min(100*time.Millisecond, wait-waited)):
		}
	}
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
	return l, nil
}

func readHolder(f *os.File) Holder {
	var h Holder
	buf := make([]byte, 4096)
	n, _ := f.ReadAt(buf, 0)
	_ = json.Unmarshal(buf[:n], &h)
	return h
}

// Release empties the lock file (so the next holder knows this one ended
// cleanly) and unlocks it. The file stays: removing a lock file others may
// have open would let two runs hold "the" lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close() // closing the last descriptor drops the flock
	l.f = nil
	return err
}
