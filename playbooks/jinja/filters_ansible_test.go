package jinja

import (
	"regexp"
	"strings"
	"testing"
)

// The expected values below were computed once with Debian's Ansible
// 2.14 (/usr/bin/python3, no passlib, so crypt): for example
//
//	from ansible.plugins.filter.core import get_encrypted_password as ph
//	ph("secret", "sha512", salt="saltsalt")      # and crypt.crypt("secret", "$6$saltsalt")
//	from ansible.plugins.filter.core import rand, randomize_list, to_uuid, comment, strftime
//	rand(None, 100, seed='web01')
//	from ansible.utils.encrypt import random_password
//	random_password(20, DEFAULT_PASSWORD_CHARS, 'myseed')

func TestPasswordHash(t *testing.T) {
	checkEval(t, []evalCase{
		{"'secret' | password_hash('sha512', 'saltsalt')", "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"},
		{"'secret' | password_hash('sha512', 'mysalt', rounds=10000)", "$6$rounds=10000$mysalt$9XTP7570fxVN/uTspSrH6kRPdR4KKGzGz7.TmJjDYGrKSwZuavW/3YaLur8JX6WP75Czcxa.megIO0lKreY0R."},
		// passlib's default rounds: dropped, as Ansible does with crypt
		{"'secret' | password_hash('sha512', 'mysalt', rounds=656000)", "$6$mysalt$UX6P1VKOf6dr0s2pg4pLNvIUB6hLXvP6M5f/Yj9hJgMPdAJ4oArvk5YUD9/XWtk1JOpVwt/JTsczMJr8sFVML1"},
		{"'secret' | password_hash('sha256', 'abcdefgh')", "$5$abcdefgh$gruCpC7VkOTspMQTTSAR8mtlO9Upms.fwqE5y16JVM."},
		{"('p' * 80) | password_hash('sha256', '0123456789abcdef', rounds=1000)", "$5$rounds=1000$0123456789abcdef$aH6yOhjYvbztUjznznhEnUeZVO0ofwea5BX28ai0eU0"},
		{"'secret' | password_hash('md5', 'saltsalt')", "$1$saltsalt$9xy1btjgzLYfb7hivXtC//"},
		{"'a much longer password with spaces' | password_hash('md5', 'ab./')", "$1$ab./$47gfDtcYTPm3aJpcLdxH91"},
		{"'' | password_hash('sha512', 'x')", "$6$x$QSmr1Bx2g4O6BzKvdkgOcyU6H91X6I/XBv5pSalMhSPkwdH6Beo3F455xZJg0v//bxVK5F4OE5k1.0xuR26MK0"},
		{"'pässwörd' | password_hash('sha512_crypt', salt='Ab3./xyz')", "$6$Ab3./xyz$eF1KkClFAn3p2aOiiBo4MDFbiwGMYhj3Ba4UJxvLo2XheZEPpweYIiIEV7TKGsBEM5la2ZHtsWp9jm88OPNWy."},
		{"'secret' | ansible.builtin.password_hash('sha512', 'saltsalt') | length", 98},
	})
	checkEvalErr(t, []errCase{
		{"'secret' | password_hash('sha512', 'bad salt')", "invalid characters in salt"},
		{"'secret' | password_hash('sha512', 'a' * 17)", "invalid salt size"},
		{"'secret' | password_hash('whirlpool')", "crypt.crypt does not support 'whirlpool' algorithm"},
		{"'secret' | password_hash('blowfish')", "bcrypt hashes are not supported by tend yet"},
	})
	// a random salt of the algorithm's size
	e := New()
	got, err := e.Eval("'secret' | password_hash", nil)
	if err != nil || !regexp.MustCompile(`^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$`).MatchString(got.(string)) {
		t.Errorf("password_hash with a random salt: %v, %v", got, err)
	}
}

func TestRandomFilters(t *testing.T) {
	checkEval(t, []evalCase{
		{"100 | random(seed='web01')", 45},
		{"60 | random(seed=42)", 40},
		{"10 | random(start=1, step=3, seed='x')", 7},
		{"['a', 'b', 'c', 'd'] | random(seed='y')", "b"},
		{"[1, 2, 3, 4, 5, 6] | shuffle(seed='z')", []any{5, 4, 3, 6, 2, 1}},
		{"[1] | shuffle", []any{1}},
	})
	checkEvalErr(t, []errCase{
		{"0 | random", "empty range"},
		{"['a'] | random(start=1)", "start and step can only be used with integer values"},
		{"{} | random", "random can only be used on sequences and integers"},
	})
	e := New()
	for range 20 {
		v, err := e.Eval("3 | random", nil)
		if n, ok := v.(int); err != nil || !ok || n < 0 || n > 2 {
			t.Fatalf("3 | random = %v, %v", v, err)
		}
	}
}

