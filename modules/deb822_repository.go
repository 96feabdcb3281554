package modules

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// deb822RepositoryModule is ansible-core 2.15's deb822_repository: the
// repository as a deb822 stanza in /etc/apt/sources.list.d/SLUG.sources,
// SLUG being the name lower-cased, blanks and '_' turned into '-', and
// anything else but letters, digits and '-' dropped. Fields are the
// options given, sorted by option name, written as python-debian dumps
// them. signed_by is a path on the host (kept as it is when the host has
// that file), a URL (downloaded by the host with curl or wget, into
// /etc/apt/keyrings/SLUG.asc or .gpg, in the probe so that check mode
// knows whether it changes), or the key itself (written in the stanza).
// The cache is not updated, as in Ansible.
type deb822RepositoryModule struct {
	root string // prefix of every path, for tests
}

func init() { Register("deb822_repository", deb822RepositoryModule{}) }

// deb822Fields are the options written as fields, sorted.
var deb822Fields = []Param{
	{Name: "allow_downgrade_to_insecure", Kind: Bool},
	{Name: "allow_insecure", Kind: Bool},
	{Name: "allow_weak", Kind: Bool},
	{Name: "architectures", Kind: List},
	{Name: "by_hash", Kind: Bool},
	{Name: "check_date", Kind: Bool},
	{Name: "check_valid_until", Kind: Bool},
	{Name: "components", Kind: List},
	{Name: "date_max_future", Kind: Int},
	{Name: "enabled", Kind: Bool},
	{Name: "inrelease_path", Kind: String},
	{Name: "languages", Kind: List},
	{Name: "name", Kind: String, Required: true},
	{Name: "pdiffs", Kind: Bool},
	{Name: "signed_by", Kind: String},
	{Name: "suites", Kind: List},
	{Name: "targets", Kind: List},
	{Name: "trusted", Kind: Bool},
	{Name: "types", Kind: List, Default: []string{"deb"}},
	{Name: "uris", Kind: List},
}

func (deb822RepositoryModule) Spec() Spec {
	return Spec{Params: append([]Param{
		{Name: "install_python_debian", Kind: Bool, Default: true},
		{Name: "mode", Kind: Mode, Default: "0644"},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent"}},
	}, deb822Fields...)}
}

var (
	deb822Blank   = regexp.MustCompile(`[_\s]+`)
	deb822NotSlug = regexp.MustCompile(`[^a-z0-9-]+`)
)

func deb822Slug(name string) string {
	return deb822NotSlug.ReplaceAllString(deb822Blank.ReplaceAllString(strings.ToLower(name), "-"), "")
}

// deb822FieldName is format_field_name.
func deb822FieldName(opt string) string {
	switch opt {
	case "name":
		return "X-Repolib-Name"
	case "uris":
		return "URIs"
	}
	return pyTitle(strings.ReplaceAll(opt, "_", "-"))
}

// pyTitle is Python's str.title() for ASCII.
func pyTitle(s string) string {
	b := []byte(s)
	prev := false
	for i, c := range b {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		switch {
		case letter && !prev && c >= 'a':
			b[i] = c - 32
		case letter && prev && c <= 'Z':
			b[i] = c + 32
		}
		prev = letter
	}
	return string(b)
}

// deb822Multiline is format_multiline.
func deb822Multiline(v string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(v), "\n") {
		if l = strings.TrimSpace(l); l == "" {
			l = "."
		}
		lines = append(lines, "    "+l)
	}
	return "\n" + strings.Join(lines, "\n")
}

type deb822Task struct {
	slug, state, mode  string
	sources, keyringsD string
	signedBy           string // as given
	keyURL             string // signed_by when it is a URL
	fields             [][2]string
	fetch              fetchOpts
}

