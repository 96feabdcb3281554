package modules

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

// authorizedKeyModule is ansible.posix.authorized_key. The probe finds the
// user's home (getent, else /etc/passwd) and prints the keys file; Plan
// runs Ansible's enforce_state on it in Go (its parsing of key lines, its
// ordering and its idempotence); Apply writes the file atomically, 0600
// and owned by the user, and (manage_dir) makes its folder 0700.
type authorizedKeyModule struct{}

func init() {
	Register("authorized_key", authorizedKeyModule{})
}

func (authorizedKeyModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "user", Kind: String, Required: true},
		{Name: "key", Kind: String, Required: true},
		{Name: "path", Kind: Path},
		{Name: "manage_dir", Kind: Bool, Default: true},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"absent", "present"}},
		{Name: "key_options", Kind: String},
		{Name: "exclusive", Kind: Bool, Default: false},
		{Name: "comment", Kind: String},
		{Name: "validate_certs", Kind: Bool, Default: true},
		{Name: "follow", Kind: Bool, Default: false},
	}}
}

// sshKeyTypes are the key types Ansible recognises (VALID_SSH2_KEY_TYPES).
var sshKeyTypes = map[string]bool{
	"sk-ecdsa-sha2-nistp256@openssh.com": true, "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com": true,
	"webauthn-sk-ecdsa-sha2-nistp256@openssh.com": true, "ecdsa-sha2-nistp256": true,
	"ecdsa-sha2-nistp256-cert-v01@openssh.com": true, "ecdsa-sha2-nistp384": true,
	"ecdsa-sha2-nistp384-cert-v01@openssh.com": true, "ecdsa-sha2-nistp521": true,
	"ecdsa-sha2-nistp521-cert-v01@openssh.com": true, "sk-ssh-ed25519@openssh.com": true,
	"sk-ssh-ed25519-cert-v01@openssh.com": true, "ssh-ed25519": true, "ssh-ed25519-cert-v01@openssh.com": true,
	"ssh-dss": true, "ssh-rsa": true, "ssh-xmss@openssh.com": true, "ssh-xmss-cert-v01@openssh.com": true,
	"rsa-sha2-256": true, "rsa-sha2-512": true, "ssh-rsa-cert-v01@openssh.com": true,
	"rsa-sha2-256-cert-v01@openssh.com": true, "rsa-sha2-512-cert-v01@openssh.com": true,
	"ssh-dss-cert-v01@openssh.com": true,
}

// sshKey is one line of a keys file, parsed as Ansible's parsekey does.
// A line that is not a key (a comment, garbage) is kept raw.
type sshKey struct {
	blob, typ, comment string
	opts               []keyOpt
	raw                string // skipped lines: the line as it is
	rank               int
}

type keyOpt struct {
	name  string
	value *string // nil for a flag (no-pty)
}

func (k sshKey) skipped() bool { return k.typ == "" }

// parseSSHKey is parsekey: fields split at blanks, the first known type
// ends the options; nil when the line holds no key.
func parseSSHKey(line string, rank int) *sshKey {
	parts := strings.Fields(strings.ReplaceAll(line, `\#`, "#"))
	if len(parts) > 0 && parts[0] == "#" {
		return nil
	}
	for i, p := range parts {
		if !sshKeyTypes[p] {
			continue
		}
		if i+1 >= len(parts) {
			return nil // a type without a key
		}
		k := &sshKey{typ: p, blob: parts[i+1], comment: strings.Join(parts[i+2:], " "), rank: rank}
		k.opts = parseKeyOptions(strings.Join(parts[:i], " "))
		return k
	}
	return nil
}

// parseKeyOptions is parseoptions: comma-separated, commas inside quotes
// kept; name=value keeps the value's quotes.
func parseKeyOptions(s string) []keyOpt {
	var out []keyOpt
	var cur strings.Builder
	var quote byte
	flush := func() {
		part := cur.String()
		cur.Reset()
		if part == "" {
			return
		}
		if n, v, ok := strings.Cut(part, "="); ok {
			out = append(out, keyOpt{n, &v})
		} else {
			out = append(out, keyOpt{name: part})
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			// A quote opens only when it closes (the regexp's "[^"]*").
			if strings.IndexByte(s[i+1:], c) >= 0 {
				quote = c
			}
		case c == ',':
			flush()
			continue
		}
		cur.WriteByte(c)
	}
	flush()
	return out
}

func (k sshKey) optString() string {
	var l []string
	for _, o := range k.opts {
		if o.value == nil {
			l = append(l, o.name)
		} else {
			l = append(l, o.name+"="+*o.value)
		}
	}
	return strings.Join(l, ",")
}

