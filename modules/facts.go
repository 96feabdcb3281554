package modules

import (
	"bufio"
	"bytes"
	"strings"
)

// FactsScript prints what tend knows about a host, one key=value a line, in
// one round trip. It reads only: os-release, uname, id and what commands
// exist. Sourcing os-release happens in the framed subshell, so its
// variables go no further.
const FactsScript = `if [ -r /etc/os-release ]; then . /etc/os-release; elif [ -r /usr/lib/os-release ]; then . /usr/lib/os-release; fi
f() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ')"; }
f id "${ID:-}"
f id_like "${ID_LIKE:-}"
f version_id "${VERSION_ID:-}"
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
for c in apt-get dnf yum apk zypper pacman; do
  if command -v "$c" >/dev/null 2>&1; then pm=$c; break; fi
done
f pkg_mgr "$pm"
if [ -d /run/systemd/system ]; then sm=systemd
elif command -v openrc >/dev/null 2>&1 || [ -d /run/openrc ]; then sm=openrc
else sm=sysvinit; fi
f service_mgr "$sm"
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

// pkgMgrNames maps the command found to Ansible's ansible_pkg_mgr.
var pkgMgrNames = map[string]string{"apt-get": "apt", "dnf": "dnf", "yum": "yum", "apk": "apk", "zypper": "zypper", "pacman": "pacman"}

// ParseFacts reads FactsScript's output into Ansible's variable names: the
// top-level ansible_* ones and ansible_facts (without the prefix).
func ParseFacts(out []byte) (map[string]any, error) {
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
	family := families[id]
	for _, like := range strings.Fields(raw["id_like"]) {
		if family == "" {
			family = families[like]
		}
	}
	if family == "" {
		family = dist
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
		"pkg_mgr":                    pkgMgrNames[raw["pkg_mgr"]],
		"service_mgr":                raw["service_mgr"],
		"os_release_id":              id,
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
