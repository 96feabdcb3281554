package main

import (
	"os"
	"strings"
	"testing"

	"tend/playbooks/load"
)

// Without a terminal (as under go test), a prompt takes its default, -e
// skips it, and one with neither stops the run naming the variable.
func TestVarsPromptWithoutTerminal(t *testing.T) {
	defer func(old func() (*os.File, error)) { openTTY = old }(openTTY)
	openTTY = func() (*os.File, error) { return nil, os.ErrNotExist }
	pb := &load.Playbook{Plays: []*load.Play{{VarsPrompt: []load.Prompt{
		{Name: "who", Prompt: "Who?", Default: "world", HasDefault: true},
		{Name: "given", Prompt: "Given?"},
	}}}}
	if err := askVarsPrompts(pb, map[string]any{"given": "x"}); err != nil {
		t.Fatal(err)
	}
	if got := pb.Plays[0].Vars["who"]; got != "world" {
		t.Errorf("who = %v", got)
	}
	if _, set := pb.Plays[0].Vars["given"]; set {
		t.Error("a variable -e gives was set by the prompt")
	}
	err := askVarsPrompts(&load.Playbook{Plays: []*load.Play{{VarsPrompt: []load.Prompt{{Name: "secret", Prompt: "Secret?"}}}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "-e secret=VALUE") {
		t.Errorf("got %v", err)
	}
}
