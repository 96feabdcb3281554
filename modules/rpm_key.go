package modules

import (
	"fmt"
	"regexp"
	"strings"
)

// rpmKeyModule is Ansible's rpm_key: rpm --import and rpm --erase
// gpg-pubkey-ID, with rpm and gpg (or gpg2) on the host, as Ansible needs
// them. The probe reads the key's id (a key from a URL is downloaded
// there, with curl or wget, so check mode knows) and the keys rpm has;
// the apply imports the bytes the probe read.
type rpmKeyModule struct {
	rpm string // the rpm to run ("" for the PATH's), for tests: busybox sh runs its own applet first
}

func init() { Register("rpm_key", rpmKeyModule{}) }

func (rpmKeyModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "key", Kind: String, Required: true},
		{Name: "state", Kind: String, Default: "present", Choices: []string{"absent", "present"}},
		{Name: "fingerprint", Kind: String},
		{Name: "validate_certs", Kind: Bool, Default: true},
	}}
}

var rpmKeyID = regexp.MustCompile(`(?i)^(0x)?[0-9a-f]{8}`)

type rpmKeyTask struct {
	key, state, fingerprint string
	url                     bool
	fetch                   fetchOpts
}

func readRPMKeyTask(a Args) (rpmKeyTask, error) {
	kt := rpmKeyTask{key: a.String("key"), state: a.String("state"),
		fingerprint: strings.ToUpper(strings.ReplaceAll(a.String("fingerprint"), " ", ""))}
	if strings.ContainsAny(kt.key, "\n\x00") || kt.key == "" {
		return kt, fmt.Errorf("Not a valid key %s", kt.key)
	}
	if strings.Contains(kt.key, "://") {
		kt.url = true
		kt.fetch = fetchOpts{url: kt.key, agent: "ansible-httpget", timeout: 10, netrc: true,
			insecure: a.Has("validate_certs") && !a.Bool("validate_certs")}
	} else if !rpmKeyID.MatchString(kt.key) && !strings.HasPrefix(kt.key, "/") {
		return kt, fmt.Errorf("Not a valid key %s (a file must be an absolute path)", kt.key)
	}
	return kt, nil
}

func (m rpmKeyModule) cmd() string {
	if m.rpm == "" {
		return "rpm"
	}
	return q(m.rpm)
}

func (m rpmKeyModule) Probe(t *Task) (string, error) {
	kt, err := readRPMKeyTask(t.Args)
	if err != nil {
		return "", err
	}
	rpm := m.cmd()
	s := newScript()
	s.use("tend_blob")
	// busybox's rpm installs packages but knows no --version nor --import.
	s.add("if ", rpm, " --version >/dev/null 2>&1; then echo rpm=1; else echo rpm=0; exit 0; fi")
	s.add("if command -v gpg >/dev/null 2>&1; then tend_g=gpg; elif command -v gpg2 >/dev/null 2>&1; then tend_g=gpg2; else echo gpg=0; exit 0; fi; echo gpg=1")
	s.add(`tend_h=$(umask 077; mktemp -d) || exit 1; trap 'rm -rf -- "$tend_h"' EXIT`)
	s.add(`tend_gpg() { "$tend_g" --homedir "$tend_h" --no-tty --batch --with-colons --fixed-list-mode "$@"; }`)
	switch {
	case kt.url:
		s.add(detectTool, "echo tool=$tend_tool")
		s.add("case $tend_tool in")
		for _, tool := range []string{toolCurl, toolWget, toolBBWget} {
			s.add(tool, ")")
			s.add(kt.fetch.cmd(tool, `"$tend_h/key"`, `"$tend_h/err"`))
			s.add(`echo key.rc=$tend_rc`)
			s.add(`if [ "$tend_rc" = 0 ]; then tend_blob key "$tend_h/key" || exit 1; tend_f="$tend_h/key"`)
			s.add(`else tend_blob key.err "$tend_h/err" || :; fi`)
			s.add(";;")
		}
		s.add("esac")
	case rpmKeyID.MatchString(kt.key):
		s.add("tend_f=")
	default:
		s.add("if [ -f ", q(kt.key), " ]; then echo file=1; tend_f=", q(kt.key), "; else echo file=0; tend_f=; fi")
	}
	s.add(`if [ -n "${tend_f-}" ]; then tend_gpg --with-fingerprint -- "$tend_f" > "$tend_h/show" 2>&1 || :; tend_blob show "$tend_h/show" || exit 1; fi`)
	s.add(`if `, rpm, ` -q gpg-pubkey >/dev/null 2>&1; then`)
	s.add(rpm, ` -q gpg-pubkey --qf '%{description}' | tend_gpg - > "$tend_h/have" 2>/dev/null || :`)
	s.add(`tend_blob have "$tend_h/have" || exit 1`)
	s.add("fi")
	return s.String(), nil
}

