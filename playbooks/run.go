package playbooks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"tend/internal/vault"
	"time"

	"tend/inventory"
	"tend/modules/hostq"
	"tend/playbooks/jinja"
	"tend/playbooks/load"
	"tend/transport"
)

// Options are the settings of a converge.
type Options struct {
	Forks     int
	Check     bool // change nothing; report what would change
	Diff      bool // report content and attribute diffs
	ExtraVars map[string]any
	Tags      []string
	SkipTags  []string
	Limit     string
	Connect   ConnectOptions
	// Vault decrypts vault-encrypted files include_vars reads at run time.
	Vault *vault.Keyring
	// Events receives every event, one call at a time.
	Events func(Event)
	// DigestKey keys the Desired and Planned digests of events. Give a
	// secret kept with the run records (never in the playbook), so that a
	// digest of a no_log value cannot be checked against guesses; nil
	// means unkeyed SHA-256.
	DigestKey []byte
	// Guard, when set, is called before each change is applied (never in
	// check mode) with the task's event as it would be reported: Status
	// changed, Desired, Planned and Diffs set (Diffs nil under no_log).
	// An error refuses the change: the task fails with the error's
	// message, and the host applies nothing more and stops, whatever
	// ignore_errors and rescue say. `tend apply` guards a saved plan so.
	Guard func(Event) error
	// OnlyHosts, when non-nil, restricts every play to these of its
	// matched hosts. The others are not touched, but the inventory is
	// whole: groups and hostvars are as in a run without it.
	OnlyHosts map[string]bool
	// StatusOnly says that the caller reads of a task's result only what
	// the text output shows: its status, message and diffs, and a failed
	// command's rc, cmd and output. The results that nothing else reads
	// either (the task registers nothing and has no changed_when,
	// failed_when or until) are then left without what costs the host a
	// process only to fill them: a written path's stat, a command's start
	// and end times (modules.Task.Unread). Leave it unset when the events'
	// results are shown or kept whole (JSON).
	StatusOnly bool
}

// Summary is the outcome of a run, per host.
type Summary struct {
	Hosts map[string]*Recap
	// HostOrder lists the hosts in the order they were first met.
	HostOrder []string
	Duration  time.Duration
}

// Changed, Failed and Unreachable count hosts.
func (s *Summary) count(f func(*Recap) bool) int {
	n := 0
	for _, r := range s.Hosts {
		if f(r) {
			n++
		}
	}
	return n
}

func (s *Summary) Changed() int     { return s.count(func(r *Recap) bool { return r.Changed > 0 }) }
func (s *Summary) Failed() int      { return s.count(func(r *Recap) bool { return r.Failed > 0 }) }
func (s *Summary) Unreachable() int { return s.count(func(r *Recap) bool { return r.Unreachable > 0 }) }
func (s *Summary) Interrupted() int { return s.count(func(r *Recap) bool { return r.Interrupted > 0 }) }

// runner holds what one run shares across plays and hosts.
type runner struct {
	o     Options
	pb    *load.Playbook
	inv   *inventory.Inventory
	jinja *jinja.Env

	emitMu sync.Mutex
	// ctx is the run's: once it ends (Ctrl-C), failures are interruptions.
	ctx context.Context

	mu    sync.Mutex
	hosts map[string]*hostState
	order []string
	// lastPlay is, per host name, the index of the last play it is in.
	lastPlay map[string]int
	// rt are group_by's and add_host's changes to the inventory.
	rt runtimeInv
}

// hostState is what a run knows about one host across plays.
type hostState struct {
	host  *inventory.Host
	conn  transport.Conn
	facts map[string]any // gathered facts; nil until gathered
	// vars are set_fact and register results: they outlive the play, as
	// in Ansible.
	vars map[string]any
	// included are include_vars results: written by people, so their
	// templates are rendered when used, ranking below set_fact.
	included map[string]any
	// moduleFacts are the facts modules returned (getent, package_facts):
	// host variables, and in ansible_facts.
	moduleFacts map[string]any
	recap       Recap
	// out is set once the host failed or was unreachable: later plays
	// leave it alone.
	out bool
	// refused is set once Options.Guard refused a change on the host.
	refused error
	// lastPlay is the index of the last play the host is in: its
	// connection is closed once it finished that play, so that a large
	// fleet does not hold every host's connection until the run ends.
	lastPlay int
	// model is a check run's prediction of the host: what the changes it
	// reported would have done (see answers.go).
	model *hostq.Model
	// cut is how the recap counted the task the run's end interrupted
	// (failed, unreachable or ignored), "" if none was (see interrupt).
	cut Status
	// accountFiles are /etc/passwd and /etc/group as the host last
	// answered them (see hostRun.compile).
	accountFiles map[string]knownFile
}

