package didyoumean

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"state", "stat", 1}, {"mode", "owner", 4}, {"ab", "ba", 2}} {
		if d := Distance(c.a, c.b); d != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
		if d := Distance(c.b, c.a); d != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.b, c.a, d, c.d)
		}
	}
}

func TestClosest(t *testing.T) {
	if w, d := Closest("stae", []string{"path", "state", "stat"}); w != "state" || d != 1 {
		t.Errorf("got %q %d", w, d) // the first of two at distance 1
	}
	if w, d := Closest("x", nil); w != "" || d != -1 {
		t.Errorf("got %q %d", w, d)
	}
}
