package modules

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strconv"
	"strings"

	"tend/modules/shell"
)

// q quotes one value for a script. Every value a task gives (paths, names,
// contents) reaches a script through q or shell.Printf.
func q(s string) string { return shell.Quote(s) }

// script builds a POSIX sh script. Helper functions (tend_*) are defined
// the first time they are used. Scripts only use POSIX utilities and
// options, and the same commands in busybox: ls -ld, find, printf, chmod,
// chown -h, mv -f, ln -s, cp -p, wc -c, head -n, and a checksum tool when
// one is there. Variables are named tend_* so that commands run by the
// command module cannot mistake them for theirs.
type script struct {
	funcs   strings.Builder // helper definitions, which come first
	b       strings.Builder
	defined map[string]bool
}

// prelude makes ls and friends predictable and turns off globbing: values
// split from ls output must not expand.
const prelude = "LC_ALL=C; export LC_ALL; unset IFS; set -f\n"

func newScript() *script {
	s := &script{defined: map[string]bool{}}
	s.funcs.WriteString(prelude)
	return s
}

// add writes one line made of parts.
func (s *script) add(parts ...string) {
	for _, p := range parts {
		s.b.WriteString(p)
	}
	s.b.WriteByte('\n')
}

func (s *script) String() string { return s.funcs.String() + s.b.String() }

// use defines the helper functions named (and those they need) if the
// script does not have them yet.
func (s *script) use(names ...string) {
	for _, n := range names {
		if s.defined[n] {
			continue
		}
		for _, dep := range helperDeps[n] {
			s.use(dep)
		}
		s.defined[n] = true
		s.funcs.WriteString(helpers[n])
	}
}

var helperDeps = map[string][]string{
	"tend_stat": {"tend_any"},
}

