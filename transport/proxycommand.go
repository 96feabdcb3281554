package transport

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// proxyConn is a connection over a local command's stdin and stdout, as
// OpenSSH's ProxyCommand: the command (run by sh) reaches the host for us,
// typically `ssh -W %h:%p bastion` or a tunnel tool.
type proxyConn struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  io.ReadCloser
	addr proxyAddr
	once sync.Once
}

// dialProxyCommand starts command with OpenSSH's tokens expanded: %h the
// host, %p the port, %r the user, %n the name as given, %% a percent sign.
// Its stderr goes to tend's, where ssh's own prompts and errors would.
func dialProxyCommand(command string, ep endpoint) (net.Conn, error) {
	expanded := strings.NewReplacer("%%", "%", "%h", ep.host, "%p", strconv.Itoa(ep.port),
		"%r", ep.user, "%n", ep.alias).Replace(command)
	cmd := exec.Command("/bin/sh", "-c", "exec "+expanded)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ProxyCommand %q: %w", command, err)
	}
	return &proxyConn{cmd: cmd, in: in, out: out, addr: proxyAddr(ep.addr())}, nil
}

func (c *proxyConn) Read(b []byte) (int, error)  { return c.out.Read(b) }
func (c *proxyConn) Write(b []byte) (int, error) { return c.in.Write(b) }

// Close ends the command: its pipes are closed and it is killed, then
// reaped, so that no process outlives the connection.
func (c *proxyConn) Close() error {
	c.once.Do(func() {
		c.in.Close()
		c.out.Close()
		if c.cmd.Process != nil {
			_ = c.cmd.Process.Kill()
		}
		go func() { _ = c.cmd.Wait() }()
	})
	return nil
}

func (c *proxyConn) LocalAddr() net.Addr  { return c.addr }
func (c *proxyConn) RemoteAddr() net.Addr { return c.addr }

// Deadlines are not supported on pipes; the handshake's deadline closes
// the connection instead (dialOne's AfterFunc).
func (c *proxyConn) SetDeadline(time.Time) error      { return nil }
func (c *proxyConn) SetReadDeadline(time.Time) error  { return nil }
func (c *proxyConn) SetWriteDeadline(time.Time) error { return nil }

// proxyAddr is the host:port the command reaches: known_hosts checks
// parse the remote address.
type proxyAddr string

func (proxyAddr) Network() string  { return "proxycommand" }
func (a proxyAddr) String() string { return string(a) }
