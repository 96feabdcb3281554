package vault

import (
	"slices"
	"strings"
)

// Redacted replaces a vault secret in output.
const Redacted = "********"

// minSecret is the shortest secret Redact masks: masking every "no" or
// "80" in a run's output would hide more than it protects, and a vaulted
// value that short is not a secret worth the name.
const minSecret = 4

// Reveal records s as a secret that the vault revealed: Redact masks it
// from then on. Each line of a multi-line secret (a key, a certificate) is
// recorded too, since diffs show them one by one.
func (k *Keyring) Reveal(s string) {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	add := func(s string) {
		if len(s) < minSecret || k.revealed[s] {
			return
		}
		if k.revealed == nil {
			k.revealed = map[string]bool{}
		}
		k.revealed[s] = true
		k.redactor = nil
	}
	add(s)
	if strings.Contains(s, "\n") {
		for _, line := range strings.Split(s, "\n") {
			add(strings.TrimSpace(line))
		}
	}
}

// RevealValue records every string in a value decrypted from a vaulted
// vars file (maps and lists walked).
func (k *Keyring) RevealValue(v any) {
	switch v := v.(type) {
	case string:
		k.Reveal(v)
	case map[string]any:
		for _, e := range v {
			k.RevealValue(e)
		}
	case []any:
		for _, e := range v {
			k.RevealValue(e)
		}
	}
}

// Revealed says whether any secret was recorded.
func (k *Keyring) Revealed() bool {
	if k == nil {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.revealed) > 0
}

// Redact returns s with every revealed secret replaced by Redacted,
// longest first so that a secret containing another is masked whole.
func (k *Keyring) Redact(s string) string {
	if k == nil {
		return s
	}
	k.mu.Lock()
	r := k.redactor
	if r == nil && len(k.revealed) > 0 {
		list := make([]string, 0, len(k.revealed))
		for s := range k.revealed {
			list = append(list, s)
		}
		slices.SortFunc(list, func(a, b string) int { return len(b) - len(a) })
		pairs := make([]string, 0, 2*len(list))
		for _, s := range list {
			pairs = append(pairs, s, Redacted)
		}
		r = strings.NewReplacer(pairs...)
		k.redactor = r
	}
	k.mu.Unlock()
	if r == nil {
		return s
	}
	return r.Replace(s)
}

// RedactValue returns v with Redact applied to every string in it, map
// keys included; v itself is not changed.
func (k *Keyring) RedactValue(v any) any {
	if !k.Revealed() {
		return v
	}
	switch v := v.(type) {
	case string:
		return k.Redact(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for key, e := range v {
			out[k.Redact(key)] = k.RedactValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = k.RedactValue(e)
		}
		return out
	}
	return v
}
