package runlog

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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

// A clean release removes the lock file; the next run takes a fresh one.
func TestLockFileRemovedAtRelease(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(context.Background(), dir, "k", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(LockPath(dir, "k")); err != nil {
		t.Fatalf("no lock file while held: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(LockPath(dir, "k")); !os.IsNotExist(err) {
		t.Errorf("lock file left after release: %v", err)
	}
	l, err = Acquire(context.Background(), dir, "k", 0, nil)
	if err != nil || l.Stale != nil {
		t.Fatalf("after release: %v, stale %v", err, l.Stale)
	}
	l.Release()
}

// A run that locked the file its holder has just removed must not think it
// holds the lock: it takes the file now at the path.
func TestLockOnARemovedFileIsRetried(t *testing.T) {
	dir := t.TempDir()
	path := LockPath(dir, "k")
	old, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if samePath(old, path) {
		t.Fatal("a removed file is taken for the path")
	}
	l, err := Acquire(context.Background(), dir, "k", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if !samePath(l.f, path) {
		t.Error("the lock is not held on the file at the path")
	}
}

// A symlinked playbook or inventory is the same pair as the real file.
func TestRunKeyResolvesSymlinks(t *testing.T) {
	dir := t.TempDir()
	pb, inv := filepath.Join(dir, "site.yml"), filepath.Join(dir, "hosts")
	for _, p := range []string{pb, inv} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(pb, filepath.Join(dir, "link.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "via")); err != nil {
		t.Fatal(err)
	}
	key := RunKey(pb, []string{inv})
	for _, k := range []string{
		RunKey(filepath.Join(dir, "link.yml"), []string{inv}),
		RunKey(pb, []string{filepath.Join(dir, "via", "hosts")}),
		RunKey(filepath.Join(dir, "via", "..", "site.yml"), []string{inv}),
	} {
		if k != key {
			t.Errorf("symlinked pair keyed %s, the real one %s", k, key)
		}
	}
	if RunKey(pb, []string{"a,b,"}) == RunKey(pb, []string{"a,c,"}) {
		t.Error("host lists are one pair")
	}
}
