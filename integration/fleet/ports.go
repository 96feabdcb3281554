package fleet

import (
	"fmt"
	"syscall"
)

// portLock reserves a TCP port on 127.0.0.1 for the lifetime of the fleet.
//
// It is a socket bound to the port with SO_REUSEADDR and never listening.
// Linux then still lets sshd (which also sets SO_REUSEADDR) bind and listen
// on the port, while the kernel skips the port both when it picks a port for
// a bind to port 0 and when it picks the local port of an outgoing
// connection. So the port cannot be handed to another fleet or to a client's
// connection between our choosing it and sshd binding it, nor while a host is
// stopped: the classic "listen on :0, close, reuse" leaves that window open.
// Connecting to it while sshd is down is refused, as with any closed port.
type portLock struct {
	fd   int
	Port int
}

func reservePort() (*portLock, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("fleet: reserve port: %w", err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("fleet: reserve port: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("fleet: reserve port: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("fleet: reserve port: %w", err)
	}
	return &portLock{fd: fd, Port: sa.(*syscall.SockaddrInet4).Port}, nil
}

func (p *portLock) release() {
	if p != nil && p.fd >= 0 {
		syscall.Close(p.fd)
		p.fd = -1
	}
}
