package runlog

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Filter selects reports for the history.
type Filter struct {
	Host  string    // only runs that worked on this host, narrowed to it
	Since time.Time // only runs that started at or after this
	Label string    // only runs with this label (a cron entry's name)
}

// ReadReports reads a report directory's reports that pass f, oldest first.
// Unreadable reports are skipped and named in the returned warnings.
func ReadReports(dir string, f Filter) ([]*Report, []string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var out []*Report
	var warnings []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !reportName(e.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			warnings = append(warnings, err.Error())
			continue
		}
		var r Report
		if err := json.Unmarshal(data, &r); err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: %v", e.Name(), err))
			continue
		}
		if r.Start.Before(f.Since) || (f.Label != "" && r.Label != f.Label) {
			continue
		}
		if f.Host != "" {
			var hosts []HostReport
			for _, h := range r.Hosts {
				if h.Name == f.Host {
					hosts = append(hosts, h)
				}
			}
			if len(hosts) == 0 {
				continue
			}
			r.Hosts, r.Totals = hosts, totals(hosts)
		}
		out = append(out, &r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, warnings, nil
}

// Entry is one run as the history shows it.
type Entry struct {
	ID          string        `json:"id"`
	Label       string        `json:"label,omitempty"`
	Start       time.Time     `json:"start"`
	Mode        string        `json:"mode"`
	Plan        string        `json:"plan,omitempty"` // the saved plan applied
	Hosts       int           `json:"hosts"`
	Changed     int           `json:"changed"`               // hosts (check mode: with changes pending)
	Corrective  int           `json:"corrective"`            // changed tasks
	Intentional int           `json:"intentional"`           // changed tasks
	Failed      int           `json:"failed"`                // hosts
	Unreachable int           `json:"unreachable"`           // hosts
	Refused     int           `json:"refused,omitempty"`     // hosts a plan's apply left alone
	Interrupted int           `json:"interrupted,omitempty"` // hosts the run's end stopped (Ctrl-C)
	Duration    time.Duration `json:"duration_ns"`
	Commit      string        `json:"commit,omitempty"`
	Dirty       bool          `json:"dirty,omitempty"`
	Playbook    string        `json:"playbook"`
	ExitCode    int           `json:"exit_code"`
	Error       string        `json:"error,omitempty"`
}

// Summarize reduces a report to its history entry.
func Summarize(r *Report) Entry {
	e := Entry{
		ID: r.ID, Label: r.Label, Start: r.Start, Mode: r.Mode, Plan: r.Plan, Hosts: r.Totals.Hosts, Refused: r.Totals.Refused,
		Interrupted: r.Totals.Interrupted,
		Changed:     r.Totals.Changed, Corrective: r.Totals.Corrective, Intentional: r.Totals.Intentional,
		Failed: r.Totals.Failed, Unreachable: r.Totals.Unreachable, Duration: r.Duration,
		Playbook: r.Playbook, ExitCode: r.ExitCode, Error: r.Error,
	}
	if r.Git != nil {
		e.Commit, e.Dirty = r.Git.Commit, r.Git.Dirty
	}
	return e
}

// ModeLabel is the mode as the history shows it: an applied saved plan is
// "apply plan".
func (e Entry) ModeLabel() string {
	if e.Plan != "" && e.Mode == "apply" {
		return "apply plan"
	}
	return e.Mode
}

// WriteTable prints the history as a table, newest run first (as git log
// and the HTML page's table); reports are oldest first.
func WriteTable(w io.Writer, reports []*Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tMODE\tHOSTS\tCHANGED\tCORRECTIVE\tINTENTIONAL\tFAILED\tUNREACHABLE\tDURATION\tCOMMIT\tLABEL")
	for i := len(reports) - 1; i >= 0; i-- {
		e := Summarize(reports[i])
		commit := "-"
		if e.Commit != "" {
			commit = e.Commit[:min(len(e.Commit), 10)]
			if e.Dirty {
				commit += "+dirty"
			}
		}
		label := e.Label
		if label == "" {
			label = "-"
		}
		if e.Refused > 0 {
			label += fmt.Sprintf(" (%d refused)", e.Refused)
		}
		if e.Interrupted > 0 {
			label += fmt.Sprintf(" (%d interrupted)", e.Interrupted)
		}
		if e.Error != "" {
			label += " (stopped: " + e.Error + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n",
			e.Start.Local().Format("2006-01-02 15:04:05"), e.ModeLabel(), e.Hosts, e.Changed, e.Corrective, e.Intentional,
			e.Failed, e.Unreachable, roundDuration(e.Duration), commit, label)
	}
	return tw.Flush()
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// ParseSince reads --since: a duration back from now (90m, 36h, 7d, 2w) or
// a date (2006-01-02) or time (RFC 3339).
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			if v, err := strconv.ParseFloat(n, 64); err == nil && v >= 0 {
				return now.Add(-time.Duration(v * float64(unit))), nil
			}
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (90m, 36h, 7d, 2w), a date (2006-01-02) or an RFC 3339 time", s)
}
