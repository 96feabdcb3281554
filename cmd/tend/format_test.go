package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestFormatFlag(t *testing.T) {
	for _, c := range []struct {
		plan    bool
		args    []string
		want    string // the format, or the start of the error with "error: "
		wantOut string // plan's --out
	}{
		{false, nil, "text", ""},
		{false, []string{"--format", "json"}, "json", ""},
		{false, []string{"--output", "json"}, "json", ""}, // deprecated spelling
		{false, []string{"--output", "json", "--format", "json"}, "json", ""},
		{false, []string{"--output", "text", "--format", "json"}, "error: --format json and --output text disagree", ""},
		{false, []string{"--format", "yaml"}, "error: --format must be text or json", ""},
		{false, []string{"-o", "json"}, "error: unknown shorthand flag: 'o'", ""},
		{true, []string{"-o", "plan.json", "--format", "json"}, "json", "plan.json"},
		{true, []string{"--out", "p.json"}, "text", "p.json"},
		{true, []string{"--output", "plan.json"}, "error: --output (deprecated: use --format) must be text or json, not \"plan.json\" (to save the plan to a file, use --out FILE)", ""},
	} {
		var f convergeFlags
		cmd := &cobra.Command{Use: "x"}
		cmd.SetErr(io.Discard)
		cmd.Flags().SetOutput(io.Discard)
		f.register(cmd, c.plan)
		err := cmd.ParseFlags(c.args)
		if err == nil {
			err = f.checkFormat(cmd)
		}
		got := f.format
		if err != nil {
			got = "error: " + err.Error()
		}
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("plan=%v %q: got %q, want %q", c.plan, c.args, got, c.want)
		}
		if err == nil && f.out != c.wantOut {
			t.Errorf("plan=%v %q: --out %q, want %q", c.plan, c.args, f.out, c.wantOut)
		}
	}
}
