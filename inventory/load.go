package inventory

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"tend/internal/vault"
)

// maxFileSize bounds any one file read as inventory or vars.
const maxFileSize = 16 << 20

// maxDirDepth bounds recursion into inventory directories.
const maxDirDepth = 16

// ignoredExts are Ansible's INVENTORY_IGNORE_EXTS: files in an inventory
// directory ending with these are not inventory.
var ignoredExts = []string{".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg", ".retry"}

// ignoredNames are skipped in inventory directories whatever their type.
var ignoredNames = []string{"host_vars", "group_vars", "vars_plugins"}

// Load reads and merges inventory sources, like repeated ansible -i:
// INI or YAML files, directories of them, and host lists such as "a,b,".
// host_vars/ and group_vars/ are read beside each file source and inside
// each directory source.
func Load(sources ...string) (*Inventory, error) {
	return LoadWith(LoadOptions{}, sources...)
}

// LoadOptions are what Load needs beyond the sources.
type LoadOptions struct {
	// Vault decrypts vault-encrypted inventory and vars files and !vault
	// values; nil makes them an error saying how to give a password.
	Vault *vault.Keyring
}

// LoadWith is Load with options.
func LoadWith(o LoadOptions, sources ...string) (*Inventory, error) {
	b := newBuilder()
	b.vault = o.Vault
	var basedirs []string
	for _, src := range sources {
		info, err := os.Stat(src)
		switch {
		case err == nil && info.IsDir():
			if err := b.loadDir(src, 0); err != nil {
				return nil, err
			}
			basedirs = append(basedirs, filepath.Clean(src))
		case err == nil:
			if err := b.loadFile(src, true); err != nil {
				return nil, err
			}
			basedirs = append(basedirs, filepath.Dir(src))
		case strings.Contains(src, ","):
			if err := b.parseHostList(src); err != nil {
				return nil, err
			}
		default:
			return nil, &Error{File: src, Msg: "inventory source not found", Err: err,
				Hint: `give a file, a directory, or a host list with a comma such as "web1,"`}
		}
	}
	vf, err := loadVarFiles(b, dedupeKeepLast(basedirs))
	if err != nil {
		return nil, err
	}
	return b.finalize(vf)
}

// Parse reads one inventory source from memory, INI or YAML by the rules of
// Load (a .yml/.yaml/.json name forces YAML, .ini forces INI, otherwise the
// content decides). name is used in errors. No vars files are read.
func Parse(name string, data []byte) (*Inventory, error) {
	b := newBuilder()
	if err := b.parseSource(name, data); err != nil {
		return nil, err
	}
	return b.finalize(nil)
}

func (b *builder) parseSource(name string, data []byte) error {
	if len(data) > maxFileSize {
		return pos{file: name}.errorf("", "file is larger than %d MiB", maxFileSize>>20)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yml", ".yaml", ".json":
		return b.parseYAML(name, data)
	case ".ini":
		return b.parseINI(name, data)
	}
	if looksLikeYAMLInventory(data) {
		return b.parseYAML(name, data)
	}
	return b.parseINI(name, data)
}

// loadDir loads every inventory file in dir, sorted by name, recursing into
// subdirectories, as Ansible does for a directory source.
func (b *builder) loadDir(dir string, depth int) error {
	if depth > maxDirDepth {
		return &Error{File: dir, Msg: "inventory directories nested too deep", Hint: "check for a symlink loop"}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return &Error{File: dir, Msg: "cannot read inventory directory", Err: err}
	}
	for _, e := range ents {
		name := e.Name()
		if ignoredInDir(name) {
			continue
		}
		full := filepath.Join(dir, name)
		info, err := os.Stat(full)
		if err != nil {
			return &Error{File: full, Msg: "cannot read inventory source", Err: err}
		}
		if info.IsDir() {
			err = b.loadDir(full, depth+1)
		} else {
			err = b.loadFile(full, false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func ignoredInDir(name string) bool {
	if strings.HasPrefix(name, ".") || slices.Contains(ignoredNames, name) {
		return true
	}
	for _, ext := range ignoredExts {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

func (b *builder) loadFile(path string, explicit bool) error {
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
		// An executable is a dynamic inventory script, as Ansible's
		// script plugin has it; one the kernel cannot run (an INI file
		// with its x bit set) is read as a file, as Ansible falls back.
		if err := b.runScript(path); !errors.Is(err, errNotScript) {
			return err
		}
	}
	data, vaulted, err := b.read(path)
	if err != nil {
		return err
	}
	if err := b.parseSource(path, data); err != nil {
		return err
	}
	if vaulted {
		for _, h := range b.hosts {
			b.vault.RevealValue(h.inline)
		}
	}
	return nil
}

// read reads a file, decrypting it when it is vault-encrypted.
func (b *builder) read(path string) (data []byte, vaulted bool, err error) {
	data, err = readLimited(path)
	if err != nil || !vault.IsEncrypted(data) {
		return data, false, err
	}
	plain, err := b.vault.Decrypt(data, "this file")
	if err != nil {
		return nil, false, &Error{File: path, Msg: err.Error()}
	}
	return plain, true, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot open", Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read", Err: err}
	}
	if len(data) > maxFileSize {
		return nil, pos{file: path}.errorf("", "file is larger than %d MiB", maxFileSize>>20)
	}
	return data, nil
}

// parseHostList reads "a,b:2222,c" the way Ansible's host_list plugin does:
// every host goes to ungrouped, ranges are not expanded, and a host already
// present is left alone.
func (b *builder) parseHostList(src string) error {
	at := pos{file: src}
	g := b.groups[groupUngrouped]
	for _, item := range strings.Split(src, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		host, portStr, ok := parseAddress(item, false)
		if !ok {
			host, portStr = item, ""
		}
		if _, exists := b.byName[host]; exists {
			continue
		}
		port, hasPort := 0, false
		if n, err := strconv.Atoi(portStr); err == nil && n <= 65535 {
			port, hasPort = n, true
		}
		if _, err := b.addHost(at, host, g, port, hasPort); err != nil {
			return err
		}
	}
	return nil
}

// dedupeKeepLast drops earlier repeats: applying the same vars directory
// again later in the list overrides everything it sets, so only its last
// position matters.
func dedupeKeepLast(dirs []string) []string {
	var out []string
	for i, d := range dirs {
		if !slices.Contains(dirs[i+1:], d) {
			out = append(out, d)
		}
	}
	return out
}
