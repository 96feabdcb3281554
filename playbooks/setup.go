package playbooks

import (
	"context"
	"strings"

	"tend/modules"
	"tend/playbooks/load"
)

// setupModule is Ansible's setup: it gathers the host's facts again (one
// round trip, modules.FactsScript) and returns those that filter matches,
// under their ansible_* names. The host's facts are updated so that later
// tasks and modules see them (see setFacts). gather_subset is accepted and
// reported, but tend always gathers every fact it knows: the cost is the
// same round trip. fact_path (local facts) is not read.
func setupModule(ctx context.Context, h *hostRun, t *load.Task, raw, _ map[string]any, _ string) outcome {
	args, err := checkArgs("setup", raw)
	if err != nil {
		return failf("%v", err)
	}
	out, err := h.exec(ctx, modules.FactsScript, h.becomeUser(t))
	h.hs.recap.Probes++
	if err != nil {
		return h.connectionLost(err)
	}
	if out.ExitCode != 0 {
		return failf("setup: gathering facts: exit status %d: %s", out.ExitCode, strings.TrimSpace(string(out.Stderr)))
	}
	all, err := modules.ParseFacts(out.Stdout, FactOverrides(h.hs.host))
	if err != nil {
		return failf("setup: %v", err)
	}
	named := map[string]any{}
	for k, v := range all {
		if k != "ansible_facts" {
			named[k] = v
		}
	}
	subset := args.List("gather_subset")
	if len(subset) == 0 {
		subset = []string{"all"}
	}
	named["gather_subset"], named["module_setup"] = toAnyList(subset), true
	filter := args.List("filter")
	got, err := modules.FilterFacts(named, filter)
	if err != nil {
		return failf("setup: filter: %v", err)
	}
	h.setFacts(all, got, len(got) == len(named))
	return outcome{status: StatusOK, result: modules.Result{"changed": false, "ansible_facts": got}}
}

// setFacts records facts setup gathered: all of them when nothing was
// filtered out, or when the host had none yet (so that a later play does
// not gather again and find only the filtered ones); else the ansible_*
// ones in got are merged into what the host had. The maps are copied, not
// changed: hostvars of other hosts may hold the old ones.
func (h *hostRun) setFacts(all, got map[string]any, whole bool) {
	if whole || h.hs.facts == nil {
		h.hs.facts = all
		return
	}
	nf := make(map[string]any, len(h.hs.facts)+len(got))
	for k, v := range h.hs.facts {
		nf[k] = v
	}
	af := map[string]any{}
	if old, ok := nf["ansible_facts"].(map[string]any); ok {
		for k, v := range old {
			af[k] = v
		}
	}
	for k, v := range got {
		if name, ok := strings.CutPrefix(k, "ansible_"); ok {
			nf[k], af[name] = v, v
		}
	}
	nf["ansible_facts"] = af
	h.hs.facts = nf
}
