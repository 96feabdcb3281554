package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakePip is a pip keeping "name==version" lines in the file db.
func fakePip(db string) string {
	return `db=` + q(db) + `
touch "$db"
cmd=$1; shift
case $cmd in
list) [ "$1" = --format=freeze ] && cat "$db" ;;
freeze) cat "$db" ;;
install)
	for p; do
		case $p in -*) continue ;; esac
		n=${p%%[=<>~!]*} v=1.0
		case $p in *==*) v=${p#*==} ;; esac
		grep -v "^$n==" "$db" > "$db.n"; mv "$db.n" "$db"
		echo "$n==$v" >> "$db"; echo "Successfully installed $n-$v"
	done ;;
uninstall)
	for p; do
		case $p in -*) continue ;; esac
		if grep -q "^$p==" "$db"; then grep -v "^$p==" "$db" > "$db.n"; mv "$db.n" "$db"; echo "Successfully uninstalled $p"
		else echo "WARNING: Skipping $p as it is not installed."; fi
	done ;;
esac
`
}

func TestPip(t *testing.T) {
	t.Parallel()
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		d := t.TempDir()
		bin := filepath.Join(d, "bin")
		os.Mkdir(bin, 0o755)
		db := filepath.Join(d, "db")
		fakeCmd(t, bin, "pip3", fakePip(db))
		writeFile(t, db, "Requests==2.0\nsix==1.16.0\n", 0o644)
		sh := withPath(sh, bin)
		m, task := mkTask(t, "pip", map[string]any{"name": []any{"requests>=1.5,<3", "six"}})
		if ch, _, err := probePlan(t, sh, m, task); ch != nil || err != nil {
			t.Fatalf("%s: %v %v", sh.name, ch, err)
		}
		m, task = mkTask(t, "pip", map[string]any{"name": []any{"requests>=1.5,<3", "new_pkg"}})
		ch, res := converge(t, sh, m, task)
		if res["changed"] != true || !strings.Contains(ch.Apply, "new_pkg") || strings.Contains(ch.Apply, "'requests") {
			t.Fatalf("%s: %v\n%s", sh.name, res, ch.Apply)
		}
		m, task = mkTask(t, "pip", map[string]any{"name": "six", "version": "1.17"})
		converge(t, sh, m, task)
		if !strings.Contains(readFile(t, db), "six==1.17\n") {
			t.Fatalf("%s: %q", sh.name, readFile(t, db))
		}
		m, task = mkTask(t, "pip", map[string]any{"name": []any{"six", "absent-one"}, "state": "absent"})
		converge(t, sh, m, task)
		if strings.Contains(readFile(t, db), "six") {
			t.Fatalf("%s: %q", sh.name, readFile(t, db))
		}
		// latest always runs pip, and says what pip said.
		m, task = mkTask(t, "pip", map[string]any{"name": "new-pkg", "state": "latest"})
		ch, _, _ = probePlan(t, sh, m, task)
		res, _ = ch.Result(sh.run(t, ch.Apply))
		if res["changed"] != true || res["cmd"] != "pip install -U new-pkg" {
			t.Fatalf("%s: %v", sh.name, res)
		}
		// A virtualenv is made when missing.
		venv := filepath.Join(hostileDir(t), "venv")
		fakeCmd(t, bin, "mkvenv", `mkdir -p "$1/bin" && touch "$1/bin/activate" && cp `+q(filepath.Join(bin, "pip3"))+` "$1/bin/pip"`)
		m, task = mkTask(t, "pip", map[string]any{"name": "x==2", "virtualenv": venv, "virtualenv_command": "mkvenv"})
		_, res = converge(t, sh, m, task)
		if res["virtualenv"] != venv || !strings.Contains(readFile(t, db), "x==2") {
			t.Fatalf("%s: %v", sh.name, res)
		}
		m, task = mkTask(t, "pip", map[string]any{"name": "x", "executable": "no-such-pip"})
		planErr(t, sh, m, task, "pip needs to be installed")
		if sh.name == "busybox" {
			os.Remove(filepath.Join(bin, "pip3"))
			m, task = mkTask(t, "pip", map[string]any{"name": "x"})
			planErr(t, sh, m, task, "pip needs to be installed")
		}
	}
}

func TestPipVersions(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		req, v string
		ok     bool
	}{
		{"a>=1.5,<3", "2.0", true}, {"a>=1.5,<3", "3.0", false}, {"a==1.0", "1", true}, {"a~=1.4.2", "1.4.9", true},
		{"a~=1.4.2", "1.5", false}, {"a==1.*", "1.7", true}, {"a!=2", "2.0", false}, {"a>1.10", "1.9", false},
	} {
		r, err := parsePipReq(c.req, "")
		if err != nil || r.satisfied(c.v) != c.ok {
			t.Errorf("%s %s: %v %v", c.req, c.v, r.satisfied(c.v), err)
		}
	}
	if r, _ := parsePipReq("git+https://x/y.git", ""); !r.opaque {
		t.Error("URL not opaque")
	}
}
