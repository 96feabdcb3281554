package inventory

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t testing.TB, name, src string) *Inventory {
	t.Helper()
	inv, err := Parse(name, []byte(src))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return inv
}

func mustLoad(t testing.TB, sources ...string) *Inventory {
	t.Helper()
	inv, err := Load(sources...)
	if err != nil {
		t.Fatalf("Load(%v): %v", sources, err)
	}
	return inv
}

func hostNames(hs []*Host) []string {
	out := []string{}
	for _, h := range hs {
		out = append(out, h.Name)
	}
	return out
}

func hostVar(t *testing.T, inv *Inventory, host, key string) any {
	t.Helper()
	h, ok := inv.Host(host)
	if !ok {
		t.Fatalf("no host %q", host)
	}
	return h.Vars[key]
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

// wantError checks err is an *Error whose text contains every fragment.
func wantError(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", fragments)
	}
	var ie *Error
	if !errors.As(err, &ie) {
		t.Errorf("error %v is %T, want *Error", err, err)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}
