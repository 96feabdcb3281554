package modules

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

func TestFactsDumpLocal(t *testing.T) {
	out, err := exec.Command("dash", "-c", FactsScript).Output()
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/facts-raw.txt", out, 0o644)
	f, err := ParseFacts(out, FactOverrides{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(f["ansible_facts"], "", " ")
	os.WriteFile("/tmp/facts-local.json", b, 0o644)
}
