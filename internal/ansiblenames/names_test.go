package ansiblenames

import (
	"slices"
	"strings"
	"testing"
)

func TestLookupModule(t *testing.T) {
	for _, c := range []struct {
		name, fqcn string // fqcn "" means not valid Ansible
	}{
		{"copy", "ansible.builtin.copy"},
		{"ansible.builtin.copy", "ansible.builtin.copy"},
		{"ansible.legacy.copy", "ansible.builtin.copy"},
		{"include", "ansible.builtin.include"}, // the deprecated _include.py
		{"sysctl", "ansible.posix.sysctl"},     // ansible-core's plugin_routing
		{"ansible.builtin.sysctl", "ansible.posix.sysctl"},
		{"ansible.legacy.sysctl", "ansible.posix.sysctl"},
		{"docker_container", "community.docker.docker_container"},
		{"pam_limits", "community.general.pam_limits"},
		{"community.general.pam_limits", "community.general.pam_limits"},
		{"community.crypto.openssh_keypair", "community.crypto.openssh_keypair"},
		{"community.mysql.mysql_user", "community.mysql.mysql_user"},
		{"community.postgresql.postgresql_db", "community.postgresql.postgresql_db"},
		{"ansible.windows.win_copy", "ansible.windows.win_copy"}, // a .ps1 module
		{"cisco.nxos.storage.nxos_vsan", "cisco.nxos.storage.nxos_vsan"},
		// a collection's own runtime.yml: community.general forwards docker modules
		{"community.general.docker_container", "community.docker.docker_container"},
		// tombstones, in ansible-core's routing and in a collection's
		{"bigip_asm_policy", ""},
		{"community.general.docker_service", ""},
		// routed by ansible-core to a name community.aws no longer has
		{"aws_acm_facts", ""},
		{"copyy", ""},
		{"ansible.builtin.frobnicate", ""},
		{"community.general.frobnicate", ""},
		{"nosuch.collection.copy", ""},
		{"builtin.copy", ""},
		{"", ""},
		{"co py", ""},
	} {
		m, ok := LookupModule(c.name)
		if ok != (c.fqcn != "") || m.FQCN != c.fqcn {
			t.Errorf("LookupModule(%q) = %q, %v; want %q", c.name, m.FQCN, ok, c.fqcn)
		}
	}
}

func TestModuleArgs(t *testing.T) {
	for _, c := range []struct {
		module, arg string
		want        bool
	}{
		{"copy", "dest", true},
		{"copy", "src", true},
		{"copy", "path", false},         // path is file's (dest and name are its aliases)
		{"copy", "unsafe_writes", true}, // files doc fragment
		{"copy", "attributes", true},
		{"copy", "attr", true}, // alias of attributes
		{"copy", "seuser", true},
		{"copy", "mode", true},
		{"copy", "decrypt", true}, // decrypt doc fragment
		{"copy", "validate", true},
		{"copy", "modification_time", false},
		{"file", "path", true},
		{"file", "dest", true},
		{"file", "name", true},
		{"file", "modification_time", true},
		{"file", "modification_time_format", true},
		// package documents name/state/use only; yum and dnf take enablerepo.
		{"package", "name", true},
		{"package", "use", true},
		{"package", "enablerepo", false},
		{"yum", "enablerepo", true},
		{"ansible.builtin.dnf", "enablerepo", true},
		{"apt", "enablerepo", false},
		{"include_vars", "dir", true},
		{"include_vars", "files_matching", true},
		{"include_vars", "free_form", false}, // documented pseudo-option: FreeForm
		{"sysctl", "sysctl_set", true},
		{"sysctl", "reload", true},
		{"community.general.pam_limits", "limit_item", true},
		{"community.crypto.openssh_keypair", "passphrase", true},
		{"community.docker.docker_container", "published_ports", true},
		{"community.docker.docker_container", "ports", true}, // alias
		{"community.mysql.mysql_user", "priv", true},
		{"community.postgresql.postgresql_user", "role_attr_flags", true},
		{"community.mongodb.mongodb_user", "roles", true},
		{"ansible.utils.validate", "criteria", true},
		{"ansible.netcommon.cli_command", "prompt", true},
		{"template", "lstrip_blocks", true},
		{"template", "dest", true},
		{"user", "groups", true},
		{"user", "group", true},
		{"user", "grups", false},
		{"service", "enabled", true},
		{"systemd", "daemon_reload", true},
		{"systemd", "daemon-reload", true}, // alias
	} {
		m, ok := LookupModule(c.module)
		if !ok {
			t.Errorf("LookupModule(%q) failed", c.module)
			continue
		}
		if !m.ArgsKnown() {
			t.Errorf("%s: ArgsKnown false", m.FQCN)
		}
		if got := m.HasArg(c.arg); got != c.want {
			t.Errorf("%s.HasArg(%q) = %v, want %v", m.FQCN, c.arg, got, c.want)
		}
		if got := slices.Contains(m.Args(), c.arg); got != c.want {
			t.Errorf("%s.Args() contains %q = %v, want %v", m.FQCN, c.arg, got, c.want)
		}
	}
}

