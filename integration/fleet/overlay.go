package fleet

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// This file reads a host's filesystem from outside, by applying the overlay
// rules to its upper dir and the real root, without entering the host.

// entry is what a path names inside a host.
type entry struct {
	real string      // the file as seen from outside (upper copy wins)
	info fs.FileInfo // lstat of real
	// For a directory, its two layers: the upper one ("" if the host never
	// changed the directory) and the lower one ("" if the directory is new
	// or opaque, that is replaced as a whole by the host).
	upper, lower string
}

// Path returns where the file that p names inside the host is, seen from
// outside. p must be absolute. The rules are the overlay's:
//
//   - Each component is looked up in the upper dir first. Something there
//     hides the same name in the real (lower) tree.
//   - A whiteout in the upper dir (a character device 0/0) means the host
//     deleted the file: p does not exist.
//   - A directory in the upper dir marked opaque (xattr trusted.overlay.opaque
//     "y") was deleted and made anew: nothing below it comes from the lower
//     tree. Otherwise a directory present in both layers merges them.
//   - A name absent from the upper dir is looked up in the real tree.
//   - Symbolic links are followed, also in the last component, relative to the
//     host's root ("/" is the host's /), as the kernel would inside the host.
//
// So Path returns Upper+p for a file the host created or changed (and for a
// directory it changed something in), and p itself for one it never touched.
// When p does not exist inside the host, Path returns Upper+p, which either
// does not exist or is a whiteout, so opening it fails.
func (h *Host) Path(p string) string {
	e, err := h.lookup(p, true)
	if err != nil {
		return filepath.Join(h.Upper, path.Clean("/"+p))
	}
	return e.real
}

// Exists reports whether p exists inside the host, following symbolic links
// like os.Stat; see Path for the rules.
func (h *Host) Exists(p string) bool {
	_, err := h.lookup(p, true)
	return err == nil
}

// Stat is os.Stat of p inside the host.
func (h *Host) Stat(p string) (fs.FileInfo, error) {
	e, err := h.lookup(p, true)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: p, Err: err}
	}
	return e.info, nil
}

// Lstat is os.Lstat of p inside the host: a final symbolic link is not
// followed.
func (h *Host) Lstat(p string) (fs.FileInfo, error) {
	e, err := h.lookup(p, false)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: p, Err: err}
	}
	return e.info, nil
}

// Readlink is os.Readlink of p inside the host.
func (h *Host) Readlink(p string) (string, error) {
	e, err := h.lookup(p, false)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: p, Err: err}
	}
	return os.Readlink(e.real)
}

// ReadFile is os.ReadFile of p inside the host.
func (h *Host) ReadFile(p string) ([]byte, error) {
	e, err := h.lookup(p, true)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: p, Err: err}
	}
	return os.ReadFile(e.real)
}

// ReadDir returns the sorted names in directory p inside the host: the
// upper and lower layers merged, less what the host deleted.
func (h *Host) ReadDir(p string) ([]string, error) {
	e, err := h.lookup(p, true)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: err}
	}
	if !e.info.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: syscall.ENOTDIR}
	}
	seen := map[string]bool{} // name -> visible; whiteouts hide lower names
	if e.upper != "" {
		ents, err := os.ReadDir(e.upper)
		if err != nil {
			return nil, err
		}
		for _, de := range ents {
			fi, err := de.Info()
			seen[de.Name()] = err == nil && !isWhiteout(fi)
		}
	}
	if e.lower != "" {
		ents, err := os.ReadDir(e.lower)
		if err != nil {
			return nil, err
		}
		for _, de := range ents {
			if _, ok := seen[de.Name()]; !ok {
				seen[de.Name()] = true
			}
		}
	}
	var names []string
	for name, visible := range seen {
		if visible {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// maxSymlinks is the kernel's limit on links followed in one lookup.
const maxSymlinks = 40

// lookup resolves p inside the host, one component at a time.
func (h *Host) lookup(p string, follow bool) (entry, error) {
	if !strings.HasPrefix(p, "/") {
		return entry{}, fmt.Errorf("fleet: %q is not an absolute path", p)
	}
	root, err := h.dirEntry(h.Upper, h.lower)
	if err != nil {
		return entry{}, err
	}
	stack := []entry{root} // the directories walked so far; [0] is /
	todo := splitPath(p)
	links := 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case ".":
			continue
		case "..":
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		dir := stack[len(stack)-1]
		if !dir.info.IsDir() {
			return entry{}, syscall.ENOTDIR
		}
		e, err := h.child(dir, name)
		if err != nil {
			return entry{}, err
		}
		if e.info.Mode()&fs.ModeSymlink != 0 && (len(todo) > 0 || follow) {
			if links++; links > maxSymlinks {
				return entry{}, syscall.ELOOP
			}
			target, err := os.Readlink(e.real)
			if err != nil {
				return entry{}, err
			}
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
			}
			todo = append(splitPath(target), todo...)
			continue
		}
		stack = append(stack, e)
	}
	return stack[len(stack)-1], nil
}

// child looks name up in directory dir, upper layer first.
func (h *Host) child(dir entry, name string) (entry, error) {
	if dir.upper != "" {
		up := filepath.Join(dir.upper, name)
		fi, err := os.Lstat(up)
		switch {
		case err == nil && isWhiteout(fi):
			return entry{}, syscall.ENOENT
		case err == nil && fi.IsDir():
			lower := ""
			if dir.lower != "" && !isOpaque(up) {
				lower = filepath.Join(dir.lower, name)
				if lfi, err := os.Lstat(lower); err != nil || !lfi.IsDir() {
					lower = ""
				}
			}
			return entry{real: up, info: fi, upper: up, lower: lower}, nil
		case err == nil:
			return entry{real: up, info: fi}, nil
		case !os.IsNotExist(err):
			return entry{}, err
		}
	}
	if dir.lower == "" {
		return entry{}, syscall.ENOENT
	}
	low := filepath.Join(dir.lower, name)
	fi, err := os.Lstat(low)
	if err != nil {
		if os.IsNotExist(err) {
			return entry{}, syscall.ENOENT
		}
		return entry{}, err
	}
	if fi.IsDir() {
		return entry{real: low, info: fi, lower: low}, nil
	}
	return entry{real: low, info: fi}, nil
}

// dirEntry is the entry of a directory present in both layers, such as /.
func (h *Host) dirEntry(upper, lower string) (entry, error) {
	fi, err := os.Lstat(upper)
	if err != nil {
		return entry{}, err
	}
	return entry{real: upper, info: fi, upper: upper, lower: lower}, nil
}

// isWhiteout reports whether fi is an overlay whiteout: a character device
// with device number 0/0.
func isWhiteout(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Rdev == 0
}

// isOpaque reports whether directory p in an upper dir hides the lower one.
// (Only "y" means opaque; newer kernels also write "x", which does not.)
func isOpaque(p string) bool {
	buf := make([]byte, 8)
	n, err := syscall.Getxattr(p, "trusted.overlay.opaque", buf)
	return err == nil && n == 1 && buf[0] == 'y'
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
