package jinja

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"regexp"
	"strconv"
	"strings"
)

// Unix crypt(3) hashes for password_hash and the password lookup's
// encrypt: SHA-crypt ($5$, $6$, Ulrich Drepper's specification) and
// MD5-crypt ($1$), computed as glibc's crypt does.
//
// Ansible hashes with passlib when it is installed, else with Python's
// crypt module; tend gives crypt's results (Debian's ansible-core without
// python3-passlib): rounds are left out of the hash unless given, and so
// use crypt's default of 5000; as Ansible does there, rounds equal to
// passlib's default (535000 for sha256, 656000 for sha512) are dropped
// too. passlib would write those rounds into the hash.

// cryptAlgo is one of Ansible's BaseHash.algorithms.
type cryptAlgo struct {
	id             string
	saltSize       int
	implicitRounds int
}

var cryptAlgos = map[string]cryptAlgo{
	"md5_crypt":    {"1", 8, 0},
	"bcrypt":       {"2b", 22, 12},
	"sha256_crypt": {"5", 16, 535000},
	"sha512_crypt": {"6", 16, 656000},
}

// hashNames are password_hash's short names for the algorithms.
var hashNames = map[string]string{"md5": "md5_crypt", "blowfish": "bcrypt", "sha256": "sha256_crypt", "sha512": "sha512_crypt"}

var badSaltRe = regexp.MustCompile(`[^./0-9A-Za-z]`)

const cryptSaltChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./"

// cryptHash is Ansible's passlib_or_crypt, for algorithm (a passlib
// name or a short one). An empty salt is random, saltSize (0: the
// algorithm's) characters long; rounds 0 is the default.
func cryptHash(secret, algorithm, salt string, saltSize, rounds int) (string, error) {
	if long, ok := hashNames[algorithm]; ok {
		algorithm = long
	}
	a, ok := cryptAlgos[algorithm]
	if !ok {
		return "", fmt.Errorf("crypt.crypt does not support '%s' algorithm", algorithm)
	}
	if algorithm == "bcrypt" {
		return "", fmt.Errorf("bcrypt hashes are not supported by tend yet")
	}
	if saltSize <= 0 {
		saltSize = a.saltSize
	}
	if salt == "" {
		r, _ := newPyRandom(nil)
		var b strings.Builder
		for range saltSize {
			b.WriteByte(cryptSaltChars[r.below(len(cryptSaltChars))])
		}
		salt = b.String()
	}
	if badSaltRe.MatchString(salt) {
		return "", fmt.Errorf("invalid characters in salt")
	}
	if len(salt) > a.saltSize {
		return "", fmt.Errorf("invalid salt size")
	}
	if rounds == a.implicitRounds {
		rounds = 0
	}
	switch a.id {
	case "1":
		return md5Crypt([]byte(secret), []byte(salt)), nil
	case "5":
		return shaCrypt(sha256.New, "5", sha256Order, []byte(secret), salt, rounds), nil
	default:
		return shaCrypt(sha512.New, "6", sha512Order, []byte(secret), salt, rounds), nil
	}
}

const cryptB64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// b64From24 writes n characters of the 24 bits b2 b1 b0, low bits first.
func b64From24(sb *strings.Builder, b2, b1, b0 byte, n int) {
	w := uint(b2)<<16 | uint(b1)<<8 | uint(b0)
	for ; n > 0; n-- {
		sb.WriteByte(cryptB64[w&0x3f])
		w >>= 6
	}
}

// The byte orders in which SHA-crypt encodes its digest: triples, then
// the tail as {b2, b1, b0, characters}.
var (
	sha512Order = [][4]int{{0, 21, 42, 4}, {22, 43, 1, 4}, {44, 2, 23, 4}, {3, 24, 45, 4}, {25, 46, 4, 4},
		{47, 5, 26, 4}, {6, 27, 48, 4}, {28, 49, 7, 4}, {50, 8, 29, 4}, {9, 30, 51, 4}, {31, 52, 10, 4},
		{53, 11, 32, 4}, {12, 33, 54, 4}, {34, 55, 13, 4}, {56, 14, 35, 4}, {15, 36, 57, 4}, {37, 58, 16, 4},
		{59, 17, 38, 4}, {18, 39, 60, 4}, {40, 61, 19, 4}, {62, 20, 41, 4}, {-1, -1, 63, 2}}
	sha256Order = [][4]int{{0, 10, 20, 4}, {21, 1, 11, 4}, {12, 22, 2, 4}, {3, 13, 23, 4}, {24, 4, 14, 4},
		{15, 25, 5, 4}, {6, 16, 26, 4}, {27, 7, 17, 4}, {18, 28, 8, 4}, {9, 19, 29, 4}, {-1, 31, 30, 3}}
	md5Order = [][4]int{{0, 6, 12, 4}, {1, 7, 13, 4}, {2, 8, 14, 4}, {3, 9, 15, 4}, {4, 10, 5, 4}, {-1, -1, 11, 2}}
)

