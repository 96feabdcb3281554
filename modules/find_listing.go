package modules

import (
	"tend/modules/hostq"

	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// findListing is what find's probe printed (see findTask.inner and
// findModule.Probe), read strictly: anything else is an error.
type findListing struct {
	missing string // a tool the host lacks
	now     int64
	hasNow  bool
	home    string
	paths   map[int]*findPath
}

// findPath is one of the task's paths.
type findPath struct {
	notDir  bool
	walked  bool
	err     string // why the walk stopped somewhere ("" if it did not)
	entries []findEntry
}

type findEntry struct {
	rel     string // as find printed it: ./a/b
	gone    bool   // vanished before stat
	st      findStat
	sum     string
	content []byte
	read    bool // content was sent
}

type findStat struct {
	mode                       uint32 // st_mode, type bits included
	nlink, uid, gid, size, ino int64
	dev, atime, mtime, ctime   int64
	owner, group               string
}

const (
	sIFMT  = 0o170000
	sIFDIR = 0o040000
	sIFREG = 0o100000
	sIFLNK = 0o120000
	sIFCHR = 0o020000
	sIFBLK = 0o060000
	sIFIFO = 0o010000
	sIFSCK = 0o140000
)

func parseFindStat(line string) (findStat, error) {
	var st findStat
	f := strings.Fields(line)
	if len(f) != 12 {
		return st, fmt.Errorf("bad stat line %q", hostq.Trunc([]byte(line)))
	}
	m, err := strconv.ParseUint(f[0], 16, 32)
	if err != nil {
		return st, fmt.Errorf("bad mode in %q", hostq.Trunc([]byte(line)))
	}
	st.mode = uint32(m)
	nums := []*int64{&st.nlink, &st.uid, &st.gid, &st.size, &st.ino, &st.dev, &st.atime, &st.mtime, &st.ctime}
	for i, p := range nums {
		if *p, err = strconv.ParseInt(f[i+1], 10, 64); err != nil || *p < 0 {
			return st, fmt.Errorf("bad number in %q", hostq.Trunc([]byte(line)))
		}
	}
	st.owner, st.group = f[10], f[11]
	return st, nil
}

// cut returns the text up to sep and what follows it.
func cut(b []byte, sep byte) (string, []byte, bool) {
	i := bytes.IndexByte(b, sep)
	if i < 0 {
		return "", b, false
	}
	return string(b[:i]), b[i+1:], true
}

func parseFindListing(out []byte) (*findListing, error) {
	l := &findListing{paths: map[int]*findPath{}}
	var cur *findPath
	var batch []findEntry // the last batch, for C and D records
	num := func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 1<<30 {
			return 0, fmt.Errorf("bad number %q", hostq.Trunc([]byte(s)))
		}
		return n, nil
	}
	for len(out) > 0 {
		line, rest, ok := cut(out, '\n')
		if !ok {
			return nil, fmt.Errorf("unterminated line %q", hostq.Trunc(out))
		}
		out = rest
		tag, arg, _ := strings.Cut(line, " ")
		switch tag {
		case "M":
			l.missing = arg
		case "T":
			n, err := strconv.ParseInt(arg, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("bad time %q", arg)
			}
			l.now, l.hasNow = n, true
		case "H":
			if l.home, out, ok = cut(out, 0); !ok {
				return nil, fmt.Errorf("unterminated home")
			}
		case "P", "N", "X":
			i, err := num(arg)
			if err != nil {
				return nil, err
			}
			p := l.paths[i]
			if p == nil {
				p = &findPath{}
				l.paths[i] = p
			}
			switch tag {
			case "P":
				p.walked, cur = true, p
			case "N":
				p.notDir = true
			case "X":
				if p.err, out, ok = cut(out, 0); !ok {
					return nil, fmt.Errorf("unterminated error text")
				}
				if p.err == "" {
					p.err = "find failed"
				}
			}
			batch = nil
		case "B":
			if cur == nil {
				return nil, fmt.Errorf("a batch outside a path")
			}
			n, err := num(arg)
			if err != nil {
				return nil, err
			}
			batch = make([]findEntry, 0, min(n, 1<<16))
			for k := 0; k < n; k++ {
				var name string
				if name, out, ok = cut(out, 0); !ok || !strings.HasPrefix(name, "./") {
					return nil, fmt.Errorf("bad name in a batch")
				}
				batch = append(batch, findEntry{rel: name})
			}
			for k := range batch {
				var sl string
				if sl, out, ok = cut(out, '\n'); !ok {
					return nil, fmt.Errorf("missing stat lines")
				}
				if sl == "gone" {
					batch[k].gone = true
					continue
				}
				if batch[k].st, err = parseFindStat(sl); err != nil {
					return nil, err
				}
			}
			cur.entries = append(cur.entries, batch...)
			batch = cur.entries[len(cur.entries)-len(batch):]
		case "C", "D":
			is, v, _ := strings.Cut(arg, " ")
			i, err := num(is)
			if err != nil {
				return nil, err
			}
			if i < 1 || i > len(batch) {
				return nil, fmt.Errorf("%s record for entry %d of %d", tag, i, len(batch))
			}
			e := &batch[i-1]
			if tag == "C" {
				if !hexRE.MatchString(v) || len(v) != 40 {
					return nil, fmt.Errorf("bad sha1 %q", hostq.Trunc([]byte(v)))
				}
				e.sum = v
				continue
			}
			n, err := num(strings.TrimSpace(v))
			if err != nil {
				return nil, err
			}
			if len(out) < n+1 || out[n] != '\n' {
				return nil, fmt.Errorf("the contents of %s changed while they were read", e.rel)
			}
			e.content, e.read, out = out[:n:n], true, out[n+1:]
		default:
			return nil, fmt.Errorf("unexpected line %q", hostq.Trunc([]byte(line)))
		}
	}
	return l, nil
}
