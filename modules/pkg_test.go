package modules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pkgBlob is one tend_pkgcap record for a hand-made probe output.
type pkgBlob struct {
	key string
	rc  int
	out string
}

// pkgOut builds what a probe prints for mgr (see tend_pkgcap), from
// recorded outputs of the real tools.
func pkgOut(mgr string, extra string, blobs ...pkgBlob) Output {
	var b strings.Builder
	fmt.Fprintf(&b, "mgr=%s\n%s", mgr, extra)
	for _, x := range blobs {
		out := strings.TrimRight(x.out, "\n") + "\n"
		fmt.Fprintf(&b, "%s.rc=%d\n%s:%d\n%s\n", x.key, x.rc, x.key, len(out), out)
	}
	return Output{Stdout: []byte(b.String())}
}

func testdataPkg(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pkg", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustPlan(t *testing.T, m Module, task *Task, out Output) *Change {
	t.Helper()
	if s, err := m.Probe(task); err != nil {
		t.Fatalf("probe: %v", err)
	} else {
		mustParse(t, s)
	}
	ch, err := m.Plan(task, out)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if ch != nil {
		mustParse(t, ch.Apply)
	}
	return ch
}

func TestPkgArgs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		mod  string
		raw  map[string]any
		want string
	}{
		{"apt", map[string]any{"name": "foo*"}, "patterns are not supported"},
		{"apt", map[string]any{"name": "/tmp/x.deb"}, "not patterns"},
		{"apt", map[string]any{"name": "foo=1.0", "state": "latest"}, "inconsistent with state=latest"},
		{"dnf", map[string]any{"name": "@web-server"}, "not patterns"},
		{"dnf", map[string]any{"name": "foo=1.2"}, "foo-1.2"},
		{"pacman", map[string]any{"name": "foo=1.2"}, "pacman takes no versions"},
		{"apk", map[string]any{"name": "-rf"}, "not patterns"},
		{"apt", map[string]any{"deb": "rel/x.deb"}, "absolute"},
		{"package", map[string]any{"name": "foo", "state": "present", "use": "portage"}, "no backend for it"},
	} {
		m, task := mkTask(t, c.mod, c.raw)
		_, err := m.Probe(task)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v, want %q", c.mod, c.raw, err, c.want)
		}
	}
	for _, c := range []struct {
		mod string
		raw map[string]any
	}{
		{"package", map[string]any{"name": "foo"}}, // state is required, as in Ansible
		{"apt", map[string]any{"name": "foo", "deb": "/x.deb"}},
		{"apt", map[string]any{"name": "foo", "state": "fixed"}},
		{"apt", map[string]any{"state": "present"}},
		{"zypper", map[string]any{"update_cache": true}},
		{"dnf", map[string]any{"name": "foo", "cache_valid_time": 5}},
	} {
		m, _ := Lookup(c.mod)
		if _, errs := m.Spec().Check(c.raw, false); len(errs) == 0 {
			t.Errorf("%s %v: no argument error", c.mod, c.raw)
		}
	}
	// Aliases, and a comma string as a list.
	m, task := mkTask(t, "apt", map[string]any{"pkg": "a, b,a", "update-cache": "yes", "install-recommends": false})
	pt, err := m.(pkgModule).read(task)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pt.raw, " ") != "a b" || !pt.update || pt.recommends != "no" {
		t.Errorf("read %+v", pt)
	}
}

func TestPkgPackageDispatch(t *testing.T) {
	t.Parallel()
	m, task := mkTask(t, "package", map[string]any{"name": "curl", "state": "present"})
	task.Facts = map[string]any{"ansible_pkg_mgr": "apt"}
	s, err := m.Probe(task)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s, "command -v apt-get") || strings.Contains(s, "dnf") {
		t.Errorf("facts say apt, probe:\n%s", s)
	}
	task.Facts = map[string]any{"ansible_pkg_mgr": "portage"}
	if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), "ansible_pkg_mgr is portage") {
		t.Errorf("portage: %v", err)
	}
	// Facts say apt but the host has no apt-get: the probe says so.
	task.Facts = map[string]any{"ansible_pkg_mgr": "apt"}
	if _, err := m.Plan(task, Output{Stdout: []byte("mgr=\n")}); err == nil || !strings.Contains(err.Error(), "apt-get is not on its PATH") {
		t.Errorf("missing apt-get: %v", err)
	}
	// Without facts the probe looks for every manager; with busybox's
	// applets alone it finds none, for real.
	task.Facts = nil
	for _, sh := range matrix(t) {
		if sh.name != "busybox" {
			continue
		}
		planErr(t, sh, m, task, "no package manager found on the host (looked for apt-get, dnf, yum, apk, zypper, pacman)")
	}
	// And the backend is the one the probe found.
	ch := mustPlan(t, m, task, pkgOut("pacman", "", pkgBlob{"q", 0, testdataPkg(t, "pacman-Q.txt")}))
	if ch == nil || !strings.Contains(ch.Apply, "pacman -S --noconfirm --needed -- curl") {
		t.Fatalf("pacman install: %+v", ch)
	}
}

