package hostq

import (
	"errors"
	"fmt"
)

// A Question is something a module needs to know about a host.
type Question interface{ question() }

// Path asks for a path's metadata: lstat, or stat when Follow. Without
// Follow, a symbolic link's target is read too.
type Path struct {
	Path   string
	Follow bool
}

// Content asks for a regular file's bytes (through links), when the file is
// at most ContentLimit bytes long. Larger files get a digest instead: ask
// Digest too when the content only needs comparing.
type Content struct{ Path string }

// Digest asks for a regular file's checksum (through links), for files
// larger than ContentLimit; smaller ones are digested on the controller
// from their Content.
type Digest struct{ Path string }

// Umask asks for the umask new files get.
type Umask struct{}

// Accounts asks for the local user and group databases (/etc/passwd and
// /etc/group).
type Accounts struct{}

// Empty asks whether a directory (not a link to one) has no entries.
type Empty struct{ Path string }

// Command asks whether a command is on the PATH (command -v).
type Command struct{ Name string }

// Access asks whether the user tasks run as may read, write and execute a
// path (test -r, -w, -x).
type Access struct{ Path string }

// Real asks where a symbolic link finally leads (realpath); asked of a
// path that is not a link, it is answered with "".
type Real struct{ Path string }

// Perms are what an Access question learns.
type Perms struct{ Read, Write, Exec bool }

func (Path) question()     {}
func (Content) question()  {}
func (Digest) question()   {}
func (Umask) question()    {}
func (Accounts) question() {}
func (Empty) question()    {}
func (Command) question()  {}
func (Access) question()   {}
func (Real) question()     {}

// ContentLimit is the largest file whose bytes a batch reads; larger files
// are compared by digest. Diffs of larger files are not shown.
const ContentLimit = 256 << 10

// PathInfo is what a Path question learns.
type PathInfo struct {
	Exists bool
	Type   byte // ls's type character: '-', 'd', 'l', 'c', 'b', 'p', 's'
	Perm   uint32
	Nlink  int64
	UID    string // numeric
	GID    string
	Owner  string // names; the id when it has none (for people only)
	Group  string
	Size   int64
	// Inode and Dev identify the file (a hard link's test); Atime, Mtime
	// and Ctime are seconds since the epoch. A predicted path has them 0.
	Inode, Dev           uint64
	Atime, Mtime, Ctime int64
	// Target is a symbolic link's target (Path without Follow, on a link).
	Target string
	// OwnerMatch and GroupMatch say whether the path belongs to the owner
	// and group a task asks for: "1", "0", "error" (the name is unknown),
	// "" when not asked. See Match.
	OwnerMatch, GroupMatch string
}

// State is the word Ansible's file module uses for the type.
func (fi PathInfo) State() string {
	switch {
	case !fi.Exists:
		return "absent"
	case fi.Type == 'd':
		return "directory"
	case fi.Type == 'l':
		return "link"
	case fi.Type == '-' && fi.Nlink > 1:
		return "hard"
	}
	return "file"
}

// Kind says what the path is in plain words, for messages.
func (fi PathInfo) Kind() string {
	switch fi.Type {
	case '-':
		return "file"
	case 'd':
		return "directory"
	case 'l':
		return "link"
	case 'c':
		return "character device"
	case 'b':
		return "block device"
	case 'p':
		return "fifo"
	case 's':
		return "socket"
	}
	return "absent"
}

// Answers are what a host (or the model of it) says about the questions a
// module asked. Asking for something that was not a question is
// ErrNotAsked: a module bug. An answer that only applying earlier changes
// would tell is an *Unknown error.
type Answers interface {
	Path(p string, follow bool) (PathInfo, error)
	// Content is a regular file's bytes; ErrNoContent when the path is
	// not a regular file, ErrTooBig when it is larger than ContentLimit.
	Content(p string) ([]byte, error)
	// Digest is "sha1:HEX" (or another algorithm's name and value), for
	// any regular file; ErrNoContent when the path is not one.
	Digest(p string) (string, error)
	Umask() (uint32, error)
	Accounts() (*AccountDB, error)
	Empty(p string) (bool, error)
	Command(name string) (bool, error)
	Access(p string) (Perms, error)
	Real(p string) (string, error)
}

var (
	// ErrNotAsked means a module read an answer to a question it did not
	// ask.
	ErrNotAsked = errors.New("hostq: answer to a question that was not asked")
	// ErrNoContent means the path is not a regular file.
	ErrNoContent = errors.New("not a regular file")
	// ErrTooBig means the file is larger than ContentLimit.
	ErrTooBig = errors.New("larger than the content limit")
)

// Unknown is the answer a check run cannot know before earlier changes are
// applied: "known after apply". Why names the change it depends on.
type Unknown struct{ Why string }

func (u *Unknown) Error() string { return "known after apply: " + u.Why }

// IsUnknown reports whether err is (or wraps) an *Unknown, and returns it.
func IsUnknown(err error) (*Unknown, bool) {
	var u *Unknown
	ok := errors.As(err, &u)
	return u, ok
}

// notAsked says which answer was missing.
func notAsked(q Question) error { return fmt.Errorf("%w: %#v", ErrNotAsked, q) }
