package jinja

import (
	"crypto/rand"
	"crypto/sha512"
	"fmt"
	"math/big"
	"math/bits"
)

// pyRandom is Python's random.Random: the Mersenne Twister seeded as
// Python 3 seeds it, so that a seeded password lookup, random filter or
// shuffle gives what Ansible gives. Without a seed, numbers come from
// crypto/rand, as Ansible's SystemRandom.
type pyRandom struct {
	mt     [624]uint32
	i      int
	system bool
}

// newPyRandom seeds as random.Random(seed): a str (hashed with SHA-512,
// as version 2 seeding does) or an int; nil means the system's source.
func newPyRandom(seed any) (*pyRandom, error) {
	r := &pyRandom{}
	var n *big.Int
	switch s := seed.(type) {
	case nil:
		r.system = true
		return r, nil
	case string:
		b := []byte(s)
		sum := sha512.Sum512(b)
		n = new(big.Int).SetBytes(append(b, sum[:]...))
	case int:
		n = big.NewInt(int64(s))
		n.Abs(n)
	case bool:
		n = big.NewInt(0)
		if s {
			n.SetInt64(1)
		}
	default:
		return nil, fmt.Errorf("a seed must be a string or an integer, not %s", pyType(seed))
	}
	// init_by_array over n's 32-bit words, least significant first
	words := n.Bits()
	var key []uint32
	for _, w := range words {
		for k := 0; k < bits.UintSize/32; k++ {
			key = append(key, uint32(uint64(w)>>(32*k)))
		}
	}
	for len(key) > 1 && key[len(key)-1] == 0 {
		key = key[:len(key)-1]
	}
	if len(key) == 0 {
		key = []uint32{0}
	}
	r.initByArray(key)
	return r, nil
}

func (r *pyRandom) initGenrand(s uint32) {
	r.mt[0] = s
	for i := 1; i < 624; i++ {
		r.mt[i] = 1812433253*(r.mt[i-1]^(r.mt[i-1]>>30)) + uint32(i)
	}
	r.i = 624
}

func (r *pyRandom) initByArray(key []uint32) {
	r.initGenrand(19650218)
	i, j := 1, 0
	k := max(624, len(key))
	for ; k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= 624 {
			r.mt[0] = r.mt[623]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = 623; k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= 624 {
			r.mt[0] = r.mt[623]
			i = 1
		}
	}
	r.mt[0] = 0x80000000
}

func (r *pyRandom) uint32() uint32 {
	if r.system {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	}
	if r.i >= 624 {
		for k := 0; k < 624; k++ {
			y := r.mt[k]&0x80000000 | r.mt[(k+1)%624]&0x7fffffff
			v := r.mt[(k+397)%624] ^ y>>1
			if y&1 != 0 {
				v ^= 0x9908b0df
			}
			r.mt[k] = v
		}
		r.i = 0
	}
	y := r.mt[r.i]
	r.i++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	return y ^ y>>18
}

// getrandbits is Python's, for k up to 64.
func (r *pyRandom) getrandbits(k int) uint64 {
	if k <= 32 {
		return uint64(r.uint32() >> (32 - k))
	}
	lo := uint64(r.uint32())
	hi := uint64(r.uint32() >> (64 - k))
	return hi<<32 | lo
}

// below is Python's _randbelow: uniform in [0, n), n > 0.
func (r *pyRandom) below(n int) int {
	k := bits.Len64(uint64(n))
	v := r.getrandbits(k)
	for v >= uint64(n) {
		v = r.getrandbits(k)
	}
	return int(v)
}

// randrange is Python's randrange(start, stop, step).
func (r *pyRandom) randrange(start, stop, step int) (int, error) {
	width := stop - start
	if step == 1 {
		if width > 0 {
			return start + r.below(width), nil
		}
		return 0, fmt.Errorf("empty range for randrange() (%d, %d, %d)", start, stop, width)
	}
	var n int
	switch {
	case step > 0:
		n = floorDiv(width+step-1, step)
	case step < 0:
		n = floorDiv(width+step+1, step)
	default:
		return 0, fmt.Errorf("zero step for randrange()")
	}
	if n <= 0 {
		return 0, fmt.Errorf("empty range for randrange()")
	}
	return start + step*r.below(n), nil
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// shuffle is Python's shuffle, in place.
func (r *pyRandom) shuffle(l []any) {
	for i := len(l) - 1; i >= 1; i-- {
		j := r.below(i + 1)
		l[i], l[j] = l[j], l[i]
	}
}