// fakeApt is a bin folder with apt-get, apt-cache and dpkg-query stand-ins
// that keep their database in files, so apply scripts run for real
// without touching this machine's packages.
func fakeApt(t *testing.T) (bin, db, repo, log string) {
	t.Helper()
	dir := t.TempDir()
	bin, db, repo, log = filepath.Join(dir, "bin"), filepath.Join(dir, "db"), filepath.Join(dir, "repo"), filepath.Join(dir, "log")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, db, "", 0o644)
	writeFile(t, log, "", 0o644)
	// repo lines: name version
	writeFile(t, repo, "tend-a 1.0\ntend-b 2.0\ntend-c 3.0\n", 0o644)
	head := "#!/bin/sh\nDB=" + shQuoteTest(db) + "; REPO=" + shQuoteTest(repo) + "; LOG=" + shQuoteTest(log) + "\n"
	writeFile(t, filepath.Join(bin, "dpkg-query"), head+`rc=0
for a in "$@"; do
	case $a in -W|-f=*|--) continue ;; esac
	v=$(grep "^$a " "$DB" | cut -d' ' -f2)
	if [ -n "$v" ]; then printf 'ii \t%s\tamd64\t%s\n' "$a" "$v"; else echo "dpkg-query: no packages found matching $a" >&2; rc=1; fi
done
exit $rc
`, 0o755)
	writeFile(t, filepath.Join(bin, "apt-cache"), head+`for a in "$@"; do
	case $a in policy|--) continue ;; esac
	c=$(grep "^$a " "$REPO" | cut -d' ' -f2)
	[ -n "$c" ] || continue
	i=$(grep "^$a " "$DB" | cut -d' ' -f2)
	printf '%s:\n  Installed: %s\n  Candidate: %s\n' "$a" "${i:-(none)}" "$c"
done
`, 0o755)
	writeFile(t, filepath.Join(bin, "apt-get"), head+`echo "apt-get $* FRONTEND=$DEBIAN_FRONTEND" >> "$LOG"
op=$1; n=0; seen=
for a in "$@"; do
	if [ -n "$seen" ]; then
		case $op in
		install)
			case $a in
			/*) name=$(PATH=/usr/bin:/bin dpkg-deb -f "$a" Package); ver=$(PATH=/usr/bin:/bin dpkg-deb -f "$a" Version) ;;
			*) name=${a%%=*}; ver=$(grep "^$name " "$REPO" | cut -d' ' -f2)
			   [ "$name" = "$a" ] || ver=${a#*=} ;;
			esac
			[ -n "$ver" ] || { echo "E: Unable to locate package $a" >&2; exit 100; }
			if ! grep -q "^$name $ver\$" "$DB"; then
				grep -v "^$name " "$DB" > "$DB.new"; echo "$name $ver" >> "$DB.new"; mv "$DB.new" "$DB"; n=$((n + 1))
			fi ;;
		remove)
			if grep -q "^$a " "$DB"; then grep -v "^$a " "$DB" > "$DB.new"; mv "$DB.new" "$DB"; n=$((n + 1)); fi ;;
		esac
	fi
	[ "$a" = -- ] && seen=1
done
case $op in
install) echo "0 upgraded, $n newly installed, 0 to remove and 0 not upgraded." ;;
remove) echo "0 upgraded, 0 newly installed, $n to remove and 0 not upgraded." ;;
update) if [ -n "${TEND_FAKE_FETCH_FAILS:-}" ]; then echo "W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease"; echo "W: Some index files failed to download. They have been ignored, or old ones used instead."; fi
	echo "Reading package lists..." ;;
esac
`, 0o755)
	return bin, db, repo, log
}

