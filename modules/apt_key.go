package modules

import (
	"fmt"
	"net/url"
	"strings"
)

// aptKeyModule is Ansible's apt_key. With apt-key on the host it runs
// Ansible's commands (apt-key adv --list-public-keys, add, del, adv
// --recv). Without it (Debian 13 has none), gpg does the same on the
// keyring files themselves: the keyring given, else /etc/apt/trusted.gpg
// and trusted.gpg.d/*.gpg, *.asc to look in and /etc/apt/trusted.gpg to add
// to (in OpenPGP keyring format, readable by apt). A key from url is
// downloaded by the probe (curl or wget), which reads its id with gpg, so
// check mode knows; the apply adds those bytes. gpg always runs with a
// private temporary home, never the user's.
type aptKeyModule struct {
	root string // prefix of the default keyring paths, for tests
}

func init() { Register("apt_key", aptKeyModule{}) }

func (aptKeyModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "id", Kind: String},
			{Name: "url", Kind: String},
			{Name: "data", Kind: String},
			{Name: "file", Kind: Path},
			{Name: "keyring", Kind: Path},
			{Name: "validate_certs", Kind: Bool, Default: true},
			{Name: "keyserver", Kind: String},
			{Name: "state", Kind: String, Default: "present", Choices: []string{"absent", "present"}},
		},
		Exclusive: [][]string{{"data", "file", "keyserver", "url"}},
	}
}

type aptKeyTask struct {
	id, url, data, file, keyring, keyserver, state string
	fetch                                          fetchOpts
}

func readAptKeyTask(a Args) (aptKeyTask, error) {
	kt := aptKeyTask{id: a.String("id"), url: a.String("url"), data: a.String("data"), file: a.String("file"),
		keyring: a.String("keyring"), keyserver: a.String("keyserver"), state: a.String("state")}
	if kt.id == "" && kt.keyserver != "" {
		return kt, fmt.Errorf("Missing key_id, required with keyserver.")
	}
	for _, p := range []struct{ name, v string }{{"file", kt.file}, {"keyring", kt.keyring}} {
		if p.v != "" {
			if err := checkAbs(p.name, p.v); err != nil {
				return kt, err
			}
		}
	}
	if strings.HasPrefix(kt.keyserver, "-") || strings.ContainsAny(kt.keyserver+kt.url, "\n\x00") {
		return kt, fmt.Errorf("keyserver and url must be one line, not an option")
	}
	if kt.url != "" {
		u, err := url.Parse(kt.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp" && u.Scheme != "file") {
			return kt, fmt.Errorf("url %q: only http, https, ftp and file URLs are supported", kt.url)
		}
		kt.fetch = fetchOpts{url: kt.url, agent: "ansible-httpget", timeout: 10, netrc: true,
			insecure: a.Has("validate_certs") && !a.Bool("validate_certs")}
	}
	if kt.id != "" {
		if _, _, _, err := parseAptKeyID(kt.id); err != nil {
			return kt, err
		}
	}
	return kt, nil
}

// parseAptKeyID is parse_key_id: the short id (for apt-key del), the
// long one (compared with the listing) and the whole id.
func parseAptKeyID(id string) (short, fp, full string, err error) {
	full = strings.ToUpper(strings.TrimSpace(id))
	full = strings.TrimPrefix(full, "0X")
	n := len(full)
	if n == 0 || strings.Trim(full, "0123456789ABCDEF") != "" {
		return "", "", "", fmt.Errorf("Invalid key_id %q", id)
	}
	if n != 8 && n != 16 && n <= 16 {
		return "", "", "", fmt.Errorf("key_id must be 8, 16, or 16+ hexadecimal characters in length")
	}
	short, fp = full[n-8:], full
	if n > 16 {
		fp = full[n-16:]
	}
	return short, fp, full, nil
}

// parseKeyListing is parse_output_for_keys: the ids of pub and sub keys
// (apt-key's "pub rsa4096/ID" lines or gpg's colons), and the
// fingerprint that follows each in gpg's colons.
func parseKeyListing(out string) (ids []string, fprs map[string]string) {
	fprs = map[string]string{}
	last := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "fpr:") && last != "" {
			if f := strings.Split(l, ":"); len(f) > 9 {
				fprs[last] = f[9]
			}
			last = ""
			continue
		}
		if !(strings.HasPrefix(l, "pub") || strings.HasPrefix(l, "sub")) || strings.Contains(l, "expired") {
			continue
		}
		id := ""
		if t := strings.Fields(l); len(t) > 1 && strings.Contains(t[1], "/") {
			id = t[1][strings.IndexByte(t[1], '/')+1:]
		} else if f := strings.Split(l, ":"); len(f) > 4 {
			id = f[4]
		}
		if id != "" {
			ids = append(ids, id)
			last = id
		}
	}
	return ids, fprs
}

