package modules

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// factsOutput builds what FactsScript prints: head's part (files in the
// given order), the shell lines, the ip and python sections.
func factsOutput(files [][2]string, sh, ip, python string) []byte {
	var b strings.Builder
	for i, f := range files {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("==> " + f[0] + " <==\n" + f[1])
	}
	b.WriteString("\n== tend:sh ==\n" + sh + "== tend:ip ==\n" + ip)
	if python != "" {
		b.WriteString("== tend:python ==\n" + python + "\n")
	}
	b.WriteString("== tend:end ==\n")
	return []byte(b.String())
}

func kernelFiles(host string) [][2]string {
	return [][2]string{
		{"/proc/sys/kernel/ostype", "Linux\n"}, {"/proc/sys/kernel/hostname", host + "\n"},
		{"/proc/sys/kernel/osrelease", "5.15.0-91-generic\n"}, {"/proc/sys/kernel/version", "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023\n"},
		{"/proc/sys/kernel/arch", "x86_64\n"},
	}
}

func facts(t *testing.T, out []byte) map[string]any {
	t.Helper()
	all, err := ParseFacts(out, FactOverrides{})
	if err != nil {
		t.Fatal(err)
	}
	f := all["ansible_facts"].(map[string]any)
	for k, v := range f {
		if !reflect.DeepEqual(all["ansible_"+k], v) {
			t.Errorf("ansible_%s is not ansible_facts.%s", k, k)
		}
	}
	return f
}

func checkFacts(t *testing.T, f map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		got, _ := json.Marshal(f[k])
		exp, _ := json.Marshal(v)
		if string(got) != string(exp) {
			t.Errorf("%s = %s, want %s", k, got, exp)
		}
	}
}

