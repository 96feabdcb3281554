package playbooks

import (
	"tend/internal/ansiblenames"
	"tend/playbooks/jinja"
	"tend/playbooks/load"
)

// NewTemplateEnv is the template engine as runs and the loader use it: a
// filter or test that Ansible has and tend lacks is a load warning and
// fails where it is evaluated, not a syntax error.
func NewTemplateEnv() *jinja.Env {
	e := jinja.New()
	e.KnownFilter = ansiblenames.Filter
	e.KnownTest = ansiblenames.Test
	return e
}

// LoadOptions wires the loader to env: template and expression syntax is
// checked when loading, and what tend lacks is warned about. Roles are
// also looked for in rolesPath, and collections' roles in collectionsPath.
func LoadOptions(env *jinja.Env, rolesPath []string, collectionsPath ...string) load.Options {
	return load.Options{
		CheckTemplate: env.Check,
		CheckExpr:     env.CheckExpr,
		TemplateWarnings: func(src string) []string {
			w, _ := env.CheckWarnings(src)
			return w
		},
		ExprWarnings: func(expr string) []string {
			w, _ := env.CheckExprWarnings(expr)
			return w
		},
		RolesPath:       rolesPath,
		CollectionsPath: collectionsPath,
	}
}
