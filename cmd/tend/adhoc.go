package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tend/modules/shell"
	"tend/playbooks"
)

func newPingCmd() *cobra.Command {
	var f connFlags
	var format string
	cmd := &cobra.Command{
		Use:   "ping -i INVENTORY [PATTERN]",
		Short: "Check that hosts can be reached and run commands",
		Long: `Connect to every host the pattern matches (default: all), start a shell and
run an empty command on it. Each host is reported ok, with the time taken, or
unreachable, with the reason.

Exit codes: 0 every host answered; 1 usage or inventory error; 4 a host was
unreachable.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pattern := "all"
			if len(args) == 1 {
				pattern = args[0]
			}
			return runAdHoc(cmd, &f, pattern, "", true, format)
		},
	}
	f.register(cmd)
	formatFlag(cmd, &format, nil, `one JSON object per host ("host"), then a "summary"`)
	return cmd
}

func newExecCmd() *cobra.Command {
	var f connFlags
	var format string
	cmd := &cobra.Command{
		Use:   "exec -i INVENTORY PATTERN -- COMMAND [ARG...]",
		Short: "Run a command on every matched host, in parallel",
		Long: `Run a command on every host the pattern matches, at most --forks hosts at a
time, and print each host's output as one block, in the inventory's order.

With one word after --, that word is a shell command line, run by the host's sh:
    tend exec -i hosts web -- 'systemctl is-active nginx || uptime'
With several, they are a command and its arguments, each passed exactly as
given (quoted for you):
    tend exec -i hosts web -- ls -l "/srv/my files"

Exit codes: 0 the command succeeded everywhere; 1 usage or inventory error;
4 it failed on a host, or a host was unreachable.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 1 || len(args) < 2 {
				return fmt.Errorf("usage: tend exec -i INVENTORY PATTERN -- COMMAND [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			words := args[1:]
			script := words[0]
			if len(words) > 1 {
				script = shell.Join(words)
			}
			return runAdHoc(cmd, &f, args[0], script, false, format)
		},
	}
	f.register(cmd)
	formatFlag(cmd, &format, nil, `one JSON object per host ("host", with rc, stdout and stderr), then a "summary"`)
	return cmd
}

// runAdHoc resolves the hosts, runs script on them and renders the results.
func runAdHoc(cmd *cobra.Command, f *connFlags, pattern, script string, ping bool, format string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	asJSON, err := jsonFormat(format, false)
	if err != nil {
		return err
	}
	inv, err := f.load(stderr)
	if err != nil {
		return err
	}
	hosts, err := f.hosts(inv, pattern, stderr)
	if err != nil {
		return err
	}
	copts, err := f.connectOptions(stderr)
	if err != nil {
		return err
	}
	p := newPainter(stdout)
	enc := json.NewEncoder(stdout)
	start := time.Now()
	var ok, failed, unreachable, interrupted int
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	// Hosts finish in any order; they are printed in the inventory's.
	ordered := newInOrder(names, func(r playbooks.HostResult) {
		status := adHocStatus(cmd, r)
		switch status {
		case "interrupted":
			interrupted++
		case "unreachable":
			unreachable++
		case "failed":
			failed++
		default:
			ok++
		}
		switch {
		case asJSON:
			_ = enc.Encode(hostEventOf(r, status, ping))
		case ping:
			renderPing(stdout, p, r, f.verbose > 0)
		default:
			renderExec(stdout, p, r, f.verbose > 0)
		}
	})
	playbooks.RunAdHoc(cmd.Context(), hosts, script, playbooks.AdHocOptions{Forks: f.forks, Connect: copts},
		func(r playbooks.HostResult) { ordered.add(r.Host, r) })
	ordered.flush()
	if asJSON {
		_ = enc.Encode(map[string]any{"kind": "summary", "hosts": len(hosts), "ok": ok, "failed": failed,
			"unreachable": unreachable, "interrupted": interrupted, "duration_ns": time.Since(start)})
	} else {
		summary := fmt.Sprintf("%s: %d ok", plural(len(hosts), "host", "hosts"), ok)
		if !ping || failed > 0 {
			summary += fmt.Sprintf(", %d failed", failed)
		}
		summary += fmt.Sprintf(", %d unreachable", unreachable)
		if interrupted > 0 {
			summary += fmt.Sprintf(", %d interrupted", interrupted)
		}
		summary += fmt.Sprintf(" (%s)", round(time.Since(start)))
		fmt.Fprintln(stdout, p.bold(summary))
	}
	if cmd.Context().Err() != nil {
		fmt.Fprintln(stderr, "tend: interrupted")
		return exitError{exitInterrupted}
	}
	if failed+unreachable > 0 {
		return exitError{exitFailure}
	}
	return nil
}

// adHocStatus is how a host ended: ok, failed, unreachable, or interrupted
// (what failed after Ctrl-C failed because of it).
func adHocStatus(cmd *cobra.Command, r playbooks.HostResult) string {
	switch {
	case (r.Unreachable || r.Failed()) && cmd.Context().Err() != nil:
		return "interrupted"
	case r.Unreachable:
		return "unreachable"
	case r.Failed():
		return "failed"
	}
	return "ok"
}

// hostEvent is one host's result of ping or exec, as JSON.
type hostEvent struct {
	Kind       string        `json:"kind"` // host
	Host       string        `json:"host"`
	Status     string        `json:"status"`
	RC         *int          `json:"rc,omitempty"` // exec: the command's exit code
	Stdout     string        `json:"stdout,omitempty"`
	Stderr     string        `json:"stderr,omitempty"`
	Msg        string        `json:"msg,omitempty"` // why it was unreachable or could not run
	Connect    time.Duration `json:"connect_ns"`
	Run        time.Duration `json:"run_ns"`
	RoundTrips int64         `json:"round_trips"`
}

func hostEventOf(r playbooks.HostResult, status string, ping bool) hostEvent {
	e := hostEvent{Kind: "host", Host: r.Host, Status: status, Stdout: string(r.Stdout), Stderr: string(r.Stderr),
		Connect: r.Connect, Run: r.Run, RoundTrips: r.Stats.RoundTrips}
	if r.Err != nil {
		e.Msg = r.Err.Error()
	} else if !ping {
		rc := r.ExitCode
		e.RC = &rc
	}
	return e
}

func renderPing(w io.Writer, p painter, r playbooks.HostResult, verbose bool) {
	switch {
	case r.Unreachable:
		fmt.Fprintf(w, "%s | %s | %s\n", r.Host, p.red("UNREACHABLE"), r.Err)
	case r.Err != nil:
		fmt.Fprintf(w, "%s | %s | %s\n", r.Host, p.red("FAILED"), r.Err)
	default:
		fmt.Fprintf(w, "%s | %s | %s%s\n", r.Host, p.green("ok"), round(r.Connect+r.Run), phases(r, verbose))
	}
}

func renderExec(w io.Writer, p painter, r playbooks.HostResult, verbose bool) {
	var b bytes.Buffer
	switch {
	case r.Unreachable:
		fmt.Fprintf(&b, "%s | %s | %s\n", r.Host, p.red("UNREACHABLE"), r.Err)
	case r.Err != nil:
		fmt.Fprintf(&b, "%s | %s | %s\n", r.Host, p.red("FAILED"), r.Err)
	case r.ExitCode != 0:
		fmt.Fprintf(&b, "%s | %s | rc=%d | %s%s\n", r.Host, p.red("FAILED"), r.ExitCode, round(r.Connect+r.Run), phases(r, verbose))
	default:
		fmt.Fprintf(&b, "%s | %s | rc=0 | %s%s\n", r.Host, p.green("ok"), round(r.Connect+r.Run), phases(r, verbose))
	}
	b.Write(indent(r.Stdout, "  "))
	if len(r.Stderr) > 0 {
		b.WriteString(p.yellow(string(indent(r.Stderr, "  stderr: "))))
	}
	// One write per host keeps blocks whole.
	_, _ = w.Write(b.Bytes())
}

// phases is the -v detail: where the time went and what the host cost.
func phases(r playbooks.HostResult, verbose bool) string {
	if !verbose {
		return ""
	}
	return fmt.Sprintf(" (connect %s, run %s, %s after the handshake)",
		round(r.Connect), round(r.Run), plural(int(r.Stats.RoundTrips), "round trip", "round trips"))
}

// indent prefixes each line of out and ends it with a newline.
func indent(out []byte, prefix string) []byte {
	if len(out) == 0 {
		return nil
	}
	s := strings.TrimSuffix(string(out), "\n")
	return []byte(prefix + strings.ReplaceAll(s, "\n", "\n"+prefix) + "\n")
}

// inOrder passes results on in the hosts' order, each as soon as every
// host before it has finished: the output of a run is the same whatever
// order the hosts finish in.
type inOrder[T any] struct {
	rank map[string][]int // a name listed twice has two places
	held map[int]T
	next int
	emit func(T)
}

func newInOrder[T any](hosts []string, emit func(T)) *inOrder[T] {
	o := &inOrder[T]{rank: make(map[string][]int, len(hosts)), held: map[int]T{}, emit: emit}
	for i, h := range hosts {
		o.rank[h] = append(o.rank[h], i)
	}
	return o
}

// add takes a host's result; one of a host not listed is passed on at once.
func (o *inOrder[T]) add(host string, v T) {
	places := o.rank[host]
	if len(places) == 0 {
		o.emit(v)
		return
	}
	i := places[0]
	o.rank[host] = places[1:]
	o.held[i] = v
	for {
		v, ok := o.held[o.next]
		if !ok {
			return
		}
		delete(o.held, o.next)
		o.next++
		o.emit(v)
	}
}

// flush passes on what is still held (hosts before it never finished), in
// order.
func (o *inOrder[T]) flush() {
	keys := slices.Sorted(maps.Keys(o.held))
	for _, k := range keys {
		o.emit(o.held[k])
		delete(o.held, k)
	}
}
