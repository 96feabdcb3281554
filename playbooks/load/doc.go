// Package load reads Ansible playbooks and everything they pull in (roles,
// import_tasks and include_tasks files, import_playbook files, vars_files),
// checks all of it before any host is touched, and returns a plain tree the
// runner walks: Load(path, Options) (*Playbook, error).
//
// # Errors
//
// Load reports every problem it finds, not only the first: the error is an
// ErrorList of *Error, sorted by file, line and column, each with a
// message, often a hint, and the offending line:
//
//	site.yml:12:7: unknown argument "mdoe" for module "file" (did you mean "mode"?)
//	   12 |       mdoe: "0644"
//	      |       ^
//
// Positions come from the YAML nodes. File names are as reached from the
// path given to Load ("site.yml", "roles/web/tasks/main.yml"). Options
// wires the template engine in: CheckTemplate is called on every string
// that holds {{, {% or {# (task names, module arguments at any depth, vars,
// loops, labels), CheckExpr on bare expressions (when, changed_when,
// failed_when, assert's that, debug's var); their errors point at the
// value. Module arguments are checked with the module's Spec.Check(args,
// true): templated values pass, everything else (names, types, choices,
// required and exclusive arguments) is checked now.
//
// # What the tree holds
//
// Imports are gone: import_tasks and import_role are expanded when
// loading, their tasks in place of the import (include_tasks and
// include_role stay, see below). A role's tasks come first in Play.Tasks (after PreTasks, which
// are separate), its handlers first in Play.Handlers; Task.Role is the
// role's variable scope and folder. A role with meta/argument_specs.yml
// (or argument_specs in meta/main.yml) for its entry point (main, or the
// tasks_from name) starts with Ansible's task "Validating arguments
// against arg spec 'main'" (Module validate_argument_spec, tagged always),
// which the runner carries out. Blocks stay blocks: Module "" with
// Block, Rescue and Always. Module names are short ("file" for
// ansible.builtin.file). Task.Args are the arguments as written (args:
// merged under the module's own, k=v text split as Ansible's parse_kv
// does), not converted: the runner renders them and checks them again with
// Spec.Check(args, false). For a free-form module (Spec.FreeForm: command,
// shell, meta) the text is the free form, less the chdir=, creates=,
// removes= (and executable=, stdin=, ...) words the module takes.
// Conditions are expressions without {{ }} ("{{ x }}" is read as "x", as
// Ansible does); a YAML boolean becomes "true" or "false". with_items sets
// LoopFlatten: flatten the rendered list by one level. LoopVar is "item"
// unless loop_control names another.
//
// # Inheritance
//
// What a play, role entry, block or include says about the tasks inside it
// is already applied to each of them when loading, so the runner looks at
// a task's own fields only:
//
//   - tags: the union, the enclosing ones first (play tags included, and
//     an import_playbook's tags);
//   - when: the lists concatenated, the enclosing conditions first, all of
//     which must hold (evaluated at each task, as Ansible does);
//   - become, become_user, no_log, ignore_errors, check_mode, diff: the
//     task's own value when it sets one, else the closest enclosing one;
//   - vars: merged, the inner value winning (a task's vars over its
//     block's and include's). A play's vars stay in Play.Vars and a role's
//     in Role, since they rank differently (see below).
//
// A block node carries the same combined fields as its children would; the
// runner should not evaluate a block's when itself (each child holds it).
// Handlers in a handlers: include named N also listen to N.
//
// Variable precedence, lowest first, as Ansible: Role.Defaults, inventory,
// facts, Play.Vars, Play.VarsFiles in order, Role.Vars, Role.Params (vars:
// and other keys of the roles: entry), Task.Vars, set_fact and register,
// extra vars. (Ansible ranks include_tasks' vars above the included task's
// own; tend ranks them like block vars. Role params rank above task vars in
// Ansible, and so here.)
//
// # Paths
//
// Imported playbooks, vars_files and roles are found relative to the file
// of the play that names them: roles in roles/NAME, then NAME (a name with
// a slash is a path). An include is found relative to the including file,
// then the role's tasks/ (and handlers/ for handlers), then the play's
// folder. A role's main files are main.yml, main.yaml or main. A play's
// folder is filepath.Dir(Play.Pos.File); Playbook.Files lists every file
// read, once, for digests.
//
// # Valid Ansible that tend does not run: warnings
//
// What is not Ansible is an error: a misspelled module, argument or
// keyword (with a did-you-mean), a wrong type, bad YAML or template
// syntax. What is valid Ansible that tend does not run yet (a module,
// argument, keyword or filter that Ansible has: internal/ansiblenames
// holds their names) is a warning in Playbook.Warnings, and each task
// concerned carries Task.Unsupported: a host that reaches it (its when
// holding) fails there, before the task changes anything. Real roles carry
// branches for other systems that never run on yours; they load. Python
// regexps that RE2 cannot run (lookarounds, backreferences: see
// modules.CheckRegexps) are warnings of this kind too. So are, without
// Task.Unsupported (the module fails when it runs, as Ansible's does), a
// copy, script or template src not found where the runner looks
// (Task.SearchDirs) and a template file that does not parse.
//
// Includes: import_tasks and import_role are read in place. include_tasks
// (and bare include) and include_role are tasks of their own (Task.Include)
// whose when, loop and name are decided once per host when run; their
// files are read now when named plainly (a file not found is a warning and
// fails the hosts that reach it) and when run when templated. Role
// dependencies (meta/main.yml) come before the role, and a role runs once
// per play with the same parameters unless it allows duplicates.
//
// Keywords decided per host when run: templated booleans (Task.Flags),
// environment, until/retries/delay, run_once, delegate_to, with_X lookups
// (Task.LoopLookup). serial, order and gather_subset are accepted and have
// no effect on what a host ends up as.
//
// Still errors: templated names of imports, of roles in roles: and of
// vars_files; the !unsafe tag; a key
// given twice in a mapping (YAML would keep the last). notify must name a
// handler of the play unless it is templated.
//
// Vault-encrypted files (any file read) and !vault values are decrypted
// with Options.Vault; decrypted strings are recorded in the keyring as
// secrets, for the CLI to mask in output.
//
// # Limits
//
// Files of at most 16 MiB; YAML nesting, blocks within blocks and includes
// within includes 64 deep; 10,000 file references followed; 100,000 tasks
// after expansion; 2,000,000 when, tags, vars and listen entries copied
// into tasks by inheritance; YAML aliases may not expand a document more
// than a hundredfold; 1,000 problems reported. Include cycles are errors
// that name the cycle. Load never panics, whatever the input (FuzzLoad).
package load