// release closes the host's connection once it has nothing left to do,
// keeping its round trip count.
func (hs *hostState) release() {
	if hs.conn == nil {
		return
	}
	hs.recap.RoundTrips = hs.conn.Stats().RoundTrips
	hs.conn.Close()
	hs.conn = nil
}

// Run converges the playbook's plays on the inventory's hosts. Hosts run
// independently, at most Forks at a time; a failing or unreachable host
// stops only itself.
func Run(ctx context.Context, pb *load.Playbook, inv *inventory.Inventory, o Options) (*Summary, error) {
	start := time.Now()
	r := &runner{o: o, pb: pb, inv: inv, jinja: NewTemplateEnv(), hosts: map[string]*hostState{}, lastPlay: map[string]int{}, ctx: ctx}
	if r.o.Events == nil {
		r.o.Events = func(Event) {}
	}
	defer r.closeAll()
	// Every play's hosts are resolved before any host is touched, so a bad
	// pattern is a load error, not a failure halfway through the run.
	matches := make([]*inventory.Match, len(pb.Plays))
	for i, play := range pb.Plays {
		m, err := r.matchPlay(play)
		if err != nil {
			return r.summary(start), err
		}
		matches[i] = m
		for _, h := range m.Hosts {
			r.lastPlay[h.Name] = i
		}
	}
	for i, play := range pb.Plays {
		if err := ctx.Err(); err != nil {
			return r.summary(start), err
		}
		if err := r.rematch(pb.Plays, matches, i); err != nil {
			return r.summary(start), err
		}
		r.runPlay(ctx, i, play, matches[i])
	}
	return r.summary(start), ctx.Err()
}

// matchPlay renders a play's hosts pattern (it may use -e and play vars, as
// in Ansible) and resolves it with --limit.
func (r *runner) matchPlay(play *load.Play) (*inventory.Match, error) {
	pattern := play.Hosts
	if jinja.IsTemplate(pattern) {
		vars := map[string]any{}
		for k, v := range play.Vars {
			vars[k] = v
		}
		for k, v := range r.o.ExtraVars {
			vars[k] = v
		}
		p, err := r.jinja.Render(pattern, vars)
		if err != nil {
			return nil, fmt.Errorf("%s: hosts: %w", r.posString(play.Pos), err)
		}
		pattern = p
	}
	m, err := r.matchRuntime(pattern, r.o.Limit)
	if err != nil {
		return nil, fmt.Errorf("%s: hosts: %w", r.posString(play.Pos), err)
	}
	return m, nil
}

func (r *runner) emit(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if e.Kind == EventTask && r.ctx.Err() != nil {
		r.interrupted(&e)
	}
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	r.o.Events(e)
}

