package main

import "testing"

// tend's text recap with -v, as converge prints it: the round trips
// column reads it.
func TestTendRecaps(t *testing.T) {
	out := `RECAP
h1   ok=12  changed=1   failed=0   skipped=0   unreachable=0 rescued=0 ignored=0  (33 round trips, 32 probes; connect 105ms, facts 0s, probe 39ms, apply 0s)
h2   ok=12  changed=0   failed=2   skipped=0   unreachable=1 rescued=0 ignored=0  (1 round trip, 1 probe; connect 105ms, facts 0s, probe 39ms, apply 0s)
2 hosts: 1 changed, 1 failed, 1 unreachable in 151ms
`
	got, err := tendRecaps(out)
	if err != nil || got["h1"] != (recap{changed: 1, roundTrips: 33}) || got["h2"] != (recap{failed: 2, unreachable: 1, roundTrips: 1}) {
		t.Errorf("%+v %v", got, err)
	}
}
