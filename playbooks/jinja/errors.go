package jinja

import (
	"errors"
	"fmt"
)

// UndefinedError reports a variable, attribute, key or element that does not
// exist and that no `default` filter or `is defined` test guarded, with
// Ansible's wording. Callers add the file and line of the task or template.
type UndefinedError struct {
	Name   string // the missing variable, attribute, key or element
	Object string // what Name was looked up in, as Jinja names it ("dict object"); empty for a variable
	Hint   string // Jinja's own explanation when it has one ("No first item, sequence was empty.")
	Line   int    // line inside the template text, 0 when unknown
	// AfterApply (a check run) says why the value is known only after
	// apply: a registered result of a task that did not run.
	AfterApply string

	element bool // Name is a list index: "list object has no element 3"
}

func (e *UndefinedError) Error() string {
	switch {
	case e.Hint != "":
		return e.Hint
	case e.Object == "":
		return fmt.Sprintf("'%s' is undefined", e.Name)
	case e.element:
		return fmt.Sprintf("%s has no element %s", e.Object, e.Name)
	default:
		return fmt.Sprintf("'%s' has no attribute '%s'", e.Object, e.Name)
	}
}

// SyntaxError reports text that does not parse as a template or an
// expression. Line and Col (both from 1) point inside that text.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	if e.Line == 0 {
		return "template syntax error: " + e.Msg
	}
	return fmt.Sprintf("template syntax error at line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// undefinedAttr builds the error for a missing attribute or key of obj.
func undefinedAttr(obj any, name string) *UndefinedError {
	return &UndefinedError{Name: name, Object: objectTypeRepr(obj)}
}

// undefinedElement builds the error for a list index out of range.
func undefinedElement(obj any, index int) *UndefinedError {
	return &UndefinedError{Name: fmt.Sprint(index), Object: objectTypeRepr(obj), element: true}
}

// objectTypeRepr names a value's type the way Jinja's undefined messages do.
func objectTypeRepr(v any) string {
	if v == nil {
		return "None"
	}
	return pyType(v) + " object"
}

// undefinedValue is an undefined result (`conf.nope`, `[] | first`) on its
// way through gonja. It is no error to gonja, so a following filter or
// test still runs (`[] | first | default('x')`, `conf.nope is defined`, as
// in Jinja); any other use fails with err (see plain and the .strict
// filter).
type undefinedValue struct{ err *UndefinedError }

// Failing is a variable's value that fails when used, with msg as the
// error, as an undefined variable does (default() and `is defined` see it
// as undefined): a variable whose template cannot be rendered (it names
// an undefined variable, or refers back to itself) is bound to it, so that
// its use fails rather than writing the template's text.
func Failing(msg string) any { return undefinedValue{&UndefinedError{Hint: msg}} }

// AfterApply is a value a check run cannot know ("known after apply"):
// using it fails with an error IsAfterApply recognizes; default() and `is
// defined` see it as undefined, as Ansible's check mode leaves it.
func AfterApply(why string) any {
	return undefinedValue{&UndefinedError{Hint: "known after apply: " + why, AfterApply: why}}
}

// IsAfterApply reports whether err comes from using an AfterApply value,
// and why that value is unknown.
func IsAfterApply(err error) (string, bool) {
	var u *UndefinedError
	if errors.As(err, &u) && u.AfterApply != "" {
		return u.AfterApply, true
	}
	return "", false
}
