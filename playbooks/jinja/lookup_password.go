package jinja

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The password lookup, as Ansible's: a random password, stored in a file
// on the machine running tend so that later runs read it back. The term
// is the file's path (relative to the play's directory) and k=v options:
// length (20), chars, encrypt (a crypt hash of the password is returned;
// the salt is stored beside the password), seed (the same seed gives
// the same password, as Python's random.Random(seed) does) and ident.
// The file is created 0600, its directories 0700; /dev/null means a new
// password each time, stored nowhere.

var passwordParams = map[string]bool{"length": true, "encrypt": true, "chars": true, "ident": true, "seed": true}

// stringModule are the names of Python's string module the chars option
// may use.
var stringModule = map[string]string{
	"ascii_letters":   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"ascii_lowercase": "abcdefghijklmnopqrstuvwxyz",
	"ascii_uppercase": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"digits":          "0123456789",
	"hexdigits":       "0123456789abcdefABCDEF",
	"octdigits":       "01234567",
	"punctuation":     "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
	"whitespace":      " \t\n\r\x0b\x0c",
	"printable":       "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c",
}

// passwordLocks serialises the hosts of one run working on one file
// (Ansible uses a lock file for its processes).
var passwordLocks sync.Map // path → *sync.Mutex

func lookupPassword(l *lookupCall, terms []any) ([]any, error) {
	var out []any
	for _, t := range terms {
		term, err := termString(t)
		if err != nil {
			return nil, err
		}
		p, err := l.passwordParams(term)
		if err != nil {
			return nil, err
		}
		pw, err := passwordFor(p)
		if err != nil {
			return nil, err
		}
		out = append(out, pw)
	}
	return out, nil
}

type passwordRequest struct {
	path    string
	length  int
	chars   string
	encrypt string
	ident   string
	seed    any
}

// passwordParams parses a term as Ansible's _parse_parameters: the path,
// then k=v options, which win over the lookup's keyword options.
func (l *lookupCall) passwordParams(term string) (*passwordRequest, error) {
	relpath, rest, _ := strings.Cut(term, " ")
	params := map[string]string{}
	if rest != "" {
		kv, raw := parseKV(rest)
		if raw != "" {
			relpath += " " + raw
			if !strings.HasPrefix(term, relpath) {
				return nil, fatalf("Unrecognized value after key=value parameters given to password lookup")
			}
		}
		var bad []string
		for k, v := range kv {
			if !passwordParams[k] {
				bad = append(bad, k)
			}
			params[k] = v
		}
		if bad != nil {
			sort.Strings(bad)
			return nil, fatalf("Unrecognized parameter(s) given to password lookup: %s", strings.Join(bad, ", "))
		}
	}
	r := &passwordRequest{length: 20}
	get := func(name string) (any, bool) {
		if v, ok := params[name]; ok {
			return v, true
		}
		v, ok := l.kwargs[name]
		return v, ok && v != nil
	}
	if v, ok := get("length"); ok {
		n, ok := integer(v)
		if s, isText := v.(string); isText {
			i, err := strconv.Atoi(strings.TrimSpace(s))
			n, ok = i, err == nil
		}
		if !ok || n < 0 {
			return nil, fatalf("password lookup: length must be an integer, not %s", pyRepr(v))
		}
		r.length = n
	}
	if v, ok := get("encrypt"); ok {
		r.encrypt = pyStr(v)
	}
	if v, ok := get("ident"); ok {
		r.ident = pyStr(v)
	}
	if v, ok := get("seed"); ok {
		r.seed = pyStr(v) // a str option in Ansible
	}
	specs := []any{"ascii_letters", "digits", ".,:-_"}
	if v, ok := get("chars"); ok {
		switch c := v.(type) {
		case string:
			specs = nil
			if strings.Contains(c, ",,") {
				specs = append(specs, ",")
			}
			for _, s := range strings.Split(strings.ReplaceAll(c, ",,", ","), ",") {
				if s != "" {
					specs = append(specs, s)
				}
			}
		case []any:
			specs = c
		default:
			return nil, fatalf("password lookup: chars must be a list, not %s", pyType(v))
		}
	}
	var chars strings.Builder
	for _, s := range specs {
		spec := pyStr(s)
		if set, ok := stringModule[spec]; ok {
			spec = set
		}
		chars.WriteString(spec)
	}
	r.chars = strings.NewReplacer(`"`, "", `'`, "").Replace(chars.String())
	if r.chars == "" && r.length > 0 {
		return nil, fmt.Errorf("password lookup: no characters to choose from")
	}
	r.path = expandUser(relpath)
	if !filepath.IsAbs(r.path) {
		r.path = filepath.Join(l.basedir(), r.path)
	}
	return r, nil
}

