package jinja

import (
	"errors"
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// tend's filters and tests are written against plain Go values with a
// Python-like signature; this file adapts them to gonja.

// fn is a filter or test body. A filter returns its result; a test returns
// a bool.
type fn func(c *fcall, in any) (any, error)

// def declares a filter or a test.
type def struct {
	params      []string // parameters after the input, in order; each may also be given by keyword
	variadic    bool     // more positional arguments go to rest, unknown keywords to extra
	undefinedOK bool     // called with an undefined input (in c.undef) instead of failing
	fn          fn
}

// fcall is one call of a filter or test.
type fcall struct {
	env   *Env
	ev    *exec.Evaluator
	name  string
	named map[string]any
	rest  []any
	extra map[string]any
	undef *UndefinedError // the input was undefined (only with undefinedOK)
}

func (c *fcall) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", c.name, fmt.Sprintf(format, args...))
}

func (c *fcall) has(name string) bool {
	_, ok := c.named[name]
	return ok
}

func (c *fcall) get(name string, def any) any {
	if v, ok := c.named[name]; ok {
		return v
	}
	return def
}

func (c *fcall) str(name, def string) (string, error) {
	v, ok := c.named[name]
	if !ok {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", c.errorf("%s must be a string, not %s", name, pyType(v))
	}
	return s, nil
}

func (c *fcall) int(name string, def int) (int, error) {
	v, ok := c.named[name]
	if !ok {
		return def, nil
	}
	n, ok := integer(v)
	if !ok {
		return 0, c.errorf("%s must be an integer, not %s", name, pyType(v))
	}
	return n, nil
}

func (c *fcall) bool(name string, def bool) bool {
	v, ok := c.named[name]
	if !ok {
		return def
	}
	return truthy(v)
}

// bind matches arguments to d's parameters.
func (d *def) bind(c *fcall, args []any, kwargs map[string]any) error {
	c.named = make(map[string]any, len(args)+len(kwargs))
	for i, a := range args {
		if i < len(d.params) {
			c.named[d.params[i]] = a
			continue
		}
		if !d.variadic {
			return c.errorf("takes at most %d arguments (%d given)", len(d.params), len(args))
		}
		c.rest = append(c.rest, a)
	}
	for k, v := range kwargs {
		known := false
		for _, p := range d.params {
			known = known || p == k
		}
		switch {
		case known:
			if _, dup := c.named[k]; dup {
				return c.errorf("got multiple values for argument '%s'", k)
			}
			c.named[k] = v
		case d.variadic:
			if c.extra == nil {
				c.extra = map[string]any{}
			}
			c.extra[k] = v
		default:
			return c.errorf("got an unexpected keyword argument '%s'", k)
		}
	}
	return nil
}

// call runs d on plain values: the path map(), select() and friends use.
func (e *Env) call(ev *exec.Evaluator, name string, d *def, in any, undef *UndefinedError, args []any, kwargs map[string]any) (any, error) {
	c := &fcall{env: e, ev: ev, name: name}
	if undef != nil {
		if !d.undefinedOK {
			return nil, undef
		}
		c.undef = undef
	}
	if err := d.bind(c, args, kwargs); err != nil {
		return nil, err
	}
	return d.fn(c, in)
}

// gonjaArgs converts a gonja call's arguments.
func gonjaArgs(va *exec.VarArgs) ([]any, map[string]any, error) {
	args := make([]any, len(va.Args))
	for i, a := range va.Args {
		x, err := plainValue(a, false)
		if err != nil {
			return nil, nil, err
		}
		args[i] = x
	}
	var kwargs map[string]any
	if len(va.KwArgs) > 0 {
		kwargs = make(map[string]any, len(va.KwArgs))
		for k, a := range va.KwArgs {
			x, err := plainValue(a, false)
			if err != nil {
				return nil, nil, err
			}
			kwargs[k] = x
		}
	}
	return args, kwargs, nil
}

// input converts a filter's or test's input. fail is the error value to
// return when it cannot be used: the input itself when it is an error (so
// gonja's message about it stays), else the error found inside it. undef
// is set when that error is an undefined one.
func (e *Env) input(ev *exec.Evaluator, in *exec.Value) (x any, fail *exec.Value, undef *UndefinedError) {
	var err error
	if u, ok := in.Interface().(undefinedValue); ok {
		return nil, failed(ev, u.err), u.err
	}
	if in.IsError() {
		err, fail = in.Interface().(error), in
	} else if x, err = plainValue(in, false); err != nil {
		fail = failed(ev, err)
	} else {
		return x, nil, nil
	}
	return nil, fail, undefinedIn(err, stateOf(ev))
}

// gonjaFilter adapts d to gonja's filter signature.
func (e *Env) gonjaFilter(name string, d *def) exec.FilterFunction {
	return func(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) *exec.Value {
		x, fail, undef := e.input(ev, in)
		if fail != nil && (undef == nil || !d.undefinedOK) {
			return fail
		}
		args, kwargs, err := gonjaArgs(va)
		if err != nil {
			return failed(ev, err)
		}
		out, err := e.call(ev, name, d, x, undef, args, kwargs)
		if u := (*UndefinedError)(nil); errors.As(err, &u) {
			return exec.AsValue(undefinedValue{u})
		}
		if err != nil {
			return failed(ev, err)
		}
		return exec.AsValue(out)
	}
}

// gonjaTest adapts d to gonja's test signature.
func (e *Env) gonjaTest(name string, d *def) func(*exec.Evaluator, *exec.Value, *exec.VarArgs) (bool, error) {
	return func(ev *exec.Evaluator, in *exec.Value, va *exec.VarArgs) (bool, error) {
		x, fail, undef := e.input(ev, in)
		if fail != nil && (undef == nil || !d.undefinedOK) {
			return false, fail
		}
		args, kwargs, err := gonjaArgs(va)
		if err != nil {
			return false, record(ev, err)
		}
		out, err := e.call(ev, name, d, x, undef, args, kwargs)
		if err != nil {
			return false, record(ev, err)
		}
		return truthy(out), nil
	}
}

// shortName drops the collection Ansible lets playbooks name filters and
// tests by (ansible.builtin.to_json).
func shortName(name string) string {
	return canonicalName(name)
}