func TestModuleKinds(t *testing.T) {
	setFact, _ := LookupModule("set_fact")
	if setFact.ArgsKnown() || !setFact.HasArg("my_variable") || !setFact.FreeForm() {
		t.Errorf("set_fact takes any variable name: ArgsKnown %v HasArg %v FreeForm %v",
			setFact.ArgsKnown(), setFact.HasArg("my_variable"), setFact.FreeForm())
	}
	addHost, _ := LookupModule("add_host")
	if addHost.ArgsKnown() || !addHost.HasArg("ansible_host") {
		t.Errorf("add_host takes host variables as arguments")
	}
	for _, name := range []string{"command", "shell", "include_vars", "meta", "raw", "script"} {
		if m, _ := LookupModule(name); !m.FreeForm() {
			t.Errorf("%s: FreeForm false", name)
		}
	}
	for _, name := range []string{"copy", "file", "package"} {
		if m, _ := LookupModule(name); m.FreeForm() {
			t.Errorf("%s: FreeForm true", name)
		}
	}
	var none Module
	if none.ArgsKnown() || none.FreeForm() || none.Args() != nil || none.Backends() != nil {
		t.Errorf("zero Module claims knowledge")
	}
}

func TestBackends(t *testing.T) {
	fqcns := func(name string) []string {
		m, _ := LookupModule(name)
		var out []string
		for _, b := range m.Backends() {
			out = append(out, b.FQCN)
		}
		return out
	}
	pkg := fqcns("package")
	for _, want := range []string{"ansible.builtin.yum", "ansible.builtin.dnf", "ansible.builtin.apt", "community.general.zypper", "community.general.apk"} {
		if !slices.Contains(pkg, want) {
			t.Errorf("package backends %v lack %s", pkg, want)
		}
	}
	svc := fqcns("service")
	if !slices.Contains(svc, "ansible.builtin.systemd") || !slices.Contains(svc, "ansible.builtin.sysvinit") {
		t.Errorf("service backends = %v", svc)
	}
	if b := fqcns("copy"); b != nil {
		t.Errorf("copy backends = %v", b)
	}
}

func TestKeyword(t *testing.T) {
	for _, c := range []struct {
		context, name string
		want          bool
	}{
		{"task", "delegate_to", true},
		{"play", "delegate_to", false},
		{"play", "serial", true},
		{"task", "serial", false},
		{"play", "hosts", true},
		{"play", "user", true}, // still mapped to remote_user by ansible-core 2.14
		{"play", "vars_files", true},
		{"play", "when", false},
		{"task", "when", true},
		{"task", "register", true},
		{"task", "async", true},
		{"task", "local_action", true},
		{"task", "loop_control", true},
		{"task", "listen", false},
		{"handler", "listen", true},
		{"handler", "with_items", true},
		{"task", "with_first_found", true},
		{"task", "with_dict", true},
		{"task", "with_items", true},
		{"task", "with_community.general.dig", true},
		{"task", "with_hashi_vault", true}, // routed to community.hashi_vault
		{"task", "with_nosuchlookup", false},
		{"play", "with_items", false},
		{"block", "block", true},
		{"block", "rescue", true},
		{"block", "always", true},
		{"block", "loop", false},
		{"block", "register", false},
		{"role", "role", true},
		{"role", "name", true},
		{"role", "when", true},
		{"role", "tags", true},
		{"role", "register", false},
		{"nosuchcontext", "name", false},
	} {
		if got := Keyword(c.context, c.name); got != c.want {
			t.Errorf("Keyword(%q, %q) = %v, want %v", c.context, c.name, got, c.want)
		}
	}
	task := Keywords("task")
	if !slices.IsSorted(task) || !slices.Contains(task, "with_first_found") || !slices.Contains(task, "become_user") {
		t.Errorf("Keywords(task) = %v", task)
	}
	for _, kw := range task {
		if !Keyword("task", kw) {
			t.Errorf("Keywords(task) lists %q but Keyword rejects it", kw)
		}
	}
	if len(Keywords("nosuchcontext")) != 0 {
		t.Errorf("Keywords of an unknown context")
	}
}

