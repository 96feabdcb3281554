package modules

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
)

// fetch copies a file from the host to the controller. The runner carries
// it out (playbooks/fetch.go); the host side is FetchScript, one round
// trip: the file's checksum, and its bytes only when they differ from the
// controller's copy.
func init() {
	Register("fetch", Controller{ArgSpec: Spec{Params: []Param{
		{Name: "src", Kind: String, Required: true},
		{Name: "dest", Kind: String, Required: true},
		{Name: "flat", Kind: Bool, Default: false},
		{Name: "fail_on_missing", Kind: Bool, Default: true},
		{Name: "validate_checksum", Kind: Bool, Default: true},
	}}})
}

// FetchScript reads src on the host (through symbolic links, as Ansible's
// fetch does). local is the controller's copy, nil when there is none:
// when the host's file has the same checksum, only "same=1" comes back.
func FetchScript(src string, local []byte) (string, error) {
	if err := checkAbs("src", src); err != nil {
		return "", err
	}
	s := newScript()
	s.use("tend_blob", "tend_sum")
	p := q(src)
	s.add("if [ -d ", p, " ]; then echo err=isdir")
	s.add("elif [ ! -e ", p, " ]; then echo err=enoent")
	s.add("elif [ ! -r ", p, " ]; then echo err=eacces")
	s.add("else")
	s.add("	tend_c=$(tend_sum < ", p, ") || tend_c=none")
	if local != nil {
		s.add("	case $tend_c in ", sumsOf(local).pattern(), ") echo same=1; exit 0 ;; esac")
	}
	s.add(`	printf 'sum=%s\n' "$tend_c"`)
	s.add("	tend_blob content ", p, " || exit 1")
	s.add("fi")
	return s.String(), nil
}

// Fetched is what FetchScript found.
type Fetched struct {
	// Err is Ansible's slurp message when the file could not be read
	// ("file not found: SRC", ...), with Missing or IsDir set for those.
	Err            string
	Missing, IsDir bool
	// Same: the host's file is the controller's copy.
	Same    bool
	Content []byte
	// SHA1 is the content's sha1; Verified says the host's own checksum of
	// the file agrees with the bytes that came (false when the host has
	// no checksum tool).
	SHA1     string
	Verified bool
	// Mismatch: the host's checksum does not match the bytes that came
	// (the file changed while it was read).
	Mismatch bool
}

// ReadFetch reads FetchScript's output.
func ReadFetch(src string, out Output) (Fetched, error) {
	var f Fetched
	r, err := readProbe(out)
	if err != nil {
		return f, err
	}
	if e, ok := r.opt("err"); ok {
		switch e {
		case "enoent":
			f.Missing, f.Err = true, "file not found: "+src
		case "eacces":
			f.Err = "file is not readable: " + src
		case "isdir":
			f.IsDir, f.Err = true, "source is a directory and must be a file: "+src
		default:
			return f, fmt.Errorf("probe: err=%q", e)
		}
		return f, nil
	}
	if same, _ := r.opt("same"); same == "1" {
		f.Same = true
		return f, nil
	}
	b, ok := r.blob("content")
	if !ok {
		return f, fmt.Errorf("probe output lacks content")
	}
	sum, err := r.get("sum")
	if err != nil {
		return f, err
	}
	h := sha1.Sum(b)
	f.Content, f.SHA1 = b, hex.EncodeToString(h[:])
	if sum != "none" {
		f.Verified = sumsOf(b).has(sum)
		f.Mismatch = !f.Verified
	}
	return f, nil
}
