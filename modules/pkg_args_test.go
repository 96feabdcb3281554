package modules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPkgRpmRepoArgs(t *testing.T) {
	t.Parallel()
	qa := pkgBlob{"q", 0, testdataPkg(t, "rpm-qa.txt")}
	cu := pkgBlob{"u", 100, testdataPkg(t, "dnf-check-update.txt")}
	raw := map[string]any{"name": "nosuch-pkg", "enablerepo": "epel,crb", "disablerepo": []any{"*"}, "exclude": "kernel*",
		"disable_gpg_check": true, "install_weak_deps": false, "disable_excludes": "all", "skip_broken": "yes"}
	m, task := mkTask(t, "dnf", raw)
	ch := mustPlan(t, m, task, pkgOut("dnf", "", qa))
	want := "dnf -y '--disablerepo=*' '--enablerepo=epel' '--enablerepo=crb' '--exclude=kernel*' '--disableexcludes=all' --nogpgcheck --skip-broken '--setopt=install_weak_deps=False' install -- nosuch-pkg ||"
	if ch == nil || !strings.Contains(ch.Apply, want) {
		t.Fatalf("apply lacks %q:\n%+v", want, ch)
	}
	// yum has no weak dependencies; check-update sees the same repositories.
	raw["state"] = "latest"
	m, task = mkTask(t, "yum", raw)
	probe, err := m.Probe(task)
	if err != nil || !strings.Contains(probe, "tend_pkgcap u yum '--disablerepo=*' '--enablerepo=epel' '--enablerepo=crb' '--exclude=kernel*' '--disableexcludes=all' --nogpgcheck -q check-update") {
		t.Fatalf("probe %v:\n%s", err, probe)
	}
	ch = mustPlan(t, m, task, pkgOut("yum", "", qa, cu))
	if ch == nil || strings.Contains(ch.Apply, "weak") {
		t.Fatalf("yum: %+v", ch)
	}
	m, task = mkTask(t, "dnf", map[string]any{"name": "x", "enablerepo": "-x"})
	if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), "not a repository") {
		t.Errorf("option as repository: %v", err)
	}
}

func TestPkgRpmDowngrade(t *testing.T) {
	t.Parallel()
	qa := pkgBlob{"q", 0, testdataPkg(t, "rpm-qa.txt")}
	// tend-hello 1.2-3 is installed: an older version named is left alone,
	// as Ansible's dnf does, unless allow_downgrade.
	for _, name := range []string{"tend-hello-1.0", "tend-hello-1.2-1", "tend-hello-1.1-9.noarch"} {
		m, task := mkTask(t, "dnf", map[string]any{"name": name})
		if ch := mustPlan(t, m, task, pkgOut("dnf", "", qa)); ch != nil {
			t.Errorf("%s: %+v", name, ch.Diffs)
		}
		m, task = mkTask(t, "dnf", map[string]any{"name": name, "allow_downgrade": true})
		if ch := mustPlan(t, m, task, pkgOut("dnf", "", qa)); ch == nil || !strings.Contains(ch.Apply, "install -- "+name) {
			t.Errorf("%s with allow_downgrade: %+v", name, ch)
		}
	}
	m, task := mkTask(t, "dnf", map[string]any{"name": "tend-hello-1.3"})
	if ch := mustPlan(t, m, task, pkgOut("dnf", "", qa)); ch == nil {
		t.Errorf("a newer version is installed")
	}
}

