package inventory

import "math/bits"

// bitset is a set of host indices. Pattern algebra (union, intersection,
// exclusion) is done on these so that resolving stays linear in the number
// of hosts, and iterating a set yields hosts in inventory order for free.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int) { b[i>>6] |= 1 << (uint(i) & 63) }

func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

func (b bitset) andNot(o bitset) {
	for i := range b {
		b[i] &^= o[i]
	}
}

func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

// indices returns the members in ascending order.
func (b bitset) indices() []int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	out := make([]int, 0, n)
	for i, w := range b {
		for w != 0 {
			out = append(out, i*64+bits.TrailingZeros64(w))
			w &= w - 1
		}
	}
	return out
}
