package modules

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// gitModule is Ansible's git, with the host's git. The probe reads the
// clone (HEAD, local changes, the remote's URL) and asks the remote what
// version is (git ls-remote, which changes nothing), so Plan knows the
// commit wanted: nothing is done when HEAD is at it, the remote's URL is
// the repo and nothing was changed locally, and check mode says what
// would be. The apply clones, or fetches, then checks the version out as
// Ansible's switch_version does (a branch: checked out and reset to the
// remote's; HEAD: the remote's default branch; a tag or commit: detached).
//
// Where tend differs: submodules are updated with the checkout but not
// compared (a superproject at the wanted commit is left alone); clone=no
// without a clone reports no change (Ansible says changed); archive,
// separate_git_dir and verify_commit are refused.
type gitModule struct{}

func init() { Register("git", gitModule{}) }

func (gitModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "repo", Kind: String, Required: true, Aliases: []string{"name"}},
		{Name: "dest", Kind: Path, Required: true},
		{Name: "version", Kind: String, Default: "HEAD"},
		{Name: "remote", Kind: String, Default: "origin"},
		{Name: "refspec", Kind: String},
		{Name: "force", Kind: Bool, Default: false},
		{Name: "depth", Kind: Int},
		{Name: "clone", Kind: Bool, Default: true},
		{Name: "update", Kind: Bool, Default: true},
		{Name: "accept_hostkey", Kind: Bool, Default: false},
		{Name: "accept_newhostkey", Kind: Bool, Default: false},
		{Name: "key_file", Kind: Path},
		{Name: "ssh_opts", Kind: String},
		{Name: "bare", Kind: Bool, Default: false},
		{Name: "umask", Kind: String},
		{Name: "recursive", Kind: Bool, Default: true},
		{Name: "single_branch", Kind: Bool, Default: false},
		{Name: "track_submodules", Kind: Bool, Default: false},
		{Name: "reference", Kind: String},
		{Name: "executable", Kind: Path},
		{Name: "verify_commit", Kind: Bool, Default: false},
		{Name: "gpg_whitelist", Kind: List},
		{Name: "archive", Kind: Path},
		{Name: "archive_prefix", Kind: String},
		{Name: "separate_git_dir", Kind: Path},
	}}
}

type gitTask struct {
	repo, dest, version, remote, refspec, reference string
	git, umask, sshCmd                              string
	depth                                           int
	force, clone, update, bare, recursive, track    bool
	single                                          bool
}

var gitUmask = regexp.MustCompile(`^[0-7]{1,4}$`)

