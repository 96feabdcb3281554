package load

import (
	"fmt"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// argSpecModule is the action of the task that checks a role's
// variables against its meta/argument_specs.yml, as Ansible's
// ansible.builtin.validate_argument_spec; the runner carries it out.
const argSpecModule = "validate_argument_spec"

// argSpecTypes are the option types tend checks; another type is a
// warning and its option is taken as raw.
var argSpecTypes = map[string]bool{
	"str": true, "int": true, "bool": true, "list": true, "dict": true,
	"path": true, "raw": true, "float": true,
}

// argSpecKeys are the option keys tend checks or that only document.
var argSpecKeys = map[string]bool{
	"type": true, "required": true, "choices": true, "default": true,
	"elements": true, "options": true, "description": true, "version_added": true,
}

// argSpec is one entry point of a role's argument specs.
type argSpec struct {
	spec map[string]any // as written
	pos  Pos
	// order lists each options: mapping's names as written, by the
	// dotted path of the option holding it ("" for the top level):
	// Ansible reports in that order.
	order map[string]any
}

// argSpecs reads a role's meta/argument_specs.yml (or .yaml): each entry
// point (main, or a tasks_from name) and its spec. A malformed file is an
// error; keys tend does not check are warnings. Without the file, the
// argument_specs of meta/main.yml (inMeta) count, as in Ansible.
func (l *loader) argSpecs(dir string, at Pos, inMeta map[string]argSpec) map[string]argSpec {
	var path string
	for _, ext := range []string{".yml", ".yaml", ".json"} {
		if p := filepath.Join(dir, "meta", "argument_specs"+ext); exists(p) {
			path = p
			break
		}
	}
	if path == "" {
		return inMeta
	}
	f := l.open(path, at, "role argument specs file")
	if f == nil || isNull(f.root) {
		return nil
	}
	w := l.walk(f)
	if f.root.Kind != yaml.MappingNode {
		w.errorf(f.root, "start with argument_specs:", "a role argument specs file must hold a mapping, not %s", kindName(f.root))
		return nil
	}
	var specs map[string]argSpec
	for _, p := range w.pairs(f.root) {
		if p.name == "argument_specs" {
			specs = w.argSpecEntries(p.v)
		}
	}
	return specs
}

// argSpecEntries reads the argument_specs: mapping of entry points.
func (w *walk) argSpecEntries(n *yaml.Node) map[string]argSpec {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		w.errorf(n, "map each entry point (main) to its options", "argument_specs must be a mapping, not %s", kindName(n))
		return nil
	}
	specs := map[string]argSpec{}
	for _, e := range w.pairs(n) {
		if isNull(e.v) {
			continue
		}
		if e.v.Kind != yaml.MappingNode {
			w.errorf(e.v, "", "the argument spec of %q must be a mapping, not %s", clip(e.name), kindName(e.v))
			continue
		}
		ok := true
		order := map[string]any{}
		for _, q := range w.pairs(e.v) {
			if q.name == "options" {
				ok = w.argOptions(q.v, "", order) && ok
			}
		}
		if v, good := w.value(e.v); good && ok {
			if m, isMap := v.(map[string]any); isMap {
				specs[e.name] = argSpec{spec: m, pos: w.pos(e.k), order: order}
			}
		}
	}
	return specs
}

// argOptions checks an options: mapping of an argument spec, and notes
// its names in order under path.
func (w *walk) argOptions(n *yaml.Node, path string, order map[string]any) bool {
	if isNull(n) {
		return true
	}
	if n.Kind != yaml.MappingNode {
		w.errorf(n, "map each option's name to its type, required, default...", "options must be a mapping, not %s", kindName(n))
		return false
	}
	ok := true
	var names []any
	defer func() { order[path] = names }()
	for _, o := range w.pairs(n) {
		names = append(names, o.name)
		if isNull(o.v) {
			continue
		}
		if o.v.Kind != yaml.MappingNode {
			w.errorf(o.v, "give it type:, required:, default:...", "option %q must be a mapping, not %s", clip(o.name), kindName(o.v))
			ok = false
			continue
		}
		for _, q := range w.pairs(o.v) {
			switch q.name {
			case "type", "elements":
				s, good := w.str(q)
				if !good || q.v.Kind != yaml.ScalarNode {
					ok = false
					continue
				}
				if !argSpecTypes[s] {
					w.l.warnf(w.pos(q.v), "tend takes the option as raw: its values are not checked", "argument spec type %q is not checked by tend yet", clip(s))
				}
			case "required":
				if _, good := w.boolean(q); !good {
					ok = false
				}
			case "choices":
				if q.v.Kind != yaml.SequenceNode {
					w.errorf(q.v, "list the values", "choices must be a list, not %s", kindName(q.v))
					ok = false
				}
			case "options":
				sub := o.name
				if path != "" {
					sub = path + "." + o.name
				}
				ok = w.argOptions(q.v, sub, order) && ok
			default:
				if !argSpecKeys[q.name] {
					w.l.warnf(w.pos(q.k), "tend does not check it", "argument spec key %q is not supported by tend yet", clip(q.name))
				}
			}
		}
	}
	return ok
}

// argSpecTask is the task Ansible puts first in a role whose argument
// specs name its entry point: it checks the role's variables against the
// entry point's options and fails the host when they do not fit.
func (r *loadedRole) argSpecTask() *Task {
	as, ok := r.specs[r.entry]
	if !ok {
		return nil
	}
	spec := as.spec
	name := "Validating arguments against arg spec '" + r.entry + "'"
	if d, ok := spec["short_description"]; ok {
		name += " - " + fmt.Sprint(d)
	}
	options, _ := spec["options"].(map[string]any)
	if options == nil {
		options = map[string]any{}
	}
	// Ansible's provided_arguments are the role parameters; vars: of the
	// roles: entry are not among them.
	provided := map[string]any{}
	for k, v := range r.role.Params {
		if _, isVar := r.role.EntryVars[k]; !isVar {
			provided[k] = v
		}
	}
	return &Task{
		Pos:    as.pos,
		Name:   name,
		Module: argSpecModule,
		Args: map[string]any{
			"argument_spec":      options,
			"provided_arguments": provided,
			"validate_args_context": map[string]any{
				"type": "role", "name": r.role.Name, "argument_spec_name": r.entry, "path": r.role.Path,
			},
			"option_order": as.order, // tend's own: the order to report in

		},
		Tags: []string{"always"},
	}
}
