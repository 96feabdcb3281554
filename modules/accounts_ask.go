package modules

import (
	"errors"
	"fmt"
	"strings"

	"tend/modules/hostq"
)

// Users and groups as questions (Asker): the databases are the Accounts
// answer, the tools Command answers, and login.defs and
// /etc/default/useradd Content, read here as acctProbe's awk reads them.
// Both modules ask the same questions, so a batch asks them once. What
// needs a secret file (comparing a password, shadow's aging fields), ssh-keygen
// or databases under another root stays with the probe.

const (
	loginDefs       = "/etc/login.defs"
	useraddDefaults = "/etc/default/useradd"
	shadowDB        = "/etc/shadow"
)

// loginDefsKeys are the login.defs settings the modules read (numbers).
var loginDefsKeys = []string{"UID_MIN", "UID_MAX", "SYS_UID_MIN", "SYS_UID_MAX", "GID_MIN", "GID_MAX",
	"SYS_GID_MIN", "SYS_GID_MAX", "UMASK", "HOME_MODE", "PASS_MIN_DAYS", "PASS_MAX_DAYS", "PASS_WARN_AGE"}

// useraddKeys are the /etc/default/useradd settings they read.
var useraddKeys = []string{"SHELL", "GROUP", "HOME"}

// acctQuestions are what user and group need to know of any host.
func acctQuestions() []hostq.Question {
	qs := []hostq.Question{hostq.Accounts{}, hostq.Content{Path: loginDefs}, hostq.Content{Path: useraddDefaults},
		hostq.Path{Path: shadowDB, Follow: true}}
	for _, t := range acctTools {
		qs = append(qs, hostq.Command{Name: t})
	}
	return qs
}

// readAcctAnswers is readAcctDB from answers.
func readAcctAnswers(a hostq.Answers) (*acctDB, error) {
	accounts, err := a.Accounts()
	if err != nil {
		return nil, err
	}
	db := newAcctDB(accounts)
	for _, t := range acctTools {
		if db.tools[t], err = a.Command(t); err != nil {
			return nil, err
		}
	}
	fi, err := a.Path(shadowDB, true)
	if err != nil {
		return nil, err
	}
	db.shadow = fi.Exists && fi.Type == '-' // [ -f ]
	defs, err := fileIfRegular(a, loginDefs)
	if err != nil {
		return nil, err
	}
	for k, v := range parseLoginDefs(defs) {
		if err := db.setDef(k, v); err != nil {
			return nil, err
		}
	}
	dflt, err := fileIfRegular(a, useraddDefaults)
	if err != nil {
		return nil, err
	}
	for k, v := range parseUseraddDefaults(dflt) {
		db.defaults[k] = v
	}
	return db, nil
}

// fileIfRegular is a file's content, nil when it is not a regular file.
func fileIfRegular(a hostq.Answers, p string) ([]byte, error) {
	b, err := a.Content(p)
	switch {
	case errors.Is(err, hostq.ErrNoContent):
		return nil, nil
	case errors.Is(err, hostq.ErrTooBig):
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return b, err
}

// parseLoginDefs reads login.defs as the probe's awk does: the last line
// whose first field is a key and whose second is a number wins. Fields are
// split at ASCII white space, '\r' included, as shadow's own reader trims
// it (busybox's awk does too, mawk does not). Keys come back lower-case.
func parseLoginDefs(b []byte) map[string]string {
	want := map[string]bool{}
	for _, k := range loginDefsKeys {
		want[k] = true
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.FieldsFunc(l, func(r rune) bool { return strings.ContainsRune(" \t\r\v\f", r) })
		if len(f) >= 2 && want[f[0]] && numericID.MatchString(f[1]) {
			out[strings.ToLower(f[0])] = f[1]
		}
	}
	return out
}

// parseUseraddDefaults reads /etc/default/useradd as awk -F= does: KEY's
// value is what lies between the first '=' and the next; values with ':'
// or '\' (which no database line may hold) are left out.
func parseUseraddDefaults(b []byte) map[string]string {
	want := map[string]bool{}
	for _, k := range useraddKeys {
		want[k] = true
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, "=")
		v := ""
		if len(f) > 1 {
			v = f[1]
		}
		if want[f[0]] && !strings.ContainsAny(v, `:\`) {
			out[strings.ToLower(f[0])] = v
		}
	}
	return out
}

// askMoreError is a Plan's error when it needs an answer it could not ask
// for ahead: an existing user's home, which only the answers name. It wraps
// hostq.ErrNotAsked; Questions says what to ask in one more round (or the
// runner runs the module's probe instead).
type askMoreError struct {
	qs  []hostq.Question
	why string
}

func (e *askMoreError) Error() string {
	return fmt.Sprintf("%s: %v", e.why, hostq.ErrNotAsked)
}

func (e *askMoreError) Unwrap() error { return hostq.ErrNotAsked }

// Questions are the questions whose answers the plan needs.
func (e *askMoreError) Questions() []hostq.Question { return e.qs }
