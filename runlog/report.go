package runlog

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"tend/modules"
	"tend/playbooks"
)

// Kinds of change, for changed tasks (Event.Change, TaskReport.Change).
const (
	Corrective  = "corrective"  // the playbook asks for what was applied before: the host drifted
	Intentional = "intentional" // the playbook asks for something new (or tend has no memory of it)
)

// Report is the record of one run, as written to RUNID.json.
type Report struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"` // e.g. the cron entry's name
	// Start and End bound the run; Duration is End-Start.
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Duration time.Duration `json:"duration_ns"`
	Version  string        `json:"tend_version"`
	Mode     string        `json:"mode"` // apply or check
	// Plan is the saved plan a `tend apply` applied (its path as given).
	Plan string `json:"plan,omitempty"`
	// Playbook and Inventory are absolute paths (host lists as written).
	Playbook  string   `json:"playbook"`
	Inventory []string `json:"inventory"`
	Limit     string   `json:"limit,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	SkipTags  []string `json:"skip_tags,omitempty"`
	// Git is the playbook's commit, when it is in a git work tree.
	Git      *GitInfo `json:"git,omitempty"`
	ExitCode int      `json:"exit_code"`
	// Error is why the run stopped early (interrupted, a bad hosts pattern).
	Error  string       `json:"error,omitempty"`
	Hosts  []HostReport `json:"hosts"`
	Totals Totals       `json:"totals"`
}

// HostReport is one host's part of a run.
type HostReport struct {
	Name string `json:"name"`
	// Status is the worst of the host's results: interrupted (the run was
	// stopped, Ctrl-C or SIGTERM, before the host finished), unreachable,
	// failed, changed (in check mode: changes pending) or ok.
	Status string `json:"status"`
	// Refused is why a saved plan's apply left the host alone (status
	// refused): its state differs from the plan's, or the plan failed on it.
	Refused     string       `json:"refused,omitempty"`
	OK          int          `json:"ok"`
	Changed     int          `json:"changed"`
	Failed      int          `json:"failed"`
	Skipped     int          `json:"skipped"`
	Unreachable int          `json:"unreachable"`
	Rescued     int          `json:"rescued"`
	Ignored     int          `json:"ignored"`
	Interrupted int          `json:"interrupted,omitempty"` // 1: the run's end stopped the host
	Corrective  int          `json:"corrective"`            // changed tasks (and loop items) that corrected drift
	Intentional int          `json:"intentional"`           // changed tasks (and loop items) the playbook asked anew
	Tasks       []TaskReport `json:"tasks"`
}

// TaskReport is one task (or loop item) on one host.
type TaskReport struct {
	Play    string `json:"play"`
	Task    string `json:"task"`
	Module  string `json:"module,omitempty"`
	Pos     string `json:"pos,omitempty"` // file:line, relative to the playbook's folder
	Item    string `json:"item,omitempty"`
	Handler bool   `json:"handler,omitempty"`
	Status  string `json:"status"`
	Change  string `json:"change,omitempty"` // corrective or intentional, for changed tasks
	// Unknown (check mode) says why the change is known only after apply.
	Unknown  string         `json:"known_after_apply,omitempty"`
	Ignored  bool           `json:"ignored,omitempty"`
	Msg      string         `json:"msg,omitempty"` // failed and unreachable tasks only
	Diffs    []modules.Diff `json:"diffs,omitempty"`
	Duration time.Duration  `json:"duration_ns"`
}

// Totals sum a run's hosts (host counts) and changed tasks (task counts).
type Totals struct {
	Hosts       int `json:"hosts"`
	Changed     int `json:"changed"`               // hosts with a change
	Failed      int `json:"failed"`                // hosts with a failure
	Unreachable int `json:"unreachable"`           // hosts not reached
	Refused     int `json:"refused,omitempty"`     // hosts a plan's apply left alone
	Interrupted int `json:"interrupted,omitempty"` // hosts the run's end stopped
	Corrective  int `json:"corrective"`            // changed tasks that corrected drift
	Intentional int `json:"intentional"`           // changed tasks the playbook asked anew
}

// Config describes a run to record.
type Config struct {
	Dir  string // the report directory
	Keep int    // reports kept after this one is written (0: all)
	// Playbook and Inventory as given; they are made absolute.
	Playbook       string
	Inventory      []string
	Check          bool
	Version, Label string
	Limit          string
	Tags, SkipTags []string
	Plan           string           // the saved plan applied (tend apply)
	Now            func() time.Time // for tests; default time.Now
	SkipGit        bool             // do not look for the playbook's commit
	// DigestKey keys the runner's digests (playbooks.Options.DigestKey);
	// it must be the same from run to run for changes to be classified.
	DigestKey []byte
}

// Run records one run: Observe every event, then Finish.
type Run struct {
	cfg    Config
	store  *Store
	key    string
	report Report
	state  *State // what was remembered before this run
	// seen counts identical task identities per host, so that two tasks
	// with the same name and position (an included file run twice, no_log
	// loop items) stay apart.
	seen    map[string]map[string]int
	applied map[string]map[string]string // this run's new memories
	hosts   map[string]*HostReport
	order   []string
}

// Begin starts recording a run: it opens the store and reads what was
// applied before. The caller holds the pair's lock (see Acquire).
func Begin(cfg Config) (*Run, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.DigestKey) == 0 {
		return nil, fmt.Errorf("runlog: no digest key")
	}
	pb, err := filepath.Abs(cfg.Playbook)
	if err != nil {
		return nil, err
	}
	inv := AbsSources(cfg.Inventory)
	if err := mkdirPrivate(cfg.Dir); err != nil {
		return nil, fmt.Errorf("report dir: %v", err)
	}
	store, err := OpenStore(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("report dir: %v", err)
	}
	key := RunKey(pb, inv)
	st, err := store.Load(key)
	if err != nil {
		return nil, err
	}
	start := cfg.Now()
	mode := "apply"
	if cfg.Check {
		mode = "check"
	}
	r := &Run{
		cfg: cfg, store: store, key: key, state: st,
		seen: map[string]map[string]int{}, applied: map[string]map[string]string{}, hosts: map[string]*HostReport{},
		report: Report{
			ID: newRunID(start), Label: cfg.Label, Start: start, Version: cfg.Version, Mode: mode, Plan: cfg.Plan,
			Playbook: pb, Inventory: inv, Limit: cfg.Limit, Tags: cfg.Tags, SkipTags: cfg.SkipTags,
		},
	}
	if !cfg.SkipGit {
		r.report.Git = gitInfo(filepath.Dir(pb))
	}
	return r, nil
}

// DigestKey is the key for playbooks.Options.DigestKey.
func (r *Run) DigestKey() []byte { return r.cfg.DigestKey }

// ID is the run's id (its report is ID.json).
func (r *Run) ID() string { return r.report.ID }

// newRunID is sortable by start time and unique: 20261126T205038.123Z-a1b2c3.
func newRunID(t time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	// Microseconds: runs started in the same millisecond still sort in order.
	return t.UTC().Format("20060102T150405.000000Z") + "-" + hex.EncodeToString(b)
}

// identity names a task on a host across runs: the play, the file the
// task is in (not its line: lines added above it must not make its next
// drift look intentional), its name and module, the loop item, and which
// occurrence of all these it is in the run (Observe), which tells apart
// tasks alike in one file by their order.
func identity(e *playbooks.Event) string {
	file := e.TaskPos
	if i := strings.LastIndexByte(file, ':'); i > 0 {
		file = file[:i]
	}
	return strings.Join([]string{e.Play, file, e.Task, e.Module, e.Item}, " | ")
}

// Observe records an event. For a changed task it sets e.Change to
// Corrective or Intentional (before the event is rendered).
func (r *Run) Observe(e *playbooks.Event) {
	if e.Kind != playbooks.EventTask {
		return
	}
	h := r.host(e.Host)
	id := identity(e)
	if r.seen[e.Host] == nil {
		r.seen[e.Host] = map[string]int{}
	}
	r.seen[e.Host][id]++
	if n := r.seen[e.Host][id]; n > 1 {
		id += fmt.Sprintf(" #%d", n)
	}
	if e.Status == playbooks.StatusChanged && e.Desired != "" {
		if prev, ok := r.state.Hosts[e.Host][id]; ok && prev == e.Desired {
			e.Change = Corrective
			h.Corrective++
		} else {
			e.Change = Intentional
			h.Intentional++
		}
	}
	// A real run remembers what the host now is: asked for, and either
	// already so or changed to it.
	if !r.cfg.Check && !e.Check && e.Desired != "" && (e.Status == playbooks.StatusOK || e.Status == playbooks.StatusChanged) {
		if r.applied[e.Host] == nil {
			r.applied[e.Host] = map[string]string{}
		}
		r.applied[e.Host][id] = e.Desired
	}
	t := TaskReport{
		Play: e.Play, Task: e.Task, Module: e.Module, Pos: e.TaskPos, Item: e.Item, Handler: e.Handler,
		Status: string(e.Status), Change: e.Change, Ignored: e.Ignored, Diffs: e.Diffs, Duration: e.Duration,
		Unknown: e.Unknown,
	}
	if e.Status == playbooks.StatusFailed || e.Status == playbooks.StatusUnreachable || e.Status == playbooks.StatusInterrupted {
		t.Msg = e.Msg
	}
	h.Tasks = append(h.Tasks, t)
}

// Refuse records a host a saved plan's apply left alone, and why.
func (r *Run) Refuse(host, reason string) {
	r.host(host).Refused = reason
}

func (r *Run) host(name string) *HostReport {
	h, ok := r.hosts[name]
	if !ok {
		h = &HostReport{Name: name, Tasks: []TaskReport{}}
		r.hosts[name] = h
		r.order = append(r.order, name)
	}
	return h
}

// Finish writes the report (and, after a real run, the new memories), then
// prunes old reports. sum may be nil when the run stopped before any host;
// runErr is why it stopped early, if it did.
func (r *Run) Finish(sum *playbooks.Summary, runErr error, exitCode int) (string, error) {
	rep := &r.report
	rep.End = r.cfg.Now()
	rep.Duration = rep.End.Sub(rep.Start)
	rep.ExitCode = exitCode
	if runErr != nil {
		rep.Error = runErr.Error()
	}
	order := r.order
	if sum != nil {
		order = append([]string(nil), sum.HostOrder...)
		for _, name := range r.order {
			if _, ok := sum.Hosts[name]; !ok {
				order = append(order, name)
			}
		}
	}
	rep.Hosts = nil
	for _, name := range order {
		h := r.host(name)
		if sum != nil && sum.Hosts[name] != nil {
			rc := sum.Hosts[name]
			h.OK, h.Changed, h.Failed, h.Skipped = rc.OK, rc.Changed, rc.Failed, rc.Skipped
			h.Unreachable, h.Rescued, h.Ignored, h.Interrupted = rc.Unreachable, rc.Rescued, rc.Ignored, rc.Interrupted
		}
		h.Status = hostStatus(h)
		rep.Hosts = append(rep.Hosts, *h)
	}
	rep.Totals = totals(rep.Hosts)
	data, err := json.Marshal(rep)
	if err != nil {
		return "", err
	}
	path := filepath.Join(r.cfg.Dir, rep.ID+".json")
	if err := writeFileAtomic(path, data); err != nil {
		return "", err
	}
	if !r.cfg.Check && len(r.applied) > 0 {
		st := r.state
		st.Playbook, st.Inventory, st.Updated = rep.Playbook, rep.Inventory, rep.End
		for host, ids := range r.applied {
			if st.Hosts[host] == nil || r.whole(host) {
				// A host that ran every task forgets the tasks that are
				// gone from the playbook.
				st.Hosts[host] = map[string]string{}
			}
			for id, d := range ids {
				st.Hosts[host][id] = d
			}
		}
		if err := r.store.Save(r.key, st); err != nil {
			return path, err
		}
	}
	return path, Prune(r.cfg.Dir, r.cfg.Keep, filepath.Base(path))
}

// whole says whether the run saw the whole playbook on host: no tags
// narrowed it, and the host neither failed nor was cut off or interrupted
// (whose later tasks did not run).
func (r *Run) whole(host string) bool {
	h := r.hosts[host]
	if h == nil || len(r.cfg.Tags) > 0 || len(r.cfg.SkipTags) > 0 {
		return false
	}
	s := hostStatus(h)
	return s != "failed" && s != "unreachable" && s != "interrupted"
}

func hostStatus(h *HostReport) string {
	failed := h.Failed > 0
	unreachable := h.Unreachable > 0
	interrupted := h.Interrupted > 0
	for _, t := range h.Tasks {
		failed = failed || (t.Status == string(playbooks.StatusFailed) && !t.Ignored)
		unreachable = unreachable || t.Status == string(playbooks.StatusUnreachable)
		interrupted = interrupted || t.Status == string(playbooks.StatusInterrupted)
	}
	switch {
	case h.Refused != "":
		return "refused"
	case interrupted:
		// Whatever failed then failed because the run was stopped.
		return "interrupted"
	case unreachable:
		return "unreachable"
	case failed:
		return "failed"
	case h.Changed > 0 || h.Corrective+h.Intentional > 0:
		return "changed"
	}
	return "ok"
}

func totals(hosts []HostReport) Totals {
	t := Totals{Hosts: len(hosts)}
	for _, h := range hosts {
		switch h.Status {
		case "unreachable":
			t.Unreachable++
		case "failed":
			t.Failed++
		case "refused":
			t.Refused++
		case "interrupted":
			t.Interrupted++
		}
		if h.Changed > 0 || h.Corrective+h.Intentional > 0 {
			t.Changed++
		}
		t.Corrective += h.Corrective
		t.Intentional += h.Intentional
	}
	return t
}

// reportName tells report files from the others in a report directory.
func reportName(name string) bool {
	return strings.HasSuffix(name, ".json") && len(name) > 20 && name[8] == 'T' && !strings.HasPrefix(name, ".")
}

// Prune removes the oldest reports beyond the keep newest (keep 0 keeps
// all), never the one named current (the report just written).
func Prune(dir string, keep int, current string) error {
	if keep <= 0 {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && reportName(e.Name()) && e.Name() != current {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if current != "" {
		keep-- // current is kept, and counts
	}
	for len(names) > keep && len(names) > 0 {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil && !os.IsNotExist(err) {
			return err
		}
		names = names[1:]
	}
	return nil
}