func TestRpmVerCmp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0}, {"1.0", "1.1", -1}, {"1.10", "1.9", 1}, {"1.0a", "1.0", 1},
		{"1.0~rc1", "1.0", -1}, {"1.0~rc1", "1.0~rc2", -1}, {"2.0.01", "2.0.1", 0},
		{"1.0-3", "1.0-10", -1}, {"a", "1", -1}, {"1.el9", "1.el8", 1}, {"1.0", "1.0.0", -1},
	} {
		if got := rpmVerCmp(c.a, c.b); got != c.want {
			t.Errorf("rpmVerCmp(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := rpmVerCmp(c.b, c.a); got != -c.want {
			t.Errorf("rpmVerCmp(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

func TestPkgAptArgs(t *testing.T) {
	t.Parallel()
	q := pkgBlob{"q", 0, "ii \ttend-a\tall\t1.0\n"}
	u := pkgBlob{"u", 0, "tend-b:\n  Installed: (none)\n  Candidate: 2.0\n"}
	m, task := mkTask(t, "apt", map[string]any{"name": "tend-a,tend-b", "default_release": "bookworm-backports",
		"dpkg_options": "force-confnew", "force_apt_get": true, "allow_unauthenticated": true, "allow_change_held_packages": true, "policy_rc_d": 101})
	probe, err := m.Probe(task)
	if err != nil || !strings.Contains(probe, "apt-cache -o 'APT::Default-Release=bookworm-backports' policy") {
		t.Fatalf("probe %v:\n%s", err, probe)
	}
	ch := mustPlan(t, m, task, pkgOut("apt", "", q, u))
	want := "apt-get install -y -q -o 'Dpkg::Options::=--force-confnew' -t bookworm-backports --allow-unauthenticated --allow-change-held-packages -- tend-b ||"
	if ch == nil || !strings.Contains(ch.Apply, want) || !strings.Contains(ch.Apply, "exit %d\\n' 101") {
		t.Fatalf("apply lacks %q:\n%+v", want, ch)
	}
	m, task = mkTask(t, "apt", map[string]any{"name": "tend-a", "state": "absent", "dpkg_options": "force-confdef,force-confmiss"})
	ch = mustPlan(t, m, task, pkgOut("apt", "", q))
	if ch == nil || !strings.Contains(ch.Apply, "apt-get remove -y -q -o 'Dpkg::Options::=--force-confdef' -o 'Dpkg::Options::=--force-confmiss' -- tend-a") {
		t.Fatalf("remove: %+v", ch)
	}
	m, task = mkTask(t, "apt", map[string]any{"name": "x", "dpkg_options": "force-confdef;rm -rf /"})
	if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), "not a dpkg option") {
		t.Errorf("bad dpkg option: %v", err)
	}
}

// TestPkgPolicyRCD runs policy_rc_d's lines with /usr/sbin moved to a
// temporary folder: the file exits as asked while the script runs, and
// what was there before is back afterwards, also when the script fails.
func TestPkgPolicyRCD(t *testing.T) {
	t.Parallel()
	for _, sh := range matrix(t) {
		dir := t.TempDir()
		f := filepath.Join(dir, "policy-rc.d")
		for _, before := range []string{"", "#!/bin/sh\nexit 0\n"} {
			if before != "" {
				writeFile(t, f, before, 0o755)
			}
			for _, fail := range []bool{false, true} {
				s := newScript()
				policyRCD(s, 101)
				s.add(`"$tend_pr"; echo "rc=$?"`)
				if fail {
					s.add("false || exit")
				}
				script := strings.ReplaceAll(s.String(), "/usr/sbin/", dir+"/")
				out := sh.run(t, script)
				if string(out.Stdout) != "rc=101\n" || (out.ExitCode != 0) != fail {
					t.Errorf("%s: %q %d %s", sh.name, out.Stdout, out.ExitCode, out.Stderr)
				}
				if before == "" {
					if _, err := os.Lstat(f); err == nil {
						t.Errorf("%s: policy-rc.d left behind", sh.name)
					}
				} else if got := readFile(t, f); got != before {
					t.Errorf("%s: policy-rc.d not restored: %q", sh.name, got)
				}
				noLeftovers(t, dir)
			}
		}
	}
}

func TestPkgPackagePassesArgs(t *testing.T) {
	t.Parallel()
	q := pkgBlob{"q", 0, "ii \ttend-a\tall\t1.0\n"}
	m, task := mkTask(t, "package", map[string]any{"name": "tend-a", "state": "present", "install_recommends": false, "cache_valid_time": 3600})
	if ch := mustPlan(t, m, task, pkgOut("apt", "", q)); ch != nil {
		t.Errorf("installed: %+v", ch)
	}
	m, task = mkTask(t, "package", map[string]any{"name": "tend-a", "state": "present", "enablerepo": "epel"})
	if _, err := m.Plan(task, pkgOut("apt", "", q)); err == nil || !strings.Contains(err.Error(), "Unsupported parameters for (apt) module: enablerepo") {
		t.Errorf("enablerepo on apt: %v", err)
	}
	qa := pkgBlob{"q", 0, testdataPkg(t, "rpm-qa.txt")}
	m, task = mkTask(t, "package", map[string]any{"name": "nosuch", "state": "present", "enablerepo": "epel"})
	if ch := mustPlan(t, m, task, pkgOut("dnf", "", qa)); ch == nil || !strings.Contains(ch.Apply, "dnf -y '--enablerepo=epel' install -- nosuch") {
		t.Errorf("enablerepo on dnf: %+v", ch)
	}
}
