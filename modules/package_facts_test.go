package modules

import (
	"bytes"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func pkgTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/facts_pkgsvc/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func section(head, body, rc string) string {
	return "== tend:" + head + "\n" + body + "== tend:rc " + rc + "\n"
}

func TestPackageFactsRecorded(t *testing.T) {
	t.Parallel()
	dpkg := pkgTestdata(t, "dpkg-query.txt")
	out := section("apt amd64", dpkg, "0") + section("rpm", pkgTestdata(t, "rpm-qa.txt"), "0") +
		section("pacman", pkgTestdata(t, "pacman-Qi.txt"), "0") + section("apk", pkgTestdata(t, "apk-info-v.txt"), "0") +
		section("rpm", "garbage that is never read\n", "1")
	pk, found, err := parsePackageListings([]byte(out))
	if err != nil || found != 4 {
		t.Fatal(found, err)
	}
	installed := strings.Count(dpkg, "install ok installed\n")
	apt := 0
	for _, v := range pk {
		for _, e := range v.([]any) {
			if e.(map[string]any)["source"] == "apt" {
				apt++
			}
		}
	}
	if apt != installed {
		t.Errorf("%d apt packages, want %d", apt, installed)
	}
	want := map[string]any{
		"adduser":                []any{map[string]any{"name": "adduser", "version": "3.134", "arch": "all", "category": "admin", "source": "apt"}},
		"kernel":                 []any{map[string]any{"name": "kernel", "version": "5.14.0", "release": "362.8.1.el9_3", "epoch": nil, "arch": "x86_64", "source": "rpm"}, map[string]any{"name": "kernel", "version": "5.14.0", "release": "284.11.1.el9_2", "epoch": nil, "arch": "x86_64", "source": "rpm"}},
		"shadow-utils":           []any{map[string]any{"name": "shadow-utils", "version": "4.9", "release": "8.el9", "epoch": 2, "arch": "x86_64", "source": "rpm"}},
		"gpg-pubkey":             []any{map[string]any{"name": "gpg-pubkey", "version": "fd431d51", "release": "4ae0493b", "epoch": nil, "arch": nil, "source": "rpm"}},
		"acl":                    []any{map[string]any{"name": "acl", "version": "2.3.1-3", "arch": "x86_64", "provides": []any{"xfsacl", "libacl.so"}, "source": "pacman"}},
		"zlib":                   []any{map[string]any{"name": "zlib", "version": "1:1.2.13-2", "arch": "x86_64", "provides": nil, "source": "pacman"}},
		"ca-certificates-bundle": []any{map[string]any{"name": "ca-certificates-bundle", "version": "20230506", "release": "r0", "source": "apk"}},
	}
	for k, v := range want {
		if !reflect.DeepEqual(pk[k], v) {
			t.Errorf("%s: %#v\nwant %#v", k, pk[k], v)
		}
	}
	// A foreign architecture is NAME:ARCH, as python-apt names it.
	pk, _, _ = parsePackageListings([]byte(section("apt amd64", "libc6\t2.36\ti386\tlibs\tinstall ok installed\nold\t1\tamd64\tx\tdeinstall ok config-files\n", "0")))
	if _, ok := pk["libc6:i386"]; !ok || len(pk) != 1 {
		t.Errorf("%v", pk)
	}
}

func TestPackageFactsLive(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		t.Skip("no dpkg-query here")
	}
	for _, sh := range shells(t) {
		m, task := mkTask(t, "package_facts", map[string]any{})
		out := sh.run(t, mustProbe(t, m, task))
		res, err := m.(Reader).Read(task, out)
		if sh.name == "busybox" {
			if err == nil || !strings.Contains(err.Error(), "Could not detect a supported package manager") {
				t.Errorf("busybox: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", sh.name, err)
		}
		pk := res["ansible_facts"].(map[string]any)["packages"].(map[string]any)
		if e, ok := pk["dash"].([]any); !ok || e[0].(map[string]any)["source"] != "apt" {
			t.Errorf("%s: dash: %v", sh.name, pk["dash"])
		}
	}
	for _, c := range []struct {
		mgr  any
		want string
	}{{"yum", "Unsupported package managers requested: yum"}, {"portage", "tend does not read portage"}} {
		m, task := mkTask(t, "package_facts", map[string]any{"manager": c.mgr})
		if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v", c.mgr, err)
		}
	}
}

func FuzzParsePackageListings(f *testing.F) {
	f.Add([]byte(section("apt amd64", "a\t1\tamd64\tx\tinstall ok installed\n", "0")), uint16(0))
	f.Add([]byte(section("pacman", "Name : x\n  more\n\nName   : y\nVersion : 1\nArchitecture : z\nProvides : None\n", "0")), uint16(5))
	f.Add([]byte(section("rpm", "a\t1\t2\t(none)\tx\n", "0")+section("apk", "a-b-c\nx\n", "0")), uint16(40))
	real := section("apt amd64", pkgTestdata(f, "dpkg-query.txt"), "0") + section("rpm", pkgTestdata(f, "rpm-qa.txt"), "0") +
		section("pacman", pkgTestdata(f, "pacman-Qi.txt"), "0") + section("apk", pkgTestdata(f, "apk-info-v.txt"), "0")
	f.Add([]byte(real), uint16(len(real)-2))
	f.Fuzz(func(t *testing.T, out []byte, cut uint16) {
		if _, _, err := parsePackageListings(out); err != nil {
			return
		}
		// Output that parses, cut inside a section, must not.
		if n := int(cut) % (len(out) + 1); cutInsideSection(out, n) {
			if _, _, err := parsePackageListings(out[:n]); err == nil {
				t.Fatalf("%q cut at %d accepted", out, n)
			}
		}
	})
}

// cutInsideSection says whether out[:n] ends inside a "== tend:" section
// (not at its end, after its "== tend:rc" line).
func cutInsideSection(out []byte, n int) bool {
	if n == 0 || n == len(out) {
		return false
	}
	start := bytes.LastIndexByte(out[:n-1], '\n') + 1
	return !(out[n-1] == '\n' && bytes.HasPrefix(out[start:n], []byte("== tend:rc ")))
}
