package bench

import (
	"net"
	"sync"
	"time"
)

// A Proxy listens on 127.0.0.1 and forwards every connection to a target
// address, delaying each chunk of data by Delay in each direction.
//
// tc netem would be the usual way to add latency, but it needs a kernel
// module and privileges this machine does not have; a userspace proxy needs
// neither. The delay is applied per chunk as it arrives, not per write
// after the previous one left, so the link behaves like a long pipe of
// unlimited bandwidth: a burst costs one delay, not one per chunk, and a
// round trip costs 2*Delay, as on a WAN.
type Proxy struct {
	Addr   string // 127.0.0.1:PORT to connect to
	Port   int
	Target string
	Delay  time.Duration

	ln    net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// NewProxy starts a proxy to target on a free port of 127.0.0.1.
func NewProxy(target string, delay time.Duration) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port,
		Target: target, Delay: delay, ln: ln, conns: map[net.Conn]struct{}{},
	}
	p.wg.Go(p.accept)
	return p, nil
}

// Close stops listening, cuts every open connection and waits for the
// proxy's goroutines to end.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

// track records c (add) or forgets it, so that Close can cut what is open.
func (p *Proxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

func (p *Proxy) serve(client net.Conn) {
	p.track(client, true)
	defer p.track(client, false)
	defer client.Close()
	// The connect itself is not delayed: the SYN/SYN-ACK exchange is part
	// of the handshake, which the round-trip counts leave out anyway, and
	// the client's first bytes are delayed like any others.
	server, err := net.Dial("tcp", p.Target)
	if err != nil {
		return
	}
	p.track(server, true)
	defer p.track(server, false)
	defer server.Close()
	var wg sync.WaitGroup
	wg.Go(func() { pipe(server, client, p.Delay) })
	wg.Go(func() { pipe(client, server, p.Delay) })
	wg.Wait()
}

// chunk is data read at some moment, due to leave at due.
type chunk struct {
	data []byte
	due  time.Time
}

// queueLen bounds the data in flight per direction (chunks of up to 32 KiB):
// far more than a converge keeps in flight, small enough that a runaway
// sender is held back by TCP flow control rather than by memory.
const queueLen = 256

// pipe copies from src to dst, each chunk Delay after it was read, in
// order. A reader goroutine stamps chunks as they arrive and a writer
// sleeps until each is due, so a chunk waiting never delays the reading of
// the next one. When either side ends, both connections are shut down in
// that direction, as a plain TCP connection would be.
func pipe(dst, src net.Conn, delay time.Duration) {
	q := make(chan chunk, queueLen)
	go func() {
		defer close(q)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				q <- chunk{buf[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	failed := false
	for c := range q {
		if failed {
			continue // drain, so the reader can finish
		}
		if d := time.Until(c.due); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(c.data); err != nil {
			failed = true
			src.Close() // stop reading what can no longer be delivered
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok && !failed {
		_ = tc.CloseWrite()
	} else {
		dst.Close()
	}
}
