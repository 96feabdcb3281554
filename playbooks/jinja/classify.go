package jinja

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Turning gonja's errors into tend's. gonja reports a missing name or
// attribute as an ordinary error with a message, and flattens every error
// a filter, test or function returns into a string ("invalid call to
// filter 'x': ..."), so types do not survive the trip. Two things recover
// them: tend's own filters record the errors they raise in the render's
// state (the final message ends with the recorded one when it is the
// cause), and gonja's few undefined messages are recognised by their text.

// stateKey holds the render's *renderState in its context; no template can
// spell the name.
const stateKey = ".state"

// renderState is one render's scratch space, shared by everything the
// render evaluates.
type renderState struct {
	err error         // the last error tend's filters, tests and functions raised
	top *exec.Context // the render's outermost scope of its own

	ranged int // items range() built so far (see maxRangeTotal)
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

// undefinedIn recognises an undefined error in err. resolve names the type
// of the object an attribute was missing from, given the expression text
// of that object; it may be nil.
func undefinedIn(err error, st *renderState, resolve func(expr string) string) *UndefinedError {
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
	return gonjaUndefined(msg, resolve)
}

// gonjaUndefined parses gonja's messages for a missing name, attribute,
// key or element (exec/evaluator.go, exec/value.go).
func gonjaUndefined(msg string, resolve func(string) string) *UndefinedError {
	object := func(target string) string {
		if resolve != nil {
			if t := resolve(target); t != "" {
				return t
			}
		}
		return target
	}
	if rest, ok := afterLast(msg, `Unable to evaluate name "`); ok && strings.HasSuffix(rest, `"`) {
		return &UndefinedError{Name: strings.TrimSuffix(rest, `"`)}
	}
	if rest, ok := afterLast(msg, "Unable to evaluate "); ok {
		// attribute: `x.y: attribute 'y' not found`; index: `x.0: item 0 not found`
		for _, none := range []string{": Can't use getattr on None", ": Can't use Getitem on None"} {
			if node, ok := strings.CutSuffix(rest, none); ok {
				if dot := strings.LastIndexByte(node, '.'); dot >= 0 {
					return &UndefinedError{Name: node[dot+1:], Object: "None"}
				}
			}
		}
		if node, attr, ok := cutAttribute(rest); ok {
			return &UndefinedError{Name: attr, Object: object(strings.TrimSuffix(node, "."+attr))}
		}
		if node, ok := strings.CutSuffix(rest, " not found"); ok {
			if i := strings.LastIndex(node, ": item "); i >= 0 {
				index := node[i+len(": item "):]
				if _, err := strconv.Atoi(index); err == nil {
					target := strings.TrimSuffix(node[:i], "."+index)
					return &UndefinedError{Name: index, Object: object(target), element: true}
				}
			}
		}
	}
	if rest, ok := afterLast(msg, "unable to evaluate "); ok {
		// key: `x['k']: item ''k'' not found`, `x[5]: item '5' not found`
		if node, ok := strings.CutSuffix(rest, "' not found"); ok {
			if i := strings.LastIndex(node, ": item '"); i >= 0 {
				arg := node[i+len(": item '"):]
				target := strings.TrimSuffix(node[:i], "["+arg+"]")
				if _, err := strconv.Atoi(arg); err == nil {
					return &UndefinedError{Name: arg, Object: object(target), element: true}
				}
				return &UndefinedError{Name: strings.Trim(arg, "'"), Object: object(target)}
			}
		}
	}
	if rest, ok := afterLast(msg, "argument "); ok {
		// x[k] where k itself failed: gonja only says k is no string
		if arg, _, ok := strings.Cut(rest, " does not evaluate to string or integer in: "); ok && isIdentifier(arg) {
			return &UndefinedError{Name: arg}
		}
	}
	if name, ok := strings.CutSuffix(msg, " is not callable"); ok {
		// calling an undefined name: gonja only says it is not callable
		if i := strings.LastIndex(name, ": "); i >= 0 {
			name = name[i+2:]
		}
		if isIdentifier(name) && (resolve == nil || resolve(name) == "") {
			return &UndefinedError{Name: name}
		}
	}
	if rest, ok := afterLast(msg, "Can't access an index on type "); ok {
		kind, _, _ := strings.Cut(rest, " ")
		return &UndefinedError{Hint: fmt.Sprintf("'%s object' is not subscriptable", kind)}
	}
	return nil
}

// cutAttribute splits `x.y: attribute 'y' not found`.
func cutAttribute(s string) (node, attr string, ok bool) {
	s, ok = strings.CutSuffix(s, "' not found")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndex(s, ": attribute '")
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+len(": attribute '"):], true
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
