package load

import "fmt"

// Pos is where something was written: a file as reached from the playbook's
// path, and a 1-based line and column (0 when unknown).
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Playbook is a loaded, validated playbook with everything it pulls in.
type Playbook struct {
	Path string // as given to Load, cleaned
	Dir  string // the playbook's folder
	// Plays in order, those of import_playbook in its place.
	Plays []*Play
	// Files lists every file read (playbooks, task files, role files, vars
	// files), each once, in the order first read: what a digest of the run's
	// inputs covers.
	Files []string
	// Warnings are valid Ansible that tend does not run yet: each task
	// concerned carries Unsupported and fails on a host that reaches it.
	Warnings ErrorList
}

// Play is one play. Its folder (for files a task names relative to the
// playbook) is filepath.Dir(Pos.File).
type Play struct {
	Pos   Pos
	Name  string
	Hosts string // a host pattern; a YAML list is joined with ","
	Vars  map[string]any
	// VarsFiles are loaded in order; later files override earlier ones.
	VarsFiles []VarsFile
	// Become is nil when not given.
	Become       *bool
	BecomeUser   string
	BecomeMethod string // "" or "sudo"
	GatherFacts  bool   // default true
	// PreTasks, Tasks, PostTasks and Handlers are ready to run: the roles'
	// tasks come first in Tasks, before the play's own, and the roles'
	// handlers first in Handlers; includes are expanded in place, and every
	// task carries what it inherits (see the package documentation).
	PreTasks, Tasks, PostTasks, Handlers []*Task
	Tags                                 []string
	CheckMode, Diff                      *bool
	// Environment is the play's environment: (a mapping, or a template
	// that gives one); tasks inherit it.
	Environment any
	// RemoteUser is the play's remote_user; the inventory's ansible_user
	// wins over it, as in Ansible.
	RemoteUser string
	// Connection is the play's connection: local or ssh ("" when not given);
	// the inventory's ansible_connection wins over it, as in Ansible.
	Connection string
	// VarsPrompt are asked before the play runs (see Prompt).
	VarsPrompt []Prompt
	// Roles are the play's roles whose defaults and vars every task of the
	// play sees (roles:, their dependencies, import_role), in order, as
	// Ansible's play roles (role vars are not private by default).
	Roles []*Role
	// Unsupported says why the play cannot run (valid Ansible that tend
	// lacks): each host fails at the play's start.
	Unsupported string
}

// VarsFile is one vars_files entry: its path and the variables it holds.
type VarsFile struct {
	Path string
	Vars map[string]any
}

// Role is one role as listed in a play's roles:. Its tasks and handlers are
// already in the play; Role is their variable scope and where their files
// are (Path/files, Path/templates).
type Role struct {
	Name string
	Path string // the role's folder
	// Defaults (defaults/main.yml) rank below inventory variables, Vars
	// (vars/main.yml) above play vars.
	Defaults, Vars map[string]any
	// Params are the variables given in the play's roles: entry (vars: and
	// any other keys), ranking above task vars, as Ansible's role params.
	Params map[string]any
	// Parents are the roles that brought this one in (include_role,
	// import_role, dependencies), the nearest first: Ansible's
	// ansible_parent_role_names and _paths.
	Parents []*Role
	// EntryVars are the vars: of the roles: entry or import_role that
	// names the role (in Params too): the play's tasks see them, as in
	// Ansible, where its other parameters stay the role's own.
	EntryVars map[string]any
	// Collection is the collection a role comes from (NAMESPACE.NAME),
	// "" for a plain role; Name is then its short name.
	Collection string

	included bool // brought in by include_role: its variables stay private
}

// Task is one task, a block (Module ""), or a handler (Handler set).
type Task struct {
	Pos  Pos
	Name string

	// Module is the registered short name ("file" for
	// ansible.builtin.file); "" for a block.
	Module string
	// Args are the arguments as written, merged from args: and the module
	// key, k=v text split into keys: not converted, and possibly
	// templated. The runner renders them, then checks them with
	// Spec.Check(args, false).
	Args map[string]any
	// ArgPos locates each key of Args.
	ArgPos map[string]Pos

	// When holds expressions (without {{ }}) that must all be true; a
	// YAML boolean becomes "true" or "false".
	When []string
	// Loop is nil, a list (whose items may hold templates), or a template
	// string that renders to a list.
	Loop any
	// LoopFlatten (with_items) asks to flatten the rendered list by one
	// level, as Ansible's with_items does.
	LoopFlatten bool
	// LoopVar is "item" unless loop_control names another; IndexVar is ""
	// unless loop_control sets index_var.
	LoopVar, IndexVar, LoopLabel string
	// LoopExtended sets ansible_loop; LoopPause waits between items
	// (seconds).
	LoopExtended bool
	LoopPause    float64

	Register             string
	Notify, Listen, Tags []string
	NoLog, IgnoreErrors  bool
	Become               *bool
	BecomeUser           string
	ChangedWhen          []string
	FailedWhen           []string
	CheckMode, Diff      *bool
	Vars                 map[string]any

	Block, Rescue, Always []*Task

	// Role is the role the task came from, nil otherwise.
	Role    *Role
	Handler bool

	// Unsupported is set when the task uses valid Ansible that tend does
	// not run yet: a host that reaches the task (its when holds) fails it
	// there, before anything changes. The loader lists it in Warnings.
	Unsupported string
	// Flags are keywords whose value is a template (ignore_errors: "{{ x
	// }}"), decided per host when the task runs: keyword → template.
	Flags map[string]string
	// Environment is the environment: of the play, blocks and task,
	// merged: a mapping, or a template giving one (see EnvLayers).
	Environment []any
	// LoopLookup names the lookup of a with_X loop (with_dict,
	// with_first_found...): Loop holds its terms. "" for loop:,
	// with_items and with_list.
	LoopLookup string
	// Until, with Retries (-1 when not given) and Delay (seconds), repeats
	// the task until the expression holds.
	Until          string
	Retries, Delay int
	// RunOnce runs the task on the first host that reaches it; the others
	// take its result.
	RunOnce bool
	// DelegateTo is the host the task runs on instead (a template).
	DelegateTo string
	// Include is set for a dynamic include_tasks / include_role (a
	// templated file name, or a loop): the runner loads and runs it.
	Include *Include
}

// Prompt is one vars_prompt entry: the command line asks for it on the
// terminal before the run, unless -e gives the variable, and sets it as a
// play variable; with no terminal, Default is used, or the run stops.
type Prompt struct {
	Pos              Pos
	Name, Prompt     string
	Default          string
	HasDefault       bool
	Private, Confirm bool
	Unsupported      string // encrypt: not done by tend yet
}
