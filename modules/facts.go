package modules

import (
	"strings"
)

// FactsScript prints what tend needs to derive Ansible's setup facts, in one
// round trip and a small fixed number of processes: one head over every file
// the facts come from (head prints "==> FILE <==" before each, and skips
// the missing ones), one ip for addresses and routes, one date, one
// hostname -f (the fqdn comes from the resolver, which only a process can
// ask), and python3 -c when python3 exists (ansible_python). The rest is
// shell builtins: which commands and paths exist, the folders behind
// /sys/class/net links (cd -P), /proc/1/root against /. A few more run only
// where the common answer is missing: uname -m without
// /proc/sys/kernel/arch, readlink /sbin/init when PID 1 is init or a shell,
// ls and stat for a user who cannot see /proc/1/root, three ip commands
// where ip is busybox's (no -batch). Go decides what it all means
// (ParseFacts), following ansible-core 2.14's collectors.
//
// head runs first so that the environment it reads (/proc/self/environ)
// is the login shell's, before anything here changes PWD.
const FactsScript = `head -c 4194304 /etc/*[-_]release /etc/*[-_]version /usr/lib/os-release /etc/coreos/update.conf \
 /proc/sys/kernel/ostype /proc/sys/kernel/hostname /proc/sys/kernel/osrelease /proc/sys/kernel/version \
 /proc/sys/kernel/arch /proc/sys/kernel/cap_last_cap /proc/self/status /proc/self/environ \
 /proc/meminfo /proc/cpuinfo /proc/uptime /proc/cmdline /etc/mtab /proc/mounts /proc/self/mountinfo \
 /proc/1/comm /proc/1/cgroup /proc/1/environ /proc/modules /proc/sys/crypto/fips_enabled \
 /var/lib/dbus/machine-id /etc/machine-id /etc/resolv.conf /etc/passwd /etc/localtime \
 /run/systemd/container /sys/hypervisor/type /proc/xen/capabilities \
 /sys/devices/virtual/dmi/id/product_name /sys/devices/virtual/dmi/id/sys_vendor \
 /sys/devices/virtual/dmi/id/product_family /sys/devices/virtual/dmi/id/bios_vendor \
 /etc/selinux/config /sys/fs/selinux/enforce /sys/fs/selinux/policyvers \
 /sys/class/net/*/address /sys/class/net/*/mtu /sys/class/net/*/operstate /sys/class/net/*/type \
 /sys/class/net/*/flags /sys/class/net/*/speed /sys/class/net/*/bridge/bridge_id \
 /sys/class/net/*/bridge/stp_state /sys/class/net/*/bonding/slaves /sys/class/net/*/bonding/mode \
 /sys/class/net/*/bonding/miimon /sys/class/net/*/bonding/lacp_rate /sys/class/net/*/bonding/primary \
 /sys/class/net/*/bonding/all_slaves_active /sys/class/net/*/bonding_slave/perm_hwaddr 2>/dev/null
printf '\n== tend:sh ==\n'
for c in systemctl initctl lsb_release capsh findmnt dpkg ip python3 hostname busybox \
 apt-get yum dnf zypper urpmi pacman opkg pkgin port brew apk pkg swlist emerge pkgadd xbps-install swupd sorcery installp rpm-ostree; do
 if command -v "$c" >/dev/null 2>&1; then printf 'path %s\n' "$c"
 elif [ -x "/sbin/$c" ] || [ -x "/usr/sbin/$c" ] || [ -x "/usr/local/sbin/$c" ]; then printf 'sbin %s\n' "$c"; fi
done
for p in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/ /etc/init/ /sbin/openrc /etc/init.d/ \
 /proc/vz /proc/lve /proc/bc /proc/xen /.dockerenv /.dockerinit /sys/kernel/security/apparmor /rhev/ /dev/kvm \
 /run/ostree-booted /usr/bin/rpm /etc/mtab /etc/products.d/baseproduct \
 /usr/bin/rpm-ostree /usr/bin/yum /usr/bin/dnf /usr/bin/apt-get /usr/bin/zypper /usr/sbin/urpmi /usr/bin/pacman \
 /bin/opkg /usr/pkg/bin/pkgin /opt/local/bin/pkgin /opt/tools/bin/pkgin /opt/local/bin/port /usr/local/bin/brew \
 /opt/homebrew/bin/brew /sbin/apk /usr/sbin/pkg /usr/sbin/swlist /usr/bin/emerge /usr/sbin/pkgadd /usr/bin/pkg \
 /usr/bin/xbps-install /usr/local/sbin/pkg /usr/bin/swupd /usr/sbin/sorcery /usr/bin/installp /QOpenSys/pkgs/bin/yum; do
 if [ -e "$p" ]; then printf 'exists %s\n' "$p"; fi
done
p1=
if [ -r /proc/1/comm ]; then read -r p1 </proc/1/comm; fi
if [ -L /sbin/init ]; then case $p1 in ''|init|*sh) printf 'sbin_init %s\n' "$(readlink /sbin/init)";; esac; fi
if [ -e /proc/1/root/. ]; then
 if [ / -ef /proc/1/root/. ]; then echo 'chroot 0'; else echo 'chroot 1'; fi
else
 printf 'rootino %s\n' "$(ls -di / 2>/dev/null)"
 printf 'rootfs %s\n' "$(stat -f -c %T / 2>/dev/null)"
fi
if [ ! -r /proc/sys/kernel/arch ]; then printf 'machine %s\n' "$(uname -m)"; fi
printf 'date %s\n' "$(date '+%s %N %z %Z')"
printf 'fqdn %s\n' "$(hostname -f 2>/dev/null)"
for d in /sys/class/net/*; do
 [ -d "$d" ] || continue
 i=${d##*/}
 printf 'iface %s\n' "$i"
 for f in bridge bonding bonding_slave device; do if [ -e "$d/$f" ]; then printf 'ifhas %s %s\n' "$i" "$f"; fi; done
 for b in "$d"/brif/*; do if [ -e "$b" ]; then printf 'brif %s %s\n' "$i" "${b##*/}"; fi; done
 if cd -P "$d/device" 2>/dev/null; then printf 'pciid %s %s\n' "$i" "${PWD##*/}"; fi
 if cd -P "$d/device/driver/module" 2>/dev/null; then printf 'module %s %s\n' "$i" "${PWD##*/}"; fi
done
ipp= bbp=
set -f; IFS=:
for d in $PATH; do
 if [ -z "$ipp" ] && [ -x "$d/ip" ]; then ipp=$d/ip; fi
 if [ -z "$bbp" ] && [ -x "$d/busybox" ]; then bbp=$d/busybox; fi
done
unset IFS; set +f
printf '== tend:ip ==\n'
if [ -n "$ipp" ] && [ -n "$bbp" ] && [ "$ipp" -ef "$bbp" ]; then
 "$ipp" addr show 2>/dev/null; "$ipp" route get 8.8.8.8 2>/dev/null; "$ipp" route get 2404:6800:400a:800::1012 2>/dev/null
elif [ -n "$ipp" ]; then
 "$ipp" -force -batch - 2>/dev/null <<'EOF'
addr show
route get 8.8.8.8
route get 2404:6800:400a:800::1012
EOF
fi
if command -v python3 >/dev/null 2>&1; then
 printf '== tend:python ==\n'
 python3 -c 'import sys,struct
try:
 from ssl import create_default_context,SSLContext;s=1
except ImportError:
 s=0
print(sys.executable,*sys.version_info,s,sys.implementation.name,struct.calcsize("P")*8)' 2>/dev/null
fi
printf '== tend:end ==\n'
`

