// Command tend converges hosts to the state a playbook describes, over SSH,
// with nothing to install on them but sshd and a POSIX sh.
//
// This package only reads flags, calls into the other packages and renders
// what they report; the logic lives in inventory, playbooks, modules and
// transport.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, shared by every command (docs/exit-codes.md lists them per command).
const (
	exitOK      = 0
	exitUsage   = 1 // bad flags, unreadable inventory, no matching host
	exitFailure = 4 // a host failed or was unreachable
	// exitInterrupted is the shells' code for a run ended by SIGINT.
	exitInterrupted = 130
)

// exitError carries an exit code out of a command whose output already said
// what went wrong.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// softMemoryLimit is the heap size past which the garbage collector works
// harder (GOMEMLIMIT overrides it). A converge of 500 hosts at once holds
// about 100 MB of live scripts, output and SSH buffers; left alone, Go lets
// the heap grow to twice its live size before collecting. Past the limit
// nothing fails: collection just runs more often (Go caps its CPU share).
const softMemoryLimit = 150 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	cmd, err := root.ExecuteContextC(ctx)
	var ee exitError
	switch {
	case err == nil:
		os.Exit(exitOK)
	case errors.As(err, &ee):
		os.Exit(ee.code)
	default:
		fmt.Fprintln(os.Stderr, "tend: "+err.Error())
		if wantsJSON(cmd) {
			// JSON readers get the error on stdout, as an event.
			writeProblems(os.Stdout, "error", err)
		}
		os.Exit(exitUsage)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "tend",
		Short: "Converge hosts to the state a playbook describes, over SSH",
		Long: `tend is an idempotent, agentless configuration converger. It reads Ansible
inventories and playbooks, compiles each state into POSIX sh checks and actions,
runs them over SSH in parallel, and changes only what differs.

Exit codes: 0 success; 1 usage, inventory or load error; 4 a host failed or
was unreachable; 130 interrupted (Ctrl-C or SIGTERM).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newConvergeCmd(), newPlanCmd(), newApplyCmd(), newPullCmd(), newPingCmd(), newExecCmd(), newFactsCmd(),
		newInventoryCmd(), newHistoryCmd(), newCronCmd(), newVersionCmd())
	for _, c := range root.Commands() {
		if c.Args != nil {
			c.Args = withUsage(c.Args)
		}
	}
	return root
}

// withUsage makes a wrong number of arguments say what the command takes
// (cobra's own "accepts 1 arg(s), received 0" names nothing).
func withUsage(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return fmt.Errorf("%v\nusage: tend %s (tend help %s says more)", err, cmd.Use, cmd.Name())
		}
		return nil
	}
}

// exactlyOne is cobra.ExactArgs(1) that names the argument: "converge needs
// a PLAYBOOK", or, given several (an unquoted -e value, a second playbook),
// which ones.
func exactlyOne(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch len(args) {
		case 1:
			return nil
		case 0:
			return fmt.Errorf("%s needs a %s", cmd.Name(), what)
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = strconv.Quote(a)
		}
		return fmt.Errorf("%s takes one %s, not %d arguments (%s)", cmd.Name(), what, len(args), strings.Join(quoted, " "))
	}
}
