package playbooks

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"

	"tend/inventory"
	"tend/modules"
	"tend/modules/hostq"
	"tend/playbooks/load"
	"tend/transport"
)

// Why a host stops working through a task list.
var (
	errHostFailed = errors.New("host failed")
	errEndPlay    = errors.New("end_play")
	errEndHost    = errors.New("end_host")
	// errRefused stops a host whose change Options.Guard refused; unlike
	// errHostFailed, no rescue runs.
	errRefused = errors.New("change refused")
)

// playRun is one play being run on its hosts.
type playRun struct {
	r     *runner
	index int
	play  *load.Play
	hosts []*inventory.Host
	// taskIndex numbers every task of the play in written order, for
	// events (see Event.TaskIndex).
	taskIndex map[*load.Task]int
	// handlers in the order they are defined; notify names resolve to them.
	handlers []*load.Task
	// groups, hostvars and the play's host names are the magic variables,
	// built once per play (not per host and task: that is quadratic).
	groups, hostvars map[string]any
	hostNames        []any
	// indexMu guards taskIndex once hosts run: tasks of dynamic includes
	// are numbered as they are loaded.
	indexMu sync.Mutex
	gapNext map[*load.Task]int // per templated include: the next free number of its gap
	end     int                // past every task's number
	onceState
}

// indexOf is a task's number for events.
func (p *playRun) indexOf(t *load.Task) int {
	p.indexMu.Lock()
	defer p.indexMu.Unlock()
	return p.taskIndex[t]
}

// dynamicGap is how many task numbers a templated include keeps for the
// tasks it loads when run, so that they come between the include and the
// task after it in the output.
const dynamicGap = 1 << 16

// number numbers the tasks a templated include loaded (inc), in the gap
// kept after it.
func (p *playRun) number(inc *load.Task, tasks []*load.Task) {
	p.indexMu.Lock()
	defer p.indexMu.Unlock()
	next, ok := p.gapNext[inc]
	if !ok { // an include inside a file loaded at run time: its own parent's gap is gone
		next = p.taskIndex[inc] + 1
	}
	var walk func(ts []*load.Task)
	walk = func(ts []*load.Task) {
		for _, t := range ts {
			if _, ok := p.taskIndex[t]; !ok {
				p.taskIndex[t] = next
				next++
			}
			walk(t.Block)
			walk(t.Rescue)
			walk(t.Always)
			if t.Include != nil {
				walk(t.Include.Tasks)
			}
		}
	}
	walk(tasks)
	p.gapNext[inc] = next
}

func newPlayRun(r *runner, index int, play *load.Play, hosts []*inventory.Host) *playRun {
	p := &playRun{r: r, index: index, play: play, hosts: hosts, taskIndex: map[*load.Task]int{}, gapNext: map[*load.Task]int{}}
	n := 0
	var number func(ts []*load.Task)
	number = func(ts []*load.Task) {
		for _, t := range ts {
			p.taskIndex[t] = n
			n++
			number(t.Block)
			number(t.Rescue)
			number(t.Always)
			if t.Include != nil {
				number(t.Include.Tasks)
				if t.Include.Dynamic() {
					p.gapNext[t] = n
					n += dynamicGap
				}
			}
		}
	}
	for _, list := range [][]*load.Task{play.PreTasks, play.Tasks, play.PostTasks, play.Handlers} {
		number(list)
	}
	p.end = n
	p.handlers = play.Handlers
	p.initOnce(len(hosts))
	p.groups = r.groupsVar()
	p.hostvars = r.hostvarsVar()
	p.hostNames = make([]any, len(hosts))
	for i, h := range hosts {
		p.hostNames[i] = h.Name
	}
	return p
}

func (p *playRun) name() string {
	if p.play.Name != "" {
		return p.play.Name
	}
	return p.play.Hosts
}

// hostRun is one host working through one play.
type hostRun struct {
	p        *playRun
	hs       *hostState
	notified map[*load.Task]bool
	// probes are answers fetched ahead (see prefetch.go); stale is set when
	// the host changed since the last look-ahead.
	probes map[[sha256.Size]byte][]modules.Output
	stale  bool
	// forecasts are the answers dropped at the last applies, newest per
	// probe: they decide how far an apply looks ahead (see prefetch.go).
	forecasts map[[sha256.Size]byte]modules.Output
	// answers are the host's answers to questions (see answers.go), for
	// answersUser.
	answers     *hostq.Set
	answersUser string
	// ahead is the task list being run, for looking ahead from an apply.
	ahead *listCursor
	// queue holds the changes waiting to be applied together (batch.go).
	queue applyQueue
	// item is the index of the loop item being run.
	item int
	// current is the event of the task (and loop item) being run, for
	// Options.Guard.
	current Event
	// env exports the environment of the task being run (see environment).
	env string
	// scopes are the variables dynamic includes bind for the tasks they
	// run (loop items), innermost last.
	scopes []map[string]any
	// delegates are connections to the hosts tasks are delegated to.
	delegates map[string]transport.Conn
	// index is the host's place in the play's hosts (run_once runs on the
	// first).
	index int
	// public are the roles public include_roles brought in on this host:
	// the play's later tasks see their variables.
	public []*load.Role
}

// listCursor is where runList is in its task list.
type listCursor struct {
	current *load.Task   // the task being run
	tasks   []*load.Task // the tasks after the current one
	next    int          // index of the first of them in the list
	covered int          // the list's tasks before this were looked at
}