func TestAnsibleFilters(t *testing.T) {
	checkEval(t, []evalCase{
		{"'web01' | to_uuid", "1366e976-9f5c-56fc-89f3-793cbaf36534"},
		{"'x' | to_uuid(namespace='6ba7b810-9dad-11d1-80b4-00c04fd430c8')", "05b16a01-46c6-56dd-bd6e-c6dfb4a1427a"},
		{"'abc' | md5", "900150983cd24fb0d6963f7d28e17f72"},
		{"'abc' | sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"'https://user:pw@Www.Example.com:8080/a/b?x=1&y=2#frag' | urlsplit", map[string]any{
			"fragment": "frag", "hostname": "www.example.com", "netloc": "user:pw@Www.Example.com:8080", "password": "pw",
			"path": "/a/b", "port": 8080, "query": "x=1&y=2", "scheme": "https", "username": "user"}},
		{"'example.com/path' | urlsplit('path')", "example.com/path"},
		{"'example.com/path' | urlsplit('hostname')", nil},
		{"'a%20b+c' | urldecode", "a b c"},
		{"'Ansible managed\nline2' | comment", "#\n# Ansible managed\n# line2\n#"},
		{"'x' | comment('cblock')", "/*\n *\n * x\n *\n */"},
		{"'x' | comment('xml')", "<!--\n -\n - x\n -\n-->"},
		{"'a\n\nb' | comment('c', prefix_count=2)", "//\n//\n// a\n//\n// b\n//"},
		{"1024 | human_readable", "1.00 KB"},
		{"1536000 | human_readable", "1.46 MB"},
		{"10 | human_readable(isbits=True)", "10.00 bits"},
		{"2048 | human_readable(unit='M')", "0.00 MB"},
		{"'10M' | human_to_bytes", 10485760},
		{"'1.5 KB' | human_to_bytes", 1536},
		{"'1Mb' | human_to_bytes(isbits=True)", 1048576},
		{"3 | human_to_bytes('K')", 3072},
		{"'%Y-%m-%d %H:%M:%S %a %b %j %p %y %I %U %W %e' | strftime(1700000000, utc=True)", "2023-11-14 22:13:20 Tue Nov 318 PM 23 10 46 46 14"},
		{"'%c|%x|%X|%D|%s' | strftime('1000000000.7', utc=True)", "Sun Sep  9 01:46:40 2001|09/09/01|01:46:40|09/09/01|1000000000"},
		{"[1, 2] | product(['a', 'b'])", []any{[]any{1, "a"}, []any{1, "b"}, []any{2, "a"}, []any{2, "b"}}},
		{"[0, 1] | product(repeat=2) | length", 4},
		{"[1, 2, 3] | permutations(2) | length", 6},
		{"[1, 2, 3] | permutations | first", []any{1, 2, 3}},
		{"[1, 2, 3] | combinations(2)", []any{[]any{1, 2}, []any{1, 3}, []any{2, 3}}},
		{"100 | log(10)", 2.0},
		{"2 | pow(10)", 1024.0},
		{"16 | root", 4.0},
		{"16 | root(4)", 2.0}, // (Go's math.Pow may differ from C's by an ulp: 27 | root(3))
		{"users | subelements('groups') | map('last') | list", []any{"wheel", "dev", "dev"}},
		{"users | subelements('groups') | map('first') | map(attribute='name') | list", []any{"alice", "alice", "bob"}},
		{"[{'n': 1}] | subelements('x', skip_missing=True)", []any{}},
		{"users | rekey_on_member('name') | list", []any{"alice", "bob", "carol"}},
		{"['/etc', 'ssh', 'sshd_config'] | path_join", "/etc/ssh/sshd_config"},
		{"['a', '/b', 'c'] | path_join", "/b/c"},
		{`'C:\\Users\\x\\file.txt' | win_basename`, "file.txt"},
		{`'C:\\Users\\x\\file.txt' | win_dirname`, `C:\Users\x`},
		{`'C:\\Users' | win_splitdrive`, []any{"C:", `\Users`}},
		{"'/a/b/../c' | realpath", "/a/c"},
		{"'/a/b/c' | relpath('/a')", "b/c"},
		{"'/nonexistent-dir/*.conf' | fileglob", []any{}},
	})
	checkEvalErr(t, []errCase{
		{"[{'n': 1}] | subelements('x')", "could not find 'x' key in iterated item {'n': 1}"},
		{"[{'n': 1}, {'n': 1}] | rekey_on_member('n')", "Key 1 is not unique"},
		{"'x' | urlsplit('nope')", "unknown URL component: nope"},
		{"'x' | comment('nope')", "unknown style"},
	})
}

