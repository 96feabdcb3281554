package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// ScriptTimeout bounds each run of a dynamic inventory script: one that
// hangs must not hang tend. Ansible has no limit.
var ScriptTimeout = 2 * time.Minute

// runScript reads a dynamic inventory script as Ansible's script plugin
// does: `SCRIPT --list` prints a JSON object of groups (each a list of
// hosts, or {hosts, vars, children}, or a mapping of vars for a host named
// like the group), and _meta.hostvars; without _meta, `SCRIPT --host H`
// gives each host's variables.
func (b *builder) runScript(path string) error {
	out, err := runInventoryScript(path, "--list")
	if err != nil {
		return err
	}
	var top map[string]any
	if err := decodeScriptJSON(path, "--list", out, &top); err != nil {
		return err
	}
	at := pos{file: path}
	names := make([]string, 0, len(top))
	for name := range top {
		if name != "_meta" {
			names = append(names, name)
		}
	}
	sort.Strings(names) // Ansible follows JSON order; any fixed order gives the same inventory
	seen := map[string]bool{}
	var order []string
	for _, name := range names {
		hosts, err := b.scriptGroup(at, name, top[name])
		if err != nil {
			return err
		}
		for _, h := range hosts {
			if !seen[h] {
				seen[h] = true
				order = append(order, h)
			}
		}
	}
	var hostvars map[string]any
	if meta, ok := top["_meta"].(map[string]any); ok {
		if hv, ok := meta["hostvars"]; ok {
			if hostvars, ok = hv.(map[string]any); !ok {
				return at.errorf("", "inventory script: _meta.hostvars must be an object of host names")
			}
		}
	}
	for _, name := range order {
		var vars map[string]any
		if hostvars != nil {
			if v, ok := hostvars[name]; ok && v != nil {
				if vars, ok = v.(map[string]any); !ok {
					return at.errorf("", "inventory script: _meta.hostvars[%q] must be an object of variables", name)
				}
			}
		} else {
			out, err := runInventoryScript(path, "--host", name)
			if err != nil {
				return err
			}
			if len(bytes.TrimSpace(out)) > 0 {
				if err := decodeScriptJSON(path, "--host "+name, out, &vars); err != nil {
					return err
				}
			}
		}
		h := b.byName[name]
		for k, v := range vars {
			h.inline[k] = v
		}
	}
	return nil
}

// scriptGroup adds one group of the --list output and returns its hosts.
func (b *builder) scriptGroup(at pos, name string, data any) ([]string, error) {
	g := b.group(name, at)
	g.declared = true
	m, ok := data.(map[string]any)
	switch {
	case !ok:
		m = map[string]any{"hosts": data}
	case m["hosts"] == nil && m["vars"] == nil && m["children"] == nil:
		// Ansible's shorthand: a group of one host of the same name.
		m = map[string]any{"hosts": []any{name}, "vars": m}
	}
	var hosts []string
	if hs, set := m["hosts"]; set {
		list, ok := hs.([]any)
		if !ok {
			return nil, at.errorf("", "inventory script: group %q: hosts must be a list", name)
		}
		for _, e := range list {
			h, ok := e.(string)
			if !ok {
				return nil, at.errorf("", "inventory script: group %q: host names must be strings, not %v", name, e)
			}
			if _, err := b.addHost(at, h, g, 0, false); err != nil {
				return nil, err
			}
			hosts = append(hosts, h)
		}
	}
	if vs, set := m["vars"]; set {
		vars, ok := vs.(map[string]any)
		if !ok {
			return nil, at.errorf("", "inventory script: group %q: vars must be an object", name)
		}
		for k, v := range vars {
			if err := b.setGroupVar(at, g, k, v); err != nil {
				return nil, err
			}
		}
	}
	if cs, set := m["children"]; set {
		list, ok := cs.([]any)
		if !ok {
			return nil, at.errorf("", "inventory script: group %q: children must be a list", name)
		}
		for _, e := range list {
			c, ok := e.(string)
			if !ok {
				return nil, at.errorf("", "inventory script: group %q: child group names must be strings", name)
			}
			child := b.group(c, at)
			child.declared = true
			if err := b.addChild(at, g, child); err != nil {
				return nil, err
			}
		}
	}
	return hosts, nil
}

// errNotScript is an executable file the kernel refuses to run.
var errNotScript = errors.New("not an executable script")

// runInventoryScript runs path with args and returns its standard output.
// A failure names the script and quotes its standard error.
func runInventoryScript(path string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ScriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &limitedBuffer{buf: &stdout, max: maxFileSize}
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 64 << 10}
	cmd.WaitDelay = time.Second // a child holding the pipes open must not hang us
	err := cmd.Run()
	what := strings.Join(append([]string{path}, args...), " ")
	msg := strings.TrimSpace(stderr.String())
	if msg != "" {
		msg = ": " + msg
	}
	var exit *exec.ExitError
	switch {
	case errors.Is(err, syscall.ENOEXEC):
		return nil, errNotScript
	case ctx.Err() != nil:
		return nil, &Error{File: path, Msg: fmt.Sprintf("inventory script did not finish within %v (%s)", ScriptTimeout, what)}
	case errors.As(err, &exit):
		return nil, &Error{File: path, Msg: fmt.Sprintf("inventory script failed: %s exited with status %d%s", what, exit.ExitCode(), msg)}
	case err != nil:
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot run inventory script (%s): %v", what, err),
			Hint: "if it is not a script, remove its executable bit"}
	case stdout.Len() >= maxFileSize:
		return nil, &Error{File: path, Msg: fmt.Sprintf("inventory script printed more than %d MiB (%s)", maxFileSize>>20, what)}
	}
	return stdout.Bytes(), nil
}

// decodeScriptJSON parses a script's output into the plain values the YAML
// reader makes (whole numbers as int); errors say where the JSON broke.
func decodeScriptJSON(path, args string, out []byte, v any) error {
	if !utf8.Valid(out) {
		return &Error{File: path, Msg: fmt.Sprintf("inventory script output (%s) is not UTF-8", args)}
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var raw any
	err := dec.Decode(&raw)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		where := ""
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(out[:se.Offset], []byte("\n"))
			col := int(se.Offset) - bytes.LastIndexByte(out[:se.Offset], '\n') - 1
			where = fmt.Sprintf(" at line %d, column %d", line, col)
		}
		return &Error{File: path, Msg: fmt.Sprintf("inventory script output (%s) is not valid JSON%s: %v", args, where, err)}
	}
	obj, ok := plainJSON(raw).(map[string]any)
	if !ok {
		return &Error{File: path, Msg: fmt.Sprintf("inventory script output (%s) must be a JSON object", args)}
	}
	switch p := v.(type) {
	case *map[string]any:
		*p = obj
	}
	return nil
}

// plainJSON turns json.Number into int (whole numbers) or float64.
func plainJSON(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil && int64(int(n)) == n {
			return int(n)
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, e := range v {
			v[k] = plainJSON(e)
		}
	case []any:
		for i, e := range v {
			v[i] = plainJSON(e)
		}
	}
	return v
}

// limitedBuffer keeps at most max bytes and then reports the writer full.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); len(p) > room {
		l.buf.Write(p[:max(room, 0)])
		return len(p), nil // keep draining: the script must not block on a full pipe
	}
	return l.buf.Write(p)
}
