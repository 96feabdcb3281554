package jinja

import (
	"errors"
	"strings"
)

// Limits on what one render may build. Far beyond any real template, they
// keep a typo ('-' * 10**10) or a fuzzer from exhausting memory or time.
const (
	maxText       = 1 << 24 // bytes of one string built by *, replace, padding, indent
	maxItems      = 1 << 20 // items of one list built by * or range()
	maxRangeTotal = 1 << 23 // items range() may build over a whole render
	maxOutput     = 1 << 28 // bytes a render may write
	maxIterations = 1 << 21 // iterations of for loops' bodies over a whole render
)

var errOutputTooLarge = errors.New("template output too large")

// limitedBuilder collects a render's output up to maxOutput.
type limitedBuilder struct{ strings.Builder }

func (b *limitedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > maxOutput {
		return 0, errOutputTooLarge
	}
	return b.Builder.Write(p)
}

func (b *limitedBuilder) WriteString(s string) (int, error) {
	if b.Len()+len(s) > maxOutput {
		return 0, errOutputTooLarge
	}
	return b.Builder.WriteString(s)
}