// FactOverrides are inventory variables that overrule detection:
// tend_pkg_mgr and tend_service_mgr.
type FactOverrides struct{ PkgMgr, ServiceMgr string }

// ParseFacts reads FactsScript's output into Ansible's variable names: the
// top-level ansible_* ones and ansible_facts (without the prefix). It
// never panics: what it cannot read is left out, as Ansible leaves out
// what its collectors cannot find.
func ParseFacts(out []byte, o FactOverrides) (map[string]any, error) {
	r, err := splitFactsOutput(out)
	if err != nil {
		return nil, err
	}
	facts := map[string]any{}
	platformFacts(r, facts)
	distributionFacts(r, facts)
	hardwareFacts(r, facts)
	virtualFacts(r, facts)
	networkFacts(r, facts)
	systemFacts(r, facts)
	facts["pkg_mgr"] = pkgMgr(r, facts)
	facts["service_mgr"] = serviceMgr(r, facts)
	if o.PkgMgr != "" {
		facts["pkg_mgr"] = o.PkgMgr
	}
	if o.ServiceMgr != "" {
		facts["service_mgr"] = o.ServiceMgr
	}
	// Ansible names top-level facts with '-' as '_' (an interface br-x is
	// ansible_br_x).
	clean := make(map[string]any, len(facts))
	for k, v := range facts {
		clean[strings.ReplaceAll(k, "-", "_")] = v
	}
	all := map[string]any{"ansible_facts": clean}
	for k, v := range clean {
		all["ansible_"+k] = v
	}
	return all, nil
}

func atoiOr(s string, def int) int {
	if n, ok := toInt(s); ok {
		return n
	}
	return def
}