func shQuoteTest(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// withBin puts bin first on the shell's PATH.
func (sh testShell) withBin(bin string) testShell {
	env := make([]string, 0, len(sh.env))
	for _, e := range sh.env {
		if p, ok := strings.CutPrefix(e, "PATH="); ok {
			e = "PATH=" + bin + ":" + p
		}
		env = append(env, e)
	}
	sh.env = env
	return sh
}

func TestPkgAptConvergeFake(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		t.Run(sh.name, func(t *testing.T) {
			bin, db, _, log := fakeApt(t)
			sh := sh.withBin(bin)
			m, task := mkTask(t, "apt", map[string]any{"name": []any{"tend-a", "tend-b=2.0"}})
			ch, res := converge(t, sh, m, task)
			if !hasDiff(ch, "packages", "", "1.0") || !hasDiff(ch, "packages", "", "2.0") {
				t.Errorf("diffs %+v", ch.Diffs)
			}
			if got := readFile(t, db); got != "tend-a 1.0\ntend-b 2.0\n" {
				t.Errorf("db %q", got)
			}
			if res["changed"] != true || res["msg"] != "installed: tend-a, tend-b" || res["cache_updated"] != false {
				t.Errorf("result %v", res)
			}
			l := readFile(t, log)
			if !strings.Contains(l, "apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -- tend-a tend-b=2.0 FRONTEND=noninteractive") {
				t.Errorf("log %q", l)
			}
			// The second apply (converge runs it twice) changed nothing:
			// apt-get's summary says so, and so does the result.
			ch2, _, _ := probePlan(t, sh, m, task)
			if ch2 != nil {
				t.Fatal("not idempotent")
			}
			if r, err := ch.Result(Output{Stdout: []byte("0 upgraded, 0 newly installed, 0 to remove and 3 not upgraded.\n")}); err != nil || r["changed"] != false {
				t.Errorf("zero summary: %v %v", r, err)
			}

			// Remove one, with purge.
			m, task = mkTask(t, "apt", map[string]any{"name": "tend-b", "state": "absent", "purge": true})
			ch, _ = converge(t, sh, m, task)
			if !hasDiff(ch, "packages", "2.0", "") || !strings.Contains(ch.Apply, "apt-get remove -y -q -o 'Dpkg::Options::=--force-confdef' -o 'Dpkg::Options::=--force-confold' --purge -- tend-b") {
				t.Errorf("remove: %+v\n%s", ch.Diffs, ch.Apply)
			}
			if got := readFile(t, db); got != "tend-a 1.0\n" {
				t.Errorf("db %q", got)
			}

			// A name apt does not know fails in Plan when no cache update
			// could make it known, and with the manager's message when one does.
			m, task = mkTask(t, "apt", map[string]any{"name": "tend-nosuch"})
			planErr(t, sh, m, task, "No package matching 'tend-nosuch' is available")
			m, task = mkTask(t, "apt", map[string]any{"name": "tend-nosuch", "update_cache": true})
			ch, _, err := probePlan(t, sh, m, task)
			if err != nil || ch == nil {
				t.Fatalf("plan: %v", err)
			}
			out := sh.run(t, strings.ReplaceAll(ch.Apply, aptStamp, filepath.Join(t.TempDir(), "stamp")))
			r, err := ch.Result(out)
			if err != nil || r["failed"] != true || r["msg"] != "E: Unable to locate package tend-nosuch" {
				t.Errorf("unknown name: %v %v", r, err)
			}
		})
	}
}

// An index apt-get update cannot fetch fails the task, as in Ansible's apt
// (apt-get itself only warns and exits 0).
func TestPkgAptUpdateThatCannotFetchFails(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		bin, db, _, _ := fakeApt(t)
		sh := sh.withBin(bin)
		writeFile(t, db, "tend-a 1.0\n", 0o644)
		m, task := mkTask(t, "apt", map[string]any{"update_cache": true})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil {
			t.Fatalf("%s: plan: %v", sh.name, err)
		}
		apply := strings.ReplaceAll(ch.Apply, aptStamp, filepath.Join(t.TempDir(), "stamp"))
		if out := sh.run(t, apply); out.ExitCode != 0 {
			t.Errorf("%s: a clean update failed: %s", sh.name, out.Stderr)
		}
		out := sh.run(t, "TEND_FAKE_FETCH_FAILS=1; export TEND_FAKE_FETCH_FAILS\n"+apply)
		if out.ExitCode == 0 || !strings.Contains(string(out.Stderr), "Failed to update apt cache") {
			t.Errorf("%s: exit %d, stderr %q", sh.name, out.ExitCode, out.Stderr)
		}
	}
}

