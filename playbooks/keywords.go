package playbooks

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"tend/inventory"
	"tend/modules"
	"tend/modules/shell"
	"tend/playbooks/load"
	"tend/transport"
)

// This file carries out the task keywords decided per host when a task
// runs: templated booleans, environment, until/retries/delay, run_once and
// delegate_to.

// decideFlags returns the task with its templated keywords (Task.Flags)
// decided for this host: a copy, so that the loaded task stays shared.
func (h *hostRun) decideFlags(t *load.Task, vars map[string]any) (*load.Task, error) {
	if len(t.Flags) == 0 {
		return t, nil
	}
	c := *t
	for _, k := range slices.Sorted(maps.Keys(t.Flags)) {
		v, err := h.p.r.jinja.Value(t.Flags[k], vars)
		if err != nil {
			return t, fmt.Errorf("%s: %v", k, err)
		}
		b, ok := modules.ToBool(v)
		if !ok {
			return t, fmt.Errorf("%s must be true or false, not %q", k, show(v))
		}
		switch k {
		case "become":
			c.Become = &b
		case "no_log":
			c.NoLog = b
		case "ignore_errors":
			c.IgnoreErrors = b
		case "check_mode":
			c.CheckMode = &b
		case "diff":
			c.Diff = &b
		case "run_once":
			c.RunOnce = b
		}
	}
	return &c, nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// environment renders a task's environment (play, blocks and task, the
// inner winning) into the lines that export it in a module's scripts.
func (h *hostRun) environment(t *load.Task, vars map[string]any) (string, error) {
	if len(t.Environment) == 0 {
		return "", nil
	}
	env := map[string]string{}
	for _, layer := range t.Environment {
		v, err := h.p.r.jinja.Value(layer, vars)
		if err != nil {
			return "", fmt.Errorf("environment: %v", err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			if v == nil {
				continue
			}
			return "", fmt.Errorf("environment must be a mapping, not %s", show(v))
		}
		for k, x := range m {
			if !envName.MatchString(k) {
				return "", fmt.Errorf("environment: %q is not a valid variable name", k)
			}
			if x == nil {
				x = ""
			}
			env[k] = toText(x)
		}
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(env)) {
		fmt.Fprintf(&b, "export %s=%s\n", k, shell.Quote(env[k]))
	}
	return b.String(), nil
}

// toText is a value as Ansible puts it into an environment variable.
func toText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return show(v)
}

// withEnv puts the environment's exports before a module's script.
func withEnv(env, script string) string {
	if env == "" || script == "" {
		return script
	}
	return env + script
}

// runAttempts runs the task for one item, again until its until condition
// holds (Ansible's retries and delay), and adds attempts to the result.
func (h *hostRun) runAttempts(ctx context.Context, t *load.Task, vars map[string]any, pos string) outcome {
	if t.Until == "" {
		return h.runOnce(ctx, t, vars, pos)
	}
	// As Ansible 2.14: retries unset means 3 attempts, else retries + 1.
	attempts := t.Retries + 1
	switch {
	case t.Retries < 0: // not given
		attempts = 3
	case t.Retries == 0:
		attempts = 1
	}
	var o outcome
	for attempt := 1; ; attempt++ {
		o = h.runOnce(ctx, t, vars, pos)
		if o.status == StatusSkipped || o.status == StatusUnreachable || o.refused {
			return o
		}
		if o.result == nil {
			o.result = modules.Result{}
		}
		o.result["attempts"] = attempt
		scope := vars
		if t.Register != "" {
			scope = withVar(vars, t.Register, map[string]any(registered([]outcome{o}, false)))
		}
		ok, err := h.p.r.jinja.Truthy(t.Until, scope)
		if err != nil {
			return failf("%s: until: %v", pos, err)
		}
		if ok {
			return o
		}
		if attempt >= attempts {
			if o.status != StatusFailed {
				o.status = StatusFailed
				o.msg = fmt.Sprintf("%s: until %s: still false after %d attempts", pos, t.Until, attempt)
			}
			return o
		}
		select {
		case <-ctx.Done():
			return failf("%s: %v", pos, ctx.Err())
		case <-time.After(time.Duration(t.Delay) * time.Second):
		}
	}
}

// onceRun is a run_once task's outcome, shared by the play's hosts. As in
// Ansible, it runs on the first host of the play (in inventory order) that
// reaches it, and the others take its result. Hosts run independently in
// tend, so the task is a meeting point: each host that reaches it waits
// until every host still in the play is waiting at some run_once task (or
// has left the play); then each waiting task runs on the first of the hosts
// that reached it. Hosts that reach it after that take its result.
type onceRun struct {
	arrived []int // indexes in the play's hosts
	decided bool
	runner  int
	done    chan struct{} // closed once the runner has its outcome
	outs    []outcome
	labels  []string
	looped  bool
}

// onceState is the play's run_once meeting points.
type onceState struct {
	onceMu  sync.Mutex
	onceCnd *sync.Cond
	once    map[*load.Task]*onceRun
	alive   int // hosts still running the play
	waiting int // of them, waiting at a run_once task
}

func (p *playRun) initOnce(hosts int) {
	p.onceCnd = sync.NewCond(&p.onceMu)
	p.alive = hosts
}

// runOnceShared is where host (its index in the play) meets the others at
// a run_once task. It returns the task's shared run, and whether this host
// is the one to run it.
func (p *playRun) runOnceShared(t *load.Task, host int) (*onceRun, bool) {
	p.onceMu.Lock()
	defer p.onceMu.Unlock()
	if p.once == nil {
		p.once = map[*load.Task]*onceRun{}
	}
	o := p.once[t]
	if o == nil {
		o = &onceRun{done: make(chan struct{})}
		p.once[t] = o
	}
	if o.decided {
		return o, false
	}
	o.arrived = append(o.arrived, host)
	p.waiting++
	p.decideOnce()
	for !o.decided {
		p.onceCnd.Wait()
	}
	return o, o.runner == host
}

// decideOnce settles every waiting run_once task once no host can still
// arrive at one: all hosts left in the play are waiting. The caller holds
// onceMu.
func (p *playRun) decideOnce() {
	if p.waiting == 0 || p.waiting < p.alive {
		return
	}
	for _, o := range p.once {
		if o.decided || len(o.arrived) == 0 {
			continue
		}
		o.decided, o.runner = true, slices.Min(o.arrived)
		p.waiting -= len(o.arrived)
	}
	p.onceCnd.Broadcast()
}

// leaveOnce says a host has finished the play (or failed out of it).
func (p *playRun) leaveOnce() {
	p.onceMu.Lock()
	defer p.onceMu.Unlock()
	p.alive--
	p.decideOnce()
}

// delegate returns the connection a delegated task runs on: nil when the
// task runs on its own host.
func (h *hostRun) delegate(ctx context.Context, t *load.Task, vars map[string]any) (transport.Conn, error) {
	if t.DelegateTo == "" {
		return nil, nil
	}
	to, err := h.p.r.jinja.Render(t.DelegateTo, vars)
	if err != nil {
		return nil, fmt.Errorf("delegate_to: %v", err)
	}
	to = strings.TrimSpace(to)
	if to == "" || to == h.hs.host.Name {
		return nil, nil
	}
	if c, ok := h.delegates[to]; ok {
		return c, nil
	}
	host, ok := h.p.r.lookupHost(to)
	if !ok {
		if to != "localhost" && to != "127.0.0.1" {
			return nil, fmt.Errorf("delegate_to: no host %q in the inventory", to)
		}
		// Ansible's implicit localhost: this machine, as the user tend runs as.
		host = &inventory.Host{Name: to, Vars: map[string]any{"ansible_connection": "local"}}
	}
	c, err := Connect(ctx, host, h.p.r.o.Connect)
	if err != nil {
		return nil, fmt.Errorf("delegate_to %s: %v", to, err)
	}
	if h.delegates == nil {
		h.delegates = map[string]transport.Conn{}
	}
	h.delegates[to] = c
	return c, nil
}

// closeDelegates closes the connections opened for delegated tasks.
func (h *hostRun) closeDelegates() {
	for _, c := range h.delegates {
		c.Close()
	}
	h.delegates = nil
}
