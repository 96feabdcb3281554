package savedplan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"tend/playbooks/load"
)

// Content digests the files a playbook is made of: every file the loader
// read (playbooks, task files, role files, vars files) and every file under
// the templates/ and files/ folders that tasks look in (beside the playbook,
// beside each play's and task's file, in each role). A file a task names by
// an absolute path is not covered: it is not part of the playbook.
//
// It returns the digest over all files and each file's own digest, sorted
// by path; paths inside the playbook's folder are relative to it.
func Content(pb *load.Playbook) (string, []FileHash, error) {
	paths := map[string]bool{}
	for _, f := range pb.Files {
		paths[f] = true
	}
	dirs := map[string]bool{pb.Dir: true}
	var walk func([]*load.Task)
	walk = func(ts []*load.Task) {
		for _, t := range ts {
			if t.Role != nil {
				dirs[t.Role.Path] = true
			}
			if t.Pos.File != "" {
				dirs[filepath.Dir(t.Pos.File)] = true
			}
			walk(t.Block)
			walk(t.Rescue)
			walk(t.Always)
		}
	}
	for _, p := range pb.Plays {
		dirs[filepath.Dir(p.Pos.File)] = true
		for _, l := range [][]*load.Task{p.PreTasks, p.Tasks, p.PostTasks, p.Handlers} {
			walk(l)
		}
	}
	for d := range dirs {
		for _, kind := range []string{"templates", "files"} {
			root := filepath.Join(d, kind)
			err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
				if err != nil {
					if p == root && os.IsNotExist(err) {
						return nil
					}
					return err
				}
				if e.Type().IsRegular() {
					paths[p] = true
				} else if e.Type()&fs.ModeSymlink != 0 {
					// A link to a file is read through by tasks.
					if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
						paths[p] = true
					}
				}
				return nil
			})
			if err != nil {
				return "", nil, fmt.Errorf("playbook digest: %w", err)
			}
		}
	}
	base, err := filepath.Abs(pb.Dir)
	if err != nil {
		return "", nil, err
	}
	var files []FileHash
	for p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", nil, fmt.Errorf("playbook digest: %w", err)
		}
		sum := sha256.Sum256(data)
		files = append(files, FileHash{Path: relTo(base, p), SHA256: hex.EncodeToString(sum[:])})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return digestFiles(files), files, nil
}

func relTo(base, p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(base, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		return rel
	}
	return abs
}

func digestFiles(files []FileHash) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%q %s\n", f.Path, f.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ContentChanges says which files differ between a plan's and now's: those
// changed, added and removed, sorted.
func ContentChanges(planned, now []FileHash) []string {
	was := map[string]string{}
	for _, f := range planned {
		was[f.Path] = f.SHA256
	}
	var out []string
	for _, f := range now {
		old, ok := was[f.Path]
		switch {
		case !ok:
			out = append(out, f.Path+" (new)")
		case old != f.SHA256:
			out = append(out, f.Path+" (changed)")
		}
		delete(was, f.Path)
	}
	for p := range was {
		out = append(out, p+" (gone)")
	}
	sort.Strings(out)
	return out
}