func (m deb822RepositoryModule) readTask(a Args) (deb822Task, error) {
	dt := deb822Task{state: a.String("state"), mode: a.String("mode"), signedBy: a.String("signed_by")}
	name := a.String("name")
	dt.slug = deb822Slug(name)
	if dt.slug == "" {
		return dt, fmt.Errorf("name %q leaves no file name (letters, digits and '-' are kept)", name)
	}
	dt.sources = m.root + "/etc/apt/sources.list.d/" + dt.slug + ".sources"
	dt.keyringsD = m.root + "/etc/apt/keyrings"
	if u, err := url.Parse(dt.signedBy); err == nil && u.Scheme != "" && !strings.ContainsAny(dt.signedBy, "\n") {
		if u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp" && u.Scheme != "file" {
			return dt, fmt.Errorf("signed_by %q: only http, https, ftp and file URLs are supported", dt.signedBy)
		}
		dt.keyURL = dt.signedBy
		dt.fetch = fetchOpts{url: dt.keyURL, agent: "ansible-httpget", timeout: 10, netrc: true}
	}
	for _, p := range deb822Fields {
		if !a.Has(p.Name) {
			continue
		}
		var v string
		switch p.Kind {
		case Bool:
			v = map[bool]string{true: "yes", false: "no"}[a.Bool(p.Name)]
		case Int:
			v = strconv.Itoa(a.Int(p.Name))
		case List:
			v = strings.Join(a.List(p.Name), " ")
		default:
			v = a.String(p.Name)
		}
		if strings.ContainsRune(v, 0) || (p.Name != "signed_by" && strings.ContainsAny(v, "\r\n")) {
			return dt, fmt.Errorf("%s must be one line", p.Name)
		}
		dt.fields = append(dt.fields, [2]string{p.Name, v})
	}
	return dt, nil
}

func (dt deb822Task) keyFile(ext string) string { return dt.keyringsD + "/" + dt.slug + "." + ext }

func (m deb822RepositoryModule) Probe(t *Task) (string, error) {
	dt, err := m.readTask(t.Args)
	if err != nil {
		return "", err
	}
	s := newScript()
	s.use("tend_content")
	s.stat("s", q(dt.sources), false, "", "")
	s.add("tend_content s.c ", q(dt.sources), " ", strconv.Itoa(lineinfileLimit), ` -1 "$tend_sz" || exit 1`)
	for _, ext := range []string{"asc", "gpg"} {
		s.stat(ext, q(dt.keyFile(ext)), false, "", "")
		if dt.keyURL != "" {
			s.add("tend_content ", ext, ".c ", q(dt.keyFile(ext)), " ", strconv.Itoa(lineinfileLimit), ` -1 "$tend_sz" || exit 1`)
		}
	}
	if dt.state == "absent" {
		return s.String(), nil
	}
	s.stat("kd", q(dt.keyringsD), false, "", "")
	if dt.keyURL != "" {
		// Into a private folder, since a key may hold any byte.
		s.use("tend_die")
		s.add(detectTool, "echo tool=$tend_tool")
		s.add("case $tend_tool in")
		for _, tool := range []string{toolCurl, toolWget, toolBBWget} {
			s.add(tool, ")")
			s.add(`tend_k=$(umask 077; mktemp -d) || exit 1`)
			s.add(dt.fetch.cmd(tool, `"$tend_k/key"`, `"$tend_k/err"`))
			s.add(`echo key.rc=$tend_rc`)
			s.add(`if [ "$tend_rc" = 0 ]; then tend_blob key "$tend_k/key" || { rm -rf -- "$tend_k"; exit 1; }`)
			s.add(`else tend_blob key.err "$tend_k/err" || :; fi`)
			s.add(`rm -rf -- "$tend_k"`)
			s.add(";;")
		}
		s.add("esac")
	}
	s.umask()
	return s.String(), nil
}

// deb822Plan is what Plan decides.
type deb822Plan struct {
	dt          deb822Task
	src         fileInfo
	old, repo   string
	oldKnown    bool   // old holds the file's content
	keyFile     string // the key file signed_by names, when downloaded
	key         []byte
	keyOld      fileInfo
	keyOldC     []byte
	keyDir      fileInfo
	umask, mode uint32
}

