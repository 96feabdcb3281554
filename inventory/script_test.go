package inventory

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeScript writes an executable inventory script.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

const metaScript = `#!/bin/sh
case "$1" in
--list) cat <<'END'
{"web": {"hosts": ["w1", "w2"], "vars": {"http_port": 8080}},
 "db": ["d1"],
 "prod": {"children": ["web", "db"], "vars": {"env": "prod"}},
 "solo": {"ansible_host": "10.0.0.9"},
 "_meta": {"hostvars": {"w1": {"ansible_host": "10.0.0.1", "weight": 1.5, "tags": ["a", "b"]}, "d1": {"ansible_port": 2222}}}}
END
;;
*) echo "--host must not be called with _meta" >&2; exit 1;;
esac
`

func TestScriptInventoryWithMeta(t *testing.T) {
	script := writeScript(t, t.TempDir(), "inv.sh", metaScript)
	inv := mustLoad(t, script)
	equal(t, "hosts", hostNames(inv.Hosts()), []string{"d1", "solo", "w1", "w2"})
	equal(t, "w1 address", hostVar(t, inv, "w1", "ansible_host"), "10.0.0.1")
	equal(t, "group var", hostVar(t, inv, "w2", "http_port"), 8080)
	equal(t, "env from parent", hostVar(t, inv, "d1", "env"), "prod")
	equal(t, "port", hostVar(t, inv, "d1", "ansible_port"), 2222)
	equal(t, "float", hostVar(t, inv, "w1", "weight"), 1.5)
	equal(t, "shorthand", hostVar(t, inv, "solo", "ansible_host"), "10.0.0.9")
	got, err := inv.Resolve("prod:&web")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "prod:&web", hostNames(got), []string{"w1", "w2"})
}

// Without _meta, each host's variables come from SCRIPT --host NAME.
func TestScriptInventoryHostCalls(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, dir, "inv.sh", `#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls"
case "$1" in
--list) echo '{"all": {"hosts": ["a", "b"]}}';;
--host) [ "$2" = a ] && echo '{"v": "for a"}' || echo '';;
esac
`)
	inv := mustLoad(t, script)
	equal(t, "a", hostVar(t, inv, "a", "v"), "for a")
	calls, _ := os.ReadFile(filepath.Join(dir, "calls"))
	equal(t, "calls", string(calls), "--list\n--host a\n--host b\n")
}

func TestScriptInventoryErrors(t *testing.T) {
	dir := t.TempDir()
	failing := writeScript(t, dir, "fail.sh", "#!/bin/sh\necho 'cannot reach the cloud API' >&2\nexit 3\n")
	_, err := Load(failing)
	wantError(t, err, "fail.sh", "exited with status 3", "cannot reach the cloud API")

	bad := writeScript(t, dir, "bad.sh", "#!/bin/sh\nprintf '{\\n  \"web\": [\"a\",]\\n}\\n'\n")
	_, err = Load(bad)
	wantError(t, err, "bad.sh", "not valid JSON at line 2")

	notObject := writeScript(t, dir, "list.sh", "#!/bin/sh\necho '[1]'\n")
	_, err = Load(notObject)
	wantError(t, err, "list.sh", "must be a JSON object")

	badHosts := writeScript(t, dir, "hosts.sh", "#!/bin/sh\necho '{\"web\": {\"hosts\": \"a\"}}'\n")
	_, err = Load(badHosts)
	wantError(t, err, "hosts.sh", `group "web": hosts must be a list`)

	old := ScriptTimeout
	ScriptTimeout = 300 * time.Millisecond
	defer func() { ScriptTimeout = old }()
	slow := writeScript(t, dir, "slow.sh", "#!/bin/sh\nexec sleep 30\n")
	_, err = Load(slow)
	wantError(t, err, "slow.sh", "did not finish within 300ms")
}

// An INI file that merely has its executable bit set is read as INI, as
// Ansible falls back to its other plugins.
func TestExecutableINIIsReadAsFile(t *testing.T) {
	p := writeScript(t, t.TempDir(), "hosts", "[web]\nw1 ansible_port=2200\n")
	inv := mustLoad(t, p)
	equal(t, "port", hostVar(t, inv, "w1", "ansible_port"), 2200)
}

// tend's --list of a script inventory is ansible-inventory's.
func TestScriptInventoryMatchesAnsible(t *testing.T) {
	bin, err := exec.LookPath("ansible-inventory")
	if err != nil {
		t.Skip("ansible-inventory is not installed")
	}
	script := writeScript(t, t.TempDir(), "inv.sh", metaScript)
	out, err := exec.Command(bin, "-i", script, "--list").Output()
	if err != nil {
		t.Fatalf("ansible-inventory: %v", err)
	}
	mine, err := mustLoad(t, script).ListJSON()
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mine, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tend:\n%s\nansible-inventory:\n%s", mine, strings.TrimSpace(string(out)))
	}
}