func TestPkgAptLatestAndCache(t *testing.T) {
	t.Parallel()
	sh := shells(t)[0]
	bin, db, repo, _ := fakeApt(t)
	sh = sh.withBin(bin)
	writeFile(t, db, "tend-a 0.9\ntend-c 3.0\n", 0o644)
	m, task := mkTask(t, "apt", map[string]any{"name": "tend-a,tend-c", "state": "latest"})
	ch, _ := converge(t, sh, m, task)
	if len(ch.Diffs) != 1 || !hasDiff(ch, "packages", "0.9", "1.0") {
		t.Errorf("latest diffs %+v", ch.Diffs)
	}
	if readFile(t, repo) == "" || readFile(t, db) != "tend-c 3.0\ntend-a 1.0\n" {
		t.Errorf("db %q", readFile(t, db))
	}

	// Another version installed: no cache look-up needed for it, and the
	// missing name beside it is looked up.
	writeFile(t, db, "tend-a 0.9\n", 0o644)
	m, task = mkTask(t, "apt", map[string]any{"name": "tend-a=1.0,tend-b"})
	ch, _ = converge(t, sh, m, task)
	if !hasDiff(ch, "packages", "0.9", "1.0") || !hasDiff(ch, "packages", "", "2.0") {
		t.Errorf("version and missing: %+v", ch.Diffs)
	}

	// cache_valid_time against the cache's age, from recorded probe outputs.
	dpkg := pkgBlob{"q", 0, "ii \ttend-a\tamd64\t1.0\n"}
	policy := pkgBlob{"u", 0, "tend-a:\n  Installed: 1.0\n  Candidate: 1.0\n"}
	m, task = mkTask(t, "apt", map[string]any{"update_cache": true, "cache_valid_time": 3600})
	if ch := mustPlan(t, m, task, pkgOut("apt", "now=5000\ncache.mtime=4000\n")); ch != nil {
		t.Errorf("fresh cache: %+v", ch.Diffs)
	}
	ch = mustPlan(t, m, task, pkgOut("apt", "now=9000\ncache.mtime=4000\n"))
	if ch == nil || !hasDiff(ch, "cache", "5000s old", "updated") || !strings.Contains(ch.Apply, "apt-get update -q") {
		t.Fatalf("stale cache: %+v", ch)
	}
	res, err := ch.Result(Output{Stdout: []byte("Hit:1 file:/srv/repo ./ InRelease\n" + pkgCacheMarker + "9001\n")})
	if err != nil || res["changed"] != true || res["cache_updated"] != true || res["cache_update_time"] != int64(9001) || res["stdout"] != "Hit:1 file:/srv/repo ./ InRelease\n" {
		t.Errorf("result %v %v", res, err)
	}
	// Installed packages with a stale cache: nothing to do, no update.
	m, task = mkTask(t, "apt", map[string]any{"name": "tend-a", "update_cache": true})
	if ch := mustPlan(t, m, task, pkgOut("apt", "", dpkg, policy)); ch != nil {
		t.Errorf("present + update: %+v", ch.Diffs)
	}
	// state=latest with a cache to update: the update may bring a newer
	// version, so it is planned, and apt-get's summary decides "changed".
	m, task = mkTask(t, "apt", map[string]any{"name": "tend-a", "update_cache": true, "state": "latest"})
	ch = mustPlan(t, m, task, pkgOut("apt", "", dpkg, policy))
	if ch == nil || !strings.Contains(ch.Apply, "apt-get install -y -q -o 'Dpkg::Options::=--force-confdef' -o 'Dpkg::Options::=--force-confold' -- tend-a ||") {
		t.Fatalf("latest + update: %+v", ch)
	}
	res, _ = ch.Result(Output{Stdout: []byte(pkgCacheMarker + "1\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")})
	if res["changed"] != false || res["cache_updated"] != true {
		t.Errorf("latest + update, nothing new: %v", res)
	}
	// Autoremove alone reads apt-get -s.
	m, task = mkTask(t, "apt", map[string]any{"autoremove": true})
	ch = mustPlan(t, m, task, pkgOut("apt", "", pkgBlob{"ar", 0, "Reading package lists...\nRemv libfoo1 [1.2-1]\n"}))
	if ch == nil || !hasDiff(ch, "packages", "1.2-1", "") || !strings.Contains(ch.Apply, "apt-get autoremove -y -q ||") {
		t.Fatalf("autoremove: %+v", ch)
	}
}

