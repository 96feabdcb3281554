package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"tend/playbooks"
)

// Exit code bits of --detailed-exitcode; a failure without it is exitFailure.
const (
	exitChanged = 2
)

type convergeFlags struct {
	connFlags
	check, diff, detailed, syntaxOnly bool
	askBecomePass                     bool
	extraVars                         []string
	tags, skipTags                    []string
	format                            string
	// output is the deprecated spelling of --format (it was -o/--output;
	// on plan, -o is now the file the plan is saved to).
	output string
	// out is the file plan saves the plan to (plan only), and digestKey
	// the key of its digests.
	out, digestKey string
	record         recordFlags
}

func (f *convergeFlags) register(cmd *cobra.Command, plan bool) {
	f.connFlags.register(cmd)
	fl := cmd.Flags()
	if !plan {
		fl.BoolVarP(&f.check, "check", "C", false, "change nothing: report what a converge would change")
		fl.BoolVarP(&f.diff, "diff", "D", false, "show content diffs and attribute changes")
		fl.BoolVar(&f.syntaxOnly, "syntax-check", false, "load and validate the playbook, touch no host")
	}
	fl.StringArrayVarP(&f.extraVars, "extra-vars", "e", nil, "variables that win over all others: k=v pairs, YAML/JSON, or @file (repeatable)")
	fl.StringSliceVarP(&f.tags, "tags", "t", nil, "run only tasks with these tags")
	fl.StringSliceVar(&f.skipTags, "skip-tags", nil, "skip tasks with these tags")
	fl.BoolVar(&f.detailed, "detailed-exitcode", false, "exit 0 nothing changed, 2 changed (check mode: drift pending), 4 failed or unreachable, 6 both")
	fl.StringVar(&f.format, "format", "text", "text, or json: one JSON object per event (JSON lines)")
	fl.StringVar(&f.output, "output", "", "deprecated spelling of --format")
	_ = fl.MarkDeprecated("output", "use --format text|json")
	if plan {
		fl.StringVarP(&f.out, "out", "o", "", "save the plan to this `FILE` (mode 0600), for tend apply FILE")
		fl.StringVar(&f.digestKey, "digest-key", "", digestKeyHelp)
	}
	fl.BoolVarP(&f.askBecomePass, "ask-become-pass", "K", false, "ask for the sudo password (sent to sudo on stdin, never logged)")
	f.record.register(cmd)
}

const convergeExitCodes = `Exit codes: 0 success; 1 usage, inventory or playbook error, or another run
holds the lock (no host was touched); 4 a host failed or was unreachable. With
--detailed-exitcode: 0 nothing changed, 2 changes made (in check mode: changes
pending), 4 failures or unreachable hosts, 6 both.

With --report-dir (or $TEND_REPORT_DIR) each run writes a JSON report, and
changes are told apart: corrective (the host drifted from what tend applied
before) or intentional (the playbook asks for something new). See tend history.`

func newConvergeCmd() *cobra.Command {
	var f convergeFlags
	cmd := &cobra.Command{
		Use:   "converge -i INVENTORY PLAYBOOK",
		Short: "Bring hosts to the state a playbook describes",
		Long: `Run a playbook (Ansible's format) on the inventory's hosts: each task probes
the host, and changes it only where it differs from the described state. Hosts
run independently, --forks at a time; a failing host stops only itself.

With --check nothing is changed anywhere, and the tasks that a converge would
change are reported as changed; with --diff the changes are shown as unified
diffs and attribute changes.

` + convergeExitCodes,
		Args: exactlyOne("PLAYBOOK"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConverge(cmd, &f, args[0])
		},
	}
	f.register(cmd, false)
	return cmd
}

func newPlanCmd() *cobra.Command {
	var f convergeFlags
	cmd := &cobra.Command{
		Use:   "plan -i INVENTORY PLAYBOOK [--out FILE]",
		Short: "Show what a converge would change, changing nothing (converge --check --diff)",
		Long: `Probe every host and show, as unified diffs and attribute changes, exactly
what a converge would change. Nothing is changed on any host.

With --out FILE the plan is saved (mode 0600): per host the changes found, and
a digest of the playbook's files. ` + "`tend apply FILE`" + ` then applies exactly those
changes, refusing hosts whose state has changed since, and refusing the whole
plan if the playbook has.

` + convergeExitCodes,
		Args: exactlyOne("PLAYBOOK"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.check, f.diff = true, true
			return runConverge(cmd, &f, args[0])
		},
	}
	f.register(cmd, true)
	// plan always shows diffs; --diff and --check are accepted so that a
	// converge's flags work on plan as written.
	var ignored bool
	cmd.Flags().BoolVar(&ignored, "diff", true, "always on for plan")
	cmd.Flags().BoolVar(&ignored, "check", true, "always on for plan")
	return cmd
}

