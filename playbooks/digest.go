package playbooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"tend/modules"
)

// digestOf hashes JSON encodings of parts, keyed with Options.DigestKey.
func digestOf(key []byte, parts ...any) string {
	m := hmac.New(sha256.New, key)
	enc := json.NewEncoder(m)
	for _, p := range parts {
		if err := enc.Encode(p); err != nil {
			// Arguments are checked values (strings, numbers, lists, maps):
			// they always encode. Fall back to their printed form.
			_, _ = m.Write([]byte(err.Error()))
		}
	}
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// desiredDigest is the digest of what a module task asks for: its module
// and its checked arguments (JSON sorts map keys, so it is stable).
func desiredDigest(key []byte, module string, args modules.Args) string {
	return digestOf(key, module, map[string]any(args))
}

// plannedDigest is the digest of a change: what was asked, and the diffs
// found. Apply scripts are not part of it: they hold random temp names.
func plannedDigest(key []byte, desired string, diffs []modules.Diff) string {
	// Encoded with the field names Diff had before its JSON names were
	// snake_case, so that plans saved then still compare equal.
	type diff struct{ Path, Attr, Before, After string }
	ds := make([]diff, len(diffs))
	for i, d := range diffs {
		ds[i] = diff(d)
	}
	if diffs == nil {
		return digestOf(key, desired, []diff(nil))
	}
	return digestOf(key, desired, ds)
}