// same compares type, options (as a dict: order aside), comment.
func (k sshKey) same(o sshKey) bool {
	if k.typ != o.typ || k.comment != o.comment || len(k.opts) != len(o.opts) {
		return false
	}
	set := func(l []keyOpt) []string {
		var s []string
		m := map[string]bool{}
		for _, x := range l {
			v := "\x00"
			if x.value != nil {
				v = *x.value
			}
			if !m[x.name] {
				m[x.name] = true
				s = append(s, x.name+"="+v)
			}
		}
		sort.Strings(s)
		return s
	}
	return strings.Join(set(k.opts), "\n") == strings.Join(set(o.opts), "\n")
}

// line is serialize's "%s%s %s %s\n" (a key without a comment keeps the
// blank before it, as Ansible writes it).
func (k sshKey) line() string {
	if k.skipped() {
		return k.raw
	}
	o := k.optString()
	if o != "" {
		o += " "
	}
	return o + k.typ + " " + k.blob + " " + k.comment + "\n"
}

// keyFile is a keys file, parsed: parsekeys' dict (keyed by the blob, or
// the raw line for lines that are not keys; a later line with the same
// key wins), in the order of ranks.
type keyFile struct {
	keys map[string]sshKey
}

func parseKeyFile(content string) keyFile {
	kf := keyFile{keys: map[string]sshKey{}}
	for i, l := range splitLines(content) {
		if k := parseSSHKey(l, i); k != nil {
			kf.keys[k.blob] = *k
		} else {
			kf.keys[l] = sshKey{raw: l, rank: i}
		}
	}
	return kf
}

func (kf keyFile) serialize() string {
	l := make([]sshKey, 0, len(kf.keys))
	for _, k := range kf.keys {
		l = append(l, k)
	}
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].rank != l[j].rank {
			return l[i].rank < l[j].rank
		}
		return l[i].blob < l[j].blob
	})
	var b strings.Builder
	for i, k := range l {
		s := k.line()
		// A last line without a newline that is no longer last would join
		// the next one (Ansible's would): end it.
		if i < len(l)-1 && !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		b.WriteString(s)
	}
	return b.String()
}

// enforce is enforce_state: it returns the new content and whether it
// differs in Ansible's eyes (it may not write what it read).
func enforceKeys(existing string, a Args) (string, bool, error) {
	kf := parseKeyFile(existing)
	maxRank := len(kf.keys)
	state := a.String("state")
	write := false
	var toExist []string
	var keyOpts []keyOpt
	hasOpts := a.Has("key_options")
	if hasOpts {
		keyOpts = parseKeyOptions(a.String("key_options"))
	}
	rank := 0
	for _, l := range strings.Split(strings.ReplaceAll(a.String("key"), "\r\n", "\n"), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k := parseSSHKey(l, rank)
		rank++
		if k == nil {
			return "", false, errorf("invalid key specified: %s", l)
		}
		if hasOpts {
			k.opts = keyOpts
		}
		if a.Has("comment") {
			k.comment = a.String("comment")
		}
		cur, found := kf.keys[k.blob]
		matched := found && (state != "present" || cur.same(*k))
		if state == "present" {
			toExist = append(toExist, k.blob)
			if found && !matched {
				delete(kf.keys, k.blob)
				write = true
			}
			if !matched {
				k.rank += maxRank
				kf.keys[k.blob] = *k
				write = true
			}
		} else if matched {
			delete(kf.keys, k.blob)
			write = true
		}
	}
	if state == "present" && a.Bool("exclusive") {
		keep := map[string]bool{}
		for _, b := range toExist {
			keep[b] = true
		}
		for b := range kf.keys {
			if !keep[b] {
				delete(kf.keys, b)
				write = true
			}
		}
	}
	if !write {
		return existing, false, nil
	}
	return kf.serialize(), true, nil
}

// authKeyLimit bounds the keys file read.
const authKeyLimit = 4 << 20

func (authorizedKeyModule) check(t *Task) error {
	a := t.Args
	if err := checkAcctName("user", a.String("user")); err != nil {
		return err
	}
	if k := a.String("key"); strings.HasPrefix(k, "http") {
		return fmt.Errorf("key from a URL (%s) is not supported: fetch it with a lookup or get_url first", k)
	}
	if a.Has("path") {
		if err := checkAbs("path", a.String("path")); err != nil {
			return err
		}
	}
	return nil
}

