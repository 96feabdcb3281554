package main

import (
	"fmt"
	"regexp"
	"strings"

	"tend/playbooks"
)

// How a failed task reads in the text output: one line saying what failed
// (the host's error summed up when it is a well-known one, or the command
// and its exit code), then a few lines of the error output under it. The
// JSON events and reports keep the whole message and result.

// failureLines is the most lines of error output shown for a failure; the
// middle of a longer one is left out, and repeated lines are counted once.
const failureLines = 6

// becomeHint follows a "permission denied": the usual cause is a task that
// writes where only root may, run without become.
const becomeHint = "; if the task needs root, add become: true"

// failureText returns the headline of a failed event and the lines to show
// under it. A well-known host error is said in one line; with -v (verbose)
// the host's own words stay under it.
func failureText(e playbooks.Event, verbose int) (string, []string) {
	cmd, rc, isCmd := commandOf(e)
	out := e.Msg
	if isCmd {
		// command, shell, raw, script: "non-zero return code", and the
		// output in the result.
		stderr, _ := e.Result["stderr"].(string)
		if strings.TrimSpace(stderr) == "" {
			stderr, _ = e.Result["stdout"].(string)
		}
		if e.Msg != "non-zero return code" && e.Msg != "" && !strings.Contains(stderr, e.Msg) {
			stderr = e.Msg + "\n" + stderr
		}
		out = stderr
	}
	head := ""
	if isCmd {
		head = fmt.Sprintf("exit code %d: %s", rc, cmd)
	}
	if sum, ok := hostErrorSummary(out); ok {
		if head != "" {
			sum += " (" + head + ")"
		}
		if strings.HasPrefix(sum, "permission denied") {
			sum += becomeHint
		}
		if verbose > 0 {
			return sum, trimLines(out, failureLines)
		}
		return sum, nil
	}
	lines := trimLines(out, failureLines)
	if head == "" {
		switch len(lines) {
		case 0:
			return "", nil
		case 1:
			return lines[0], nil
		}
		return lines[0], lines[1:]
	}
	return head, lines
}

// commandOf is the command line and exit code of a command-like task's
// result (one with rc and cmd, or rc and "non-zero return code").
func commandOf(e playbooks.Event) (string, int, bool) {
	rc, ok := e.Result["rc"].(int)
	if !ok || rc == 0 {
		return "", 0, false
	}
	var cmd string
	switch c := e.Result["cmd"].(type) {
	case string:
		cmd = c
	case []string:
		cmd = strings.Join(c, " ")
	case []any:
		parts := make([]string, len(c))
		for i, p := range c {
			parts[i] = fmt.Sprint(p)
		}
		cmd = strings.Join(parts, " ")
	default:
		if e.Msg != "non-zero return code" {
			return "", 0, false
		}
		cmd = e.Module
	}
	if i := strings.IndexByte(cmd, '\n'); i >= 0 { // a multi-line script
		cmd = strings.TrimSpace(cmd[:i]) + " …"
	}
	return cmd, rc, true
}

// hostErrors are the errors from a host said in one line, as the phrase
// they are reported with (strerror's) and how the summary names them.
var hostErrors = []struct{ phrase, says string }{
	{"No space left on device", "no space left on device"},
	{"Disk quota exceeded", "disk quota exceeded"},
	{"Read-only file system", "read-only file system"},
	{"Permission denied", "permission denied"},
}

// verbs name what was being done from the words before the error.
var verbs = []struct {
	re   *regexp.Regexp
	verb string
}{
	{regexp.MustCompile(`(?i)writ`), "writing"},
	{regexp.MustCompile(`(?i)mkdir|creat|touch`), "creating"},
	{regexp.MustCompile(`(?i)remov|unlink|rm:`), "removing"},
	{regexp.MustCompile(`(?i)renam|mv:|move`), "moving"},
	{regexp.MustCompile(`(?i)open|read`), "opening"},
	{regexp.MustCompile(`(?i)chmod|chown|chgrp|attribut`), "changing"},
}

var (
	tempBeside = regexp.MustCompile(`a temporary file beside (/[^:\n]*):`)
	tempName   = regexp.MustCompile(`/\.tend-[0-9a-f]+\.tmp$`)
)

var quoted = regexp.MustCompile("['‘\"`]([^'’\"`]+)['’\"`]")

// hostErrorSummary says in one line a host's error output that holds one
// of hostErrors: "no space left on device writing /srv/x". The path and
// what was done are read from the first line that has the error.
func hostErrorSummary(out string) (string, bool) {
	for _, he := range hostErrors {
		for _, line := range strings.Split(out, "\n") {
			i := strings.Index(strings.ToLower(line), strings.ToLower(he.phrase))
			if i < 0 {
				continue
			}
			// Messages nest ("cannot write X: sh: 1: cannot create Y"):
			// the innermost part that names a file says what was done.
			parts := strings.Split(strings.TrimRight(line[:i], ": "), ": ")
			path, at := "", 0
			for at = len(parts) - 1; at >= 0 && path == ""; at-- {
				path = pathIn(parts[at])
			}
			if path == "" {
				return he.says, true
			}
			before := strings.Join(parts[at+1:], ": ")
			verb := "on"
			for _, v := range verbs {
				if v.re.MatchString(before) {
					verb = v.verb
					break
				}
			}
			// tend writes a file through a temporary one beside it.
			if m := tempBeside.FindStringSubmatch(out); m != nil && tempName.MatchString(path) {
				path, verb = m[1], "writing"
			}
			return he.says + " " + verb + " " + path, true
		}
	}
	return "", false
}

// pathIn is the file an error line names: its last quoted path, else its
// last word with a slash in it.
func pathIn(s string) string {
	if m := quoted.FindAllStringSubmatch(s, -1); len(m) > 0 {
		for i := len(m) - 1; i >= 0; i-- {
			if strings.Contains(m[i][1], "/") {
				return m[i][1]
			}
		}
	}
	words := strings.Fields(s)
	for i := len(words) - 1; i >= 0; i-- {
		w := strings.Trim(words[i], ":,;()'\"")
		if strings.Contains(w, "/") {
			return w
		}
	}
	return ""
}

// shellLineNo is the "sh: 67: " prefix dash puts on its errors: lines that
// differ only by it are one error repeated.
var shellLineNo = regexp.MustCompile(`^(\S+: )\d+: `)

// trimLines splits out into lines without the blank ones, counts repeats
// of a line once ("(×13)"), and keeps at most limit lines: the first ones
// and the last, with a note of how many were left out between.
func trimLines(out string, limit int) []string {
	var lines []string
	var counts []int
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		l = strings.TrimRight(l, " \t\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		key := shellLineNo.ReplaceAllString(l, "$1")
		if n := len(lines); n > 0 && shellLineNo.ReplaceAllString(lines[n-1], "$1") == key {
			counts[n-1]++
			continue
		}
		lines = append(lines, l)
		counts = append(counts, 1)
	}
	for i, n := range counts {
		if n > 1 {
			lines[i] = shellLineNo.ReplaceAllString(lines[i], "$1") + fmt.Sprintf(" (×%d)", n)
		}
	}
	if len(lines) <= limit {
		return lines
	}
	head, tail := limit-limit/3-1, limit/3
	kept := append([]string{}, lines[:head]...)
	kept = append(kept, fmt.Sprintf("… %d more lines …", len(lines)-head-tail))
	return append(kept, lines[len(lines)-tail:]...)
}
