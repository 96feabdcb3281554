package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"tend/inventory"
	"tend/playbooks"
)

type pullFlags struct {
	repo, ref, playbook, dir string
	onlyIfChanged            bool
	check, diff, detailed    bool
	askBecomePass            bool
	vault                    vaultFlags
	extraVars                []string
	tags, skipTags           []string
	format                   string
	verbose                  int
	record                   recordFlags
}

func newPullCmd() *cobra.Command {
	var f pullFlags
	cmd := &cobra.Command{
		Use:   "pull --repo URL [--ref REF] [--playbook FILE] [--dir DIR]",
		Short: "Fetch a playbook repository with git and converge this host",
		Long: `Fetch a git repository with the system git, check out REF (default: the
remote's HEAD), and converge this machine (localhost, connection local) with a
playbook of the checkout: --playbook, else HOSTNAME.yml, else local.yml.

The run corrects drift even when the repository did not change; with
--only-if-changed it is skipped (and says so) when the commit is the one the
last successful pull applied. The commit applied is printed, and given in the
JSON summary.

The checkout lives in --dir (default: pull/NAME-HASH in /var/lib/tend as root,
else in $XDG_STATE_HOME/tend); tend owns it: local edits there are discarded.
Suited to cron on each host.

` + convergeExitCodes,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPull(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.repo, "repo", "", "the repository's URL (anything git clone takes)")
	fl.StringVar(&f.ref, "ref", "", "branch, tag or commit to check out (default: the remote's HEAD)")
	fl.StringVar(&f.playbook, "playbook", "", "the playbook, relative to the checkout (default: HOSTNAME.yml, else local.yml)")
	fl.StringVar(&f.dir, "dir", "", "where the checkout lives")
	fl.BoolVar(&f.onlyIfChanged, "only-if-changed", false, "skip the run when the commit is the one the last successful pull applied")
	fl.BoolVarP(&f.check, "check", "C", false, "change nothing: report what a converge would change")
	fl.BoolVarP(&f.diff, "diff", "D", false, "show content diffs and attribute changes")
	fl.StringArrayVarP(&f.extraVars, "extra-vars", "e", nil, "variables that win over all others: k=v pairs, YAML/JSON, or @file (repeatable)")
	fl.StringSliceVarP(&f.tags, "tags", "t", nil, "run only tasks with these tags")
	fl.StringSliceVar(&f.skipTags, "skip-tags", nil, "skip tasks with these tags")
	fl.BoolVar(&f.detailed, "detailed-exitcode", false, "exit 0 nothing changed, 2 changed (check mode: drift pending), 4 failed, 6 both")
	fl.StringVar(&f.format, "format", "text", "text, or json: one JSON object per event (JSON lines)")
	fl.BoolVarP(&f.askBecomePass, "ask-become-pass", "K", false, "ask for the sudo password (sent to sudo on stdin, never logged)")
	f.vault.register(cmd)
	fl.CountVarP(&f.verbose, "verbose", "v", "say more")
	f.record.register(cmd)
	_ = cmd.MarkFlagRequired("repo")
	return cmd
}

// appliedFile, in the checkout's .git, holds the commit the last successful
// pull applied (for --only-if-changed).
const appliedFile = "tend-applied"

func runPull(cmd *cobra.Command, f *pullFlags) error {
	ctx := cmd.Context()
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("--format must be text or json, not %q", f.format)
	}
	dir := f.dir
	if dir == "" {
		sd, err := stateDir()
		if err != nil {
			return err
		}
		dir = filepath.Join(sd, "pull", checkoutName(f.repo))
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	unlock, err := lockCheckout(dir)
	if err != nil {
		return err
	}
	defer unlock()
	commit, err := fetchCheckout(ctx, dir, f.repo, f.ref)
	if err != nil {
		return err
	}
	lastApplied := ""
	if data, err := os.ReadFile(filepath.Join(dir, ".git", appliedFile)); err == nil {
		lastApplied = strings.TrimSpace(string(data))
	}
	asJSON := f.format == "json"
	var enc *json.Encoder
	if asJSON {
		enc = json.NewEncoder(stdout)
	}
	say := func(kind, msg string) {
		if asJSON {
			_ = enc.Encode(map[string]any{"kind": kind, "repo": f.repo, "ref": f.ref, "commit": commit, "last_applied": lastApplied, "msg": msg})
		} else {
			fmt.Fprintln(stdout, msg)
		}
	}
	changedNote := "the repository changed since the last successful pull"
	switch lastApplied {
	case "":
		changedNote = "no earlier successful pull"
	case commit:
		changedNote = "unchanged since the last successful pull"
	}
	if f.onlyIfChanged && lastApplied == commit {
		say("pull_skipped", fmt.Sprintf("pull: %s at commit %s: %s, skipped (--only-if-changed)", f.repo, commit, changedNote))
		return exitError{exitOK}
	}
	say("pull", fmt.Sprintf("pull: %s at commit %s (%s)", f.repo, commit, changedNote))

	pbPath, err := pullPlaybook(dir, f.playbook)
	if err != nil {
		return err
	}
	pb, err := loadPlaybook(pbPath, stderr, &f.vault, jsonEvents(f.format, stdout))
	if err != nil {
		return err
	}
	ring, err := f.vault.keyring(stderr)
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
	inv, err := inventory.Parse("pull", []byte("localhost ansible_connection=local\n"))
	if err != nil {
		return err
	}
	var copts playbooks.ConnectOptions
	if err := askBecomePassword(f.askBecomePass, &copts); err != nil {
		return err
	}
	var render func(playbooks.Event)
	finish := func(*playbooks.Summary) {}
	if asJSON {
		render = func(e playbooks.Event) { _ = enc.Encode(e) }
	} else {
		tr := newTextRenderer(stdout, f.check, f.diff, f.verbose)
		render, finish = tr.event, tr.summary
	}
	// The run lock and report, as for converge: the report records the
	// checkout's commit, since the playbook is in it.
	sess, err := f.record.begin(ctx, stderr, runSpec{playbook: pbPath, inventory: []string{"localhost (tend pull " + f.repo + ")"},
		check: f.check, tags: f.tags, skipTags: f.skipTags, verbose: f.verbose})
	if err != nil {
		return err
	}
	opts := playbooks.Options{
		Forks: 1, Check: f.check, Diff: f.diff, ExtraVars: extra, Tags: f.tags, SkipTags: f.skipTags,
		Connect: copts, DigestKey: sess.digestKey(),
		Vault:      ring,
		StatusOnly: !asJSON,
		Events:     redacting(ring, func(e playbooks.Event) { sess.observe(&e); render(e) }),
	}
	sum, err := playbooks.Run(ctx, pb, inv, opts)
	if sum != nil {
		if asJSON {
			_ = enc.Encode(map[string]any{"kind": "summary", "hosts": sum.Hosts, "duration_ns": sum.Duration,
				"changed": sum.Changed(), "failed": sum.Failed(), "unreachable": sum.Unreachable(), "interrupted": sum.Interrupted(), "check": f.check,
				"repo": f.repo, "commit": commit})
		} else {
			finish(sum)
			fmt.Fprintf(stdout, "commit applied: %s\n", commit)
		}
	}
	if err != nil {
		code := exitUsage
		if ctx.Err() != nil {
			code = exitInterrupted
		}
		sess.end(sum, err, code, stderr)
		return interrupted(cmd, stderr, err)
	}
	code := exitCode(sum, f.detailed)
	sess.end(sum, nil, code, stderr)
	if !f.check && sum.Failed()+sum.Unreachable() == 0 {
		if err := os.WriteFile(filepath.Join(dir, ".git", appliedFile), []byte(commit+"\n"), 0o600); err != nil {
			return err
		}
	}
	return exitError{code}
}

// checkoutName names a repository's default checkout: its last path part,
// and a hash of the whole URL.
func checkoutName(url string) string {
	base := strings.TrimSuffix(filepath.Base(strings.TrimRight(url, "/")), ".git")
	base = regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(base, "_")
	if base == "" || base == "." || base == ".." {
		base = "repo"
	}
	sum := sha256.Sum256([]byte(url))
	return base + "-" + hex.EncodeToString(sum[:])[:12]
}

// lockCheckout keeps two pulls from using one checkout at once.
func lockCheckout(dir string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return nil, err
	}
	path := dir + ".lock"
	lf, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lf.Close()
		return nil, fmt.Errorf("another tend pull is using %s (lock %s)", dir, path)
	}
	return func() { lf.Close() }, nil
}