func readGitTask(a Args) (gitTask, error) {
	gt := gitTask{
		repo: a.String("repo"), dest: a.String("dest"), version: a.String("version"),
		remote: a.String("remote"), refspec: a.String("refspec"), reference: a.String("reference"),
		git: a.String("executable"), umask: a.String("umask"), depth: a.Int("depth"),
		force: a.Bool("force"), clone: !a.Has("clone") || a.Bool("clone"), update: !a.Has("update") || a.Bool("update"),
		bare: a.Bool("bare"), recursive: !a.Has("recursive") || a.Bool("recursive"),
		track: a.Bool("track_submodules"), single: a.Bool("single_branch"),
	}
	if gt.version == "" {
		gt.version = "HEAD"
	}
	if gt.remote == "" {
		gt.remote = "origin"
	}
	for _, p := range []string{"archive", "separate_git_dir"} {
		if a.String(p) != "" {
			return gt, fmt.Errorf("%s is not supported by tend's git", p)
		}
	}
	if a.Bool("verify_commit") {
		return gt, fmt.Errorf("verify_commit is not supported by tend's git")
	}
	if err := checkAbs("dest", gt.dest); err != nil {
		return gt, err
	}
	gt.dest = cleanPath(gt.dest)
	if gt.git == "" {
		gt.git = "git"
	} else if err := checkAbs("executable", gt.git); err != nil {
		return gt, err
	}
	if gt.umask != "" && !gitUmask.MatchString(gt.umask) {
		return gt, fmt.Errorf("umask must be an octal integer")
	}
	if strings.HasPrefix(gt.repo, "/") {
		gt.repo = "file://" + gt.repo
	}
	// Values that git would read as options.
	for _, v := range []struct{ name, v string }{{"repo", gt.repo}, {"version", gt.version}, {"remote", gt.remote}, {"refspec", gt.refspec}} {
		if v.v == "" && v.name == "repo" || strings.HasPrefix(v.v, "-") || strings.ContainsAny(v.v, "\n\x00") {
			return gt, fmt.Errorf("%s %q is not valid", v.name, v.v)
		}
	}
	if gt.depth < 0 {
		return gt, fmt.Errorf("depth must be positive")
	}
	// Ansible's ssh wrapper: the key, the options, and whether an unknown
	// host key is taken. BatchMode: never a prompt on a host with no
	// terminal.
	ssh := []string{"ssh", "-o", "BatchMode=yes"}
	if k := a.String("key_file"); k != "" {
		ssh = append(ssh, "-i", k, "-o", "IdentitiesOnly=yes")
	}
	opts := a.String("ssh_opts")
	switch {
	case a.Bool("accept_hostkey") && !strings.Contains(opts, "StrictHostKeyChecking"):
		ssh = append(ssh, "-o", "StrictHostKeyChecking=no")
	case a.Bool("accept_newhostkey") && !strings.Contains(opts, "StrictHostKeyChecking"):
		ssh = append(ssh, "-o", "StrictHostKeyChecking=accept-new")
	}
	if opts != "" {
		words, err := splitArgs(opts)
		if err != nil {
			return gt, fmt.Errorf("ssh_opts: %v", err)
		}
		ssh = append(ssh, words...)
	}
	for i := range ssh {
		ssh[i] = q(ssh[i])
	}
	gt.sshCmd = strings.Join(ssh, " ")
	return gt, nil
}

// gitDir is where the repository's config is.
func (gt gitTask) config() string {
	if gt.bare {
		return path.Join(gt.dest, "config")
	}
	return path.Join(gt.dest, ".git", "config")
}

// env sets what git runs with: no prompt, the ssh command.
func (gt gitTask) env(s *script) {
	s.add("GIT_TERMINAL_PROMPT=0; GIT_SSH_COMMAND=", q(gt.sshCmd), "; export GIT_TERMINAL_PROMPT GIT_SSH_COMMAND")
}

func (gitModule) Probe(t *Task) (string, error) {
	gt, err := readGitTask(t.Args)
	if err != nil {
		return "", err
	}
	g := q(gt.git)
	s := newScript()
	s.add("if command -v ", g, " >/dev/null 2>&1; then echo git=1; else echo git=0; exit 0; fi")
	gt.env(s)
	s.add("if [ -e ", q(gt.config()), " ]; then")
	s.add("echo cloned=1")
	s.add("cd -- ", q(gt.dest), " || exit 1")
	s.add("tend_v=$(", g, " rev-parse --verify -q HEAD) || tend_v=; echo \"before=$tend_v\"")
	if !gt.bare {
		s.add("tend_v=$(", g, ` status --porcelain) || exit 1; printf 'status:%s\n%s\n' "${#tend_v}" "$tend_v"`)
	}
	s.add("tend_v=$(", g, " config --get ", q("remote."+gt.remote+".url"), `) || tend_v=; printf 'url:%s\n%s\n' "${#tend_v}" "$tend_v"`)
	s.add("tend_v=$(", g, " rev-parse --verify -q ", q(gt.version+"^{commit}"), ") && echo \"local=$tend_v\"")
	s.add(g, " rev-parse --verify -q ", q("refs/heads/"+gt.version), " >/dev/null && echo lbranch=1")
	s.add("else echo cloned=0; fi")
	s.add("cd / || exit 1")
	s.add("tend_x=0; tend_v=$(", g, " ls-remote --symref ", q(gt.repo), " 2>&1) || tend_x=$?")
	s.add(`printf 'ls.rc=%s\nls:%s\n%s\n' "$tend_x" "${#tend_v}" "$tend_v"`)
	return s.String(), nil
}

