package transport

import (
	"io"
	"strings"
	"testing"
)

// A session's stderr loses the process group line and keeps the rest,
// login script output before it included.
func TestPGIDReader(t *testing.T) {
	p := &pgidReader{r: strings.NewReader("motd line\nnoise" + pgidLine + "4242\nBEGIN\nerr\n")}
	got, err := io.ReadAll(p)
	if err != nil || string(got) != "motd line\nnoiseBEGIN\nerr\n" || p.pgid.Load() != 4242 {
		t.Errorf("read %q (%v), pgid %d", got, err, p.pgid.Load())
	}
	p = &pgidReader{r: strings.NewReader("no line at all")}
	if got, _ := io.ReadAll(p); string(got) != "no line at all" || p.pgid.Load() != 0 {
		t.Errorf("without the line: %q, pgid %d", got, p.pgid.Load())
	}
}