func (m aptKeyModule) defaultKeyring() string { return m.root + "/etc/apt/trusted.gpg" }

func (m aptKeyModule) Probe(t *Task) (string, error) {
	kt, err := readAptKeyTask(t.Args)
	if err != nil {
		return "", err
	}
	s := newScript()
	s.use("tend_blob")
	s.add("if command -v apt-key >/dev/null 2>&1; then echo aptkey=1; else echo aptkey=0; fi")
	s.add("if command -v gpg >/dev/null 2>&1; then echo gpg=1; else echo gpg=0; exit 0; fi")
	s.add(`tend_h=$(umask 077; mktemp -d) || exit 1; trap 'rm -rf -- "$tend_h"' EXIT`)
	s.add(`tend_gpg() { gpg --homedir "$tend_h" --batch --no-tty "$@"; }`)
	// tend_show FILE KEY: the keys in FILE, in gpg's colons.
	s.add(`tend_show() { tend_gpg --with-colons --show-keys -- "$1" > "$tend_h/show" 2>/dev/null || tend_gpg --with-colons -- "$1" > "$tend_h/show" 2>/dev/null || :; tend_blob "$2" "$tend_h/show"; }`)
	if kt.id == "" {
		switch {
		case kt.url != "":
			s.add(detectTool, "echo tool=$tend_tool")
			s.add("case $tend_tool in")
			for _, tool := range []string{toolCurl, toolWget, toolBBWget} {
				s.add(tool, ")")
				s.add(kt.fetch.cmd(tool, `"$tend_h/key"`, `"$tend_h/err"`))
				s.add(`echo key.rc=$tend_rc`)
				s.add(`if [ "$tend_rc" = 0 ]; then tend_blob key "$tend_h/key" || exit 1; tend_show "$tend_h/key" show || exit 1`)
				s.add(`else tend_blob key.err "$tend_h/err" || :; fi`)
				s.add(";;")
			}
			s.add("esac")
		case kt.data != "":
			s.add(`( umask 077; `, printfAll([]byte(kt.data)), ` > "$tend_h/key" ) || exit 1`)
			s.add(`tend_show "$tend_h/key" show || exit 1`)
		case kt.file != "":
			s.add("if [ -f ", q(kt.file), " ]; then tend_show ", q(kt.file), " show || exit 1; fi")
		}
	}
	kr := ""
	if kt.keyring != "" {
		kr = "--keyring " + q(kt.keyring) + " "
	}
	s.add(`if [ "$(command -v apt-key)" ]; then`)
	s.add(`tend_x=0; apt-key `, kr, `adv --list-public-keys --keyid-format=long > "$tend_h/list" 2>"$tend_h/err" || tend_x=$?`)
	s.add(`echo list.rc=$tend_x; tend_blob list "$tend_h/list" || exit 1; tend_blob list.err "$tend_h/err" || exit 1`)
	s.add("else")
	if kt.keyring != "" {
		s.add("set -- ", q(kt.keyring))
	} else {
		s.add("set +f; set -- ", q(m.defaultKeyring()), " ", q(m.root+"/etc/apt/trusted.gpg.d/"), "*.gpg ", q(m.root+"/etc/apt/trusted.gpg.d/"), "*.asc; set -f")
	}
	s.add("tend_i=0")
	s.add(`for tend_f in "$@"; do`)
	s.add(`	[ -f "$tend_f" ] || continue`)
	s.add(`	printf 'k%s.name:%s\n%s\n' "$tend_i" "${#tend_f}" "$tend_f"`)
	s.add(`	tend_show "$tend_f" "k$tend_i.list" || exit 1`)
	s.add(`	tend_i=$((tend_i + 1))`)
	s.add("done")
	s.add("echo files=$tend_i")
	s.add("fi")
	return s.String(), nil
}

// aptKeyPlan is what the probe found.
type aptKeyPlan struct {
	kt                   aptKeyTask
	aptKey               bool
	idGiven              string
	short, fp, full      string
	keys                 []string
	files                []string // gpg: the keyring files that hold the key
	fpr                  string   // gpg: the key's fingerprint
	key                  []byte   // the key's bytes, from url
	present, shortFormat bool
}

