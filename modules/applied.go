package modules

import (
	"strconv"
	"strings"
)

// The Result funcs of Changes start alike: an Apply that exited non-zero
// failed, with what it printed on stderr as the reason; only one that
// succeeded has output worth reading.

// failedApply is the result of an Apply that exited non-zero: the reason
// is what it printed on stderr.
func failedApply(o Output) Result {
	msg := strings.TrimSpace(string(o.Stderr))
	if msg == "" {
		msg = "exit status " + strconv.Itoa(o.ExitCode)
	}
	return Result{"failed": true, "changed": false, "msg": msg, "rc": o.ExitCode}
}

// failedApplyWith is failedApply with the keys of extra it does not set
// (the module's own keys, which Ansible returns on failure too).
func failedApplyWith(o Output, extra Result) Result {
	f := failedApply(o)
	for k, v := range extra {
		if _, set := f[k]; !set {
			f[k] = v
		}
	}
	return f
}

// whenApplied is a Change's Result func: failedApply when the Apply exited
// non-zero, else what ok makes of its output.
func whenApplied(ok func(Output) (Result, error)) func(Output) (Result, error) {
	return func(o Output) (Result, error) {
		if o.ExitCode != 0 {
			return failedApply(o), nil
		}
		return ok(o)
	}
}

// appliedResult is a Change's Result func for a result known before the
// Apply runs: res when it succeeded, failedApply when it did not.
func appliedResult(res Result) func(Output) (Result, error) {
	return whenApplied(func(Output) (Result, error) { return res, nil })
}
