package hostq

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"tend/modules/shell"
)

// A Program answers a batch of questions with one POSIX sh script whose
// cost in processes does not grow with the number of questions: tests
// and globs are shell builtins; one `stat` covers every path (one more
// the paths to follow that are symbolic links), one `cat` every file's
// content, one digest command (sha1sum...) the digests of the large
// ones. Only reading a symbolic link's target costs a process per link,
// and a file of /proc or /sys two (stat gives them no size), but for the
// kernel's sysctl values, which one awk reads all together.
//
// The script prints records (key=value, key:N then N bytes), then the
// content of the files between two lines holding a random nonce. Every
// path reaches the script through shell.Quote; none is ever printed back,
// so no path can garble the output: answers are matched to questions by
// their order.
type Program struct {
	lstat    []string // Path questions without Follow
	stat     []string // with Follow, and every Content and Digest path
	content  []string // Content paths (Accounts adds /etc/passwd, /etc/group)
	digest   []string
	empty    []string
	commands []string
	access   []string
	real     []string
	umask    bool
	accounts bool
	nonce    string
	// statIndex is each followed path's place in stat.
	statIndex map[string]int
	// known are contents the controller read before (see Know).
	known map[string]knownFile
}

// knownFile is a file's content and the stat fields that say it is the
// same file, unchanged: size, inode, device, modification and change times.
type knownFile struct {
	sig  string
	data []byte
}

func signature(fi PathInfo) string {
	return fmt.Sprintf("%d %d %d %d %d", fi.Size, fi.Inode, fi.Dev, fi.Mtime, fi.Ctime)
}

// Know tells the program a content question's answer from an earlier
// program, and the file it was read from: if stat finds the same file
// (size, inode, device, times), the content is not read again. The
// accounts' files are asked at every round trip and seldom change.
func (p *Program) Know(path string, fi PathInfo, data []byte) {
	if p.known == nil {
		p.known = map[string]knownFile{}
	}
	p.known[path] = knownFile{signature(fi), data}
}

// AccountFiles are the files the Accounts question reads.
var AccountFiles = []string{passwdFile, groupFile}

const (
	passwdFile = "/etc/passwd"
	groupFile  = "/etc/group"
	// statFormat: raw mode (hex), links, uid, gid, size, inode, device,
	// access, modification and change times, owner, group (last: the only
	// fields that are not numbers).
	statFormat = "%f %h %u %g %s %i %d %X %Y %Z %U %G"
	statFields = 12
)

// Compile makes the program that answers qs. Equal questions are asked
// once.
func Compile(qs []Question) *Program {
	p := &Program{nonce: newNonce()}
	seen := map[Question]bool{}
	add := func(list *[]string, q Question, s string) {
		if !seen[q] {
			seen[q] = true
			*list = append(*list, s)
		}
	}
	var walk func(q Question)
	walk = func(q Question) {
		switch q := q.(type) {
		case Path:
			c := path.Clean(q.Path)
			if q.Follow {
				add(&p.stat, Path{c, true}, c)
			} else {
				add(&p.lstat, Path{c, false}, c)
			}
		case Content:
			c := path.Clean(q.Path)
			walk(Path{c, true})
			add(&p.content, Content{c}, c)
		case Digest:
			// Small files are digested on the controller from their
			// content: reading it costs no process more.
			c := path.Clean(q.Path)
			walk(Content{c})
			add(&p.digest, Digest{c}, c)
		case Empty:
			add(&p.empty, Empty{path.Clean(q.Path)}, path.Clean(q.Path))
		case Command:
			add(&p.commands, q, q.Name)
		case Access:
			c := path.Clean(q.Path)
			add(&p.access, Access{c}, c)
		case Real:
			c := path.Clean(q.Path)
			add(&p.real, Real{c}, c)
		case Umask:
			p.umask = true
		case Accounts:
			p.accounts = true
			walk(Content{passwdFile})
			walk(Content{groupFile})
		}
	}
	for _, q := range qs {
		walk(q)
	}
	p.statIndex = map[string]int{}
	for i, x := range p.stat {
		p.statIndex[x] = i
	}
	return p
}

func newNonce() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "tend-" + hex.EncodeToString(b[:])
}

