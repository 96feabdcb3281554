package modules

import (
	"fmt"
	"regexp"
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
