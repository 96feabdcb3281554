package runlog

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Store remembers, per inventory and playbook pair, per host and task, the
// digest of the desired state last applied. It lives in the report
// directory's state/ folder, with the secret that keys the digests.
type Store struct {
	dir string
	key []byte
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
	key, err := loadKey(filepath.Join(dir, "key"))
	if err != nil {
		return nil, err
	}
	return &Store{dir: dir, key: key}, nil
}

// Key is the secret for playbooks.Options.DigestKey: digests of no_log
// values cannot be checked against guesses without it.
func (s *Store) Key() []byte { return s.key }

// loadKey reads the store's key, creating it on first use. Concurrent
// first runs agree on one key: it is written to a temporary file and
// linked into place, which fails if another run was first.
func loadKey(path string) ([]byte, error) {
	if data, err := os.ReadFile(path); err == nil {
		return parseKey(path, data)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(raw) + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseKey(path, data)
}

func parseKey(path string, data []byte) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("%s: not a tend state key (remove it to start afresh: every change is then counted as intentional once)", path)
	}
	return key, nil
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

// writeFileAtomic writes a 0600 file through a temporary file and a rename,
// so readers never see half of it.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