// gitRemote is what ls-remote said.
type gitRemote struct {
	refs       map[string]string
	headBranch string // the branch the remote's HEAD names
}

func parseLsRemote(out string) gitRemote {
	r := gitRemote{refs: map[string]string{}}
	for _, l := range strings.Split(out, "\n") {
		sha, ref, ok := strings.Cut(l, "\t")
		if !ok {
			continue
		}
		if target, isSym := strings.CutPrefix(sha, "ref: "); isSym {
			if ref == "HEAD" {
				r.headBranch = strings.TrimPrefix(target, "refs/heads/")
			}
			continue
		}
		r.refs[ref] = sha
	}
	return r
}

// gitPlan is what the probe says and what is wanted.
type gitPlan struct {
	gt                gitTask
	cloned, mods      bool
	before, url       string
	wanted            string // the commit wanted; "" when unknown (a commit not fetched yet)
	kind              string // head, branch, tag or commit
	branch            string // the branch checked out for head and branch
	lbranch, urlDiffs bool
}

func (gitModule) plan(t *Task, probe Output) (*gitPlan, error) {
	gt, err := readGitTask(t.Args)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	if ok, err := r.flag("git"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorf("Failed to find required executable %s in paths: the host needs git", gt.git)
	}
	p := &gitPlan{gt: gt}
	if p.cloned, err = r.flag("cloned"); err != nil {
		return nil, err
	}
	if p.cloned {
		p.before, _ = r.opt("before")
		st, _ := r.blob("status")
		for _, l := range strings.Split(string(st), "\n") {
			if l != "" && !strings.HasPrefix(l, "??") {
				p.mods = true
			}
		}
		u, _ := r.blob("url")
		p.url = strings.TrimSpace(string(u))
		p.urlDiffs = p.url != "" && p.url != gt.repo
		_, p.lbranch = r.opt("lbranch")
	}
	if rc, _ := r.opt("ls.rc"); rc != "0" {
		out, _ := r.blob("ls")
		return nil, errorf("Could not determine remote revision for %s: git ls-remote %s failed: %s", gt.version, gt.repo, strings.TrimSpace(string(out)))
	}
	out, _ := r.blob("ls")
	rem := parseLsRemote(string(out))
	v := gt.version
	switch {
	case v == "HEAD":
		p.kind, p.wanted, p.branch = "head", rem.refs["HEAD"], rem.headBranch
		if p.wanted == "" {
			return nil, errorf("Could not determine remote revision for HEAD (is %s empty?)", gt.repo)
		}
		if p.branch == "" {
			p.branch = "master"
		}
	case rem.refs["refs/heads/"+v] != "":
		p.kind, p.wanted, p.branch = "branch", rem.refs["refs/heads/"+v], v
	case rem.refs["refs/tags/"+v] != "":
		p.kind, p.wanted = "tag", rem.refs["refs/tags/"+v]
		if d := rem.refs["refs/tags/"+v+"^{}"]; d != "" {
			p.wanted = d
		}
	default:
		p.kind = "commit"
		if l, ok := r.opt("local"); ok {
			p.wanted = l
		} else if len(v) == 40 && strings.Trim(strings.ToLower(v), "0123456789abcdef") == "" {
			p.wanted = strings.ToLower(v)
		}
	}
	if p.cloned && gt.update && p.mods && !gt.force {
		return nil, errorf("Local modifications exist in the destination: %s (force=no).", gt.dest)
	}
	return p, nil
}

// settled says whether the host is as wanted.
func (p *gitPlan) settled() bool {
	switch {
	case !p.cloned:
		return !p.gt.clone
	case !p.gt.update:
		return true
	}
	return p.wanted != "" && p.before == p.wanted && !p.mods && !p.urlDiffs
}

