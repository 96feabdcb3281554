package modules

import (
	"reflect"
	"testing"
)

func TestFilterFacts(t *testing.T) {
	t.Parallel()
	facts := map[string]any{"ansible_eth0": 1, "ansible_eth1": 2, "ansible_lo": 3, "gather_subset": []any{"all"}, "facter_x": 4}
	for _, c := range []struct {
		filter []string
		want   []string
	}{
		{nil, []string{"ansible_eth0", "ansible_eth1", "ansible_lo", "facter_x", "gather_subset"}},
		{[]string{"*"}, []string{"ansible_eth0", "ansible_eth1", "ansible_lo", "facter_x", "gather_subset"}},
		{[]string{"eth[0-0]"}, []string{"ansible_eth0"}},
		{[]string{"ansible_e*", "lo"}, []string{"ansible_eth0", "ansible_eth1", "ansible_lo"}},
		{[]string{"facter_*"}, []string{"facter_x"}},
	} {
		got, err := FilterFacts(facts, c.filter)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{}
		for _, k := range c.want {
			want[k] = facts[k]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %v", c.filter, got)
		}
	}
}
