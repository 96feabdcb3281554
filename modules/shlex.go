package modules

import (
	"regexp"
	"strings"

	"tend/internal/shlex"
)

// splitArgs splits a command line into words as Python's shlex.split does
// (which is what Ansible's command module uses).
func splitArgs(s string) ([]string, error) { return shlex.Split(s) }

var (
	shName       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	varRef       = regexp.MustCompile(`\$(\w+|\{[^}]*\})`)
	tildeWord    = regexp.MustCompile(`^~([A-Za-z0-9_.][A-Za-z0-9_.-]*)?(/|$)`)
	backupSfx    = `[0-9]+\.[0-9]{4}-[0-9]{2}-[0-9]{2}@[0-9]{2}:[0-9]{2}:[0-9]{2}~`
	backupSuffix = regexp.MustCompile(`^` + backupSfx + `$`)
)

// expandWord returns sh text for one argument of the command module with
// Ansible's expand_argument_vars: os.path.expandvars(os.path.expanduser(a))
// on the host. A leading ~ or ~user expands to the home directory, $NAME and
// ${NAME} to the variable when it is set; everything else, and names that
// are not set, stay as written. Nothing is split or globbed.
func expandWord(a string) string {
	var b strings.Builder
	rest := a
	if m := tildeWord.FindStringSubmatchIndex(rest); m != nil {
		// An unquoted ~user/ at the start of a word is tilde expansion;
		// the user part is made only of characters that need no quoting.
		end := m[3]
		if end < 0 {
			end = 1
		}
		b.WriteString(rest[:end])
		rest = rest[end:]
	}
	for {
		loc := varRef.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		name := rest[loc[2]:loc[3]]
		if strings.HasPrefix(name, "{") {
			name = name[1 : len(name)-1]
		}
		if !shName.MatchString(name) {
			// Not a name sh could look up (Python would try, and find
			// nothing): keep it as written.
			writeLit(&b, rest[:loc[1]])
			rest = rest[loc[1]:]
			continue
		}
		writeLit(&b, rest[:loc[0]])
		// "${NAME-literal}": the value when set, the text as written when not.
		b.WriteString(`"${` + name + `-` + dqEscape(rest[loc[0]:loc[1]]) + `}"`)
		rest = rest[loc[1]:]
	}
	writeLit(&b, rest)
	if b.Len() == 0 {
		return "''"
	}
	return b.String()
}

func writeLit(b *strings.Builder, s string) {
	if s != "" {
		b.WriteString(q(s))
	}
}

// dqEscape escapes text for the word of ${NAME-word} inside double quotes,
// where only $, `, \, " and } are special.
func dqEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '$', '`', '\\', '"', '}':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