// interrupted reports a task the run's end cut short as interrupted, not
// as failed or unreachable: once the run's context ended (Ctrl-C), a
// command or connection that fails fails because of it. The host's recap
// is mended when it leaves the play (see interrupt).
func (r *runner) interrupted(e *Event) {
	var counted Status
	switch {
	case e.Status == StatusUnreachable:
		counted = StatusUnreachable
	case e.Status == StatusFailed && e.Ignored:
		counted = "ignored"
	case e.Status == StatusFailed:
		counted = StatusFailed
	default:
		return
	}
	e.Status, e.Ignored = StatusInterrupted, false
	if e.Msg == "" || strings.Contains(e.Msg, context.Canceled.Error()) {
		e.Msg = "the run was interrupted"
	} else {
		e.Msg = "the run was interrupted (" + e.Msg + ")"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if hs := r.hosts[e.Host]; hs != nil && rank(counted) > rank(hs.cut) {
		hs.cut = counted // as finish counts a task: unreachable over failed over ignored
	}
}

func rank(s Status) int {
	switch s {
	case StatusUnreachable:
		return 3
	case StatusFailed:
		return 2
	case "ignored":
		return 1
	}
	return 0
}

// interrupt marks a host the run's end stopped before it finished its
// play: the recap counts it interrupted, and the task cut short neither
// failed nor unreachable. err is why the host stopped (nil: it finished).
func (r *runner) interrupt(ctx context.Context, hs *hostState, err error) {
	if ctx.Err() == nil || err == nil && hs.cut == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if hs.cut == "" && !errors.Is(err, ctx.Err()) {
		return // it stopped for a reason of its own
	}
	rc := &hs.recap
	switch hs.cut {
	case StatusUnreachable:
		rc.Unreachable = max(0, rc.Unreachable-1)
	case StatusFailed:
		rc.Failed = max(0, rc.Failed-1)
	case "ignored":
		rc.Ignored = max(0, rc.Ignored-1)
	}
	hs.cut = ""
	rc.Interrupted = 1
	hs.out = true
}

func (r *runner) state(h *inventory.Host) *hostState {
	r.mu.Lock()
	defer r.mu.Unlock()
	hs, ok := r.hosts[h.Name]
	if !ok {
		hs = &hostState{host: withExtraVars(h, r.o.ExtraVars), vars: map[string]any{}, lastPlay: r.lastPlay[h.Name]}
		r.hosts[h.Name] = hs
		r.order = append(r.order, h.Name)
	}
	if rh := r.runtimeHost(h.Name); rh != nil && rh != h {
		hs.host = withExtraVars(rh, r.o.ExtraVars) // group_by, add_host
	}
	return hs
}

// withExtraVars is the host as the run sees it: extra vars (-e) win over
// everything, connection and become variables included (ansible_user,
// ansible_become_password...), as in Ansible.
func withExtraVars(h *inventory.Host, extra map[string]any) *inventory.Host {
	if len(extra) == 0 {
		return h
	}
	c := *h
	c.Vars = make(map[string]any, len(h.Vars)+len(extra))
	for k, v := range h.Vars {
		c.Vars[k] = v
	}
	for k, v := range extra {
		c.Vars[k] = v
	}
	return &c
}

func (r *runner) summary(start time.Time) *Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &Summary{Hosts: map[string]*Recap{}, HostOrder: append([]string(nil), r.order...), Duration: time.Since(start)}
	for name, hs := range r.hosts {
		rc := hs.recap
		if hs.conn != nil {
			rc.RoundTrips = hs.conn.Stats().RoundTrips
		}
		s.Hosts[name] = &rc
	}
	return s
}

func (r *runner) closeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, hs := range r.hosts {
		if hs.conn != nil {
			hs.conn.Close()
		}
	}
}

// runPlay runs one play on its hosts.
func (r *runner) runPlay(ctx context.Context, index int, play *load.Play, m *inventory.Match) {
	var hosts []*inventory.Host
	for _, h := range m.Hosts {
		if r.o.OnlyHosts != nil && !r.o.OnlyHosts[h.Name] {
			continue
		}
		if !r.state(h).out {
			hosts = append(hosts, h)
		}
	}
	p := newPlayRun(r, index, play, hosts)
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	var warnings []string
	for _, part := range m.Unmatched {
		warnings = append(warnings, fmt.Sprintf("%q matches no group or host in the inventory", part))
	}
	r.emit(Event{Kind: EventPlayStart, Play: p.name(), PlayIndex: index, Hosts: names, Warnings: warnings})
	forEachHost(ctx, hosts, r.o.Forks, func(ctx context.Context, h *inventory.Host) {
		p.runHost(ctx, r.state(h))
	})
	r.emit(Event{Kind: EventPlayEnd, Play: p.name(), PlayIndex: index})
}

// posString renders a task's position as file:line, relative to the
// playbook's folder when inside it.
func (r *runner) posString(pos load.Pos) string {
	f := strings.TrimPrefix(pos.File, r.pb.Dir+"/")
	return fmt.Sprintf("%s:%d", f, pos.Line)
}
