package modules

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// aptRepositoryModule is Ansible's apt_repository for one-line sources.
// The probe prints /etc/apt/sources.list and every sources.list.d/*.list;
// Plan runs Ansible's SourcesList in Go: a line the same as the repo
// (words normalised) anywhere, enabled or commented out, is enabled where
// it is; else the line is added to sources.list.d/FILENAME.list, named as
// Ansible names it. state=absent drops every enabled copy, and a file left
// with no lines is removed. Files are written as Ansible dumps them (one
// blank between words, "# " before disabled lines, " # " before comments).
//
// Where tend differs: only the files whose dump changes are rewritten
// (Ansible rewrites every file, normalised, whenever anything changed);
// ppa: lines are refused (Ansible asks Launchpad for the signing key).
// The cache is updated with apt-get update (Ansible: python-apt, retried),
// and the files are put back as they were when it fails, as Ansible does.
type aptRepositoryModule struct {
	root   string // prefix of every path, for tests
	aptGet string // the apt-get to run ("" for the PATH's), for tests
}

func init() { Register("apt_repository", aptRepositoryModule{}) }

func (aptRepositoryModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "repo", Kind: String, Required: true},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"absent", "present"}},
		{Name: "mode", Kind: Mode},
		{Name: "update_cache", Kind: Bool, Default: true, Aliases: []string{"update-cache"}},
		{Name: "update_cache_retries", Kind: Int, Default: 5},
		{Name: "update_cache_retry_max_delay", Kind: Int, Default: 12},
		{Name: "filename", Kind: String},
		{Name: "install_python_apt", Kind: Bool, Default: true},
		{Name: "validate_certs", Kind: Bool, Default: true},
		{Name: "codename", Kind: String},
	}}
}

// aptSourceLine is one line of a sources file, as SourcesList._parse
// reads it.
type aptSourceLine struct {
	valid, enabled  bool
	source, comment string
}

func (l aptSourceLine) String() string {
	var b strings.Builder
	if !l.enabled {
		b.WriteString("# ")
	}
	b.WriteString(l.source)
	if l.comment != "" {
		b.WriteString(" # " + l.comment)
	}
	b.WriteByte('\n')
	return b.String()
}

func isAptSourceType(s string) bool { return s == "deb" || s == "deb-src" }

func parseAptSourceLine(line string) aptSourceLine {
	l := aptSourceLine{enabled: true}
	line = pyStrip(line)
	if strings.HasPrefix(line, "#") {
		l.enabled = false
		line = line[1:]
	}
	if i := strings.IndexByte(line, '#'); i > 0 {
		l.comment = pyStrip(line[i+1:])
		line = line[:i]
	}
	l.source = pyStrip(line)
	if l.source != "" {
		if words := strings.Fields(l.source); isAptSourceType(words[0]) {
			l.valid = true
			l.source = strings.Join(words, " ")
		}
	}
	return l
}

// pyStrip is Python's str.strip() for the blanks sources files hold.
func pyStrip(s string) string { return strings.Trim(s, " \t\n\r\v\f") }

// aptSources is SourcesList: the files in the order read, by path.
type aptSources struct {
	order []string
	files map[string][]aptSourceLine
}

func (s *aptSources) dump(f string) string {
	var b strings.Builder
	for _, l := range s.files[f] {
		b.WriteString(l.String())
	}
	return b.String()
}

var (
	aptOptions = regexp.MustCompile(`\[[^\]]+\]`)
	aptScheme  = regexp.MustCompile(`\w+://`)
	aptNonWord = regexp.MustCompile(`[^a-zA-Z0-9]`)
)

