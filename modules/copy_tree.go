package modules

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"syscall"
)

// copyTree is copy with a controller folder as src: "src/" copies what
// the folder holds into dest, "src" the folder itself (dest/src's name),
// as Ansible does. Every folder and file is probed in one script;
// folders that are missing are made (with directory_mode), files are
// written as copy writes one.
type copyTree struct {
	dirs  []string // remote folders, parents first
	files []treeFile
}

type treeFile struct {
	dest    string
	content []byte
}

// readCopyTree lists a controller folder through a DirSource.
func readCopyTree(ds DirSource, src, dest string) (*copyTree, error) {
	root := dest
	if !strings.HasSuffix(src, "/") {
		root = path.Join(dest, path.Base(src))
	}
	tr := &copyTree{}
	var walk func(local, remote string, depth int) error
	walk = func(local, remote string, depth int) error {
		if depth > 40 {
			return fmt.Errorf("src %s: folders nested too deep (a link loop?)", src)
		}
		tr.dirs = append(tr.dirs, remote)
		ents, err := ds.ReadDir(local)
		if err != nil {
			return fmt.Errorf("could not find or access '%s': %v", local, err)
		}
		for _, e := range ents {
			l, r := path.Join(local, e.Name()), path.Join(remote, e.Name())
			if e.IsDir() {
				if err := walk(l, r, depth+1); err != nil {
					return err
				}
				continue
			}
			b, err := ds.ReadFile(l)
			if isDirErr(err) {
				if err := walk(l, r, depth+1); err != nil { // a link to a folder
					return err
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("could not find or access '%s': %v", l, err)
			}
			tr.files = append(tr.files, treeFile{r, b})
		}
		return nil
	}
	return tr, walk(strings.TrimSuffix(src, "/"), root, 0)
}

func isDirErr(err error) bool {
	return err != nil && (errors.Is(err, syscall.EISDIR) || strings.Contains(err.Error(), "is a directory"))
}

func (ct copyTask) treeProbe(t *Task) string {
	limit := inlineLimit
	if t.Diff {
		limit = diffLimit
	}
	s := newScript()
	s.use("tend_content")
	for i, d := range ct.tree.dirs {
		s.stat("d"+strconv.Itoa(i), q(d), true, ct.own.Owner, ct.own.Group)
	}
	for i, f := range ct.tree.files {
		k := strconv.Itoa(i)
		s.stat("f"+k, q(f.dest), true, ct.own.Owner, ct.own.Group)
		s.add("tend_content c", k, " ", q(f.dest), " ", strconv.Itoa(limit), " ", strconv.Itoa(len(f.content)), ` "$tend_sz" || exit 1`)
	}
	s.umask()
	return s.String()
}

func (ct copyTask) treePlan(probe Output) (*Change, error) {
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	umask, err := r.umask()
	if err != nil {
		return nil, err
	}
	s := newScript()
	s.use("tend_die")
	var diffs []Diff
	for i, d := range ct.tree.dirs {
		fi, err := r.stat("d" + strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		if fi.Exists {
			if fi.Type != 'd' {
				return nil, fmt.Errorf("dest %s exists and is not a directory", d)
			}
			continue
		}
		ap, err := newAttrs(d, true, ct.dirMode, ct.own, umask, `"$tend_q"`)
		if err != nil {
			return nil, err
		}
		diffs = append(diffs, stateDiff(d, "absent", "directory"))
		diffs = append(diffs, ap.Diffs...)
		s.add("tend_q=", q(d))
		s.add(`[ -d "$tend_q" ] || mkdir -- "$tend_q" || tend_die "cannot create directory $tend_q"`)
		for _, c := range ap.Cmds {
			s.add(c)
		}
	}
	for i, f := range ct.tree.files {
		k := strconv.Itoa(i)
		fi, err := r.stat("f" + k)
		if err != nil {
			return nil, err
		}
		if fi.Exists && fi.Type == 'd' {
			return nil, fmt.Errorf("dest %s is a directory", f.dest)
		}
		same := false
		if old, ok := r.blob("c" + k); ok {
			same = bytes.Equal(old, f.content)
		} else if sum, ok := r.opt("c" + k + ".sum"); ok {
			same = sumsOf(f.content).has(sum)
		}
		same = same && fi.Exists && fi.Type == '-'
		var ap attrPlan
		if fi.Exists {
			ap, err = planAttrs(f.dest, fi, ct.mode, ct.own, umask, `"$tend_d"`, false)
		} else {
			ap, err = newAttrs(f.dest, false, ct.mode, ct.own, umask, `"$tend_d"`)
			diffs = append(diffs, stateDiff(f.dest, "absent", "file"))
		}
		if err != nil {
			return nil, err
		}
		if !same && fi.Exists {
			diffs = append(diffs, Diff{Path: f.dest, Attr: "checksum", Before: fmt.Sprintf("%d bytes", fi.Size), After: fmt.Sprintf("%d bytes", len(f.content))})
		}
		diffs = append(diffs, ap.Diffs...)
		if same {
			s.add("tend_d=", q(f.dest))
			for _, c := range ap.Cmds {
				s.add(c)
			}
			continue
		}
		w := fileWrite{Path: f.dest, Content: f.content, Mode: ap.Mode, Own: ct.own, Backup: ct.backup, Validate: ct.validate, IfSame: ap.Cmds}
		if fi.Exists {
			w.KeepUID, w.KeepGID = fi.UID, fi.GID
		}
		if err := s.write(w); err != nil {
			return nil, err
		}
	}
	if len(diffs) == 0 {
		return nil, nil
	}
	res := ct.treeResult(true)
	return &Change{
		Diffs:  diffs,
		Apply:  s.String(),
		Result: appliedResult(res),
	}, nil
}

func (ct copyTask) treeResult(changed bool) Result {
	return Result{"changed": changed, "dest": ct.dest, "src": ct.src}
}

// dirSourceOf is t's DirSource, when its FileSource can list folders.
func dirSourceOf(t *Task) (DirSource, bool) {
	ds, ok := t.Files.(DirSource)
	return ds, ok
}
