package modules

import "errors"

// errAsksOnly is what Probe says for a module whose Questions cover every
// set of arguments: the runner asks them and never runs a probe (see
// Asker), so the module has none.
var errAsksOnly = errors.New("this module asks questions: it has no probe script")

// asksOnly gives such a module Module's Probe.
type asksOnly struct{}

func (asksOnly) Probe(*Task) (string, error) { return "", errAsksOnly }
