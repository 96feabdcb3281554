package cronjob

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEvery(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute: "* * * * *", 30 * time.Minute: "*/30 * * * *", 5 * time.Minute: "*/5 * * * *",
		time.Hour: "0 * * * *", 6 * time.Hour: "0 */6 * * *", 24 * time.Hour: "0 0 * * *",
	} {
		if got, err := Every(d); got != want || err != nil {
			t.Errorf("%s: %q %v, want %q", d, got, err, want)
		}
		if got, _ := Every(d); Validate(got) != nil {
			t.Errorf("%s: %q does not validate", d, got)
		}
	}
	for _, d := range []time.Duration{0, 7 * time.Minute, 90 * time.Minute, 5 * time.Hour, 48 * time.Hour, 30 * time.Second} {
		if got, err := Every(d); err == nil {
			t.Errorf("%s accepted as %q", d, got)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, ok := range []string{"*/15 * * * *", "0 3 * * mon-fri", "5,35 8-18/2 1 JAN,jul 0", "@daily", "0 0 * * 7", "0-59/10 * * * *"} {
		if err := Validate(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "*/0 * * * *", "5/2 * * * *", "10-5 * * * *", "@reboot", "@often", "x * * * *", "* * * * * *"} {
		if err := Validate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseLineUndoesCronEscapes(t *testing.T) {
	sched, user, cmd, err := ParseLine(`*/30 * * * * root cd '/a b' && date +\%s >>/tmp/log`, true)
	if err != nil || sched != "*/30 * * * *" || user != "root" || cmd != `cd '/a b' && date +%s >>/tmp/log` {
		t.Errorf("%q %q %q %v", sched, user, cmd, err)
	}
	_, _, cmd, err = ParseLine("@hourly echo a%b", false)
	if err != nil || cmd != "echo a" {
		t.Errorf("%q %v", cmd, err)
	}
}

func entry(name string) *Entry {
	return &Entry{Meta: Meta{Name: name, Schedule: "*/30 * * * *", Playbook: "/srv/site.yml", ReportDir: "/var/lib/tend/reports"},
		User: "root", Command: "cd /srv && exec /usr/bin/tend converge -e 'x=100%' site.yml"}
}

func TestCronDirInstallTwiceListRemove(t *testing.T) {
	dir := t.TempDir()
	tg := Target{Dir: dir}
	for range 2 {
		if err := tg.Install(entry("web")); err != nil {
			t.Fatal(err)
		}
	}
	if err := tg.Install(entry("db")); err != nil {
		t.Fatal(err)
	}
	if err := tg.Install(entry("bad.name")); err == nil {
		t.Error("a name with a dot was accepted")
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 2 {
		t.Fatalf("files: %v", files)
	}
	st, _ := os.Stat(filepath.Join(dir, "tend-web"))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	list, err := tg.List()
	if err != nil || len(list) != 2 || list[1].Name != "web" || list[1].User != "root" || list[1].Command != entry("web").Command || list[1].ReportDir != "/var/lib/tend/reports" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if !strings.Contains(list[1].Line, `x=100\%`) {
		t.Errorf("%% not escaped: %s", list[1].Line)
	}
	if ok, err := tg.Remove("web"); !ok || err != nil {
		t.Errorf("remove: %v %v", ok, err)
	}
	if ok, _ := tg.Remove("web"); ok {
		t.Error("removed twice")
	}
	if list, _ := tg.List(); len(list) != 1 || list[0].Name != "db" {
		t.Errorf("after remove: %+v", list)
	}
}

// The user's crontab, through a stand-in for crontab(1) that keeps it in a
// file; the user's own lines are kept.
func TestCrontabInstallTwiceListRemove(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "tab")
	fake := filepath.Join(dir, "crontab")
	script := `#!/bin/sh
if [ "$1" = -l ]; then [ -f "` + store + `" ] || { echo "no crontab for test" >&2; exit 1; }; cat "` + store + `"; exit; fi
cat > "` + store + `"
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	tg := Target{Crontab: fake}
	if list, err := tg.List(); err != nil || len(list) != 0 {
		t.Fatalf("empty crontab: %v %v", list, err)
	}
	if err := os.WriteFile(store, []byte("MAILTO=me\n0 1 * * * backup\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"web", "db", "web"} {
		if err := tg.Install(entry(name)); err != nil {
			t.Fatal(err)
		}
	}
	text, _ := os.ReadFile(store)
	if strings.Count(string(text), "BEGIN tend-cron web ") != 1 || !strings.HasPrefix(string(text), "MAILTO=me\n0 1 * * * backup\n") {
		t.Errorf("crontab:\n%s", text)
	}
	list, err := tg.List()
	if err != nil || len(list) != 2 || list[1].Name != "web" || list[1].Command != entry("web").Command || list[1].Schedule != "*/30 * * * *" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if ok, err := tg.Remove("web"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	text, _ = os.ReadFile(store)
	if strings.Contains(string(text), "tend-cron web") || !strings.Contains(string(text), "0 1 * * * backup\n") || !strings.Contains(string(text), "tend-cron db") {
		t.Errorf("after remove:\n%s", text)
	}
}
