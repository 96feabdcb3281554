package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"tend/playbooks/load"
)

// askVarsPrompts asks each play's vars_prompt on the terminal, as
// ansible-playbook does: a variable -e gives is not asked; with no terminal
// (cron, CI) the default is taken, or the run stops before any host is
// touched. Answers become play variables.
func askVarsPrompts(pb *load.Playbook, extra map[string]any) error {
	for _, p := range pb.Plays {
		for _, pr := range p.VarsPrompt {
			if _, given := extra[pr.Name]; given {
				continue
			}
			if pr.Unsupported != "" {
				return fmt.Errorf("%s: vars_prompt %s: %s", pr.Pos, pr.Name, pr.Unsupported)
			}
			v, err := ask(pr)
			if err != nil {
				return fmt.Errorf("%s: vars_prompt %s: %v", pr.Pos, pr.Name, err)
			}
			if p.Vars == nil {
				p.Vars = map[string]any{}
			}
			p.Vars[pr.Name] = v
		}
	}
	return nil
}

// openTTY opens the terminal prompts are asked on (tests replace it).
var openTTY = func() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }

func ask(pr load.Prompt) (string, error) {
	tty, err := openTTY()
	if err == nil && !term.IsTerminal(int(tty.Fd())) {
		tty.Close()
		err = fmt.Errorf("not a terminal")
	}
	if err != nil {
		if pr.HasDefault {
			return pr.Default, nil
		}
		return "", fmt.Errorf("there is no terminal to ask on: pass it with -e %s=VALUE, or give it a default", pr.Name)
	}
	defer tty.Close()
	label := pr.Prompt
	if pr.HasDefault {
		label += fmt.Sprintf(" [%s]", pr.Default)
	}
	read := func(label string) (string, error) {
		fmt.Fprint(tty, label+": ")
		if pr.Private {
			b, err := term.ReadPassword(int(tty.Fd()))
			fmt.Fprintln(tty)
			return string(b), err
		}
		var line []byte
		buf := make([]byte, 1)
		for {
			n, err := tty.Read(buf)
			if n == 0 || err != nil || buf[0] == '\n' {
				return strings.TrimRight(string(line), "\r"), err
			}
			line = append(line, buf[0])
		}
	}
	v, err := read(label)
	if err != nil {
		return "", err
	}
	if pr.Confirm {
		again, err := read("confirm " + pr.Prompt)
		if err != nil {
			return "", err
		}
		if again != v {
			return "", fmt.Errorf("the values entered do not match")
		}
	}
	if v == "" && pr.HasDefault {
		v = pr.Default
	}
	return v, nil
}
