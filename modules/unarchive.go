package modules

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// unarchiveModule is Ansible's unarchive: a tar (plain, gzip, bzip2, xz)
// or zip archive, from the controller (sent inside the Apply script, as
// copy sends a file) or already on the host (remote_src), unpacked into
// dest with the host's tar (and gzip, bzip2, xz) or unzip.
//
// Whether it is unpacked already (Ansible runs tar --diff, or compares
// unzip's listing):
//   - a controller tar or zip is read in Go, and the probe checks that
//     every member is in dest with its type and, for regular files, its
//     size (one stat -c for all, where the host has it). Ansible's tar
//     --diff also compares contents, mtimes and modes: a file edited in
//     place to the same size is not noticed here.
//   - an archive on the host is compared there: with GNU tar, tar --diff as
//     Ansible does; else (busybox tar, zip) every member it lists must
//     exist in dest.
//   - a controller tar.xz cannot be read in Go: it is sent, and compared on
//     the host as above before it is unpacked; check mode reports it as
//     skipped.
//
// mode, owner and group are given to every member (as Ansible does, not
// recursively) when the archive is unpacked; an archive that is unpacked
// already is not checked for them. `creates` short-circuits everything.
// The result has dest's owner, group, mode, uid, gid, size and state, as
// AnsibleModule adds them for a dest (read with the probe, or at the end
// of the Apply).
type unarchiveModule struct{}

func init() { Register("unarchive", unarchiveModule{}) }

func (unarchiveModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "src", Kind: Path, Required: true},
			{Name: "dest", Kind: Path, Required: true},
			{Name: "remote_src", Kind: Bool, Default: false},
			{Name: "copy", Kind: Bool, Default: true},
			{Name: "creates", Kind: Path},
			{Name: "list_files", Kind: Bool, Default: false},
			{Name: "keep_newer", Kind: Bool, Default: false},
			{Name: "exclude", Kind: List},
			{Name: "include", Kind: List},
			{Name: "extra_opts", Kind: List, NoSplit: true},
			{Name: "validate_certs", Kind: Bool, Default: true},
			{Name: "decrypt", Kind: Bool, Default: true},
			{Name: "io_buffer_size", Kind: Int},
			{Name: "mode", Kind: Mode},
			{Name: "owner", Kind: String},
			{Name: "group", Kind: String},
		},
		Exclusive: [][]string{{"include", "exclude"}},
	}
}

// Archive formats, with Ansible's handler names.
const (
	fmtTar   = "TarArchive"
	fmtTgz   = "TgzArchive"
	fmtTbz   = "TarBzipArchive"
	fmtTxz   = "TarXzArchive"
	fmtZip   = "ZipArchive"
	fmtWhich = "" // on the host: found by the probe
)

// member is one entry of an archive, as read on the controller.
type member struct {
	name string
	kind byte // 'f', 'd', 'l'
	size int64
}

type unarchiveTask struct {
	src, dest, creates, mode    string
	remote, listFiles, keepNew  bool
	exclude, include, extraOpts []string
	own                         ownership
	data                        []byte   // the controller's archive
	format                      string   // fmtWhich for remote_src
	members                     []member // nil when unknown (remote, xz)
}

func readUnarchiveTask(t *Task) (unarchiveTask, error) {
	a := t.Args
	ut := unarchiveTask{
		src: a.String("src"), dest: a.String("dest"), creates: a.String("creates"), mode: a.String("mode"),
		remote:    a.Bool("remote_src") || (a.Has("copy") && !a.Bool("copy")),
		listFiles: a.Bool("list_files"), keepNew: a.Bool("keep_newer"),
		exclude: a.List("exclude"), include: a.List("include"), extraOpts: a.List("extra_opts"),
		own: ownership{a.String("owner"), a.String("group")},
	}
	if err := checkAbs("dest", ut.dest); err != nil {
		return ut, err
	}
	ut.dest = cleanPath(ut.dest)
	if ut.creates != "" {
		if err := checkAbs("creates", ut.creates); err != nil {
			return ut, err
		}
	}
	for _, p := range append(append([]string{}, ut.exclude...), ut.include...) {
		if strings.ContainsAny(p, "\n\x00") || p == "" {
			return ut, fmt.Errorf("exclude/include patterns must be one line: %q", p)
		}
	}
	if ut.remote {
		if strings.Contains(ut.src, "://") {
			return ut, fmt.Errorf("remote_src with a URL is not supported: download it with get_url first")
		}
		if err := checkAbs("src", ut.src); err != nil {
			return ut, err
		}
		return ut, nil
	}
	if t.Files == nil {
		return ut, fmt.Errorf("src %s: no controller files to read from", ut.src)
	}
	b, err := t.Files.ReadFile(ut.src)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return ut, fmt.Errorf("Could not find or access '%s' on the Ansible Controller.", ut.src)
		}
		return ut, fmt.Errorf("src %s: %v", ut.src, err)
	}
	if len(b) == 0 {
		return ut, fmt.Errorf("Invalid archive '%s', the file is 0 bytes", ut.src)
	}
	ut.data = b
	if ut.format, err = sniffArchive(b); err != nil {
		return ut, fmt.Errorf("Failed to find handler for \"%s\": %v", ut.src, err)
	}
	if ut.members, err = listArchive(ut.format, b); err != nil {
		return ut, fmt.Errorf("%s: %v", ut.src, err)
	}
	return ut, nil
}

