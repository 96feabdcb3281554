package bench

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// BigCopySize is the size of the large-file scenario's file: the issue's
// "a 50 MB copy costs about what scp costs".
const BigCopySize = 50 << 20

// BigCopyDest is where the large-file scenario copies its file (under
// Root, so CleanScript removes it).
const BigCopyDest = Root + "/big.bin"

// bigCopyPlaybook is one copy of a controller file; dest ending in / makes
// the folder, for every tool alike.
const bigCopyPlaybook = `- hosts: all
  gather_facts: false
  tasks:
    - name: big file
      copy: {src: big.bin, dest: ` + Root + `/, mode: "0644"}
`

// WriteBigCopy writes the large-file scenario (site.yml and files/big.bin,
// BigCopySize pseudo-random bytes, which no compression on the way could
// shrink) into dir and returns the playbook's and the file's paths.
func WriteBigCopy(dir string) (playbook, file string, err error) {
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
		return "", "", err
	}
	playbook, file = filepath.Join(dir, "site.yml"), filepath.Join(dir, "files", "big.bin")
	if err := os.WriteFile(playbook, []byte(bigCopyPlaybook), 0o644); err != nil {
		return "", "", err
	}
	f, err := os.Create(file)
	if err != nil {
		return "", "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	_, err = io.CopyN(w, rand.NewChaCha8([32]byte{'t', 'e', 'n', 'd'}), BigCopySize)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", fmt.Errorf("writing %s: %w", file, err)
	}
	return playbook, file, nil
}
