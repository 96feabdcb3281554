package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tend/inventory"
	"tend/playbooks"
	"tend/playbooks/load"
	"tend/savedplan"
)

// stateDir is where tend keeps its own files: /var/lib/tend as root, else
// $XDG_STATE_HOME/tend (~/.local/state/tend).
func stateDir() (string, error) {
	if os.Geteuid() == 0 {
		return "/var/lib/tend", nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "tend"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for tend's state: set XDG_STATE_HOME")
	}
	return filepath.Join(home, ".local", "state", "tend"), nil
}

// digestKeyPath is --digest-key, else digest.key in the state dir.
func digestKeyPath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	d, err := stateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "digest.key"), nil
}

const digestKeyHelp = "the secret that keys a plan's digests (default: digest.key in /var/lib/tend as root, else in $XDG_STATE_HOME/tend); plan creates it, apply needs the same"

// planSaver records a plan run's changes and saves them (tend plan --out).
type planSaver struct {
	plan *savedplan.Plan
	rec  *savedplan.Recorder
	key  []byte
	path string
}

func newPlanSaver(f *convergeFlags, pb *load.Playbook, extra map[string]any) (*planSaver, error) {
	keyPath, err := digestKeyPath(f.digestKey)
	if err != nil {
		return nil, err
	}
	key, err := savedplan.Key(keyPath, true)
	if err != nil {
		return nil, err
	}
	digest, files, err := savedplan.Content(pb)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(pb.Path)
	if err != nil {
		return nil, err
	}
	srcs := f.inventories
	if len(srcs) == 0 {
		srcs = strings.Split(os.Getenv("TEND_INVENTORY"), string(os.PathListSeparator))
	}
	var inv []string
	for _, s := range srcs {
		if _, err := os.Stat(s); err == nil { // a file or folder, not a host list
			if a, err := filepath.Abs(s); err == nil {
				s = a
			}
		}
		inv = append(inv, s)
	}
	return &planSaver{
		plan: &savedplan.Plan{
			Format: savedplan.Format, Tend: versionString(), Created: time.Now().UTC().Truncate(time.Second),
			Playbook: abs, PlaybookDigest: digest, Files: files, Inventory: inv, Limit: f.limit,
			Tags: f.tags, SkipTags: f.skipTags, ExtraVarsDigest: savedplan.ExtraVarsDigest(key, extra),
			KeyID: savedplan.KeyID(key), Connection: f.planConnection(),
		},
		rec: savedplan.NewRecorder(), key: key, path: f.out,
	}, nil
}

// save writes the plan and says so.
func (s *planSaver) save(w io.Writer, asJSON bool) error {
	s.plan.Hosts = s.rec.Hosts()
	if err := s.plan.Write(s.path); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	hosts, changes := s.plan.Count()
	var bad []string
	for _, h := range s.plan.Hosts {
		if h.Status == "failed" || h.Status == "unreachable" {
			bad = append(bad, h.Name)
		}
	}
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"kind": "plan_saved", "path": s.path,
			"hosts": hosts, "changes": changes, "not_applicable": bad})
	}
	fmt.Fprintf(w, "\nplan saved to %s: %s on %s", s.path, plural(changes, "change", "changes"), plural(hosts, "host", "hosts"))
	if len(bad) > 0 {
		fmt.Fprintf(w, "; %s failed or unreachable, apply will leave them alone (%s)",
			plural(len(bad), "host", "hosts"), strings.Join(bad, ", "))
	}
	fmt.Fprintf(w, "\napply it with: tend apply %s\n", s.path)
	return nil
}

type applyFlags struct {
	connFlags
	detailed, diff bool
	askBecomePass  bool
	extraVars      []string
	format         string
	digestKey      string
	record         recordFlags
}

const applyExitCodes = `Exit codes: 0 every planned change was applied (or none was planned); 1 the
plan cannot be applied (unreadable, the playbook or -e changed, another digest
key): no host was touched; 4 a host was refused (its state differs from the
plan's), failed or was unreachable. With --detailed-exitcode: 0 nothing
changed, 2 changes made, 4 refused, failed or unreachable hosts, 6 both.

An apply takes the same run lock as converge and plan on the plan's playbook
and inventory (another run holding it: exit 1, or wait with --lock-wait). With
--report-dir (or $TEND_REPORT_DIR) it writes a report, marked as an applied
plan, with the hosts it refused: see tend history.`