// An Ubuntu server under systemd, as an ordinary user: every collector's
// main path.
func TestParseFactsUbuntu(t *testing.T) {
	t.Parallel()
	cpu := ""
	for i := 0; i < 16; i++ {
		phys, core := i/8, (i%8)/2
		cpu += "processor\t: " + strconv.Itoa(i) + "\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)\nphysical id\t: " + strconv.Itoa(phys) +
			"\nsiblings\t: 8\ncore id\t\t: " + strconv.Itoa(core) + "\ncpu cores\t: 4\nflags\t\t: fpu vme\n\n"
	}
	files := append(kernelFiles("web1"), [][2]string{
		{"/etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION=\"Ubuntu 22.04.4 LTS\"\n"},
		{"/etc/os-release", "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n"},
		{"/etc/debian_version", "bookworm/sid\n"},
		{"/proc/sys/kernel/cap_last_cap", "40\n"},
		{"/proc/self/status", "Name:\thead\nUid:\t1000\t1000\t1000\t1000\nGid:\t1001\t1001\t1001\t1001\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCpus_allowed_list:\t0-5,8\n"},
		{"/proc/self/environ", "HOME=/home/deploy\x00LOGNAME=deploy\x00PATH=/usr/bin:/bin\x00debian_chroot=\x00"},
		{"/proc/meminfo", "MemTotal:        8146432 kB\nMemFree:          512000 kB\nBuffers:           10240 kB\nCached:          1048576 kB\nSwapCached:            0 kB\nSwapTotal:       2097148 kB\nSwapFree:        2097148 kB\n"},
		{"/proc/cpuinfo", cpu},
		{"/proc/uptime", "12345.67 40000.00\n"},
		{"/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=UUID=abc ro quiet console=tty0 console=ttyS0,115200 'a b'\n"},
		{"/etc/mtab", "/dev/sda1 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n/dev/sda2 /srv/my\\040data xfs rw 0 0\n/dev/sda1 /var/lib/x ext4 rw 0 0\nserver:/export /mnt/nfs nfs4 rw 0 0\n"},
		{"/proc/self/mountinfo", "20 1 8:1 / / rw - ext4 /dev/sda1 rw\n30 20 8:1 /srv/x /var/lib/x rw - ext4 /dev/sda1 rw\n"},
		{"/proc/1/comm", "systemd\n"},
		{"/proc/1/cgroup", "0::/init.scope\n"},
		{"/proc/sys/crypto/fips_enabled", "1\n"},
		{"/etc/machine-id", "0123456789abcdef0123456789abcdef\n"},
		{"/etc/resolv.conf", "# comment\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example.org corp\noptions edns0 trust-ad ndots:2\n"},
		{"/etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1001:Deploy User,,,:/home/deploy:/bin/zsh\n"},
		{"/sys/devices/virtual/dmi/id/sys_vendor", "QEMU\n"},
		{"/sys/class/net/ens3/address", "52:54:00:12:34:56\n"}, {"/sys/class/net/ens3/mtu", "1500\n"},
		{"/sys/class/net/ens3/operstate", "up\n"}, {"/sys/class/net/ens3/type", "1\n"}, {"/sys/class/net/ens3/flags", "0x1103\n"},
		{"/sys/class/net/ens3/speed", "1000\n"},
		{"/sys/class/net/lo/address", "00:00:00:00:00:00\n"}, {"/sys/class/net/lo/mtu", "65536\n"},
		{"/sys/class/net/lo/operstate", "unknown\n"}, {"/sys/class/net/lo/type", "772\n"}, {"/sys/class/net/lo/flags", "0x9\n"},
		{"/sys/class/net/lo/speed", ""},
	}...)
	sh := "path systemctl\npath lsb_release\npath capsh\npath findmnt\npath ip\npath python3\npath hostname\npath apt-get\n" +
		"exists /run/systemd/system/\nexists /etc/init.d/\nexists /usr/bin/apt-get\nexists /etc/mtab\n" +
		"rootino 2 /\nrootfs ext2/ext3\ndate 1700000000 123456789 +0100 CET\nfqdn web1.example.org\n" +
		"iface ens3\nifhas ens3 device\npciid ens3 0000:00:03.0\nmodule ens3 virtio_net\niface lo\n"
	ip := `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host
2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
    inet 10.0.0.7/24 brd 10.0.0.255 scope global ens3
       valid_lft forever preferred_lft forever
    inet 10.0.0.8/24 brd 10.0.0.255 scope global secondary ens3:1
    inet6 2001:db8::7/64 scope global dynamic mngtmpaddr
    inet6 fe80::5054:ff:fe12:3456/64 scope link
8.8.8.8 via 10.0.0.1 dev ens3 src 10.0.0.7 uid 1000
    cache
`
	f := facts(t, factsOutput(files, sh, ip, "/usr/bin/python3 3 10 12 final 0 1 cpython 64"))
	checkFacts(t, f, map[string]any{
		"distribution": "Ubuntu", "distribution_version": "22.04", "distribution_major_version": "22",
		"distribution_release": "jammy", "distribution_file_path": "/etc/os-release", "distribution_file_variety": "Debian",
		"distribution_file_parsed": true, "os_family": "Debian", "pkg_mgr": "apt", "service_mgr": "systemd",
		"lsb":    map[string]any{"id": "Ubuntu", "release": "22.04", "major_release": "22", "codename": "jammy", "description": "Ubuntu 22.04.4 LTS"},
		"system": "Linux", "kernel": "5.15.0-91-generic", "machine": "x86_64", "architecture": "x86_64",
		"userspace_bits": "64", "userspace_architecture": "x86_64", "hostname": "web1", "nodename": "web1",
		"fqdn": "web1.example.org", "domain": "example.org", "machine_id": "0123456789abcdef0123456789abcdef",
		"processor_count": 2, "processor_cores": 4, "processor_threads_per_core": 2, "processor_vcpus": 16, "processor_nproc": 7,
		"memtotal_mb": 7955, "memfree_mb": 500, "swaptotal_mb": 2047, "swapfree_mb": 2047,
		"memory_mb": map[string]any{"real": map[string]any{"total": 7955, "used": 7455, "free": 500},
			"nocache": map[string]any{"free": 1534, "used": 6421}, "swap": map[string]any{"total": 2047, "free": 2047, "used": 0, "cached": 0}},
		"uptime_seconds": 12345,
		"mounts": []any{
			map[string]any{"mount": "/", "device": "/dev/sda1", "fstype": "ext4", "options": "rw,relatime"},
			map[string]any{"mount": "/srv/my data", "device": "/dev/sda2", "fstype": "xfs", "options": "rw"},
			map[string]any{"mount": "/var/lib/x", "device": "/dev/sda1", "fstype": "ext4", "options": "rw,bind"},
			map[string]any{"mount": "/mnt/nfs", "device": "server:/export", "fstype": "nfs4", "options": "rw"},
		},
		"cmdline":      map[string]any{"BOOT_IMAGE": "/vmlinuz", "root": "UUID=abc", "ro": true, "quiet": true, "console": "ttyS0,115200", "'a b'": true},
		"proc_cmdline": map[string]any{"BOOT_IMAGE": "/vmlinuz", "root": "UUID=abc", "ro": true, "quiet": true, "console": []any{"tty0", "ttyS0,115200"}, "'a b'": true},
		"fips":         true, "is_chroot": false, "local": map[string]any{}, "system_capabilities_enforced": "True",
		"selinux": map[string]any{"status": "disabled"}, "apparmor": map[string]any{"status": "disabled"},
		"dns":     map[string]any{"nameservers": []any{"127.0.0.53", "10.0.0.2"}, "search": []any{"example.org", "corp"}, "options": map[string]any{"edns0": true, "trust-ad": true, "ndots": "2"}},
		"user_id": "deploy", "user_uid": 1000, "user_gid": 1001, "user_gecos": "Deploy User,,,", "user_dir": "/home/deploy",
		"user_shell": "/bin/zsh", "real_user_id": 1000, "effective_user_id": 1000, "real_group_id": 1001, "effective_group_id": 1001,
		"env":                 map[string]any{"HOME": "/home/deploy", "LOGNAME": "deploy", "PATH": "/usr/bin:/bin", "debian_chroot": ""},
		"virtualization_type": "kvm", "virtualization_role": "guest", "virtualization_tech_guest": []any{"kvm"}, "virtualization_tech_host": []any{},
		"interfaces": []any{"ens3", "ens3_1", "lo"},
		"ens3": map[string]any{"device": "ens3", "macaddress": "52:54:00:12:34:56", "mtu": 1500, "active": true, "module": "virtio_net",
			"type": "ether", "pciid": "0000:00:03.0", "speed": 1000, "promisc": true,
			"ipv4":             map[string]any{"address": "10.0.0.7", "broadcast": "10.0.0.255", "netmask": "255.255.255.0", "network": "10.0.0.0", "prefix": "24"},
			"ipv4_secondaries": []any{map[string]any{"address": "10.0.0.8", "broadcast": "10.0.0.255", "netmask": "255.255.255.0", "network": "10.0.0.0", "prefix": "24"}},
			"ipv6": []any{map[string]any{"address": "2001:db8::7", "prefix": "64", "scope": "global"},
				map[string]any{"address": "fe80::5054:ff:fe12:3456", "prefix": "64", "scope": "link"}}},
		"ens3_1": map[string]any{"ipv4_secondaries": []any{map[string]any{"address": "10.0.0.8", "broadcast": "10.0.0.255", "netmask": "255.255.255.0", "network": "10.0.0.0", "prefix": "24"}}},
		"lo": map[string]any{"device": "lo", "mtu": 65536, "active": true, "type": "loopback", "promisc": false,
			"ipv4": map[string]any{"address": "127.0.0.1", "broadcast": "", "netmask": "255.0.0.0", "network": "127.0.0.0", "prefix": "8"},
			"ipv6": []any{map[string]any{"address": "::1", "prefix": "128", "scope": "host"}}},
		"default_ipv4": map[string]any{"address": "10.0.0.7", "gateway": "10.0.0.1", "interface": "ens3", "broadcast": "10.0.0.255",
			"netmask": "255.255.255.0", "network": "10.0.0.0", "prefix": "24", "macaddress": "52:54:00:12:34:56", "mtu": 1500, "type": "ether", "alias": "ens3"},
		"default_ipv6":       map[string]any{},
		"all_ipv4_addresses": []any{"10.0.0.7", "10.0.0.8"},
		"all_ipv6_addresses": []any{"2001:db8::7", "fe80::5054:ff:fe12:3456"},
		"python": map[string]any{"executable": "/usr/bin/python3", "has_sslcontext": true, "type": "cpython",
			"version": map[string]any{"major": 3, "minor": 10, "micro": 12, "releaselevel": "final", "serial": 0}, "version_info": []any{3, 10, 12, "final", 0}},
		"python_version": "3.10.12",
		// 2023-11-14 22:13:20 UTC is a Tuesday, 23:13:20 in CET.
		"date_time": map[string]any{"year": "2023", "month": "11", "day": "14", "hour": "23", "minute": "13", "second": "20",
			"weekday": "Tuesday", "weekday_number": "2", "weeknumber": "46", "epoch": "1700000000", "epoch_int": "1700000000",
			"date": "2023-11-14", "time": "23:13:20", "iso8601": "2023-11-14T22:13:20Z", "iso8601_micro": "2023-11-14T22:13:20.123456Z",
			"iso8601_basic": "20231114T231320123456", "iso8601_basic_short": "20231114T231320", "tz": "CET", "tz_dst": "CET", "tz_offset": "+0100"},
	})
}

