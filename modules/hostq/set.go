package hostq

import (
	"crypto/sha1"
	"encoding/hex"
	"maps"
	"path"
)

// Set holds a host's answers: what a program printed, parsed, or what a
// test says. The zero value is not usable: see NewSet.
type Set struct {
	paths    map[Path]pathAnswer
	content  map[string]contentAnswer
	digest   map[string]contentAnswer
	empty    map[string]bool
	commands map[string]bool
	access   map[string]Perms
	real     map[string]string
	umask    *uint32
	accounts *AccountDB
	errs     map[Question]error // questions the host could not answer
}

type pathAnswer struct {
	fi  PathInfo
	err error
}

type contentAnswer struct {
	data []byte // the bytes, or the digest's text
	err  error
}

// NewSet returns an empty set of answers.
func NewSet() *Set {
	return &Set{
		paths: map[Path]pathAnswer{}, content: map[string]contentAnswer{}, digest: map[string]contentAnswer{},
		empty: map[string]bool{}, commands: map[string]bool{}, errs: map[Question]error{},
		access: map[string]Perms{}, real: map[string]string{},
	}
}

// SetPath records a Path answer.
func (s *Set) SetPath(p string, follow bool, fi PathInfo) *Set {
	s.paths[Path{path.Clean(p), follow}] = pathAnswer{fi: fi}
	return s
}

// SetContent records a regular file's content (and so its digest).
func (s *Set) SetContent(p string, data []byte) *Set {
	p = path.Clean(p)
	if len(data) > ContentLimit {
		s.content[p] = contentAnswer{err: ErrTooBig}
	} else {
		s.content[p] = contentAnswer{data: data}
	}
	s.digest[p] = contentAnswer{data: []byte(SHA1(data))}
	return s
}

// SetDigest records a large file's digest.
func (s *Set) SetDigest(p, digest string) *Set {
	p = path.Clean(p)
	s.content[path.Clean(p)] = contentAnswer{err: ErrTooBig}
	s.digest[p] = contentAnswer{data: []byte(digest)}
	return s
}

// SetUmask records the umask.
func (s *Set) SetUmask(u uint32) *Set { s.umask = &u; return s }

// SetAccounts records the user and group databases.
func (s *Set) SetAccounts(db *AccountDB) *Set { s.accounts = db; return s }

// SetEmpty records whether a directory is empty.
func (s *Set) SetEmpty(p string, empty bool) *Set { s.empty[path.Clean(p)] = empty; return s }

// SetCommand records whether a command is there.
func (s *Set) SetCommand(name string, ok bool) *Set { s.commands[name] = ok; return s }

// SetAccess records what the task's user may do with a path.
func (s *Set) SetAccess(p string, a Perms) *Set { s.access[path.Clean(p)] = a; return s }

// SetReal records where a link leads ("" for a path that is not a link).
func (s *Set) SetReal(p, real string) *Set { s.real[path.Clean(p)] = real; return s }

// SetError records that the host could not answer q.
func (s *Set) SetError(q Question, err error) *Set { s.errs[q] = err; return s }

// Merge adds o's answers to s (o's win).
func (s *Set) Merge(o *Set) {
	maps.Copy(s.paths, o.paths)
	maps.Copy(s.content, o.content)
	maps.Copy(s.digest, o.digest)
	maps.Copy(s.empty, o.empty)
	maps.Copy(s.commands, o.commands)
	maps.Copy(s.access, o.access)
	maps.Copy(s.real, o.real)
	maps.Copy(s.errs, o.errs)
	if o.umask != nil {
		s.umask = o.umask
	}
	if o.accounts != nil {
		s.accounts = o.accounts
	}
}

// Has says whether every question has an answer (or an error) in s.
func (s *Set) Has(qs []Question) bool {
	for _, q := range qs {
		q = Clean(q)
		if _, ok := s.errs[q]; ok {
			continue
		}
		var ok bool
		switch q := q.(type) {
		case Path:
			_, ok = s.paths[q]
		case Content:
			_, ok = s.content[q.Path]
			ok = ok || s.notRegular(q.Path)
		case Digest:
			_, ok = s.digest[q.Path]
			ok = ok || s.notRegular(q.Path)
		case Empty:
			_, ok = s.empty[q.Path]
		case Command:
			_, ok = s.commands[q.Name]
		case Access:
			_, ok = s.access[q.Path]
		case Real:
			_, ok = s.real[q.Path]
		case Umask:
			ok = s.umask != nil
		case Accounts:
			ok = s.accounts != nil
		}
		if !ok {
			return false
		}
	}
	return true
}