func newApplyCmd() *cobra.Command {
	var f applyFlags
	cmd := &cobra.Command{
		Use:   "apply PLAN",
		Short: "Apply a plan saved by `tend plan --out PLAN`, exactly",
		Long: `Apply the changes a saved plan holds, and no others.

The plan's playbook is loaded again; if any of its files changed since the
plan was made, nothing is done. Then each host with planned changes is checked
(probes only): a host whose changes now differ from the plan's is refused and
left untouched, and the message names the first task that differs. The other
hosts are converged; before each change is applied it is compared with the
next one planned for the host, and a host where it differs is stopped there
("stale"). Hosts with no planned changes are not touched.

The plan's inventory, --limit, --tags and --skip-tags are used; give the same
-e as to tend plan (they are not stored in the plan, only their digest).
--limit here further narrows the hosts applied.

The plan also holds how plan reached the hosts (paths and names, never
secrets): --user, --private-key, --known-hosts, --ssh-config,
--host-key-checking, --timeout, -K, the vault password files and
--digest-key. Apply uses them, so ` + "`tend apply PLAN`" + ` works as plan prints it;
any of these flags given to apply wins over the plan's.

` + applyExitCodes,
		Args: exactlyOne("PLAN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(cmd, &f, args[0])
		},
	}
	f.register(cmd)
	return cmd
}

func (f *applyFlags) register(cmd *cobra.Command) {
	f.connFlags.register(cmd)
	fl := cmd.Flags()
	fl.BoolVarP(&f.diff, "diff", "D", false, "show content diffs of the changes applied")
	fl.StringArrayVarP(&f.extraVars, "extra-vars", "e", nil, "the same extra variables as given to tend plan")
	fl.BoolVar(&f.detailed, "detailed-exitcode", false, "exit 0 nothing changed, 2 changed, 4 refused, failed or unreachable, 6 both")
	fl.StringVar(&f.format, "format", "text", "text, or json: one JSON object per event (JSON lines)")
	fl.BoolVarP(&f.askBecomePass, "ask-become-pass", "K", false, "ask for the sudo password (sent to sudo on stdin, never logged)")
	fl.StringVar(&f.digestKey, "digest-key", "", digestKeyHelp)
	f.record.register(cmd)
}

// events is where load problems go as JSON events (see convergeFlags.events).
func (f *applyFlags) events(stdout io.Writer) io.Writer {
	if f.format == "json" {
		return stdout
	}
	return nil
}

