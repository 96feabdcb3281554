package playbooks

import (
	"time"

	"tend/modules"
	"tend/playbooks/load"
)

// Status is how a task ended on a host.
type Status string

const (
	StatusOK          Status = "ok"
	StatusChanged     Status = "changed" // in check mode: would change
	StatusFailed      Status = "failed"
	StatusSkipped     Status = "skipped"
	StatusUnreachable Status = "unreachable"
	// StatusInterrupted is a task the run's end (Ctrl-C, SIGTERM) cut
	// short: what failed then failed because of it.
	StatusInterrupted Status = "interrupted"
)

// EventKind says what an Event reports.
type EventKind string

const (
	EventPlayStart EventKind = "play_start" // Play, Hosts
	EventTask      EventKind = "task"       // one task (or loop item) on one host
	EventHostDone  EventKind = "host_done"  // a host finished the play (or failed out of it)
	EventPlayEnd   EventKind = "play_end"
)

// Event is what the runner reports; the CLI renders events and the report
// writer stores them. Events are delivered one at a time, in the order they
// happen.
type Event struct {
	Kind EventKind `json:"kind"`
	Time time.Time `json:"time"`

	Play      string   `json:"play,omitempty"`
	PlayIndex int      `json:"play_index"`
	Hosts     []string `json:"hosts,omitempty"` // play_start: the hosts of the play
	// Warnings (play_start): parts of the hosts pattern that matched nothing.
	Warnings []string `json:"warnings,omitempty"`

	Host string `json:"host,omitempty"`
	// Task and TaskIndex identify the task. TaskIndex orders the play's
	// tasks as written (pre_tasks, roles, tasks, post_tasks, handlers); a
	// host's events come in increasing TaskIndex, so a renderer can group
	// hosts' results by task although hosts run independently.
	Task      string `json:"task,omitempty"`
	TaskIndex int    `json:"task_index"`
	TaskPos   string `json:"task_pos,omitempty"` // file:line
	Module    string `json:"module,omitempty"`
	Handler   bool   `json:"handler,omitempty"`
	Item      string `json:"item,omitempty"` // the loop item's label

	Status  Status         `json:"status,omitempty"`
	Msg     string         `json:"msg,omitempty"`
	Diffs   []modules.Diff `json:"diffs,omitempty"`
	Ignored bool           `json:"ignored,omitempty"` // failed, but ignore_errors
	Check   bool           `json:"check,omitempty"`   // check mode: nothing was changed
	// Unknown (check mode) says why the change can only be known after
	// apply: what the task's plan needs that an earlier change decides.
	Unknown string `json:"known_after_apply,omitempty"`
	// Result is the registered result, already redacted for no_log.
	Result   modules.Result `json:"result,omitempty"`
	Duration time.Duration  `json:"duration_ns,omitempty"`
	// Desired is a digest of the state a module task asked for (module and
	// checked arguments): the same digest on a later run means the
	// playbook asked for the same thing. Planned is a digest of the change
	// found (Desired and the diffs), set when the task changed or would
	// change; a saved plan compares it. Both are keyed with
	// Options.DigestKey.
	Desired string `json:"desired,omitempty"`
	Planned string `json:"planned,omitempty"`
	// Change says why a changed task changed: "corrective" (the host
	// drifted from what was applied before) or "intentional" (the playbook
	// asks for something new). The runner leaves it empty; the CLI sets it
	// from the run records (package runlog) when it keeps them.
	Change string `json:"change,omitempty"`

	// Recap is set on host_done.
	Recap *Recap `json:"recap,omitempty"`
}

// Recap counts a host's task results in a run, as Ansible's PLAY RECAP.
type Recap struct {
	OK          int `json:"ok"`
	Changed     int `json:"changed"`
	Failed      int `json:"failed"`
	Skipped     int `json:"skipped"`
	Unreachable int `json:"unreachable"`
	Rescued     int `json:"rescued"`
	Ignored     int `json:"ignored"`
	// Interrupted is 1 when the run was interrupted (Ctrl-C, SIGTERM)
	// before the host finished: the task it was on is not counted failed
	// or unreachable.
	Interrupted int   `json:"interrupted,omitempty"`
	RoundTrips  int64 `json:"round_trips"`
	// Probes is how many probe scripts the host ran, alone or in batches:
	// each task's probe about once in a converge (see prefetch.go).
	Probes int64 `json:"probes"`
	// Where the host's time went: connecting (handshake and shell),
	// gathering facts, probing (including batches ahead) and applying.
	Connect time.Duration `json:"connect_ns"`
	Facts   time.Duration `json:"facts_ns"`
	Probe   time.Duration `json:"probe_ns"`
	Apply   time.Duration `json:"apply_ns"`
}

// Add counts one more result.
func (r *Recap) Add(s Status, ignored bool) {
	switch s {
	case StatusOK:
		r.OK++
	case StatusChanged:
		r.Changed++
		r.OK++ // Ansible counts changed tasks among ok ones
	case StatusFailed:
		if ignored {
			r.Ignored++
			r.OK++ // as Ansible's strategy counts an ignored failure
		} else {
			r.Failed++
		}
	case StatusSkipped:
		r.Skipped++
	case StatusUnreachable:
		r.Unreachable++
	}
}

// noLogMessage is what Ansible shows in place of a no_log task's output.
const noLogMessage = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"

// displayName is a task's name as Ansible 2.14 prints it (Task.get_name):
// a role's task is "role : name" (the role's collection.role name for a
// collection's), and an unnamed one "role : module". An include_role is
// its own name, else "include_role : ROLE", even inside a role. name is the
// task's rendered name, "" when it has none.
func displayName(t *load.Task, name string) string {
	if t.Module == "include_role" {
		if name != "" {
			return name
		}
		return "include_role : " + includedRole(t)
	}
	if name == "" {
		name = t.Module
	}
	if t.Role == nil {
		return name
	}
	role := t.Role.Name
	if t.Role.Collection != "" {
		role = t.Role.Collection + "." + role
	}
	return role + " : " + name
}

// includedRole is the name of the role an include_role brings in: the role
// of its tasks ("" when none was found).
func includedRole(t *load.Task) string {
	if t.Include == nil {
		return ""
	}
	if r := t.Include.Public; r != nil {
		return r.Name
	}
	// The role's dependencies come first; the role itself is the one the
	// include task's own role (if any) brought in.
	for _, it := range t.Include.Tasks {
		if r := it.Role; r != nil && (len(r.Parents) == 0 && t.Role == nil || len(r.Parents) > 0 && r.Parents[0] == t.Role) {
			return r.Name
		}
	}
	return ""
}