// sniffArchive tells the format from the first bytes, as file(1) would.
func sniffArchive(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return fmtTgz, nil
	case bytes.HasPrefix(b, []byte("BZh")):
		return fmtTbz, nil
	case bytes.HasPrefix(b, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return fmtTxz, nil
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")):
		return fmtZip, nil
	case len(b) > 262 && string(b[257:262]) == "ustar":
		return fmtTar, nil
	}
	return "", fmt.Errorf("not a tar (plain, gzip, bzip2, xz) or zip archive")
}

// listArchive reads the members of a controller archive; nil for xz,
// which Go's library cannot read.
func listArchive(format string, b []byte) ([]member, error) {
	if format == fmtZip {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, err
		}
		var out []member
		for _, f := range zr.File {
			m := member{name: strings.TrimSuffix(f.Name, "/"), kind: 'f', size: int64(f.UncompressedSize64)}
			switch {
			case strings.HasSuffix(f.Name, "/") || f.Mode().IsDir():
				m.kind = 'd'
			case f.Mode()&fs.ModeSymlink != 0:
				m.kind = 'l'
			}
			out = append(out, m)
		}
		return cleanMembers(out)
	}
	var r io.Reader = bytes.NewReader(b)
	switch format {
	case fmtTgz:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		r = zr
	case fmtTbz:
		r = bzip2.NewReader(r)
	case fmtTxz:
		return nil, nil
	}
	tr := tar.NewReader(r)
	var out []member
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		m := member{name: h.Name, kind: 'f', size: h.Size}
		switch h.Typeflag {
		case tar.TypeDir:
			m.kind = 'd'
		case tar.TypeSymlink:
			m.kind = 'l'
		case tar.TypeLink:
			m.size = -1 // a hard link: its size is its target's
		case tar.TypeReg, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		default:
			continue // pax and GNU extension headers
		}
		out = append(out, m)
	}
	return cleanMembers(out)
}

// cleanMembers drops "./" and refuses names that would leave dest.
func cleanMembers(ms []member) ([]member, error) {
	out := ms[:0]
	for _, m := range ms {
		n := strings.TrimPrefix(m.name, "./")
		n = strings.TrimSuffix(n, "/")
		if n == "" || n == "." {
			continue
		}
		if path.IsAbs(n) || n == ".." || strings.HasPrefix(n, "../") || strings.Contains(n, "/../") || strings.ContainsRune(n, 0) {
			return nil, fmt.Errorf("member %q would be written outside dest", m.name)
		}
		m.name = n
		out = append(out, m)
	}
	return out, nil
}

// globWord writes a tar/unzip pattern as an unquoted case pattern: its
// glob characters stay, everything else is escaped.
func globWord(p string) string {
	var b strings.Builder
	for _, c := range p {
		if strings.ContainsRune("*?[]", c) {
			b.WriteRune(c)
		} else {
			b.WriteByte('\\')
			b.WriteRune(c)
		}
	}
	return b.String()
}

// selected says whether a member is unpacked, as GNU tar matches
// patterns: * and ? also match '/'; an exclude pattern matches after any
// '/', an include pattern from the start; a folder matched takes its
// contents along.
// unzip matches the whole name only.
func (ut unarchiveTask) selected(name string) bool {
	zip := ut.format == fmtZip
	for _, p := range ut.exclude {
		if globRe(p, !zip, !zip).MatchString(name) {
			return false
		}
	}
	if len(ut.include) == 0 {
		return true
	}
	for _, p := range ut.include {
		if globRe(p, false, !zip).MatchString(name) {
			return true
		}
	}
	return false
}