var helpers = map[string]string{
	// tend_die MESSAGE: remove the temporary file, if any, say why and stop.
	"tend_die": `tend_die() {
	[ -z "${tend_t-}" ] || rm -f -- "$tend_t"
	printf '%s\n' "$*" >&2
	exit 1
}
`,
	// tend_any FIND-ARGS...: 1 when find prints something, 0 when it does
	// not, error when it fails first (an unknown user or group). Paths are
	// absolute, so a printed path never reads as "FAIL".
	"tend_any": `tend_any() {
	tend_r=$( { find "$@" -print 2>/dev/null || echo FAIL; } | head -n 1)
	case $tend_r in
	'') echo 0 ;;
	FAIL) echo error ;;
	*) echo 1 ;;
	esac
}
`,
	// tend_stat KEY PATH [L [OWNER [GROUP]]]: KEY.type, and for a file that
	// exists KEY.mode, .nlink, .uid, .gid, .size, .owner, .group, and
	// whether it belongs to OWNER and GROUP (names or ids; find decides
	// unless the name is the file's). L follows a symbolic link. It runs
	// one stat -c where there is one (GNU, busybox), else ls -ldn and ls
	// -ld: a probe's cost is mostly the processes it starts. stat says
	// UNKNOWN, where ls gives the number, for an id without a name. It
	// leaves the size in tend_sz.
	"tend_stat": `tend_stat() {
	tend_k=$1 tend_f=$2 tend_l=${3-} tend_o=${4-} tend_g=${5-} tend_H=
	if [ "$tend_l" = L ]; then tend_H=-H; [ -e "$tend_f" ]; else [ -e "$tend_f" ] || [ -L "$tend_f" ]; fi || {
		printf '%s.type=absent\n' "$tend_k"
		tend_sz=
		return 0
	}
	if tend_v=$(stat ${tend_l:+-L} -c '%A %h %u %g %s %U %G' -- "$tend_f" 2>/dev/null); then
		set -- $tend_v
		tend_on=$6 tend_gn=$7
		[ "$6" != UNKNOWN ] || tend_on=$3
		[ "$7" != UNKNOWN ] || tend_gn=$4
	else
		tend_v=$(ls -ld$tend_l -- "$tend_f") || return 1
		set -- $tend_v
		tend_on=$3 tend_gn=$4
		tend_v=$(ls -ldn$tend_l -- "$tend_f") || return 1
		set -- $tend_v
	fi
	tend_sz=$5
	printf '%s.type=present\n%s.mode=%s\n%s.nlink=%s\n%s.uid=%s\n%s.gid=%s\n%s.size=%s\n%s.owner=%s\n%s.group=%s\n' \
		"$tend_k" "$tend_k" "$1" "$tend_k" "$2" "$tend_k" "$3" "$tend_k" "$4" "$tend_k" "$5" "$tend_k" "$tend_on" "$tend_k" "$tend_gn"
	# The name already matches: no need to start find. (Not an id: find
	# takes an all-digit name as the name first.)
	if [ -n "$tend_o" ]; then
		if [ "$tend_o" = "$tend_on" ]; then tend_v=1; else tend_v=$(tend_any $tend_H "$tend_f" -prune -user "$tend_o"); fi
		printf '%s.owner_ok=%s\n' "$tend_k" "$tend_v"
	fi
	if [ -n "$tend_g" ]; then
		if [ "$tend_g" = "$tend_gn" ]; then tend_v=1; else tend_v=$(tend_any $tend_H "$tend_f" -prune -group "$tend_g"); fi
		printf '%s.group_ok=%s\n' "$tend_k" "$tend_v"
	fi
	return 0
}
`,
	// tend_sum: a checksum of stdin, as ALGORITHM:HEX, with the first tool
	// there is; "none" when there is none.
	"tend_sum": `tend_sum() {
	if command -v sha1sum >/dev/null 2>&1; then tend_v=$(sha1sum) || return 1; set -- $tend_v; echo "sha1:$1"
	elif command -v sha256sum >/dev/null 2>&1; then tend_v=$(sha256sum) || return 1; set -- $tend_v; echo "sha256:$1"
	elif command -v shasum >/dev/null 2>&1; then tend_v=$(shasum -a 1) || return 1; set -- $tend_v; echo "sha1:$1"
	elif command -v md5sum >/dev/null 2>&1; then tend_v=$(md5sum) || return 1; set -- $tend_v; echo "md5:$1"
	elif command -v cksum >/dev/null 2>&1; then tend_v=$(cksum) || return 1; set -- $tend_v; echo "cksum:$1.$2"
	else echo none
	fi
}
`,
	// tend_follow: $tend_d, with symbolic links at its end followed (as
	// Python's realpath does for lineinfile's write).
	"tend_follow": `tend_follow() {
	tend_i=0
	while [ -L "$tend_d" ]; do
		tend_l=$(readlink -- "$tend_d" && echo .) || return 1
		tend_l=${tend_l%??}
		case $tend_l in
		/*) tend_d=$tend_l ;;
		*) tend_d=${tend_d%/*}/$tend_l ;;
		esac
		tend_i=$((tend_i + 1))
		[ "$tend_i" -lt 40 ] || return 1
	done
}
`,
	// tend_blob KEY FILE: FILE's bytes as a blob record. They are counted
	// (not taken from stat): a file in /proc or /sys has no true size.
	"tend_blob": `tend_blob() {
	tend_z=$(wc -c < "$2") || return 1
	printf '%s:%s\n' "$1" $tend_z
	cat -- "$2" || return 1
	printf '\n'
}
`,
}

// stat prints the records for path under key (see tend_stat). follow
// reads through a symbolic link; owner and group, when given, are matched.
func (s *script) stat(key, pathWord string, follow bool, owner, group string) {
	s.use("tend_stat")
	l := "''"
	if follow {
		l = "L"
	}
	args := []string{"tend_stat", key, pathWord, l}
	if owner != "" || group != "" {
		args = append(args, q(owner), q(group))
	}
	s.add(strings.Join(args, " "), " || exit 1")
}

// umask prints the umask, which new files and symbolic modes depend on.
func (s *script) umask() { s.add(`printf 'umask=%s\n' "$(umask)"`) }

// tempBase is a fresh name for a file beside the one it will replace. It
// is random so that it cannot be guessed ahead of time, and hidden.
func tempBase() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return ".tend-" + hex.EncodeToString(b[:]) + ".tmp"
}

// tempName is a fresh name beside dest for atomic replacement.
func tempName(dest string) string { return path.Join(path.Dir(dest), tempBase()) }

// sums holds every checksum tend_sum may print for some content.
type sums []string