// aptSuggestFilename is _suggest_filename: the file a new line goes in.
func aptSuggestFilename(source, filename string) string {
	if filename != "" {
		return filename + ".list"
	}
	line := aptOptions.ReplaceAllString(source, "")
	line = aptScheme.ReplaceAllString(line, "")
	var parts []string
	for _, p := range strings.Fields(line) {
		if !isAptSourceType(p) {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return ".list"
	}
	first := parts[0]
	if i := strings.IndexByte(first, '@'); i >= 0 {
		first = first[i+1:]
	}
	return strings.Join(strings.Fields(aptNonWord.ReplaceAllString(first, " ")), "_") + ".list"
}

type aptRepoTask struct {
	source, state, mode, file string
	update                    bool
}

func (m aptRepositoryModule) readTask(a Args) (aptRepoTask, error) {
	rt := aptRepoTask{state: a.String("state"), mode: a.String("mode"), update: a.Bool("update_cache")}
	repo := a.String("repo")
	if repo == "" {
		return rt, fmt.Errorf("Please set argument 'repo' to a non-empty value")
	}
	if strings.HasPrefix(repo, "ppa:") {
		return rt, fmt.Errorf("ppa: repositories are not supported: tend does not fetch Launchpad signing keys; add the key (apt_key, or a keyring and signed-by) and the deb line instead")
	}
	l := parseAptSourceLine(repo)
	if !l.valid || !l.enabled || strings.ContainsAny(repo, "\n\x00") {
		return rt, fmt.Errorf("Invalid repository string: %s", repo)
	}
	rt.source = l.source
	name := aptSuggestFilename(l.source, a.String("filename"))
	if strings.ContainsRune(name, 0) {
		return rt, fmt.Errorf("filename holds a NUL byte")
	}
	// _expand_path: a name with a slash is taken as it is.
	if strings.Contains(name, "/") {
		if !path.IsAbs(name) {
			return rt, fmt.Errorf("filename %q: a path must be absolute", name)
		}
		rt.file = m.root + path.Clean(name)
	} else {
		rt.file = m.root + "/etc/apt/sources.list.d/" + name
	}
	return rt, nil
}

func (m aptRepositoryModule) Probe(t *Task) (string, error) {
	_, err := m.readTask(t.Args)
	if err != nil {
		return "", err
	}
	s := newScript()
	s.use("tend_blob", "tend_stat")
	s.add("set +f; set -- ", q(m.root+"/etc/apt/sources.list.d/"), "*.list; set -f")
	s.add("tend_i=0")
	s.add("for tend_f in ", q(m.root+"/etc/apt/sources.list"), ` "$@"; do`)
	s.add(`	[ -f "$tend_f" ] || continue`)
	s.add(`	printf 'f%s.name:%s\n%s\n' "$tend_i" "${#tend_f}" "$tend_f"`)
	s.add(`	tend_stat "f$tend_i.st" "$tend_f" L || exit 1`)
	s.add(`	tend_blob "f$tend_i.body" "$tend_f" || exit 1`)
	s.add(`	tend_i=$((tend_i + 1))`)
	s.add("done")
	s.add("echo files=$tend_i")
	s.umask()
	return s.String(), nil
}

// aptRepoPlan is what Plan decides: each file's content before and after
// ("" and absent when it is to be removed).
type aptRepoPlan struct {
	rt      aptRepoTask
	before  *aptSources
	after   *aptSources
	raw     map[string][]byte
	stats   map[string]fileInfo // the files that exist
	changed []string            // files whose dump changes, sorted
	added   bool                // a line is added to rt.file
	umask   uint32
}

func (m aptRepositoryModule) plan(t *Task, probe Output) (*aptRepoPlan, error) {
	rt, err := m.readTask(t.Args)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	n, err := r.num("files")
	if err != nil {
		return nil, err
	}
	p := &aptRepoPlan{rt: rt, raw: map[string][]byte{}, stats: map[string]fileInfo{}}
	if p.umask, err = r.umask(); err != nil {
		return nil, err
	}
	load := func() *aptSources {
		s := &aptSources{files: map[string][]aptSourceLine{}}
		for i := int64(0); i < n; i++ {
			name, _ := r.blob(fmt.Sprintf("f%d.name", i))
			body, _ := r.blob(fmt.Sprintf("f%d.body", i))
			f := string(name)
			var lines []aptSourceLine
			for _, l := range strings.SplitAfter(string(body), "\n") {
				if l != "" {
					lines = append(lines, parseAptSourceLine(l))
				}
			}
			s.order = append(s.order, f)
			s.files[f] = lines
			p.raw[f] = body
		}
		return s
	}
	for i := int64(0); i < n; i++ {
		name, ok := r.blob(fmt.Sprintf("f%d.name", i))
		if !ok {
			return nil, fmt.Errorf("probe output lacks f%d.name", i)
		}
		if _, ok := r.blob(fmt.Sprintf("f%d.body", i)); !ok {
			return nil, fmt.Errorf("probe output lacks f%d.body", i)
		}
		fi, err := r.stat(fmt.Sprintf("f%d.st", i))
		if err != nil {
			return nil, err
		}
		p.stats[string(name)] = fi
	}
	p.before, p.after = load(), load()
	s := p.after
	if rt.state == "present" {
		found := false
		for _, f := range s.order {
			for i, l := range s.files[f] {
				if l.valid && l.source == rt.source {
					s.files[f][i].enabled = true
					found = true
				}
			}
		}
		if !found {
			if _, ok := s.files[rt.file]; !ok {
				s.order = append(s.order, rt.file)
			}
			s.files[rt.file] = append(s.files[rt.file], aptSourceLine{valid: true, enabled: true, source: rt.source})
			p.added = true
		}
	} else {
		for _, f := range s.order {
			kept := s.files[f][:0:0]
			for _, l := range s.files[f] {
				if !(l.valid && l.enabled && l.source == rt.source) {
					kept = append(kept, l)
				}
			}
			s.files[f] = kept
		}
	}
	for _, f := range s.order {
		if p.before.dump(f) != s.dump(f) {
			p.changed = append(p.changed, f)
		}
	}
	sort.Strings(p.changed)
	return p, nil
}

func (m aptRepositoryModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil || len(p.changed) == 0 {
		return nil, err
	}
	rt := p.rt
	var diffs []Diff
	s := newScript()
	s.use("tend_die")
	for _, f := range p.changed {
		after := p.after.dump(f)
		fi, existed := p.stats[f]
		diffs = append(diffs, Diff{Path: f, Attr: "content", Before: p.before.dump(f), After: after})
		if len(p.after.files[f]) == 0 {
			diffs = append(diffs, stateDiff(f, "file", "absent"))
			s.add("rm -f -- ", q(f), " || tend_die ", q("cannot remove "+f))
			continue
		}
		// atomic_move keeps an existing file's mode and owner; a new one
		// gets what the umask gives.
		w := fileWrite{Path: f, Content: []byte(after), Mode: 0o666 &^ p.umask}
		if existed {
			w.Mode, w.KeepUID, w.KeepGID = fi.Perm, fi.UID, fi.GID
		} else {
			diffs = append(diffs, stateDiff(f, "absent", "file"))
			s.add("mkdir -p -- ", q(path.Dir(f)), " || tend_die ", q("Failed to create directory "+path.Dir(f)))
		}
		// mode is set on the file a line was added to (new_repos).
		if f == rt.file && rt.mode != "" && p.added {
			mode, err := ApplyMode(rt.mode, w.Mode, false, p.umask)
			if err != nil {
				return nil, err
			}
			if mode != w.Mode {
				diffs = append(diffs, Diff{Path: f, Attr: "mode", Before: octal(w.Mode), After: octal(mode)})
			}
			w.Mode = mode
		}
		if err := s.write(w); err != nil {
			return nil, err
		}
	}
	if rt.update {
		apt := "apt-get"
		if m.aptGet != "" {
			apt = q(m.aptGet)
		}
		s.add(`tend_x=0; tend_o=$(`, apt, ` update -q 2>&1) || tend_x=$?`)
		s.add(`if [ "$tend_x" != 0 ]; then`)
		// revert_sources_list: the files go back as they were.
		for _, f := range p.changed {
			if fi, existed := p.stats[f]; existed {
				if err := s.write(fileWrite{Path: f, Content: p.raw[f], Mode: fi.Perm, KeepUID: fi.UID, KeepGID: fi.GID}); err != nil {
					return nil, err
				}
			} else {
				s.add("rm -f -- ", q(f))
			}
		}
		s.add(`	tend_die "Failed to update apt cache: $tend_o"`)
		s.add(`fi`)
		s.add(`mkdir -p -- `, q(m.root+"/var/lib/apt/periodic"), ` && touch -- `, q(m.root+aptStamp), ` || :`)
	}
	return &Change{
		Diffs: diffs,
		Apply: s.String(),
		Result: whenApplied(func(o Output) (Result, error) {
			return Result{"changed": true, "repo": t.Args.String("repo"), "state": rt.state}, nil
		}),
	}, nil
}

func (m aptRepositoryModule) Report(t *Task, probe Output) (Result, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "repo": t.Args.String("repo"), "state": p.rt.state, "diff": map[string]any{}}, nil
}
