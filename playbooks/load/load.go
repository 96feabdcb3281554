package load

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"tend/internal/vault"
)

// Limits on what Load accepts: real playbooks stay far below them, hostile
// or broken ones do not.
const (
	maxFileSize = 16 << 20 // bytes per file
	maxDepth    = 64       // YAML nesting; blocks and includes nested in each other
	maxFiles    = 10_000   // files pulled in (includes, imports, roles, vars files)
	maxTasks    = 100_000  // tasks after expanding includes
	// maxInherited bounds the when, tags, vars and listen entries copied
	// into tasks from enclosing blocks, includes, roles and plays.
	maxInherited = 2_000_000
	maxErrors    = 1_000 // problems reported before giving up
	// A document may expand through YAML aliases to at most aliasRatio
	// values per node it holds, plus aliasSlack.
	aliasRatio = 100
	aliasSlack = 10_000
)

// Options are hooks into the template engine. Nil hooks skip the check.
type Options struct {
	// CheckTemplate reports a syntax error in a string that holds {{ }},
	// {% %} or {# #}.
	CheckTemplate func(src string) error
	// CheckExpr reports a syntax error in a bare expression (when:,
	// changed_when:, failed_when:, assert's that:, debug's var:).
	CheckExpr func(expr string) error
	// TemplateWarnings and ExprWarnings, when set, name what a template or
	// expression uses that Ansible has and tend lacks (a filter, a test):
	// load warnings; the template fails where it is evaluated.
	TemplateWarnings func(src string) []string
	ExprWarnings     func(expr string) []string
	// RolesPath lists folders where roles are looked for after roles/
	// beside the playbook (ansible.cfg's roles_path, ANSIBLE_ROLES_PATH).
	RolesPath []string
	// CollectionsPath lists folders holding ansible_collections/, where a
	// role named NAMESPACE.COLLECTION.ROLE is found (after the playbook's
	// own collections/ folder).
	CollectionsPath []string
	// Vault decrypts vault-encrypted files and !vault values; nil makes
	// them an error saying how to give a password.
	Vault *vault.Keyring
}

// Load reads the playbook at path and everything it pulls in (roles,
// import_tasks and include_tasks files, import_playbook files, vars_files),
// validates all of it, and returns the expanded playbook. On any problem it
// returns a nil Playbook and an ErrorList holding every problem found.
func Load(path string, opts Options) (*Playbook, error) {
	l := &loader{opts: opts, files: map[string]*file{}, byPath: map[string]*file{}}
	path = filepath.Clean(path)
	pb := &Playbook{Path: path, Dir: filepath.Dir(path)}
	l.pbDir = pb.Dir
	pb.Plays = l.playbookFile(path, Pos{File: path}, importScope{})
	if len(l.errs) > 0 {
		errs := sortErrors(l.errs)
		if l.truncated {
			errs = append(errs, &Error{File: path, Msg: fmt.Sprintf("too many problems: stopped after %d", maxErrors)})
		}
		return nil, errs
	}
	pb.Files = l.order
	pb.Warnings = sortErrors(l.warns)
	return pb, nil
}

type loader struct {
	opts      Options
	errs      ErrorList
	warns     ErrorList
	truncated bool
	files     map[string]*file // by absolute path
	byPath    map[string]*file // by the path shown in errors
	order     []string         // Playbook.Files
	loads     int              // file references followed
	tasks     int              // tasks built
	inherited int              // entries copied by inheritance
	stack     []*file          // files being expanded, for cycles
	limitHit  map[string]bool  // limits already reported
	playDir   string           // folder of the play being read
	pbDir     string           // Playbook.Dir
}

// file is one file read and parsed once, however often it is included.
type file struct {
	path  string // as shown: joined from the playbook's path
	dir   string
	lines []string
	root  *yaml.Node // nil for an empty document
	nodes int        // nodes in the document, aliases not followed
	ok    bool       // read and parsed
	// vaulted files were decrypted: their values are secrets.
	vaulted bool
}

// errorf records a problem at p.
func (l *loader) errorf(p Pos, hint, format string, args ...any) {
	if len(l.errs) >= maxErrors {
		l.truncated = true
		return
	}
	e := &Error{File: p.File, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...), Hint: hint}
	if f := l.byPath[p.File]; f != nil && p.Line > 0 && p.Line <= len(f.lines) {
		e.Source = f.lines[p.Line-1]
	}
	l.errs = append(l.errs, e)
}

// warnf records valid Ansible that tend does not run yet, at p.
func (l *loader) warnf(p Pos, hint, format string, args ...any) {
	if len(l.warns) >= maxErrors {
		return
	}
	e := &Error{File: p.File, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...), Hint: hint}
	if f := l.byPath[p.File]; f != nil && p.Line > 0 && p.Line <= len(f.lines) {
		e.Source = f.lines[p.Line-1]
	}
	l.warns = append(l.warns, e)
}

