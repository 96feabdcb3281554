package jinja

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Python's binary operators on plain values. gonja's own arithmetic differs
// from Python in ways playbooks notice ('%s' % x gives 0, 2 ** 3 gives 8.0,
// 'a' + 1 gives 'a1', 'x' * 10**10 exhausts memory), so compile routes
// every operator but `and`/`or` here.

var errDivZero = errors.New("division by zero")

type binaryOp func(a, b any) (any, error)

var binaryOps = map[string]binaryOp{
	"+":  opAdd,
	"-":  opSub,
	"*":  opMul,
	"/":  opDiv,
	"//": opFloorDiv,
	"%":  opMod,
	"**": opPow,
	"~":  opConcat,
	"==": func(a, b any) (any, error) { return pyEqual(a, b), nil },
	"!=": func(a, b any) (any, error) { return !pyEqual(a, b), nil },
	"<":  compareOp(func(c int) bool { return c < 0 }),
	"<=": compareOp(func(c int) bool { return c <= 0 }),
	">":  compareOp(func(c int) bool { return c > 0 }),
	">=": compareOp(func(c int) bool { return c >= 0 }),
}

func compareOp(ok func(int) bool) binaryOp {
	return func(a, b any) (any, error) {
		c, err := pyCompare(a, b)
		if err != nil {
			return nil, err
		}
		return ok(c), nil
	}
}

func unsupported(op string, a, b any) error {
	return fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, pyType(a), pyType(b))
}

// arith applies an integer and a float version of an operator: ints stay
// ints, anything with a float becomes a float, as in Python.
func arith(op string, a, b any, i func(x, y int) (any, error), f func(x, y float64) (any, error)) (any, error) {
	x, xok := integer(a)
	y, yok := integer(b)
	if xok && yok {
		return i(x, y)
	}
	fx, xok := number(a)
	fy, yok := number(b)
	if xok && yok {
		return f(fx, fy)
	}
	return nil, unsupported(op, a, b)
}

func opAdd(a, b any) (any, error) {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x + y, nil
		}
	case []any:
		if y, ok := b.([]any); ok {
			out := make([]any, 0, len(x)+len(y))
			return append(append(out, x...), y...), nil
		}
	}
	return arith("+", a, b,
		func(x, y int) (any, error) { return x + y, nil },
		func(x, y float64) (any, error) { return x + y, nil })
}

func opSub(a, b any) (any, error) {
	return arith("-", a, b,
		func(x, y int) (any, error) { return x - y, nil },
		func(x, y float64) (any, error) { return x - y, nil })
}

func opMul(a, b any) (any, error) {
	if n, ok := integer(b); ok {
		switch x := a.(type) {
		case string:
			return repeatString(x, n)
		case []any:
			return repeatList(x, n)
		}
	}
	if n, ok := integer(a); ok {
		switch y := b.(type) {
		case string:
			return repeatString(y, n)
		case []any:
			return repeatList(y, n)
		}
	}
	return arith("*", a, b,
		func(x, y int) (any, error) { return x * y, nil },
		func(x, y float64) (any, error) { return x * y, nil })
}

func repeatString(s string, n int) (any, error) {
	if n <= 0 || s == "" {
		return "", nil
	}
	if n > maxText/len(s) {
		return nil, fmt.Errorf("string repetition too large (%d × %d bytes)", n, len(s))
	}
	return strings.Repeat(s, n), nil
}

func repeatList(l []any, n int) (any, error) {
	if n <= 0 || len(l) == 0 {
		return []any{}, nil
	}
	if n > maxItems/len(l) {
		return nil, fmt.Errorf("list repetition too large (%d × %d items)", n, len(l))
	}
	out := make([]any, 0, n*len(l))
	for range n {
		out = append(out, l...)
	}
	return out, nil
}

func opDiv(a, b any) (any, error) {
	x, xok := number(a)
	y, yok := number(b)
	if !xok || !yok {
		return nil, unsupported("/", a, b)
	}
	if y == 0 {
		return nil, errDivZero
	}
	return x / y, nil
}

func opFloorDiv(a, b any) (any, error) {
	return arith("//", a, b,
		func(x, y int) (any, error) {
			if y == 0 {
				return nil, errDivZero
			}
			if y == -1 { // MinInt / -1 overflows; Python has big ints
				return -x, nil
			}
			q := x / y
			if (x%y != 0) && ((x < 0) != (y < 0)) {
				q--
			}
			return q, nil
		},
		func(x, y float64) (any, error) {
			if y == 0 {
				return nil, errDivZero
			}
			return math.Floor(x / y), nil
		})
}

func opMod(a, b any) (any, error) {
	if s, ok := a.(string); ok {
		return percentFormat(s, b, false)
	}
	return arith("%", a, b,
		func(x, y int) (any, error) {
			if y == 0 {
				return nil, errDivZero
			}
			if y == -1 {
				return 0, nil
			}
			m := x % y
			if m != 0 && (m < 0) != (y < 0) {
				m += y
			}
			return m, nil
		},
		func(x, y float64) (any, error) {
			if y == 0 {
				return nil, errDivZero
			}
			m := math.Mod(x, y)
			if m != 0 && (m < 0) != (y < 0) {
				m += y
			}
			return m, nil
		})
}

func opPow(a, b any) (any, error) {
	return arith("**", a, b,
		func(x, y int) (any, error) {
			if y < 0 {
				if x == 0 {
					return nil, errors.New("0.0 cannot be raised to a negative power")
				}
				return math.Pow(float64(x), float64(y)), nil
			}
			if r, ok := intPow(x, y); ok {
				return r, nil
			}
			// Python has big ints; tend falls back to a float
			return math.Pow(float64(x), float64(y)), nil
		},
		func(x, y float64) (any, error) {
			if x == 0 && y < 0 {
				return nil, errors.New("0.0 cannot be raised to a negative power")
			}
			return math.Pow(x, y), nil
		})
}

// intPow is x**y for y >= 0 by squaring; ok is false on overflow.
func intPow(x, y int) (r int, ok bool) {
	r = 1
	for y > 0 {
		if y&1 == 1 {
			if r, ok = mulInt(r, x); !ok {
				return 0, false
			}
		}
		if y >>= 1; y > 0 {
			if x, ok = mulInt(x, x); !ok {
				return 0, false
			}
		}
	}
	return r, true
}

func mulInt(a, b int) (int, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || (a == -1 && b == math.MinInt) || (b == -1 && a == math.MinInt) {
		return 0, false
	}
	return c, true
}

// opConcat is Jinja's ~: both sides as text.
func opConcat(a, b any) (any, error) {
	return pyStr(a) + pyStr(b), nil
}
