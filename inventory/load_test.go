package inventory

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadDirectory(t *testing.T) {
	inv := mustLoad(t, "testdata/dirsource")
	// Sorted by name: 01-hosts, 02-db.yml, then sub/03-extra.ini; README.md,
	// *.retry, *~, *.bak and dotfiles are skipped (they would not parse).
	equal(t, "hosts", hostNames(inv.Hosts()), []string{"web1", "web2", "db1", "extra1"})
	equal(t, "group_vars inside the directory", hostVar(t, inv, "web2", "http_port"), 80)
	equal(t, "host_vars/NAME wins over NAME.yml", hostVar(t, inv, "web1", "from"), "noext")
	db1, _ := inv.Host("db1")
	equal(t, "host_vars/NAME/ folder merged in name order", db1.Vars, map[string]any{
		"ansible_host": "10.0.0.5", "a": 1, "b": 2, "d": 4,
	})
	equal(t, "source", db1.Source, filepath.Join("testdata", "dirsource", "02-db.yml"))
}

func TestLoadFileReadsVarsBesideIt(t *testing.T) {
	inv := mustLoad(t, "testdata/precedence/hosts")
	equal(t, "host_vars", hostVar(t, inv, "h1", "v9"), "host_file")
	// Parse never touches the file system.
	data, err := os.ReadFile("testdata/precedence/hosts")
	if err != nil {
		t.Fatal(err)
	}
	inv = mustParse(t, "testdata/precedence/hosts", string(data))
	equal(t, "no host_vars via Parse", hostVar(t, inv, "h1", "v9"), "host_inline")
}

func TestAutodetect(t *testing.T) {
	tests := []struct {
		name, src string
		hosts     []string
	}{
		{"noext-yaml", "all:\n  hosts:\n    y1:\n", []string{"y1"}},
		{"noext-json", `{"all": {"hosts": {"j1": {"a": 1}}}}`, []string{"j1"}},
		{"noext-ini", "i1\n[g]\ni2 a=1\n", []string{"i1", "i2"}},
		{"noext-ini-hostport", "web1:22\n", []string{"web1"}},
		{"noext-ini-one-word", "web1\n", []string{"web1"}},
		{"inv.json", `{"web": {"hosts": {"j2": null}}}`, []string{"j2"}},
		{"inv.yaml", "web:\n  hosts: {y2: {}}\n", []string{"y2"}},
		{"hosts.ini", "web:\n", nil}, // forced INI: "web:" is a bad host
	}
	for _, tt := range tests {
		inv, err := Parse(tt.name, []byte(tt.src))
		if tt.hosts == nil {
			if err == nil {
				t.Errorf("%s: want an error", tt.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		equal(t, tt.name, hostNames(inv.Hosts()), tt.hosts)
	}
	inv := mustLoad(t, "testdata/autodetect/yaml_noext", "testdata/autodetect/ini_noext")
	equal(t, "files", hostNames(inv.Hosts()), []string{"y1", "i1", "i2"})
}

func TestHostList(t *testing.T) {
	inv := mustLoad(t, "a,b:2222, c ,,a,[::1]:22,web[1:2],")
	equal(t, "hosts", hostNames(inv.Hosts()), []string{"a", "b", "c", "::1", "web[1:2]"})
	equal(t, "port", hostVar(t, inv, "b", VarPort), 2222)
	equal(t, "ipv6 port", hostVar(t, inv, "::1", VarPort), 22)
	ung, _ := inv.Group("ungrouped")
	equal(t, "ungrouped", ung.Hosts, []string{"a", "b", "c", "::1", "web[1:2]"})

	// A single host needs the trailing comma, as with ansible -i 'host,'.
	inv = mustLoad(t, "solo,")
	equal(t, "solo", hostNames(inv.Hosts()), []string{"solo"})

	// A comma-free source must exist.
	_, err := Load("solo")
	wantError(t, err, "solo: inventory source not found", `"web1,"`)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error should wrap fs.ErrNotExist: %v", err)
	}
}

func TestLoadMixedSources(t *testing.T) {
	inv := mustLoad(t, "testdata/dirsource", "testdata/multi/a/hosts", "extra1,z9,")
	equal(t, "merged", hostNames(inv.Hosts()), []string{"web1", "web2", "db1", "extra1", "w1", "z9"})
	extra, _ := inv.Host("extra1")
	equal(t, "host list does not move an existing host", extra.Groups, []string{"all", "extra"})
	web, _ := inv.Group("web")
	equal(t, "web merged from two sources", web.Hosts, []string{"web1", "web2", "w1"})
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	_, err := Load("testdata/errors/hosts")
	wantError(t, err, `testdata/errors/hosts:7: unknown section suffix ":var" in "[web:var]" (did you mean ":vars"?)`)

	big := write("big/hosts", strings.Repeat("# padding\n", maxFileSize/10+1))
	_, err = Load(big)
	wantError(t, err, "larger than 16 MiB")

	bad := write("badvars/hosts", "h1\n")
	write("badvars/host_vars/h1.yml", "- not\n- a mapping\n")
	_, err = Load(bad)
	wantError(t, err, "h1.yml:1:1:", "vars file must contain a mapping")

	syntax := write("badsyntax/hosts", "h1\n")
	write("badsyntax/group_vars/all.yml", "a: [1\n")
	_, err = Load(syntax)
	wantError(t, err, "all.yml", "invalid YAML")

	brokenDir := write("brokendir/inv/a.ini", "[g\n")
	_, err = Load(filepath.Dir(brokenDir))
	wantError(t, err, "a.ini:1:1:", "bad host range")
}

func TestEmptyLoad(t *testing.T) {
	inv := mustLoad(t)
	equal(t, "no hosts", len(inv.Hosts()), 0)
	got, err := inv.Resolve("localhost")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "implicit localhost", hostNames(got), []string{"localhost"})
}