// refusal is a host apply leaves alone, and why.
func runApply(cmd *cobra.Command, f *applyFlags, planPath string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("--format must be text or json, not %q", f.format)
	}
	if len(f.inventories) > 0 {
		return fmt.Errorf("apply uses the plan's inventory: -i is not allowed (make a new plan for another inventory)")
	}
	p, err := savedplan.Read(planPath)
	if err != nil {
		return err
	}
	if err := f.usePlanConnection(p.Connection); err != nil {
		return err
	}
	keyPath, err := digestKeyPath(f.digestKey)
	if err != nil {
		return err
	}
	key, err := savedplan.Key(keyPath, false)
	if err != nil {
		return fmt.Errorf("%v: apply needs the digest key the plan was made with: apply it as the user and on the machine that made it, or pass --digest-key", err)
	}
	if savedplan.KeyID(key) != p.KeyID {
		return fmt.Errorf("the plan was made with another digest key than %s (by another user or on another machine?): apply it where it was made, or pass --digest-key", keyPath)
	}
	pb, err := loadPlaybook(p.Playbook, stderr, &f.vaultFlags, f.events(stdout))
	if err != nil {
		fmt.Fprintln(stderr, "tend: the playbook changed since the plan was made (it no longer loads): make a new plan")
		return err
	}
	ring, err := f.keyring(stderr)
	if err != nil {
		return err
	}
	digest, files, err := savedplan.Content(pb)
	if err != nil {
		return err
	}
	if digest != p.PlaybookDigest {
		return fmt.Errorf("the playbook changed since the plan was made (%s): make a new plan",
			strings.Join(savedplan.ContentChanges(p.Files, files), ", "))
	}
	extra, err := playbooks.ParseExtraVars(f.extraVars)
	if err != nil {
		return err
	}
	if savedplan.ExtraVarsDigest(key, extra) != p.ExtraVarsDigest {
		return fmt.Errorf("the extra variables (-e) are not the plan's: give apply the same -e as tend plan had")
	}
	if v := versionString(); v != p.Tend {
		fmt.Fprintf(stderr, "warning: the plan was made by %s, this is %s (hosts whose changes it sees otherwise will be refused)\n", p.Tend, v)
	}
	f.inventories = p.Inventory
	narrow := f.limit
	f.limit = ""
	inv, err := f.load(stderr)
	if err != nil {
		return err
	}
	copts, err := f.connectOptions(stderr)
	if err != nil {
		return err
	}
	if err := askBecomePassword(f.askBecomePass, &copts); err != nil {
		return err
	}

	// Which hosts to apply: those with planned changes (and in --limit).
	var inLimit map[*inventory.Host]bool
	if narrow != "" {
		m, err := inv.Match(narrow, "")
		if err != nil {
			return fmt.Errorf("--limit: %w", err)
		}
		inLimit = map[*inventory.Host]bool{}
		for _, h := range m.Hosts {
			inLimit[h] = true
		}
	}
	var refused []refusal
	candidates := map[string]bool{}
	unchanged := 0
	for _, h := range p.Hosts {
		if inLimit != nil {
			ih, ok := inv.Host(h.Name)
			if !ok || !inLimit[ih] {
				continue
			}
		}
		switch {
		case h.Status == "failed" || h.Status == "unreachable":
			refused = append(refused, refusal{Host: h.Name, Reason: fmt.Sprintf("the plan could not be made on it (%s: %s): make a new plan", h.Status, h.Msg)})
		case len(h.Changes) > 0:
			candidates[h.Name] = true
		default:
			unchanged++
		}
	}
	// The lock before the check pass: a converge between the check and the
	// apply would make the check's verdict stale.
	limit := p.Limit
	if narrow != "" {
		limit = narrow
		if p.Limit != "" {
			limit = p.Limit + ":&" + narrow
		}
	}
	sess, err := f.record.begin(cmd.Context(), stderr, runSpec{playbook: p.Playbook, inventory: p.Inventory,
		limit: limit, tags: p.Tags, skipTags: p.SkipTags, digestKey: f.digestKey, plan: planPath, verbose: f.verbose})
	if err != nil {
		return err
	}
	opts := playbooks.Options{
		Forks: f.forks, Check: true, Diff: true, ExtraVars: extra, Tags: p.Tags, SkipTags: p.SkipTags,
		Limit: p.Limit, Connect: copts, DigestKey: key, OnlyHosts: candidates, Vault: ring,
	}
	asJSON := f.format == "json"
	var enc *json.Encoder
	if asJSON {
		enc = json.NewEncoder(stdout)
	} else {
		changes := 0
		for _, h := range p.Hosts {
			if candidates[h.Name] {
				changes += len(h.Changes)
			}
		}
		fmt.Fprintf(stdout, "plan %s: %s on %s, made %s\n", planPath, plural(changes, "change", "changes"),
			plural(len(candidates), "host", "hosts"), p.Created.Local().Format("2006-01-02 15:04:05"))
		if unchanged > 0 {
			fmt.Fprintf(stdout, "%s with no planned changes: not touched\n", plural(unchanged, "host", "hosts"))
		}
	}

	// The check pass: a host whose changes are not the plan's is refused.
	apply := map[string]bool{}
	if len(candidates) > 0 {
		rec := savedplan.NewRecorder()
		opts.Events = rec.Event
		if _, err := playbooks.Run(cmd.Context(), pb, inv, opts); err != nil {
			return sess.stopped(cmd, nil, err, stderr)
		}
		for _, h := range p.Hosts {
			if !candidates[h.Name] {
				continue
			}
			found := rec.Host(h.Name)
			switch {
			case found == nil:
				refused = append(refused, refusal{Host: h.Name, Reason: "no play of the playbook reaches it now (is it still in the inventory?)"})
			case found.Status == "failed" || found.Status == "unreachable":
				refused = append(refused, refusal{Host: h.Name, Reason: fmt.Sprintf("checking it: %s: %s", found.Status, found.Msg)})
			default:
				if d := savedplan.Compare(h.Changes, found.Changes); d != "" {
					refused = append(refused, refusal{Host: h.Name, Reason: "its state differs from the plan's: " + d,
						planned: h.Changes, found: found.Changes})
				} else {
					apply[h.Name] = true
				}
			}
		}
	}
	for _, r := range refused {
		sess.refuse(r.Host, r.Reason)
		if asJSON {
			_ = enc.Encode(map[string]any{"kind": "refused", "host": r.Host, "reason": r.Reason})
		} else {
			showRefusal(stdout, r)
		}
	}

	// The converge, guarded.
	sum := &playbooks.Summary{Hosts: map[string]*playbooks.Recap{}}
	guard := savedplan.NewGuard(p)
	if len(apply) > 0 {
		var render func(playbooks.Event)
		finish := func(*playbooks.Summary) {}
		if asJSON {
			render = func(e playbooks.Event) { _ = enc.Encode(e) }
		} else {
			tr := newTextRenderer(stdout, false, f.diff, f.verbose)
			render, finish = tr.event, tr.summary
		}
		opts.Check, opts.OnlyHosts, opts.Guard = false, apply, guard.Allow
		opts.StatusOnly = !asJSON // the text shows no task's whole result
		opts.Events = redacting(opts.Vault, func(e playbooks.Event) {
			sess.observe(&e)
			render(e)
			guard.Event(e)
		})
		var err error
		sum, err = playbooks.Run(cmd.Context(), pb, inv, opts)
		if sum != nil {
			finish(sum)
		}
		if err != nil {
			return sess.stopped(cmd, sum, err, stderr)
		}
	}
	var stale []refusal
	var notNeeded []string
	for _, h := range p.Hosts {
		if !apply[h.Name] {
			continue
		}
		left, why := guard.Left(h.Name)
		if why != "" {
			stale = append(stale, refusal{Host: h.Name, Reason: why})
		} else if len(left) > 0 {
			notNeeded = append(notNeeded, fmt.Sprintf("%s (%d)", h.Name, len(left)))
		}
	}
	if asJSON {
		_ = enc.Encode(map[string]any{"kind": "summary", "hosts": sum.Hosts, "duration_ns": sum.Duration,
			"changed": sum.Changed(), "failed": sum.Failed(), "unreachable": sum.Unreachable(), "interrupted": sum.Interrupted(),
			"refused": refused, "stale": stale, "plan": planPath})
	} else {
		for _, s := range stale {
			fmt.Fprintf(stdout, "stopped: %s: stale: %s\n", s.Host, s.Reason)
		}
		if len(notNeeded) > 0 {
			fmt.Fprintf(stdout, "planned changes not needed any more (the hosts had them already): %s\n", strings.Join(notNeeded, ", "))
		}
		done := 0
		for name := range apply {
			if rc := sum.Hosts[name]; rc != nil && rc.Failed == 0 && rc.Unreachable == 0 {
				done++
			}
		}
		fmt.Fprintf(stdout, "apply: the plan was applied on %d of %s; %d refused, %d stopped as stale\n",
			done, plural(len(candidates), "host", "hosts"), len(refused), len(stale))
	}
	code := exitCode(sum, f.detailed)
	if len(refused) > 0 {
		code |= exitFailure
	}
	sess.end(sum, nil, code, stderr)
	return exitError{code}
}

// interrupted maps the error a run returns: an interruption, or a load error.
func interrupted(cmd *cobra.Command, stderr io.Writer, err error) error {
	if cmd.Context().Err() != nil {
		fmt.Fprintln(stderr, "tend: interrupted")
		return exitError{exitInterrupted}
	}
	return err
}
