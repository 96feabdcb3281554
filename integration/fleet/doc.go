// Package fleet starts a fleet of real OpenSSH servers on 127.0.0.1 for
// integration tests, so tend is tested against the sshd it will meet in
// production rather than against a fake.
//
// Each host is one /usr/sbin/sshd on its own port, running in its own mount,
// PID and UTS namespace. Its root is an overlay whose lower layer is the
// machine's real root filesystem and whose upper layer is a per-host
// directory, Host.Upper. A host therefore looks like a full copy of the
// machine (same binaries, users and files), costs only a few processes to
// start, and whatever it changes lands in Host.Upper alone: tests can check
// from outside what a run did to each host, and hosts never see each other's
// changes nor touch the real files. One thing differs from the machine from
// the start: root's .bashrc and .profile are those of a fresh Debian system
// (base-files), since the machine's may run a developer's tools at every
// login (see Host.freshRootDotfiles).
//
// # Reading a host's files from outside
//
// Host.Path, Exists, Stat, Lstat, Readlink, ReadFile and ReadDir apply the
// overlay rules (see Host.Path) to Host.Upper and the real root: a file the
// host wrote is read from Host.Upper, an untouched one from the real path, a
// deleted one (an overlay whiteout) does not exist. The hosts are mounted
// with index, metacopy and redirect_dir off, so these rules are exact, and
// volatile (nothing is synced to disk), since test hosts need no durability.
//
// # Teardown
//
// Every host's processes share its mount namespace, which the harness pins
// with an open file descriptor from the moment the host starts (so its inode
// number cannot be reused by someone else's namespace). Stopping a host kills
// every process whose /proc/PID/ns/mnt is that namespace, and nothing else,
// then waits until none is left. sshd is also PID 1 of the host's PID
// namespace, so when it dies the kernel kills every session it started.
//
// If the test process dies without cleaning up (a panic, a -timeout, kill -9),
// each sshd gets SIGKILL through its parent-death signal, which takes its whole
// PID namespace with it: no host outlives the process that started it. Only the
// work directory is then left behind.
//
// # Limits
//
// Hosts share the machine's kernel and network: /dev is the real one, /proc/sys
// writes change the real kernel, and /sys is mounted read-only. Mounts below /
// on the real machine (other than /dev, /proc and /sys, which each host mounts
// itself) are not visible in a host, since an overlay layer does not cross
// mount points; for the same reason Options.Dir must be on the root mount.
// sshd itself writes a few files in each host (/run/sshd, utmp, wtmp and
// lastlog on login), which show up in Host.Upper.
//
// The harness needs root, unshare(2), overlayfs and /usr/sbin/sshd; see
// Requirements. StartT fails the test when they are missing, unless
// TEND_SKIP_INTEGRATION=1 is set, in which case it skips loudly.
package fleet
