package modules

// setup gathers facts again; the runner carries it out (playbooks/setup.go)
// with FactsScript and ParseFacts, and FilterFacts for filter.
func init() {
	Register("setup", Controller{ArgSpec: Spec{Params: []Param{
		{Name: "gather_subset", Kind: List, Default: []string{"all"}},
		{Name: "gather_timeout", Kind: Int, Default: 10},
		{Name: "filter", Kind: List, Default: []string{}},
		{Name: "fact_path", Kind: Path, Default: "/etc/ansible/facts.d"},
	}}})
}
