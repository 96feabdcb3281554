package inventory

import (
	"strings"
	"testing"
)

func TestHostAccessors(t *testing.T) {
	inv := mustParse(t, "inv.yml", `
all:
  hosts:
    h:
      ansible_port: "2222"
      ansible_become: "yes"
      n: 7
      f: 1.5
      b: true
      list: [1]
      nothing: ~
      word: abc
`)
	h, _ := inv.Host("h")
	if v, ok := h.Int(VarPort); !ok || v != 2222 {
		t.Errorf("Int(port) = %v, %v", v, ok)
	}
	if v, ok := h.String("n"); !ok || v != "7" {
		t.Errorf("String(n) = %q, %v", v, ok)
	}
	if v, ok := h.String("f"); !ok || v != "1.5" {
		t.Errorf("String(f) = %q, %v", v, ok)
	}
	if v, ok := h.String("b"); !ok || v != "true" {
		t.Errorf("String(b) = %q, %v", v, ok)
	}
	for _, k := range []string{"list", "nothing", "missing"} {
		if _, ok := h.String(k); ok {
			t.Errorf("String(%s) should not be ok", k)
		}
	}
	if _, ok := h.Int("word"); ok {
		t.Error("Int(word) should not be ok")
	}
	if v, ok := h.Bool(VarBecome); !ok || !v {
		t.Errorf("Bool(become) = %v, %v", v, ok)
	}
	if _, ok := h.Bool("word"); ok {
		t.Error("Bool(word) should not be ok")
	}
}

func TestConnection(t *testing.T) {
	inv := mustParse(t, "hosts", `
[web]
web1 ansible_host=10.0.0.1 ansible_port=2222 ansible_user=deploy ansible_ssh_pass=s3cret ansible_become=True ansible_become_pass=root ansible_ssh_common_args="-o StrictHostKeyChecking=no"
web2
both ansible_password=old ansible_ssh_pass=new
bad ansible_port=abc
[web:vars]
ansible_ssh_private_key_file=~/.ssh/id_web
ansible_become_method=sudo
`)
	h, _ := inv.Host("web1")
	c, err := h.Connection()
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "web1", c, Connection{
		Host: "10.0.0.1", Port: 2222, User: "deploy", PrivateKeyFile: "~/.ssh/id_web",
		Password: "s3cret", Become: true, BecomeMethod: "sudo", BecomePassword: "root",
		SSHCommonArgs: "-o StrictHostKeyChecking=no",
	})
	h, _ = inv.Host("web2")
	c, _ = h.Connection()
	equal(t, "defaults", c, Connection{Host: "web2", PrivateKeyFile: "~/.ssh/id_web", BecomeMethod: "sudo"})
	h, _ = inv.Host("both")
	if p, _ := h.String(VarPassword); p != "new" {
		t.Errorf("the later alias wins as in Ansible: got %q", p)
	}
	h, _ = inv.Host("bad")
	if _, err := h.Connection(); err == nil || !strings.Contains(err.Error(), "ansible_port must be a port number") {
		t.Errorf("bad port: %v", err)
	}
	lh, _ := inv.Host("localhost")
	c, _ = lh.Connection()
	equal(t, "implicit localhost", c.Type, "local")
	equal(t, "documented list", len(ConnectionVars), 12)
}
