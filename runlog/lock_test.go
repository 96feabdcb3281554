package runlog

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestLockHeldThenFree(t *testing.T) {
	dir := t.TempDir()
	l1, err := Acquire(context.Background(), dir, "k", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l1.Stale != nil {
		t.Errorf("fresh lock is stale: %v", l1.Stale)
	}
	// flock locks belong to open files: a second open in this process
	// conflicts as another process's would.
	_, err = Acquire(context.Background(), dir, "k", 0, nil)
	var held *HeldError
	if !errors.As(err, &held) || held.Holder.PID != os.Getpid() || !strings.Contains(err.Error(), "--lock-wait") {
		t.Fatalf("second acquire: %v", err)
	}
	// Another pair is not locked.
	l3, err := Acquire(context.Background(), dir, "other", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	l3.Release()
	// A waiter gets the lock once it is released.
	told := make(chan Holder, 1)
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(context.Background(), dir, "k", time.Hour, func(h Holder) { told <- h })
		if err == nil {
			if l.Stale != nil {
				err = errors.New("a clean release looks stale")
			}
			l.Release()
		}
		got <- err
	}()
	if h := <-told; h.PID != os.Getpid() {
		t.Errorf("waiting for %+v", h)
	}
	l1.Release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// A holder that dies leaves its lock free, and its name in the file.
func TestLockOfDeadProcessIsTakenOver(t *testing.T) {
	if os.Getenv("RUNLOG_LOCK_CHILD") != "" {
		if _, err := Acquire(context.Background(), os.Getenv("RUNLOG_LOCK_CHILD"), "k", 0, nil); err != nil {
			os.Exit(3)
		}
		os.Exit(0) // without Release
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockOfDeadProcessIsTakenOver$")
	cmd.Env = append(os.Environ(), "RUNLOG_LOCK_CHILD="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v %s", err, out)
	}
	l, err := Acquire(context.Background(), dir, "k", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if l.Stale == nil || l.Stale.PID != cmd.Process.Pid {
		t.Errorf("stale holder %+v, want PID %d", l.Stale, cmd.Process.Pid)
	}
}
