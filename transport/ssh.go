package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"tend/modules/shell"
)

// SSHOptions says how to reach one host. Empty fields fall back to
// ~/.ssh/config and then to OpenSSH's defaults.
type SSHOptions struct {
	Host     string // name or address; matched against ssh_config Host patterns
	Port     int
	User     string
	KeyFiles []string // explicit private keys, tried before ssh_config's and the defaults
	Password string
	// ProxyJump is "[user@]host[:port][,...]", as ssh -J takes it; "none"
	// disables one set in ssh_config.
	ProxyJump string
	// ProxyCommand is run by sh to reach the host over its stdin and
	// stdout (OpenSSH's tokens %h %p %r %n expanded); "none" disables one
	// set in ssh_config. ProxyJump wins when both are set.
	ProxyCommand string
	// IdentitiesOnly offers only the key files named (KeyFiles, then
	// ssh_config's IdentityFile), not the agent's keys.
	IdentitiesOnly bool

	HostKeys *HostKeys  // required
	Keys     *Keys      // shared key cache; nil makes a private one
	Config   *SSHConfig // nil: no ssh_config
	// Timeout bounds the TCP connect and the SSH handshake of each hop.
	Timeout time.Duration
	// KeepAlive is the interval of keepalive probes on an open connection
	// (default DefaultKeepAlive); a connection with no answer for
	// KeepAlive*KeepAliveCountMax (default DefaultKeepAliveCountMax) is
	// lost: it is closed, and commands on it fail with a *LostError.
	KeepAlive         time.Duration
	KeepAliveCountMax int
	// Shell is the command that runs the persistent shell; "sh" by default.
	Shell string
	// BecomePassword answers sudo's prompt for commands run as another
	// user. It is sent on the sudo shell's stdin, never on a command line.
	BecomePassword string
}

// The keepalive defaults: a probe every 5 s, and 3 missed (15 s without an
// answer) lose the connection, so a frozen host or a cut network ends a
// command within 15 s. OpenSSH's ServerAliveInterval and ServerAliveCountMax
// (in ansible_ssh_common_args and the like) set them.
const (
	DefaultKeepAlive         = 5 * time.Second
	DefaultKeepAliveCountMax = 3
)

// LostError says a connection was lost while open, and why.
type LostError struct {
	Addr   string
	Reason string
}

func (e *LostError) Error() string { return "connection to " + e.Addr + " lost: " + e.Reason }

// SSH is a connection to one host with its persistent shell.
type SSH struct {
	client *ssh.Client
	hops   []*ssh.Client // jump hosts, nearest first
	sh     *persistentShell
	shCh   ssh.Channel
	stats  counters
	addr   string
	login  string // the user we logged in as
	become becomeShells

	closeOnce sync.Once
	stop      chan struct{}
	// gone is closed when the connection has ended (for whatever reason);
	// lost is why, when it was not closed by Close.
	gone   chan struct{}
	lostMu sync.Mutex
	lost   *LostError
}

