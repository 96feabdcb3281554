package main

import (
	"io"

	"tend/internal/vault"
	"tend/modules"
	"tend/playbooks"
)

// redacting passes events on with every secret the vault revealed masked:
// decrypted values never reach the terminal, JSON events, reports or saved
// plans. Digests (Desired, Planned) are the runner's, of the real values,
// so saved plans still compare.
func redacting(ring *vault.Keyring, next func(playbooks.Event)) func(playbooks.Event) {
	return func(e playbooks.Event) {
		if ring.Revealed() {
			e = redactEvent(ring, e)
		}
		next(e)
	}
}

// redactEvent returns a copy of e with secrets masked; e's slices and maps
// are not changed (the runner may hold them).
func redactEvent(ring *vault.Keyring, e playbooks.Event) playbooks.Event {
	e.Task = ring.Redact(e.Task)
	e.Item = ring.Redact(e.Item)
	e.Msg = ring.Redact(e.Msg)
	if e.Warnings != nil {
		w := make([]string, len(e.Warnings))
		for i, s := range e.Warnings {
			w[i] = ring.Redact(s)
		}
		e.Warnings = w
	}
	if e.Diffs != nil {
		d := make([]modules.Diff, len(e.Diffs))
		for i, x := range e.Diffs {
			d[i] = modules.Diff{Path: ring.Redact(x.Path), Attr: x.Attr, Before: ring.Redact(x.Before), After: ring.Redact(x.After)}
		}
		e.Diffs = d
	}
	if e.Result != nil {
		r, _ := ring.RedactValue(map[string]any(e.Result)).(map[string]any)
		e.Result = modules.Result(r)
	}
	return e
}

// redactWriter masks the vault's secrets in what is written through it in
// one Write (tend inventory writes its output whole).
type redactWriter struct {
	w    io.Writer
	ring *vault.Keyring
}

func (r redactWriter) Write(p []byte) (int, error) {
	if !r.ring.Revealed() {
		return r.w.Write(p)
	}
	if _, err := io.WriteString(r.w, r.ring.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
