package modules

import (
	"errors"
	"fmt"

	"tend/modules/hostq"
)

// confQuestions asks what confProbe prints, as questions (see Asker): the
// file through links and where they lead (the write goes there), its
// content, and its folder through links.
func confQuestions(p string) []hostq.Question {
	return []hostq.Question{hostq.Path{Path: p, Follow: true}, hostq.Real{Path: p}, hostq.Content{Path: p},
		hostq.Path{Path: dirOf(p), Follow: true}}
}

// readConfAnswers is readConf from confQuestions' answers.
func readConfAnswers(a hostq.Answers, p string) (confState, error) {
	c := confState{path: p, answers: a, real: p}
	var err error
	if c.fi, err = a.Path(p, true); err != nil {
		return c, err
	}
	// The write goes to where the links lead.
	if real, err := a.Real(p); err != nil {
		return c, err
	} else if real != "" {
		c.real = real
	}
	if c.fi.Exists {
		if c.fi.Type != '-' {
			return c, fmt.Errorf("%s is not a regular file", p)
		}
		b, err := a.Content(p)
		if errors.Is(err, hostq.ErrTooBig) {
			return c, fmt.Errorf("%s is bigger than tend reads (%d KiB)", p, hostq.ContentLimit>>10)
		} else if err != nil {
			return c, err
		}
		c.content = string(b)
	}
	d, err := a.Path(dirOf(p), true)
	if err != nil {
		return c, err
	}
	c.dirExists = d.Exists && d.Type == 'd'
	return c, nil
}

// effects is what c.write(after, mode) leaves on the host, for a state
// read from answers (nil otherwise): the file, through its links, with
// its mode and owner kept, or new with mode.
func (c confState) effects(after string, mode uint32) []hostq.Effect {
	if c.answers == nil {
		return nil
	}
	w := hostq.WriteFile{Path: c.real, Data: []byte(after), Known: true, Perm: mode}
	if c.fi.Exists {
		w.Perm, w.Owner, w.Group = c.fi.Perm, c.fi.Owner, c.fi.Group
	}
	return []hostq.Effect{w}
}
