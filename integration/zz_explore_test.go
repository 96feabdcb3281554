package integration

import (
	"os"
	"os/exec"
	"testing"
)

func TestZZExplore(t *testing.T) {
	f := startFleet(t, 1)
	pb := writeFile(t, "site.yml", thirtyTasks())
	cmd := exec.Command("/tmp/tend-dbg", "converge", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "-v", pb)
	cmd.Env = append(os.Environ(), "TEND_DEBUG_ASK=1", "NO_COLOR=1")
	out, _ := cmd.CombinedOutput()
	var keep []byte
	for _, l := range splitLines(out) {
		if len(l) > 3 && (string(l[:4]) == "ask " || string(l[:4]) == "host") {
			keep = append(keep, l...)
			keep = append(keep, '\n')
		}
	}
	t.Logf("%s", keep)
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, b[start:i])
			start = i + 1
		}
	}
	return out
}
