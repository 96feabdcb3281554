package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"tend/internal/privfile"
	"tend/runlog"
)

func newHistoryCmd() *cobra.Command {
	var dir, host, since, htmlFile, label string
	var asJSON bool
	var format string
	cmd := &cobra.Command{
		Use:   "history [--report-dir DIR] [--host H] [--since 7d] [--format json | --html FILE]",
		Short: "Show past runs from their reports: what changed (corrective or intentional), failed, when",
		Long: `Read the run reports of a report directory (written by converge and plan with
--report-dir, and by tend cron entries) and show one line per run, newest
first (as git log and the --html page's table): when, mode (apply or check),
hosts, hosts changed (in check mode: with changes pending), changed tasks that
corrected drift (corrective) or applied a new playbook state (intentional),
hosts failed and unreachable, duration, the playbook's git commit and the
run's label (a cron entry's name). --format json keeps time's order: oldest
first.

--html FILE writes one self-contained page (no external assets) with a
timeline per host of drift, changes and failures, and the table of runs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if asJSON, err = jsonFormat(format, asJSON); err != nil {
				return err
			}
			if dir == "" {
				dir = os.Getenv("TEND_REPORT_DIR")
			}
			if dir == "" {
				d, err := runlog.DefaultReportDir()
				if err != nil {
					return err
				}
				dir = d
			}
			now := time.Now()
			from, err := runlog.ParseSince(since, now)
			if err != nil {
				return err
			}
			if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) && htmlFile == "" && !asJSON {
				// First use: nothing has run with reports yet.
				fmt.Fprintf(cmd.OutOrStdout(), "no runs recorded in %s yet\n", dir)
				return nil
			}
			reports, warnings, err := runlog.ReadReports(dir, runlog.Filter{Host: host, Since: from, Label: label})
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			for _, w := range warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning: skipped a report: "+w)
			}
			out := cmd.OutOrStdout()
			switch {
			case htmlFile != "":
				title := "tend history"
				if host != "" {
					title += ": " + host
				}
				// Private as the reports it is made of (0600), written
				// whole or not at all.
				var page bytes.Buffer
				if err := runlog.WriteHTML(&page, reports, title, now); err != nil {
					return err
				}
				if err := privfile.Write(htmlFile, page.Bytes()); err != nil {
					return err
				}
				fmt.Fprintf(out, "wrote %s (%d runs)\n", htmlFile, len(reports))
				return nil
			case asJSON:
				entries := []runlog.Entry{}
				for _, r := range reports {
					entries = append(entries, runlog.Summarize(r))
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(entries)
			}
			if len(reports) == 0 {
				fmt.Fprintf(out, "no runs recorded in %s\n", dir)
				return nil
			}
			return runlog.WriteTable(out, reports)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&dir, "report-dir", "", "report directory (default $TEND_REPORT_DIR, else /var/lib/tend/reports as root, else $XDG_STATE_HOME/tend/reports)")
	fl.StringVar(&host, "host", "", "only runs that worked on this host, counted for it alone")
	fl.StringVar(&since, "since", "", "only runs since: a duration back (90m, 36h, 7d, 2w), a date (2006-01-02) or an RFC 3339 time")
	fl.StringVar(&label, "label", "", "only runs with this label (a cron entry's name)")
	formatFlag(cmd, &format, &asJSON, "the runs as one JSON array")
	fl.StringVar(&htmlFile, "html", "", "write a self-contained HTML page with a per-host timeline to FILE")
	cmd.MarkFlagsMutuallyExclusive("json", "html")
	cmd.MarkFlagsMutuallyExclusive("format", "html")
	return cmd
}
