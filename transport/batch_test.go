package transport

import (
	"context"
	"testing"
)

func TestRunBatch(t *testing.T) {
	scripts := []string{
		"echo one; echo err1 >&2",
		"printf 'no newline'; exit 3",
		"",
		"printf 'TEND-00-END:0\\n'; cat", // looks like a marker; stdin is empty
		"exit 0",
	}
	want := []Output{
		{Stdout: []byte("one\n"), Stderr: []byte("err1\n")},
		{Stdout: []byte("no newline"), ExitCode: 3},
		{},
		{Stdout: []byte("TEND-00-END:0\n")},
		{},
	}
	for name, sh := range localShells(t) {
		before := sh.Stats().RoundTrips
		got, err := RunBatch(context.Background(), sh, "", scripts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rt := sh.Stats().RoundTrips - before; rt != 1 {
			t.Errorf("%s: a batch cost %d round trips", name, rt)
		}
		for i := range want {
			if string(got[i].Stdout) != string(want[i].Stdout) || string(got[i].Stderr) != string(want[i].Stderr) || got[i].ExitCode != want[i].ExitCode {
				t.Errorf("%s: script %d: got %q %q %d, want %q %q %d", name, i, got[i].Stdout, got[i].Stderr, got[i].ExitCode,
					want[i].Stdout, want[i].Stderr, want[i].ExitCode)
			}
		}
	}
}
