package modules

import (
	"path"
	"strconv"
	"strings"
)

// pkgMgr is Ansible's pkg_mgr: the last of its known paths that exists,
// then the family's default. tend also wants the manager's command on
// PATH, since that is how its package modules run it: a box whose
// Debian files are there but whose PATH has no apt-get (the fleet's
// busybox hosts) says "unknown" where Ansible says "apt".
func pkgMgr(r *factsRaw, f map[string]any) string {
	name := "unknown"
	family, _ := f["os_family"].(string)
	for _, p := range pkgMgrPaths {
		if family == "Altlinux" && p.path == "/usr/bin/pkg" {
			continue
		}
		if r.exists[p.path] && r.binPath(path.Base(p.path)) {
			name = p.name
		}
	}
	exists := func(n string) bool {
		for _, p := range pkgMgrPaths {
			if p.name == n && r.exists[p.path] && r.binPath(path.Base(p.path)) {
				return true
			}
		}
		return false
	}
	switch family {
	case "RedHat":
		dist, _ := f["distribution"].(string)
		major, err := strconv.Atoi(toStr(f["distribution_major_version"]))
		switch {
		case r.exists["/run/ostree-booted"]:
			return "atomic_container"
		case dist == "Fedora" || dist == "Amazon":
			limit := 23
			if dist == "Amazon" {
				limit = 2022
			}
			if err != nil {
				name = "dnf"
			} else if major < limit && exists("yum") {
				name = "yum"
			} else if major >= limit && exists("dnf") {
				name = "dnf"
			}
		case err == nil && major < 8:
			name = "yum"
		default:
			name = "dnf"
		}
	case "Debian":
		// Whatever else is installed, a Debian system wants apt.
		name = "apt"
	case "Altlinux":
		if name == "apt" {
			name = "apt_rpm"
		}
	}
	return name
}

type pkgMgrPath struct{ path, name string }

// pkgMgrPaths is Ansible's PKG_MGRS: a later one found wins.
var pkgMgrPaths = []pkgMgrPath{
	{"/usr/bin/rpm-ostree", "atomic_container"}, {"/usr/bin/yum", "yum"}, {"/usr/bin/dnf", "dnf"},
	{"/usr/bin/apt-get", "apt"}, {"/usr/bin/zypper", "zypper"}, {"/usr/sbin/urpmi", "urpmi"},
	{"/usr/bin/pacman", "pacman"}, {"/bin/opkg", "opkg"}, {"/usr/pkg/bin/pkgin", "pkgin"},
	{"/opt/local/bin/pkgin", "pkgin"}, {"/opt/tools/bin/pkgin", "pkgin"}, {"/opt/local/bin/port", "macports"},
	{"/usr/local/bin/brew", "homebrew"}, {"/opt/homebrew/bin/brew", "homebrew"}, {"/sbin/apk", "apk"},
	{"/usr/sbin/pkg", "pkgng"}, {"/usr/sbin/swlist", "swdepot"}, {"/usr/bin/emerge", "portage"},
	{"/usr/sbin/pkgadd", "svr4pkg"}, {"/usr/bin/pkg", "pkg5"}, {"/usr/bin/xbps-install", "xbps"},
	{"/usr/local/sbin/pkg", "pkgng"}, {"/usr/bin/swupd", "swupd"}, {"/usr/sbin/sorcery", "sorcery"},
	{"/usr/bin/installp", "installp"}, {"/QOpenSys/pkgs/bin/yum", "yum"},
}

// serviceMgr is Ansible's service_mgr on Linux: PID 1's name when it
// says something (not "init", not a shell), else systemd's run-time
// folders, upstart, OpenRC, /sbin/init pointing at systemd, an
// /etc/init.d, else "service". Ansible runs ps when /proc/1/comm cannot
// be read; tend goes on to /sbin/init's link.
func serviceMgr(r *factsRaw, f map[string]any) string {
	p1, ok := r.file("/proc/1/comm")
	if !ok {
		if l, linked := r.line("sbin_init"); linked {
			p1, ok = path.Base(strings.TrimSpace(l)), true
		}
	}
	if ok {
		p1 = strings.TrimSpace(path.Base(p1))
		if p1 == "init" || strings.HasSuffix(p1, "sh") {
			ok = false
		}
	}
	if ok && p1 != "" {
		switch p1 {
		case "procd":
			return "openwrt_init"
		case "runit-init":
			return "runit"
		case "svscan":
			return "svc"
		case "openrc-init":
			return "openrc"
		}
		return p1
	}
	if f["distribution"] == "OpenWrt" {
		return "openwrt_init"
	}
	if f["system"] != "Linux" {
		return "service"
	}
	systemctl := r.binPath("systemctl")
	switch {
	case systemctl && (r.exists["/run/systemd/system/"] || r.exists["/dev/.run/systemd/"] || r.exists["/dev/.systemd/"]):
		return "systemd"
	case r.binPath("initctl") && r.exists["/etc/init/"]:
		return "upstart"
	case r.exists["/sbin/openrc"]:
		return "openrc"
	}
	if l, ok := r.line("sbin_init"); ok && systemctl && path.Base(strings.TrimSpace(l)) == "systemd" {
		return "systemd"
	}
	if r.exists["/etc/init.d/"] {
		return "sysvinit"
	}
	return "service"
}