func (m authorizedKeyModule) Probe(t *Task) (string, error) {
	if err := m.check(t); err != nil {
		return "", err
	}
	a := t.Args
	s := newScript()
	useSvcVal(s)
	s.add("tend_n=", q(a.String("user")), "; export tend_n")
	// The user's line: NSS first (getent), else the file.
	s.add(`if command -v getent >/dev/null 2>&1; then tend_o=$(getent passwd "$tend_n") || tend_o=; else`)
	s.add(`tend_o=$(awk -F: '$1 == ENVIRON["tend_n"] { print; exit }' /etc/passwd) || exit 1; fi`)
	s.add(`case $tend_o in "$tend_n":*) echo user=1; tend_val pw "$tend_o" || exit 1 ;; *) echo user=0 ;; esac`)
	if a.Has("path") {
		s.add("tend_d=", q(cleanPath(a.String("path"))))
	} else {
		s.add(`tend_d=$(printf '%s\n' "$tend_o" | cut -d: -f6)/.ssh/authorized_keys`)
	}
	if a.Bool("follow") {
		s.use("tend_follow")
		s.add(`tend_follow || { echo "cannot follow the links from $tend_d" >&2; exit 1; }`)
	}
	s.add(`tend_val file "$tend_d" || exit 1`)
	s.add(`tend_f=$tend_d`)
	s.stat("p", `"$tend_f"`, true, "", "")
	s.use("tend_content")
	s.add(`tend_content c "$tend_f" `, strconv.Itoa(authKeyLimit), ` -1 "$tend_sz" || exit 1`)
	s.stat("dir", `"${tend_f%/*}"`, true, "", "")
	return s.String(), nil
}

// akState is what the probe found.
type akState struct {
	file, home, gid string
	userOK          bool
	fi              fileInfo
	content         string
	dirExists       bool
}

func (m authorizedKeyModule) read(t *Task, probe Output) (*akState, error) {
	if err := m.check(t); err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	st := &akState{}
	if st.userOK, err = r.flag("user"); err != nil {
		return nil, err
	}
	user := t.Args.String("user")
	if !st.userOK && !t.Args.Has("path") {
		return nil, errorf("Failed to lookup user %s: getpwnam(): name not found: '%s'", user, user)
	}
	if st.userOK {
		pw, _ := r.blob("pw")
		f := strings.Split(string(pw), ":")
		if len(f) < 7 {
			return nil, fmt.Errorf("probe: bad passwd line for %s", user)
		}
		st.gid, st.home = f[3], f[5]
		if !t.Args.Has("path") && !path.IsAbs(st.home) {
			return nil, fmt.Errorf("the home of %s is %q, not an absolute path", user, st.home)
		}
	}
	fb, ok := r.blob("file")
	if !ok {
		return nil, fmt.Errorf("probe output lacks file")
	}
	st.file = string(fb)
	if st.fi, err = r.stat("p"); err != nil {
		return nil, err
	}
	if st.fi.Exists {
		if st.fi.Type != '-' {
			return nil, fmt.Errorf("%s is a %s, not a file", st.file, st.fi.Kind())
		}
		c, ok := r.blob("c")
		if !ok {
			return nil, fmt.Errorf("%s is bigger than tend reads (%d MiB)", st.file, authKeyLimit>>20)
		}
		st.content = string(c)
	}
	dir, err := r.stat("dir")
	if err != nil {
		return nil, err
	}
	st.dirExists = dir.Exists
	return st, nil
}

func (m authorizedKeyModule) Plan(t *Task, probe Output) (*Change, error) {
	st, err := m.read(t, probe)
	if err != nil {
		return nil, err
	}
	a := t.Args
	after, changed, err := enforceKeys(st.content, a)
	if err != nil || !changed {
		return nil, err
	}
	user := a.String("user")
	s := newScript()
	s.use("tend_die")
	own := ownership{Owner: user, Group: st.gid}
	dir := path.Dir(st.file)
	if a.Bool("manage_dir") {
		// Ansible makes the folder (not its parents), and gives it to the
		// user, 0700, whenever it writes.
		d := q(dir)
		s.add("[ -d ", d, " ] || mkdir -m 0700 -- ", d, " || tend_die ", q("Failed to create directory "+dir))
		for _, c := range own.cmds(d, false) {
			s.add(c)
		}
		s.add("chmod 0700 ", d, " || tend_die ", q("chmod failed on "+dir))
	} else {
		s.add("[ -d ", q(dir), " ] || mkdir -p -- ", q(dir), " || tend_die ", q("cannot create directory "+dir))
	}
	w := fileWrite{Path: st.file, Content: []byte(after), Mode: 0o600, Own: own,
		CheckOld: true, Old: []byte(st.content), OldAbsent: !st.fi.Exists}
	if err := s.write(w); err != nil {
		return nil, err
	}
	res := m.result(t, st)
	res["changed"] = true
	return &Change{
		Diffs:  []Diff{{Path: st.file, Attr: "content", Before: st.content, After: after}},
		Apply:  s.String(),
		Result: appliedResult(res),
	}, nil
}

// result holds Ansible's keys: the arguments, and keyfile.
func (authorizedKeyModule) result(t *Task, st *akState) Result {
	res := Result{"keyfile": st.file}
	for _, k := range []string{"user", "key", "path", "manage_dir", "state", "key_options", "exclusive", "comment", "validate_certs", "follow"} {
		res[k] = t.Args[k]
	}
	return res
}

func (m authorizedKeyModule) Report(t *Task, probe Output) (Result, error) {
	st, err := m.read(t, probe)
	if err != nil {
		return nil, err
	}
	res := m.result(t, st)
	res["changed"] = false
	return res, nil
}