type rpmKeyPlan struct {
	kt       rpmKeyTask
	keyid    string
	key      []byte // from the URL
	imported bool
}

func (rpmKeyModule) plan(t *Task, probe Output) (*rpmKeyPlan, error) {
	kt, err := readRPMKeyTask(t.Args)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	if ok, err := r.flag("rpm"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorf("Failed to find required executable rpm in paths: rpm_key needs rpm on the host (busybox's cannot import keys)")
	}
	if ok, err := r.flag("gpg"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorf("Failed to find required executable gpg2 in paths: rpm_key needs gpg on the host")
	}
	p := &rpmKeyPlan{kt: kt}
	show, hasShow := r.blob("show")
	switch {
	case kt.url:
		if tool, _ := r.opt("tool"); tool == toolNone {
			return nil, errorf("failed to fetch key at %s: the host has neither curl nor wget", kt.key)
		}
		if rc, _ := r.opt("key.rc"); rc != "0" {
			e, _ := r.blob("key.err")
			return nil, errorf("failed to fetch key at %s , error was: %s", kt.key, strings.TrimSpace(string(e)))
		}
		p.key, _ = r.blob("key")
		if !strings.Contains(string(p.key), "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
			return nil, errorf("Not a public key: %s", kt.key)
		}
	case rpmKeyID.MatchString(kt.key):
		p.keyid = kt.key
	default:
		if f, _ := r.opt("file"); f != "1" {
			return nil, errorf("Not a valid key %s", kt.key)
		}
	}
	var fpr string
	if p.keyid == "" {
		for _, l := range strings.Split(string(show), "\n") {
			f := strings.Split(strings.TrimSpace(l), ":")
			if f[0] == "pub" && len(f) > 4 && p.keyid == "" {
				p.keyid = f[4]
			}
			if f[0] == "fpr" && len(f) > 9 && fpr == "" {
				fpr = f[9]
			}
		}
		if p.keyid == "" || !hasShow {
			return nil, errorf("Unexpected gpg output")
		}
	}
	p.keyid = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(p.keyid)), "0X")
	p.imported = p.has(r)
	if kt.state == "present" && !p.imported {
		if !hasShow {
			return nil, errorf("When importing a key, a valid file must be given")
		}
		if kt.fingerprint != "" && kt.fingerprint != fpr {
			return nil, errorf("The specified fingerprint, '%s', does not match the key fingerprint '%s'", kt.fingerprint, fpr)
		}
	}
	return p, nil
}

// has is is_key_imported: the id is within a key id rpm has.
func (p *rpmKeyPlan) has(r *records) bool {
	have, _ := r.blob("have")
	for _, l := range strings.Split(string(have), "\n") {
		if f := strings.Split(l, ":"); len(f) > 4 && strings.Contains(f[4], p.keyid) {
			return true
		}
	}
	return false
}

func (m rpmKeyModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil || (p.kt.state == "present") == p.imported {
		return nil, err
	}
	rpm := m.cmd()
	s := newScript()
	s.use("tend_die")
	var diffs []Diff
	if p.kt.state == "present" {
		diffs = append(diffs, Diff{Path: "rpm keys", Attr: "key", After: p.keyid})
		file := q(p.kt.key)
		if p.kt.url {
			s.add(`tend_h=$(umask 077; mktemp -d) || exit 1; trap 'rm -rf -- "$tend_h"' EXIT`)
			s.add(`( umask 077; `, printfAll(p.key), ` > "$tend_h/key" ) || tend_die "cannot write a temporary file"`)
			file = `"$tend_h/key"`
		}
		s.add(`tend_o=$(`, rpm, ` --import `, file, ` 2>&1) || tend_die "$tend_o"`)
	} else {
		diffs = append(diffs, Diff{Path: "rpm keys", Attr: "key", Before: p.keyid})
		name := q("gpg-pubkey-" + strings.ToLower(p.keyid[max(0, len(p.keyid)-8):]))
		s.add(`if `, rpm, ` -q `, name, ` >/dev/null 2>&1; then tend_o=$(`, rpm, ` --erase --allmatches `, name, ` 2>&1) || tend_die "$tend_o"; fi`)
	}
	return &Change{Diffs: diffs, Apply: s.String(), Result: whenApplied(func(o Output) (Result, error) {
		return Result{"changed": true}, nil
	})}, nil
}

func (m rpmKeyModule) Report(t *Task, probe Output) (Result, error) {
	if _, err := m.plan(t, probe); err != nil {
		return nil, err
	}
	return Result{"changed": false}, nil
}
