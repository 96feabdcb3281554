package main

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"tend/playbooks/load"
)

// The JSON output of every command (--format json) is documented in
// docs/json.md: keep the two in step.

// problemEvent is an "error" or "warning" event: a load problem (file,
// line, col, msg, hint, source) or another error before or instead of the
// run (msg only).
type problemEvent struct {
	Kind   string `json:"kind"` // error or warning
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Col    int    `json:"col,omitempty"`
	Msg    string `json:"msg"`
	Hint   string `json:"hint,omitempty"`
	Source string `json:"source,omitempty"`
}

// problemEvents is err as events: one per load problem it holds.
func problemEvents(kind string, err error) []problemEvent {
	var list load.ErrorList
	var one *load.Error
	switch {
	case errors.As(err, &list):
		out := make([]problemEvent, 0, len(list))
		for _, e := range list {
			out = append(out, problemOf(kind, e))
		}
		return out
	case errors.As(err, &one):
		return []problemEvent{problemOf(kind, one)}
	}
	return []problemEvent{{Kind: kind, Msg: err.Error()}}
}

func problemOf(kind string, e *load.Error) problemEvent {
	return problemEvent{Kind: kind, File: e.File, Line: e.Line, Col: e.Col, Msg: e.Msg, Hint: e.Hint, Source: e.Source}
}

// writeProblems writes err's events as JSON lines.
func writeProblems(w io.Writer, kind string, err error) {
	enc := json.NewEncoder(w)
	for _, e := range problemEvents(kind, err) {
		_ = enc.Encode(e)
	}
}

// formatFlag registers --format text|json; with alias set, --json is kept as
// its older spelling.
func formatFlag(cmd *cobra.Command, format *string, alias *bool, what string) {
	cmd.Flags().StringVar(format, "format", "text", "text, or json: "+what+" (see docs/json.md)")
	if alias != nil {
		cmd.Flags().BoolVar(alias, "json", false, "same as --format json")
	}
}

// jsonFormat checks --format (and its --json alias) and says whether JSON
// was asked.
func jsonFormat(format string, alias bool) (bool, error) {
	switch {
	case alias || format == "json":
		return true, nil
	case format == "text":
		return false, nil
	}
	return false, errors.New(`--format must be text or json, not "` + format + `"`)
}

// wantsJSON says whether the command was asked for JSON output, for
// errors main reports.
func wantsJSON(cmd *cobra.Command) bool {
	if cmd == nil {
		return false
	}
	if f := cmd.Flags().Lookup("format"); f != nil && f.Value.String() == "json" {
		return true
	}
	if f := cmd.Flags().Lookup("json"); f != nil && f.Value.String() == "true" {
		return true
	}
	return false
}

// jsonEvents is stdout when format is json, else nil.
func jsonEvents(format string, stdout io.Writer) io.Writer {
	if format == "json" {
		return stdout
	}
	return nil
}
