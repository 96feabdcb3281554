// Package jinja is Ansible's templating: Jinja2 expressions and templates
// with Ansible's semantics, for playbook values, conditionals and the
// template module.
//
// # Use
//
// One Env serves a whole run, shared by the goroutines working on hosts,
// each with its own variables:
//
//	env := jinja.New()
//	args, err := env.Value(task.Args, hostVars)     // "{{ users }}" is the list itself
//	ok, err := env.Truthy(task.When, hostVars)       // when:, changed_when:, failed_when:
//	text, err := env.Render(templateFile, hostVars)  // the template module
//	err = env.Check(text)                            // at load time: syntax, unknown filters
//	items, err := env.RunLookup("fileglob", terms, nil, hostVars) // with_fileglob:
//
// Values are what YAML gives: nil, bool, int, float64, string, []any and
// map[string]any, in and out. Failures are *UndefinedError (a variable,
// attribute, key or element that does not exist, in Ansible's words:
// 'foo' is undefined, 'dict object' has no attribute 'y') and
// *SyntaxError (with the line and column inside the text), both usable
// with errors.As; callers add the file and line.
//
// # Semantics
//
// Undefined is an error (StrictUndefined), except under default/d,
// mandatory, `is defined` and `is undefined`. As with Ansible's undefined,
// a missing attribute is a value that fails only when used, so
// `conf.missing.deeper | default(1)` and `x.y is defined` work. `omit`
// is the string Omit; callers drop module arguments equal to it. None is
// defined (default does not replace it) and prints as nothing.
//
// Expressions follow Python: truth, ==, ordering (and its TypeErrors), //
// and % (also printf-style formatting), ** with ints, * on strings and
// lists, str() and repr() when printing ({{ [1, 'a'] }} is "[1, 'a']",
// {{ true }} is "True"), str.format, and the str, list and dict methods
// playbooks use (name.startswith('web'), d.get('k', 0), l.index(x)).
// Filters and tests are Jinja's and Ansible's, with Ansible's semantics.
//
// Templates are set up as Ansible's template module does: trim_blocks on,
// lstrip_blocks off, and the text's trailing newlines are the output's
// (Jinja drops one; Ansible, and tend, put back what is missing).
//
// In a playbook value (Value, Check), a string literal inside {{ }} keeps
// its backslashes, as Ansible's escape_backslashes does, so
// `regex_replace('(\d+)', '\1')` means the same however YAML quoted it.
// Template files (Render) and conditionals read literals as Jinja does.
//
// Conditionals (Truthy) use Python's truth, as Ansible 2.14 to 2.18 do:
// the string "false" is true, so `when: flag` with flag set to the string
// "no" (as -e flag=no sets it) runs the task (Ansible 2.19 refuses it);
// write `when: flag | bool`. A conditional with {{ }} is templated first
// and a string result evaluated again, as in Ansible.
//
// # Lookups
//
// lookup(), query() and q() run Ansible's lookup plugins (lookup*.go),
// and Env.RunLookup runs them for the runner's with_<lookup> loops:
// file, template, first_found, fileglob, unvault (unvaulted files only),
// password, env, pipe, lines, vars, config (Ansible's defaults for some
// settings), items, list, dict, indexed_items, subelements, sequence,
// nested, cartesian, together, flattened, random_choice and
// inventory_hostnames (from the groups variable). They run on the machine
// running tend: pipe and lines run their command there with sh -c, in the
// play's directory, and password writes its files there. Files are found
// from the variables ansible_search_path, role_path and playbook_dir
// (lookup_paths.go). Other lookups Ansible has fail with "lookup X is not
// supported by tend yet".
//
// Filters and tests may be named by collection (ansible.builtin.to_json,
// community.general.json_query). With Env.KnownFilter and KnownTest set,
// one Ansible has that tend lacks is a warning at load time
// (CheckWarnings) and an error only when used.
//
// # gonja
//
// Parsing and evaluation are github.com/nikolalohinski/gonja/v2's: its
// lexer, parser, tree, evaluator and if, for, macro, call, raw, do, break
// and continue tags. Its semantics differ from Jinja's and Ansible's in
// many places, so tend wraps it, without patching it:
//
//   - before lexing (source.go): newlines inside expressions become spaces
//     (gonja knows only spaces and tabs); escaped backslashes in string
//     literals are hidden from gonja's lexer ('C:\\' would run on); text
//     the lexer would loop on is refused.
//   - after lexing (lex.go, literals.go, ternary.go): string literals get
//     Jinja's or Ansible's value (gonja reads '\d' as a Go escape and
//     fails); `a if c else b` is respelled so that it parses anywhere, not
//     only as a whole {{ }}; ansible.builtin.* names are shortened;
//     keyword arguments of tests are packed where gonja's parser takes
//     them; {% raw %} gets Jinja's whitespace.
//   - after parsing (rewrite.go): operators, `not`, dict literals, calls,
//     attribute and item access, loop iterables and printing go through
//     hidden filters that implement Python's and Jinja's rules (ops.go,
//     access.go, hidden.go, methods*.go, pyformat.go).
//   - every filter, test and global is tend's own, on plain Go values
//     (filters*.go, tests.go, globals.go): gonja's treat None as
//     undefined, stringify where Python fails, change their input.
//   - set, with and filter are tend's own tags (structures.go): gonja's
//     keep expressions out of the rewrite's reach and let set write into
//     the caller's data.
//   - gonja reduces errors to strings; classify.go recovers their types.
//   - a panic inside gonja becomes an error: a *SyntaxError when parsing
//     (its parser dereferences nil on some malformed text), an error when
//     rendering. limits.go bounds what one render may build.
//
// # Limitations
//
//   - Mappings come out in key order (Go maps have none; Python keeps
//     insertion order): dict2items, items(), to_json, printing, loops.
//     Dict keys are strings.
//   - Tuples are lists: (1, 2) == [1, 2], dict.items() prints as lists,
//     and '%s %s' % ['a', 'b'] formats where Python wants a tuple.
//   - `x if c` without else is accepted only as a whole {{ }}, a set value
//     or a loop filter.
//   - Regular expressions are Go's RE2: no backreferences or lookaround.
//   - Integers are 64-bit; ** falls back to a float past that.
//   - A test's bare argument (`x is divisibleby 3`) is one value; several
//     go in parentheses.
//   - A missing variable in an explicit group with a filter,
//     `(missing | upper) | default('x')`, gives 'x' where Jinja fails.
//   - `is sameas` compares type and value: tend has no object identity.
//   - quote is tend's shell quoting, which writes a single quote unlike
//     Python's shlex (both are sound sh).
//   - to_yaml writes block style; include, import, extends and block are
//     not supported.
//   - password_hash and the password lookup's encrypt hash as Ansible
//     does with Python's crypt (no passlib): sha512/sha256 without rounds
//     use 5000; bcrypt is not supported.
//   - After a number and a dot, a name must be ASCII: x.0.ñ is refused
//     (gonja's lexer would loop); write x[0]['ñ'].
package jinja