// git runs git in dir, without a terminal to ask on, and returns its
// trimmed output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	c := exec.CommandContext(ctx, "git", args...)
	c.Dir = dir
	c.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true", "LC_ALL=C")
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return strings.TrimSpace(out.String()), nil
}

// fetchCheckout fetches ref (default the remote's HEAD) from url into the
// checkout at dir, creating it, checks it out exactly (local edits and
// untracked files are discarded), and returns the commit.
func fetchCheckout(ctx context.Context, dir, url, ref string) (string, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", fmt.Errorf("tend pull needs git: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
		if _, err := git(ctx, dir, "init", "-q"); err != nil {
			return "", err
		}
		if _, err := git(ctx, dir, "remote", "add", "origin", url); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	} else if have, err := git(ctx, dir, "remote", "get-url", "origin"); err != nil {
		return "", err
	} else if have != url {
		return "", fmt.Errorf("%s is a checkout of %s, not %s: give another --dir", dir, have, url)
	}
	if ref == "" {
		ref = "HEAD"
	}
	if strings.HasPrefix(ref, "-") || strings.ContainsAny(ref, ": \t\n") {
		return "", fmt.Errorf("--ref %q: not a branch, tag or commit name", ref)
	}
	if _, err := git(ctx, dir, "fetch", "--quiet", "--no-tags", "origin", "+"+ref+":refs/tend/pull"); err != nil {
		// A commit id is fetched by itself, not into a ref name.
		if _, err2 := git(ctx, dir, "fetch", "--quiet", "--no-tags", "origin", ref); err2 != nil {
			if ref == "HEAD" {
				return "", fmt.Errorf("%v (the repository's HEAD names no branch it has: give --ref)", err)
			}
			return "", err
		}
		if _, err := git(ctx, dir, "update-ref", "refs/tend/pull", "FETCH_HEAD"); err != nil {
			return "", err
		}
	}
	if _, err := git(ctx, dir, "checkout", "--quiet", "--force", "--detach", "refs/tend/pull"); err != nil {
		return "", err
	}
	if _, err := git(ctx, dir, "clean", "-q", "-ffdx"); err != nil {
		return "", err
	}
	return git(ctx, dir, "rev-parse", "HEAD")
}

// pullPlaybook finds the playbook in the checkout: the one named (which must
// stay inside it), else HOSTNAME.yml, else local.yml.
func pullPlaybook(dir, name string) (string, error) {
	if name != "" {
		p := filepath.Join(dir, name)
		if filepath.IsAbs(name) || !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			return "", fmt.Errorf("--playbook %s: give a path inside the repository", name)
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("--playbook: %s is not in the repository at this commit", name)
		}
		return p, nil
	}
	var tried []string
	if h, err := os.Hostname(); err == nil && h != "" {
		tried = append(tried, h+".yml")
		if short, _, ok := strings.Cut(h, "."); ok {
			tried = append(tried, short+".yml")
		}
	}
	tried = append(tried, "local.yml")
	for _, n := range tried {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			return filepath.Join(dir, n), nil
		}
	}
	return "", fmt.Errorf("no playbook in the repository: none of %s (or give --playbook)", strings.Join(tried, ", "))
}
