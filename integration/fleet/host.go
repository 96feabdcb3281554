package fleet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// readyTimeout bounds how long one sshd may take to answer with its banner.
	readyTimeout = 10 * time.Second
	// stopTimeout bounds how long a host's processes may take to die.
	stopTimeout = 10 * time.Second
)

// Host is one sshd of the fleet.
type Host struct {
	Name       string // host01, host02, ...: the inventory name and the hostname inside
	Addr       string // always 127.0.0.1
	Port       int
	HostKeyPub string // public host key, authorized_keys format ("ssh-ed25519 AAAA...")
	Upper      string // the overlay's upper dir: everything the host changed
	Log        string // sshd's stderr (LogLevel ERROR), appended to at each start
	Busybox    bool   // a minimal busybox box (Options.BusyboxHosts)

	fleet  *Fleet
	key    string // private host key
	config string // sshd_config
	work   string // overlay workdir
	root   string // where the overlay is mounted inside the host's namespace
	lower  string // the lower layer as seen from outside: "/" (tests of the path rules change it)

	mu  sync.Mutex
	run *run // nil while stopped
}

// run is one running sshd.
type run struct {
	cmd  *exec.Cmd
	ns   *os.File // pins the host's mount namespace; see pinNS
	id   nsID
	done chan struct{} // closed once cmd.Wait returned
}

// hostScript runs as PID 1 of a new PID namespace, in new mount and UTS
// namespaces (see command), mounts the host's root and becomes its sshd. It
// takes upper, work, root and hostname, then the command to run chrooted.
// The overlay is volatile: unmounting a normal overlay syncs the whole upper
// filesystem (here the machine's root), which takes seconds on a busy
// machine, for every host that stops; a test host needs no durability.
// exec keeps the PID, so sshd stays PID 1 and keeps the parent-death signal:
// the kernel clears that only on exec of a set-user-ID or file-capability
// binary, or a change of credentials, none of which applies to root running
// chroot and sshd.
const hostScript = `set -e
up=$1 work=$2 root=$3 name=$4
shift 4
mount -t overlay overlay -o "lowerdir=/,upperdir=$up,workdir=$work,index=off,metacopy=off,redirect_dir=off,volatile" "$root"
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
echo "$name" >"$root/proc/sys/kernel/hostname"
exec /usr/sbin/chroot "$root" "$@"
`

// command returns the process that sets up the host and then runs argv in it.
func (h *Host) command(argv ...string) *exec.Cmd {
	args := append([]string{"-c", hostScript, "fleet-" + h.Name, h.Upper, h.work, h.root, h.Name}, argv...)
	cmd := exec.Command("/bin/sh", args...)
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// A PID namespace makes sshd its init: when sshd dies, the kernel
		// kills every session and command it started. (Go's child checks
		// getppid() after setting Pdeathsig and, seeing 0 in a new PID
		// namespace, signals itself; that SIGKILL is dropped because the
		// kernel never lets a namespace's init be killed from inside.)
		Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWUTS,
		// Go also makes / private in the new mount namespace, so nothing the
		// script mounts propagates back to the machine.
		Unshareflags: syscall.CLONE_NEWNS,
		Pdeathsig:    syscall.SIGKILL,
		// Keep terminal signals (Ctrl-C) for the harness to handle.
		Setpgid: true,
	}
	return cmd
}

// Start starts the host's sshd again after Stop, with the same port, keys and
// upper dir, and returns once it answers. It does nothing if the host runs.
func (h *Host) Start() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fleet.stopped.Load() {
		return fmt.Errorf("fleet: %s: the fleet was stopped", h.Name)
	}
	return h.startLocked(context.Background())
}

// Stop kills the host's sshd and everything in the host, and waits until all
// of it is gone. Clients then get "connection refused". The port stays
// reserved for the host (see portLock) and the upper dir stays as it is. It
// does nothing if the host is stopped.
func (h *Host) Stop() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.run == nil {
		return nil
	}
	err := stopRuns([]*run{h.run})
	h.run = nil
	return err
}