func (m deb822RepositoryModule) plan(t *Task, probe Output) (*deb822Plan, []Diff, []string, error) {
	dt, err := m.readTask(t.Args)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, nil, nil, err
	}
	p := &deb822Plan{dt: dt}
	if p.src, err = r.stat("s"); err != nil {
		return nil, nil, nil, err
	}
	if p.src.Exists && p.src.Type != '-' {
		return nil, nil, nil, errorf("%s is a %s", dt.sources, p.src.Kind())
	}
	c, ok := r.blob("s.c")
	p.old, p.oldKnown = string(c), ok
	if p.src.Exists && !ok {
		return nil, nil, nil, fmt.Errorf("%s is bigger than tend reads", dt.sources)
	}
	var diffs []Diff
	var cmds []string
	if dt.state == "absent" {
		if p.src.Exists {
			diffs = append(diffs, Diff{Path: dt.sources, Attr: "content", Before: p.old}, stateDiff(dt.sources, "file", "absent"))
			cmds = append(cmds, "rm -f -- "+q(dt.sources)+" || tend_die "+q("cannot remove "+dt.sources))
		}
		for _, ext := range []string{"asc", "gpg"} {
			fi, err := r.stat(ext)
			if err != nil {
				return nil, nil, nil, err
			}
			if fi.Exists {
				diffs = append(diffs, stateDiff(dt.keyFile(ext), fi.State(), "absent"))
				cmds = append(cmds, "rm -f -- "+q(dt.keyFile(ext))+" || tend_die "+q("cannot remove "+dt.keyFile(ext)))
			}
		}
		return p, diffs, cmds, nil
	}
	if p.umask, err = r.umask(); err != nil {
		return nil, nil, nil, err
	}
	if p.keyDir, err = r.stat("kd"); err != nil {
		return nil, nil, nil, err
	}
	// A path (whether the host has it or not) or the key itself is
	// written as it is given.
	signed := dt.signedBy
	if dt.keyURL != "" {
		tool, _ := r.opt("tool")
		if tool == toolNone {
			return nil, nil, nil, errorf("Could not fetch signed_by key: the host has neither curl nor wget")
		}
		if rc, _ := r.opt("key.rc"); rc != "0" {
			e, _ := r.blob("key.err")
			return nil, nil, nil, errorf("Could not fetch signed_by key: %s (%s exited with status %s)", strings.TrimSpace(string(e)), toolName(tool), rc)
		}
		p.key, _ = r.blob("key")
	}
	// write_signed_by_key: when nothing was fetched, the URL stays.
	if len(p.key) > 0 {
		ext := "gpg"
		if bytes.Contains(p.key, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
			ext = "asc"
		}
		p.keyFile = dt.keyFile(ext)
		signed = p.keyFile
		if p.keyOld, err = r.stat(ext); err != nil {
			return nil, nil, nil, err
		}
		p.keyOldC, _ = r.blob(ext + ".c")
	}
	var b strings.Builder
	fields := append([][2]string(nil), dt.fields...)
	sort.Slice(fields, func(i, j int) bool { return fields[i][0] < fields[j][0] })
	for _, f := range fields {
		v := f[1]
		if f[0] == "signed_by" {
			v = signed
		}
		if strings.Contains(v, "\n") {
			v = deb822Multiline(v)
		}
		if v == "" || v[0] == '\n' {
			b.WriteString(deb822FieldName(f[0]) + ":" + v + "\n")
		} else {
			b.WriteString(deb822FieldName(f[0]) + ": " + v + "\n")
		}
	}
	p.repo = b.String()
	if p.mode, err = ApplyMode(dt.mode, 0o666&^p.umask, false, p.umask); err != nil {
		return nil, nil, nil, err
	}
	if p.src.Exists {
		if p.mode, err = ApplyMode(dt.mode, p.src.Perm, false, p.umask); err != nil {
			return nil, nil, nil, err
		}
	}
	// The key first: apt must not see a source whose key is missing.
	if p.keyFile != "" {
		kd := q(dt.keyringsD)
		if !p.keyDir.Exists {
			diffs = append(diffs, stateDiff(dt.keyringsD, "absent", "directory"))
			cmds = append(cmds, "mkdir -p -- "+kd+" || tend_die "+q("cannot create "+dt.keyringsD))
		}
		if !p.keyDir.Exists || p.keyDir.Perm != 0o755 {
			if p.keyDir.Exists {
				diffs = append(diffs, Diff{Path: dt.keyringsD, Attr: "mode", Before: octal(p.keyDir.Perm), After: "0755"})
			}
			cmds = append(cmds, "chmod 0755 "+kd+" || tend_die "+q("chmod failed on "+dt.keyringsD))
		}
		same := p.keyOld.Exists && sha256.Sum256(p.keyOldC) == sha256.Sum256(p.key) && len(p.keyOldC) == len(p.key)
		if !same {
			d := Diff{Path: p.keyFile, Attr: "checksum", After: fmt.Sprintf("sha256:%x", sha256.Sum256(p.key))}
			if p.keyOld.Exists {
				d.Before = fmt.Sprintf("sha256:%x", sha256.Sum256(p.keyOldC))
			}
			diffs = append(diffs, d)
			s := newScript()
			if err := s.write(fileWrite{Path: p.keyFile, Content: p.key, Mode: 0o644}); err != nil {
				return nil, nil, nil, err
			}
			cmds = append(cmds, s.b.String())
		} else if p.keyOld.Perm != 0o644 {
			diffs = append(diffs, Diff{Path: p.keyFile, Attr: "mode", Before: octal(p.keyOld.Perm), After: "0644"})
			cmds = append(cmds, "chmod 0644 "+q(p.keyFile)+" || tend_die "+q("chmod failed on "+p.keyFile))
		}
	}
	if !p.src.Exists || p.old != p.repo {
		diffs = append(diffs, Diff{Path: dt.sources, Attr: "content", Before: p.old, After: p.repo})
		if !p.src.Exists {
			diffs = append(diffs, stateDiff(dt.sources, "absent", "file"))
		}
		w := fileWrite{Path: dt.sources, Content: []byte(p.repo), Mode: p.mode, CheckOld: true, Old: []byte(p.old), OldAbsent: !p.src.Exists}
		if p.src.Exists {
			w.KeepUID, w.KeepGID = p.src.UID, p.src.GID
		}
		s := newScript()
		if err := s.write(w); err != nil {
			return nil, nil, nil, err
		}
		cmds = append(cmds, s.b.String())
	}
	if p.src.Exists && p.mode != p.src.Perm {
		diffs = append(diffs, Diff{Path: dt.sources, Attr: "mode", Before: octal(p.src.Perm), After: octal(p.mode)})
		if p.old == p.repo {
			cmds = append(cmds, "chmod "+chmodArg(p.mode)+" "+q(dt.sources)+" || tend_die "+q("chmod failed on "+dt.sources))
		}
	}
	return p, diffs, cmds, nil
}

func (m deb822RepositoryModule) Plan(t *Task, probe Output) (*Change, error) {
	p, diffs, cmds, err := m.plan(t, probe)
	if err != nil || len(cmds) == 0 {
		return nil, err
	}
	s := newScript()
	s.use("tend_die", "tend_sum")
	for _, c := range cmds {
		s.add(c)
	}
	return &Change{
		Diffs: diffs,
		Apply: s.String(),
		Result: whenApplied(func(o Output) (Result, error) {
			return m.result(p, true), nil
		}),
	}, nil
}

func (deb822RepositoryModule) result(p *deb822Plan, changed bool) Result {
	res := Result{"changed": changed, "dest": p.dt.sources, "repo": nil, "key_filename": nil}
	if p.dt.state == "present" {
		res["repo"] = p.repo
		if p.keyFile != "" {
			res["key_filename"] = p.keyFile
		}
	} else {
		res["key_filename"] = p.dt.keyFile("gpg")
	}
	return res
}

func (m deb822RepositoryModule) Report(t *Task, probe Output) (Result, error) {
	p, _, _, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	return m.result(p, false), nil
}
