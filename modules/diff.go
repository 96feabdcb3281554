package modules

import (
	"bytes"
	"fmt"
	"strings"
)

// UnifiedDiff renders the change from before to after as a unified diff
// with three lines of context, headed "--- before: PATH" and
// "+++ after: PATH" as Ansible prints it. It returns "" when the texts are
// equal, and a one-line note for binary contents (a NUL byte).
//
// Lines are compared with Myers' algorithm. When the texts differ in more
// than maxEdits lines (after their common start and end), the middle is
// shown as removed and added as a whole rather than spending quadratic
// memory on the smallest diff.
func UnifiedDiff(path, before, after string) string {
	if before == after {
		return ""
	}
	if strings.IndexByte(before, 0) >= 0 || strings.IndexByte(after, 0) >= 0 {
		return fmt.Sprintf("Binary files before: %s and after: %s differ\n", path, path)
	}
	a, b := splitLines(before), splitLines(after)
	ops := diffLines(a, b)
	var out strings.Builder
	fmt.Fprintf(&out, "--- before: %s\n+++ after: %s\n", path, path)
	for _, h := range hunks(ops, 3) {
		out.WriteString(h)
	}
	return out.String()
}

// splitLines splits after each '\n', keeping it; a last line without one
// is kept as it is.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

type diffOp struct {
	kind byte // ' ', '-', '+'
	line string
	// ai and bi are the line's index in before and after (the side it
	// belongs to; for ' ' both).
	ai, bi int
}

// maxEdits bounds the edit distance Myers' search explores.
const maxEdits = 4000

func diffLines(a, b []string) []diffOp {
	// Common start and end cost nothing.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []diffOp
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', a[i], i, i})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	for _, op := range myers(ma, mb) {
		op.ai += pre
		op.bi += pre
		ops = append(ops, op)
	}
	for i := 0; i < suf; i++ {
		ai, bi := len(a)-suf+i, len(b)-suf+i
		ops = append(ops, diffOp{' ', a[ai], ai, bi})
	}
	return ops
}

// myers returns the shortest edit script from a to b (Myers 1986, the
// greedy forward search keeping each round's frontier to trace back).
func myers(a, b []string) []diffOp {
	n, m := len(a), len(b)
	whole := func() []diffOp {
		var ops []diffOp
		for i, l := range a {
			ops = append(ops, diffOp{'-', l, i, 0})
		}
		for j, l := range b {
			ops = append(ops, diffOp{'+', l, n, j})
		}
		return ops
	}
	if n == 0 || m == 0 {
		return whole()
	}
	maxD := min(n+m, maxEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := -1
	for d := 0; d <= maxD && found < 0; d++ {
		snap := make([]int, len(v))
		copy(snap, v)
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		return whole()
	}
	// Trace back from (n, m).
	var rev []diffOp
	x, y := n, m
	for d := found; d > 0; d-- {
		vp := trace[d]
		k := x - y
		var pk int
		if k == -d || (k != d && vp[off+k-1] < vp[off+k+1]) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := vp[off+pk]
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, diffOp{' ', a[x], x, y})
		}
		if x == px {
			y--
			rev = append(rev, diffOp{'+', b[y], x, y})
		} else {
			x--
			rev = append(rev, diffOp{'-', a[x], x, y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, diffOp{' ', a[x], x, y})
	}
	ops := make([]diffOp, len(rev))
	for i, op := range rev {
		ops[len(rev)-1-i] = op
	}
	return ops
}

// hunks groups ops into unified diff hunks with ctx lines of context.
func hunks(ops []diffOp, ctx int) []string {
	var out []string
	i := 0
	for i < len(ops) {
		// Find the next change.
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(0, i-ctx)
		// Extend while changes are within 2*ctx of each other.
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j
			} else if j-end > 2*ctx {
				break
			}
		}
		stop := min(len(ops), end+ctx+1)
		out = append(out, renderHunk(ops[start:stop]))
		i = stop
	}
	return out
}

func renderHunk(ops []diffOp) string {
	var aStart, aLen, bStart, bLen int
	aStart, bStart = -1, -1
	for _, op := range ops {
		if op.kind != '+' {
			if aStart < 0 {
				aStart = op.ai
			}
			aLen++
		}
		if op.kind != '-' {
			if bStart < 0 {
				bStart = op.bi
			}
			bLen++
		}
	}
	if aStart < 0 {
		aStart = ops[0].ai
	}
	if bStart < 0 {
		bStart = ops[0].bi
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
	for _, op := range ops {
		b.WriteByte(op.kind)
		b.WriteString(op.line)
		if !strings.HasSuffix(op.line, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
	return b.String()
}

// hunkRange is difflib's _format_range_unified.
func hunkRange(start, length int) string {
	begin := start + 1
	if length == 1 {
		return fmt.Sprint(begin)
	}
	if length == 0 {
		begin--
	}
	return fmt.Sprintf("%d,%d", begin, length)
}
