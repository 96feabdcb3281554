package fleet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

const sshdPath = "/usr/sbin/sshd"

// Requirements reports whether this machine can run a fleet: nil when it can,
// else an error naming everything that is missing and how to get it. The
// overlay check mounts a real overlay of / in a throw-away namespace, the
// same way a host does, since that is what fails in containers.
// The result is computed once per process.
func Requirements() error { return requirements() }

var requirements = sync.OnceValue(checkRequirements)

func checkRequirements() error {
	var missing []string
	add := func(format string, args ...any) { missing = append(missing, fmt.Sprintf(format, args...)) }

	if os.Geteuid() != 0 {
		add("not running as root (euid %d): hosts need mount namespaces and overlay mounts; run the tests as root (e.g. sudo -E go test ./integration/...)", os.Geteuid())
	}
	if fi, err := os.Stat(sshdPath); err != nil || fi.Mode()&0o111 == 0 {
		add("%s not found: apt-get install openssh-server", sshdPath)
	}
	for _, tool := range []struct{ path, pkg string }{
		{"/bin/sh", "dash"}, {"/bin/mount", "mount"}, {"/usr/sbin/chroot", "coreutils"},
	} {
		if _, err := os.Stat(tool.path); err != nil {
			add("%s not found: apt-get install %s", tool.path, tool.pkg)
		}
	}
	if !hasFilesystem("overlay") {
		add("the kernel has no overlay filesystem (not in /proc/filesystems): modprobe overlay, or use a kernel with CONFIG_OVERLAY_FS")
	}
	if len(missing) == 0 {
		if err := trialMount(); err != nil {
			add("cannot start a host namespace with an overlay of / (is this a container without CAP_SYS_ADMIN, or is / itself an overlay? the upper directory must be on a filesystem such as ext4 or xfs): %v", err)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return errors.New("fleet: this machine cannot run the integration fleet:\n  - " + strings.Join(missing, "\n  - "))
}

// trialMount sets up a host's namespaces and mounts, then runs /bin/true in
// it instead of sshd.
func trialMount() error {
	base, err := defaultBase()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(base, "tend-fleet-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	h := &Host{Name: "check", Upper: filepath.Join(dir, "up"), work: filepath.Join(dir, "work"), root: filepath.Join(dir, "root")}
	for _, d := range []string{h.Upper, h.work, h.root} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	var out bytes.Buffer
	cmd := h.command("/bin/true")
	cmd.Stdout, cmd.Stderr = &out, &out
	err = spawn(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(out.String()))
	}
	return nil
}

func hasFilesystem(name string) bool {
	b, err := os.ReadFile("/proc/filesystems")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[len(f)-1] == name {
			return true
		}
	}
	return false
}

// defaultBase is where a fleet's directory goes when the caller names none:
// os.TempDir() if it is on the root mount, else /var/tmp.
func defaultBase() (string, error) {
	for _, d := range []string{os.TempDir(), "/var/tmp"} {
		if ok, err := onRootMount(d); err == nil && ok {
			return d, nil
		}
	}
	return "", fmt.Errorf("fleet: neither %s nor /var/tmp is on the root mount; set Options.Dir to a directory on /", os.TempDir())
}

// onRootMount reports whether path is on the mount at "/". A host's lower
// layer is the root mount alone, so only files there are visible inside it.
func onRootMount(path string) (bool, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false, err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false, err
	}
	defer f.Close()
	best := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if (mp == "/" || abs == mp || strings.HasPrefix(abs, mp+"/")) && len(mp) >= len(best) {
			best = mp
		}
	}
	return best == "/", sc.Err()
}

// unescapeMount undoes the octal escapes (\040 for a space) of mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// sshdVersion returns the major and minor version of /usr/sbin/sshd, or 0, 0
// when it cannot tell. sshd has no version flag in older releases, but always
// names its version in the usage message.
var sshdVersion = sync.OnceValues(func() (int, int) {
	out, _ := exec.Command(sshdPath, "-V").CombinedOutput()
	m := regexp.MustCompile(`OpenSSH_(\d+)\.(\d+)`).FindSubmatch(out)
	if m == nil {
		return 0, 0
	}
	major, _ := strconv.Atoi(string(m[1]))
	minor, _ := strconv.Atoi(string(m[2]))
	return major, minor
})
