package load

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"tend/modules"
)

// Test-only modules, so that these tests do not depend on the real ones.
func init() {
	reg := func(name string, s modules.Spec) { modules.Register(name, modules.Controller{ArgSpec: s}) }
	reg("testfile", modules.Spec{Params: []modules.Param{
		{Name: "path", Kind: modules.Path, Required: true, Aliases: []string{"dest", "name"}},
		{Name: "state", Choices: []string{"file", "directory", "absent", "touch", "link"}},
		{Name: "mode", Kind: modules.Mode},
		{Name: "owner"},
		{Name: "src", Kind: modules.Path},
	}})
	reg("testcopy", modules.Spec{
		Params: []modules.Param{
			{Name: "src", Kind: modules.Path},
			{Name: "content"},
			{Name: "dest", Kind: modules.Path, Required: true},
			{Name: "mode", Kind: modules.Mode},
		},
		Exclusive: [][]string{{"src", "content"}},
	})
	reg("testcommand", modules.Spec{
		FreeForm: "cmd",
		Params: []modules.Param{
			{Name: "cmd"},
			{Name: "argv", Kind: modules.List},
			{Name: "chdir", Kind: modules.Path},
			{Name: "creates", Kind: modules.Path},
			{Name: "removes", Kind: modules.Path},
		},
		RequiredOneOf: [][]string{{"cmd", "argv"}},
	})
	reg("testservice", modules.Spec{Params: []modules.Param{
		{Name: "name", Required: true},
		{Name: "state", Choices: []string{"started", "stopped", "restarted"}},
		{Name: "enabled", Kind: modules.Bool},
	}})
	reg("testdebug", modules.Spec{
		Params:    []modules.Param{{Name: "msg"}, {Name: "var"}, {Name: "verbosity", Kind: modules.Int}},
		Exclusive: [][]string{{"msg", "var"}},
	})
	reg("testassert", modules.Spec{Params: []modules.Param{
		{Name: "that", Kind: modules.List, Required: true},
		{Name: "fail_msg"},
	}})
	reg("testsetfact", modules.Spec{AnyKeys: true})
	exprArgs["testassert"] = []string{"that"}
	exprArgs["testdebug"] = []string{"var"}
}

// opts are hooks standing in for the Jinja package: a template is bad
// when its {{ and }} do not pair up or it holds "!!"; an expression is bad
// when its parentheses do not pair up or it holds "!!".
var opts = Options{
	CheckTemplate: func(src string) error {
		if strings.Count(src, "{{") != strings.Count(src, "}}") {
			return errors.New("unclosed {{")
		}
		if strings.Contains(src, "!!") {
			return errors.New(`unexpected "!!"`)
		}
		return nil
	},
	CheckExpr: func(expr string) error {
		if strings.Count(expr, "(") != strings.Count(expr, ")") {
			return errors.New("unbalanced parentheses")
		}
		if strings.Contains(expr, "!!") {
			return errors.New(`unexpected "!!"`)
		}
		return nil
	},
}

// dump renders a playbook compactly, only the fields that are set, for
// golden comparisons.
func dump(pb *Playbook) string {
	var b strings.Builder
	fmt.Fprintf(&b, "playbook %s dir=%s\n", pb.Path, pb.Dir)
	for _, f := range pb.Files {
		fmt.Fprintf(&b, "file %s\n", f)
	}
	for _, w := range pb.Warnings {
		fmt.Fprintf(&b, "warning %s: %s\n", Pos{w.File, w.Line, w.Col}, w.Msg)
	}
	for _, p := range pb.Plays {
		fmt.Fprintf(&b, "play %s name=%q hosts=%q facts=%v", p.Pos, p.Name, p.Hosts, p.GatherFacts)
		field(&b, "become", p.Become)
		field(&b, "become_user", p.BecomeUser)
		field(&b, "become_method", p.BecomeMethod)
		field(&b, "tags", p.Tags)
		field(&b, "check_mode", p.CheckMode)
		field(&b, "diff", p.Diff)
		field(&b, "vars", p.Vars)
		b.WriteString("\n")
		for _, vf := range p.VarsFiles {
			fmt.Fprintf(&b, "  vars_file %s %s\n", vf.Path, show(vf.Vars))
		}
		for _, sec := range []struct {
			name  string
			tasks []*Task
		}{{"pre_tasks", p.PreTasks}, {"tasks", p.Tasks}, {"post_tasks", p.PostTasks}, {"handlers", p.Handlers}} {
			if len(sec.tasks) > 0 {
				fmt.Fprintf(&b, "  %s:\n", sec.name)
				dumpTasks(&b, sec.tasks, "    ")
			}
		}
	}
	return b.String()
}

