package modules

import (
	"bufio"
	"bytes"
	"strings"
)

// FactsScript prints what tend knows about a host, one key=value a line, in
// one round trip. It reads only: os-release, uname, id, the route to the
// outside and what commands exist; Go decides what they mean (ParseFacts).
// Sourcing os-release happens in the framed subshell, so its variables go
// no further.
const FactsScript = `if [ -r /etc/os-release ]; then . /etc/os-release; elif [ -r /usr/lib/os-release ]; then . /usr/lib/os-release; fi
f() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ')"; }
f id "${ID:-}"
f id_like "${ID_LIKE:-}"
f version_id "${VERSION_ID:-}"
f codename "${VERSION_CODENAME:-}"
f pretty_name "${PRETTY_NAME:-}"
f system "$(uname -s)"
f kernel "$(uname -r)"
f machine "$(uname -m)"
f hostname "$(uname -n)"
f fqdn "$(hostname -f 2>/dev/null || uname -n)"
f user "$(id -un)"
f uid "$(id -u)"
f gid "$(id -g)"
pm=
for c in apt-get dnf yum apk zypper pacman systemctl rc-service openrc update-rc.d chkconfig; do
  if command -v "$c" >/dev/null 2>&1; then pm="$pm $c"; fi
done
f commands "$pm"
f systemd_booted "$(if [ -d /run/systemd/system ]; then echo 1; fi)"
f openrc_booted "$(if [ -d /run/openrc ]; then echo 1; fi)"
f route "$(ip -4 route get 1.0.0.0 2>/dev/null | head -n 1)"
`

// distributions maps os-release IDs to Ansible's ansible_distribution.
var distributions = map[string]string{
	"debian": "Debian", "ubuntu": "Ubuntu", "centos": "CentOS", "rhel": "RedHat",
	"fedora": "Fedora", "alpine": "Alpine", "rocky": "Rocky", "almalinux": "AlmaLinux",
	"arch": "Archlinux", "opensuse-leap": "openSUSE Leap", "sles": "SLES", "amzn": "Amazon",
}

// families maps os-release IDs (and ID_LIKE words) to ansible_os_family.
var families = map[string]string{
	"debian": "Debian", "ubuntu": "Debian", "rhel": "RedHat", "centos": "RedHat",
	"fedora": "RedHat", "rocky": "RedHat", "almalinux": "RedHat", "amzn": "RedHat",
	"alpine": "Alpine", "arch": "Archlinux", "suse": "Suse", "opensuse-leap": "Suse", "sles": "Suse",
}

// A pkgMgr is a package manager as Ansible names it (ansible_pkg_mgr), the
// command that proves it is there, and the os-release IDs (or ID_LIKE
// words) that use it. Detection tries the ID, then ID_LIKE, then any
// command found, and always wants the command present: a Debian box whose
// PATH has no apt-get has no usable package manager.
type pkgMgr struct{ name, command string }

var pkgMgrs = []pkgMgr{{"apt", "apt-get"}, {"dnf", "dnf"}, {"yum", "yum"}, {"apk", "apk"}, {"zypper", "zypper"}, {"pacman", "pacman"}}

// pkgMgrsByFamily lists, per ansible_os_family, the managers in the order
// they are preferred (dnf before yum on the RedHat family).
var pkgMgrsByFamily = map[string][]string{
	"Debian": {"apt"}, "RedHat": {"dnf", "yum"}, "Alpine": {"apk"}, "Suse": {"zypper"}, "Archlinux": {"pacman"},
}

// detectPkgMgr returns ansible_pkg_mgr: the first manager of the host's
// family whose command exists, else any whose command exists, else
// "unknown" (as Ansible says).
func detectPkgMgr(families []string, cmds map[string]bool) string {
	for _, fam := range families {
		for _, name := range pkgMgrsByFamily[fam] {
			for _, m := range pkgMgrs {
				if m.name == name && cmds[m.command] {
					return name
				}
			}
		}
	}
	for _, m := range pkgMgrs {
		if cmds[m.command] {
			return m.name
		}
	}
	return "unknown"
}