// Running reports whether the host's sshd is started.
func (h *Host) Running() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.run != nil
}

// Pid returns the PID of the host's sshd (PID 1 inside the host), or 0 while
// the host is stopped.
func (h *Host) Pid() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.run == nil {
		return 0
	}
	return h.run.cmd.Process.Pid
}

// Pause stops (SIGSTOP) every process of the host and returns once all of
// them are stopped. The kernel still accepts TCP connections, but nothing
// answers: a hung host, for timeout tests.
func (h *Host) Pause() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.run == nil {
		return fmt.Errorf("fleet: %s is stopped", h.Name)
	}
	return stopNamespace(h.run.id, stopTimeout)
}

// Resume continues a host stopped with Pause.
func (h *Host) Resume() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.run == nil {
		return fmt.Errorf("fleet: %s is stopped", h.Name)
	}
	return signalNamespace(h.run.id, syscall.SIGCONT)
}

// RotateHostKey gives the host a new host key of the fleet's type and
// restarts it if it runs. Fleet.KnownHosts is left holding the old key, as a
// "host key changed" test wants; Fleet.WriteKnownHosts brings it up to date.
// Not safe to call while another goroutine reads HostKeyPub.
func (h *Host) RotateHostKey() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	tmp := h.key + ".new"
	pub, err := genKey(h.fleet.keyType, tmp, h.Name)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp+".pub", h.key+".pub"); err != nil {
		return err
	}
	if err := os.Rename(tmp, h.key); err != nil {
		return err
	}
	h.HostKeyPub = pub
	if h.run == nil {
		return nil
	}
	if err := stopRuns([]*run{h.run}); err != nil {
		return err
	}
	h.run = nil
	return h.startLocked(context.Background())
}

// SSHArgs returns the arguments for the system ssh client to log in to h as
// root non-interactively, trusting only Fleet.KnownHosts; append the remote
// command. The user's ~/.ssh/config is ignored.
func (h *Host) SSHArgs() []string {
	return []string{
		"-F", "/dev/null",
		"-o", "BatchMode=yes",
		"-o", "IdentitiesOnly=yes",
		"-o", "UserKnownHostsFile=" + h.fleet.KnownHosts,
		"-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "StrictHostKeyChecking=yes",
		"-o", "ConnectTimeout=30",
		"-o", "LogLevel=ERROR",
		"-i", h.fleet.ClientKey,
		"-p", strconv.Itoa(h.Port),
		"root@" + h.Addr,
	}
}

// startLocked starts sshd and waits for its banner. h.mu is held.
func (h *Host) startLocked(ctx context.Context) error {
	if h.run != nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.WriteFile(h.config, []byte(h.sshdConfig()), 0o644); err != nil {
		return err
	}
	// A volatile overlay leaves this marker, and the kernel refuses to mount
	// the same upper dir again while it exists, since after a crash the upper
	// dir could be incomplete. The host's previous mount ended cleanly.
	if err := os.RemoveAll(filepath.Join(h.work, "work", "incompat", "volatile")); err != nil {
		return err
	}
	logFile, err := os.OpenFile(h.Log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logFile, "--- fleet: starting %s on %s:%d at %s\n", h.Name, h.Addr, h.Port, time.Now().Format(time.RFC3339Nano))
	cmd := h.command(sshdPath, "-D", "-e", "-f", h.config)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	err = spawn(cmd)
	logFile.Close()
	if err != nil {
		return fmt.Errorf("fleet: %s: start sshd: %w", h.Name, err)
	}
	// Pin the namespace before anything can reap the child, so the PID cannot
	// have been recycled: if sshd already died, this fails on the zombie.
	ns, id, err := pinNS(cmd.Process.Pid)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("fleet: %s: sshd died at once (%v)\n%s", h.Name, err, h.logTail())
	}
	r := &run{cmd: cmd, ns: ns, id: id, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(r.done)
	}()
	h.run = r
	if err := waitSSH(ctx, net.JoinHostPort(h.Addr, strconv.Itoa(h.Port)), r.done); err != nil {
		_ = stopRuns([]*run{r})
		h.run = nil
		return fmt.Errorf("fleet: %s (port %d): %w\n%s", h.Name, h.Port, err, h.logTail())
	}
	return nil
}