// Script is the program's text. It is contained (transport.Cmd.Contained):
// it never exits, reads nothing from its standard input, and puts the
// shell back as it found it (LC_ALL, set -f, its own variables; the
// positional parameters are left empty, as that shell has them), so it may
// run in the host's persistent shell without a subshell of its own.
func (p *Program) Script() string {
	var b strings.Builder
	w := func(parts ...string) {
		for _, s := range parts {
			b.WriteString(s)
		}
		b.WriteByte('\n')
	}
	w("tend_lc=${LC_ALL-} tend_lcset=${LC_ALL+1}")
	w("LC_ALL=C; export LC_ALL; unset IFS; set -f")
	if p.umask {
		w("printf 'u='; umask")
	}
	for i, c := range p.commands {
		w("if command -v ", shell.Quote(c), " >/dev/null 2>&1; then echo c.", strconv.Itoa(i), "=1; else echo c.", strconv.Itoa(i), "=0; fi")
	}
	p.statsScript(w)
	p.linkScript(w)
	for i, x := range p.access {
		qx := shell.Quote(x)
		w("tend_a=; [ -r ", qx, " ] && tend_a=r; [ -w ", qx, " ] && tend_a=${tend_a}w; [ -x ", qx, " ] && tend_a=${tend_a}x; echo p.", strconv.Itoa(i), "=\"$tend_a\"")
	}
	for i, x := range p.real {
		qx := shell.Quote(x)
		w("if [ -L ", qx, " ] && tend_v=$(readlink -f ", qx, "); then printf 'r.", strconv.Itoa(i), `:%s\n%s\n' "${#tend_v}" "$tend_v"; fi`)
	}
	for i, d := range p.empty {
		qd := shell.Quote(d)
		w("if [ -d ", qd, " ] && [ ! -L ", qd, " ]; then tend_e=1; set +f; for tend_x in ", qd, "/* ", qd, "/.[!.]* ", qd, "/..?*; do",
			` if [ -e "$tend_x" ] || [ -L "$tend_x" ]; then tend_e=0; break; fi; done; set -f; else tend_e=1; fi; echo n.`, strconv.Itoa(i), "=$tend_e")
	}
	if len(p.content)+len(p.digest) > 0 {
		p.sizeScript(w)
	}
	// Digests of the files too large to read; the smaller ones are digested
	// on the controller from their content. No process without one.
	if len(p.digest) > 0 {
		p.candidates(w, "h", p.digest, "-gt")
		w(`if [ $# -gt 0 ]; then`)
		w(`	if command -v sha1sum >/dev/null 2>&1; then tend_a=sha1 tend_t=sha1sum`)
		w(`	elif command -v sha256sum >/dev/null 2>&1; then tend_a=sha256 tend_t=sha256sum`)
		w(`	elif command -v md5sum >/dev/null 2>&1; then tend_a=md5 tend_t=md5sum`)
		w(`	else tend_a=none tend_t=; fi`)
		w(`	echo a=$tend_a`)
		w(`	if [ -n "$tend_t" ]; then tend_v=$($tend_t "$@") || tend_v=; printf 'd:%s\n%s\n' "${#tend_v}" "$tend_v"; fi`)
		w(`fi`)
	}
	// Content last, framed by the nonce: it is bytes, not records. One cat
	// for every file; the controller splits it by the sizes stat gave.
	if len(p.content) > 0 {
		p.virtualScript(w)
		p.candidates(w, "k", p.content, "-le")
	}
	w("echo ", p.nonce)
	if len(p.content) > 0 {
		w(`[ $# -eq 0 ] || cat "$@"`)
	}
	w("printf '\\n%s\\n' ", p.nonce)
	w(`if [ -n "$tend_lcset" ]; then LC_ALL=$tend_lc; else unset LC_ALL; fi; set +f; set --`)
	w("unset ", strings.Join(shellVars(b.String()), " "))
	return b.String()
}

