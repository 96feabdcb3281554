package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A line break in a cron entry's field is a load error naming the file and
// line: no host is reached.
func TestCronLineBreakIsALoadError(t *testing.T) {
	pb := filepath.Join(t.TempDir(), "site.yml")
	if err := os.WriteFile(pb, []byte(`- hosts: all
  tasks:
    - cron:
        name: "nightly\n* * * * * root /tmp/evil"
        job: /usr/bin/backup
`), 0o600); err != nil {
		t.Fatal(err)
	}
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"converge", "--syntax-check", "-i", "x,", pb})
	err := root.Execute()
	if err == nil || !strings.Contains(out.String(), "site.yml:4:9: name must be one line") {
		t.Errorf("got %v\n%s", err, out.String())
	}
}
