package modules

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRPM keeps imported keys (armored) in a folder beside it: this
// machine has no rpm.
const fakeRPM = `#!/bin/sh
db=${0%/*}/db; mkdir -p "$db"
case $1 in
-q)
	if [ "$2" = gpg-pubkey ]; then
		for f in "$db"/*.asc; do [ -e "$f" ] || exit 1; done
		[ "$3" != --qf ] || cat "$db"/*.asc
		exit 0
	fi
	[ -e "$db/${2#gpg-pubkey-}.asc" ] ;;
--version) echo "RPM version 4.18.0" ;;
--import)
	h=$(mktemp -d)
	id=$(gpg --homedir "$h" --batch --with-colons --show-keys "$2" 2>/dev/null | awk -F: '/^pub/ { print tolower(substr($5, 9)) }')
	rm -rf "$h"
	[ -n "$id" ] && cp "$2" "$db/$id.asc" ;;
--erase)
	rm "$db/${3#gpg-pubkey-}.asc" ;;
*) exit 2 ;;
esac
`

func TestRPMKey(t *testing.T) {
	t.Parallel()
	one, err := os.ReadFile("testdata/apt_key/one.asc")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(one) }))
	defer srv.Close()
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		t.Run(sh.name, func(t *testing.T) {
			bin := t.TempDir()
			writeFile(t, filepath.Join(bin, "rpm"), fakeRPM, 0o755)
			for _, tool := range []string{"gpg", "curl"} {
				if p, err := exec.LookPath(tool); err == nil {
					os.Symlink(p, filepath.Join(bin, tool))
				}
			}
			sh := sh
			env := append([]string{}, sh.env...)
			for i, e := range env {
				if strings.HasPrefix(e, "PATH=") {
					env[i] = "PATH=" + bin + ":" + e[len("PATH="):]
				}
			}
			sh.env = env
			rk := rpmKeyModule{rpm: filepath.Join(bin, "rpm")}

			_, task := mkTask(t, "rpm_key", map[string]any{"key": srv.URL + "/RPM-GPG-KEY", "fingerprint": "91A4 9C24 8209 AAAC EB96 0399 2A1E 8607 91C1 49DE"})
			ch, _ := converge(t, sh, rk, task)
			if !hasDiff(ch, "key", "", keyOne) {
				t.Errorf("diffs %v", ch.Diffs)
			}
			if _, err := os.Stat(filepath.Join(bin, "db", "91c149de.asc")); err != nil {
				t.Error(err)
			}
			_, task = mkTask(t, "rpm_key", map[string]any{"key": "0x" + keyOne[8:]})
			settled(t, sh, rk, task)
			_, task = mkTask(t, "rpm_key", map[string]any{"key": keyOne[8:], "state": "absent"})
			converge(t, sh, rk, task)
			_, task = mkTask(t, "rpm_key", map[string]any{"key": keyOne})
			planErr(t, sh, rk, task, "When importing a key, a valid file must be given")
			f, _ := filepath.Abs("testdata/apt_key/one.asc")
			_, task = mkTask(t, "rpm_key", map[string]any{"key": f, "fingerprint": "00"})
			planErr(t, sh, rk, task, "does not match the key fingerprint '91A49C248209AAACEB9603992A1E860791C149DE'")
		})
	}
	t.Run("no rpm", func(t *testing.T) {
		m, task := mkTask(t, "rpm_key", map[string]any{"key": "deadbeef"})
		planErr(t, shells(t)[1], m, task, "rpm_key needs rpm on the host (busybox's cannot import keys)")
	})
}