// waitSSH waits until addr answers with an SSH-2.0 banner, which sshd sends
// first on every connection: then it listens and has loaded its keys.
func waitSSH(ctx context.Context, addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(readyTimeout)
	var last error
	// Poll with backoff: nothing announces that a process in another
	// namespace started listening.
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		if last = probeSSH(addr, deadline); last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no SSH banner within %v: %v", readyTimeout, last)
		}
		t := time.NewTimer(delay)
		select {
		case <-exited:
			t.Stop()
			return errors.New("sshd exited before it answered")
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func probeSSH(addr string, deadline time.Time) error {
	conn, err := net.DialTimeout("tcp", addr, time.Until(deadline))
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(deadline)
	line, err := bufio.NewReaderSize(io.LimitReader(conn, 256), 256).ReadString('\n')
	if strings.HasPrefix(line, "SSH-2.0-") {
		// Answer with a banner too: sshd logs a connection that closes
		// before it sent one as an error, which would clutter the log.
		_, _ = io.WriteString(conn, "SSH-2.0-tend-fleet-probe\r\n")
		return nil
	}
	return fmt.Errorf("no banner (read %q: %v)", line, err)
}

// stopRuns kills sshds and everything in their mount namespaces, and waits
// until all of it is gone. Only processes in those namespaces are signalled.
func stopRuns(runs []*run) error {
	if len(runs) == 0 {
		return nil
	}
	var errs []error
	set := map[nsID]bool{}
	for _, r := range runs {
		set[r.id] = true
		// sshd is PID 1 of the host: with it the kernel kills the whole PID
		// namespace, and reaps it before cmd.Wait returns.
		_ = r.cmd.Process.Kill()
	}
	deadline := time.NewTimer(stopTimeout)
	defer deadline.Stop()
	expired := false
	for _, r := range runs {
		if !expired {
			select {
			case <-r.done:
				continue
			case <-deadline.C:
				expired = true
			}
		}
		select {
		case <-r.done:
		default:
			errs = append(errs, fmt.Errorf("fleet: sshd %d did not exit within %v of SIGKILL", r.cmd.Process.Pid, stopTimeout))
		}
	}
	// Anything still in a host's mount namespace entered it from outside
	// (nsenter) and so escaped the PID namespace: kill it too.
	if err := killNamespaces(set, stopTimeout); err != nil {
		errs = append(errs, err)
	}
	for _, r := range runs {
		r.ns.Close()
	}
	return errors.Join(errs...)
}

// sshdConfig is the host's sshd_config. Port, ListenAddress, HostKey and
// PidFile are the harness's; every other line below can be overridden by
// Options.ExtraSSHDConfig. sshd keeps the first value it reads for most
// keywords, so a keyword that the extra config sets (before any Match) is
// left out here instead.
func (h *Host) sshdConfig() string {
	extra := h.fleet.opts.ExtraSSHDConfig
	skip := configKeywords(extra)
	var b strings.Builder
	fmt.Fprintf(&b, "# sshd_config of fleet host %s, written by tend's integration/fleet harness.\n", h.Name)
	fmt.Fprintf(&b, "Port %d\nListenAddress %s\nHostKey %s\nPidFile none\n", h.Port, h.Addr, h.key)
	defaults := [][2]string{
		{"AuthorizedKeysFile", h.fleet.ClientKey + ".pub"},
		{"PermitRootLogin", "yes"},
		{"PubkeyAuthentication", "yes"},
		{"PasswordAuthentication", "no"},
		{"KbdInteractiveAuthentication", "no"},
		{"UsePAM", "no"},
		// The key files live in the fleet's dir, whatever its permissions.
		{"StrictModes", "no"},
		{"LogLevel", "ERROR"},
		// Many parallel connections, as tend makes with high --forks.
		{"MaxStartups", "1000:30:2000"},
		{"MaxSessions", "100"},
		// Tests use fleet hosts as jump hosts.
		{"AllowTcpForwarding", "yes"},
		{"AllowAgentForwarding", "yes"},
		{"PermitUserEnvironment", "no"},
		{"X11Forwarding", "no"},
		{"PrintMotd", "no"},
		{"PrintLastLog", "no"},
		{"UseDNS", "no"},
		// In-process sftp does not depend on openssh-sftp-server.
		{"Subsystem", "sftp internal-sftp"},
	}
	if major, minor := sshdVersion(); major > 9 || major == 9 && minor >= 8 {
		// From 9.8 sshd blocks addresses that connect without logging in,
		// as the readiness probe and failure tests do, all from 127.0.0.1.
		defaults = append(defaults, [2]string{"PerSourcePenalties", "no"})
	}
	for _, kv := range defaults {
		if !skip[strings.ToLower(kv[0])] {
			fmt.Fprintf(&b, "%s %s\n", kv[0], kv[1])
		}
	}
	b.WriteString("# AcceptEnv is not set: no environment variable of the client reaches a host.\n")
	if extra != "" {
		b.WriteString("# Options.ExtraSSHDConfig:\n")
		b.WriteString(extra)
		b.WriteString("\n")
	}
	return b.String()
}

// configKeywords returns the lower-cased keywords set in an sshd_config text
// before its first Match block.
func configKeywords(text string) map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		words := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == '=' })
		if len(words) == 0 {
			continue
		}
		kw := strings.ToLower(words[0])
		if kw == "match" {
			break
		}
		set[kw] = true
	}
	return set
}

