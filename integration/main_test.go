package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tend/integration/fleet"
)

// tendBin is the tend binary under test, built once by TestMain.
var tendBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tend-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tendBin = filepath.Join(dir, "tend")
	build := exec.Command("go", "build", "-o", tendBin, "tend/cmd/tend")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building tend:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startFleet starts n hosts for the test and stops them when it ends.
func startFleet(t *testing.T, n int, opts ...func(*fleet.Options)) *fleet.Fleet {
	t.Helper()
	o := fleet.Options{Hosts: n, Logf: t.Logf}
	for _, f := range opts {
		f(&o)
	}
	return fleet.StartT(t, o)
}

// result is one finished tend run.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// tend runs the binary with args, in an environment with no ssh-agent and an
// empty home, so that only what the test passes can authenticate.
func tend(t *testing.T, env []string, args ...string) result {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(tendBin, args...)
	cmd.Env = append([]string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	r := result{stdout: o.String(), stderr: e.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running tend: %v", err)
	}
	return r
}

// writeFile writes a test input file and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// inventoryFor writes an INI inventory of the fleet's hosts; extra is added to
// every host line (for instance the key file).
func inventoryFor(t *testing.T, f *fleet.Fleet, extra string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("[fleet]\n")
	for _, h := range f.Hosts {
		fmt.Fprintf(&b, "%s ansible_host=%s ansible_port=%d ansible_user=root %s\n", h.Name, h.Addr, h.Port, extra)
	}
	return writeFile(t, "hosts.ini", b.String())
}

// lineFor picks the output line about host.
func lineFor(out, host string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, host+" ") {
			return l
		}
	}
	return ""
}
