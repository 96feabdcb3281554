package hostq

import (
	"regexp"
	"strings"
)

// User is one /etc/passwd entry.
type User struct {
	Name, Password, UID, GID, Gecos, Home, Shell string
	Line                                         string // as read, for edits that keep it
}

// Group is one /etc/group entry.
type Group struct {
	Name, Password, GID string
	Members             []string
	Line                string
}

// AccountDB is the local user and group databases.
type AccountDB struct {
	Users  []User
	Groups []Group
	// Unsure (a check run's model) names an earlier change that may add
	// users and groups no one can predict (a package's install scripts, a
	// command): a name missing here is then known after apply, not absent.
	Unsure string
}

var numericID = regexp.MustCompile(`^[0-9]+$`)

// ParseAccounts reads /etc/passwd and /etc/group. NIS compat lines (+, -),
// comments, blank and malformed lines are left out, as the C library does.
func ParseAccounts(passwd, group []byte) *AccountDB {
	db := &AccountDB{}
	for _, f := range SplitDB(passwd, 7) {
		if numericID.MatchString(f[2]) && numericID.MatchString(f[3]) {
			db.Users = append(db.Users, User{Line: f[7], Name: f[0], Password: f[1], UID: f[2], GID: f[3], Gecos: f[4], Home: f[5], Shell: f[6]})
		}
	}
	for _, f := range SplitDB(group, 4) {
		if !numericID.MatchString(f[2]) {
			continue
		}
		g := Group{Line: f[4], Name: f[0], Password: f[1], GID: f[2]}
		for _, m := range strings.Split(f[3], ",") {
			if m != "" {
				g.Members = append(g.Members, m)
			}
		}
		db.Groups = append(db.Groups, g)
	}
	return db
}

// SplitDB reads a colon-separated database: lines of n fields, each
// returned with the whole line appended; NIS compat lines (+, -),
// comments and blank lines are left out.
func SplitDB(b []byte, n int) [][]string {
	var out [][]string
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || l[0] == '#' || l[0] == '+' || l[0] == '-' {
			continue
		}
		f := strings.Split(l, ":")
		if len(f) != n {
			continue
		}
		out = append(out, append(f, l))
	}
	return out
}

// User returns the user called name, or nil.
func (db *AccountDB) User(name string) *User {
	for i := range db.Users {
		if db.Users[i].Name == name {
			return &db.Users[i]
		}
	}
	return nil
}

// Group returns the group called name, or nil.
func (db *AccountDB) Group(name string) *Group {
	for i := range db.Groups {
		if db.Groups[i].Name == name {
			return &db.Groups[i]
		}
	}
	return nil
}

// clone copies the databases, so that a model can change its own.
func (db *AccountDB) clone() *AccountDB {
	c := &AccountDB{Users: append([]User(nil), db.Users...), Groups: make([]Group, len(db.Groups))}
	for i, g := range db.Groups {
		g.Members = append([]string(nil), g.Members...)
		c.Groups[i] = g
	}
	return c
}

// Match says whether a path belongs to want, a user or group name or a
// numeric id, as PathInfo.OwnerMatch: "1" or "0". name and id are the
// path's; byName maps a name to its id in the local database ("" when it
// has none). A name the local database lacks (one from LDAP, say) matches
// only the name stat printed; otherwise it is a change, which chown checks.
func Match(want, name, id string, byName func(string) string) string {
	switch {
	case want == name:
		return "1"
	case numericID.MatchString(want):
		// A name made of digits is looked up first, as chown does.
		if byName(want) == "" && strings.TrimLeft(want, "0") == strings.TrimLeft(id, "0") {
			return "1"
		}
	}
	if i := byName(want); i != "" && i == id {
		return "1"
	}
	return "0"
}

// MatchOwner fills fi.OwnerMatch and fi.GroupMatch for the owner and group
// a task asks for ("" leaves them unasked).
func (db *AccountDB) MatchOwner(fi *PathInfo, owner, group string) {
	if !fi.Exists {
		return
	}
	if owner != "" {
		fi.OwnerMatch = Match(owner, fi.Owner, fi.UID, func(n string) string {
			if u := db.User(n); u != nil {
				return u.UID
			}
			return ""
		})
	}
	if group != "" {
		fi.GroupMatch = Match(group, fi.Group, fi.GID, func(n string) string {
			if g := db.Group(n); g != nil {
				return g.GID
			}
			return ""
		})
	}
}
