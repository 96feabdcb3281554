package playbooks

import (
	"bytes"
	"context"
	"time"

	"github.com/sourcegraph/conc/pool"

	"tend/inventory"
	"tend/transport"
)

// HostResult is what one host did in an ad-hoc run (ping or exec).
type HostResult struct {
	Host        string
	Unreachable bool  // the connection could not be made
	Err         error // why it was unreachable, or why the command could not run
	ExitCode    int
	Stdout      []byte
	Stderr      []byte
	Connect     time.Duration // dial, handshake and shell start
	Run         time.Duration
	Stats       transport.Stats
}

// Failed reports whether the host counts as failed (reachable, but the
// command failed or could not run).
func (r HostResult) Failed() bool { return !r.Unreachable && (r.Err != nil || r.ExitCode != 0) }

// AdHocOptions are the settings of a ping or exec run.
type AdHocOptions struct {
	Forks   int
	Connect ConnectOptions
}

// RunAdHoc runs script on every host, at most Forks hosts at a time, and calls
// report as each host finishes (from one goroutine at a time). A host that
// fails or cannot be reached never stops the others. An empty script only
// connects and checks that the shell answers: that is ping.
func RunAdHoc(ctx context.Context, hosts []*inventory.Host, script string, o AdHocOptions, report func(HostResult)) {
	reports := make(chan HostResult)
	done := make(chan struct{})
	go func() {
		for r := range reports {
			report(r)
		}
		close(done)
	}()
	forEachHost(ctx, hosts, o.Forks, func(ctx context.Context, h *inventory.Host) {
		reports <- runOne(ctx, h, script, o.Connect)
	})
	close(reports)
	<-done
}

// forEachHost calls fn for each host in parallel, bounded by forks.
func forEachHost(ctx context.Context, hosts []*inventory.Host, forks int, fn func(context.Context, *inventory.Host)) {
	if forks < 1 {
		forks = 1
	}
	p := pool.New().WithMaxGoroutines(forks)
	for _, h := range hosts {
		p.Go(func() { fn(ctx, h) })
	}
	p.Wait()
}

func runOne(ctx context.Context, h *inventory.Host, script string, o ConnectOptions) HostResult {
	res := HostResult{Host: h.Name, ExitCode: -1}
	start := time.Now()
	conn, err := Connect(ctx, h, o)
	res.Connect = time.Since(start)
	if err != nil {
		res.Unreachable, res.Err = true, err
		return res
	}
	defer conn.Close()
	if script == "" {
		// ":" proves the shell runs commands, not just that sshd answered.
		script = ":"
	}
	var stdout, stderr bytes.Buffer
	start = time.Now()
	r, err := conn.Run(ctx, transport.Cmd{Script: script, Stdout: &stdout, Stderr: &stderr})
	res.Run = time.Since(start)
	res.ExitCode, res.Err = r.ExitCode, err
	res.Stdout, res.Stderr = stdout.Bytes(), stderr.Bytes()
	res.Stats = conn.Stats()
	return res
}