// TestPkgAptRealProbe runs the probe against this machine's dpkg database
// and apt cache (read only).
func TestPkgAptRealProbe(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"dpkg-query", "apt-get", "apt-cache"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not here")
		}
	}
	ver, err := exec.Command("dpkg-query", "-W", "-f=${Version}", "dpkg").Output()
	if err != nil {
		t.Fatal(err)
	}
	// busybox gets the real tools beside its applets.
	tools := t.TempDir()
	for _, tool := range []string{"dpkg-query", "apt-get", "apt-cache", "dpkg-deb"} {
		p, _ := exec.LookPath(tool)
		if err := os.Symlink(p, filepath.Join(tools, tool)); err != nil {
			t.Fatal(err)
		}
	}
	for _, sh := range matrix(t) {
		sh := sh.withBin(tools)
		m, task := mkTask(t, "apt", map[string]any{"name": "dpkg", "update_cache": true, "cache_valid_time": 1 << 40})
		settled(t, sh, m, task)
		m, task = mkTask(t, "apt", map[string]any{"name": []any{"dpkg", "tend-surely-not-a-package"}})
		planErr(t, sh, m, task, "No package matching 'tend-surely-not-a-package' is available")
		m, task = mkTask(t, "apt", map[string]any{"name": "dpkg", "state": "absent"})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil || !hasDiff(ch, "packages", string(ver), "") {
			t.Fatalf("%s: absent: %v %+v", sh.name, err, ch)
		}
		m, task = mkTask(t, "apt", map[string]any{"name": "dpkg=" + string(ver)})
		settled(t, sh, m, task)
		m, task = mkTask(t, "apt", map[string]any{"name": "dpkg=0.0.1"})
		if ch, _, err := probePlan(t, sh, m, task); err != nil || ch == nil || !hasDiff(ch, "packages", string(ver), "0.0.1") {
			t.Fatalf("%s: other version: %v %+v", sh.name, err, ch)
		}
	}
	// state=latest reads apt-cache policy (slow: once, under dash).
	pol, err := exec.Command("apt-cache", "policy", "dpkg").Output()
	if err != nil {
		t.Fatal(err)
	}
	cands, _, _ := parseAptPolicy(pol)
	m, task := mkTask(t, "apt", map[string]any{"name": "dpkg", "state": "latest"})
	ch, _, err := probePlan(t, shells(t)[0], m, task)
	switch {
	case err != nil:
		t.Fatal(err)
	case cands["dpkg"] == string(ver) && ch != nil:
		t.Errorf("dpkg is at its candidate, plan: %+v", ch.Diffs)
	case cands["dpkg"] != string(ver) && (ch == nil || !hasDiff(ch, "packages", string(ver), cands["dpkg"])):
		t.Errorf("dpkg %s has candidate %s, plan: %+v", ver, cands["dpkg"], ch)
	}
}

