package playbooks

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"tend/modules"
	"tend/playbooks/load"
)

// includeVarsModule is Ansible's include_vars: variables from a file, or
// every file of a folder, read on the controller. They rank as Ansible's
// include_vars (above task vars, below set_fact) and, being written by
// people, may hold templates rendered when used.
func includeVarsModule(_ context.Context, h *hostRun, t *load.Task, raw, _ map[string]any, _ string) outcome {
	args, err := checkArgs("include_vars", raw)
	if err != nil {
		return failf("%v", err)
	}
	files, err := h.includeVarsFiles(t, args)
	if err != nil {
		return failf("include_vars: %v", err)
	}
	merged := map[string]any{}
	for _, f := range files {
		v, err := load.ReadVars(f, load.Options{Vault: h.p.r.o.Vault})
		if err != nil {
			return failf("include_vars: %v", err)
		}
		if args.String("hash_behaviour") == "merge" {
			merged = mergeDeep(merged, v)
		} else {
			maps.Copy(merged, v)
		}
	}
	facts := merged
	if name := args.String("name"); name != "" {
		facts = map[string]any{name: merged}
	}
	if h.hs.included == nil {
		h.hs.included = map[string]any{}
	}
	maps.Copy(h.hs.included, facts)
	listed := make([]any, len(files))
	for i, f := range files {
		listed[i] = f
	}
	return outcome{status: StatusOK, result: modules.Result{"ansible_facts": facts, "ansible_included_var_files": listed}}
}

// includeVarsFiles finds what include_vars reads: the file (relative
// names in the role's vars/, the role, the task file's vars/ and folder,
// then the playbook's vars/ and folder), or the folder's files in sorted
// order, depth levels down (0: all), matching files_matching and the
// extensions, less ignore_files.
func (h *hostRun) includeVarsFiles(t *load.Task, args modules.Args) ([]string, error) {
	if name := args.String("file"); name != "" {
		p, err := h.files(t, "vars").find(name)
		if err != nil {
			return nil, err
		}
		return []string{p}, nil
	}
	dir := args.String("dir")
	if dir == "" {
		return nil, fmt.Errorf("give file or dir")
	}
	root := ""
	if filepath.IsAbs(dir) {
		root = dir
	} else {
		for _, d := range h.files(t, "vars").dirs {
			if st, err := os.Stat(filepath.Join(d, dir)); err == nil && st.IsDir() {
				root = filepath.Join(d, dir)
				break
			}
		}
	}
	if root == "" {
		return nil, fmt.Errorf("could not find folder %q", dir)
	}
	exts := []string{"yaml", "yml", "json"}
	if l := args.List("extensions"); len(l) > 0 {
		exts = l
	}
	var match *regexp.Regexp
	if pat := args.String("files_matching"); pat != "" {
		var err error
		if match, err = regexp.Compile(pat); err != nil {
			return nil, fmt.Errorf("files_matching: %v", err)
		}
	}
	ignore := args.List("ignore_files")
	depth, _ := args["depth"].(int)
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		level := strings.Count(rel, string(filepath.Separator)) + 1
		if d.IsDir() {
			if p != root && depth > 0 && level >= depth {
				return filepath.SkipDir
			}
			return nil
		}
		base := d.Name()
		if slices.Contains(ignore, base) {
			return nil
		}
		ext := strings.TrimPrefix(filepath.Ext(base), ".")
		if !slices.Contains(exts, ext) {
			if args.Bool("ignore_unknown_extensions") {
				return nil
			}
			return fmt.Errorf("%s does not have a valid extension: %s", p, strings.Join(exts, ", "))
		}
		if match != nil && !match.MatchString(base) {
			return nil
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort := func(a, b string) int { return strings.Compare(a, b) }
	slices.SortFunc(out, sort)
	return out, nil
}

// mergeDeep merges over into under recursively (hash_behaviour: merge).
func mergeDeep(under, over map[string]any) map[string]any {
	out := maps.Clone(under)
	for k, v := range over {
		if a, ok := out[k].(map[string]any); ok {
			if b, ok := v.(map[string]any); ok {
				out[k] = mergeDeep(a, b)
				continue
			}
		}
		out[k] = v
	}
	return out
}
