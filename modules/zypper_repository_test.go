package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeZypper keeps repositories as files beside it (this machine has no
// zypper), and logs the refreshes.
const fakeZypper = `#!/bin/sh
db=${0%/*}/zdb; mkdir -p "$db"
while :; do case $1 in --quiet|--non-interactive|--gpg-auto-import-keys) shift ;; *) break ;; esac; done
case $1 in
--version) echo "zypper 1.14.59" ;;
--xmlout)
	set -- "$db"/*
	[ -e "$1" ] || { echo 'Warning: No repositories defined.'; exit 6; }
	echo '<?xml version="1.0"?><stream><repo-list>'
	for f in "$@"; do . "$f"; printf '<repo alias="%s" name="%s" type="rpm-md" priority="%s" enabled="%s" autorefresh="%s" gpgcheck="%s"><url>%s</url></repo>\n' "$alias" "$name" "$priority" "$enabled" "$autorefresh" "$gpgcheck" "$url"; done
	echo '</repo-list></stream>' ;;
addrepo)
	shift; name= priority=99 enabled=1 autorefresh=0 gpgcheck=1
	while :; do
		case $1 in --check|--gpgcheck) ;; --name) name=$2; shift ;; --priority) priority=$2; shift ;; --disable) enabled=0 ;; --no-gpgcheck) gpgcheck=0 ;; --refresh) autorefresh=1 ;; *) break ;; esac
		shift
	done
	url=$1 alias=${2-}
	case $url in *.repo) alias=$(sed -n 's/^\[\(.*\)\]$/\1/p' "$url"); url=$(sed -n 's/^baseurl=//p' "$url") ;; esac
	[ -n "$name" ] || name=$alias
	[ ! -e "$db/$alias" ] || { echo "Repository named '$alias' already exists."; exit 4; }
	printf "alias='%s' name='%s' priority='%s' enabled='%s' autorefresh='%s' gpgcheck='%s' url='%s'\n" "$alias" "$name" "$priority" "$enabled" "$autorefresh" "$gpgcheck" "$url" > "$db/$alias" ;;
removerepo)
	found=
	for f in "$db"/*; do
		[ -e "$f" ] || continue
		. "$f"
		if [ "$alias" = "$2" ] || [ "$url" = "$2" ]; then rm "$f"; found=1; fi
	done
	[ -n "$found" ] || { echo "Repository '$2' not found by its alias, number, or URI."; exit 3; } ;;
refresh) shift; echo "refresh $*" >> "${0%/*}/log" ;;
*) exit 2 ;;
esac
`

func TestZypperRepository(t *testing.T) {
	t.Parallel()
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		t.Run(sh.name, func(t *testing.T) {
			bin := t.TempDir()
			writeFile(t, filepath.Join(bin, "zypper"), fakeZypper, 0o755)
			sh := sh
			env := append([]string{}, sh.env...)
			for i, e := range env {
				if strings.HasPrefix(e, "PATH=") {
					env[i] = "PATH=" + bin + ":" + e[len("PATH="):]
				}
			}
			sh.env = env
			raw := map[string]any{"name": "oss", "repo": "http://download.example.org/distribution/leap/15.5/repo/oss/", "priority": 90, "auto_import_keys": true}
			m, task := mkTask(t, "zypper_repository", raw)
			ch, res := converge(t, sh, m, task)
			if got := readFile(t, filepath.Join(bin, "zdb", "oss")); got != "alias='oss' name='oss' priority='90' enabled='1' autorefresh='1' gpgcheck='1' url='http://download.example.org/distribution/leap/15.5/repo/oss/'\n" {
				t.Errorf("repo %q", got)
			}
			if !hasDiff(ch, "repository", "", "url=http://download.example.org/distribution/leap/15.5/repo/oss/ name= priority=90 enabled=1 autorefresh=1 gpgcheck=1") {
				t.Errorf("diffs %v", ch.Diffs)
			}
			if d, _ := res["repodata"].(map[string]any); d["priority"] != 90 || d["alias"] != "oss" || d["name"] != nil {
				t.Errorf("result %v", res)
			}
			if got := readFile(t, filepath.Join(bin, "log")); got != "refresh --force -r oss\nrefresh --force -r oss\n" {
				t.Errorf("refreshes %q", got)
			}

			// A change of setting replaces the repository.
			raw["enabled"] = false
			raw["repo"] = "http://download.example.org/distribution/leap/15.5/repo/oss"
			m, task = mkTask(t, "zypper_repository", raw)
			converge(t, sh, m, task)
			if got := readFile(t, filepath.Join(bin, "zdb", "oss")); !strings.Contains(got, "enabled='0'") {
				t.Errorf("repo %q", got)
			}

			// A .repo file.
			dir := t.TempDir()
			rf := filepath.Join(dir, "extra.repo")
			writeFile(t, rf, "[extra]\nname=Extra repo\nbaseurl=http://extra.example/x/\nenabled=1\ngpgcheck=0\n", 0o644)
			m, task = mkTask(t, "zypper_repository", map[string]any{"repo": rf})
			converge(t, sh, m, task)
			if got := readFile(t, filepath.Join(bin, "zdb", "extra")); got != "alias='extra' name='Extra repo' priority='99' enabled='1' autorefresh='1' gpgcheck='0' url='http://extra.example/x/'\n" {
				t.Errorf("repo %q", got)
			}

			for _, name := range []string{"oss", "extra"} {
				m, task = mkTask(t, "zypper_repository", map[string]any{"name": name, "state": "absent"})
				converge(t, sh, m, task)
			}
			if ents, _ := os.ReadDir(filepath.Join(bin, "zdb")); len(ents) != 0 {
				t.Errorf("left: %v", ents)
			}
			m, task = mkTask(t, "zypper_repository", map[string]any{"repo": "*", "runrefresh": true})
			ch, _, err := probePlan(t, sh, m, task)
			if err != nil || ch == nil || !ch.CheckUnknown {
				t.Errorf("refresh plan %v %v", ch, err)
			}
		})
	}
	t.Run("no zypper", func(t *testing.T) {
		m, task := mkTask(t, "zypper_repository", map[string]any{"name": "x", "repo": "http://x/"})
		planErr(t, shells(t)[1], m, task, "zypper_repository needs zypper on the host")
	})
}