func TestPkgAptDeb(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("dpkg-deb not here")
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "pkg")
	if err := os.MkdirAll(filepath.Join(root, "DEBIAN"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "DEBIAN", "control"), "Package: tend-deb\nVersion: 1.5\nArchitecture: all\nMaintainer: t <t@example.com>\nDescription: test\n", 0o644)
	deb := filepath.Join(dir, "it's a.deb")
	if out, err := exec.Command("dpkg-deb", "--build", "--root-owner-group", root, deb).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, sh := range matrix(t) {
		bin, db, _, log := fakeApt(t)
		p, _ := exec.LookPath("dpkg-deb")
		if err := os.Symlink(p, filepath.Join(bin, "dpkg-deb")); err != nil {
			t.Fatal(err)
		}
		sh := sh.withBin(bin)
		m, task := mkTask(t, "apt", map[string]any{"deb": deb})
		ch, _ := converge(t, sh, m, task)
		if !hasDiff(ch, "packages", "", "1.5") || readFile(t, db) != "tend-deb 1.5\n" || !strings.Contains(readFile(t, log), "--allow-downgrades -- "+deb) {
			t.Errorf("%s: %+v db %q log %q", sh.name, ch.Diffs, readFile(t, db), readFile(t, log))
		}
		writeFile(t, db, "tend-deb 1.4\n", 0o644)
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil || ch == nil || !hasDiff(ch, "packages", "1.4", "1.5") {
			t.Errorf("%s: older installed: %v %+v", sh.name, err, ch)
		}
		m, task = mkTask(t, "apt", map[string]any{"deb": filepath.Join(dir, "missing.deb")})
		planErr(t, sh, m, task, "does not exist")
	}
}

func TestPkgRecordedRpm(t *testing.T) {
	t.Parallel()
	qa := pkgBlob{"q", 0, testdataPkg(t, "rpm-qa.txt")}
	cu := pkgBlob{"u", 100, testdataPkg(t, "dnf-check-update.txt")}
	for _, mod := range []string{"dnf", "yum"} {
		m, task := mkTask(t, mod, map[string]any{"name": []any{"tend-hello-1.2", "tend-extra-2:2.0.1-3", "tend-plain.noarch"}})
		if ch := mustPlan(t, m, task, pkgOut("dnf", "", qa)); ch != nil {
			t.Errorf("%s: installed forms: %+v", mod, ch.Diffs)
		}
		m, task = mkTask(t, mod, map[string]any{"name": "tend-hello, tend-plain", "state": "latest"})
		ch := mustPlan(t, m, task, pkgOut("yum", "", qa, cu))
		if ch == nil || len(ch.Diffs) != 1 || !hasDiff(ch, "packages", "1.2-3", "1.3-1") || !strings.Contains(ch.Apply, "yum -y upgrade -- tend-hello ||") {
			t.Fatalf("%s: latest: %+v", mod, ch)
		}
		m, task = mkTask(t, mod, map[string]any{"name": []any{"tend-plain-1.2-3", "tend-new"}, "state": "absent"})
		ch = mustPlan(t, m, task, pkgOut("dnf", "", qa))
		if ch == nil || len(ch.Diffs) != 1 || !strings.Contains(ch.Apply, "dnf -y remove -- tend-plain-1.2-3 ||") {
			t.Fatalf("%s: absent: %+v", mod, ch)
		}
		m, task = mkTask(t, mod, map[string]any{"name": "nosuch-pkg"})
		ch = mustPlan(t, m, task, pkgOut("dnf", "", qa))
		if ch == nil || !hasDiff(ch, "packages", "", "present") {
			t.Fatalf("%s: install: %+v", mod, ch)
		}
		res, err := ch.Result(Output{ExitCode: 1, Stdout: []byte(testdataPkg(t, "dnf-install-nosuch.stdout")), Stderr: []byte(testdataPkg(t, "dnf-install-nosuch.stderr"))})
		if err != nil || res["failed"] != true || res["msg"] != "Error: Unable to find a match: nosuch-pkg" {
			t.Errorf("%s: failure %v %v", mod, res, err)
		}
	}
	// A failed query is an error that quotes the tool.
	m, task := mkTask(t, "dnf", map[string]any{"name": "x"})
	if _, err := m.Plan(task, Output{Stdout: pkgOut("dnf", "", pkgBlob{"q", 1, ""}).Stdout, Stderr: []byte("error: rpmdb open failed")}); err == nil || !strings.Contains(err.Error(), "rpmdb open failed") {
		t.Errorf("query failure: %v", err)
	}
}