// detectServiceMgr returns ansible_service_mgr: what runs as init, judged
// by the run-time folders systemd and OpenRC create, then by their tools.
func detectServiceMgr(raw map[string]string, cmds map[string]bool) string {
	switch {
	case raw["systemd_booted"] == "1":
		return "systemd"
	case raw["openrc_booted"] == "1" || cmds["openrc"] || cmds["rc-service"]:
		return "openrc"
	default:
		return "sysvinit"
	}
}

// FactOverrides are inventory variables that overrule detection:
// tend_pkg_mgr and tend_service_mgr.
type FactOverrides struct{ PkgMgr, ServiceMgr string }

// parseRoute reads `ip -4 route get` ("1.0.0.0 via GW dev IF src ADDR")
// into Ansible's ansible_default_ipv4 (address, interface, gateway); nil
// when the host has no route out.
func parseRoute(line string) map[string]any {
	w := strings.Fields(line)
	r := map[string]any{}
	for i := 0; i+1 < len(w); i++ {
		switch w[i] {
		case "via":
			r["gateway"] = w[i+1]
		case "dev":
			r["interface"] = w[i+1]
		case "src":
			r["address"] = w[i+1]
		}
	}
	if r["address"] == nil {
		return nil
	}
	return r
}

// ParseFacts reads FactsScript's output into Ansible's variable names: the
// top-level ansible_* ones and ansible_facts (without the prefix).
func ParseFacts(out []byte, o FactOverrides) (map[string]any, error) {
	raw := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			raw[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if raw["system"] == "" {
		return nil, errorf("gathering facts: the host printed nothing usable")
	}
	id := raw["id"]
	dist := distributions[id]
	if dist == "" && id != "" {
		dist = strings.ToUpper(id[:1]) + id[1:]
	}
	// The family comes from ID, else the first ID_LIKE word tend knows;
	// package managers are tried in that same order.
	var fams []string
	for _, w := range append([]string{id}, strings.Fields(raw["id_like"])...) {
		if f := families[w]; f != "" {
			fams = append(fams, f)
		}
	}
	family := dist
	if len(fams) > 0 {
		family = fams[0]
	}
	cmds := map[string]bool{}
	for _, c := range strings.Fields(raw["commands"]) {
		cmds[c] = true
	}
	pkg, svc := detectPkgMgr(fams, cmds), detectServiceMgr(raw, cmds)
	if o.PkgMgr != "" {
		pkg = o.PkgMgr
	}
	if o.ServiceMgr != "" {
		svc = o.ServiceMgr
	}
	major, _, _ := strings.Cut(raw["version_id"], ".")
	short, _, _ := strings.Cut(raw["hostname"], ".")
	facts := map[string]any{
		"os_family":                  family,
		"distribution":               dist,
		"distribution_version":       raw["version_id"],
		"distribution_major_version": major,
		"distribution_pretty_name":   raw["pretty_name"],
		"system":                     raw["system"],
		"kernel":                     raw["kernel"],
		"architecture":               raw["machine"],
		"hostname":                   short,
		"nodename":                   raw["hostname"],
		"fqdn":                       raw["fqdn"],
		"user_id":                    raw["user"],
		"user_uid":                   atoiOr(raw["uid"], -1),
		"user_gid":                   atoiOr(raw["gid"], -1),
		"distribution_release":       raw["codename"],
		"pkg_mgr":                    pkg,
		"service_mgr":                svc,
		"os_release_id":              id,
		"os_release_id_like":         raw["id_like"],
		"default_ipv4":               map[string]any{},
	}
	if r := parseRoute(raw["route"]); r != nil {
		facts["default_ipv4"] = r
	}
	out2 := map[string]any{"ansible_facts": facts}
	for k, v := range facts {
		out2["ansible_"+k] = v
	}
	return out2, nil
}

func atoiOr(s string, def int) int {
	if n, ok := toInt(s); ok {
		return n
	}
	return def
}