func (s *Set) Path(p string, follow bool) (PathInfo, error) {
	q := Path{path.Clean(p), follow}
	if err := s.errs[q]; err != nil {
		return PathInfo{}, err
	}
	a, ok := s.paths[q]
	if !ok {
		return PathInfo{}, notAsked(q)
	}
	return a.fi, a.err
}

func (s *Set) Content(p string) ([]byte, error) {
	q := Content{path.Clean(p)}
	if err := s.errs[q]; err != nil {
		return nil, err
	}
	a, ok := s.content[q.Path]
	if !ok {
		if fi, err := s.Path(q.Path, true); err == nil && (!fi.Exists || fi.Type != '-') {
			return nil, ErrNoContent
		}
		return nil, notAsked(q)
	}
	return a.data, a.err
}

func (s *Set) Digest(p string) (string, error) {
	q := Digest{path.Clean(p)}
	if err := s.errs[q]; err != nil {
		return "", err
	}
	a, ok := s.digest[q.Path]
	if !ok {
		if fi, err := s.Path(q.Path, true); err == nil && (!fi.Exists || fi.Type != '-') {
			return "", ErrNoContent
		}
		return "", notAsked(q)
	}
	return string(a.data), a.err
}

func (s *Set) Umask() (uint32, error) {
	if err := s.errs[Umask{}]; err != nil {
		return 0, err
	}
	if s.umask == nil {
		return 0, notAsked(Umask{})
	}
	return *s.umask, nil
}

func (s *Set) Accounts() (*AccountDB, error) {
	if err := s.errs[Accounts{}]; err != nil {
		return nil, err
	}
	if s.accounts == nil {
		return nil, notAsked(Accounts{})
	}
	return s.accounts, nil
}

func (s *Set) Empty(p string) (bool, error) {
	q := Empty{path.Clean(p)}
	if err := s.errs[q]; err != nil {
		return false, err
	}
	e, ok := s.empty[q.Path]
	if !ok {
		return false, notAsked(q)
	}
	return e, nil
}

func (s *Set) Command(name string) (bool, error) {
	if err := s.errs[Command{name}]; err != nil {
		return false, err
	}
	ok, asked := s.commands[name]
	if !asked {
		return false, notAsked(Command{name})
	}
	return ok, nil
}

// SHA1 is the digest Digest answers with, of data.
func SHA1(data []byte) string {
	h := sha1.Sum(data)
	return "sha1:" + hex.EncodeToString(h[:])
}

func (s *Set) Access(p string) (Perms, error) {
	q := Access{path.Clean(p)}
	if err := s.errs[q]; err != nil {
		return Perms{}, err
	}
	a, ok := s.access[q.Path]
	if !ok {
		return Perms{}, notAsked(q)
	}
	return a, nil
}

func (s *Set) Real(p string) (string, error) {
	q := Real{path.Clean(p)}
	if err := s.errs[q]; err != nil {
		return "", err
	}
	r, ok := s.real[q.Path]
	if !ok {
		return "", notAsked(q)
	}
	return r, nil
}

// notRegular says whether p is known not to be a regular file, which
// answers its Content and Digest (ErrNoContent).
func (s *Set) notRegular(p string) bool {
	a, ok := s.paths[Path{p, true}]
	return ok && a.err == nil && (!a.fi.Exists || a.fi.Type != '-')
}

// Clean returns q with its path cleaned, as answers are keyed.
func Clean(q Question) Question {
	switch q := q.(type) {
	case Path:
		return Path{path.Clean(q.Path), q.Follow}
	case Content:
		return Content{path.Clean(q.Path)}
	case Digest:
		return Digest{path.Clean(q.Path)}
	case Empty:
		return Empty{path.Clean(q.Path)}
	case Access:
		return Access{path.Clean(q.Path)}
	case Real:
		return Real{path.Clean(q.Path)}
	}
	return q
}
