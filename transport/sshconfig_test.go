package transport

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestResolveFromSSHConfig(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	os.WriteFile(cfgFile, []byte(`
Host web*
  HostName %h.example.org
  User deploy
  Port 2222
  IdentityFile /keys/%r-%h

Host bastioned
  HostName 10.0.0.5
  ProxyJump jump@bastion:2200

Host *
  User fallback
`), 0o600)
	cfg, err := LoadSSHConfig(cfgFile, filepath.Join(dir, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		alias string
		port  int
		user  string
		want  endpoint
	}{
		{"web1", 0, "", endpoint{alias: "web1", host: "web1.example.org", port: 2222, user: "deploy", keys: []string{"/keys/deploy-web1.example.org"}}},
		// Explicit settings (inventory, flags) win over ssh_config.
		{"web1", 22, "root", endpoint{alias: "web1", host: "web1.example.org", port: 22, user: "root", keys: []string{"/keys/root-web1.example.org"}}},
		{"bastioned", 0, "", endpoint{alias: "bastioned", host: "10.0.0.5", port: 22, user: "fallback", proxyJump: "jump@bastion:2200"}},
		{"other", 0, "", endpoint{alias: "other", host: "other", port: 22, user: "fallback"}},
	}
	for _, c := range cases {
		got, err := cfg.resolve(c.alias, c.port, c.user)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("resolve(%s, %d, %q) = %+v, want %+v", c.alias, c.port, c.user, got, c.want)
		}
	}
}

func TestResolveWithoutConfig(t *testing.T) {
	var cfg *SSHConfig
	got, err := cfg.resolve("10.1.1.1", 0, "")
	if err != nil || got.host != "10.1.1.1" || got.port != 22 || got.user == "" {
		t.Errorf("got %+v, %v", got, err)
	}
}

func TestParseJump(t *testing.T) {
	cases := map[string][]jumpHop{
		"":                        nil,
		"none":                    nil,
		"bastion":                 {{host: "bastion"}},
		"me@bastion:2200":         {{user: "me", host: "bastion", port: 2200}},
		"a,b@c:1":                 {{host: "a"}, {user: "b", host: "c", port: 1}},
		"[::1]:2222":              {{host: "::1", port: 2222}},
		"ssh://u@h:3":             {{user: "u", host: "h", port: 3}},
		"first@h1, second@h2:222": {{user: "first", host: "h1"}, {user: "second", host: "h2", port: 222}},
	}
	for spec, want := range cases {
		got, err := parseJump(spec)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("parseJump(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
	}
	for _, bad := range []string{"h:notaport", "h:70000", "u@"} {
		if _, err := parseJump(bad); err == nil {
			t.Errorf("parseJump(%q) accepted", bad)
		}
	}
}
