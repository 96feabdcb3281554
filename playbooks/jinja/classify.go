package jinja

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Turning gonja's errors into tend's. gonja flattens every error a filter,
// test or function returns into a string ("invalid call to filter 'x':
// ..."), so types do not survive the trip, and reports a missing variable
// as an ordinary error with a message. Two things recover them: tend's own
// filters record the errors they raise in the render's state (the final
// message ends with the recorded one when it is the cause), and gonja's
// message for a missing variable is recognised by its text.

// stateKey holds the render's *renderState in its context; no template can
// spell the name.
const stateKey = ".state"

// renderState is one render's scratch space, shared by everything the
// render evaluates.
type renderState struct {
	err error         // the last error tend's filters, tests and functions raised
	top *exec.Context // the render's outermost scope of its own

	ranged     int // items range() built so far (see maxRangeTotal)
	iterations int // for loop iterations so far (see maxIterations)
	// macroDepth is how deep macro calls are nested (see maxMacroDepth).
	macroDepth int
	vars       map[string]any // the evaluation's variables, for lookups
}

func stateOf(ev *exec.Evaluator) *renderState {
	if ev == nil || ev.Environment == nil || ev.Environment.Context == nil {
		return nil
	}
	v, _ := ev.Environment.Context.Get(stateKey)
	st, _ := v.(*renderState)
	return st
}

// record notes err as raised by tend's code and returns it.
func record(ev *exec.Evaluator, err error) error {
	if st := stateOf(ev); st != nil {
		st.err = err
	}
	return err
}

// failed is record for a filter's result.
func failed(ev *exec.Evaluator, err error) *exec.Value {
	return exec.AsValue(record(ev, err))
}

var (
	lineRe = regexp.MustCompile(`at line (\d+)`)
	// prefixes gonja puts before the error that matters
	noiseRe = regexp.MustCompile(`^(?:unable to execute template|(?:invalid call to|unable to execute) (?:filter|test|function) '[^']*'|unable to evaluate filter [^:]*|Unable to render expression at line \d+|Unable to execute controlStructure at line \d+|Unable to render condition at line \d+|unable to evaluate parameters): `)
)

// undefinedIn recognises an undefined error in err: tend's own, or
// gonja's for a missing variable.
func undefinedIn(err error, st *renderState) *UndefinedError {
	var u *UndefinedError
	if errors.As(err, &u) {
		return u
	}
	msg := err.Error()
	if st != nil && st.err != nil && strings.HasSuffix(msg, st.err.Error()) {
		if errors.As(st.err, &u) {
			return u
		}
		return nil
	}
	// exec/evaluator.go: `Unable to evaluate name "x"`
	if rest, ok := afterLast(msg, `Unable to evaluate name "`); ok {
		if name, ok := strings.CutSuffix(rest, `"`); ok && isIdentifier(name) {
			return &UndefinedError{Name: name}
		}
	}
	return nil
}

func afterLast(s, marker string) (string, bool) {
	i := strings.LastIndex(s, marker)
	if i < 0 {
		return "", false
	}
	return s[i+len(marker):], true
}

func isIdentifier(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i]) {
			return false
		}
	}
	return true
}

// errorLine is the innermost template line gonja's wrapping mentions.
func errorLine(msg string) int {
	m := lineRe.FindAllStringSubmatch(msg, -1)
	if len(m) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n
}

// cause returns the error that explains err: tend's own when it raised
// it, else the innermost of gonja's chain, without gonja's prefixes.
func cause(err error, st *renderState) error {
	if st != nil && st.err != nil && strings.HasSuffix(err.Error(), st.err.Error()) {
		return st.err
	}
	inner := err
	for next := unwrap(inner); next != nil; next = unwrap(inner) {
		inner = next
	}
	msg := inner.Error()
	for {
		loc := noiseRe.FindStringIndex(msg)
		if loc == nil {
			break
		}
		msg = msg[loc[1]:]
	}
	return errors.New(msg)
}

// unwrap steps one level down gonja's chains: pkg/errors' Cause, the
// standard Unwrap, and an *exec.Value holding an error.
func unwrap(err error) error {
	switch e := err.(type) {
	case *exec.Value:
		if inner, ok := e.Interface().(error); ok && inner != error(e) {
			return inner
		}
		return nil
	case interface{ Unwrap() error }:
		return e.Unwrap()
	case interface{ Cause() error }:
		return e.Cause()
	}
	return nil
}