// limit reports a resource limit once, and says whether it was hit.
func (l *loader) limit(p Pos, what string, hit bool, hint, format string, args ...any) bool {
	if !hit {
		return false
	}
	if l.limitHit == nil {
		l.limitHit = map[string]bool{}
	}
	if !l.limitHit[what] {
		l.limitHit[what] = true
		l.errorf(p, hint, format, args...)
	}
	return true
}

// open reads and parses a file, once. at is where it was named, for
// errors; what says what it is ("task file"). It returns nil when the file
// cannot be used, the problem having been reported.
func (l *loader) open(path string, at Pos, what string) *file {
	l.loads++
	if l.limit(at, "files", l.loads > maxFiles, "", "more than %d included files", maxFiles) {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if f, ok := l.files[abs]; ok {
		if !f.ok {
			return nil
		}
		return f
	}
	f := &file{path: path, dir: filepath.Dir(path)}
	l.files[abs] = f
	data, err := readFile(path)
	if err != nil {
		name := " " + path
		if at.File == path && at.Line == 0 {
			name = "" // the error names the file already
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			l.errorf(at, "", "%s%s not found", what, name)
		case errors.Is(err, errTooLarge):
			l.errorf(at, "", "%s%s is larger than %d MiB", what, name, maxFileSize>>20)
		default:
			l.errorf(at, "", "cannot read %s%s: %v", what, name, unwrapPathError(err))
		}
		return nil
	}
	if _, seen := l.byPath[path]; !seen {
		l.byPath[path] = f
	}
	l.order = append(l.order, path)
	f.lines = strings.Split(string(data), "\n")
	top := Pos{File: path}
	if vault.IsEncrypted(data) {
		// Ansible decrypts any YAML file it loads. The plaintext is
		// never shown: errors in it quote no source line.
		f.lines = nil
		plain, err := l.opts.Vault.Decrypt(data, path)
		if err != nil {
			l.errorf(top, "", "%v", err)
			return nil
		}
		data, f.vaulted = plain, true
	}
	doc, err := parseYAML(data)
	if err != nil {
		line, col, msg, hint := yamlSyntaxError(err, data)
		l.errorf(Pos{File: path, Line: line, Col: col}, hint, "invalid YAML: %s", msg)
		return nil
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		f.root = doc.Content[0]
	}
	if f.root != nil {
		n, deep := countNodes(f.root, 1)
		if deep != nil {
			l.errorf(f.pos(deep), "", "YAML nested deeper than %d levels", maxDepth)
			return nil
		}
		f.nodes = n
		f.root = deref(f.root)
	}
	f.ok = true
	return f
}

var errTooLarge = errors.New("file too large")

// readFile reads a regular file of at most maxFileSize bytes. It checks
// before opening, so that a FIFO or a device is never opened.
func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, errors.New("it is a directory")
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if st.Size() > maxFileSize {
		return nil, errTooLarge
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, errTooLarge
	}
	return data, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// push enters a file for expansion, refusing cycles and deep nesting.
func (l *loader) push(f *file, at Pos) bool {
	for i, g := range l.stack {
		if g == f {
			chain := make([]string, 0, len(l.stack)-i+1)
			for _, h := range l.stack[i:] {
				chain = append(chain, h.path)
			}
			chain = append(chain, f.path)
			l.errorf(at, "a file cannot include itself, directly or through others",
				"include cycle: %s", strings.Join(chain, " -> "))
			return false
		}
	}
	if len(l.stack) >= maxDepth {
		l.errorf(at, "", "files included deeper than %d levels", maxDepth)
		return false
	}
	l.stack = append(l.stack, f)
	return true
}

func (l *loader) pop() { l.stack = l.stack[:len(l.stack)-1] }

// walk is one pass over a file's document. Its budget bounds the values it
// may visit, so that YAML aliases cannot make a small file expand without
// end.
type walk struct {
	l      *loader
	f      *file
	budget int
	spent  bool // budget exhausted and reported
}

func (l *loader) walk(f *file) *walk {
	return &walk{l: l, f: f, budget: aliasRatio*f.nodes + aliasSlack}
}

func (f *file) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: f.path}
	}
	return Pos{File: f.path, Line: n.Line, Col: n.Column}
}

func (w *walk) pos(n *yaml.Node) Pos { return w.f.pos(n) }

// spend takes one value from the budget.
func (w *walk) spend(n *yaml.Node) bool {
	w.budget--
	if w.budget >= 0 {
		return true
	}
	if !w.spent {
		w.spent = true
		w.l.errorf(w.pos(n), "", "document expands to too many values (excessive YAML aliasing)")
	}
	return false
}

func (w *walk) errorf(n *yaml.Node, hint, format string, args ...any) {
	w.l.errorf(w.pos(n), hint, format, args...)
}
