package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestInOrder(t *testing.T) {
	var got []string
	o := newInOrder([]string{"a", "b", "c", "d"}, func(s string) { got = append(got, s) })
	o.add("c", "c")
	o.add("b", "b")
	if len(got) != 0 {
		t.Fatalf("passed on before a: %q", got)
	}
	o.add("a", "a")
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("after a: %q", got)
	}
	o.add("x", "x") // not listed: at once
	o.flush()
	o.add("d", "d")
	if want := []string{"a", "b", "c", "x", "d"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}

	got = nil
	o = newInOrder([]string{"a", "b", "a", "c"}, func(s string) { got = append(got, s) })
	o.add("c", "c")
	o.add("a", "a1")
	o.add("a", "a2") // a name given twice keeps both results
	o.flush()        // b never finished
	if want := []string{"a1", "a2", "c"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// signalWriter is a Buffer that says when something was first written.
type signalWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{}
	once    sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.once.Do(func() { close(w.written) })
	return w.buf.Write(p)
}

// ping and exec print hosts in the inventory's order, not the order they
// finish in: the first host is held (its SSH server says nothing) while
// the second fails at once, and let go once the second's line was
// printed, or after 2 s when nothing is printed before the first host
// finished (as it should be).
func TestAdHocPrintsHostsInInventoryOrder(t *testing.T) {
	for _, args := range [][]string{{"ping"}, {"exec", "all", "--", "true"}, {"ping", "--format", "json"}} {
		cmd, rest := args[0], args[1:]
		slow, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		fast, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		out := &signalWriter{written: make(chan struct{})}
		go func() {
			c, err := slow.Accept()
			if err != nil {
				return
			}
			select {
			case <-out.written:
			case <-time.After(2 * time.Second):
			}
			c.Close()
		}()
		go func() {
			for {
				c, err := fast.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		inv := filepath.Join(t.TempDir(), "hosts")
		text := "first ansible_host=127.0.0.1 ansible_port=" + port(slow) + "\nsecond ansible_host=127.0.0.1 ansible_port=" + port(fast) + "\n"
		if err := os.WriteFile(inv, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		root := newRootCmd()
		var errb bytes.Buffer
		root.SetOut(out)
		root.SetErr(&errb)
		root.SetArgs(append([]string{cmd, "-i", inv, "-T", "30s"}, rest...))
		err = root.ExecuteContext(context.Background())
		slow.Close()
		fast.Close()
		if ee, ok := err.(exitError); !ok || ee.code != exitFailure {
			t.Fatalf("%q: %v %s", args, err, errb.String())
		}
		s := out.buf.String()
		first, second := strings.Index(s, "first"), strings.Index(s, "second")
		if first < 0 || second < 0 || first > second {
			t.Errorf("%q: hosts not in inventory order:\n%s", args, s)
		}
	}
}

func port(l net.Listener) string {
	_, p, _ := net.SplitHostPort(l.Addr().String())
	return p
}