func (m gitModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil || p.settled() {
		return nil, err
	}
	gt := p.gt
	after := p.wanted
	if after == "" {
		after = gt.version + " (fetched)"
	}
	var diffs []Diff
	if !p.cloned {
		diffs = append(diffs, stateDiff(gt.dest, "absent", "directory"), Diff{Path: gt.dest, Attr: "repo", After: gt.repo})
	}
	if p.urlDiffs {
		diffs = append(diffs, Diff{Path: gt.dest, Attr: "remote_url", Before: p.url, After: gt.repo})
	}
	if p.mods {
		diffs = append(diffs, Diff{Path: gt.dest, Attr: "local_modifications", Before: "present", After: "reset"})
	}
	if p.before != p.wanted {
		diffs = append(diffs, Diff{Path: gt.dest, Attr: "version", Before: p.before, After: after})
	}
	return &Change{
		Diffs: diffs,
		Apply: p.applyScript(),
		Result: func(o Output) (Result, error) {
			res := Result{"before": nil, "after": nil}
			if p.cloned {
				res["before"] = p.before
				res["remote_url_changed"] = p.urlDiffs
			}
			r, err := parseRecords(o.Stdout)
			if err == nil {
				if a, ok := r.opt("after"); ok {
					res["after"] = a
				}
			}
			if o.ExitCode != 0 {
				return failedApplyWith(o, res), nil
			}
			if err != nil {
				return nil, fmt.Errorf("apply printed something unexpected: %v", err)
			}
			res["changed"] = !p.cloned || res["after"] != p.before || p.mods || p.urlDiffs
			if p.mods {
				res["msg"] = "Local modifications exist in the destination: " + gt.dest
			}
			return res, nil
		},
	}, nil
}