// DialSSH connects, authenticates and starts the persistent shell.
func DialSSH(ctx context.Context, o SSHOptions) (*SSH, error) {
	if o.HostKeys == nil {
		return nil, errors.New("ssh: no host key verification configured")
	}
	if o.Keys == nil {
		o.Keys = &Keys{}
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.KeepAliveCountMax <= 0 {
		o.KeepAliveCountMax = DefaultKeepAliveCountMax
	}
	target, err := o.Config.resolve(o.Host, o.Port, o.User)
	if err != nil {
		return nil, err
	}
	jump := o.ProxyJump
	if jump == "" {
		jump = target.proxyJump
	}
	proxyCmd := o.ProxyCommand
	if proxyCmd == "" {
		proxyCmd = target.proxyCommand
	}
	if jump != "" && !strings.EqualFold(jump, "none") || strings.EqualFold(proxyCmd, "none") {
		proxyCmd = ""
	}
	o.ProxyCommand = proxyCmd
	hops, err := parseJump(jump)
	if err != nil {
		return nil, err
	}

	c := &SSH{addr: target.addr(), stop: make(chan struct{}), gone: make(chan struct{}), login: target.user}
	c.become.password = o.BecomePassword
	var via *ssh.Client
	for _, h := range hops {
		// A jump host is configured by its own ssh_config entry. It is
		// offered the target's key files too (after its own): fleets
		// usually share one deploy key, and the jump host refuses what
		// it does not know. The target's password is never sent to it.
		ep, err := o.Config.resolve(h.host, h.port, h.user)
		if err != nil {
			c.Close()
			return nil, err
		}
		hopOpts := o
		hopOpts.Password = ""
		client, err := dialOne(ctx, via, ep, o.KeyFiles, hopOpts)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("jump host %s: %w", ep.addr(), err)
		}
		c.hops = append(c.hops, client)
		via = client
	}
	c.client, err = dialOne(ctx, via, target, o.KeyFiles, o)
	if err != nil {
		c.Close()
		return nil, err
	}
	go c.watch()
	go c.keepAlive(o.KeepAlive, o.KeepAliveCountMax)
	if err := c.startShell(o.Shell); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// dialOne opens the TCP connection (directly, or through the previous hop) and
// runs the handshake, all within o.Timeout.
func dialOne(ctx context.Context, via *ssh.Client, ep endpoint, explicitKeys []string, o SSHOptions) (*ssh.Client, error) {
	// Keys are loaded first: asking for a passphrase must not eat into
	// the connect deadline.
	addr := ep.addr()
	defaults := defaultKeys()
	if o.IdentitiesOnly && len(explicitKeys)+len(ep.keys) > 0 {
		defaults = nil
	}
	// A host let in with a changed key (AcceptAny) gets no password, as
	// with OpenSSH: the key exchange runs before authentication.
	passwordOK := func() bool { return !o.HostKeys.keyChanged(addr) }
	auth, err := planAuth(o.Keys, append(append([]string(nil), explicitKeys...), ep.keys...), defaults, o.Password, !o.IdentitiesOnly, passwordOK)
	if err != nil {
		return nil, err
	}
	defer auth.close()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	var conn net.Conn
	switch {
	case via != nil:
		conn, err = dialVia(ctx, via, addr)
	case o.ProxyCommand != "":
		conn, err = dialProxyCommand(o.ProxyCommand, ep)
	default:
		d := net.Dialer{}
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, describeDialError(addr, o.Timeout, err)
	}

	cfg := &ssh.ClientConfig{
		User:              ep.user,
		Auth:              auth.methods,
		HostKeyCallback:   o.HostKeys.callback(),
		HostKeyAlgorithms: o.HostKeys.algorithms(addr),
		ClientVersion:     "SSH-2.0-tend",
	}
	// The handshake has no context of its own: a deadline on the socket
	// bounds it, and closing the socket ends it early on cancellation.
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	// AfterFunc, not a goroutine selecting on ctx.Done and a done channel:
	// that goroutine, started late on a loaded machine, could find both
	// ready once dialOne returned (its deferred cancel) and close a
	// connection whose handshake had succeeded.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if !stop() && err == nil {
		// The deadline closed the socket just as the handshake ended.
		sc.Close()
		err = context.DeadlineExceeded
	}
	if err != nil {
		conn.Close()
		var hk *HostKeyError
		switch {
		case errors.As(err, &hk):
			return nil, hk
		case strings.Contains(err.Error(), "unable to authenticate"):
			return nil, &AuthError{User: ep.user, Addr: addr, Tried: auth.tried}
		case isTimeout(err) || (ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded)):
			// The socket deadline and the context end at the same moment;
			// whichever fires first, it is the same timeout.
			return nil, fmt.Errorf("%s accepted the connection but did not complete the SSH handshake within %v", addr, o.Timeout)
		case ctx.Err() != nil:
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("ssh handshake with %s: %w", addr, err)
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(sc, chans, reqs), nil
}

// dialVia opens a TCP connection through a jump host (direct-tcpip).
func dialVia(ctx context.Context, via *ssh.Client, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := via.Dial("tcp", addr)
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// describeDialError turns the network's errors into what a person can act on.
func describeDialError(addr string, timeout time.Duration, err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("connecting to %s: no answer within %v (host down or port filtered?)", addr, timeout)
	case strings.Contains(err.Error(), "connection refused"):
		return fmt.Errorf("connecting to %s: connection refused (is sshd running on that port?)", addr)
	case strings.Contains(err.Error(), "no such host"):
		return fmt.Errorf("connecting to %s: the name does not resolve", addr)
	}
	return fmt.Errorf("connecting to %s: %w", addr, err)
}

// keepAlive probes the server every interval, one probe at a time; a
// connection with no answer for every*countMax is lost: it is closed, which
// fails whatever command waits on it instead of hanging the run.
func (c *SSH) keepAlive(every time.Duration, countMax int) {
	window := every * time.Duration(countMax)
	tick := time.NewTicker(every)
	defer tick.Stop()
	deadline := time.NewTimer(window)
	defer deadline.Stop()
	answered := make(chan error, 1)
	waiting := false
	for {
		select {
		case <-c.stop:
			return
		case <-deadline.C:
			c.lose(fmt.Sprintf("no answer to keepalives for %s (the host is frozen or the network is down)", window))
			return
		case err := <-answered:
			waiting = false
			if err != nil { // the connection ended: watch says why
				return
			}
			deadline.Reset(window)
		case <-tick.C:
			if waiting {
				continue
			}
			waiting = true
			go func() {
				_, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil)
				answered <- err
			}()
		}
	}
}

