package modules

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"tend/modules/hostq"
)

// A Module compiles one task into POSIX sh text. It never touches a host:
// the runner ships the scripts, and decides how (one task at a time, or many
// probes in one round trip).
//
// The life of a task on one host:
//
//  1. Probe returns a read-only script that prints the state the task cares
//     about ("" when there is nothing to read, as for command without
//     creates/removes).
//  2. Plan reads what the probe printed and returns nil when the host already
//     conforms, or the Change that would make it conform.
//  3. Unless in check mode, the runner runs Change.Apply, then Change.Result
//     turns its output into what `register:` stores. When Plan returns
//     nil, a Reporter's Report says what the task registers; a Reader's
//     Read is the whole result of a module that only reads.
//
// Scripts are POSIX sh: they work under dash, bash and busybox sh with only
// busybox applets. Each expects a shell of its own (the runner's frame runs
// it in a subshell): it may set variables, options and the umask, and exit.
type Module interface {
	// Spec describes the arguments, so they are checked before any host is
	// touched.
	Spec() Spec
	Probe(t *Task) (string, error)
	Plan(t *Task, probe Output) (*Change, error)
}

// Reader is implemented by modules that only read, and whose probe output
// is itself the result (stat). The runner may call Read instead of Plan
// (their Plan always returns nil) and registers what it returns; "changed"
// is always false.
type Reader interface {
	Read(t *Task, probe Output) (Result, error)
}

// Reporter is implemented by modules that have something to report when
// there is nothing to change: file's path, mode and owner, copy's checksum,
// lineinfile's msg, command's "skipped, since X exists". When Plan returns
// nil, the runner registers what Report returns (with the same probe
// output) instead of the plain {"changed": false}. Report never sets
// "changed" to true.
type Reporter interface {
	Report(t *Task, probe Output) (Result, error)
}

// Asker is a module that, for the arguments it is given, lists what it
// needs to know about the host as questions (data) instead of a probe
// script: the runner answers the questions of many tasks with one program
// of a few processes, and in check mode answers from its model of what
// earlier tasks would have changed. Questions returns nil (and no error)
// for arguments it does not cover: the runner then runs Probe. When it
// returns questions, Plan, Report and Read get their answers in
// Output.Answers, and Probe is not run.
type Asker interface {
	Questions(t *Task) ([]hostq.Question, error)
}

// Task is one module invocation on one host: arguments already templated
// and checked against the Spec.
type Task struct {
	Args  Args
	Facts map[string]any
	// Files reads controller-side files named by the task (copy's src),
	// resolved against the role's files/ and the playbook's folder.
	Files FileSource
	// Diff asks for before/after contents, which may cost more probing.
	Diff bool
	// Unread says that nothing reads the task's result but its status and,
	// when it fails, its message and a command's rc, cmd and output (see
	// playbooks.Options.StatusOnly). A module then leaves out of its
	// result what would cost the host a process only to fill it: a
	// written path's stat, a command's start and end times.
	Unread bool
}

// FileSource reads files on the controller.
type FileSource interface {
	ReadFile(name string) ([]byte, error)
}

// FilePather is a FileSource whose files are on the controller's disk:
// Path names the file ReadFile would read, so that a large one is streamed
// from disk rather than read whole (copy_stream.go).
type FilePather interface {
	Path(name string) (string, error)
}

// Output is what a script printed, and how it ended.
type Output struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
	// Answers are set instead of the rest for an Asker's questions.
	Answers hostq.Answers
}