func TestJSONQuery(t *testing.T) {
	checkEval(t, []evalCase{
		{"users | json_query('[].name')", []any{"alice", "bob", "carol"}},
		{"users | community.general.json_query('[?uid > `1001`].name')", []any{"bob", "carol"}},
		{"users | json_query('[0].uid')", 1001},
		{"users | json_query('length(@)')", 3},
		{"conf | json_query('nested.a')", 1},
		{"conf | json_query('nope')", nil},
	})
	checkEvalErr(t, []errCase{
		{"users | json_query('[')", "JMESPathError in json_query filter plugin"},
	})
}

func TestCollectionNames(t *testing.T) {
	checkEval(t, []evalCase{
		{"nums | ansible.builtin.sort", []any{1, 2, 3}},
		{"nums | ansible.legacy.sort | ansible.builtin.first", 1},
		{"'a' is ansible.builtin.string", true},
		{"'a' is not ansible.builtin.match('b')", true},
		{"['a'] | map('ansible.builtin.upper') | list", []any{"A"}},
	})
	e := New()
	for _, src := range []string{"{{ x | community.general.nope }}", "{{ x is community.general.nope }}", "{{ x | to_datetime }}"} {
		var se *SyntaxError
		if err := e.Check(src); err == nil || !asSyntax(err, &se) {
			t.Errorf("Check(%q) = %v, want a syntax error", src, err)
		}
	}
}

func asSyntax(err error, se **SyntaxError) bool {
	s, ok := err.(*SyntaxError)
	*se = s
	return ok
}

// KnownFilter and KnownTest turn a name Ansible has and tend lacks into
// a warning at load time and an error at run time.
func TestKnownNames(t *testing.T) {
	e := New()
	e.KnownFilter = func(name string) bool { return name == "to_datetime" || name == "community.general.dict_kv" }
	e.KnownTest = func(name string) bool { return name == "vault_encrypted" }
	src := "{{ x | ansible.builtin.to_datetime }} {{ y | community.general.dict_kv('k') }} {{ x is vault_encrypted }} {{ x | to_datetime }}"
	warnings, err := e.CheckWarnings(src)
	want := []string{"filter ansible.builtin.to_datetime is not supported by tend yet",
		"filter community.general.dict_kv is not supported by tend yet",
		"test vault_encrypted is not supported by tend yet",
		"filter to_datetime is not supported by tend yet"}
	if err != nil || strings.Join(warnings, "|") != strings.Join(want, "|") {
		t.Errorf("CheckWarnings = %q, %v; want %q", warnings, err, want)
	}
	if err := e.Check(src); err != nil {
		t.Errorf("Check: %v", err)
	}
	if w, err := e.CheckExprWarnings("x is vault_encrypted"); err != nil || len(w) != 1 {
		t.Errorf("CheckExprWarnings = %q, %v", w, err)
	}
	if _, err := e.CheckWarnings("{{ x | really_unknown }}"); err == nil || !strings.Contains(err.Error(), "no filter named 'really_unknown'") {
		t.Errorf("an unknown filter: %v", err)
	}
	for expr, msg := range map[string]string{
		"'2020-01-01' | to_datetime('%Y-%m-%d')": "filter to_datetime is not supported by tend yet",
		"'x' is vault_encrypted":                 "test vault_encrypted is not supported by tend yet",
		"'x' is not vault_encrypted":             "test vault_encrypted is not supported by tend yet",
	} {
		if _, err := e.Eval(expr, nil); err == nil || err.Error() != msg {
			t.Errorf("Eval(%q): %v, want %q", expr, err, msg)
		}
	}
	if w, err := e.CheckWarnings("{{ x | upper }}"); err != nil || w != nil {
		t.Errorf("no warnings for known filters: %q %v", w, err)
	}
}
