// Package modules holds what tend knows how to converge. Modules are pure: given
// arguments and host facts they return POSIX sh text, and never touch a host.
//
// Conventions shared by the modules (see scripts.go and probe.go):
//
//   - Every value reaches a script through shell.Quote or shell.Printf
//     (q and printfAll here). Remote paths must be absolute.
//   - Probes print records that Plan parses strictly: "key=value" lines,
//     and "key:N" followed by N raw bytes for contents and link targets.
//     Paths are never read back from ls or find output.
//   - Metadata comes from one stat -c where the host has it (GNU, busybox),
//     else ls -ldn (numbers) and ls -ld (names); ownership that does not
//     match by name or id is compared with find -user/-group.
//   - A probe's cost on the host is mostly the processes it starts: use a
//     shell built-in where there is one, and one process rather than two.
//   - Files are written atomically: a temporary file beside the target gets
//     the content, owner, group and mode, is validated, then renamed.
//   - Symbolic modes are worked out in Go (ApplyMode), so Apply uses octal
//     and check mode knows the exact result.
//   - Scripts use POSIX utilities and options (stat -c only with a
//     fallback), and run under dash,
//     bash and busybox sh with nothing but busybox applets.
package modules