// Change is what a converge would do to one host for one task.
type Change struct {
	// Diffs say what changes, for people: attribute changes and content
	// diffs. The runner redacts them under no_log.
	Diffs []Diff
	// Apply makes the change. It is idempotent on its own: run twice, the
	// second run changes nothing. It exits non-zero on failure, with the
	// reason on stderr.
	Apply string
	// Stdin, when set, opens what Apply reads on its standard input: a
	// large controller file streamed from disk (copy of a src above
	// streamLimit) rather than carried inside the script. The runner opens
	// it right before the apply and closes it after; such an apply runs on
	// a channel of its own.
	Stdin func() (io.ReadCloser, error)
	// CheckUnknown is set when check mode cannot know whether the task would
	// change anything (command without creates/removes): the runner reports
	// it as skipped in check mode.
	CheckUnknown bool
	// Result turns Apply's output into the task's result; nil means the
	// plain result (changed, failed, rc). It is called whatever Apply's exit
	// status: a failure is a Result with "failed": true and a "msg" (so
	// that failed_when can overrule it, as for command's non-zero rc); an
	// error means the output could not be understood.
	Result func(apply Output) (Result, error)
	// Effects say, as data, what the host looks like once Apply ran: the
	// check run's model of the host takes them, so that later tasks are
	// planned against what this one would have done. A change without
	// effects leaves the paths of its task known only after apply.
	Effects []hostq.Effect
	// SharesShell says that Apply (and Later.Apply) may run in one shell
	// with other such changes, one after the other, instead of a subshell
	// each (a process on the host): it never exits 0 before its end, and
	// leaves nothing a next script reads (options, umask, directory,
	// traps, exported variables; tend_t empty). See transport.Step.Shared.
	SharesShell bool
	// Later, when set, is this change with the probe its Result reads
	// (a stat of the file it leaves) asked as questions instead: the
	// runner may run Later.Apply and answer Later.Questions in the
	// program it runs after a batch of changes anyway, so that the probe
	// costs the host no process of its own; Result then reads the answers
	// in Output.Answers.
	Later *LaterResult
}

// LaterResult is a Change whose Result reads questions answered after it
// (see Change.Later). The runner uses it only when no change applied
// after it, before the answers, touches what the questions ask about.
type LaterResult struct {
	Apply     string // Apply without its closing probe
	Questions []hostq.Question
}

// Diff is one difference between the host and the desired state.
type Diff struct {
	Path string `json:"path"`
	// Attr is what differs: "state", "mode", "owner", "group", "content",
	// "target" (a link's), or a module's own word ("line", "packages").
	Attr string `json:"attr"`
	// Before and After are the values, "" meaning absent. For "content"
	// they are whole file texts, rendered as a unified diff. (Reports and
	// plans written before these names were snake_case say "Path",
	// "Attr"...: encoding/json matches names regardless of case.)
	Before string `json:"before"`
	After  string `json:"after"`
}

// Result is what a task returns and `register:` stores, with Ansible's keys
// (changed, failed, rc, stdout, stdout_lines, msg, stat, ...).
type Result map[string]any

// Controller is a module that runs on the controller, not on hosts (debug,
// set_fact, assert, fail, meta, template's rendering): the runner carries it
// out. It is registered so that its arguments are checked like any other.
type Controller struct{ ArgSpec Spec }

func (c Controller) Spec() Spec { return c.ArgSpec }

func (c Controller) Probe(*Task) (string, error) {
	return "", errorf("controller module: the runner carries it out")
}

func (c Controller) Plan(*Task, Output) (*Change, error) {
	return nil, errorf("controller module: the runner carries it out")
}

// registry maps module names to modules. Ansible's fully qualified names
// (ansible.builtin.copy) are accepted as aliases.
var registry = map[string]Module{}

// Register adds a module; it is called from init functions.
func Register(name string, m Module) {
	if _, dup := registry[name]; dup {
		panic("modules: " + name + " registered twice")
	}
	registry[name] = m
}

// Lookup returns the module called name, accepting "ansible.builtin.NAME"
// and "ansible.legacy.NAME". A collection's full name (ansible.posix.sysctl)
// is the loader's to resolve: it knows, from Ansible's routing
// (internal/ansiblenames), which short name is the same module.
func Lookup(name string) (Module, bool) {
	for _, prefix := range []string{"ansible.builtin.", "ansible.legacy."} {
		name = strings.TrimPrefix(name, prefix)
	}
	m, ok := registry[name]
	return m, ok
}

// Names lists the registered modules, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// errorf is the error a module returns for a host or argument problem.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
