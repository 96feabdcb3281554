package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"tend/playbooks"
	"tend/runlog"
	"tend/savedplan"
)

// recordFlags are a converge's (or an apply's) bookkeeping: reports, the run lock, splay.
type recordFlags struct {
	reportDir string
	keep      int
	lockWait  time.Duration
	lockDir   string
	splay     time.Duration
	label     string
}

func (f *recordFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.reportDir, "report-dir", "",
		"write a JSON report of the run in DIR and tell corrective changes (drift) from intentional ones (default $TEND_REPORT_DIR; tend cron entries use /var/lib/tend/reports as root, else $XDG_STATE_HOME/tend/reports)")
	fl.IntVar(&f.keep, "keep", 500, "with --report-dir: keep this many reports, removing the oldest (0 keeps all)")
	fl.DurationVar(&f.lockWait, "lock-wait", 0, "wait this long for another run on the same inventory and playbook to end (default: fail at once, exit 1)")
	fl.StringVar(&f.lockDir, "lock-dir", "", "directory of run locks (default /run/tend/locks as root, else $XDG_STATE_HOME/tend/locks)")
	fl.DurationVar(&f.splay, "splay", 0, "wait a random time up to this long before the run, so that many scheduled runs do not start at once")
	fl.StringVar(&f.label, "run-label", "", "a label stored in the report (tend cron sets the entry's name)")
}

// session is one converge's splay, lock and records.
type session struct {
	lock *runlog.Lock
	rec  *runlog.Run // nil without a report dir
	// verbose: say where the report went.
	verbose int
}

// runSpec is what a run's lock and report are about.
type runSpec struct {
	playbook  string   // as given
	inventory []string // the inventory sources
	check     bool
	limit     string
	tags      []string
	skipTags  []string
	digestKey string // --digest-key
	plan      string // the saved plan applied; "" for a converge
	verbose   int
}

// spec is a converge's (or plan's) runSpec.
func (f *convergeFlags) spec(playbook string) runSpec {
	return runSpec{playbook: playbook, inventory: f.sources(), check: f.check, limit: f.limit,
		tags: f.tags, skipTags: f.skipTags, digestKey: f.digestKey, verbose: f.verbose}
}

// begin waits the splay, takes the run lock, and starts the report. A held
// lock is a usage error (exit 1) that names the holder.
func (f *recordFlags) begin(ctx context.Context, stderr io.Writer, cf runSpec) (*session, error) {
	if f.keep < 0 {
		return nil, fmt.Errorf("--keep must be 0 or more")
	}
	if f.label != "" {
		capCronLog() // a scheduled run (tend cron): its log is kept in bounds
	}
	dir := f.reportDir
	if dir == "" {
		dir = os.Getenv("TEND_REPORT_DIR")
	}
	lockDir := f.lockDir
	if lockDir == "" {
		d, err := runlog.DefaultLockDir()
		if err != nil {
			return nil, err
		}
		lockDir = d
	}
	if f.splay > 0 {
		d := rand.N(f.splay)
		if cf.verbose > 0 {
			fmt.Fprintf(stderr, "splay: starting in %s\n", d.Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr, "tend: interrupted")
			return nil, exitError{exitInterrupted}
		case <-time.After(d):
		}
	}
	pb, err := filepath.Abs(cf.playbook)
	if err != nil {
		return nil, err
	}
	inv := runlog.AbsSources(cf.inventory)
	lock, err := runlog.Acquire(ctx, lockDir, runlog.RunKey(pb, inv), f.lockWait, func(h runlog.Holder) {
		fmt.Fprintf(stderr, "waiting up to %s for the run lock, held by %s\n", f.lockWait, h)
	})
	var held *runlog.HeldError
	switch {
	case errors.As(err, &held):
		fmt.Fprintln(stderr, "tend: "+held.Error())
		return nil, exitError{exitUsage}
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "tend: interrupted")
		return nil, exitError{exitInterrupted}
	case err != nil:
		return nil, err
	}
	if lock.Stale != nil {
		fmt.Fprintf(stderr, "warning: took over the run lock left by %s, which ended without releasing it\n", lock.Stale)
	}
	s := &session{lock: lock, verbose: cf.verbose}
	if dir == "" {
		return s, nil
	}
	// The digest key is the one saved plans use, so that a plan run and a
	// converge classify the same changes alike.
	keyPath, err := digestKeyPath(cf.digestKey)
	if err != nil {
		lock.Release()
		return nil, err
	}
	key, err := savedplan.Key(keyPath, true)
	if err != nil {
		lock.Release()
		return nil, err
	}
	s.rec, err = runlog.Begin(runlog.Config{
		Dir: dir, Keep: f.keep, Playbook: pb, Inventory: inv, Check: cf.check, DigestKey: key,
		Version: versionString(), Label: f.label, Limit: cf.limit, Tags: cf.tags, SkipTags: cf.skipTags,
		Plan: cf.plan,
	})
	if err != nil {
		lock.Release()
		return nil, err
	}
	return s, nil
}

// digestKey keys the runner's digests with the store's secret.
func (s *session) digestKey() []byte {
	if s.rec == nil {
		return nil
	}
	return s.rec.DigestKey()
}

// observe records an event and marks a change corrective or intentional.
func (s *session) observe(e *playbooks.Event) {
	if s.rec != nil {
		s.rec.Observe(e)
	}
}

// stopped ends a session whose run stopped early (interrupted, or a bad
// hosts pattern) and returns the command's error.
func (s *session) stopped(cmd *cobra.Command, sum *playbooks.Summary, err error, stderr io.Writer) error {
	code := exitUsage
	if cmd.Context().Err() != nil {
		code = exitInterrupted
	}
	s.end(sum, err, code, stderr)
	return interrupted(cmd, stderr, err)
}

// refuse records a host a saved plan's apply left alone, and why.
func (s *session) refuse(host, reason string) {
	if s.rec != nil {
		s.rec.Refuse(host, reason)
	}
}

// end writes the report, then releases the lock.
func (s *session) end(sum *playbooks.Summary, runErr error, code int, stderr io.Writer) {
	defer s.lock.Release()
	if s.rec == nil {
		return
	}
	path, err := s.rec.Finish(sum, runErr, code)
	if err != nil {
		fmt.Fprintln(stderr, "warning: run report: "+err.Error())
	} else if s.verbose > 0 {
		fmt.Fprintln(stderr, "report: "+path)
	}
}