func runConverge(cmd *cobra.Command, f *convergeFlags, path string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if err := f.checkFormat(cmd); err != nil {
		return err
	}
	pb, err := loadPlaybook(path, stderr, &f.vaultFlags, f.events(stdout))
	if err != nil {
		return err
	}
	ring, err := f.keyring(stderr)
	if err != nil {
		return err
	}
	extra, err := playbooks.ParseExtraVars(f.extraVars)
	if err != nil {
		return err
	}
	if err := askVarsPrompts(pb, extra); err != nil {
		return err
	}
	inv, err := f.load(stderr)
	if err != nil {
		return err
	}
	if f.syntaxOnly {
		fmt.Fprintf(stdout, "playbook: %s: syntax ok (%s)\n", path, plural(len(pb.Plays), "play", "plays"))
		return nil
	}
	copts, err := f.connectOptions(stderr)
	if err != nil {
		return err
	}
	if err := askBecomePassword(f.askBecomePass, &copts); err != nil {
		return err
	}
	var saver *planSaver
	if f.out != "" {
		if saver, err = newPlanSaver(f, pb, extra); err != nil {
			return err
		}
	}
	var render func(playbooks.Event)
	var finish func(*playbooks.Summary)
	if f.format == "json" {
		enc := json.NewEncoder(stdout)
		render = func(e playbooks.Event) { _ = enc.Encode(e) }
		finish = func(s *playbooks.Summary) {
			_ = enc.Encode(map[string]any{"kind": "summary", "hosts": s.Hosts, "duration_ns": s.Duration,
				"changed": s.Changed(), "failed": s.Failed(), "unreachable": s.Unreachable(), "interrupted": s.Interrupted(), "check": f.check})
		}
	} else {
		tr := newTextRenderer(stdout, f.check, f.diff, f.verbose)
		render, finish = tr.event, tr.summary
	}
	sess, err := f.record.begin(cmd.Context(), stderr, f.spec(path))
	if err != nil {
		return err
	}
	key := sess.digestKey()
	if saver != nil {
		key = saver.key // the same file (digestKeyPath), loaded for the plan
	}
	opts := playbooks.Options{
		Forks: f.forks, Check: f.check, Diff: f.diff, ExtraVars: extra,
		Tags: f.tags, SkipTags: f.skipTags, Limit: f.limit, Connect: copts,
		DigestKey: key,
		Vault:     ring,
		// The text shows no task's whole result (see failureText).
		StatusOnly: f.format != "json",
		Events: redacting(ring, func(e playbooks.Event) {
			sess.observe(&e)
			render(e)
			if saver != nil {
				saver.rec.Event(e)
			}
		}),
	}
	sum, err := playbooks.Run(cmd.Context(), pb, inv, opts)
	if sum != nil {
		finish(sum)
	}
	if err != nil {
		return sess.stopped(cmd, sum, err, stderr)
	}
	if saver != nil {
		if err := saver.save(stdout, f.format == "json"); err != nil {
			sess.end(sum, err, exitUsage, stderr)
			return err
		}
	}
	code := exitCode(sum, f.detailed)
	sess.end(sum, nil, code, stderr)
	return exitError{code}
}

// events is where load problems go as JSON events: stdout with --format
// json, nowhere otherwise.
func (f *convergeFlags) events(stdout io.Writer) io.Writer {
	if f.format == "json" {
		return stdout
	}
	return nil
}

// checkFormat validates --format and folds the deprecated --output into it.
func (f *convergeFlags) checkFormat(cmd *cobra.Command) error {
	if cmd.Flags().Changed("output") {
		if f.output != "text" && f.output != "json" {
			hint := ""
			if cmd.Flags().Lookup("out") != nil {
				hint = " (to save the plan to a file, use --out FILE)"
			}
			return fmt.Errorf("--output (deprecated: use --format) must be text or json, not %q%s", f.output, hint)
		}
		if cmd.Flags().Changed("format") && f.format != f.output {
			return fmt.Errorf("--format %s and --output %s disagree (--output is the deprecated spelling of --format)", f.format, f.output)
		}
		f.format = f.output
	}
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("--format must be text or json, not %q", f.format)
	}
	return nil
}

// exitCode maps a run's outcome to the documented exit codes.
func exitCode(s *playbooks.Summary, detailed bool) int {
	code := 0
	if s.Failed()+s.Unreachable() > 0 {
		code |= exitFailure
	}
	if detailed && s.Changed() > 0 {
		code |= exitChanged
	}
	return code
}