// A Rocky Linux box: Ansible's RedHat file parser, dnf, the codename from
// VERSION; an Alpine box under OpenRC with busybox's init.
func TestParseFactsRockyAlpine(t *testing.T) {
	t.Parallel()
	rocky := append(kernelFiles("db1.example.com"),
		[2]string{"/etc/os-release", "NAME=\"Rocky Linux\"\nVERSION=\"9.3 (Blue Onyx)\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\n"},
		[2]string{"/etc/redhat-release", "Rocky Linux release 9.3 (Blue Onyx)\n"},
		[2]string{"/etc/rocky-release", "Rocky Linux release 9.3 (Blue Onyx)\n"},
		[2]string{"/etc/system-release", "Rocky Linux release 9.3 (Blue Onyx)\n"},
		[2]string{"/proc/1/comm", "systemd\n"},
		[2]string{"/etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n"},
		[2]string{"/sys/fs/selinux/enforce", "0"}, [2]string{"/sys/fs/selinux/policyvers", "33\n"},
	)
	sh := "path dnf\npath yum\nexists /usr/bin/dnf\nexists /usr/bin/yum\nchroot 0\ndate 1700000000 0 +0000 UTC\n"
	f := facts(t, factsOutput(rocky, sh, "", ""))
	checkFacts(t, f, map[string]any{
		"distribution": "Rocky", "distribution_version": "9.3", "distribution_major_version": "9", "distribution_release": "Blue Onyx",
		"distribution_file_variety": "RedHat", "distribution_file_path": "/etc/redhat-release", "os_family": "RedHat", "pkg_mgr": "dnf",
		"selinux":  map[string]any{"status": "enabled", "mode": "permissive", "config_mode": "enforcing", "type": "targeted", "policyvers": 33},
		"hostname": "db1", "fqdn": "db1.example.com", "domain": "example.com", "lsb": map[string]any{},
		"virtualization_type": "NA", "virtualization_role": "NA",
	})
	if _, ok := f["interfaces"]; ok {
		t.Error("network facts without ip")
	}
	alpine := append(kernelFiles("tiny"),
		[2]string{"/etc/alpine-release", "3.19.1\n"},
		[2]string{"/etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n"},
		[2]string{"/proc/1/comm", "init\n"},
	)
	sh = "path apk\npath ip\nexists /sbin/apk\nexists /sbin/openrc\nsbin_init /bin/busybox\nchroot 1\n"
	f = facts(t, factsOutput(alpine, sh, "8.8.8.8 via 10.1.0.1 dev eth0 src 10.1.0.5\n", ""))
	checkFacts(t, f, map[string]any{
		"distribution": "Alpine", "distribution_version": "3.19.1", "distribution_major_version": "3", "distribution_release": "NA",
		"os_family": "Alpine", "pkg_mgr": "apk", "service_mgr": "openrc", "is_chroot": true, "userspace_bits": "64",
		"default_ipv4":                 map[string]any{"address": "10.1.0.5", "gateway": "10.1.0.1", "interface": "eth0"},
		"system_capabilities_enforced": "N/A",
	})
	if _, ok := f["python"]; ok {
		t.Error("python without python3")
	}
	// Inventory variables overrule detection.
	all, _ := ParseFacts(factsOutput(alpine, sh, "", ""), FactOverrides{PkgMgr: "apt", ServiceMgr: "systemd"})
	if all["ansible_pkg_mgr"] != "apt" || all["ansible_service_mgr"] != "systemd" {
		t.Errorf("overrides: %v %v", all["ansible_pkg_mgr"], all["ansible_service_mgr"])
	}
}

