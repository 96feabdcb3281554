package modules

import (
	"bytes"
	"strings"
)

// factsRaw is FactsScript's output, split: the files head printed (by
// path), the shell's "word rest" lines, and the ip and python sections.
type factsRaw struct {
	files  map[string]string
	lines  map[string][]string // "word rest" lines by word, in order
	have   map[string]bool     // commands found on PATH
	sbin   map[string]bool     // commands found only in an sbin folder
	exists map[string]bool     // paths that exist
	ip     []string
	python string
}

// file returns a file's content with surrounding white space removed, and
// whether it was read and not empty: Ansible's get_file_content, which
// takes an empty file as a missing one.
func (r *factsRaw) file(path string) (string, bool) {
	s, ok := r.files[path]
	s = strings.TrimSpace(s)
	return s, ok && s != ""
}

// line returns the rest of the first shell line starting with word.
func (r *factsRaw) line(word string) (string, bool) {
	l := r.lines[word]
	if len(l) == 0 {
		return "", false
	}
	return l[0], true
}

// binPath says whether Ansible's get_bin_path finds cmd: on PATH or in
// /sbin, /usr/sbin or /usr/local/sbin.
func (r *factsRaw) binPath(cmd string) bool { return r.have[cmd] || r.sbin[cmd] }

const (
	shMarker   = "\n== tend:sh ==\n"
	sectionTag = "== tend:"
)

// splitFactsOutput cuts the output at its markers. head's part comes
// first and may hold anything a file holds, so it ends at the last
// shell marker; the shell's own part holds no file content.
func splitFactsOutput(out []byte) (*factsRaw, error) {
	i := bytes.LastIndex(out, []byte(shMarker))
	if i < 0 {
		return nil, errorf("gathering facts: the host printed nothing usable")
	}
	r := &factsRaw{
		files:  splitHeadOutput(out[:i]),
		lines:  map[string][]string{},
		have:   map[string]bool{},
		sbin:   map[string]bool{},
		exists: map[string]bool{},
	}
	section := "sh"
	var python []string
	for _, l := range strings.Split(string(out[i+len(shMarker):]), "\n") {
		if strings.HasPrefix(l, sectionTag) && strings.HasSuffix(l, " ==") {
			section = strings.TrimSuffix(strings.TrimPrefix(l, sectionTag), " ==")
			continue
		}
		switch section {
		case "ip":
			r.ip = append(r.ip, l)
		case "python":
			python = append(python, l)
		case "sh":
			word, rest, _ := strings.Cut(l, " ")
			switch word {
			case "path":
				r.have[rest] = true
			case "sbin":
				r.sbin[rest] = true
			case "exists":
				r.exists[rest] = true
			case "":
			default:
				r.lines[word] = append(r.lines[word], rest)
			}
		}
	}
	r.python = strings.TrimSpace(strings.Join(python, "\n"))
	if _, ok := r.files["/proc/sys/kernel/ostype"]; !ok {
		return nil, errorf("gathering facts: the host printed nothing usable (no /proc/sys/kernel/ostype: is /proc mounted?)")
	}
	return r, nil
}

// splitHeadOutput reads what head prints for several files: "==> PATH <=="
// before each file's content, and a blank line between files (the newline
// before the next header is head's, not the file's). A file listed twice
// keeps its first content.
func splitHeadOutput(b []byte) map[string]string {
	files := map[string]string{}
	s := string(b)
	for len(s) > 0 {
		name, rest, ok := headHeader(s)
		if !ok {
			break
		}
		end := nextHeadHeader(rest)
		if _, dup := files[name]; !dup {
			files[name] = rest[:end]
		}
		if end == len(rest) {
			break
		}
		s = rest[end+1:]
	}
	return files
}

// headHeader reads "==> PATH <==\n" at the start of s.
func headHeader(s string) (name, rest string, ok bool) {
	if !strings.HasPrefix(s, "==> /") {
		return "", "", false
	}
	line, rest, found := strings.Cut(s, "\n")
	if !found || !strings.HasSuffix(line, " <==") {
		return "", "", false
	}
	return line[len("==> ") : len(line)-len(" <==")], rest, true
}

// nextHeadHeader finds the newline that precedes the next header in s, or
// len(s).
func nextHeadHeader(s string) int {
	for off := 0; ; {
		j := strings.Index(s[off:], "\n==> /")
		if j < 0 {
			return len(s)
		}
		at := off + j
		if _, _, ok := headHeader(s[at+1:]); ok {
			return at
		}
		off = at + 1
	}
}
