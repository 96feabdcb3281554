package modules

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Read applies Ansible's filters to the listing, path by path.
func (findModule) Read(t *Task, probe Output) (Result, error) {
	ft, err := readFindTask(t)
	if err != nil {
		return nil, err
	}
	if probe.ExitCode != 0 {
		return nil, fmt.Errorf("probe failed (exit status %d): %s", probe.ExitCode, strings.TrimSpace(string(probe.Stderr)))
	}
	l, err := parseFindListing(probe.Stdout)
	if err != nil {
		return nil, fmt.Errorf("probe printed something unexpected: %v", err)
	}
	if l.missing != "" {
		return nil, fmt.Errorf("find needs %s on the host, and it is not in PATH", l.missing)
	}
	if ft.hasAge && !l.hasNow {
		return nil, fmt.Errorf("probe output lacks the time")
	}
	files := []any{}
	skipped := map[string]any{}
	examined := 0
	for i, p := range ft.paths {
		np := p
		if p == "~" || strings.HasPrefix(p, "~/") {
			np = l.home + p[1:]
		}
		fp := l.paths[i]
		if fp == nil {
			return nil, fmt.Errorf("probe output lacks path %d", i)
		}
		if fp.notDir {
			skipped[np] = "'" + np + "' is not a directory"
			continue
		}
		switch fp.err {
		case "":
		case "EACCES": // the folder itself could not be entered
			skipped[np] = "[Errno 13] Permission denied: '" + np + "'"
		default:
			skipped[np] = fp.err
		}
		examined += len(fp.entries)
		for _, e := range walkOrder(fp.entries) {
			rel := strings.TrimPrefix(e.rel, "./")
			name := path.Join(np, rel)
			if ft.depth > 0 && strings.Count(rel, "/")+1 > ft.depth {
				continue
			}
			base := path.Base(name)
			if strings.HasPrefix(base, ".") && !ft.hidden {
				continue
			}
			if e.gone {
				skipped[name] = "[Errno 2] No such file or directory: '" + name + "'"
				continue
			}
			if r, ok := ft.match(e, base, l.now); ok {
				r["path"] = name
				files = append(files, r)
			}
		}
	}
	msg := "All paths examined"
	if len(skipped) > 0 {
		msg = "Not all paths examined, check warnings for details"
	}
	return Result{"changed": false, "files": files, "matched": len(files), "examined": examined,
		"skipped_paths": skipped, "msg": msg}, nil
}

// walkOrder puts entries in os.walk's order: folder by folder, in the
// order find entered them, each folder's other entries before its
// subfolders.
func walkOrder(entries []findEntry) []findEntry {
	var dirs []string
	kids := map[string][]findEntry{}
	for _, e := range entries {
		parent := path.Dir(e.rel)
		if _, ok := kids[parent]; !ok {
			dirs = append(dirs, parent)
		}
		kids[parent] = append(kids[parent], e)
	}
	out := make([]findEntry, 0, len(entries))
	for _, d := range dirs {
		for _, e := range kids[d] {
			if e.st.mode&sIFMT != sIFDIR || e.gone {
				out = append(out, e)
			}
		}
		for _, e := range kids[d] {
			if e.st.mode&sIFMT == sIFDIR && !e.gone {
				out = append(out, e)
			}
		}
	}
	return out
}

func (ft findTask) nameMatches(base string) bool {
	for _, p := range ft.patterns {
		if ft.useRegex && pyMatchStart(p, base) || !ft.useRegex && p.MatchString(base) {
			for _, x := range ft.excludes {
				if ft.useRegex && pyMatchStart(x, base) || !ft.useRegex && x.MatchString(base) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// pyMatchStart is Python's re.match: a match that starts at the beginning.
// (Go's leftmost match starts there whenever one does.)
func pyMatchStart(re *regexp.Regexp, s string) bool {
	loc := re.FindStringIndex(s)
	return loc != nil && loc[0] == 0
}

func (ft findTask) ageOK(st findStat, now int64) bool {
	if !ft.hasAge {
		return true
	}
	t := st.mtime
	switch ft.ageStamp {
	case "atime":
		t = st.atime
	case "ctime":
		t = st.ctime
	}
	if ft.age >= 0 {
		return now-t >= ft.age
	}
	return now-t <= -ft.age
}

func (ft findTask) sizeOK(st findStat) bool {
	if !ft.hasSize {
		return true
	}
	if ft.size >= 0 {
		return st.size >= ft.size
	}
	return st.size <= -ft.size
}

// containsOK reads the file as Python's text mode does (UTF-8, universal
// newlines): a line that matches at its start, or a match anywhere in the
// whole text. A file that was not sent (unreadable) or is not UTF-8 does
// not match.
func (ft findTask) containsOK(e findEntry) bool {
	if ft.contains == nil {
		return true
	}
	if !e.read || !utf8.Valid(e.content) {
		return false
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(e.content), "\r\n", "\n"), "\r", "\n")
	if ft.wholeFile {
		return ft.contains.MatchString(text)
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		// Python's $ also matches before the line's newline; RE2's only at
		// the end.
		if pyMatchStart(ft.contains, strings.TrimSuffix(line, "\n")) {
			return true
		}
	}
	return false
}

// match applies the type-specific filters of Ansible's loop and returns the
// entry's stat dictionary.
func (ft findTask) match(e findEntry, base string, now int64) (map[string]any, bool) {
	st := e.st
	typ := st.mode & sIFMT
	if !ft.nameMatches(base) || !ft.ageOK(st, now) {
		return nil, false
	}
	switch ft.fileType {
	case "any":
		if typ == sIFREG && !ft.sizeOK(st) {
			return nil, false
		}
	case "directory":
		if typ != sIFDIR {
			return nil, false
		}
	case "file":
		if typ != sIFREG || !ft.sizeOK(st) || !ft.containsOK(e) {
			return nil, false
		}
	case "link":
		if typ != sIFLNK {
			return nil, false
		}
	}
	r := findStatInfo(st)
	if ft.checksum && typ == sIFREG && (ft.fileType == "any" || ft.fileType == "file") && e.sum != "" {
		r["checksum"] = e.sum
	}
	return r, true
}

// findStatInfo is find's statinfo(): the keys of every entry it returns.
func findStatInfo(st findStat) map[string]any {
	p := st.mode & 0o7777
	typ := st.mode & sIFMT
	name := func(n string) string {
		if n == "UNKNOWN" {
			return ""
		}
		return n
	}
	return map[string]any{
		"mode":  fmt.Sprintf("%04o", p),
		"isdir": typ == sIFDIR, "ischr": typ == sIFCHR, "isblk": typ == sIFBLK, "isreg": typ == sIFREG,
		"isfifo": typ == sIFIFO, "islnk": typ == sIFLNK, "issock": typ == sIFSCK,
		"uid": st.uid, "gid": st.gid, "size": st.size, "inode": st.ino, "dev": st.dev, "nlink": st.nlink,
		"atime": float64(st.atime), "mtime": float64(st.mtime), "ctime": float64(st.ctime),
		"gr_name": name(st.group), "pw_name": name(st.owner),
		"wusr": p&0o200 != 0, "rusr": p&0o400 != 0, "xusr": p&0o100 != 0,
		"wgrp": p&0o020 != 0, "rgrp": p&0o040 != 0, "xgrp": p&0o010 != 0,
		"woth": p&0o002 != 0, "roth": p&0o004 != 0, "xoth": p&0o001 != 0,
		"isuid": p&sUID != 0, "isgid": p&sGID != 0,
	}
}