func sumsOf(b []byte) sums {
	s1 := sha1.Sum(b)
	s256 := sha256.Sum256(b)
	m := md5.Sum(b)
	return sums{
		"sha1:" + hex.EncodeToString(s1[:]),
		"sha256:" + hex.EncodeToString(s256[:]),
		"md5:" + hex.EncodeToString(m[:]),
		"cksum:" + strconv.FormatUint(uint64(posixCksum(b)), 10) + "." + strconv.Itoa(len(b)),
	}
}

// has reports whether a tend_sum output is one of the sums.
func (s sums) has(v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// pattern is a case pattern matching any of the sums.
func (s sums) pattern() string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = shell.Quote(x)
	}
	return strings.Join(q, "|")
}

// posixCksum is the CRC of POSIX cksum.
func posixCksum(b []byte) uint32 {
	var crc uint32
	add := func(c byte) {
		crc ^= uint32(c) << 24
		for i := 0; i < 8; i++ {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04C11DB7
			} else {
				crc <<= 1
			}
		}
	}
	for _, c := range b {
		add(c)
	}
	for n := len(b); n > 0; n >>= 8 {
		add(byte(n))
	}
	return ^crc
}

// printfChunk bounds one printf's argument: printf is a builtin in dash,
// bash and busybox sh, but where it is not, an argument must stay under
// Linux's 128 KiB limit (escapes take up to 4 bytes a byte).
const printfChunk = 16 << 10