// shellVars lists the tend_ variables a script names, once each, to unset.
func shellVars(script string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range tendVar.FindAllString(script, -1) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

var tendVar = regexp.MustCompile(`\btend_[A-Za-z0-9_]+`)

// statsScript stats every path asked about in one process (two when some
// path to follow is a symbolic link). Each lstat'ed path that exists
// (e.i=1, shell variable tend_e_i) and each path to follow that exists
// through its links and is none (f.i=1, fl.i=0) are stat'ed together into
// the blob s (kept in tend_s), in that order; the paths to follow that are
// links (fl.i=1) with -L into the blob t (kept in tend_t).
func (p *Program) statsScript(w func(...string)) {
	for i, x := range p.stat {
		n := strconv.Itoa(i)
		w("if [ -L ", shell.Quote(x), " ]; then tend_k_", n, "=1; else tend_k_", n, "=0; fi; echo fl.", n, "=$tend_k_", n)
	}
	followed := func(link string) {
		for i, x := range p.stat {
			n, qx := strconv.Itoa(i), shell.Quote(x)
			w(`if [ "$tend_k_`, n, `" = `, link, ` ]; then if [ -e `, qx, ` ]; then set -- "$@" `, qx, `; tend_f_`, n, `=1; else tend_f_`, n, `=0; fi; fi`)
		}
	}
	if len(p.stat) > 0 {
		w("set --")
		followed("1")
		statCall(w, "t", "-L ")
	}
	w("set --")
	for i, x := range p.lstat {
		n, qx := strconv.Itoa(i), shell.Quote(x)
		w("if [ -e ", qx, " ] || [ -L ", qx, " ]; then set -- \"$@\" ", qx, "; tend_e_", n, "=1; else tend_e_", n, "=0; fi; echo e.", n, "=$tend_e_", n)
	}
	followed("0")
	statCall(w, "s", "")
	for i := range p.stat {
		n := strconv.Itoa(i)
		w("echo f.", n, "=$tend_f_", n)
	}
}

// statCall stats the paths in "$@" in one process into the blob S (kept in
// tend_S). If that fails (a path went away meanwhile), each is stat'ed
// alone: S.j or, failing, its error as x.S.j, j counting the paths; tend_S
// is then empty.
func statCall(w func(...string), s, opt string) {
	w(`tend_`, s, `=`)
	w(`if [ $# -gt 0 ]; then`)
	w(`	if tend_v=$(stat `, opt, `-c '`, statFormat, `' "$@" 2>/dev/null); then printf '`, s, `:%s\n%s\n' "${#tend_v}" "$tend_v"; tend_`, s, `=$tend_v`)
	w(`	else tend_j=0; for tend_f do`)
	w(`		if tend_v=$(stat `, opt, `-c '`, statFormat, `' "$tend_f" 2>&1); then printf '`, s, `.%s:%s\n%s\n' $tend_j "${#tend_v}" "$tend_v"`)
	w(`		else printf 'x.`, s, `.%s:%s\n%s\n' $tend_j "${#tend_v}" "$tend_v"; fi`)
	w(`		tend_j=$((tend_j + 1)); done`)
	w(`	fi`)
	w(`fi`)
}

// sizeScript reads the size of each path through links from the stat
// output (field 5 of each line), into tend_z_i, with builtins only: the
// lines of tend_s after those of the lstat'ed paths, then those of tend_t.
func (p *Program) sizeScript(w func(...string)) {
	f := strconv.Itoa(statFields)
	for i, x := range p.stat {
		n := strconv.Itoa(i)
		w(`tend_z_`, n, `=`)
		if _, ok := p.known[x]; ok {
			w(`tend_g_`, n, `=`)
		}
	}
	w(`set -- $tend_s`)
	for i := range p.lstat {
		w(`if [ "$tend_e_`, strconv.Itoa(i), `" = 1 ] && [ $# -ge `, f, ` ]; then shift `, f, `; fi`)
	}
	take := func(link string) {
		for i, x := range p.stat {
			n := strconv.Itoa(i)
			sig := ""
			if _, ok := p.known[x]; ok {
				sig = ` tend_g_` + n + `="$5 $6 $7 $9 ${10}"`
			}
			w(`if [ "$tend_f_`, n, `" = 1 ] && [ "$tend_k_`, n, `" = `, link, ` ] && [ $# -ge `, f, ` ]; then tend_z_`, n, `=$5`, sig, `; shift `, f, `; fi`)
		}
	}
	take("0")
	w(`set -- $tend_t`)
	take("1")
}

// linkScript reads the targets of the paths that are symbolic links: one
// readlink for all where it takes many operands (GNU), else one each.
func (p *Program) linkScript(w func(...string)) {
	if len(p.lstat) == 0 {
		return
	}
	w("set --")
	for i, l := range p.lstat {
		w("if [ -L ", shell.Quote(l), " ]; then set -- \"$@\" ", shell.Quote(l), "; echo lk.", strconv.Itoa(i), "=1; fi")
	}
	w(`if [ $# -gt 1 ] && tend_v=$(readlink "$@" 2>/dev/null); then printf 'lt:%s\n%s\n' "${#tend_v}" "$tend_v"`)
	w(`elif [ $# -gt 0 ]; then tend_j=0; for tend_f do`)
	w(`	tend_v=$(readlink "$tend_f") && printf 'l.%s:%s\n%s\n' $tend_j "${#tend_v}" "$tend_v"; tend_j=$((tend_j + 1)); done`)
	w(`fi`)
}

// virtual says whether a path is in a filesystem whose sizes stat does
// not know (/proc, /sys: 0 or 4096 whatever they hold).
func virtual(p string) bool {
	return strings.HasPrefix(p, "/proc/") || strings.HasPrefix(p, "/sys/")
}

// virtualScript reads the files of /proc and /sys alone, counting their
// bytes: two processes each, and they stay out of the cat of the others.
// The kernel's sysctl values (/proc/sys) are short lines of text: one awk
// reads them all (getline reads a whole value at once; the kernel answers
// a read from an offset past 0 with nothing, which rules out the shell's
// byte-wise read), so a play's sysctls cost one process, not two each.
func (p *Program) virtualScript(w func(...string)) {
	sysctls := false
	for i, x := range p.content {
		if !virtual(x) {
			continue
		}
		if sysctlFile(x) {
			sysctls = true
			continue
		}
		qx := shell.Quote(x)
		w(`if [ -f `, qx, ` ] && [ -r `, qx, ` ] && tend_z=$(wc -c < `, qx, `); then printf 'v.`, strconv.Itoa(i), `:%s\n' $tend_z; cat `, qx, `; echo; fi`)
	}
	if !sysctls {
		return
	}
	// "$@" holds pairs: the question's index, the file's path.
	w("set --")
	for i, x := range p.content {
		if sysctlFile(x) {
			qx := shell.Quote(x)
			w(`if [ -f `, qx, ` ] && [ -r `, qx, ` ]; then set -- "$@" `, strconv.Itoa(i), ` `, qx, `; fi`)
		}
	}
	w(`if [ $# -gt 0 ]; then`)
	w(`	if command -v awk >/dev/null 2>&1; then awk '` + sysctlAwk + `' "$@"`)
	w(`	else while [ $# -gt 0 ]; do if tend_z=$(wc -c < "$2"); then printf 'v.%s:%s\n' "$1" $tend_z; cat "$2"; echo; fi; shift 2; done; fi`)
	w(`fi`)
}

// sysctlAwk prints each file named in its arguments (index, path pairs)
// as the record v.INDEX, or nothing when it cannot be read. Its program is
// all BEGIN: awk never takes the arguments for input files.
const sysctlAwk = `BEGIN { for (i = 1; i + 1 < ARGC; i += 2) { f = ARGV[i + 1]; c = ""; ` +
	`while ((r = (getline l < f)) > 0) c = c l "\n"; close(f); ` +
	`if (r == 0) printf "v.%s:%d\n%s\n", ARGV[i], length(c), c } }`

// sysctlFile says whether p is one of the kernel's sysctl values, read
// by awk (see virtualScript).
func sysctlFile(p string) bool { return strings.HasPrefix(p, "/proc/sys/") }

// candidates sets "$@" to the paths that are readable regular files whose
// size compares (-le, -gt) with ContentLimit (K.i=1 or 0).
func (p *Program) candidates(w func(...string), k string, paths []string, cmp string) {
	w("set --")
	for i, x := range paths {
		qx := shell.Quote(x)
		if virtual(x) {
			w("echo ", k, ".", strconv.Itoa(i), "=0")
			continue
		}
		z := "tend_z_" + strconv.Itoa(p.statIndex[x])
		known := ""
		if kf, ok := p.known[x]; ok && k == "k" {
			// The same file as the controller read: k.i=2, not read again.
			known = `if [ "$tend_g_` + strconv.Itoa(p.statIndex[x]) + `" = ` + shell.Quote(kf.sig) + ` ] && [ -f ` + qx + ` ]; then echo ` + k + "." + strconv.Itoa(i) + "=2; el"
		}
		w(known, `if [ -n "$`, z, `" ] && [ "$`, z, `" `, cmp, ` `, strconv.Itoa(ContentLimit), ` ] && [ -f `, qx, ` ] && [ -r `, qx, " ]; then set -- \"$@\" ", qx, "; echo ", k, ".", strconv.Itoa(i), "=1; else echo ", k, ".", strconv.Itoa(i), "=0; fi")
	}
}

// Parse reads what the script printed into answers.
func (p *Program) Parse(stdout, stderr []byte, exitCode int) (*Set, error) {
	if exitCode != 0 {
		return nil, fmt.Errorf("questions: exit status %d: %s", exitCode, strings.TrimSpace(string(stderr)))
	}
	start := bytes.Index(stdout, []byte(p.nonce+"\n"))
	end := []byte("\n" + p.nonce + "\n")
	if start < 0 || !bytes.HasSuffix(stdout, end) || start > len(stdout)-len(end) {
		return nil, fmt.Errorf("questions: the output is cut short")
	}
	vals, blobs, err := ParseRecords(stdout[:start])
	if err != nil {
		return nil, fmt.Errorf("questions: %v", err)
	}
	content := stdout[start+len(p.nonce)+1 : len(stdout)-len(end)]
	r := &reader{vals: vals, blobs: blobs, set: NewSet()}
	r.parse(p, content)
	if r.err != nil {
		return nil, fmt.Errorf("questions: %v", r.err)
	}
	return r.set, nil
}

type reader struct {
	vals  map[string]string
	blobs map[string][]byte
	set   *Set
	err   error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

func (r *reader) flag(key string) bool {
	v, ok := r.vals[key]
	if !ok || v != "0" && v != "1" {
		r.fail("%s missing or not 0/1 (%q)", key, v)
	}
	return v == "1"
}

func (r *reader) parse(p *Program, content []byte) {
	set := r.set
	if p.umask {
		n, err := strconv.ParseUint(strings.TrimSpace(r.vals["u"]), 8, 32)
		if err != nil || n > 0o777 {
			r.fail("umask %q", r.vals["u"])
		}
		set.SetUmask(uint32(n))
	}
	for i, c := range p.commands {
		set.SetCommand(c, r.flag("c."+strconv.Itoa(i)))
	}
	r.stats(p)
	r.links(p)
	for i, d := range p.empty {
		set.SetEmpty(d, r.flag("n."+strconv.Itoa(i)))
	}
	for i, x := range p.access {
		v, ok := r.vals["p."+strconv.Itoa(i)]
		if !ok || strings.Trim(v, "rwx") != "" {
			r.fail("access of %s: %q", x, v)
		}
		set.SetAccess(x, Perms{Read: strings.Contains(v, "r"), Write: strings.Contains(v, "w"), Exec: strings.Contains(v, "x")})
	}
	for i, x := range p.real {
		set.SetReal(x, string(r.blobs["r."+strconv.Itoa(i)]))
	}
	if len(p.digest) > 0 {
		r.digests(p)
	}
	r.contents(p, content)
	if p.accounts {
		pw, err1 := set.Content(passwdFile)
		gr, err2 := set.Content(groupFile)
		switch {
		case err1 != nil:
			set.SetError(Accounts{}, fmt.Errorf("%s: %v", passwdFile, err1))
		case err2 != nil:
			set.SetError(Accounts{}, fmt.Errorf("%s: %v", groupFile, err2))
		default:
			set.SetAccounts(ParseAccounts(pw, gr))
		}
	}
}

// statEntry is a path a stat call stat'ed.
type statEntry struct {
	path   string
	follow bool
}

// stats reads the answers of statsScript's calls.
func (r *reader) stats(p *Program) {
	var s []statEntry
	for i, x := range p.lstat {
		if r.flag("e." + strconv.Itoa(i)) {
			s = append(s, statEntry{x, false})
		} else {
			r.set.SetPath(x, false, PathInfo{})
		}
	}
	var links []statEntry
	for i, x := range p.stat {
		n := strconv.Itoa(i)
		link := r.flag("fl." + n)
		switch {
		case !r.flag("f." + n):
			r.set.SetPath(x, true, PathInfo{})
		case link:
			links = append(links, statEntry{x, true})
		default:
			s = append(s, statEntry{x, true})
		}
	}
	r.statCall("s", s)
	r.statCall("t", links)
}

// statCall reads the answers of one stat call over entries.
func (r *reader) statCall(s string, entries []statEntry) {
	if len(entries) == 0 {
		return
	}
	lines := make([]string, len(entries))
	if all, ok := r.blobs[s]; ok {
		ls := strings.Split(string(all), "\n")
		if len(ls) != len(entries) {
			r.fail("stat printed %d lines for %d paths", len(ls), len(entries))
			return
		}
		copy(lines, ls)
	} else {
		for j, e := range entries {
			if msg, bad := r.blobs["x."+s+"."+strconv.Itoa(j)]; bad {
				r.set.SetError(Path{e.path, e.follow}, fmt.Errorf("stat %s: %s", e.path, strings.TrimSpace(string(msg))))
				continue
			}
			l, ok := r.blobs[s+"."+strconv.Itoa(j)]
			if !ok {
				r.fail("no stat answer for path %d", j)
				return
			}
			lines[j] = string(l)
		}
	}
	for j, e := range entries {
		if lines[j] == "" {
			continue // an error, recorded above
		}
		fi, err := parseStat(lines[j])
		if err != nil {
			r.fail("%v", err)
			return
		}
		r.set.SetPath(e.path, e.follow, fi)
	}
}

// parseStat reads one line of statFormat.
func parseStat(line string) (PathInfo, error) {
	f := strings.Fields(line)
	if len(f) != statFields {
		return PathInfo{}, fmt.Errorf("stat line %q", line)
	}
	mode, err := strconv.ParseUint(f[0], 16, 32)
	nums := make([]int64, 8) // fields 1 to 9: links, uid, gid, size, inode, device, times
	for i := range nums {
		if err != nil {
			break
		}
		var u uint64
		u, err = strconv.ParseUint(f[i+1], 10, 64)
		nums[i] = int64(u)
	}
	if err != nil {
		return PathInfo{}, fmt.Errorf("stat line %q", line)
	}
	fi := PathInfo{Exists: true, Perm: uint32(mode) & 0o7777, Nlink: nums[0], UID: f[2], GID: f[3], Size: nums[3],
		Inode: uint64(nums[4]), Dev: uint64(nums[5]), Atime: nums[6], Mtime: nums[7], Owner: f[10], Group: f[11]}
	if fi.Ctime, err = strconv.ParseInt(f[9], 10, 64); err != nil {
		return PathInfo{}, fmt.Errorf("stat line %q", line)
	}
	switch mode & 0o170000 {
	case 0o100000:
		fi.Type = '-'
	case 0o040000:
		fi.Type = 'd'
	case 0o120000:
		fi.Type = 'l'
	case 0o020000:
		fi.Type = 'c'
	case 0o060000:
		fi.Type = 'b'
	case 0o010000:
		fi.Type = 'p'
	case 0o140000:
		fi.Type = 's'
	default:
		return PathInfo{}, fmt.Errorf("stat line %q: unknown file type", line)
	}
	// stat says UNKNOWN (GNU) or the id (busybox) for an id without a name.
	if fi.Owner == "UNKNOWN" {
		fi.Owner = fi.UID
	}
	if fi.Group == "UNKNOWN" {
		fi.Group = fi.GID
	}
	return fi, nil
}

// links reads the targets of the paths that are symbolic links.
func (r *reader) links(p *Program) {
	var links []string
	for i, l := range p.lstat {
		if r.vals["lk."+strconv.Itoa(i)] == "1" {
			links = append(links, l)
		}
	}
	targets := make([]string, len(links))
	if all, ok := r.blobs["lt"]; ok {
		ts := strings.Split(string(all), "\n")
		if len(ts) != len(links) { // a target with a newline in it
			for _, l := range links {
				r.set.SetError(Path{l, false}, fmt.Errorf("cannot read the link %s", l))
			}
			return
		}
		copy(targets, ts)
	} else {
		for j, l := range links {
			t, ok := r.blobs["l."+strconv.Itoa(j)]
			if !ok {
				r.set.SetError(Path{l, false}, fmt.Errorf("cannot read the link %s", l))
				continue
			}
			targets[j] = string(t)
		}
	}
	for j, l := range links {
		a := r.set.paths[Path{l, false}]
		a.fi.Target = targets[j]
		r.set.paths[Path{l, false}] = a
	}
}

// regular returns the followed answer of p when it is a regular file.
func (r *reader) regular(p string) (PathInfo, bool) {
	a, ok := r.set.paths[Path{p, true}]
	return a.fi, ok && a.fi.Exists && a.fi.Type == '-'
}

func (r *reader) digests(p *Program) {
	algo := r.vals["a"]
	var big []string
	for i, d := range p.digest {
		fi, reg := r.regular(d)
		switch {
		case !reg || fi.Size <= ContentLimit:
			// Small files are digested from their content (contents).
		case r.flag("h." + strconv.Itoa(i)):
			big = append(big, d)
		default:
			r.set.SetError(Digest{d}, unreadable(d))
		}
	}
	if len(big) == 0 {
		return
	}
	if algo == "none" {
		for _, d := range big {
			r.set.SetError(Digest{d}, fmt.Errorf("no checksum tool on the host (sha1sum, sha256sum, md5sum) to compare %s", d))
		}
		return
	}
	// Each line is "HEX  NAME": GNU escapes a name with a newline or a
	// backslash (and marks the line with a leading \), busybox prints it
	// raw. The names are the paths given, in order, so each is skipped by
	// its length rather than split at newlines.
	out := r.blobs["d"]
	hexLen := map[string]int{"sha1": 40, "sha256": 64, "md5": 32}[algo]
	for _, d := range big {
		escaped := strings.HasPrefix(string(out), "\\")
		if escaped {
			out = out[1:]
		}
		if hexLen == 0 || len(out) < hexLen+2 || string(out[hexLen:hexLen+2]) != "  " || !isHex(out[:hexLen]) {
			for _, d := range big {
				r.set.SetError(Digest{d}, fmt.Errorf("%s of %s: no answer (did it change while it was read?)", algo, d))
			}
			return
		}
		sum := string(out[:hexLen])
		out = out[hexLen+2:]
		if escaped {
			i := bytes.IndexByte(out, '\n')
			if i < 0 {
				i = len(out) - 1
			}
			out = out[i+1:]
		} else if strings.HasPrefix(string(out), d+"\n") {
			out = out[len(d)+1:]
		} else if strings.TrimRight(string(out), "\n") == strings.TrimRight(d, "\n") {
			out = nil // the last, whose name's own final newlines $(...) took
		} else {
			r.fail("digest line for %q", d)
			return
		}
		r.set.SetDigest(d, algo+":"+sum)
	}
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func unreadable(p string) error {
	return fmt.Errorf("cannot read %s: permission denied (or it changed while it was read)", p)
}

func (r *reader) contents(p *Program, content []byte) {
	type want struct {
		path string
		size int64
	}
	var read []want
	var total int64
	for i, c := range p.content {
		fi, reg := r.regular(c)
		if kf, ok := p.known[c]; ok && r.vals["k."+strconv.Itoa(i)] == "2" {
			if !reg || signature(fi) != kf.sig {
				r.fail("%s: stat found the file read before, but its answer differs", c)
				return
			}
			r.set.SetContent(c, kf.data)
			continue
		}
		in := r.flag("k." + strconv.Itoa(i))
		if v, ok := r.blobs["v."+strconv.Itoa(i)]; ok && reg {
			r.set.SetContent(c, v)
			continue
		}
		switch {
		case !reg:
			// Content and Digest say ErrNoContent from the Path answer.
		case fi.Size > ContentLimit:
			r.set.content[c] = contentAnswer{err: ErrTooBig}
		case !in:
			r.set.SetError(Content{c}, unreadable(c))
			r.set.SetError(Digest{c}, unreadable(c))
		default:
			read = append(read, want{c, fi.Size})
			total += fi.Size
		}
	}
	if int64(len(content)) != total {
		err := fmt.Errorf("read %d bytes where stat said %d (did a file change while it was read?)", len(content), total)
		for _, w := range read {
			r.set.SetError(Content{w.path}, err)
			r.set.SetError(Digest{w.path}, err)
		}
		return
	}
	for _, w := range read {
		r.set.SetContent(w.path, content[:w.size:w.size])
		content = content[w.size:]
	}
}