// applyScript clones or fetches, then checks the version out.
func (p *gitPlan) applyScript() string {
	gt := p.gt
	g := q(gt.git)
	rem := q(gt.remote)
	s := newScript()
	s.use("tend_die")
	gt.env(s)
	if gt.umask != "" {
		s.add("umask ", gt.umask)
	}
	run := func(msg string, args ...string) {
		s.add(`tend_o=$(`, g, " ", strings.Join(args, " "), ` 2>&1) || tend_die `, q(msg+": "), `"$tend_o"`)
	}
	// A shallow clone only of what can be fetched by name.
	byName := p.kind == "head" || p.kind == "branch" || p.kind == "tag"
	clone := []string{"clone"}
	if gt.bare {
		clone = append(clone, "--bare")
	} else {
		clone = append(clone, "--origin", rem)
	}
	branchArg := false
	if gt.depth > 0 && (p.kind == "head" || gt.refspec != "" || byName) {
		clone = append(clone, "--depth", fmt.Sprint(gt.depth))
		branchArg = p.kind == "branch" || p.kind == "tag"
	}
	if gt.reference != "" {
		clone = append(clone, "--reference", q(gt.reference))
	}
	if gt.single {
		clone = append(clone, "--single-branch")
		branchArg = branchArg || p.kind == "branch" || p.kind == "tag"
	}
	if branchArg {
		clone = append(clone, "--branch", q(gt.version))
	}
	clone = append(clone, "--", q(gt.repo), q(gt.dest))
	fetch := []string{"fetch"}
	var refspecs []string
	if gt.depth > 0 {
		switch {
		case gt.refspec != "":
			refspecs = append(refspecs, q(gt.refspec))
		case p.kind == "head":
			refspecs = append(refspecs, q(p.branch))
		case p.kind == "branch":
			refspecs = append(refspecs, q("+refs/heads/"+gt.version+":refs/remotes/"+gt.remote+"/"+gt.version))
		case p.kind == "tag":
			refspecs = append(refspecs, q("+refs/tags/"+gt.version+":refs/tags/"+gt.version))
		}
		if len(refspecs) > 0 {
			fetch = append(fetch, "--depth", fmt.Sprint(gt.depth))
		}
	}
	if gt.depth == 0 || len(refspecs) == 0 {
		if gt.bare {
			refspecs = []string{q("+refs/heads/*:refs/heads/*"), q("+refs/tags/*:refs/tags/*")}
		} else {
			fetch = append(fetch, "--tags")
		}
		if gt.refspec != "" {
			refspecs = append(refspecs, q(gt.refspec))
		}
	}
	if gt.force {
		fetch = append(fetch, "--force")
	}
	fetch = append(append(fetch, rem), refspecs...)

	s.add("if [ ! -e ", q(gt.config()), " ]; then")
	s.add("mkdir -p -- ", q(path.Dir(gt.dest)), " || tend_die ", q("cannot create "+path.Dir(gt.dest)))
	run("Failed to clone", clone...)
	if gt.bare && gt.remote != "origin" {
		s.add("cd -- ", q(gt.dest), " || exit 1")
		run("Failed to add the remote", "remote", "add", rem, q(gt.repo))
	}
	if gt.refspec != "" {
		s.add("cd -- ", q(gt.dest), " || exit 1")
		run("Failed to download remote objects and refs", fetch...)
	}
	s.add("cd -- ", q(gt.dest), " || exit 1")
	s.add("else")
	s.add("cd -- ", q(gt.dest), " || exit 1")
	if p.mods && !gt.bare {
		run("Failed to reset the local modifications", "reset", "--hard", "HEAD", "--")
	}
	s.add(`tend_v=$(`, g, ` config --get `, q("remote."+gt.remote+".url"), `) || tend_v=`)
	s.add(`if [ -z "$tend_v" ]; then`)
	run("Failed to add the remote", "remote", "add", rem, q(gt.repo))
	s.add(`elif [ "$tend_v" != `, q(gt.repo), ` ]; then`)
	run("Failed to update remote url", "remote", "set-url", rem, q(gt.repo))
	s.add("fi")
	run("Failed to download remote objects and refs", fetch...)
	s.add("fi")
	if !gt.bare {
		switch p.kind {
		case "head":
			run("Failed to checkout branch "+p.branch, "checkout", "--force", q(p.branch), "--")
			run("Failed to checkout branch "+p.branch, "reset", "--hard", q(gt.remote+"/"+p.branch), "--")
		case "branch":
			s.add(g, " rev-parse --verify -q ", q("refs/heads/"+gt.version), " >/dev/null && tend_x=1 || tend_x=0")
			s.add(`if [ "$tend_x" = 0 ]; then`)
			run("Failed to checkout "+gt.version, "checkout", "--track", "-b", q(gt.version), q(gt.remote+"/"+gt.version))
			s.add("else")
			run("Failed to checkout branch "+gt.version, "checkout", "--force", q(gt.version), "--")
			run("Failed to checkout "+gt.version, "reset", "--hard", q(gt.remote+"/"+gt.version), "--")
			s.add("fi")
		default:
			run("Failed to checkout "+gt.version, "checkout", "--force", q(gt.version), "--")
		}
		if gt.recursive {
			up := []string{"submodule", "update", "--init", "--recursive"}
			if gt.track {
				up = append(up, "--remote")
			}
			if gt.force {
				up = append(up, "--force")
			}
			s.add("if [ -f .gitmodules ]; then")
			run("Failed to init/update submodules", "submodule", "sync", "--recursive")
			run("Failed to init/update submodules", up...)
			s.add("fi")
		}
	}
	s.add("tend_v=$(", g, ` rev-parse --verify -q HEAD) || tend_v=; echo "after=$tend_v"`)
	return s.String()
}

func (m gitModule) Report(t *Task, probe Output) (Result, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	res := Result{"changed": false, "before": nil, "after": nil}
	switch {
	case !p.cloned:
		res["after"] = p.wanted
	case !p.gt.update:
		res["before"], res["after"] = p.before, p.before
	default:
		res["before"], res["after"], res["remote_url_changed"] = p.before, p.before, false
	}
	return res, nil
}
