package modules

import (
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// waitRun plans and runs a wait_for task under sh and returns its result.
func waitRun(t *testing.T, sh testShell, m waitForModule, raw map[string]any) Result {
	t.Helper()
	_, task := mkTask(t, "wait_for", raw)
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil || !ch.CheckUnknown {
		t.Fatalf("%s: %v %v", sh.name, ch, err)
	}
	res, err := ch.Result(sh.run(t, ch.Apply))
	if err != nil {
		t.Fatalf("%s: %v", sh.name, err)
	}
	return res
}

func TestWaitForPath(t *testing.T) {
	for _, sh := range shells(t) {
		dir := hostileDir(t)
		f := filepath.Join(dir, "app.log")
		writeFile(t, f, "starting\nlistening on port 8080\n", 0o644)
		res := waitRun(t, sh, waitForModule{}, map[string]any{"path": f, "search_regex": `port (?P<port>\d+)`, "timeout": 5})
		if res["failed"] == true || !reflect.DeepEqual(res["match_groups"], []any{"8080"}) || !reflect.DeepEqual(res["match_groupdict"], map[string]any{"port": "8080"}) ||
			res["path"] != f || res["state"] != "file" || res["mode"] != "0644" || res["changed"] != false {
			t.Errorf("%s: %v", sh.name, res)
		}
		res = waitRun(t, sh, waitForModule{}, map[string]any{"path": filepath.Join(dir, "none"), "state": "absent", "timeout": 5})
		if _, isInt := res["elapsed"].(int); res["failed"] == true || !isInt || res["state"] != "absent" {
			t.Errorf("%s: absent: %v", sh.name, res)
		}
		res = waitRun(t, sh, waitForModule{}, map[string]any{"path": f, "search_regex": "never there", "timeout": 0})
		if res["failed"] != true || res["msg"] != "Timeout when waiting for search string never there in "+f {
			t.Errorf("%s: timeout: %v", sh.name, res)
		}
		res = waitRun(t, sh, waitForModule{}, map[string]any{"path": filepath.Join(dir, "none"), "timeout": 0, "msg": "no file"})
		if res["failed"] != true || res["msg"] != "no file" {
			t.Errorf("%s: timeout: %v", sh.name, res)
		}
		noPwned(t)
	}
}

// A port: bash's /dev/tcp under dash and bash here (this machine has no
// nc), busybox's nc under busybox sh.
func TestWaitForPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("SSH-2.0-OpenSSH_9.2 ready\r\n"))
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	for _, sh := range shells(t) {
		res := waitRun(t, sh, waitForModule{}, map[string]any{"port": port, "timeout": 10})
		if res["failed"] == true || res["port"] != port {
			t.Errorf("%s: started: %v", sh.name, res)
		}
		res = waitRun(t, sh, waitForModule{}, map[string]any{"port": port, "search_regex": `OpenSSH_(\d+)\.(?P<minor>\d+)`, "timeout": 10, "connect_timeout": 2})
		if res["failed"] == true || !reflect.DeepEqual(res["match_groups"], []any{"9", "2"}) || !reflect.DeepEqual(res["match_groupdict"], map[string]any{"minor": "2"}) {
			t.Errorf("%s: search: %v", sh.name, res)
		}
		res = waitRun(t, sh, waitForModule{}, map[string]any{"port": closedPort, "state": "stopped", "timeout": 10})
		if res["failed"] == true {
			t.Errorf("%s: stopped: %v", sh.name, res)
		}
		res = waitRun(t, sh, waitForModule{}, map[string]any{"port": port, "state": "stopped", "timeout": 0})
		if res["failed"] != true || !strings.HasPrefix(res["msg"].(string), "Timeout when waiting for 127.0.0.1:") {
			t.Errorf("%s: stopped while open: %v", sh.name, res)
		}
	}
}

// drained counts /proc/net/tcp's lines as LinuxTCPConnectionInfo does.
func TestWaitForDrained(t *testing.T) {
	dir := t.TempDir()
	head := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	writeFile(t, filepath.Join(dir, "tcp"), head+
		"   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"+
		"   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n", 0o644)
	writeFile(t, filepath.Join(dir, "tcp6"), head, 0o644)
	m := waitForModule{procNet: dir}
	for _, sh := range shells(t) {
		res := waitRun(t, sh, m, map[string]any{"port": 8080, "state": "drained", "timeout": 0})
		if res["failed"] != true || res["msg"] != "Timeout when waiting for 127.0.0.1:8080 to drain" {
			t.Errorf("%s: %v", sh.name, res)
		}
		res = waitRun(t, sh, m, map[string]any{"port": 8080, "state": "drained", "timeout": 0, "exclude_hosts": "127.0.0.1"})
		if res["failed"] == true {
			t.Errorf("%s: excluded: %v", sh.name, res)
		}
		// Another local address: not counted unless host matches all.
		res = waitRun(t, sh, m, map[string]any{"port": 8080, "state": "drained", "timeout": 0, "host": "10.0.0.1"})
		if res["failed"] == true {
			t.Errorf("%s: other host: %v", sh.name, res)
		}
		res = waitRun(t, sh, m, map[string]any{"port": 8080, "state": "drained", "timeout": 0, "host": "0.0.0.0"})
		if res["failed"] != true {
			t.Errorf("%s: all hosts: %v", sh.name, res)
		}
	}
}

func TestProcHex(t *testing.T) {
	got, err := procHex("127.0.0.1")
	if err != nil || !reflect.DeepEqual(got, [][2]string{{"4", "0100007F"}, {"6", "0000000000000000FFFF00000100007F"}}) {
		t.Errorf("%v %v", got, err)
	}
	got, _ = procHex("::1")
	if !reflect.DeepEqual(got, [][2]string{{"6", "00000000000000000000000001000000"}}) {
		t.Errorf("%v", got)
	}
	if _, err := procHex("db.example"); err == nil {
		t.Error("a name accepted")
	}
}

func TestWaitForArgs(t *testing.T) {
	for _, c := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"port": 22, "path": "/x"}, "port and path parameter can not both be passed"},
		{map[string]any{"path": "/x", "state": "stopped"}, "state=stopped should only be used for checking a port"},
		{map[string]any{"port": 22, "exclude_hosts": "1.2.3.4"}, "exclude_hosts should only be with state=drained"},
		{map[string]any{"port": 22, "active_connection_states": "LISTEN"}, "unknown active_connection_state (LISTEN) defined"},
		{map[string]any{"path": "/x", "search_regex": `(?<=a)b`}, "Invalid regular expression"},
		{map[string]any{"path": "/x", "search_regex": `a+?`}, "lazy quantifiers"},
		{map[string]any{"port": 22, "host": "-oProxyCommand=x"}, "not a host name"},
	} {
		m, task := mkTask(t, "wait_for", c.raw)
		if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.raw, err, c.want)
		}
	}
	for in, want := range map[string]string{`port (?P<p>\d+)`: `port ([0-9]+)`, `[\d\s]x\.`: `[0-9[:space:]]x\.`, `(?:a|b)\S`: `(a|b)[^[:space:]]`, `[]a]`: `[]a]`} {
		if got, err := pythonToERE(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
}