// logTail returns the end of the host's sshd log, for error messages.
func (h *Host) logTail() string {
	b, err := os.ReadFile(h.Log)
	if err != nil {
		return fmt.Sprintf("(no sshd log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return "sshd log " + h.Log + " (tail):\n\t" + strings.Join(lines, "\n\t")
}

// prepare creates the host's directories. sshd needs /run/sshd, which a
// machine without a running sshd may lack; it is made in the upper dir, with
// /run's own mode and owner, which saves every host a mkdir at start.
func (h *Host) prepare(dir string) error {
	for _, d := range []string{dir, h.Upper, h.work, h.root} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	run := filepath.Join(h.Upper, "run")
	if fi, err := os.Stat(filepath.Join(h.lower, "run")); err == nil {
		if err := os.Mkdir(run, fi.Mode().Perm()); err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			if err := os.Lchown(run, int(st.Uid), int(st.Gid)); err != nil {
				return err
			}
		}
		if err := os.Chmod(run, fi.Mode().Perm()|fi.Mode()&os.ModeSticky); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(run, "sshd"), 0o755); err != nil {
		return err
	}
	return h.freshRootDotfiles()
}

// freshRootDotfiles gives root the login files of a fresh Debian system
// (base-files' dot.bashrc and dot.profile) in place of this machine's:
// hosts stand for servers, not for the developer machine they run on. Here
// root's .bashrc runs pyenv's init, which bash runs at every ssh login
// (about 175 processes each), a cost no fresh server has and that would
// weigh on every tool measured against the fleet.
func (h *Host) freshRootDotfiles() error {
	const base = "/usr/share/base-files"
	home := filepath.Join(h.Upper, "root")
	if err := os.Mkdir(home, 0o700); err != nil {
		return err
	}
	for _, f := range []string{"bashrc", "profile"} {
		data, err := os.ReadFile(filepath.Join(h.lower, base, "dot."+f))
		if errors.Is(err, fs.ErrNotExist) {
			data = nil // not Debian: empty ones still hide the machine's
		} else if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(home, "."+f), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
