package modules

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The recorded `service --status-all` reads as Ansible read it on the same
// machine at the same time.
func TestServiceFactsSysvMatchesAnsible(t *testing.T) {
	t.Parallel()
	out := section("sysv", pkgTestdata(t, "status-all.txt"), "0")
	got, err := parseServiceFacts([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Facts struct {
			Services map[string]any `json:"services"`
		} `json:"ansible_facts"`
	}
	if err := json.Unmarshal([]byte(pkgTestdata(t, "ansible-service_facts.json")), &ref); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ref.Facts.Services) {
		t.Errorf("got %v\nwant %v", got, ref.Facts.Services)
	}
	// Status 4 without /etc/init.d: Ansible ignores the output.
	if got, _ := parseServiceFacts([]byte(section("sysv", pkgTestdata(t, "status-all.txt"), "4 noinitd"))); len(got) != 0 {
		t.Errorf("%v", got)
	}
}

func TestServiceFactsSystemd(t *testing.T) {
	t.Parallel()
	show := " getty@.service apt-daily-upgrade.service\nId=getty@.service\nActiveState=inactive\n\nActiveState=active\nId=apt-daily-upgrade.service\n"
	out := section("units", pkgTestdata(t, "list-units.txt"), "0") + section("unitfiles", pkgTestdata(t, "list-unit-files.txt"), "0") +
		section("show", show, "0")
	got, err := parseServiceFacts([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{
		"cron.service":               {"name": "cron.service", "state": "running", "status": "enabled", "source": "systemd"},
		"apt-daily.service":          {"name": "apt-daily.service", "state": "stopped", "status": "static", "source": "systemd"},
		"display-manager.service":    {"name": "display-manager.service", "state": "stopped", "status": "not-found", "source": "systemd"},
		"postgresql@15-main.service": {"name": "postgresql@15-main.service", "state": "stopped", "status": "failed", "source": "systemd"},
		"x11-common.service":         {"name": "x11-common.service", "state": "stopped", "status": "masked", "source": "systemd"},
		"getty@.service":             {"name": "getty@.service", "state": "inactive", "status": "enabled", "source": "systemd"},
		"apt-daily-upgrade.service":  {"name": "apt-daily-upgrade.service", "state": "active", "status": "static", "source": "systemd"},
		"console-getty.service":      {"name": "console-getty.service", "state": "unknown", "status": "disabled", "source": "systemd"},
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], map[string]any(v)) {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
}

func TestServiceFactsOpenRC(t *testing.T) {
	t.Parallel()
	out := section("rcstatus", pkgTestdata(t, "rc-status.txt"), "0") + section("rcupdate", pkgTestdata(t, "rc-update.txt"), "0")
	got, err := parseServiceFacts([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"acpid": map[string]any{"name": "acpid", "runlevels": []any{"default"}, "state": "started", "source": "openrc"},
		"crond": map[string]any{"name": "crond", "runlevels": []any{"default"}, "state": "started", "source": "openrc"},
		"sshd":  map[string]any{"name": "sshd", "runlevels": []any{"boot", "default"}, "state": "started", "source": "openrc"},
		"local": map[string]any{"name": "local", "runlevels": nil, "state": "stopped", "source": "openrc"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%v", got)
	}
}

func TestServiceFactsUpstartChkconfig(t *testing.T) {
	t.Parallel()
	out := section("upstart", "rc stop/waiting\ntty (/dev/tty3) start/running, process 1740\nssh start/running, process 1005\n", "0")
	got, _ := parseServiceFacts([]byte(out))
	if !reflect.DeepEqual(got["ssh"], map[string]any{"name": "ssh", "state": "running", "goal": "start", "source": "upstart"}) || len(got) != 3 {
		t.Errorf("upstart: %v", got)
	}
	out = section("chkconfig", "netconsole     \t0:off\t1:off\t2:off\t3:off\t4:off\t5:off\t6:off\nnetwork        \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\n", "0") +
		section("rhstatus", "3 netconsole\n0 network\n", "0")
	got, _ = parseServiceFacts([]byte(out))
	want := map[string]any{
		"netconsole": map[string]any{"name": "netconsole", "state": "stopped", "status": "disabled", "source": "sysv"},
		"network":    map[string]any{"name": "network", "state": "running", "status": "enabled", "source": "sysv"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chkconfig: %v", got)
	}
}

func TestServiceFactsLive(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		if sh.name == "bash" {
			continue // service --status-all is slow; dash and busybox cover the script
		}
		m, task := mkTask(t, "service_facts", map[string]any{})
		res := settled(t, sh, m, task)
		if res["skipped"] == true {
			continue // no service tool reachable (busybox's PATH)
		}
		if _, ok := res["ansible_facts"].(map[string]any)["services"].(map[string]any); !ok {
			t.Errorf("%s: %v", sh.name, res)
		}
	}
}

func FuzzParseServiceFacts(f *testing.F) {
	f.Add([]byte(section("sysv", " [ + ]  x\n", "0")+section("units", "● a.service not-found x y\n", "0")), uint16(3))
	f.Add([]byte(section("unitfiles", "a.service enabled\nb.service\n", "0")+section("show", " a.service\nId=a.service\nActiveState=x\n", "1")), uint16(20))
	f.Add([]byte(section("rcstatus", " a [ b ]\n", "0")+section("rcupdate", "a | x y\n", "0")+section("chkconfig", "a 0:on 1:on 2:on 3:on 4:on 5:on 6:on\n", "0")), uint16(0))
	real := section("sysv", pkgTestdata(f, "status-all.txt"), "0") + section("units", pkgTestdata(f, "list-units.txt"), "0") +
		section("unitfiles", pkgTestdata(f, "list-unit-files.txt"), "0") + section("rcstatus", pkgTestdata(f, "rc-status.txt"), "0") +
		section("rcupdate", pkgTestdata(f, "rc-update.txt"), "0")
	f.Add([]byte(real), uint16(len(real)/2))
	f.Fuzz(func(t *testing.T, out []byte, cut uint16) {
		if _, err := parseServiceFacts(out); err != nil {
			return
		}
		if n := int(cut) % (len(out) + 1); cutInsideSection(out, n) {
			if _, err := parseServiceFacts(out[:n]); err == nil {
				t.Fatalf("%q cut at %d accepted", out, n)
			}
		}
	})
}