func TestPkgRecordedZypperPacmanApk(t *testing.T) {
	t.Parallel()
	qa := pkgBlob{"q", 0, testdataPkg(t, "rpm-qa.txt")}
	m, task := mkTask(t, "zypper", map[string]any{"name": []any{"tend-hello", "tend-plain=1.2", "tend-new"}, "state": "latest"})
	if _, err := m.Probe(task); err == nil {
		t.Error("zypper: a version with latest")
	}
	m, task = mkTask(t, "zypper", map[string]any{"name": []any{"tend-hello", "tend-new"}, "state": "latest", "refresh": true})
	ch := mustPlan(t, m, task, pkgOut("zypper", "", qa, pkgBlob{"u", 0, testdataPkg(t, "zypper-list-updates.txt")}))
	if ch == nil || !hasDiff(ch, "packages", "1.2-3", "1.3-1") || !hasDiff(ch, "packages", "", "latest") ||
		!strings.Contains(ch.Apply, "zypper --non-interactive install --auto-agree-with-licenses tend-new ||") ||
		!strings.Contains(ch.Apply, "zypper --non-interactive update --auto-agree-with-licenses tend-hello ||") ||
		!strings.Contains(ch.Apply, "zypper --non-interactive refresh ||") {
		t.Fatalf("zypper: %+v\n%s", ch, ch.Apply)
	}
	res, _ := ch.Result(Output{ExitCode: 104, Stdout: []byte(testdataPkg(t, "zypper-install-nosuch.stdout")), Stderr: []byte(testdataPkg(t, "zypper-install-nosuch.stderr"))})
	if res["msg"] != "No provider of 'nosuch-pkg' found." {
		t.Errorf("zypper failure: %v", res)
	}
	m, task = mkTask(t, "zypper", map[string]any{"name": "tend-plain=1.2"})
	if ch := mustPlan(t, m, task, pkgOut("zypper", "", qa)); ch != nil {
		t.Errorf("zypper version: %+v", ch.Diffs)
	}

	q := pkgBlob{"q", 0, testdataPkg(t, "pacman-Q.txt")}
	m, task = mkTask(t, "pacman", map[string]any{"name": []any{"tend-hello", "lib32-foo", "tend-extra"}, "state": "absent"})
	ch = mustPlan(t, m, task, pkgOut("pacman", "", q))
	if ch == nil || len(ch.Diffs) != 3 || !hasDiff(ch, "packages", "2:2.0.1-1", "") || !strings.Contains(ch.Apply, "pacman -R --noconfirm -- tend-hello lib32-foo tend-extra ||") {
		t.Fatalf("pacman: %+v", ch)
	}
	res, _ = ch.Result(Output{ExitCode: 1, Stderr: []byte(testdataPkg(t, "pacman-S-nosuch.stderr"))})
	if res["msg"] != "error: no usable package repositories configured." {
		t.Errorf("pacman failure: %v", res)
	}
	m, task = mkTask(t, "pacman", map[string]any{"name": "tend-hello", "state": "latest"})
	ch = mustPlan(t, m, task, pkgOut("pacman", "", q, pkgBlob{"u", 0, "tend-hello 1.2-3 -> 1.3-1\nother 1 -> 2 [ignored]\n"}))
	if ch == nil || !hasDiff(ch, "packages", "1.2-3", "1.3-1") {
		t.Fatalf("pacman latest: %+v", ch)
	}
	if ch := mustPlan(t, m, task, pkgOut("pacman", "", q, pkgBlob{"u", 1, ""})); ch != nil {
		t.Errorf("pacman nothing to upgrade: %+v", ch.Diffs)
	}

	info := pkgBlob{"q", 0, testdataPkg(t, "apk-info.txt")}
	m, task = mkTask(t, "apk", map[string]any{"name": []any{"busybox", "ca-certificates-bundle", "musl=1.2.4-r2", "curl"}, "update_cache": true})
	ch = mustPlan(t, m, task, pkgOut("apk", "", info))
	if ch == nil || len(ch.Diffs) != 2 || !hasDiff(ch, "cache", "", "updated") || !strings.Contains(ch.Apply, "apk add --update-cache -- curl ||") || strings.Contains(ch.Apply, "apk update") {
		t.Fatalf("apk: %+v", ch)
	}
	m, task = mkTask(t, "apk", map[string]any{"name": []any{"busybox", "musl"}, "state": "latest"})
	ch = mustPlan(t, m, task, pkgOut("apk", "", info, pkgBlob{"u", 0, testdataPkg(t, "apk-version.txt")}))
	if ch == nil || len(ch.Diffs) != 1 || !hasDiff(ch, "packages", "1.36.1-r15", "1.36.1-r16") || !strings.Contains(ch.Apply, "apk add --upgrade -- busybox ||") {
		t.Fatalf("apk latest: %+v", ch)
	}
}