// printfAll returns commands that write data, in chunks, as one group.
func printfAll(data []byte) string {
	if len(data) == 0 {
		return ":"
	}
	var parts []string
	for len(data) > 0 {
		n := min(len(data), printfChunk)
		parts = append(parts, shell.Printf(data[:n]))
		data = data[n:]
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "{\n" + strings.Join(parts, "\n") + "\n}"
}

// ownership is what a task asks of a file's owner and group.
type ownership struct{ Owner, Group string }

// cmds returns the commands that set target's owner and group (target is
// a shell word; link: the link itself, -h).
func (o ownership) cmds(target string, link bool) []string {
	h := ""
	if link {
		h = "-h "
	}
	owner := "chown " + h + "-- " + q(o.Owner) + " " + target + " || tend_die " + q("chown failed: could not set owner "+o.Owner)
	group := "chgrp " + h + "-- " + q(o.Group) + " " + target + " || tend_die " + q("chgrp failed: could not set group "+o.Group)
	switch {
	case o.Owner != "" && o.Group != "":
		// One chown for both (a process less). Should it fail, the two
		// again, one after the other: the error names the one that failed,
		// and the owner is set when only the group cannot be, as Ansible
		// leaves it. (No user or group name holds a ':'.)
		return []string{"chown " + h + "-- " + q(o.Owner+":"+o.Group) + " " + target + " 2>/dev/null || { " + owner + "; " + group + "; }"}
	case o.Owner != "":
		return []string{owner}
	case o.Group != "":
		return []string{group}
	}
	return nil
}

// fileWrite replaces a file atomically: a temporary file beside it gets
// the content, owner, group and mode, is validated, and is renamed over
// the file (after a backup when asked).
type fileWrite struct {
	Path    string
	Content []byte
	Mode    uint32 // final permission bits
	Own     ownership
	// KeepUID and KeepGID are the replaced file's ids, kept (when the owner
	// and group are not asked for) if this user may.
	KeepUID, KeepGID string
	Backup           bool
	Validate         string // a command with %s for the file to check
	// Follow writes to what Path links to (lineinfile), instead of
	// replacing the link with a file (copy).
	Follow bool
	// CheckOld makes the write refuse to go on if the file changed since it
	// was probed: it must still hold Old (or be absent, when OldAbsent).
	CheckOld  bool
	Old       []byte
	OldAbsent bool
	// IfSame are commands run instead when the file holds the content
	// already (it changed since the probe): the attributes the write would
	// have given it.
	IfSame []string
	// Umask is the host's umask, when known: the write then costs no
	// process of its own (it sets the umask back after).
	Umask *uint32
}

// write adds the script text of w. It prints "backup=SUFFIX" when it made
// a backup (the backup is Path + "." + SUFFIX).
func (s *script) write(w fileWrite) error {
	s.use("tend_die", "tend_sum")
	s.add("tend_d=", q(w.Path))
	if w.Follow {
		s.use("tend_follow")
		s.add(`tend_follow || tend_die "cannot follow the links from $tend_d"`)
	}
	// Beside the file, so that mv is a rename on one file system.
	s.add("tend_t=${tend_d%/*}/", tempBase())
	s.add(`if [ -d "$tend_d" ]; then tend_t=; tend_die "$tend_d is a directory"; fi`)
	s.add(`tend_c=none; if [ -f "$tend_d" ]; then tend_c=$(tend_sum < "$tend_d") || tend_c=unreadable; fi`)
	s.add("case $tend_c in")
	s.add(sumsOf(w.Content).pattern(), ")")
	for _, c := range w.IfSame {
		s.add("	", c)
	}
	s.add(";;")
	s.add("*)")
	if w.CheckOld {
		const changed = `tend_t=; tend_die "$tend_d changed since it was read; run the task again"`
		if w.OldAbsent {
			s.add(`if [ -e "$tend_d" ] || [ -L "$tend_d" ]; then `, changed, "; fi")
		} else {
			s.add("case $tend_c in ", sumsOf(w.Old).pattern(), "|none) ;; *) ", changed, " ;; esac")
		}
	}
	// The temporary file has a random name and is made with set -C, so no
	// file there before is ever written through. It is made private (umask
	// 077) and given its mode by chmod: a umask would not do, since a
	// folder's default ACL overrides it. For the same reason the chmod
	// comes before the content (the file is made empty first), or the
	// content would be open to whom the ACL grants access until then;
	// after it only for a set-id mode, which writing (by a user) or chown
	// would clear.
	reason := `rm -f -- "$tend_t"; tend_we=$(dd if=/dev/zero bs=65536 count=1 2>/dev/null | { cat > "$tend_t"; } 2>&1)`
	failed := `tend_die "cannot write a temporary file beside $tend_d: ${tend_we:-I/O error}"; }`
	early := w.modeFirst()
	if w.Umask != nil {
		// The umask to go back to is known: no subshell (a process) to
		// keep the write's umask and set -C to itself. dash's printf
		// says only "I/O error" (once per printf), so on failure the
		// reason is found again by writing 64 KiB afresh (a byte could
		// fit in the last page written).
		s.add(`umask 077; set -C`)
		into := `>`
		if early {
			// A redirection on the group, not on ':': a special
			// builtin's failed redirection ends a POSIX shell.
			s.add(`{ :; } 2>/dev/null > "$tend_t" || {`)
			s.add(`	`, reason)
			s.add(`	`, failed)
			s.add(w.chmodTemp())
			into = `>>`
		}
		s.add(`{ `, printfAll(w.Content), `; } 2>/dev/null `, into, ` "$tend_t" || {`)
		s.add(`	`, reason)
		s.add(`	`, failed)
		s.add(`set +C; umask `, fmt.Sprintf("%04o", *w.Umask))
	} else {
		// Its errors are kept for the message, as above.
		mode, into := "", `>`
		if early {
			mode, into = `{ :; } 2>&1 > "$tend_t" && chmod `+chmodArg(w.Mode)+` "$tend_t" 2>&1 && `, `>>`
		}
		s.add(`tend_we=$(umask 077; set -C; `, mode, printfAll(w.Content), ` 2>&1 `, into, ` "$tend_t") || {`)
		s.add(`	case $tend_we in *"I/O error"*) tend_we=$(dd if=/dev/zero bs=65536 count=1 2>/dev/null | cat 2>&1 >> "$tend_t") ;; esac`)
		s.add(`	`, failed)
	}
	if err := s.finishWrite(w); err != nil {
		return err
	}
	s.add(";;")
	s.add("esac")
	s.add("tend_t=")
	return nil
}

// fillTemp adds the commands that make the temporary file $tend_t from the
// output of the command fill, private (umask 077, and set -C: nothing there
// before is written through). When w's mode comes first (see write) the
// file is made empty and given its mode before fill's output goes in.
func (s *script) fillTemp(w fileWrite, fill string) {
	const failed = `tend_die "cannot write a temporary file beside $tend_d"`
	if !w.modeFirst() {
		s.add(`( umask 077; set -C; `, fill, ` > "$tend_t" ) || `, failed)
		return
	}
	// Not made: what is there is not this script's to remove.
	s.add(`( umask 077; set -C; : > "$tend_t" ) || { tend_t=; `, failed, `; }`)
	s.add(w.chmodTemp())
	s.add(fill, ` >> "$tend_t" || `, failed)
}

// modeFirst says whether the temporary file gets its mode before its
// content (see write): unless the mode sets a user or group id.
func (w fileWrite) modeFirst() bool { return w.Mode&0o6000 == 0 }

// chmodTemp is the command that gives the temporary file its mode.
func (w fileWrite) chmodTemp() string {
	return `chmod ` + chmodArg(w.Mode) + ` "$tend_t" || tend_die "chmod failed on a temporary file beside $tend_d"`
}

// finishWrite adds what makes the temporary file $tend_t the file
// $tend_d: its owner, group and mode, validation, the backup, the rename.
func (s *script) finishWrite(w fileWrite) error {
	for _, c := range w.Own.cmds(`"$tend_t"`, false) {
		s.add(c)
	}
	switch keepUID, keepGID := w.Own.Owner == "" && w.KeepUID != "", w.Own.Group == "" && w.KeepGID != ""; {
	case keepUID && keepGID:
		s.add(`chown -- `, w.KeepUID, `:`, w.KeepGID, ` "$tend_t" 2>/dev/null || chgrp -- `, w.KeepGID, ` "$tend_t" 2>/dev/null || :`)
	case keepUID:
		s.add(`chown -- `, w.KeepUID, ` "$tend_t" 2>/dev/null || :`)
	case keepGID:
		s.add(`chgrp -- `, w.KeepGID, ` "$tend_t" 2>/dev/null || :`)
	}
	if !w.modeFirst() {
		s.add(w.chmodTemp())
	}
	if w.Validate != "" {
		cmd, err := validateCommand(w.Validate, `"$tend_t"`)
		if err != nil {
			return err
		}
		s.add(`tend_v=$( (`, cmd, `) </dev/null 2>&1) || tend_die "failed to validate: $tend_v"`)
	}
	if w.Backup {
		s.add(`if [ -e "$tend_d" ]; then`)
		s.add(`	tend_b=$$.$(date +%Y-%m-%d@%H:%M:%S)~`)
		s.add(`	cp -p -- "$tend_d" "$tend_d.$tend_b" || tend_die "backup of $tend_d failed"`)
		s.add(`	printf 'backup=%s\n' "$tend_b"`)
		s.add(`fi`)
	}
	s.add(`mv -f -- "$tend_t" "$tend_d" || tend_die "cannot rename the temporary file to $tend_d"`)
	return nil
}

// validateCommand turns Ansible's validate (a command line with %s for the
// file) into sh text where %s is fileWord. It is split like command's
// free form, never run through a shell.
func validateCommand(v, fileWord string) (string, error) {
	if !strings.Contains(v, "%s") {
		return "", fmt.Errorf("validate must contain %%s: %s", v)
	}
	argv, err := splitArgs(v)
	if err != nil {
		return "", fmt.Errorf("validate: %v", err)
	}
	if len(argv) == 0 {
		return "", fmt.Errorf("validate is empty")
	}
	words := make([]string, len(argv))
	for i, a := range argv {
		var w strings.Builder
		lit := ""
		for j := 0; j < len(a); j++ {
			if a[j] == '%' && j+1 < len(a) && (a[j+1] == 's' || a[j+1] == '%') {
				if a[j+1] == '%' {
					lit += "%"
				} else {
					if lit != "" {
						w.WriteString(q(lit))
						lit = ""
					}
					w.WriteString(fileWord)
				}
				j++
				continue
			}
			lit += string(a[j])
		}
		if lit != "" || w.Len() == 0 {
			w.WriteString(q(lit))
		}
		words[i] = w.String()
	}
	return strings.Join(words, " "), nil
}

// backupPath checks the suffix an Apply printed and returns the backup's
// path.
func backupPath(dest string, r *records) (string, error) {
	sfx, ok := r.opt("backup")
	if !ok {
		return "", nil
	}
	if !backupSuffix.MatchString(sfx) {
		return "", fmt.Errorf("unexpected backup suffix %q", sfx)
	}
	return dest + "." + sfx, nil
}

// attrPlan compares a file with the mode, owner and group a task asks for.
type attrPlan struct {
	Diffs []Diff
	Cmds  []string // chown, chgrp, chmod, in that order (chown may clear set-id bits)
	Mode  uint32   // the mode the file ends with
}

// planAttrs compares fi (which exists) with the requested mode and
// ownership. target is the file as a shell word; link means the link itself
// (no chmod, chown -h).
func planAttrs(p string, fi fileInfo, mode string, own ownership, umask uint32, target string, link bool) (attrPlan, error) {
	var ap attrPlan
	ap.Mode = fi.Perm
	var fix ownership
	if own.Owner != "" {
		switch fi.OwnerMatch {
		case "error":
			return ap, fmt.Errorf("chown failed: failed to look up user %s", own.Owner)
		case "1":
		default:
			fix.Owner = own.Owner
			ap.Diffs = append(ap.Diffs, Diff{Path: p, Attr: "owner", Before: nameOr(fi.Owner, fi.UID), After: own.Owner})
		}
	}
	if own.Group != "" {
		switch fi.GroupMatch {
		case "error":
			return ap, fmt.Errorf("chgrp failed: failed to look up group %s", own.Group)
		case "1":
		default:
			fix.Group = own.Group
			ap.Diffs = append(ap.Diffs, Diff{Path: p, Attr: "group", Before: nameOr(fi.Group, fi.GID), After: own.Group})
		}
	}
	ap.Cmds = fix.cmds(target, link)
	if mode != "" && !link {
		want, err := ApplyMode(mode, fi.Perm, fi.Type == 'd', umask)
		if err != nil {
			return ap, err
		}
		ap.Mode = want
		if want != fi.Perm {
			ap.Diffs = append(ap.Diffs, Diff{Path: p, Attr: "mode", Before: octal(fi.Perm), After: octal(want)})
			ap.Cmds = append(ap.Cmds, "chmod "+chmodArg(want)+" "+target+" || tend_die "+q("chmod failed"))
		}
	}
	return ap, nil
}

func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// newAttrs is what a file created by the task gets: the requested mode
// (symbolic modes apply to what the umask gives) and ownership.
func newAttrs(p string, isDir bool, mode string, own ownership, umask uint32, target string) (attrPlan, error) {
	base := uint32(0o666)
	if isDir {
		base = 0o777
	}
	ap := attrPlan{Mode: base &^ umask}
	ap.Cmds = own.cmds(target, false)
	if own.Owner != "" {
		ap.Diffs = append(ap.Diffs, Diff{Path: p, Attr: "owner", After: own.Owner})
	}
	if own.Group != "" {
		ap.Diffs = append(ap.Diffs, Diff{Path: p, Attr: "group", After: own.Group})
	}
	if mode != "" {
		want, err := ApplyMode(mode, ap.Mode, isDir, umask)
		if err != nil {
			return ap, err
		}
		ap.Mode = want
		ap.Diffs = append(ap.Diffs, Diff{Path: p, Attr: "mode", After: octal(want)})
		ap.Cmds = append(ap.Cmds, "chmod "+chmodArg(want)+" "+target+" || tend_die "+q("chmod failed"))
	}
	return ap, nil
}

// parentDirs lists the directories from the root down to p (p included),
// for creating the missing ones one by one.
func parentDirs(p string) []string {
	p = path.Clean(p)
	var out []string
	for d := p; d != "/" && d != "."; d = path.Dir(d) {
		out = append([]string{d}, out...)
	}
	return out
}

// checkAbs refuses relative remote paths: they would depend on the remote
// shell's working directory.
func checkAbs(arg, p string) error {
	if p == "" {
		return fmt.Errorf("%s is empty", arg)
	}
	if !path.IsAbs(p) {
		return fmt.Errorf("%s must be an absolute path, not %q", arg, p)
	}
	if strings.ContainsRune(p, 0) {
		return fmt.Errorf("%s holds a NUL byte", arg)
	}
	return nil
}

// cleanPath drops repeated and trailing slashes and dots.
func cleanPath(p string) string { return path.Clean(p) }