func dumpTasks(b *strings.Builder, ts []*Task, indent string) {
	for _, t := range ts {
		fmt.Fprintf(b, "%s- %s", indent, t.Pos)
		field(b, "name", t.Name)
		if t.Module != "" {
			fmt.Fprintf(b, " %s%s", t.Module, show(t.Args))
			keys := slices.Sorted(maps.Keys(t.ArgPos))
			var ps []string
			for _, k := range keys {
				ps = append(ps, fmt.Sprintf("%s@%d:%d", k, t.ArgPos[k].Line, t.ArgPos[k].Col))
			}
			field(b, "argpos", strings.Join(ps, ","))
		}
		field(b, "when", t.When)
		if t.Loop != nil {
			field(b, "loop_lookup", t.LoopLookup)
			field(b, "loop", t.Loop)
			field(b, "flatten", t.LoopFlatten)
			field(b, "loop_var", t.LoopVar)
			field(b, "index_var", t.IndexVar)
			field(b, "label", t.LoopLabel)
		}
		field(b, "register", t.Register)
		field(b, "notify", t.Notify)
		field(b, "listen", t.Listen)
		field(b, "tags", t.Tags)
		field(b, "no_log", t.NoLog)
		field(b, "ignore_errors", t.IgnoreErrors)
		field(b, "become", t.Become)
		field(b, "become_user", t.BecomeUser)
		field(b, "changed_when", t.ChangedWhen)
		field(b, "failed_when", t.FailedWhen)
		field(b, "check_mode", t.CheckMode)
		field(b, "diff", t.Diff)
		field(b, "vars", t.Vars)
		if t.Role != nil {
			fmt.Fprintf(b, " role=%s@%s", t.Role.Name, t.Role.Path)
			field(b, "defaults", t.Role.Defaults)
			field(b, "rolevars", t.Role.Vars)
			field(b, "params", t.Role.Params)
		}
		field(b, "handler", t.Handler)
		field(b, "flags", t.Flags)
		field(b, "environment", t.Environment)
		field(b, "until", t.Until)
		if t.Until != "" {
			fmt.Fprintf(b, " retries=%d delay=%d", t.Retries, t.Delay)
		}
		field(b, "run_once", t.RunOnce)
		field(b, "delegate_to", t.DelegateTo)
		field(b, "unsupported", t.Unsupported)
		if inc := t.Include; inc != nil {
			field(b, "include", inc.File)
			field(b, "dynamic", inc.Dynamic())
			field(b, "missing", inc.Missing)
		}
		b.WriteString("\n")
		if inc := t.Include; inc != nil && len(inc.Tasks) > 0 {
			fmt.Fprintf(b, "%s  included:\n", indent)
			dumpTasks(b, inc.Tasks, indent+"    ")
		}
		for _, sub := range []struct {
			name  string
			tasks []*Task
		}{{"block", t.Block}, {"rescue", t.Rescue}, {"always", t.Always}} {
			if len(sub.tasks) > 0 {
				fmt.Fprintf(b, "%s  %s:\n", indent, sub.name)
				dumpTasks(b, sub.tasks, indent+"    ")
			}
		}
	}
}

// field writes " name=value" unless value is zero.
func field(b *strings.Builder, name string, v any) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return
		}
		fmt.Fprintf(b, " %s=%q", name, x)
		return
	case bool:
		if !x {
			return
		}
	case *bool:
		if x == nil {
			return
		}
		fmt.Fprintf(b, " %s=%v", name, *x)
		return
	case []string:
		if len(x) == 0 {
			return
		}
		fmt.Fprintf(b, " %s=%q", name, x)
		return
	case map[string]any:
		if len(x) == 0 {
			return
		}
	case map[string]string:
		if len(x) == 0 {
			return
		}
		fmt.Fprintf(b, " %s=%v", name, x)
		return
	case []any:
		if len(x) == 0 {
			return
		}
	}
	fmt.Fprintf(b, " %s=%s", name, show(v))
}

// show renders a value with sorted map keys and Go types visible enough
// (quoted strings).
func show(v any) string {
	switch x := v.(type) {
	case map[string]any:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, k+":"+show(x[k]))
		}
		return "{" + strings.Join(parts, " ") + "}"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, show(e))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}

// errLines returns the first line of each error: location, message, hint.
func errLines(t *testing.T, err error) []string {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v is %T, want ErrorList", err, err)
	}
	var out []string
	for _, e := range list {
		out = append(out, strings.SplitN(e.Error(), "\n", 2)[0])
	}
	return out
}
