package transport

import (
	"bytes"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"tend/modules/shell"
)

// Ending a session's commands. A session without a terminal gets no SIGHUP
// when its channel closes: sshd waits for its command, so a command the
// run abandons (Ctrl-C, a lost frame) would keep running on the host. So a
// shell's session names its process group when it starts (sshd makes the
// command a session leader, and exec keeps its PID), and hangUp signals
// that group: the shell and everything it started, as a non-interactive sh
// does no job control. It asks sshd first (a "signal" request, which
// OpenSSH honours only for privilege-separated sessions, so not for root
// logins), then runs kill on a channel of its own.

// pgidLine starts the line a session's command prints first on stderr.
const pgidLine = "TEND-PGID "

// pgidReport is the sh command that prints the pgidLine.
const pgidReport = `printf '` + pgidLine + `%s\n' "$$" >&2`

// withPGID wraps a session's command so that it first prints its process
// group on stderr. The persistent shell ("sh") is started as itself and
// is sent pgidReport as its first command (see startShell): a shell the
// host starts and replaces costs a process image more.
func withPGID(command string) string {
	if command == "sh" {
		return "exec sh"
	}
	return "exec sh -c " + shell.Quote(pgidReport+`; exec sh -c "$1"`) + " sh " + shell.Quote(command)
}

// pgidReader passes a session's stderr through, less the pgidLine, which
// it reads the process group from. Lines before it (a login script's
// output) pass through; past maxBefore bytes without it, it stops looking.
type pgidReader struct {
	r    io.Reader
	pgid atomic.Int64
	done bool
	buf  []byte // read, not yet passed on (no full line yet)
	out  []byte // to pass on
}

const maxBefore = 64 << 10

func (p *pgidReader) Read(b []byte) (int, error) {
	for !p.done && len(p.out) == 0 {
		chunk := make([]byte, 4096)
		n, err := p.r.Read(chunk)
		p.buf = append(p.buf, chunk[:n]...)
		p.scan()
		if err != nil {
			p.done, p.out, p.buf = true, append(p.out, p.buf...), nil
			if len(p.out) == 0 {
				return 0, err
			}
		}
	}
	if len(p.out) > 0 {
		n := copy(b, p.out)
		p.out = p.out[n:]
		return n, nil
	}
	return p.r.Read(b)
}

// scan moves the full lines read to out, taking the pgid line out.
func (p *pgidReader) scan() {
	for {
		nl := bytes.IndexByte(p.buf, '\n')
		if nl < 0 {
			if len(p.buf) > maxBefore {
				p.done, p.out, p.buf = true, append(p.out, p.buf...), nil
			}
			return
		}
		line := p.buf[:nl+1]
		if i := bytes.Index(line, []byte(pgidLine)); i >= 0 {
			if id, err := strconv.ParseInt(string(bytes.TrimSpace(line[i+len(pgidLine):])), 10, 64); err == nil && id > 1 {
				p.pgid.Store(id)
			}
			p.out = append(p.out, line[:i]...)
			p.done, p.out, p.buf = true, append(p.out, p.buf[nl+1:]...), nil
			return
		}
		p.out = append(p.out, line...)
		p.buf = p.buf[nl+1:]
	}
}

// hangUpTimeout bounds the wait for the kill: a host that does not answer
// is not waited for.
const hangUpTimeout = 3 * time.Second

// hangUp signals the session's process group, then closes its channel.
func (c *SSH) hangUp(ch ssh.Channel, pg *pgidReader) {
	_, _ = ch.SendRequest("signal", false, ssh.Marshal(struct{ Signal string }{"TERM"}))
	ch.Close()
	id := pg.pgid.Load()
	if id <= 1 {
		return
	}
	var once sync.Once
	done := make(chan struct{})
	go func() {
		defer once.Do(func() { close(done) })
		kc, reqs, err := c.client.OpenChannel("session", nil)
		if err != nil {
			return
		}
		defer kc.Close()
		go ssh.DiscardRequests(reqs)
		cmd := "kill -TERM -" + strconv.FormatInt(id, 10) + " 2>/dev/null"
		if ok, err := kc.SendRequest("exec", true, ssh.Marshal(struct{ Command string }{cmd})); err != nil || !ok {
			return
		}
		_, _ = io.Copy(io.Discard, kc) // until the kill ends
	}()
	select {
	case <-done:
	case <-time.After(hangUpTimeout):
	}
}
