package main

import "testing"

// tend's JSON summary, as converge prints it: the round trips column
// reads its snake_case recap.
func TestTendRecaps(t *testing.T) {
	out := `{"kind":"play_start"}
{"changed":1,"check":false,"failed":0,"hosts":{"h1":{"ok":12,"changed":1,"failed":0,"unreachable":0,"round_trips":33,"probes":32}},"kind":"summary","unreachable":0}
`
	got, err := tendRecaps(out)
	if err != nil || got["h1"] != (recap{changed: 1, roundTrips: 33}) {
		t.Errorf("%+v %v", got, err)
	}
}