// watch waits for the connection to end, and says why when Close did not
// end it: the host (or something between) closed it.
func (c *SSH) watch() {
	err := c.client.Wait()
	select {
	case <-c.stop:
	default:
		why := "the host closed the connection (sshd was killed or restarted, or the host went down)"
		if err != nil && !errors.Is(err, io.EOF) {
			why = fmt.Sprintf("%v (sshd was killed or restarted, or the host went down)", err)
		}
		c.setLost(why)
	}
	close(c.gone)
}

// lose records why the connection is lost, then closes it.
func (c *SSH) lose(why string) {
	c.setLost(why)
	c.Close()
}

// setLost records the first reason the connection was lost.
func (c *SSH) setLost(why string) {
	c.lostMu.Lock()
	defer c.lostMu.Unlock()
	if c.lost == nil {
		c.lost = &LostError{Addr: c.addr, Reason: why}
	}
}

// explain turns a command's error into a *LostError when the connection
// was lost. A shell that ended is often seen before the connection's end
// (its channel closes first), so then it waits for that a moment.
func (c *SSH) explain(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	if errors.Is(err, errShellGone) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		select {
		case <-c.gone:
		case <-time.After(time.Second):
		}
	}
	c.lostMu.Lock()
	defer c.lostMu.Unlock()
	if c.lost != nil {
		return c.lost
	}
	return err
}

// startShell opens the channel of the persistent shell. The exec request does
// not wait for its reply: the first command is sent right behind it, so the
// shell costs one round trip (the channel open) rather than two.
func (c *SSH) startShell(command string) error {
	if command == "" {
		command = "sh"
	}
	ch, reqs, err := c.openExec(withPGID(command))
	if err != nil {
		return err
	}
	go ssh.DiscardRequests(reqs)
	if command == "sh" {
		if _, err := io.WriteString(ch, pgidReport+"\n"); err != nil {
			ch.Close()
			return fmt.Errorf("starting the shell on %s: %w", c.addr, err)
		}
	}
	c.shCh = ch
	pg := &pgidReader{r: ch.Stderr()}
	c.sh = newPersistentShell(ch, ch, pg, func() { c.hangUp(ch, pg) }, &c.stats)
	return nil
}

func (c *SSH) openExec(command string) (ssh.Channel, <-chan *ssh.Request, error) {
	c.stats.roundTrips.Add(1)
	ch, reqs, err := c.client.OpenChannel("session", nil)
	if err != nil {
		return nil, nil, fmt.Errorf("opening a session on %s: %w", c.addr, err)
	}
	payload := ssh.Marshal(struct{ Command string }{command})
	if _, err := ch.SendRequest("exec", false, payload); err != nil {
		ch.Close()
		return nil, nil, fmt.Errorf("starting %q on %s: %w", command, c.addr, err)
	}
	return ch, reqs, nil
}

