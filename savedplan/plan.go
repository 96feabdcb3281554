// Package savedplan is the saved plan of `tend plan --out FILE` and the checks
// `tend apply FILE` makes against it.
//
// A plan records, per host, the changes a check run found, in the order the
// host met them: each with its task's identity, module, diffs (none under
// no_log, as the runner redacts them) and the Planned digest of the change
// (see playbooks.Event). It also records a digest of every file the
// playbook is made of, so that applying a plan after the playbook changed
// can be refused.
//
// Applying is in two steps per host. A check pass lists the host's changes
// again (Changes); unless they are the plan's (Compare), the host is refused
// and left alone. Then the real converge runs under a Guard, which lets a
// change be applied only if it is the next one the plan holds for the host.
//
// Digests of changes are keyed (playbooks.Options.DigestKey) with a secret
// kept outside the plan (Key), so a plan shown for review does not let
// anyone test guesses of a no_log value against its digest. A plan can
// therefore be applied only where its key is.
package savedplan

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"tend/internal/privfile"
	"tend/modules"
	"tend/playbooks"
)

// Format is the version of the file format written.
const Format = 1

// Plan is a saved plan, as stored (JSON, mode 0600).
type Plan struct {
	Format  int       `json:"format"`
	Tend    string    `json:"tend"` // the version that made it
	Created time.Time `json:"created"`
	// Playbook is the playbook's absolute path; PlaybookDigest the digest
	// of all its files (Files holds each file's own digest, so that a
	// refusal can name what changed).
	Playbook       string     `json:"playbook"`
	PlaybookDigest string     `json:"playbook_digest"`
	Files          []FileHash `json:"files"`
	// Inventory holds the inventory sources, files made absolute.
	Inventory []string `json:"inventory"`
	Limit     string   `json:"limit,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	SkipTags  []string `json:"skip_tags,omitempty"`
	// ExtraVarsDigest is a keyed digest of the -e variables (they may
	// hold secrets): apply must be given the same ones.
	ExtraVarsDigest string `json:"extra_vars_digest"`
	// KeyID names the digest key the plan was made with (Key).
	KeyID string `json:"key_id"`
	// Connection is how plan reached the hosts; apply does the same
	// unless told otherwise.
	Connection *Connection `json:"connection,omitempty"`
	Hosts      []*Host     `json:"hosts"`
}

// Host is what the plan found on one host.
type Host struct {
	Name string `json:"name"`
	// Status is ok (nothing to change), changed, failed or unreachable.
	// Only hosts whose status is changed are applied.
	Status  string   `json:"status"`
	Msg     string   `json:"msg,omitempty"` // why it failed
	Changes []Change `json:"changes,omitempty"`
}

// Change is one change a task (or loop item) would make.
type Change struct {
	PlayIndex int    `json:"play_index"`
	Play      string `json:"play"`
	TaskIndex int    `json:"task_index"`
	Task      string `json:"task"`
	TaskPos   string `json:"task_pos"`
	Item      string `json:"item,omitempty"`
	Handler   bool   `json:"handler,omitempty"`
	Module    string `json:"module"`
	// Status is the check run's: changed; skipped for a command whose
	// effect cannot be known without running it (it will run); ok when
	// changed_when says so (it will still be applied).
	Status  string `json:"status"`
	Planned string `json:"planned"`
	// Unknown says why the check run could not tell this change ("known
	// after apply"); Desired is the digest of the arguments the task had
	// then, "" when they too depended on unknown values. Apply re-plans
	// such a change: see Guard.
	Unknown string         `json:"known_after_apply,omitempty"`
	Desired string         `json:"desired,omitempty"`
	Diffs   []modules.Diff `json:"diffs,omitempty"`
	// Hidden is set when the task is no_log: its diffs are not recorded.
	Hidden bool `json:"no_log,omitempty"`
}

// String names the change's task for messages: "task" [item] (file:line).
func (c Change) String() string {
	s := fmt.Sprintf("%q", c.Task)
	if c.Item != "" {
		s += " [" + c.Item + "]"
	}
	return s + " (" + c.TaskPos + ")"
}

// FileHash is one file of the playbook and the SHA-256 of its content.
type FileHash struct {
	Path   string `json:"path"` // relative to the playbook's folder when inside it
	SHA256 string `json:"sha256"`
}

// Recorder builds the per-host change lists of a check run from its events.
// Give its Event method to playbooks.Options.Events (the runner calls it one
// event at a time).
type Recorder struct {
	hosts map[string]*Host
	order []string
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{hosts: map[string]*Host{}} }

func (r *Recorder) host(name string) *Host {
	h, ok := r.hosts[name]
	if !ok {
		h = &Host{Name: name, Status: "ok"}
		r.hosts[name] = h
		r.order = append(r.order, name)
	}
	return h
}

// Event records one event: a task event with a Planned digest is a change
// (whatever its status: every such change is applied by a converge), and a
// failure or an unreachable host marks the host.
func (r *Recorder) Event(e playbooks.Event) {
	switch e.Kind {
	case playbooks.EventPlayStart:
		for _, name := range e.Hosts {
			r.host(name)
		}
		return
	case playbooks.EventTask:
	default:
		return
	}
	h := r.host(e.Host)
	if e.Planned != "" {
		h.Changes = append(h.Changes, ChangeOf(e))
		if h.Status == "ok" {
			h.Status = "changed"
		}
	}
	switch {
	case e.Status == playbooks.StatusUnreachable:
		h.Status, h.Msg = "unreachable", e.Msg
	case e.Status == playbooks.StatusFailed && !e.Ignored && h.Status != "unreachable":
		h.Status, h.Msg = "failed", e.Msg
	}
}

// ChangeOf is the change a task event reports.
func ChangeOf(e playbooks.Event) Change {
	return Change{
		PlayIndex: e.PlayIndex, Play: e.Play, TaskIndex: e.TaskIndex, Task: e.Task, TaskPos: e.TaskPos,
		Item: e.Item, Handler: e.Handler, Module: e.Module, Status: string(e.Status), Planned: e.Planned,
		Diffs: e.Diffs, Hidden: e.Result["censored"] != nil, Unknown: e.Unknown, Desired: e.Desired,
	}
}

// Hosts returns the hosts recorded, in the order first met.
func (r *Recorder) Hosts() []*Host {
	out := make([]*Host, len(r.order))
	for i, name := range r.order {
		out[i] = r.hosts[name]
	}
	return out
}

// Host returns the named host's record, nil if the run did not meet it.
func (r *Recorder) Host(name string) *Host { return r.hosts[name] }

// Host returns the plan's record of the named host, nil if it has none.
func (p *Plan) Host(name string) *Host {
	for _, h := range p.Hosts {
		if h.Name == name {
			return h
		}
	}
	return nil
}

// Count returns how many hosts have changes, and how many changes in all.
func (p *Plan) Count() (hosts, changes int) {
	for _, h := range p.Hosts {
		if len(h.Changes) > 0 {
			hosts++
			changes += len(h.Changes)
		}
	}
	return hosts, changes
}

// Write saves the plan to path, mode 0600, replacing the file atomically
// (a file that was there keeps no wider mode).
func (p *Plan) Write(path string) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return privfile.Write(path, append(data, '\n'))
}

// Read loads a plan written by Write.
func Read(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not a tend plan: %v", path, err)
	}
	if p.Format != Format {
		return nil, fmt.Errorf("%s: plan format %d, this tend reads format %d: make the plan again", path, p.Format, Format)
	}
	if p.Playbook == "" || p.PlaybookDigest == "" || p.KeyID == "" {
		return nil, fmt.Errorf("%s: not a tend plan: playbook, playbook_digest or key_id missing", path)
	}
	return &p, nil
}

// KeyID names a digest key without revealing it.
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tend plan key id"))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// ExtraVarsDigest is the keyed digest of -e variables.
func ExtraVarsDigest(key []byte, extra map[string]any) string {
	m := hmac.New(sha256.New, key)
	if extra == nil {
		extra = map[string]any{}
	}
	// Maps encode with sorted keys: the digest is stable.
	if err := json.NewEncoder(m).Encode(extra); err != nil {
		m.Write([]byte(err.Error()))
	}
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Key returns the digest key stored at path, creating it (32 random bytes,
// mode 0600, its folder 0700) when create is set and it does not exist.
func Key(path string, create bool) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) < 16 {
			return nil, fmt.Errorf("digest key %s: too short (%d bytes)", path, len(key))
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) || !create {
		return nil, fmt.Errorf("digest key: %w", err)
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("digest key: %w", err)
	}
	// Written aside, then linked into place: a tend that reads it never
	// sees half a key, and of two tends making it at once one wins.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key.*")
	if err != nil {
		return nil, fmt.Errorf("digest key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(key)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if errors.Is(err, os.ErrExist) {
		return Key(path, false)
	}
	if err != nil {
		return nil, fmt.Errorf("digest key: %w", err)
	}
	return key, nil
}
