package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"tend/cronjob"
	"tend/modules/shell"
	"tend/playbooks"
	"tend/runlog"
)

// cronTarget is where entries go: $TEND_CRON_DIR (for tests) or
// /etc/cron.d as root, else the user's crontab.
func cronTarget() cronjob.Target {
	if d := os.Getenv("TEND_CRON_DIR"); d != "" {
		return cronjob.Target{Dir: d}
	}
	if os.Geteuid() == 0 {
		return cronjob.Target{Dir: "/etc/cron.d"}
	}
	return cronjob.Target{}
}

func newCronCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cron",
		Short: "Schedule converge runs in cron (install, list, remove)",
		Long: `Scheduled runs correct drift and keep a record of it. As root, each entry is a
file /etc/cron.d/tend-NAME; otherwise a block in the user's crontab. Entries
run tend with absolute paths, from the working directory of the install, with
the run lock, a report directory and --detailed-exitcode, appending their
output to a log file.`,
	}
	cmd.AddCommand(newCronInstallCmd(), newCronListCmd(), newCronRemoveCmd())
	return cmd
}

func newCronInstallCmd() *cobra.Command {
	var every, splay time.Duration
	var schedule, reportDir, logFile string
	var check bool
	cmd := &cobra.Command{
		Use:   "install NAME (--every 30m | --schedule 'CRON EXPR') [--check] [--splay 5m] -- -i INVENTORY PLAYBOOK [converge flags]",
		Short: "Install (or replace) a scheduled converge",
		Long: `Install a cron entry that runs 'tend converge' with the arguments after --.
The schedule, the inventory and the playbook are checked first; nothing is
written if they fail. Installing a NAME again replaces its entry.

--every takes an interval that divides an hour or a day (5m, 30m, 2h, 24h);
--schedule a cron expression ('17 */4 * * *', '@daily'). With --check the
entry only detects drift (exit 2 when some is pending) and changes nothing.
Reports go to --report-dir (default /var/lib/tend/reports as root, else
$XDG_STATE_HOME/tend/reports), output to --log (default
/var/log/tend/NAME.log as root, else $XDG_STATE_HOME/tend/logs/NAME.log);
a log over 10 MiB is moved to NAME.log.1 at the start of the next run.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 1 {
				return fmt.Errorf("usage: tend cron install NAME --every 30m -- -i INVENTORY PLAYBOOK")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name, rest := args[0], args[1:]
			if err := cronjob.ValidName(name); err != nil {
				return err
			}
			if (every == 0) == (schedule == "") {
				return fmt.Errorf("give one of --every and --schedule")
			}
			sched := schedule
			if every != 0 {
				s, err := cronjob.Every(every)
				if err != nil {
					return err
				}
				sched = s
			}
			if err := cronjob.Validate(sched); err != nil {
				return err
			}
			e, err := cronEntry(cmd, name, sched, rest, check, splay, reportDir, logFile)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(e.Log), 0o700); err != nil {
				return fmt.Errorf("log dir: %v", err)
			}
			if err := cronTarget().Install(e); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "installed %s in %s:\n%s\n", name, e.Where, e.Line)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&every, "every", 0, "run at this interval (it must divide an hour or a day: 5m, 30m, 2h)")
	fl.StringVar(&schedule, "schedule", "", "cron expression: 5 fields or @hourly, @daily, ...")
	fl.BoolVar(&check, "check", false, "detect drift only: change nothing (the report and exit code say what is pending)")
	fl.DurationVar(&splay, "splay", 0, "random delay up to this long before each run")
	fl.StringVar(&reportDir, "report-dir", "", "report directory (default /var/lib/tend/reports as root, else $XDG_STATE_HOME/tend/reports)")
	fl.StringVar(&logFile, "log", "", "file the runs' output is appended to")
	return cmd
}

// cronEntry checks the converge arguments as converge would (flags, the
// playbook, the inventory) and builds the entry's command line with
// absolute paths.
func cronEntry(cmd *cobra.Command, name, sched string, args []string, check bool, splay time.Duration, reportDir, logFile string) (*cronjob.Entry, error) {
	var f convergeFlags
	dummy := &cobra.Command{Use: "converge"}
	f.register(dummy, false)
	fl := dummy.Flags()
	if err := fl.Parse(args); err != nil {
		return nil, fmt.Errorf("converge arguments: %v", err)
	}
	if fl.NArg() != 1 {
		return nil, fmt.Errorf("converge arguments: want one playbook after the flags, got %q", fl.Args())
	}
	if _, err := loadPlaybook(fl.Arg(0), cmd.ErrOrStderr(), &f.vaultFlags, nil); err != nil {
		return nil, err
	}
	if _, err := playbooks.ParseExtraVars(f.extraVars); err != nil {
		return nil, err
	}
	if _, err := f.load(cmd.ErrOrStderr()); err != nil {
		return nil, err
	}
	if f.syntaxOnly {
		return nil, fmt.Errorf("--syntax-check makes no sense in a scheduled run")
	}
	if f.askBecomePass {
		return nil, fmt.Errorf("-K: a cron run has no terminal to ask on; set ansible_become_password in the inventory or allow sudo without a password")
	}
	pb, err := filepath.Abs(fl.Arg(0))
	if err != nil {
		return nil, err
	}
	inv := runlog.AbsSources(f.sources())
	if reportDir == "" {
		reportDir = f.record.reportDir
	}
	if reportDir == "" {
		if reportDir, err = runlog.DefaultReportDir(); err != nil {
			return nil, err
		}
	}
	if reportDir, err = filepath.Abs(reportDir); err != nil {
		return nil, err
	}
	if logFile == "" {
		logFile = "/var/log/tend/" + name + ".log"
		if os.Geteuid() != 0 {
			rd, err := runlog.DefaultReportDir()
			if err != nil {
				return nil, err
			}
			logFile = filepath.Join(filepath.Dir(rd), "logs", name+".log")
		}
	}
	if logFile, err = filepath.Abs(logFile); err != nil {
		return nil, err
	}
	bin, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if b, err := filepath.EvalSymlinks(bin); err == nil {
		bin = b
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	argv := []string{bin, "converge"}
	for _, inv := range inv {
		argv = append(argv, "-i", inv)
	}
	argv = append(argv, "--report-dir", reportDir, "--run-label", name, "--detailed-exitcode")
	if check || f.check {
		argv = append(argv, "--check")
	}
	if splay > 0 {
		argv = append(argv, "--splay", splay.String())
	}
	// Every other flag given is passed on as parsed.
	handled := map[string]bool{"inventory": true, "report-dir": true, "run-label": true, "detailed-exitcode": true, "check": true}
	if splay > 0 {
		handled["splay"] = true
	}
	fl.Visit(func(fg *pflag.Flag) {
		if handled[fg.Name] {
			return
		}
		if sv, ok := fg.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				argv = append(argv, "--"+fg.Name+"="+v)
			}
			return
		}
		argv = append(argv, "--"+fg.Name+"="+fg.Value.String())
	})
	argv = append(argv, pb)
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	command := fmt.Sprintf("cd %s && exec %s >>%s 2>&1", shell.Quote(wd), shell.Join(argv), shell.Quote(logFile))
	return &cronjob.Entry{
		Meta: cronjob.Meta{Name: name, Schedule: sched, Check: check || f.check, Playbook: pb, Inventory: inv,
			ReportDir: reportDir, Log: logFile, Dir: wd},
		User: u.Username, Command: command,
	}, nil
}

func newCronListCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List tend's cron entries and their last run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, err := jsonFormat(format, false)
			if err != nil {
				return err
			}
			entries, err := cronTarget().List()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				list := []cronListEntry{}
				for _, e := range entries {
					list = append(list, cronListEntryOf(e))
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			if len(entries) == 0 {
				fmt.Fprintln(out, "no tend cron entries")
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSCHEDULE\tMODE\tPLAYBOOK\tLAST RUN")
			for _, e := range entries {
				mode := "apply"
				if e.Check {
					mode = "check"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.Schedule, mode, e.Playbook, lastRun(e))
			}
			return tw.Flush()
		},
	}
	formatFlag(cmd, &format, nil, "one JSON array of the entries, each with its last run")
	return cmd
}

// cronListEntry is an entry as `cron list --format json` prints it.
type cronListEntry struct {
	cronjob.Meta
	User  string `json:"user"`
	Where string `json:"where"` // the cron.d file, or "crontab of USER"
	Line  string `json:"line"`
	// LastRun sums up the entry's newest report; null when it has none.
	LastRun *runlog.Entry `json:"last_run"`
}

func cronListEntryOf(e *cronjob.Entry) cronListEntry {
	c := cronListEntry{Meta: e.Meta, User: e.User, Where: e.Where, Line: e.Line}
	if reports, _, err := runlog.ReadReports(e.ReportDir, runlog.Filter{Label: e.Name}); err == nil && len(reports) > 0 {
		sum := runlog.Summarize(reports[len(reports)-1])
		c.LastRun = &sum
	}
	return c
}

// lastRun describes an entry's newest report.
func lastRun(e *cronjob.Entry) string {
	reports, _, err := runlog.ReadReports(e.ReportDir, runlog.Filter{Label: e.Name})
	if err != nil || len(reports) == 0 {
		return "never (no report in " + e.ReportDir + ")"
	}
	r := reports[len(reports)-1]
	t := r.Totals
	var what []string
	if t.Changed > 0 {
		verb := "changed"
		if r.Mode == "check" {
			verb = "with drift pending"
		}
		what = append(what, fmt.Sprintf("%d %s (%d corrective, %d intentional)", t.Changed, verb, t.Corrective, t.Intentional))
	}
	if t.Failed > 0 {
		what = append(what, fmt.Sprintf("%d failed", t.Failed))
	}
	if t.Unreachable > 0 {
		what = append(what, fmt.Sprintf("%d unreachable", t.Unreachable))
	}
	if r.Error != "" {
		what = append(what, "stopped: "+r.Error)
	}
	if len(what) == 0 {
		what = append(what, "no change")
	}
	return fmt.Sprintf("%s exit %d: %d hosts, %s", r.Start.Local().Format("2006-01-02 15:04"), r.ExitCode, t.Hosts, strings.Join(what, ", "))
}

func newCronRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a tend cron entry (its reports stay)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ok, err := cronTarget().Remove(args[0])
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("no tend cron entry named %q", args[0])
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", args[0])
			return nil
		},
	}
}
