package modules

import (
	"fmt"
	"path"
	"strings"

	"tend/modules/hostq"
)

// command and shell as questions: creates and removes are Path questions.
// Ansible tests them with glob.glob, which for a name without a pattern is
// os.path.lexists (a dangling link counts), and for a name ending in '/'
// os.path.isdir. Patterns, and names relative to a folder the controller
// does not know, stay with the probe.

// Questions asks about creates, removes and chdir; a command without
// creates or removes asks nothing.
func (m commandModule) Questions(t *Task) ([]hostq.Question, error) {
	ct, err := readCommandTask(t, m.shell)
	if err != nil {
		return nil, err
	}
	qs := []hostq.Question{}
	if ct.creates == "" && ct.removes == "" {
		return qs, nil
	}
	if ct.chdir != "" {
		if !path.IsAbs(ct.chdir) || hasDotDot(ct.chdir) {
			return nil, nil
		}
		qs = append(qs, hostq.Path{Path: ct.chdir, Follow: true})
	}
	for _, p := range []string{ct.creates, ct.removes} {
		if p == "" {
			continue
		}
		abs, dir, ok := ct.existsPath(p)
		if !ok {
			return nil, nil
		}
		qs = append(qs, hostq.Path{Path: abs, Follow: dir})
	}
	return qs, nil
}

// existsPath is the path creates or removes names, and whether only a
// directory counts (a trailing '/'); ok is false for a pattern, a relative
// name without an absolute chdir, and ".." (which the kernel resolves
// through links, path.Clean does not).
func (ct commandTask) existsPath(p string) (abs string, dir, ok bool) {
	if strings.ContainsAny(p, "*?[") { // chdir's name is no pattern
		return "", false, false
	}
	if !path.IsAbs(p) {
		if !path.IsAbs(ct.chdir) {
			return "", false, false
		}
		p = ct.chdir + "/" + p
	}
	if hasDotDot(p) {
		return "", false, false
	}
	return path.Clean(p), strings.HasSuffix(p, "/"), true
}

func hasDotDot(p string) bool {
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return true
		}
	}
	return false
}

// answer is the probe's record key ("chdir", "creates", "removes") from
// answers.
func (ct commandTask) answer(a hostq.Answers, key string) (bool, error) {
	if key == "chdir" {
		fi, err := a.Path(ct.chdir, true)
		return fi.Exists && fi.Type == 'd', err
	}
	p := ct.creates
	if key == "removes" {
		p = ct.removes
	}
	abs, dir, ok := ct.existsPath(p)
	if !ok {
		return false, fmt.Errorf("%s %q: %w", key, p, hostq.ErrNotAsked)
	}
	fi, err := a.Path(abs, dir)
	if dir {
		return fi.Exists && fi.Type == 'd', err
	}
	return fi.Exists, err
}

// effects are what a command that runs leaves known only after apply:
// what creates and removes name (for a pattern, the folder it is in).
func (ct commandTask) effects() []hostq.Effect {
	var fx []hostq.Effect
	for _, p := range []string{ct.creates, ct.removes} {
		if p == "" {
			continue
		}
		base := "/"
		if !path.IsAbs(p) {
			if !path.IsAbs(ct.chdir) || hasDotDot(ct.chdir) {
				continue // relative to a folder the controller does not know
			}
			base = ct.chdir
		}
		// The part before any pattern or "..".
		keep := []string{base}
		for _, c := range strings.Split(p, "/") {
			if c == ".." || strings.ContainsAny(c, "*?[") {
				break
			}
			keep = append(keep, c)
		}
		fx = append(fx, hostq.Taint{Path: path.Join(keep...)})
	}
	return fx
}