// service_mgr: PID 1's name unless it is init or a shell, then the tools
// and folders in Ansible's order.
func TestServiceMgrFact(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ comm, sh, want string }{
		{"systemd", "", "systemd"},
		{"sshd", "exists /run/systemd/system/\npath systemctl\n", "sshd"},
		{"runit-init", "", "runit"},
		{"bash", "path systemctl\nexists /run/systemd/system/\n", "systemd"},
		{"init", "path initctl\nexists /etc/init/\n", "upstart"},
		{"init", "path systemctl\nsbin_init /lib/systemd/systemd\n", "systemd"},
		{"init", "exists /etc/init.d/\n", "sysvinit"},
		{"sh", "", "service"},
		{"", "sbin_init ../lib/systemd/systemd\n", "systemd"},
	} {
		files := kernelFiles("h")
		if c.comm != "" {
			files = append(files, [2]string{"/proc/1/comm", c.comm + "\n"})
		}
		f := facts(t, factsOutput(files, c.sh, "", ""))
		if f["service_mgr"] != c.want {
			t.Errorf("comm %q, %q: %v, want %s", c.comm, c.sh, f["service_mgr"], c.want)
		}
	}
}

// head's separators: a blank line between files, none kept from a file
// that lacks its last newline; an empty file is there but empty.
func TestSplitHeadOutput(t *testing.T) {
	t.Parallel()
	got := splitHeadOutput([]byte("==> /a <==\nx\ny\n\n==> /b <==\nno newline\n==> /c <==\n\n==> /d <==\n\n\n==> /e <==\nlast"))
	want := map[string]string{"/a": "x\ny\n", "/b": "no newline", "/c": "", "/d": "\n", "/e": "last"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q", got)
	}
	if got := splitHeadOutput([]byte("junk\n==> /a <==\nx")); len(got) != 0 {
		t.Errorf("junk before the first header: %q", got)
	}
	for _, bad := range []string{"", "garbage", "== tend:sh ==\n", "==> /proc/sys/kernel/hostname <==\nh\n\n== tend:sh ==\n"} {
		if _, err := ParseFacts([]byte(bad), FactOverrides{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The facts script runs under every shell a target may have, and the
// shells agree (but on what depends on PATH, which differs for busybox).
func TestFactsScriptRuns(t *testing.T) {
	t.Parallel()
	var first map[string]any
	for _, sh := range shells(t) {
		out := sh.run(t, FactsScript)
		all, err := ParseFacts(out.Stdout, FactOverrides{})
		if err != nil {
			t.Fatalf("%s: %v\n%s", sh.name, err, out.Stderr)
		}
		f := all["ansible_facts"].(map[string]any)
		for _, k := range []string{"distribution", "distribution_version", "os_family", "kernel", "machine", "user_id", "date_time", "memtotal_mb", "processor_count", "env", "service_mgr"} {
			if v, ok := f[k]; !ok || v == "" || v == nil {
				t.Errorf("%s: no %s", sh.name, k)
			}
		}
		if f["system"] != "Linux" {
			t.Errorf("%s: system %v", sh.name, f["system"])
		}
		if first == nil {
			first = f
			continue
		}
		for _, k := range []string{"distribution", "distribution_version", "os_family", "processor", "memtotal_mb", "mounts", "user_id", "dns", "virtualization_type", "service_mgr", "is_chroot"} {
			if !reflect.DeepEqual(first[k], f[k]) {
				t.Errorf("%s: %s = %v, dash said %v", sh.name, k, f[k], first[k])
			}
		}
	}
}

// The script starts few processes and never the same program twice.
// Which ones depends on the machine (python3, /proc/1/root in reach), so
// the test checks against the allowed set.
func TestFactsScriptProcesses(t *testing.T) {
	t.Parallel()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not installed: apt-get install strace")
	}
	log := filepath.Join(t.TempDir(), "trace")
	cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=execve", "-o", log, "dash", "-c", FactsScript)
	// Debian's PATH: a developer's python3 may be a shim that starts more.
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"head": true, "date": true, "hostname": true, "ip": true, "python3": true, "uname": true, "readlink": true, "ls": true, "stat": true}
	seen := map[string]int{}
	re := regexp.MustCompile(`execve\("[^"]*/([^"/]+)", .*\) = 0`)
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		seen[m[1]]++
	}
	delete(seen, "dash") // the shell itself
	var names []string
	for n, c := range seen {
		names = append(names, n)
		if !allowed[n] || c > 1 {
			t.Errorf("%s started %d times", n, c)
		}
	}
	sort.Strings(names)
	if seen["head"] != 1 || seen["date"] != 1 {
		t.Errorf("programs started: %v", names)
	}
	t.Logf("%d processes: %v", len(names), names)
}

func FuzzParseFacts(f *testing.F) {
	f.Add(factsOutput(kernelFiles("h"), "date 1 2 +0000 UTC\nfqdn h\niface eth0\n", "1: eth0: <UP>\n    inet 1.2.3.4/33 brd x\n    inet6 ::1\n8.8.8.8 via", "x 3 y"))
	f.Add([]byte("==> /proc/sys/kernel/ostype <==\nLinux\n\n== tend:sh ==\ndate 99999999999999 -1 +9999 X\nchroot 1\n== tend:ip ==\n    inet 300.1.1.1/8 scope host lo\n"))
	f.Add([]byte("==> /proc/sys/kernel/ostype <==\nLinux\n==> /proc/cpuinfo <==\ncpu cores: 0\nsiblings: 4\nphysical id: 0\n==> /proc/self/status <==\nCpus_allowed_list: 9-1,x\nCapEff: zz\n\n== tend:sh ==\npath capsh\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		all, err := ParseFacts(out, FactOverrides{})
		if err == nil {
			if _, err := json.Marshal(all); err != nil {
				t.Fatalf("facts do not marshal: %v", err)
			}
		}
	})
}