func encodeDigest(sb *strings.Builder, d []byte, order [][4]int) {
	at := func(i int) byte {
		if i < 0 {
			return 0
		}
		return d[i]
	}
	for _, o := range order {
		b64From24(sb, at(o[0]), at(o[1]), at(o[2]), o[3])
	}
}

// repeated is src repeated to n bytes.
func repeated(src []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, src[:min(len(src), n-len(out))]...)
	}
	return out
}

// shaCrypt is SHA-crypt; rounds 0 is the default 5000, left out of the
// result.
func shaCrypt(newHash func() hash.Hash, id string, order [][4]int, key []byte, salt string, rounds int) string {
	if len(salt) > 16 {
		salt = salt[:16]
	}
	s := []byte(salt)
	custom := rounds != 0
	switch {
	case !custom:
		rounds = 5000
	case rounds < 1000:
		rounds = 1000
	case rounds > 999999999:
		rounds = 999999999
	}
	sum := func(parts ...[]byte) []byte {
		h := newHash()
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}
	b := sum(key, s, key)
	h := newHash()
	h.Write(key)
	h.Write(s)
	h.Write(repeated(b, len(key)))
	for n := len(key); n > 0; n >>= 1 {
		if n&1 != 0 {
			h.Write(b)
		} else {
			h.Write(key)
		}
	}
	a := h.Sum(nil)
	h.Reset()
	for range key {
		h.Write(key)
	}
	p := repeated(h.Sum(nil), len(key))
	h.Reset()
	for range 16 + int(a[0]) {
		h.Write(s)
	}
	ss := repeated(h.Sum(nil), len(s))
	c := a
	for i := range rounds {
		h.Reset()
		if i&1 != 0 {
			h.Write(p)
		} else {
			h.Write(c)
		}
		if i%3 != 0 {
			h.Write(ss)
		}
		if i%7 != 0 {
			h.Write(p)
		}
		if i&1 != 0 {
			h.Write(c)
		} else {
			h.Write(p)
		}
		c = h.Sum(c[:0])
	}
	var sb strings.Builder
	sb.WriteString("$" + id + "$")
	if custom {
		sb.WriteString("rounds=" + strconv.Itoa(rounds) + "$")
	}
	sb.WriteString(salt + "$")
	encodeDigest(&sb, c, order)
	return sb.String()
}

// md5Crypt is the FreeBSD MD5-crypt glibc implements.
func md5Crypt(key, salt []byte) string {
	if len(salt) > 8 {
		salt = salt[:8]
	}
	alt := md5.Sum(append(append(append([]byte{}, key...), salt...), key...))
	h := md5.New()
	h.Write(key)
	h.Write([]byte("$1$"))
	h.Write(salt)
	for n := len(key); n > 0; n -= 16 {
		h.Write(alt[:min(n, 16)])
	}
	for n := len(key); n > 0; n >>= 1 {
		if n&1 != 0 {
			h.Write([]byte{0})
		} else {
			h.Write(key[:1])
		}
	}
	final := h.Sum(nil)
	for i := range 1000 {
		h.Reset()
		if i&1 != 0 {
			h.Write(key)
		} else {
			h.Write(final)
		}
		if i%3 != 0 {
			h.Write(salt)
		}
		if i%7 != 0 {
			h.Write(key)
		}
		if i&1 != 0 {
			h.Write(final)
		} else {
			h.Write(key)
		}
		final = h.Sum(final[:0])
	}
	var sb strings.Builder
	sb.WriteString("$1$" + string(salt) + "$")
	encodeDigest(&sb, final, md5Order)
	return sb.String()
}