func (c *SSH) Run(ctx context.Context, cmd Cmd) (Result, error) {
	res, err := c.run(ctx, cmd)
	if err != nil {
		err = c.explain(ctx, err)
	}
	return res, err
}

func (c *SSH) run(ctx context.Context, cmd Cmd) (Result, error) {
	if cmd.Stdin != nil {
		return c.runWithStdin(ctx, cmd)
	}
	if cmd.User != "" && cmd.User != c.login {
		sh, err := c.become.shell(ctx, cmd.User, c.startCommand, &c.stats)
		if err != nil {
			return Result{ExitCode: -1}, err
		}
		return sh.run(ctx, cmd)
	}
	return c.sh.run(ctx, cmd)
}

// startCommand starts a command on a new channel (for sudo shells).
func (c *SSH) startCommand(command string) (io.Writer, io.Reader, io.Reader, func(), error) {
	ch, reqs, err := c.openExec(withPGID(command))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	c.stats.roundTrips.Add(-1) // startBecomeShell counts the start itself
	go ssh.DiscardRequests(reqs)
	pg := &pgidReader{r: ch.Stderr()}
	return ch, ch, pg, func() { c.hangUp(ch, pg) }, nil
}

// runWithStdin runs a command that reads stdin on a channel of its own: the
// persistent shell's stdin carries the frames (see stdin.go).
func (c *SSH) runWithStdin(ctx context.Context, cmd Cmd) (Result, error) {
	command := "sh -c " + shell.Quote(cmd.Script)
	var gate *sudoGate
	if cmd.User != "" && cmd.User != c.login {
		var err error
		if gate, err = c.become.gate(cmd.User); err != nil {
			return Result{ExitCode: -1}, err
		}
		command = gate.command(cmd.Script)
	}
	ch, reqs, err := c.openExec(command)
	if err != nil {
		return Result{ExitCode: -1}, err
	}
	defer ch.Close()
	c.stats.roundTrips.Add(1) // the command's own answer
	status := make(chan int, 1)
	go func() {
		code := -1
		for r := range reqs {
			switch r.Type {
			case "exit-status":
				if len(r.Payload) >= 4 {
					code = int(r.Payload[0])<<24 | int(r.Payload[1])<<16 | int(r.Payload[2])<<8 | int(r.Payload[3])
				}
			case "exit-signal":
				code = 255
			}
			if r.WantReply {
				_ = r.Reply(false, nil)
			}
		}
		status <- code
	}()
	p := oneShot{
		stdin: ch, closeStdin: ch.CloseWrite, stdout: ch, stderr: ch.Stderr(),
		abort: func() {
			// Ask sshd to end the command (refused for root logins), then
			// close the channel.
			_, _ = ch.SendRequest("signal", false, ssh.Marshal(struct{ Signal string }{"TERM"}))
			ch.Close()
		},
		wait: func() (int, error) {
			select {
			case code := <-status:
				if code < 0 {
					return code, fmt.Errorf("%s: the command ended without an exit status", c.addr)
				}
				return code, nil
			case <-ctx.Done():
				return -1, ctx.Err()
			}
		},
	}
	res, err := runOneShot(ctx, p, cmd, gate, &c.stats)
	c.become.note(cmd.User, err)
	return res, err
}

func (c *SSH) Upload(ctx context.Context, r io.Reader, path string, mode fs.FileMode) error {
	return uploadViaShell(ctx, c, r, path, mode)
}

func (c *SSH) Download(ctx context.Context, path string, w io.Writer) error {
	return downloadViaShell(ctx, c, path, w)
}

func (c *SSH) Stats() Stats { return c.stats.snapshot() }

// Close ends the shell, the connection and any jump connections.
func (c *SSH) Close() error {
	c.closeOnce.Do(func() {
		close(c.stop)
		if c.shCh != nil {
			_ = c.shCh.CloseWrite() // EOF on stdin lets sh exit by itself
			c.shCh.Close()
		}
		if c.client != nil {
			c.client.Close()
		}
		for i := len(c.hops) - 1; i >= 0; i-- {
			c.hops[i].Close()
		}
	})
	return nil
}

func joinHostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
