package modules

import (
	"regexp"
	"strings"
)

// distributionFacts are Ansible's distribution collector on Linux: a guess
// from the distro library, then the first of Ansible's distribution files
// (OSDIST_LIST, in its order) whose parser recognises its content.
func distributionFacts(r *factsRaw, f map[string]any) {
	if f["system"] != "Linux" {
		f["distribution"], f["distribution_release"], f["distribution_version"] = f["system"], f["kernel"], f["kernel_version"]
		f["os_family"] = f["system"]
		return
	}
	d := newDistro(r)
	dist := strings.ToUpper(firstRune(d.id())) + strings.ToLower(restRunes(d.id()))
	switch dist {
	case "Amzn":
		dist = "Amazon"
	case "Rhel":
		dist = "Redhat"
	case "":
		dist = "OtherLinux"
	}
	version := d.version(false)
	if id := d.id(); id == "debian" {
		version = d.version(true)
	} else if id == "centos" {
		parts := strings.Split(d.version(true), ".")
		version = strings.Join(parts[:min(2, len(parts))], ".")
	}
	if version == "" {
		version = "NA"
	}
	release := d.codenameForAnsible()
	if release == "" {
		release = "NA"
	}
	major, _, _ := strings.Cut(version, ".")
	if major == "" {
		major = "NA"
	}
	facts := map[string]any{
		"distribution": dist, "distribution_version": version,
		"distribution_release": release, "distribution_major_version": major,
	}
	for _, e := range osdistList {
		content, ok := r.files[e.path]
		if !ok || (!e.allowEmpty && content == "") {
			continue
		}
		if e.allowEmpty {
			facts["distribution"], facts["distribution_file_path"], facts["distribution_file_variety"] = e.name, e.path, e.name
			break
		}
		parsed, more := parseDistFile(r, d, e.name, strings.Trim(strings.TrimSpace(content), `'"\`), e.path, facts)
		if parsed {
			facts["distribution"], facts["distribution_file_path"], facts["distribution_file_variety"] = e.name, e.path, e.name
			facts["distribution_file_parsed"] = true
			for k, v := range more {
				facts[k] = v
			}
			break
		}
	}
	for k, v := range facts {
		f[k] = v
	}
	name, _ := facts["distribution"].(string)
	if fam := osFamily[name]; fam != "" {
		f["os_family"] = fam
	} else {
		f["os_family"] = name
	}
}

// codenameForAnsible is sys_info.get_distribution_codename: os-release's
// VERSION_CODENAME, else UBUNTU_CODENAME, else (Ubuntu) lsb_release's,
// else the library's codename.
func (d *distro) codenameForAnsible() string {
	if c, ok := d.os["version_codename"]; ok {
		return c
	}
	if c, ok := d.os["ubuntu_codename"]; ok {
		return c
	}
	if d.id() == "ubuntu" && d.lsb["codename"] != "" {
		return d.lsb["codename"]
	}
	return d.codename()
}

func firstRune(s string) string {
	for _, c := range s {
		return string(c)
	}
	return ""
}

func restRunes(s string) string {
	for i := range s {
		if i > 0 {
			return s[i:]
		}
	}
	return ""
}

type osdist struct {
	path, name string
	allowEmpty bool
}

// osdistList is Ansible's DistributionFiles.OSDIST_LIST.
var osdistList = []osdist{
	{"/etc/altlinux-release", "Altlinux", false}, {"/etc/oracle-release", "OracleLinux", false},
	{"/etc/slackware-version", "Slackware", false}, {"/etc/centos-release", "CentOS", false},
	{"/etc/redhat-release", "RedHat", false}, {"/etc/vmware-release", "VMwareESX", true},
	{"/etc/openwrt_release", "OpenWrt", false}, {"/etc/os-release", "Amazon", false},
	{"/etc/system-release", "Amazon", false}, {"/etc/alpine-release", "Alpine", false},
	{"/etc/arch-release", "Archlinux", true}, {"/etc/os-release", "Archlinux", false},
	{"/etc/os-release", "SUSE", false}, {"/etc/SuSE-release", "SUSE", false},
	{"/etc/gentoo-release", "Gentoo", false}, {"/etc/os-release", "Debian", false},
	{"/etc/lsb-release", "Debian", false}, {"/etc/lsb-release", "Mandriva", false},
	{"/etc/sourcemage-release", "SMGL", false}, {"/usr/lib/os-release", "ClearLinux", false},
	{"/etc/coreos/update.conf", "Coreos", false}, {"/etc/os-release", "Flatcar", false},
	{"/etc/os-release", "NA", false},
}

var distSearchString = map[string]string{"OracleLinux": "Oracle Linux", "RedHat": "Red Hat", "Altlinux": "ALT", "SMGL": "Source Mage GNU/Linux"}

// osFamily is Ansible's Distribution.OS_FAMILY.
var osFamily = func() map[string]string {
	m := map[string][]string{
		"RedHat": {"RedHat", "RHEL", "Fedora", "CentOS", "Scientific", "SLC", "Ascendos", "CloudLinux", "PSBM",
			"OracleLinux", "OVS", "OEL", "Amazon", "Virtuozzo", "XenServer", "Alibaba", "EulerOS", "openEuler",
			"AlmaLinux", "Rocky", "TencentOS", "EuroLinux", "Kylin Linux Advanced Server"},
		"Debian": {"Debian", "Ubuntu", "Raspbian", "Neon", "KDE neon", "Linux Mint", "SteamOS", "Devuan", "Kali",
			"Cumulus Linux", "Pop!_OS", "Parrot", "Pardus GNU/Linux", "Uos", "Deepin", "OSMC"},
		"Suse":      {"SuSE", "SLES", "SLED", "openSUSE", "openSUSE Tumbleweed", "SLES_SAP", "SUSE_LINUX", "openSUSE Leap"},
		"Archlinux": {"Archlinux", "Antergos", "Manjaro"}, "Mandrake": {"Mandrake", "Mandriva"},
		"Solaris": {"Solaris", "Nexenta", "OmniOS", "OpenIndiana", "SmartOS"}, "Slackware": {"Slackware"},
		"Altlinux": {"Altlinux"}, "SGML": {"SGML"}, "Gentoo": {"Gentoo", "Funtoo"}, "Alpine": {"Alpine"},
		"AIX": {"AIX"}, "HP-UX": {"HPUX"}, "Darwin": {"MacOSX"}, "FreeBSD": {"FreeBSD", "TrueOS"},
		"ClearLinux": {"Clear Linux OS", "Clear Linux Mix"},
		"DragonFly":  {"DragonflyBSD", "DragonFlyBSD", "Gentoo/DragonflyBSD", "Gentoo/DragonFlyBSD"}, "NetBSD": {"NetBSD"},
	}
	out := map[string]string{}
	for fam, names := range m {
		for _, n := range names {
			out[n] = fam
		}
	}
	return out
}()

func reGroup(re *regexp.Regexp, s string, n int) (string, bool) {
	m := re.FindStringSubmatch(s)
	if m == nil || n >= len(m) {
		return "", false
	}
	return m[n], true
}

var (
	reVersionIDQuoted   = regexp.MustCompile(`VERSION_ID="(.*)"`)
	reDistribRelease    = regexp.MustCompile(`DISTRIB_RELEASE="(.*)"`)
	reDistribCodename   = regexp.MustCompile(`DISTRIB_CODENAME="(.*)"`)
	reDebianRelease     = regexp.MustCompile(`PRETTY_NAME=[^(]+ \(?([^)]+?)\)`)
	reDebianMinor       = regexp.MustCompile(`(\d+)\.(\d+)`)
	reDevuanRelease     = regexp.MustCompile(`PRETTY_NAME="?[^("]+ \(?([^) "]+)\)?`)
	reVersionIDAny      = regexp.MustCompile(`VERSION_ID=(.*)`)
	reVersionQuoted     = regexp.MustCompile(`VERSION="(.*)"`)
	reVersionCodename   = regexp.MustCompile(`VERSION_CODENAME="?([^"]+)"?`)
	reDistribReleaseAny = regexp.MustCompile(`DISTRIB_RELEASE=(.*)`)
	reSlackware         = regexp.MustCompile(`\w+[.]\w+\+?`)
	reSuseName          = regexp.MustCompile(`^NAME=(.*)`)
	reSuseVersion       = regexp.MustCompile(`^VERSION_ID="?([0-9]+\.?[0-9]*)"?`)
	reSuseRelease       = regexp.MustCompile(`^VERSION_ID="?[0-9]+\.?([0-9]*)"?`)
	reNAVersion         = regexp.MustCompile(`^VERSION=(.*)`)
	reCoreosGroup       = regexp.MustCompile(`(?m)^GROUP=(.*)`)
	reFlatcarVersion    = regexp.MustCompile(`VERSION=(.*)`)
	reClearName         = regexp.MustCompile(`NAME="(.*)"`)
	reClearID           = regexp.MustCompile(`ID=(.*)`)
)

// parseDistFile is DistributionFiles._parse_dist_file and the
// parse_distribution_file_* methods Linux reaches.
func parseDistFile(r *factsRaw, d *distro, name, data, path string, facts map[string]any) (bool, map[string]any) {
	out := map[string]any{}
	if s, ok := distSearchString[name]; ok {
		if strings.Contains(data, s) {
			out["distribution"] = name
			out["distribution_file_search_string"] = s
		} else if w := strings.Fields(data); len(w) > 0 {
			out["distribution"] = w[0]
		}
		return true, out
	}
	if name == "Archlinux" {
		if strings.Contains(data, "Arch Linux") {
			out["distribution"] = name
			return true, out
		}
		return false, out
	}
	switch name {
	case "Slackware":
		if !strings.Contains(data, "Slackware") {
			return false, out
		}
		out["distribution"] = name
		if v := reSlackware.FindString(data); v != "" {
			out["distribution_version"] = v
		}
	case "Amazon":
		if !strings.Contains(data, "Amazon") {
			return false, out
		}
		out["distribution"] = "Amazon"
		if path == "/etc/os-release" {
			if v, ok := reGroup(reVersionIDQuoted, data, 1); ok {
				out["distribution_version"] = v
				parts := strings.Split(v, ".")
				// Python unpacks exactly two parts; more raises, which
				// Ansible does not catch: tend keeps the first two.
				major, minor := parts[0], "NA"
				if len(parts) > 1 {
					minor = parts[1]
				}
				out["distribution_major_version"], out["distribution_minor_version"] = major, minor
			}
		} else {
			version := "NA"
			for _, w := range strings.Fields(data) {
				if isDigits(w) {
					version = w
					break
				}
			}
			out["distribution_version"] = version
		}
	case "OpenWrt":
		if !strings.Contains(data, "OpenWrt") {
			return false, out
		}
		out["distribution"] = name
		if v, ok := reGroup(reDistribRelease, data, 1); ok {
			out["distribution_version"] = v
		}
		if v, ok := reGroup(reDistribCodename, data, 1); ok {
			out["distribution_release"] = v
		}
	case "Alpine":
		out["distribution"], out["distribution_version"] = "Alpine", data
	case "SUSE":
		return parseSuse(r, data, path, facts)
	case "Debian":
		return parseDebian(r, data, path, facts)
	case "Mandriva":
		if !strings.Contains(data, "Mandriva") {
			return false, out
		}
		out["distribution"] = name
		if v, ok := reGroup(reDistribRelease, data, 1); ok {
			out["distribution_version"] = v
		}
		if v, ok := reGroup(reDistribCodename, data, 1); ok {
			out["distribution_release"] = v
		}
	case "NA":
		for _, l := range strings.Split(data, "\n") {
			if m := reSuseName.FindStringSubmatch(l); m != nil {
				out["distribution"] = strings.Trim(m[1], `"`)
			}
			if m := reNAVersion.FindStringSubmatch(l); m != nil && facts["distribution_version"] == "NA" {
				out["distribution_version"] = strings.Trim(m[1], `"`)
			}
		}
	case "Coreos":
		if strings.ToLower(d.id()) != "coreos" || data == "" {
			return false, out
		}
		if v, ok := reGroup(reCoreosGroup, data, 1); ok {
			out["distribution_release"] = strings.Trim(v, `"`)
		}
	case "Flatcar":
		if strings.ToLower(d.id()) != "flatcar" || data == "" {
			return false, out
		}
		if v, ok := reGroup(reFlatcarVersion, data, 1); ok {
			v = strings.Trim(v, `"`)
			major, _, _ := strings.Cut(v, ".")
			out["distribution_major_version"], out["distribution_version"] = major, v
		}
	case "ClearLinux":
		// Ansible compares the entry's name, "ClearLinux", with
		// "clearlinux" in lower case: this parser always matches.
		if v, ok := reGroup(reClearName, data, 1); ok {
			if !strings.Contains(v, "Clear Linux") {
				return false, out
			}
			out["distribution"] = v
		}
		if v, ok := reGroup(reVersionIDAny, data, 1); ok {
			out["distribution_major_version"], out["distribution_version"] = v, v
		}
		if v, ok := reGroup(reClearID, data, 1); ok {
			out["distribution_release"] = v
		}
	case "CentOS":
		if strings.Contains(data, "CentOS Stream") {
			out["distribution_release"] = "Stream"
			return true, out
		}
		if strings.Contains(data, "TencentOS Server") {
			out["distribution"] = "TencentOS"
			return true, out
		}
		return false, out
	default:
		// Ansible has no parser for it (Gentoo, VMwareESX...): not parsed.
		return false, out
	}
	return true, out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func parseDebian(r *factsRaw, data, path string, facts map[string]any) (bool, map[string]any) {
	out := map[string]any{}
	setVersion := func(major bool) {
		if v, ok := reGroup(reVersionIDQuoted, data, 1); ok {
			out["distribution_version"] = v
			m := v
			if major {
				m, _, _ = strings.Cut(v, ".")
			}
			out["distribution_major_version"] = m
		}
	}
	switch {
	case strings.Contains(data, "Debian") || strings.Contains(data, "Raspbian"):
		out["distribution"] = "Debian"
		if v, ok := reGroup(reDebianRelease, data, 1); ok {
			out["distribution_release"] = v
		}
		// Ansible asks dpkg (tzdata's Provides) when nothing named the
		// release; tend leaves "NA", which only Debian testing shows.
		if dv, ok := r.files["/etc/debian_version"]; ok {
			for _, l := range strings.Split(dv, "\n") {
				if m := reDebianMinor.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
					out["distribution_minor_version"] = m[2]
				}
			}
		}
	case strings.Contains(data, "Ubuntu"):
		out["distribution"] = "Ubuntu"
	case strings.Contains(data, "SteamOS"):
		out["distribution"] = "SteamOS"
	case (path == "/etc/lsb-release" || path == "/etc/os-release") && (strings.Contains(data, "Kali") || strings.Contains(data, "Parrot")):
		out["distribution"] = "Parrot"
		if strings.Contains(data, "Kali") {
			out["distribution"] = "Kali"
		}
		if v, ok := reGroup(reDistribReleaseAny, data, 1); ok {
			out["distribution_release"] = v
		}
	case strings.Contains(data, "Devuan"):
		out["distribution"] = "Devuan"
		if v, ok := reGroup(reDevuanRelease, data, 1); ok {
			out["distribution_release"] = v
		}
		setVersion(false)
	case strings.Contains(data, "Cumulus"):
		out["distribution"] = "Cumulus Linux"
		if v, ok := reGroup(reVersionIDAny, data, 1); ok {
			if parts := strings.Split(v, "."); len(parts) == 3 {
				out["distribution_version"], out["distribution_major_version"] = v, parts[0]
			}
		}
		if v, ok := reGroup(reVersionQuoted, data, 1); ok {
			out["distribution_release"] = v
		}
	case strings.Contains(data, "Mint"):
		out["distribution"] = "Linux Mint"
		setVersion(true)
	case strings.Contains(data, "UOS") || strings.Contains(data, "Uos") || strings.Contains(data, "uos"):
		out["distribution"] = "Uos"
		if v, ok := reGroup(reVersionCodename, data, 1); ok {
			out["distribution_release"] = v
		}
		setVersion(true)
	case strings.Contains(data, "Deepin") || strings.Contains(data, "deepin"):
		out["distribution"] = "Deepin"
		if v, ok := reGroup(reVersionCodename, data, 1); ok {
			out["distribution_release"] = v
		}
		setVersion(true)
	default:
		return false, out
	}
	return true, out
}

func parseSuse(r *factsRaw, data, path string, facts map[string]any) (bool, map[string]any) {
	out := map[string]any{}
	lower := strings.ToLower(data)
	if !strings.Contains(lower, "suse") {
		return false, out
	}
	switch path {
	case "/etc/os-release":
		for _, l := range strings.Split(data, "\n") {
			if m := reSuseName.FindStringSubmatch(l); m != nil {
				out["distribution"] = strings.Trim(m[1], `"`)
			}
			if m := reSuseVersion.FindStringSubmatch(l); m != nil {
				major, _, _ := strings.Cut(m[1], ".")
				out["distribution_version"], out["distribution_major_version"] = m[1], major
			}
			if strings.Contains(lower, "open") {
				if m := reSuseRelease.FindStringSubmatch(l); m != nil {
					out["distribution_release"] = m[1]
				}
			} else if strings.Contains(lower, "enterprise") && strings.Contains(l, "VERSION_ID") {
				if m := reSuseRelease.FindStringSubmatch(l); m != nil {
					rel := m[1]
					if rel == "" {
						rel = "0"
					}
					out["distribution_release"] = rel
				}
			}
		}
	case "/etc/SuSE-release":
		lines := strings.Split(data, "\n")
		if strings.Contains(lower, "open") {
			if w := strings.Fields(lines[0]); len(w) > 0 {
				out["distribution"] = w[0]
			}
			re := regexp.MustCompile(`CODENAME *= *([^\n]+)`)
			for _, l := range lines {
				if m := re.FindStringSubmatch(l); m != nil {
					out["distribution_release"] = strings.TrimSpace(m[1])
				}
			}
		} else if strings.Contains(lower, "enterprise") {
			if strings.Contains(data, "Server") {
				out["distribution"] = "SLES"
			} else if strings.Contains(data, "Desktop") {
				out["distribution"] = "SLED"
			}
			re := regexp.MustCompile(`PATCHLEVEL = ([0-9]+)`)
			for _, l := range lines {
				if m := re.FindStringSubmatch(l); m != nil {
					out["distribution_release"] = m[1]
					out["distribution_version"] = toStr(facts["distribution_version"]) + "." + m[1]
				}
			}
		}
	}
	return true, out
}

func toStr(v any) string {
	s, _ := v.(string)
	return s
}