// passwordFor reads or makes the password of r's file.
func passwordFor(r *passwordRequest) (string, error) {
	devnull := r.path == "/dev/null"
	if !devnull {
		mu, _ := passwordLocks.LoadOrStore(r.path, &sync.Mutex{})
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
	}
	var password, salt, ident string
	changed := false
	content, err := os.ReadFile(r.path)
	switch {
	case devnull || errors.Is(err, os.ErrNotExist):
		password, err = randomPassword(r.length, r.chars, r.seed)
		if err != nil {
			return "", err
		}
		changed = true
	case err != nil:
		return "", err
	default:
		password, salt, ident = parsePasswordFile(strings.TrimRightFunc(string(content), isPySpace))
	}
	if r.encrypt != "" && salt == "" {
		changed = true
		size := 8
		if a, ok := cryptAlgos[r.encrypt]; ok {
			size = a.saltSize
		}
		if salt, err = randomPassword(size, cryptSaltChars, nil); err != nil {
			return "", err
		}
	}
	// as Ansible: the ident option replaces the stored one
	if r.ident != "" {
		ident = r.ident
	} else if r.encrypt != "" {
		changed = true // as Ansible: the file is written again, the same
		ident = ""
		if r.encrypt == "bcrypt" {
			ident = "2b"
		}
	}
	if changed && !devnull {
		text := password
		if r.encrypt != "" || salt != "" {
			text += " salt=" + salt
			if ident != "" {
				text += " ident=" + ident
			}
		}
		if err := writePasswordFile(r.path, text+"\n"); err != nil {
			return "", err
		}
	}
	if r.encrypt != "" {
		return cryptHash(password, r.encrypt, salt, 0, 0)
	}
	return password, nil
}

// parsePasswordFile splits "password salt=S ident=I" as Ansible's
// _parse_content.
func parsePasswordFile(content string) (password, salt, ident string) {
	password = content
	i := strings.LastIndex(content, " salt=")
	if i < 0 {
		return password, "", ""
	}
	password, rest := content[:i], content[i+len(" salt="):]
	if j := strings.LastIndex(rest, " ident="); j >= 0 {
		return password, rest[:j], rest[j+len(" ident="):]
	}
	return password, rest, ""
}

func writePasswordFile(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// randomPassword is Ansible's random_password: length characters chosen
// from chars, by random.Random(seed) or, without a seed, the system's.
func randomPassword(length int, chars string, seed any) (string, error) {
	r, err := newPyRandom(seed)
	if err != nil {
		return "", err
	}
	set := []rune(chars)
	var b strings.Builder
	for range length {
		b.WriteRune(set[r.below(len(set))])
	}
	return b.String(), nil
}

// isPySpace is Python's str.isspace for one character.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\x1f', '\x85', '\u00a0':
		return true
	}
	return r > 0xff && (r == 0x1680 || r >= 0x2000 && r <= 0x200a || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000)
}

// parseKV is Ansible's parse_kv for a lookup's term: whitespace-separated
// k=v pairs, values unquoted; words without = are returned joined as raw.
func parseKV(s string) (map[string]string, string) {
	kv := map[string]string{}
	var raw []string
	for _, w := range splitArgs(s) {
		i := keyEquals(w)
		if i < 0 {
			raw = append(raw, w)
			continue
		}
		kv[strings.TrimSpace(w[:i])] = unquote(strings.TrimSpace(w[i+1:]))
	}
	return kv, strings.Join(raw, " ")
}

// splitArgs splits on whitespace outside quotes.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	escaped, inWord := false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
			continue
		}
		cur.WriteRune(r)
		inWord = true
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// keyEquals is the index of the = after a key, or -1.
func keyEquals(w string) int {
	i := strings.IndexByte(w, '=')
	if i <= 0 || strings.ContainsAny(w[:i], `"' `) {
		return -1
	}
	return i
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
