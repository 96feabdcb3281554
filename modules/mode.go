package modules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	octalMode    = regexp.MustCompile(`^0?[0-7]{3,4}$`)
	symbolicMode = regexp.MustCompile(`^[ugoa]*[-+=][rwxXstugo]*([-+=][rwxXstugo]*)*(,[ugoa]*[-+=][rwxXstugo]*([-+=][rwxXstugo]*)*)*$`)
)

// checkMode accepts what chmod accepts in Ansible's mode argument: octal
// ("0644", "644", "01777") or symbolic ("u=rw,g=r,o=", "a+X").
func checkMode(s string) error {
	if octalMode.MatchString(s) || symbolicMode.MatchString(s) {
		return nil
	}
	return fmt.Errorf("%q is not a mode: use octal like '0644' or symbolic like 'u=rw,g=r,o='", s)
}

// Permission bits, as in <sys/stat.h>.
const (
	permBits = 0o7777
	sUID     = 0o4000
	sGID     = 0o2000
	sVTX     = 0o1000
	rwxU     = 0o700
	rwxG     = 0o070
	rwxO     = 0o007
	execBits = 0o111
)

// isOctalMode reports whether a (checked) mode argument is octal.
func isOctalMode(s string) bool { return octalMode.MatchString(s) }

// ApplyMode returns the permission bits (07777) that the mode argument
// gives a file whose bits are now cur. Octal modes ignore cur. Symbolic modes
// follow Ansible's module_utils (which follows chmod): 'X' counts when the
// file is a directory or has an execute bit; a clause with no who-list
// ("=rw", "+x") is filtered by umask.
func ApplyMode(spec string, cur uint32, isDir bool, umask uint32) (uint32, error) {
	if err := checkMode(spec); err != nil {
		return 0, err
	}
	if isOctalMode(spec) {
		n, err := strconv.ParseUint(spec, 8, 32)
		if err != nil {
			return 0, err
		}
		return uint32(n), nil
	}
	mode := cur & permBits
	for _, clause := range strings.Split(spec, ",") {
		i := strings.IndexAny(clause, "+-=")
		users := clause[:i]
		useUmask := users == ""
		if users == "" || strings.Contains(users, "a") {
			users = "ugo"
		}
		rest := clause[i:]
		for rest != "" {
			op := rest[0]
			j := strings.IndexAny(rest[1:], "+-=")
			var perms string
			if j < 0 {
				perms, rest = rest[1:], ""
			} else {
				perms, rest = rest[1:1+j], rest[1+j:]
			}
			for _, u := range users {
				bits := symbolicBits(byte(u), perms, mode, isDir, useUmask, umask)
				mode = applyOp(byte(u), op, bits, mode)
			}
		}
	}
	return mode, nil
}

// symbolicBits is Ansible's _get_octal_mode_from_symbolic_perms.
func symbolicBits(user byte, perms string, prev uint32, isDir, useUmask bool, umask uint32) uint32 {
	applyX := isDir || prev&execBits != 0
	rev := ^umask & permBits
	filter := func(b uint32) uint32 {
		if useUmask {
			return b & rev
		}
		return b
	}
	var shift uint // u: 6, g: 3, o: 0
	switch user {
	case 'u':
		shift = 6
	case 'g':
		shift = 3
	}
	var out uint32
	for _, p := range perms {
		switch p {
		case 'r':
			out |= filter(4 << shift)
		case 'w':
			out |= filter(2 << shift)
		case 'x':
			out |= filter(1 << shift)
		case 'X':
			if applyX {
				out |= 1 << shift
			}
		case 's':
			switch user {
			case 'u':
				out |= sUID
			case 'g':
				out |= sGID
			}
		case 't':
			if user == 'o' {
				out |= sVTX
			}
		case 'u':
			out |= ((prev & rwxU) >> 6) << shift
		case 'g':
			out |= ((prev & rwxG) >> 3) << shift
		case 'o':
			out |= (prev & rwxO) << shift
		}
	}
	return out
}

// applyOp is Ansible's _apply_operation_to_mode.
func applyOp(user, op byte, bits, cur uint32) uint32 {
	switch op {
	case '=':
		var mask uint32
		switch user {
		case 'u':
			mask = rwxU | sUID
		case 'g':
			mask = rwxG | sGID
		case 'o':
			mask = rwxO | sVTX
		}
		return cur&^mask | bits
	case '+':
		return cur | bits
	default:
		return cur &^ bits
	}
}

// parseLsMode reads the mode column of `ls -l` ("drwxr-sr-x", maybe with
// a trailing '.', '+' or '@' for ACLs and extended attributes) into the
// file type character and the permission bits.
func parseLsMode(s string) (byte, uint32, error) {
	if n := len(s); n == 11 && strings.ContainsRune(".+@", rune(s[10])) {
		s = s[:10]
	}
	if len(s) != 10 || !strings.ContainsRune("-dlcbps", rune(s[0])) {
		return 0, 0, fmt.Errorf("%q is not an ls mode", s)
	}
	var perm uint32
	for i, special := range []uint32{sUID, sGID, sVTX} {
		shift := uint(6 - 3*i)
		r, w, x := s[1+3*i], s[2+3*i], s[3+3*i]
		switch r {
		case 'r':
			perm |= 4 << shift
		case '-':
		default:
			return 0, 0, fmt.Errorf("%q is not an ls mode", s)
		}
		switch w {
		case 'w':
			perm |= 2 << shift
		case '-':
		default:
			return 0, 0, fmt.Errorf("%q is not an ls mode", s)
		}
		lower, upper := byte('s'), byte('S')
		if i == 2 {
			lower, upper = 't', 'T'
		}
		switch x {
		case 'x':
			perm |= 1 << shift
		case lower:
			perm |= 1<<shift | special
		case upper:
			perm |= special
		case '-':
		default:
			return 0, 0, fmt.Errorf("%q is not an ls mode", s)
		}
	}
	return s[0], perm, nil
}

// octal renders permission bits as Ansible reports them: "0644", "01777".
func octal(m uint32) string { return fmt.Sprintf("%04o", m) }

// chmodArg renders permission bits as chmod's (and mkdir -m's) argument:
// five digits, so that GNU chmod sets a folder's set-id bits as given. With
// four it keeps them ("0755" leaves a setgid folder 02755), where Ansible's
// os.chmod clears them, and the folder would differ from its mode on every
// run. busybox reads both alike.
func chmodArg(m uint32) string { return fmt.Sprintf("%05o", m) }
