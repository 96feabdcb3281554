package playbooks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"tend/modules"
	"tend/playbooks/load"
)

// controllerFunc carries out a module that runs on the controller.
type controllerFunc func(ctx context.Context, h *hostRun, t *load.Task, args, vars map[string]any, pos string) outcome

// controllerModules are Ansible's action plugins that tend runs itself.
var controllerModules map[string]controllerFunc

func init() {
	controllerModules = map[string]controllerFunc{
		"debug":               debugModule,
		"set_fact":            setFactModule,
		"assert":              assertModule,
		"fail":                failModule,
		"meta":                metaModule,
		"template":            templateModule,
		"include_vars":        includeVarsModule,
		"fetch":               fetchModule,
		"setup":               setupModule,
		"group_by":            groupByModule,
		"add_host":            addHostModule,
		"wait_for_connection": waitForConnectionModule,
		"reboot":              rebootModule,
		// The task the loader puts first in a role with argument specs.
		"validate_argument_spec": validateArgSpecModule,
	}
}

// checkArgs checks a task's rendered arguments against its module's spec;
// every problem is in the one error.
func checkArgs(name string, raw map[string]any) (modules.Args, error) {
	_, args, err := lookupChecked(name, raw)
	return args, err
}

func lookupChecked(name string, raw map[string]any) (modules.Module, modules.Args, error) {
	mod, ok := modules.Lookup(name)
	if !ok {
		return nil, nil, fmt.Errorf("unknown module %q", name)
	}
	args, errs := mod.Spec().Check(raw, false)
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return nil, nil, fmt.Errorf("%s: %s", name, strings.Join(msgs, "; "))
	}
	return mod, args, nil
}

func debugModule(_ context.Context, h *hostRun, _ *load.Task, raw, vars map[string]any, _ string) outcome {
	args, err := checkArgs("debug", raw)
	if err != nil {
		return failf("%v", err)
	}
	if name := args.String("var"); name != "" {
		v, err := h.p.r.jinja.Eval(name, vars)
		if err != nil {
			v = fmt.Sprintf("VARIABLE IS NOT DEFINED! (%v)", err)
		}
		return outcome{status: StatusOK, msg: fmt.Sprintf("%s: %s", name, show(v)), result: modules.Result{name: v}}
	}
	msg, ok := args["msg"]
	if !ok {
		msg = "Hello world!"
	}
	return outcome{status: StatusOK, msg: show(msg), result: modules.Result{"msg": msg}}
}

