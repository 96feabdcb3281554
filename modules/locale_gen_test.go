package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const localeGenFile = "# This file lists locales\n# de_DE.UTF-8 UTF-8\n# en_US ISO-8859-1\n# en_US.UTF-8 UTF-8\nC.UTF-8 UTF-8\n"

// localeRoot is a root with fake locale and locale-gen (by path): locale
// -a lists state/locales (as glibc spells them, .utf8), which locale-gen
// rebuilds from the enabled lines of etc/locale.gen, or, on Ubuntu, from
// supported.d/local.
func localeRoot(t *testing.T, ubuntu bool) (string, localeGenModule) {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"etc", "bin", "state", "usr/share/i18n"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m := localeGenModule{root: root, localeCmd: filepath.Join(root, "bin/locale"), localeGen: filepath.Join(root, "bin/locale-gen")}
	r := shQuoteTest(root)
	writeFile(t, filepath.Join(root, "state/locales"), "C\nC.utf8\nPOSIX\n", 0o644)
	writeFile(t, m.localeCmd, "#!/bin/sh\n[ \"$1\" = -a ] && cat "+r+"/state/locales\n", 0o755)
	if !ubuntu {
		writeFile(t, filepath.Join(root, "etc/locale.gen"), localeGenFile, 0o644)
		writeFile(t, m.localeGen, "#!/bin/sh\n{ printf 'C\\nPOSIX\\n'; awk '/^[^#]/ { print $1 }' "+r+"/etc/locale.gen | sed 's/UTF-8/utf8/'; } > "+r+"/state/locales\n", 0o755)
		return root, m
	}
	if err := os.MkdirAll(filepath.Join(root, "var/lib/locales/supported.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "usr/share/i18n/SUPPORTED"), "de_DE.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n", 0o644)
	writeFile(t, filepath.Join(root, "var/lib/locales/supported.d/local"), "en_US.UTF-8 UTF-8\n", 0o644)
	writeFile(t, filepath.Join(root, "state/locales"), "C\nen_US.utf8\n", 0o644)
	writeFile(t, m.localeGen, "#!/bin/sh\nL="+r+`/var/lib/locales/supported.d/local
case $1 in
--purge) ;;
*) grep -q "^$1 " "$L" || printf '%s UTF-8\n' "$1" >> "$L" ;;
esac
{ echo C; awk '{ print $1 }' "$L" | sed 's/UTF-8/utf8/'; } > `+r+"/state/locales\n", 0o755)
	return root, m
}

func TestLocaleGenDebian(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		root, m := localeRoot(t, false)
		_, task := mkTask(t, "locale_gen", map[string]any{"name": "en_US.UTF-8"})
		ch, res := converge(t, sh, m, task)
		if got := readFile(t, filepath.Join(root, "etc/locale.gen")); got != strings.Replace(localeGenFile, "# en_US.UTF-8 UTF-8", "en_US.UTF-8 UTF-8", 1) {
			t.Errorf("%s: locale.gen %q", sh.name, got)
		}
		if res["msg"] != "OK" || res["name"] != "en_US.UTF-8" || !hasDiff(ch, "state", "absent", "present") {
			t.Errorf("%s: %v %+v", sh.name, res, ch.Diffs)
		}
		_, task = mkTask(t, "locale_gen", map[string]any{"name": "en_US.UTF-8", "state": "absent"})
		converge(t, sh, m, task)
		if got := readFile(t, filepath.Join(root, "etc/locale.gen")); got != localeGenFile {
			t.Errorf("%s: locale.gen %q", sh.name, got)
		}
		_, task = mkTask(t, "locale_gen", map[string]any{"name": "xx_YY.UTF-8"})
		planErr(t, sh, m, task, "The locale you've entered is not available on your system.")
	}
}

func TestLocaleGenUbuntu(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		root, m := localeRoot(t, true)
		_, task := mkTask(t, "locale_gen", map[string]any{"name": "en_US.UTF-8"})
		settled(t, sh, m, task)
		_, task = mkTask(t, "locale_gen", map[string]any{"name": "de_DE.UTF-8"})
		converge(t, sh, m, task)
		_, task = mkTask(t, "locale_gen", map[string]any{"name": "en_US.UTF-8", "state": "absent"})
		converge(t, sh, m, task)
		if got := readFile(t, filepath.Join(root, "var/lib/locales/supported.d/local")); got != "de_DE.UTF-8 UTF-8\n" {
			t.Errorf("%s: supported.d/local %q", sh.name, got)
		}
	}
}

func TestLocaleGenMissing(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	root, m := localeRoot(t, false)
	os.Remove(filepath.Join(root, "etc/locale.gen"))
	_, task := mkTask(t, "locale_gen", map[string]any{"name": "en_US.UTF-8"})
	planErr(t, sh, m, task, `Is the package "locales" installed?`)
	if _, err := m.Probe(&Task{Args: Args{"name": "en US; rm", "state": "present"}}); err == nil {
		t.Error("a name with blanks accepted")
	}
}