func (m aptKeyModule) plan(t *Task, probe Output) (*aptKeyPlan, error) {
	kt, err := readAptKeyTask(t.Args)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	p := &aptKeyPlan{kt: kt}
	if ok, err := r.flag("gpg"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorf("apt_key needs gpg on the host (and apt-key, where apt still has it): gpg was not found in PATH")
	}
	if p.aptKey, err = r.flag("aptkey"); err != nil {
		return nil, err
	}
	id := kt.id
	if id == "" {
		if kt.url != "" {
			if tool, _ := r.opt("tool"); tool == toolNone {
				return nil, errorf("error getting key id from url: %s: the host has neither curl nor wget", kt.url)
			}
			if rc, _ := r.opt("key.rc"); rc != "0" {
				e, _ := r.blob("key.err")
				return nil, errorf("Failed to download key at %s: %s", kt.url, strings.TrimSpace(string(e)))
			}
			p.key, _ = r.blob("key")
		}
		show, ok := r.blob("show")
		if kt.file != "" && !ok {
			return nil, errorf("Unable to extract key from '%s': no such file", kt.file)
		}
		if ids, _ := parseKeyListing(string(show)); len(ids) > 0 {
			id = ids[0]
		} else if kt.url != "" || kt.data != "" || kt.file != "" {
			what := kt.file
			if what == "" {
				what = "inline data"
			}
			return nil, errorf("Unable to extract key from '%s'", what)
		}
	}
	p.idGiven = id
	if p.short, p.fp, p.full, err = parseAptKeyID(id); err != nil {
		return nil, errorf("Invalid key_id")
	}
	p.shortFormat = len(p.full) == 8
	if p.aptKey {
		if rc, _ := r.opt("list.rc"); rc != "0" {
			e, _ := r.blob("list.err")
			return nil, errorf("Unable to list public keys: %s", strings.TrimSpace(string(e)))
		}
		out, _ := r.blob("list")
		p.keys, _ = parseKeyListing(string(out))
	} else {
		n, err := r.num("files")
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < n; i++ {
			name, _ := r.blob(fmt.Sprintf("k%d.name", i))
			out, _ := r.blob(fmt.Sprintf("k%d.list", i))
			ids, fprs := parseKeyListing(string(out))
			for _, k := range ids {
				if strings.HasSuffix(k, p.fp) {
					p.files = append(p.files, string(name))
					p.fpr = fprs[k]
				}
			}
			p.keys = append(p.keys, ids...)
		}
	}
	if p.shortFormat {
		for i, k := range p.keys {
			if len(k) > 8 {
				p.keys[i] = k[len(k)-8:]
			}
		}
	}
	p.present = p.has(p.keys)
	if kt.state == "absent" {
		p.present = false
		for _, k := range p.keys {
			p.present = p.present || strings.HasSuffix(k, p.fp)
		}
	}
	return p, nil
}

// has says whether the key is in a listing, as Ansible compares.
func (p *aptKeyPlan) has(keys []string) bool {
	want := p.fp
	if p.shortFormat {
		want = p.short
	}
	for _, k := range keys {
		if k == want {
			return true
		}
	}
	return false
}

