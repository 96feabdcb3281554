package playbooks

import (
	"context"
	"strings"

	"tend/modules"
	"tend/modules/hostq"
	"tend/playbooks/load"
)

// expandHomes expands a leading ~ or ~user in a module's remote path
// arguments, as Ansible's type='path' arguments are on the host
// (os.path.expanduser): ~ is the home of the user the task runs as (sudo -H
// sets HOME to it), ~name that user's, both from the host's passwd (as the
// queued changes leave it: a user created just before). An unknown user
// leaves the path as written, as Python does. The controller-side src of
// copy and template is not a host path and is left alone.
func (h *hostRun) expandHomes(ctx context.Context, t *load.Task, name string, args map[string]any) (map[string]any, error) {
	mod, ok := modules.Lookup(name)
	if !ok {
		return args, nil
	}
	var keys []string
	for _, p := range mod.Spec().Params {
		if p.Kind != modules.Path || p.Name == "src" {
			continue
		}
		for _, k := range append([]string{p.Name}, p.Aliases...) {
			if s, ok := args[k].(string); ok && strings.HasPrefix(s, "~") {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return args, nil
	}
	answers, err := h.answersFor(ctx, t, []hostq.Question{hostq.Accounts{}})
	if err != nil {
		return nil, err
	}
	db, err := answers.Accounts()
	if err != nil {
		return args, nil // the module reports the relative path
	}
	out := make(map[string]any, len(args))
	for k, v := range args {
		out[k] = v
	}
	for _, k := range keys {
		out[k] = expandUserPath(out[k].(string), h.runsAs(t), db)
	}
	return out, nil
}

// expandUserPath expands p's leading ~ or ~name/ with db's homes.
func expandUserPath(p, user string, db *hostq.AccountDB) string {
	name, rest, _ := strings.Cut(p[1:], "/")
	if name == "" {
		name = user
	}
	u := db.User(name)
	if u == nil || u.Home == "" {
		return p
	}
	if rest == "" && !strings.Contains(p, "/") {
		return u.Home
	}
	return strings.TrimSuffix(u.Home, "/") + "/" + rest
}

// runsAs is the user a task runs as on the host: its become user, else the
// login user.
func (h *hostRun) runsAs(t *load.Task) string {
	if u := h.becomeUser(t); u != "" {
		return u
	}
	return h.loginUser()
}