func TestPlugins(t *testing.T) {
	for _, c := range []struct {
		kind, name string
		want       bool
	}{
		{"filter", "password_hash", true},
		{"filter", "ansible.builtin.password_hash", true},
		{"filter", "community.general.json_query", true},
		{"filter", "json_query", true}, // routed by ansible-core
		{"filter", "ansible.utils.ipaddr", true},
		{"filter", "ansible.netcommon.ipaddr", true}, // redirected to ansible.utils
		{"filter", "ipaddr", true},
		{"filter", "default", true}, // Jinja2's
		{"filter", "d", true},
		{"filter", "to_nice_yaml", true},
		{"filter", "community.general.dict_kv", true},
		{"filter", "regex_replace", true},
		{"filter", "ansible.builtin.default", false}, // Jinja2's filters have no FQCN
		{"filter", "dict_kv", false},                 // collection filters need their FQCN
		{"test", "defined", true},
		{"test", "version", true},
		{"test", "ansible.builtin.version", true},
		{"test", "succeeded", true},
		{"test", "ansible.utils.in_network", true},
		{"test", "password_hash", false},
		{"lookup", "first_found", true},
		{"lookup", "ansible.builtin.file", true},
		{"lookup", "community.general.passwordstore", true},
		{"lookup", "passwordstore", true}, // routed by ansible-core
		{"lookup", "community.hashi_vault.hashi_vault", true},
	} {
		var got bool
		switch c.kind {
		case "filter":
			got = Filter(c.name)
		case "test":
			got = Test(c.name)
		case "lookup":
			got = Lookup(c.name)
		}
		if got != c.want {
			t.Errorf("%s %q = %v, want %v", c.kind, c.name, got, c.want)
		}
	}
}

func TestInventedNames(t *testing.T) {
	for _, name := range []string{"frobnicate_widget", "ansible.builtin.frobnicate_widget", "community.general.frobnicate_widget"} {
		if _, ok := LookupModule(name); ok {
			t.Errorf("LookupModule(%q) accepted", name)
		}
		for _, ctx := range []string{"play", "role", "block", "task", "handler"} {
			if Keyword(ctx, name) || Keyword(ctx, "with_"+name) {
				t.Errorf("Keyword(%q, %q) accepted", ctx, name)
			}
		}
		if Filter(name) || Test(name) || Lookup(name) {
			t.Errorf("plugin %q accepted", name)
		}
	}
	m, _ := LookupModule("copy")
	if m.HasArg("frobnicate_widget") {
		t.Errorf("copy accepts an invented argument")
	}
}

func TestModuleNames(t *testing.T) {
	names := ModuleNames()
	for _, want := range []string{"copy", "sysctl", "docker_container", "community.general.pam_limits", "community.crypto.openssh_keypair"} {
		if _, ok := slices.BinarySearch(names, want); !ok {
			t.Errorf("ModuleNames lacks %q", want)
		}
	}
	for _, name := range names {
		if _, ok := LookupModule(name); !ok {
			t.Fatalf("ModuleNames lists %q, which LookupModule rejects", name)
		}
	}
	if slices.Contains(names, "ansible.builtin.copy") || slices.Contains(names, "bigip_asm_policy") {
		t.Errorf("ModuleNames lists a long builtin spelling or a tombstone")
	}
}

// TestTable checks the embedded table as a whole: it is the one generated
// from ansible-core 2.14 and the ansible 7 collections, every redirect lands
// on a module, and the collections the loader leans on carry argument lists.
func TestTable(t *testing.T) {
	core, ans := Versions()
	if !strings.HasPrefix(core, "2.14.") || !strings.HasPrefix(ans, "7.") {
		t.Errorf("Versions = %s, %s", core, ans)
	}
	tb := data()
	if len(tb.modules) < 7000 || len(tb.redirects) < 3000 {
		t.Errorf("%d modules, %d redirects: table truncated?", len(tb.modules), len(tb.redirects))
	}
	for from, to := range tb.redirects {
		if _, ok := tb.modules[to]; !ok {
			t.Errorf("redirect %s -> %s lands nowhere", from, to)
		}
	}
	counts := map[string]int{}
	for fq, m := range tb.modules {
		if !m.known {
			continue
		}
		for _, coll := range []string{"ansible.builtin.", "ansible.posix.", "community.general.", "community.crypto.",
			"community.mysql.", "community.postgresql.", "community.docker.", "ansible.utils.", "ansible.netcommon.",
			"community.mongodb."} {
			if strings.HasPrefix(fq, coll) {
				counts[coll]++
			}
		}
	}
	if len(counts) != 10 {
		t.Errorf("argument lists per collection: %v", counts)
	}
}
