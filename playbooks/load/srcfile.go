package load

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"tend/internal/shlex"
	"tend/modules"
)

// SearchDirs lists the folders where the runner looks for a file the task
// names by a relative path, kind being "files" (copy's and script's src)
// or "templates": the role's kind folder, the role, the kind folder beside
// the task's file and that file's folder (a role's tasks/), then the
// playbook's kind folder and the playbook's folder (playbookDir is
// Playbook.Dir), as Ansible's path_dwim_relative_stack.
func (t *Task) SearchDirs(playbookDir, kind string) []string {
	var dirs []string
	if t.Role != nil {
		dirs = append(dirs, filepath.Join(t.Role.Path, kind), t.Role.Path)
	}
	if t.Pos.File != "" {
		dirs = append(dirs, filepath.Join(filepath.Dir(t.Pos.File), kind), filepath.Dir(t.Pos.File))
	}
	return append(dirs, filepath.Join(playbookDir, kind), playbookDir)
}

// srcFile checks the controller file a copy, script or template task names
// plainly (a templated name is found when it runs): that it is there, and
// a template's syntax. A file not found or a template that does not parse
// is a warning, not an error: a branch for other systems may name a file
// that is not there, or one an earlier task writes, and ansible-playbook
// too finds out only when the task runs, where the task fails before it
// changes anything.
func (w *walk) srcFile(t *Task, act action, a modules.Args) {
	var src, what string
	kind := "files"
	switch t.Module {
	case "template":
		src, what, kind = a.String("src"), "template", "templates"
	case "copy":
		if v, ok := a["remote_src"]; a.Has("content") || ok && v != false {
			return // remote_src: true or templated: src is on the host
		}
		src, what = a.String("src"), "copy src"
	case "script":
		words, err := shlex.Split(a.String("cmd"))
		if err != nil || len(words) == 0 {
			return // the module says why when it runs
		}
		src, what = words[0], "script"
	default:
		return
	}
	if src == "" || modules.IsTemplated(src) {
		return
	}
	at := w.argPos(t, act.spec, "src")
	if t.Module == "script" {
		at = w.argPos(t, act.spec, "cmd")
	}
	if filepath.IsAbs(src) {
		// An absolute path may well be written by an earlier task: not
		// looked for.
		if t.Module == "template" && exists(src) {
			w.templateSyntax(src, at)
		}
		return
	}
	// The first folder where it exists wins, as in Ansible (and the
	// runner's fileSource): a copy of a folder copies it.
	folder := t.Module == "copy" && strings.HasSuffix(src, "/")
	dirs := uniq(t.SearchDirs(w.l.pbDir, kind))
	path, dir := "", ""
	for _, d := range dirs {
		p := filepath.Join(d, src)
		if isDir(p) {
			if t.Module == "copy" {
				return
			}
			dir = p
			break
		}
		if !folder && exists(p) {
			path = p
			break
		}
	}
	switch {
	case dir != "":
		w.l.warnf(at, "a host that reaches this task fails", "%s %q is the folder %s, not a file", what, clip(src), dir)
	case path == "":
		w.l.warnf(at, "a host that reaches this task fails", "%s %q not found (looked in %s)", what, clip(src), strings.Join(dirs, ", "))
	case t.Module == "template":
		w.templateSyntax(path, at)
	}
}

func uniq(l []string) []string {
	var out []string
	for _, s := range l {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

var reTemplateAt = regexp.MustCompile(`at line (\d+), column (\d+): (.*)$`)

// templateSyntax checks a template file's syntax; the file counts among
// the run's inputs.
func (w *walk) templateSyntax(path string, at Pos) {
	if w.l.opts.CheckTemplate == nil {
		return
	}
	data, err := readFile(path)
	if err != nil {
		w.l.warnf(at, "", "template %s: %v", path, err)
		return
	}
	if !slices.Contains(w.l.order, path) {
		w.l.order = append(w.l.order, path)
	}
	if err := w.l.opts.CheckTemplate(string(data)); err != nil {
		where := Pos{File: path}
		msg := err.Error()
		if m := reTemplateAt.FindStringSubmatch(msg); m != nil {
			where.Line, _ = strconv.Atoi(m[1])
			where.Col, _ = strconv.Atoi(m[2])
			msg = m[3]
			if f := w.l.byPath[path]; f == nil {
				w.l.byPath[path] = &file{path: path, lines: strings.Split(string(data), "\n")}
			}
		}
		w.l.warnf(where, "the task that renders it fails", "template syntax: %s", msg)
	}
}

// regexps reports the Python regular expressions in a module's arguments
// that the module refuses when it runs (lookarounds, backreferences and
// the like that RE2 lacks; expressions that do not compile), as warnings
// at the argument. It returns the reasons the task cannot run.
func (w *walk) regexps(t *Task, act action, a modules.Args) []string {
	var notRun []string
	for _, p := range modules.CheckRegexps(act.name, a) {
		at := w.argPos(t, act.spec, p.Arg)
		if p.Unsupported {
			msg := fmt.Sprintf("Python regexp %s in %s is not supported by tend yet", p.What, p.Arg)
			w.l.warnf(at, "tend reads Python regular expressions as RE2, which has no lookarounds, backreferences, conditionals or atomic groups; a host that reaches this task fails",
				"%s", msg)
			notRun = append(notRun, msg)
			continue
		}
		w.l.warnf(at, "a host that reaches this task fails", "%s", p.Msg)
		notRun = append(notRun, p.Msg)
	}
	return notRun
}

// argPos is where the argument named canonically was written, under its
// name or an alias; the module's key when not found.
func (w *walk) argPos(t *Task, spec modules.Spec, name string) Pos {
	for _, p := range spec.Params {
		if p.Name != name {
			continue
		}
		for _, k := range append([]string{p.Name}, p.Aliases...) {
			if at, ok := t.ArgPos[k]; ok {
				return at
			}
		}
	}
	return t.Pos
}