// show renders a value for output: strings as they are, the rest as JSON-ish.
func show(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func setFactModule(_ context.Context, h *hostRun, _ *load.Task, raw, _ map[string]any, _ string) outcome {
	args, err := checkArgs("set_fact", raw)
	if err != nil {
		return failf("%v", err)
	}
	facts := map[string]any{}
	for k, v := range args {
		if k == "cacheable" {
			continue
		}
		h.hs.vars[k] = v
		facts[k] = v
	}
	return outcome{status: StatusOK, result: modules.Result{"ansible_facts": facts}}
}

func assertModule(_ context.Context, h *hostRun, _ *load.Task, raw, vars map[string]any, _ string) outcome {
	args, err := checkArgs("assert", raw)
	if err != nil {
		return failf("%v", err)
	}
	for _, cond := range args.List("that") {
		ok, err := h.p.r.jinja.Truthy(cond, vars)
		if err != nil {
			return failf("assert: %s: %v", cond, err)
		}
		if !ok {
			msg := args.String("fail_msg")
			if msg == "" {
				msg = args.String("msg")
			}
			if msg == "" {
				msg = "Assertion failed: " + cond
			}
			return outcome{status: StatusFailed, msg: msg, result: modules.Result{"assertion": cond, "evaluated_to": false, "msg": msg}}
		}
	}
	msg := args.String("success_msg")
	if msg == "" {
		msg = "All assertions passed"
	}
	return outcome{status: StatusOK, msg: msg, result: modules.Result{"msg": msg}}
}

func failModule(_ context.Context, _ *hostRun, _ *load.Task, raw, _ map[string]any, _ string) outcome {
	args, err := checkArgs("fail", raw)
	if err != nil {
		return failf("%v", err)
	}
	msg := args.String("msg")
	if msg == "" {
		msg = "Failed as requested from task"
	}
	return outcome{status: StatusFailed, msg: msg, result: modules.Result{"msg": msg}}
}

func metaModule(ctx context.Context, h *hostRun, _ *load.Task, raw, _ map[string]any, pos string) outcome {
	args, err := checkArgs("meta", raw)
	if err != nil {
		return failf("%v", err)
	}
	action := ""
	for _, v := range args {
		if s, ok := v.(string); ok {
			action = s
		}
	}
	switch action {
	case "flush_handlers":
		if err := h.flushHandlers(ctx); err != nil {
			// The handler's failure is counted and shown already; the
			// marker only stops the host (see finish).
			return outcome{status: StatusSkipped, msg: "a handler failed", result: modules.Result{"_end": "failed"}}
		}
		return outcome{status: StatusSkipped, msg: "handlers flushed"}
	case "noop":
		return outcome{status: StatusSkipped}
	case "end_play", "end_host":
		// The _end marker stops the host's play (see finish).
		return outcome{status: StatusSkipped, msg: action, result: modules.Result{"_end": strings.TrimPrefix(action, "end_")}}
	case "end_batch":
		// Without serial:, the batch is the whole play.
		return outcome{status: StatusSkipped, msg: action, result: modules.Result{"_end": "play"}}
	case "reset_connection":
		// A new login sees changes to the user's groups; tend reconnects
		// when the next task needs the host.
		if h.hs.conn != nil {
			h.hs.conn.Close()
			h.hs.conn = nil
		}
		h.dropProbes()
		if err := h.connect(ctx); err != nil {
			return outcome{status: StatusUnreachable, msg: err.Error()}
		}
		return outcome{status: StatusSkipped, msg: "connection reset"}
	case "clear_facts":
		h.hs.facts, h.hs.moduleFacts = map[string]any{}, nil
		return outcome{status: StatusSkipped, msg: "facts cleared"}
	case "clear_host_errors", "refresh_inventory":
		// A failed host is out of the play in tend as in Ansible; the
		// inventory is read once per run.
		return outcome{status: StatusSkipped, msg: action + ": nothing to do in tend"}
	}
	return failf("%s: meta: %q is not supported", pos, action)
}

// ansibleManaged is ansible_managed in templates: Ansible 2.14's default
// (DEFAULT_MANAGED_STR), which no longer names the file, host or time, so
// that a second run renders the same text.
const ansibleManaged = "Ansible managed"

// templateOwner is template_uid: the template file's owner's name.
func templateOwner(path string) string {
	if u, err := user.LookupId(fileUID(path)); err == nil {
		return u.Username
	}
	return fileUID(path)
}

// templateModule renders src on the controller with the task's variables,
// then converges dest as copy does with that content.
func templateModule(ctx context.Context, h *hostRun, t *load.Task, raw, vars map[string]any, pos string) outcome {
	copyArgs, err := h.renderTemplate(t, raw, vars)
	if err != nil {
		return failf("%v", err)
	}
	return h.runModule(ctx, t, "copy", copyArgs, pos)
}

// renderTemplate renders a template task's src and returns the arguments of
// the copy that writes it.
func (h *hostRun) renderTemplate(t *load.Task, raw, vars map[string]any) (map[string]any, error) {
	args, err := checkArgs("template", raw)
	if err != nil {
		return nil, err
	}
	src := args.String("src")
	path, err := h.files(t, "templates").find(src)
	if err != nil {
		return nil, fmt.Errorf("template: %v", err)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template: %v", err)
	}
	tv := withVar(vars, "template_path", path)
	tv["template_host"], _ = os.Hostname()
	tv["template_fullpath"] = path
	tv["template_run_date"] = time.Now().Format("2006-01-02 15:04:05.000000")
	tv["template_destpath"] = args.String("dest")
	tv["template_uid"] = templateOwner(path)
	if _, ok := tv["ansible_managed"]; !ok {
		tv["ansible_managed"] = ansibleManaged
	}
	rendered, err := h.p.r.jinja.Render(string(text), tv)
	if err != nil {
		return nil, fmt.Errorf("template %s: %v", src, err)
	}
	return modules.TemplateCopyArgs(args, rendered), nil
}

func fileUID(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return strconv.FormatUint(uint64(sys.Uid), 10)
	}
	return ""
}