func (p *playRun) runHost(ctx context.Context, hs *hostState) {
	h := &hostRun{p: p, hs: hs, notified: map[*load.Task]bool{}, index: slices.IndexFunc(p.hosts, func(x *inventory.Host) bool { return x.Name == hs.host.Name })}
	defer p.leaveOnce()
	defer h.closeDelegates()
	var stopped error // why the host left the play early
	defer func() {
		p.r.interrupt(ctx, hs, stopped)
		if hs.out || p.index >= hs.lastPlay {
			hs.release()
		}
		rc := hs.recap
		if hs.conn != nil {
			rc.RoundTrips = hs.conn.Stats().RoundTrips
		}
		p.r.emit(Event{Kind: EventHostDone, Play: p.name(), PlayIndex: p.index, Host: hs.host.Name, TaskIndex: p.end, Recap: &rc})
	}()
	if err := h.connect(ctx); err != nil {
		stopped = err
		hs.out = true
		hs.recap.Unreachable++
		p.r.emit(Event{Kind: EventTask, Play: p.name(), PlayIndex: p.index, Host: hs.host.Name, Task: "connect", TaskIndex: -1, Status: StatusUnreachable, Msg: err.Error()})
		return
	}
	if p.play.GatherFacts && hs.facts == nil {
		if err := h.gatherFacts(ctx); err != nil {
			stopped = err
			hs.out = true
			hs.recap.Failed++
			p.r.emit(Event{Kind: EventTask, Play: p.name(), PlayIndex: p.index, Host: hs.host.Name, Task: "gather facts", TaskIndex: -1, Status: StatusFailed, Msg: err.Error()})
			return
		}
	}
	if p.play.Unsupported != "" {
		hs.out = true
		hs.recap.Failed++
		p.r.emit(Event{Kind: EventTask, Play: p.name(), PlayIndex: p.index, Host: hs.host.Name, Task: "play", TaskIndex: -1,
			TaskPos: p.r.posString(p.play.Pos), Status: StatusFailed, Msg: p.play.Unsupported})
		return
	}
	var err error
	for _, list := range [][]*load.Task{p.play.PreTasks, p.play.Tasks, p.play.PostTasks} {
		if err = h.runList(ctx, list); err != nil {
			break
		}
		// Ansible flushes handlers after each section.
		if err = h.flushHandlers(ctx); err != nil {
			break
		}
	}
	switch {
	case errors.Is(err, errEndPlay), errors.Is(err, errEndHost), err == nil:
	default:
		stopped = err
		hs.out = true
	}
}

// runList runs tasks in order until one fails the host.
func (h *hostRun) runList(ctx context.Context, tasks []*load.Task) error {
	cur := &listCursor{}
	outer := h.ahead
	defer func() { h.ahead = outer }()
	for i, t := range tasks {
		if err := ctx.Err(); err != nil {
			h.dropQueue() // interrupted: what waits is neither applied nor reported
			return err
		}
		if (i >= cur.covered || h.stale) && !h.pendingChanges() {
			cur.covered = i + max(1, h.prefetch(ctx, tasks[i:]))
		}
		cur.current, cur.tasks, cur.next = t, tasks[i+1:], i+1
		h.ahead = cur
		var err error
		if isBlock(t) {
			// A block's rescue sees its own tasks' failures only.
			if err = h.flush(ctx, h.lookFrom()); err == nil {
				err = h.runBlock(ctx, t)
			}
		} else {
			err = h.runTask(ctx, t)
		}
		if err != nil {
			h.dropQueue()
			return err
		}
	}
	// The list's changes are applied and reported before it ends: a
	// block's rescue and always, and the handlers, come after them.
	look := lookAhead{}
	if outer != nil {
		look = lookAhead{tasks: outer.tasks, cur: outer, first: outer.next}
	}
	return h.flush(ctx, look)
}

// runBlock runs a block: on failure its rescue, then always its always.
func (h *hostRun) runBlock(ctx context.Context, b *load.Task) error {
	failedBefore := h.hs.recap.Failed
	err := h.runList(ctx, b.Block)
	if errors.Is(err, errHostFailed) && len(b.Rescue) > 0 {
		h.hs.recap.Rescued++
		// The failure was handled: Ansible no longer counts it as failed.
		h.hs.recap.Failed = failedBefore
		err = h.runList(ctx, b.Rescue)
	}
	if aerr := h.runList(ctx, b.Always); aerr != nil && err == nil {
		err = aerr
	}
	return err
}

// notify records the handlers a changed task names, by name or listen topic.
func (h *hostRun) notify(t *load.Task, pos string) error {
	for _, name := range t.Notify {
		found := false
		for _, hd := range h.p.handlers {
			if hd.Name == name || slices.Contains(hd.Listen, name) ||
				(hd.Role != nil && hd.Role.Name+" : "+hd.Name == name) {
				h.notified[hd] = true
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%s: notify: no handler is named or listens to %q", pos, name)
		}
	}
	return nil
}

// flushHandlers runs the notified handlers, once each, in the order they
// are defined.
func (h *hostRun) flushHandlers(ctx context.Context) error {
	for _, hd := range h.p.handlers {
		if !h.notified[hd] {
			continue
		}
		delete(h.notified, hd)
		if err := h.runTask(ctx, hd); err != nil {
			h.dropQueue()
			return err
		}
	}
	return h.flush(ctx, lookAhead{})
}