func (m aptKeyModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	kt := p.kt
	if (kt.state == "present") == p.present {
		return nil, nil
	}
	s := newScript()
	s.use("tend_die", "tend_blob")
	s.add(`tend_h=$(umask 077; mktemp -d) || exit 1; trap 'rm -rf -- "$tend_h"' EXIT`)
	s.add(`tend_gpg() { gpg --homedir "$tend_h" --batch --no-tty "$@"; }`)
	kr := ""
	if kt.keyring != "" {
		kr = "--keyring " + q(kt.keyring) + " "
	}
	data := []byte(kt.data)
	if kt.url != "" {
		data = p.key
	}
	from := ""
	if kt.file != "" {
		from = q(kt.file)
	} else if kt.keyserver == "" {
		s.add(`( umask 077; `, printfAll(data), ` > "$tend_h/key" ) || tend_die "cannot write a temporary file"`)
		from = `"$tend_h/key"`
	}
	var diffs []Diff
	target := kt.keyring
	if target == "" {
		target = "apt keys"
	}
	if kt.state == "present" {
		diffs = append(diffs, Diff{Path: target, Attr: "key", After: p.full})
		switch {
		case p.aptKey && kt.keyserver != "":
			s.add(`tend_o=$(apt-key `, kr, `adv --no-tty --keyserver `, q(kt.keyserver), ` --recv `, q(p.full), ` 2>&1) || tend_die `, q("Error fetching key "+p.full+" from keyserver: "+kt.keyserver+": "), `"$tend_o"`)
		case p.aptKey:
			s.add(`tend_o=$(apt-key `, kr, `add `, from, ` 2>&1) || tend_die `, q("Unable to add a key: "), `"$tend_o"`)
		default:
			ring := kt.keyring
			if ring == "" {
				ring = m.defaultKeyring()
			}
			s.add(`[ -e `, q(ring), ` ] && tend_n=0 || tend_n=1`)
			src := "--import " + from
			if kt.keyserver != "" {
				src = "--keyserver " + q(kt.keyserver) + " --recv-keys " + q(p.full)
			}
			s.add(`tend_o=$(tend_gpg --no-default-keyring --keyring `, q("gnupg-ring:"+ring), ` `, src, ` 2>&1) || tend_die `, q("Unable to add the key to "+ring+": "), `"$tend_o"`)
			if kt.keyserver != "" {
				s.add(`gpgconf --homedir "$tend_h" --kill all 2>/dev/null || :`)
			}
			// apt reads keyrings as another user.
			s.add(`[ "$tend_n" = 0 ] || chmod 0644 `, q(ring), ` || tend_die "chmod failed on `, ring, `"`)
			s.add(`rm -f -- `, q(ring+"~"))
		}
	} else {
		diffs = append(diffs, Diff{Path: target, Attr: "key", Before: p.full})
		if p.aptKey {
			s.add(`tend_o=$(apt-key `, kr, `del `, q(p.short), ` 2>&1) || tend_die `, q("Unable to remove a key with id "+p.short+": "), `"$tend_o"`)
		} else {
			fpr := p.fpr
			for _, f := range p.files {
				if strings.HasSuffix(f, ".asc") || fpr == "" {
					return nil, errorf("cannot remove key %s from %s (an armored file, or no fingerprint): remove the file instead", p.full, f)
				}
				ring := `--no-default-keyring --keyring ` + q("gnupg-ring:"+f)
				s.add(`tend_gpg `, ring, ` --list-keys `, q(fpr), ` >/dev/null 2>&1 &&`)
				s.add(`{ tend_o=$(tend_gpg `, ring, ` --yes --delete-keys `, q(fpr), ` 2>&1) || tend_die `, q("Unable to remove a key with id "+p.short+": "), `"$tend_o"; }`)
				s.add(`rm -f -- `, q(f+"~"))
			}
		}
	}
	// The keys after, to check that the change took.
	if p.aptKey {
		s.add(`apt-key `, kr, `adv --list-public-keys --keyid-format=long > "$tend_h/list" 2>/dev/null || :`)
		s.add(`tend_blob after "$tend_h/list"`)
	} else {
		ring := kt.keyring
		if ring == "" {
			ring = m.defaultKeyring()
		}
		files := append([]string{ring}, p.files...)
		s.add(`: > "$tend_h/list"`)
		for _, f := range files {
			s.add(`[ ! -f `, q(f), ` ] || tend_gpg --with-colons --show-keys -- `, q(f), ` >> "$tend_h/list" 2>/dev/null || :`)
		}
		s.add(`tend_blob after "$tend_h/list"`)
	}
	return &Change{Diffs: diffs, Apply: s.String(), Result: func(o Output) (Result, error) {
		res := p.result(true)
		if o.ExitCode != 0 {
			return failedApplyWith(o, res), nil
		}
		r, err := parseRecords(o.Stdout)
		if err != nil {
			return nil, fmt.Errorf("apply printed something unexpected: %v", err)
		}
		out, _ := r.blob("after")
		after, _ := parseKeyListing(string(out))
		if p.shortFormat {
			for i, k := range after {
				if len(k) > 8 {
					after[i] = k[len(k)-8:]
				}
			}
		}
		res["after"] = after
		const noError = "apt-key did not return an error, but %s (check that the id is correct and *not* a subkey)"
		if kt.state == "present" && !p.has(after) {
			res["failed"], res["msg"] = true, fmt.Sprintf(noError, "failed to add the key")
		}
		if kt.state == "absent" {
			for _, k := range after {
				if strings.HasSuffix(k, p.fp) {
					res["failed"], res["msg"] = true, fmt.Sprintf(noError, "the key was not removed")
				}
			}
		}
		return res, nil
	}}, nil
}

func (p *aptKeyPlan) result(changed bool) Result {
	return Result{"changed": changed, "id": p.idGiven, "short_id": p.short, "fp": p.fp, "key_id": p.full, "before": p.keys}
}

func (m aptKeyModule) Report(t *Task, probe Output) (Result, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	return p.result(false), nil
}