func globRe(p string, anywhere, contents bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	if anywhere {
		b.WriteString("(?:.*/)?")
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			if j := strings.IndexByte(p[i+1:], ']'); j > 0 {
				cls := p[i+1 : i+1+j]
				if cls[0] == '!' {
					cls = "^" + cls[1:]
				}
				b.WriteString("[" + strings.ReplaceAll(cls, `\`, `\\`) + "]")
				i += j + 1
				continue
			}
			b.WriteString(`\[`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if contents {
		b.WriteString("(?:/.*)?")
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return regexp.MustCompile(`^` + regexp.QuoteMeta(p) + `$`)
	}
	return re
}

// statChunk bounds the paths one stat command is given.
const statChunk = 200

func (m unarchiveModule) Probe(t *Task) (string, error) {
	ut, err := readUnarchiveTask(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	if ut.creates != "" {
		s.add("if [ -e ", q(ut.creates), " ]; then echo created=1; exit 0; fi")
	}
	dest := q(ut.dest)
	s.add("if [ -d ", dest, " ]; then echo destdir=1; else echo destdir=0; exit 0; fi")
	// For the result's path information, as Ansible's add_path_info
	// (lstat: a link to a folder is state=link).
	s.stat("d", dest, false, "", "")
	if ut.remote {
		src := q(ut.src)
		s.add("if [ ! -f ", src, " ]; then echo src=absent; exit 0; fi")
		s.add("if [ ! -s ", src, " ]; then echo src=empty; exit 0; fi")
		s.add(sniffOnHost(src))
		s.add("echo src=$tend_fmt")
		s.add(hostCompare(ut, src, "$tend_fmt"))
		s.add("echo differs=$tend_diff")
		if ut.listFiles {
			s.add("tend_v=$(", listCmd(src, "$tend_fmt"), ") && printf 'files:%s\\n%s\\n' ${#tend_v} \"$tend_v\"")
		}
		return s.String(), nil
	}
	if ut.members == nil {
		s.add("echo differs=unknown")
		return s.String(), nil
	}
	// Every member in dest, with its type; then the regular files' sizes.
	s.add("tend_m=0")
	var files []string
	for _, mb := range ut.members {
		if !ut.selected(mb.name) {
			continue
		}
		p := q(path.Join(ut.dest, mb.name))
		switch mb.kind {
		case 'd':
			s.add("[ -d ", p, " ] || tend_m=1")
		case 'l':
			s.add("[ -L ", p, " ] || tend_m=1")
		default:
			s.add("[ -f ", p, " ] || tend_m=1")
			if mb.size >= 0 {
				files = append(files, p)
			}
		}
	}
	s.add("echo missing=$tend_m")
	if len(files) > 0 {
		s.add(`if [ $tend_m = 0 ] && stat -L -c %s / >/dev/null 2>&1; then tend_s=`)
		for i := 0; i < len(files); i += statChunk {
			s.add(`	tend_v=$(stat -L -c %s -- `, strings.Join(files[i:min(len(files), i+statChunk)], " "), `) || exit 1; tend_s="$tend_s$tend_v `, "\n", `"`)
		}
		s.add(`	printf 'sizes:%s\n%s\n' ${#tend_s} "$tend_s"`)
		s.add("fi")
	}
	return s.String(), nil
}

// sniffOnHost sets tend_fmt to an archive's handler from its first bytes.
func sniffOnHost(src string) string {
	return `tend_v=$(od -An -tx1 -N6 < ` + src + ` | tr -d ' \n')
case $tend_v in
1f8b*) tend_fmt=` + fmtTgz + ` ;;
425a68*) tend_fmt=` + fmtTbz + ` ;;
fd377a585a00) tend_fmt=` + fmtTxz + ` ;;
504b0304*|504b0506*) tend_fmt=` + fmtZip + ` ;;
*) if [ "$(dd if=` + src + ` bs=1 skip=257 count=5 2>/dev/null)" = ustar ]; then tend_fmt=` + fmtTar + `; else tend_fmt=unknown; fi ;;
esac`
}

// catCmd is the command that writes an archive's tar stream to stdout.
func catCmd(src, fmtWord string) string {
	return `case ` + fmtWord + ` in ` + fmtTgz + `) gzip -dc < ` + src + ` ;; ` + fmtTbz + `) bzip2 -dc < ` + src + ` ;; ` + fmtTxz + `) xz -dc < ` + src + ` ;; *) cat < ` + src + ` ;; esac`
}

// listCmd lists an archive's members, one a line.
func listCmd(src, fmtWord string) string {
	return `if [ ` + fmtWord + ` = ` + fmtZip + ` ]; then unzip -l ` + src + ` | { tend_in=0; while read -r tend_l tend_x tend_y tend_n; do case $tend_l in ---*) [ $tend_in = 1 ] && break; tend_in=1; continue ;; esac; [ $tend_in = 1 ] && printf '%s\n' "$tend_n"; done; }; else { ` + catCmd(src, fmtWord) + `; } | tar -tf -; fi`
}

// hostCompare sets tend_diff to 0 when the archive at src (a shell word)
// is unpacked in dest already, 1 when not.
func hostCompare(ut unarchiveTask, src, fmtWord string) string {
	dest := q(ut.dest)
	var skip strings.Builder
	// As selected: tar's patterns match after any '/' and take a folder's
	// contents along; unzip's match the whole name. (The archive's format
	// is known here only on the host: both are written, and the zip's
	// are the narrower.)
	for _, p := range ut.exclude {
		g := globWord(p)
		skip.WriteString("\t\t" + g + ") continue ;;\n")
		skip.WriteString("\t\t*/" + g + "|" + g + "/*|*/" + g + "/*) [ " + fmtWord + " = " + fmtZip + " ] || continue ;;\n")
	}
	if len(ut.include) > 0 {
		var pats []string
		for _, p := range ut.include {
			g := globWord(p)
			pats = append(pats, g, g+"/*")
		}
		skip.WriteString("\t\t" + strings.Join(pats, "|") + ") ;;\n\t\t*) continue ;;\n")
	}
	var tarArgs []string
	for _, p := range ut.exclude {
		tarArgs = append(tarArgs, q("--exclude="+p))
	}
	var members []string
	for _, p := range ut.include {
		members = append(members, q(p))
	}
	wild := ""
	if len(members) > 0 {
		wild = "--wildcards "
	}
	return `tend_diff=1
if [ ` + fmtWord + ` != ` + fmtZip + ` ] && case $(tar --version 2>/dev/null) in *'GNU tar'*) true ;; *) false ;; esac; then
	{ ` + catCmd(src, fmtWord) + `; } | tar -d -f - -C ` + dest + ` ` + wild + strings.Join(tarArgs, " ") + ` ` + strings.Join(members, " ") + ` >/dev/null 2>&1 && tend_diff=0
else
	tend_diff=$( { ` + listCmd(src, fmtWord) + `; } | { while IFS= read -r tend_p; do
		tend_p=${tend_p#./}; tend_p=${tend_p%/}
		[ -n "$tend_p" ] || continue
		case $tend_p in
` + skip.String() + `		esac
		[ -e ` + dest + `/"$tend_p" ] || [ -L ` + dest + `/"$tend_p" ] || { echo 1; exit; }
	done; echo 0; } )
fi`
}

// unarchiveProbe is what the probe found.
type unarchiveProbe struct {
	created, destDir bool
	dest             fileInfo // dest itself, for the result
	format           string
	differs          string // "1", "0", "unknown"
	files            []string
}

func (ut unarchiveTask) read(probe Output) (*unarchiveProbe, error) {
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	p := &unarchiveProbe{format: ut.format}
	if v, _ := r.opt("created"); v == "1" {
		p.created = true
		return p, nil
	}
	if p.destDir, err = r.flag("destdir"); err != nil {
		return nil, err
	}
	if !p.destDir {
		return nil, errorf("Destination '%s' is not a directory", ut.dest)
	}
	if p.dest, err = r.stat("d"); err != nil {
		return nil, err
	}
	if ut.remote {
		src, _ := r.opt("src")
		switch src {
		case "absent":
			return nil, errorf("Source '%s' does not exist", ut.src)
		case "empty":
			return nil, errorf("Invalid archive '%s', the file is 0 bytes", ut.src)
		case "unknown":
			return nil, errorf("Failed to find handler for \"%s\". Make sure the required command to extract the file is installed.", ut.src)
		}
		p.format = src
		p.differs, _ = r.opt("differs")
		if b, ok := r.blob("files"); ok {
			for _, l := range strings.Split(string(b), "\n") {
				if l = strings.TrimSuffix(strings.TrimPrefix(l, "./"), "/"); l != "" {
					p.files = append(p.files, l)
				}
			}
		}
		return p, nil
	}
	for _, mb := range ut.members {
		p.files = append(p.files, mb.name)
	}
	if ut.members == nil {
		p.differs = "unknown"
		return p, nil
	}
	missing, err := r.flag("missing")
	if err != nil {
		return nil, err
	}
	p.differs = "0"
	if missing {
		p.differs = "1"
	} else if b, ok := r.blob("sizes"); ok {
		got := strings.Fields(string(b))
		i := 0
		for _, mb := range ut.members {
			if !ut.selected(mb.name) || mb.kind != 'f' || mb.size < 0 {
				continue
			}
			if i >= len(got) || got[i] != strconv.FormatInt(mb.size, 10) {
				p.differs = "1"
				break
			}
			i++
		}
	}
	return p, nil
}

func (m unarchiveModule) Plan(t *Task, probe Output) (*Change, error) {
	ut, err := readUnarchiveTask(t)
	if err != nil {
		return nil, err
	}
	p, err := ut.read(probe)
	if err != nil {
		return nil, err
	}
	if p.created || p.differs == "0" {
		return nil, nil
	}
	ut.format = p.format // known now for remote_src
	s := newScript()
	s.use("tend_die")
	src := q(ut.src)
	if !ut.remote {
		// The archive travels inside the script, into a private file in
		// dest that is removed after (tend_die removes it on failure).
		s.add("tend_t=", q(path.Join(ut.dest, tempBase())))
		s.add(`( umask 077; set -C; `, printfAll(ut.data), ` > "$tend_t" ) || tend_die "cannot write the archive into `, ut.dest, `"`)
		src = `"$tend_t"`
	}
	fmtWord := p.format
	if ut.remote {
		s.add(sniffOnHost(src))
		fmtWord = "$tend_fmt"
	}
	if p.differs == "unknown" {
		s.add(hostCompare(ut, src, fmtWord))
	} else {
		s.add("tend_diff=1")
	}
	s.add(`if [ "$tend_diff" = 1 ]; then`)
	s.add(extractCmd(ut, src, fmtWord))
	var own []string
	for _, f := range p.files {
		if !ut.selected(f) {
			continue
		}
		own = append(own, q(path.Join(ut.dest, f)))
	}
	if len(own) > 0 && (ut.own.Owner != "" || ut.own.Group != "" || ut.mode != "") {
		for _, c := range memberAttrCmds(ut, own) {
			s.add("\t", c)
		}
	}
	s.add("\techo changed=1")
	s.add("else echo changed=0")
	s.add("fi")
	if !ut.remote {
		s.add(`rm -f -- "$tend_t"; tend_t=`)
	}
	s.stat("r", q(ut.dest), false, "", "")
	diffs := []Diff{{Path: ut.dest, Attr: "unarchive", Before: "", After: ut.src}}
	if p.differs == "unknown" {
		diffs[0].Before = "(compared on the host when applied)"
	}
	handler, dest, srcName, files, listFiles := p.format, ut.dest, ut.src, p.files, ut.listFiles
	return &Change{
		Diffs:        diffs,
		Apply:        s.String(),
		CheckUnknown: p.differs == "unknown",
		Result: func(o Output) (Result, error) {
			if o.ExitCode != 0 {
				f := failedApply(o)
				f["msg"] = fmt.Sprintf("failed to unpack %s to %s: %s", srcName, dest, f["msg"])
				return f, nil
			}
			r, err := parseRecords(o.Stdout)
			if err != nil {
				return nil, fmt.Errorf("apply printed something unexpected: %v", err)
			}
			ch, _ := r.opt("changed")
			fi, err := r.stat("r")
			if err != nil {
				return nil, err
			}
			res := Result{"changed": ch == "1", "dest": dest, "src": srcName, "handler": handler}
			for k, v := range pathInfo(fi) {
				res[k] = v
			}
			if listFiles {
				res["files"] = files
			}
			return res, nil
		},
	}, nil
}

// extractCmd unpacks the archive into dest, naming a missing tool.
func extractCmd(ut unarchiveTask, src, fmtWord string) string {
	dest := q(ut.dest)
	need := func(tool string) string {
		return "command -v " + tool + " >/dev/null 2>&1 || tend_die " + q("unarchive needs "+tool+" on the host to unpack "+ut.src)
	}
	var extra []string
	for _, o := range ut.extraOpts {
		extra = append(extra, q(o))
	}
	var zipArgs, tarArgs []string
	zipArgs = append(zipArgs, extra...)
	tarArgs = append(tarArgs, extra...)
	for _, p := range ut.exclude {
		tarArgs = append(tarArgs, q("--exclude="+p))
	}
	keep := ""
	if ut.keepNew || len(ut.exclude) > 0 || len(ut.include) > 0 {
		// Ansible's tar handlers need GNU tar for everything; tend only
		// for these options (busybox tar has none of them).
		keep = `case ` + fmtWord + ` in ` + fmtZip + `) ;; *) case $(tar --version 2>/dev/null) in *'GNU tar'*) ;; *) tend_die "keep_newer, exclude and include need GNU tar on the host" ;; esac ;; esac` + "\n"
	}
	if ut.keepNew {
		tarArgs = append(tarArgs, "--keep-newer-files")
	}
	var inc []string
	for _, p := range ut.include {
		inc = append(inc, q(p))
	}
	if len(inc) > 0 {
		tarArgs = append(tarArgs, "--wildcards")
	}
	zip := need("unzip") + "\n\tunzip -o " + strings.Join(zipArgs, " ") + " " + src + " " + strings.Join(inc, " ")
	if len(ut.exclude) > 0 {
		var ex []string
		for _, p := range ut.exclude {
			ex = append(ex, q(p))
		}
		zip += " -x " + strings.Join(ex, " ")
	}
	zip += " -d " + dest + " >/dev/null || tend_die \"unzip failed\""
	decomp := func(tool string) string {
		return need(tool) + "\n\t" + tool + " -dc < " + src + " | tar -x -f - -C " + dest + " " + strings.Join(tarArgs, " ") + " " + strings.Join(inc, " ") + ` || tend_die "tar failed"`
	}
	return "\t" + need("tar") + "\n\t" + keep + "\tcase " + fmtWord + " in\n" +
		"\t" + fmtZip + ")\n\t" + zip + " ;;\n" +
		"\t" + fmtTgz + ")\n\t" + decomp("gzip") + " ;;\n" +
		"\t" + fmtTbz + ")\n\t" + decomp("bzip2") + " ;;\n" +
		"\t" + fmtTxz + ")\n\t" + decomp("xz") + " ;;\n" +
		"\t*)\n\ttar -x -f " + src + " -C " + dest + " " + strings.Join(tarArgs, " ") + " " + strings.Join(inc, " ") + ` || tend_die "tar failed" ;;` + "\n\tesac"
}

// memberAttrCmds gives each unpacked member the task's owner, group and
// mode, statChunk paths at a time; a symbolic mode is chmod's own.
func memberAttrCmds(ut unarchiveTask, paths []string) []string {
	var out []string
	for i := 0; i < len(paths); i += statChunk {
		ps := strings.Join(paths[i:min(len(paths), i+statChunk)], " ")
		if ut.own.Owner != "" {
			out = append(out, "chown -h -- "+q(ut.own.Owner)+" "+ps+" || tend_die "+q("chown failed: could not set owner "+ut.own.Owner))
		}
		if ut.own.Group != "" {
			out = append(out, "chgrp -h -- "+q(ut.own.Group)+" "+ps+" || tend_die "+q("chgrp failed: could not set group "+ut.own.Group))
		}
		if ut.mode != "" {
			// Not through links: chmod would follow them.
			out = append(out, "for tend_p in "+ps+"; do [ -L \"$tend_p\" ] || chmod "+q(ut.mode)+" \"$tend_p\" || tend_die \"chmod failed\"; done")
		}
	}
	return out
}

// Report is the result when nothing changes.
func (m unarchiveModule) Report(t *Task, probe Output) (Result, error) {
	ut, err := readUnarchiveTask(t)
	if err != nil {
		return nil, err
	}
	p, err := ut.read(probe)
	if err != nil {
		return nil, err
	}
	if p.created {
		return Result{"changed": false, "msg": "skipped, since " + ut.creates + " exists"}, nil
	}
	res := Result{"changed": false, "dest": ut.dest, "src": ut.src, "handler": p.format}
	for k, v := range pathInfo(p.dest) {
		res[k] = v
	}
	if ut.listFiles {
		res["files"] = p.files
	}
	return res, nil
}
