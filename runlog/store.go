package runlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"tend/internal/privfile"
	"time"
)

// Store remembers, per inventory and playbook pair, per host and task, the
// digest of the desired state last applied. It lives in the report
// directory's state/ folder. The digests are keyed with tend's digest key
// (the one saved plans use: see cmd/tend), which the store does not hold.
type Store struct {
	dir string
}

// State is one pair's memory: Hosts[host][task identity] = desired digest.
type State struct {
	Playbook  string                       `json:"playbook"`
	Inventory []string                     `json:"inventory"`
	Updated   time.Time                    `json:"updated"`
	Hosts     map[string]map[string]string `json:"hosts"`
}

// OpenStore opens (creating it if needed) the store of a report directory.
func OpenStore(reportDir string) (*Store, error) {
	dir := filepath.Join(reportDir, "state")
	if err := mkdirPrivate(dir); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

func (s *Store) path(runKey string) string { return filepath.Join(s.dir, runKey+".json") }

// Load reads a pair's state; a pair never recorded has an empty one.
func (s *Store) Load(runKey string) (*State, error) {
	st := &State{Hosts: map[string]map[string]string{}}
	data, err := os.ReadFile(s.path(runKey))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("%s: %v", s.path(runKey), err)
	}
	if st.Hosts == nil {
		st.Hosts = map[string]map[string]string{}
	}
	return st, nil
}

// Save writes a pair's state (the caller holds the pair's lock).
func (s *Store) Save(runKey string, st *State) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.path(runKey), data)
}

// writeFileAtomic writes a JSON document as a 0600 file, atomically.
func writeFileAtomic(path string, data []byte) error {
	return privfile.Write(path, append(data, '\n'))
}
